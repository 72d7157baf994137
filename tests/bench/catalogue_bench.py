#!/usr/bin/env python
"""Load benchmark of the catalogue pages, each against a "bare" page of the same byte size.

    .venv/bin/python tests/bench/catalogue_bench.py \
        [--users 30000 --services 10000 --seconds 15 --concurrency 8] [--drop-db] [--explain]

What it does, in order:

1. drops and recreates the Postgres database ``hall_bench`` (127.0.0.1:5432, user postgres) and
   runs ``manage.py migrate`` on it in a subprocess (``--reuse-db`` keeps it and tops it up);
2. runs ``collectstatic`` into a temporary STATIC_ROOT with the same production-like environment
   (if the hall's manifest storage fails, it says so loudly and goes on with the fallback of
   bench_settings.py);
3. loads the demo catalogue (``hall.demo.seed_demo()``: 6 areas, 15 departments, 168 real
   services with their steps, form fields and contacts), then bulk-creates users and services
   until there are ``--users`` users and ``--services`` services in all (one precomputed password
   hash; ``letter``, ``sort_key`` and ``search_text`` computed with hall.search, as
   ``Service.save()`` would; names are the demo ones with a number), then VACUUM ANALYZE;
4. times one request of each page in process (median of 25 through django.test.Client): total,
   SQL, template rendering and the rest, with every query (``--explain`` adds EXPLAIN ANALYZE of
   each page's slowest SELECT);
5. serves the hall with gunicorn on a free port of 127.0.0.1, DEBUG off, Postgres, Redis (db 15),
   through tests/bench/bench_wsgi.py, whose URLconf (bench_urls.py) adds
   ``/bench/bare/<size>/``: a page rendered by Django's template engine with no query;
6. for each page: checks it answers 200 with its real content (results found, steps shown),
   takes its size, warms it and its same-size bare page up, then loads both with ``wrk``
   (``--concurrency`` connections) in ``--rounds`` alternating slices that add up to
   ``--seconds`` each, so that other work on the machine weighs on both alike; latency
   percentiles come from wrk's merged histograms; CPU use of gunicorn, Postgres, the load
   generator and everything else is read from /proc during each slice;
7. prints the tables, stops gunicorn (always: error, Ctrl-C or SIGTERM too) and leaves
   ``hall_bench`` in place unless ``--drop-db`` is given.

Workers: 2 ``sync`` workers by default, one per core. The pages are CPU-bound Python (10-20 ms
of ORM and template work each, against 0.2 ms for the bare page), so threads in a worker only
contend for its GIL; and every guide view runs an UPDATE of the same row (popularity), which
8 threads turn into row-lock waits. Sync workers behind a buffering proxy are gunicorn's
documented deployment. ``--worker-class gthread --threads 4`` runs the other choice (keep-alive,
and a thread can render while another waits on Postgres, which helps the search pages a little).

The guide page's views add to that service's popularity: the benchmark changes the data.
This is a benchmark, not a test: pytest does not collect it (no test_ file, no test_ function).
It needs ``wrk`` (Debian package; installed with apt-get when missing and running as root),
else it falls back to a pure-Python load generator (threads + http.client keep-alive), which
competes much harder for the two cores than wrk does.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root: tests.bench

from tests.bench.common import (
    Database,
    Loader,
    Profile,
    Server,
    add_load_options,
    bare_path,
    bench_database,
    bench_redis,
    check_bare,
    check_floor,
    collectstatic,
    elapsed,
    ensure_wrk,
    explain,
    http_get,
    log,
    manage,
    measure,
    print_load_table,
    print_profile_table,
    profile_request,
    server_lines,
    server_setup,
    setup_django,
)

DB_NAME = bench_database("hall_bench")
DB = Database(DB_NAME)
REDIS_URL = bench_redis("redis://127.0.0.1:6379/15")
PROFILED = 25  # in-process requests per page (medians)
LABEL_WIDTH = 24  # of the tables' first column

SEARCH_ZH = "报销"  # "reimbursement": keywords of many finance/research services
SEARCH_PINYIN = "baoxiao"  # the same word in pinyin
GUIDE_CODE = "vertical-project-receipt-claim"  # a real demo service with steps, form, contacts
GUIDE_NAME = "纵向科研项目报销单"


# --- data -------------------------------------------------------------------------------------


def generate_users(total: int, rng: random.Random) -> int:
    from django.contrib.auth.hashers import make_password

    from hall.demo import GIVEN, SURNAMES
    from hall.models import Department, Identity, User

    missing = total - User.objects.count()
    if missing <= 0:
        return 0
    password = make_password("bench-" + secrets.token_hex(8))  # hashed once, shared by all
    departments = list(Department.objects.all())
    identities = [Identity.STAFF, Identity.UNDERGRADUATE, Identity.GRADUATE, Identity.EXTERNAL]
    weights = [30, 45, 23, 2]
    prefix = {
        Identity.STAFF: "T",
        Identity.UNDERGRADUATE: "S",
        Identity.GRADUATE: "G",
        Identity.EXTERNAL: "E",
    }
    titles = {
        Identity.STAFF: ["讲师", "副教授", "教授", "工程师", "科员"],
        Identity.UNDERGRADUATE: ["2022级本科生", "2023级本科生", "2024级本科生", "2025级本科生"],
        Identity.GRADUATE: ["2024级硕士研究生", "2025级硕士研究生", "2023级博士研究生"],
        Identity.EXTERNAL: ["访问学者", "合作单位"],
    }
    given2 = [g for g in GIVEN if len(g) == 1]
    batch: list[User] = []
    for i in range(missing):
        identity = rng.choices(identities, weights)[0]
        given = (
            rng.choice(GIVEN) if rng.random() < 0.7 else rng.choice(GIVEN)[:1] + rng.choice(given2)
        )
        username = f"b{i:06d}"
        batch.append(
            User(
                username=username,
                password=password,
                full_name=rng.choice(SURNAMES) + given,
                number=f"{prefix[identity]}9{i:07d}",
                department=rng.choice(departments),
                identity=identity,
                title=rng.choice(titles[identity]),
                email=f"{username}@bench.example.edu.cn",
                phone=f"0571-{rng.randint(80000000, 89999999)}",
            )
        )
        if len(batch) == 5000:
            User.objects.bulk_create(batch)
            batch = []
    User.objects.bulk_create(batch)
    return missing


def generate_services(total: int, rng: random.Random) -> int:
    from hall.demo import AUDIENCE_TEXT, FAQ, OFFLINE_PROCEDURE, ONLINE_PROCEDURE
    from hall.demo_catalogue import SERVICES
    from hall.models import Area, Department, Service
    from hall.search import letter_of, search_text_of, sort_key_of

    existing = Service.objects.count()
    missing = total - existing
    if missing <= 0:
        return 0
    areas = {a.code: a for a in Area.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    batch: list[Service] = []
    for k in range(missing):
        base = SERVICES[k % len(SERVICES)]
        variant = k // len(SERVICES) + 1
        code = f"{base['code'][:50]}-{variant}"
        name_zh = f"{base['name_zh']}（{variant}）"
        name_en = f"{base['name_en']} ({variant})"
        audiences = base["audiences"]
        batch.append(
            Service(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                area=areas[base["area"]],
                department=departments[base["department"]],
                for_staff="staff" in audiences,
                for_undergraduates="undergraduate" in audiences,
                for_graduates="graduate" in audiences,
                keywords=base["keywords"],
                synonyms=base["synonyms"],
                letter=letter_of(name_zh),
                sort_key=sort_key_of(name_zh),
                search_text=search_text_of(
                    code, name_zh, name_en, base["keywords"], base["synonyms"]
                ),
                applicant_range="、".join(AUDIENCE_TEXT[a] for a in audiences),
                materials=base["materials"],
                procedure=ONLINE_PROCEDURE if base["online"] else OFFLINE_PROCEDURE,
                fees=base["fees"],
                faq=FAQ,
                time_limit_days=base["time_limit"],
                is_online=base["online"],
                is_published=True,
                popularity=rng.randint(0, 5000),
            )
        )
        if len(batch) == 2000:
            Service.objects.bulk_create(batch)
            batch = []
    Service.objects.bulk_create(batch)
    return missing


def load_data(args: argparse.Namespace) -> None:
    from django.db import connection

    from hall.demo import seed_demo

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    counts = seed_demo()
    log(f"seed_demo(): {counts} in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    made = generate_users(args.users, rng)
    log(f"users: {made} created in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    made = generate_services(args.services, rng)
    log(f"services: {made} created in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"VACUUM ANALYZE in {time.perf_counter() - t0:.1f}s")


def data_sizes() -> dict[str, object]:
    from django.db import connection

    from hall.models import Area, Department, Service, ServiceStep, User

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())),"
            " pg_size_pretty(pg_total_relation_size('hall_service'))"
        )
        db_size, service_size = cursor.fetchone()
    return {
        "users": User.objects.count(),
        "services": Service.objects.count(),
        "published": Service.objects.filter(is_published=True).count(),
        "areas": Area.objects.count(),
        "departments": Department.objects.count(),
        "steps": ServiceStep.objects.count(),
        "db_size": db_size,
        "service_table": service_size,
    }


@dataclass
class Page:
    name: str
    path: str
    must_contain: list[str]
    min_items: int = 0  # at least this many <li class="service-item">
    body: bytes = b""
    notes: list[str] = field(default_factory=list)
    profile: Profile | None = None  # the page, in process
    bare_profile: Profile | None = None  # the bare page of the same size, in process

    @property
    def size(self) -> int:
        return len(self.body)


def pages() -> list[Page]:
    q = urllib.parse.quote
    return [
        Page("home", "/", ['class="hot-list"', 'class="area-card"', "/services/"], min_items=1),
        Page(f"search zh {SEARCH_ZH}", f"/services/?q={q(SEARCH_ZH)}", [SEARCH_ZH], min_items=5),
        Page(
            f"search pinyin {SEARCH_PINYIN}",
            f"/services/?q={q(SEARCH_PINYIN)}",
            [SEARCH_ZH],
            min_items=5,
        ),
        Page(
            "list area+audience",
            "/services/?area=finance-research&audience=staff",
            ["finance-research"],
            min_items=5,
        ),
        Page("guide", f"/services/{GUIDE_CODE}/", [GUIDE_NAME, "科研院审核", "财务处审核"]),
    ]


FOUND = re.compile(rb"(\d[\d,]*) services? found")


def check_page(port: int, page: Page) -> None:
    """The page answers 200 with its real content; records its body (and so its size)."""
    status, body = http_get(port, page.path)
    if status != 200:
        detail = body[:2000].decode(errors="replace")
        raise SystemExit(f"{page.name} {page.path}: HTTP {status}\n{detail}")
    text = body.decode()
    missing = [s for s in page.must_contain if s not in text]
    if missing:
        raise SystemExit(f"{page.name} {page.path}: page lacks {missing}")
    items = text.count('class="service-item"')
    if items < page.min_items:
        raise SystemExit(f"{page.name} {page.path}: {items} items listed, want >= {page.min_items}")
    page.notes = []
    found = FOUND.search(body)
    if found:
        page.notes.append(f"{found.group(1).decode()} found")
    if items:
        page.notes.append(f"{items} listed")
    page.body = body


# --- where a request's time goes, in process ---------------------------------------------------


def profile_page(path: str) -> Profile:
    """Medians over PROFILED requests; render time includes the SQL run from templates."""
    return profile_request(path, n=PROFILED, warmups=3, render_with_sql=True)


def sql_summary(sql: str, width: int = 120) -> str:
    """The statement with its select list elided, on one line."""
    text = " ".join(sql.split())
    match = re.match(r'^SELECT (DISTINCT )?(.*?) FROM "', text)
    if match:
        aggregate = ", COUNT(…)" if "COUNT(" in match.group(2) else ""
        text = f"SELECT {match.group(1) or ''}…{aggregate} FROM " + text[match.end() - 1 :]
    text = text.replace('"', "")
    return text if len(text) <= width else text[: width - 1] + "…"


def explain_slowest(profile: Profile) -> list[str]:
    """EXPLAIN ANALYZE of the page's slowest SELECT (run once more, on the bench database)."""
    slowest = profile.slowest_select()
    if slowest is None:
        return []
    ms, sql = slowest
    return [f"  slowest SELECT ({ms:.2f} ms): {sql}", *("    " + row for row in explain(sql))]


