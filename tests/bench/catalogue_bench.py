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
import contextlib
import http.client
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SETTINGS = "tests.bench.bench_settings"
WSGI_APP = "tests.bench.bench_wsgi:application"
DB_NAME = "hall_bench"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/15"
HOST = "127.0.0.1"

SEARCH_ZH = "报销"  # "reimbursement": keywords of many finance/research services
SEARCH_PINYIN = "baoxiao"  # the same word in pinyin
GUIDE_CODE = "vertical-project-receipt-claim"  # a real demo service with steps, form, contacts
GUIDE_NAME = "纵向科研项目报销单"


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


# --- environment ------------------------------------------------------------------------------


def server_env(static_root: str) -> dict[str, str]:
    """The production-like environment of migrate, collectstatic, gunicorn and this process."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> str | None:
    """Runs manage.py; returns None on success, else its output's tail (or exits if check)."""
    t0 = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        tail = (result.stdout[-3000:] + result.stderr[-3000:]).strip()
        if not check:
            return tail
        sys.stderr.write(tail + "\n")
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")
    log(f"manage.py {' '.join(args)}: ok in {time.perf_counter() - t0:.1f}s")
    return None


def collectstatic(env: dict[str, str]) -> list[str]:
    """collectstatic with the hall's storage; if that fails, the fallback of bench_settings."""
    failure = manage(env, "collectstatic", "--noinput", check=False)
    if failure is None:
        return []
    reason = [line for line in failure.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(reason) if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    reason = reason[starts[-1] :] if starts else reason[-6:]
    error = reason[0]
    log(f"collectstatic FAILED with the hall's manifest storage: {error[:300]}")
    env["BENCH_STATIC_FALLBACK"] = "1"
    manage(env, "collectstatic", "--noinput", "--clear")
    return [
        "WARNING: `manage.py collectstatic` fails with the hall's production static storage "
        "(whitenoise CompressedManifestStaticFilesStorage, DEBUG off):",
        *("  " + line for line in reason[:8]),
        "  The run went on with whitenoise.storage.CompressedStaticFilesStorage (no hashed "
        "names; see bench_settings.py).",
    ]


def pg_admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", **PG)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def database_exists() -> bool:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", **PG)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            return cur.fetchone() is not None
    finally:
        conn.close()


def recreate_database() -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {DB_NAME}")
    log(f"database {DB_NAME} dropped and recreated")


def drop_database() -> None:
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    log(f"database {DB_NAME} dropped (--drop-db)")


def setup_django(env: dict[str, str]) -> None:
    for name in (
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_COOKIES",
        "DJANGO_HSTS_SECONDS",
        "DATABASE_URL",
        "REDIS_URL",
        "STATIC_ROOT",
        "LOG_LEVEL",
        "BENCH_STATIC_FALLBACK",
    ):
        if name in env:
            os.environ[name] = env[name]
    import django

    django.setup()


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


def http_get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


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


def bare_path(size: int) -> str:
    return f"/bench/bare/{size}/"


def check_bare(port: int, size: int) -> str:
    path = bare_path(size)
    status, body = http_get(port, path)
    if status != 200 or len(body) != size:
        raise SystemExit(f"bare page {path}: HTTP {status}, {len(body)} bytes, expected {size}")
    return path


# --- where a request's time goes, in process ---------------------------------------------------


@dataclass
class Profile:
    """Medians over ``n`` requests made in this process with the server's settings."""

    n: int
    total_ms: float
    sql_ms: float  # time inside cursor.execute, round trip to Postgres and fetch included
    render_ms: float  # Django template rendering (render()/render_to_string, includes nested)
    queries: int
    bytes: int
    sql: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL) of one request

    @property
    def python_ms(self) -> float:
        """The rest: middleware, view code, ORM query building and model instantiation."""
        return max(0.0, self.total_ms - self.sql_ms - self.render_ms)