# --- report -----------------------------------------------------------------------------------


def print_report(args, sizes, loader: Loader, rows, loads, extra: list[str]) -> None:
    ncpu = os.cpu_count()
    print()
    print("=" * 108)
    print("Catalogue benchmark (tests/bench/catalogue_bench.py)")
    print(
        f"machine: nproc={ncpu}, Python {sys.version.split()[0]}, "
        f"load average before/after: {loads[0]:.2f} / {loads[1]:.2f}"
    )
    for line in server_lines(args, loader, REDIS_URL):
        print(line)
    print(
        f"timing: {args.seconds:g}s per URL in {args.rounds} alternating page/bare slice(s), "
        f"after {args.warmup:g}s warm-up each"
    )
    print(
        f"data: {sizes['users']:,} users, {sizes['services']:,} services "
        f"({sizes['published']:,} published), {sizes['areas']} areas, "
        f"{sizes['departments']} departments, {sizes['steps']} approval steps; "
        f"database {sizes['db_size']} (hall_service {sizes['service_table']})"
    )
    print()
    print_load_table(rows, LABEL_WIDTH)
    print()
    print("vs bare: page rps / rps of a page of the same size from the same server, no query.")
    print(
        f"cpu%: share of the {ncpu} cores during the load (100 = all): gunicorn, Postgres "
        "backends of hall_bench, the load generator, everything else on the machine."
    )
    print()
    measured = [page for page, _res, _bare, _floor in rows]
    print_profile_table(measured, LABEL_WIDTH, "notes", lambda page: ", ".join(page.notes))
    print()
    print(
        f"medians of {PROFILED} requests through django.test.Client with the server's settings; "
        "SQL = time in cursor.execute (Postgres + round trip + fetch); render = template "
        "rendering; other py = middleware, view, ORM query building and model instantiation."
    )
    print()
    print("queries of one request (in process), slowest first:")
    for page, _res, _bare, _floor in rows:
        print(f"  {page.name}:")
        for ms, sql in sorted(page.profile.sql, key=lambda q: -q[0]):
            print(f"    {ms:6.2f} ms  {sql_summary(sql)}")
    for line in extra:
        print(line)
    if args.drop_db:
        print(f"database {DB_NAME}: dropped at exit (--drop-db)")
    else:
        print(f"database {DB_NAME}: left in place ({DB.url}); --drop-db drops it")
    print("=" * 108)


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--users", type=int, default=30_000, help="users in the database (total)")
    p.add_argument("--services", type=int, default=10_000, help="services (total, all published)")
    add_load_options(
        p,
        warmup=3,
        worker_class_help="gunicorn worker class (default sync: why, in this file's docstring)",
    )
    p.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    p.add_argument(
        "--reuse-db",
        action="store_true",
        help=f"keep an existing {DB_NAME} (migrate and top up) instead of recreating it",
    )
    p.add_argument("--drop-db", action="store_true", help=f"drop {DB_NAME} at the end")
    p.add_argument(
        "--explain",
        action="store_true",
        help="print each page's queries and EXPLAIN ANALYZE of its slowest SELECT",
    )
    args = p.parse_args(argv)
    if args.rounds < 1 or args.seconds < args.rounds:
        p.error("--rounds must be >= 1 and at most --seconds (slices of at least 1s)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir, env = server_setup("hall-bench-", DB, REDIS_URL)
    server: Server | None = None
    try:
        wrk = ensure_wrk(args.loader)
        if args.reuse_db and DB.exists():
            log(f"reusing database {DB_NAME}")
        else:
            DB.recreate()
        manage(env, "migrate", "--noinput")
        extra: list[str] = collectstatic(env)  # before setup: it may choose the fallback
        setup_django(env)
        load_data(args)
        sizes = data_sizes()
        log(f"data: {sizes}")

        page_list = pages()
        for page in page_list:
            page.profile = profile_page(page.path)
            page.bare_profile = profile_page(bare_path(page.profile.bytes))
            log(
                f"in process {page.name}: {page.profile.total_ms:.1f} ms, "
                f"{page.profile.queries} queries, SQL {page.profile.sql_ms:.1f} ms"
            )
            if args.explain:
                extra.append(f"--- {page.name} {page.path}: one request's queries")
                extra.extend(f"  {ms:7.2f} ms  {sql[:150]}" for ms, sql in page.profile.sql)
                extra.extend(explain_slowest(page.profile))

        from django.db import connections

        connections.close_all()  # this process is done with the database

        load_before = os.getloadavg()[0]
        server = Server(env, args, workdir)
        server.start()
        # Postgres' parallel workers count as "other", as they always have in this benchmark.
        loader = Loader(wrk, server, DB, args, workdir, parallel_workers=False)
        rows = []
        for page in page_list:
            check_page(server.port, page)
            check_bare(server.port, page.size)
            check_floor(server.port)
            log(f"{page.name}: {page.path} -> 200, {page.size:,} bytes; {', '.join(page.notes)}")
            result, bare, floor = measure(loader, page.path, page.size, args)
            log(
                f"  page {result.rps:.1f} rps (p50 {result.percentile_ms(50):.1f} ms), "
                f"bare {bare.rps:.1f} rps (p50 {bare.percentile_ms(50):.1f} ms), "
                f"floor {floor.rps:.1f} rps "
                f"(x floor {result.rps / floor.rps if floor.rps else 0:.2f})"
            )
            rows.append((page, result, bare, floor))
        load_after = os.getloadavg()[0]
        server_log = server.log_lines()
        if server_log:
            extra.append("gunicorn log (tail):")
            extra.extend(server_log[-20:])
        server.stop()
        server = None
        print_report(args, sizes, loader, rows, (load_before, load_after), extra)
        print(f"total wall time: {elapsed():.0f}s")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.drop_db:
            DB.drop()
            log(f"database {DB_NAME} dropped (--drop-db)")
        log("done")


if __name__ == "__main__":
    sys.exit(main())