def profile_request(path: str, n: int = 25) -> Profile:
    from statistics import median

    from django.db import connection
    from django.template.backends import django as django_backend
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    for _ in range(3):
        client.get(path)  # warm: template cache, connection, translations

    state = {"sql": 0.0, "render": 0.0, "depth": 0, "log": None}

    def timed_execute(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - t0
            state["sql"] += elapsed
            if state["log"] is not None:
                text = connection.ops.last_executed_query(context["cursor"], sql, params)
                state["log"].append((elapsed * 1000, text))

    original_render = django_backend.Template.render

    def timed_render(self, context=None, request=None):
        state["depth"] += 1
        t0 = time.perf_counter()
        try:
            return original_render(self, context, request)
        finally:
            state["depth"] -= 1
            if state["depth"] == 0:
                state["render"] += time.perf_counter() - t0

    totals, sqls, renders, counts, size, logged = [], [], [], [], 0, []
    django_backend.Template.render = timed_render
    try:
        with connection.execute_wrapper(timed_execute):
            for _ in range(n):
                logged = []
                state.update(sql=0.0, render=0.0, log=logged)
                t0 = time.perf_counter()
                response = client.get(path)
                totals.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: in-process request answered {response.status_code}")
                sqls.append(state["sql"])
                renders.append(state["render"])
                counts.append(len(logged))
                size = len(response.content)
    finally:
        django_backend.Template.render = original_render
    return Profile(
        n=n,
        total_ms=median(totals) * 1000,
        sql_ms=median(sqls) * 1000,
        render_ms=median(renders) * 1000,
        queries=round(median(counts)),
        bytes=size,
        sql=logged,
    )


def sql_summary(sql: str, width: int = 120) -> str:
    """The statement with its select list elided, on one line."""
    text = " ".join(sql.split())
    match = re.match(r'^SELECT (DISTINCT )?(.*?) FROM "', text)
    if match:
        aggregate = ", COUNT(…)" if "COUNT(" in match.group(2) else ""
        text = f"SELECT {match.group(1) or ''}…{aggregate} FROM " + text[match.end() - 1 :]
    text = text.replace('"', "")
    return text if len(text) <= width else text[: width - 1] + "…"


def explain(profile: Profile) -> list[str]:
    """EXPLAIN ANALYZE of the page's slowest SELECT (run once more, on the bench database)."""
    from django.db import connection

    selects = [(ms, sql) for ms, sql in profile.sql if sql.lstrip().upper().startswith("SELECT")]
    if not selects:
        return []
    ms, sql = max(selects)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    return [f"  slowest SELECT ({ms:.2f} ms): {sql}", *("    " + row for row in plan)]


# --- server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group; stop() ends it by its pid (and that group)."""

    def __init__(self, env: dict[str, str], args: argparse.Namespace, workdir: str):
        self.port = free_port()
        self.log_path = os.path.join(workdir, "gunicorn.log")
        threads = args.threads if args.worker_class == "gthread" else 1
        self.command = [
            GUNICORN,
            WSGI_APP,
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(threads),
            "--chdir",
            str(ROOT),
            "--error-logfile",
            self.log_path,
            "--log-level",
            "warning",
        ]
        self.env = env
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() can end it and its workers
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                status, _ = http_get(self.port, "/healthz", timeout=5)
                if status == 200:
                    log(f"gunicorn pid {self.proc.pid} serving on {HOST}:{self.port}")
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within 60s:\n{self.log_tail()}")

    @property
    def pgid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def log_tail(self) -> str:
        try:
            return Path(self.log_path).read_text()[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.terminate()  # SIGTERM to the master: graceful stop of it and its workers
            try:
                proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this script created for it
                proc.wait(timeout=10)
        # Workers the master could not reap (if it died first) are still in its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
        log(f"gunicorn pid {proc.pid} stopped")


# --- CPU accounting: who used the two cores during a load run ------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
    return sum(fields) - fields[3] - fields[4]


def _process_ticks() -> dict[int, tuple[int, str, int, int]]:
    """pid -> (utime+stime in ticks, command line, ppid, process group) of every process."""
    result = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        ppid, pgid = int(rest[1]), int(rest[2])
        ticks = int(rest[11]) + int(rest[12])
        result[int(entry)] = (ticks, cmdline, ppid, pgid)
    return result


def _own_seconds() -> float:
    """CPU seconds of this process and of its children that have been waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CpuMeter:
    """CPU of the app (gunicorn), Postgres backends of hall_bench, the load generator, others."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self) -> CpuMeter:
        self.t0 = time.monotonic()
        self.busy0 = _busy_ticks()
        self.procs0 = _process_ticks()
        self.rusage0 = _own_seconds()
        return self

    def __exit__(self, *exc) -> None:
        elapsed = time.monotonic() - self.t0
        busy = _busy_ticks() - self.busy0
        procs = _process_ticks()
        # The load generator: this process (Python fallback) and its finished children (wrk).
        shares = {"app": 0, "db": 0, "load": (_own_seconds() - self.rusage0) * CLK_TCK}
        for pid, (ticks, cmdline, _ppid, pgid) in procs.items():
            used = ticks - self.procs0.get(pid, (0,))[0]
            if used <= 0:
                continue
            if pgid == self.server.pgid:
                shares["app"] += used
            elif cmdline.startswith("postgres:") and f" {DB_NAME} " in cmdline:
                shares["db"] += used
        capacity = elapsed * CLK_TCK * (os.cpu_count() or 1) / 100  # ticks per percent
        self.app = shares["app"] / capacity
        self.db = shares["db"] / capacity
        self.load = shares["load"] / capacity
        self.other = max(0.0, busy - sum(shares.values())) / capacity


# --- load generation --------------------------------------------------------------------------


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    histogram: dict[int, int] = field(default_factory=dict)  # latency in µs -> count
    cpu: dict[str, float] = field(default_factory=dict)

    def add(self, other: Result) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.errors += other.errors
        for value, count in other.histogram.items():
            self.histogram[value] = self.histogram.get(value, 0) + count
        for key, value in other.cpu.items():  # time-weighted below
            self.cpu[key] = self.cpu.get(key, 0.0) + value * other.seconds

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        total = sum(self.histogram.values())
        if not total:
            return float("nan")
        rank, seen = p / 100 * total, 0
        for value in sorted(self.histogram):
            seen += self.histogram[value]
            if seen >= rank:
                return value / 1000
        return max(self.histogram) / 1000

    def cpu_percent(self, key: str) -> float:
        return self.cpu.get(key, 0.0) / self.seconds if self.seconds else 0.0


# wrk prints its own summary; this adds the full latency histogram, so that rounds merge exactly.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH summary %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("BENCH latency %d %d\\n", value, count))
  end
end
"""


def ensure_wrk(mode: str) -> str | None:
    if mode == "python":
        return None
    path = shutil.which("wrk")
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk missing: apt-get install -y wrk")
        subprocess.run(
            ["apt-get", "install", "-y", "wrk"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        path = shutil.which("wrk")
    if path is None and mode == "wrk":
        raise SystemExit("wrk is not available (apt-get install -y wrk)")
    if path is None:
        log("wrk unavailable: falling back to the Python load generator")
    return path


class Loader:
    def __init__(self, wrk: str | None, port: int, args: argparse.Namespace, workdir: str):
        self.wrk, self.port, self.args = wrk, port, args
        self.script = os.path.join(workdir, "histogram.lua")
        Path(self.script).write_text(WRK_SCRIPT)

    @property
    def name(self) -> str:
        if self.wrk:
            return f"wrk -t{self.threads} -c{self.args.concurrency}"
        return f"python threads x{self.args.concurrency} (http.client keep-alive)"

    @property
    def threads(self) -> int:
        return min(self.args.wrk_threads, self.args.concurrency)

    def run(self, path: str, seconds: float, server: Server) -> Result:
        with CpuMeter(server) as meter:
            result = self._wrk(path, seconds) if self.wrk else self._python(path, seconds)
        result.cpu = {"app": meter.app, "db": meter.db, "load": meter.load, "other": meter.other}
        return result

    def _wrk(self, path: str, seconds: float) -> Result:
        url = f"http://{HOST}:{self.port}{path}"
        command = [
            self.wrk,
            f"-t{self.threads}",
            f"-c{self.args.concurrency}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            self.script,
            url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        summary = re.search(r"^BENCH summary (.*)$", out.stdout, re.M)
        if out.returncode != 0 or not summary:
            raise SystemExit(f"wrk failed on {url}:\n{out.stdout}\n{out.stderr}")
        requests, duration_us, *errors = (int(x) for x in summary.group(1).split())
        histogram: dict[int, int] = {}
        for value, count in re.findall(r"^BENCH latency (\d+) (\d+)$", out.stdout, re.M):
            histogram[int(value)] = histogram.get(int(value), 0) + int(count)
        return Result(requests, duration_us / 1e6, sum(errors), histogram)

    def _python(self, path: str, seconds: float) -> Result:
        """Fallback: one thread per connection, HTTP/1.1 keep-alive, for a fixed time."""
        concurrency = self.args.concurrency
        latencies: list[list[float]] = [[] for _ in range(concurrency)]
        errors = [0] * concurrency
        start = time.perf_counter()
        deadline = start + seconds

        def client(i: int) -> None:
            conn = None
            while time.perf_counter() < deadline:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    resp.read()
                except (OSError, http.client.HTTPException):
                    errors[i] += 1
                    conn.close()
                    conn = None
                    continue
                latencies[i].append(time.perf_counter() - t0)
                if resp.status != 200:
                    errors[i] += 1
                if resp.will_close:
                    conn.close()
                    conn = None
            if conn is not None:
                conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        histogram: dict[int, int] = {}
        for lat in latencies:
            for x in lat:
                us = round(x * 1e6)
                histogram[us] = histogram.get(us, 0) + 1
        return Result(sum(map(len, latencies)), elapsed, sum(errors), histogram)


def measure(loader: Loader, server: Server, page: Page, args) -> tuple[Result, Result]:
    """Warms both URLs, then alternates page and bare page in ``--rounds`` slices."""
    bare = bare_path(page.size)
    loader.run(page.path, args.warmup, server)
    loader.run(bare, args.warmup, server)
    page_total, bare_total = Result(), Result()
    for _ in range(args.rounds):
        page_total.add(loader.run(page.path, args.seconds / args.rounds, server))
        bare_total.add(loader.run(bare, args.seconds / args.rounds, server))
    return page_total, bare_total


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
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"server: gunicorn {args.workers} workers ({args.worker_class}{threads}), DEBUG off, "
        f"Postgres {DB_NAME}, Redis db 15; load: {loader.name}, same machine"
    )
    if os.environ.get("BENCH_STATIC_FALLBACK") == "1":
        print("static files: FALLBACK storage, collectstatic failed (see WARNING below)")
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
    header = (
        f"{'page':<24} {'bytes':>7} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>7} "
        f"{'err':>4}   {'cpu% app':>8} {'db':>4} {'load':>4} {'other':>5}"
    )
    print(header)
    print("-" * len(header))
    for page, res, bare in rows:
        ratio = res.rps / bare.rps if bare.rps else float("nan")
        for label, r, shown_ratio in (
            (page.name, res, f"{ratio:7.2f}"),
            ("  bare, same size", bare, ""),
        ):
            print(
                f"{label:<24} {page.size:>7,} {r.rps:>8.1f} {r.percentile_ms(50):>8.2f} "
                f"{r.percentile_ms(99):>8.2f} {shown_ratio:>7} {r.errors:>4}   "
                f"{r.cpu_percent('app'):>8.0f} {r.cpu_percent('db'):>4.0f} "
                f"{r.cpu_percent('load'):>4.0f} {r.cpu_percent('other'):>5.0f}"
            )
    print()
    print("vs bare: page rps / rps of a page of the same size from the same server, no query.")
    print(
        f"cpu%: share of the {ncpu} cores during the load (100 = all): gunicorn, Postgres "
        "backends of hall_bench, the load generator, everything else on the machine."
    )
    print()
    header = (
        f"{'one request, in process':<24} {'total ms':>8} {'SQL ms':>7} {'queries':>7} "
        f"{'render ms':>9} {'other py ms':>11}  notes"
    )
    print(header)
    print("-" * len(header))
    for page, _res, _bare in rows:
        p = page.profile
        print(
            f"{page.name:<24} {p.total_ms:>8.2f} {p.sql_ms:>7.2f} {p.queries:>7} "
            f"{p.render_ms:>9.2f} {p.python_ms:>11.2f}  {', '.join(page.notes)}"
        )
        b = page.bare_profile
        print(
            f"{'  bare, same size':<24} {b.total_ms:>8.2f} {b.sql_ms:>7.2f} {b.queries:>7} "
            f"{b.render_ms:>9.2f} {b.python_ms:>11.2f}"
        )
    print()
    print(
        "medians of 25 requests through django.test.Client with the server's settings; SQL = "
        "time in cursor.execute (Postgres + round trip + fetch); render = template rendering; "
        "other py = middleware, view, ORM query building and model instantiation."
    )
    print()
    print("queries of one request (in process), slowest first:")
    for page, _res, _bare in rows:
        print(f"  {page.name}:")
        for ms, sql in sorted(page.profile.sql, key=lambda q: -q[0]):
            print(f"    {ms:6.2f} ms  {sql_summary(sql)}")
    for line in extra:
        print(line)
    if args.drop_db:
        print(f"database {DB_NAME}: dropped at exit (--drop-db)")
    else:
        print(f"database {DB_NAME}: left in place ({DATABASE_URL}); --drop-db drops it")
    print("=" * 108)


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--users", type=int, default=30_000, help="users in the database (total)")
    p.add_argument("--services", type=int, default=10_000, help="services (total, all published)")
    p.add_argument("--seconds", type=float, default=15, help="measured load time per URL")
    p.add_argument("--rounds", type=int, default=3, help="alternating page/bare slices")
    p.add_argument("--warmup", type=float, default=3, help="warm-up load time per URL")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent connections")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument(
        "--worker-class",
        choices=["gthread", "sync"],
        default="sync",
        help="gunicorn worker class (default sync: why, in this file's docstring)",
    )
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (-t)")
    p.add_argument("--loader", choices=["auto", "wrk", "python"], default="auto")
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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops gunicorn
    workdir = tempfile.mkdtemp(prefix="hall-bench-")
    env = server_env(os.path.join(workdir, "static"))
    server: Server | None = None
    try:
        wrk = ensure_wrk(args.loader)
        if args.reuse_db and database_exists():
            log(f"reusing database {DB_NAME}")
        else:
            recreate_database()
        manage(env, "migrate", "--noinput")
        extra: list[str] = collectstatic(env)  # before setup: it may choose the fallback
        setup_django(env)
        load_data(args)
        sizes = data_sizes()
        log(f"data: {sizes}")

        page_list = pages()
        for page in page_list:
            page.profile = profile_request(page.path)
            page.bare_profile = profile_request(bare_path(page.profile.bytes))
            log(
                f"in process {page.name}: {page.profile.total_ms:.1f} ms, "
                f"{page.profile.queries} queries, SQL {page.profile.sql_ms:.1f} ms"
            )
            if args.explain:
                extra.append(f"--- {page.name} {page.path}: one request's queries")
                extra.extend(f"  {ms:7.2f} ms  {sql[:150]}" for ms, sql in page.profile.sql)
                extra.extend(explain(page.profile))

        from django.db import connections

        connections.close_all()  # this process is done with the database

        load_before = os.getloadavg()[0]
        server = Server(env, args, workdir)
        server.start()
        loader = Loader(wrk, server.port, args, workdir)
        rows = []
        for page in page_list:
            check_page(server.port, page)
            check_bare(server.port, page.size)
            log(f"{page.name}: {page.path} -> 200, {page.size:,} bytes; {', '.join(page.notes)}")
            result, bare = measure(loader, server, page, args)
            log(
                f"  page {result.rps:.1f} rps (p50 {result.percentile_ms(50):.1f} ms), "
                f"bare {bare.rps:.1f} rps (p50 {bare.percentile_ms(50):.1f} ms)"
            )
            rows.append((page, result, bare))
        load_after = os.getloadavg()[0]
        server_log = [
            line for line in server.log_tail().splitlines() if "[INFO]" not in line and line.strip()
        ]
        if server_log:
            extra.append("gunicorn log (tail):")
            extra.extend(server_log[-20:])
        server.stop()
        server = None
        print_report(args, sizes, loader, rows, (load_before, load_after), extra)
        print(f"total wall time: {time.monotonic() - STARTED:.0f}s")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.drop_db:
            drop_database()
        log("done")


if __name__ == "__main__":
    sys.exit(main())
