#!/usr/bin/env python
"""Load benchmark of the catalogue pages, against a same-size "bare" page.

    .venv/bin/python tests/bench/catalogue_bench.py \
        [--users 30000 --services 10000 --seconds 15 --concurrency 8] [--drop-db] [--explain]

What it does, in order:

1. drops and recreates the Postgres database ``hall_bench`` (127.0.0.1:5432, user postgres) and
   runs ``manage.py migrate`` on it in a subprocess;
2. loads the demo catalogue (``hall.demo.seed_demo()``: 6 areas, 15 departments, 168 real
   services with their steps, form fields and contacts), then bulk-creates users and services
   until there are ``--users`` users and ``--services`` services (one precomputed password hash;
   ``letter``/``sort_key``/``search_text`` computed with hall.search as ``Service.save()``
   would), then VACUUM ANALYZE;
3. runs ``collectstatic`` into a temporary STATIC_ROOT and serves the hall with gunicorn on a
   free port of 127.0.0.1, with production-like settings (DEBUG off, manifest static files,
   Postgres, Redis cache on db 15) and the bench URLconf (tests/bench/bench_urls.py), which adds
   ``/bench/bare/<size>/``: a page rendered by Django's template engine with no database query;
4. for each page: checks it answers 200 with real content, measures its size, warms it up,
   loads it with ``wrk`` for ``--seconds``, then does the same with the bare page of the same
   byte size, and prints rps, p50/p99 latency and the page/bare rps ratio, plus the page's SQL
   query count and SQL time (one request, in process);
5. stops gunicorn (always, even on error or Ctrl-C) and leaves ``hall_bench`` in place unless
   ``--drop-db`` is given.

This is a benchmark, not a test: pytest does not collect it (no test_ file name, no test_
function). It needs ``wrk`` (Debian package; installed with apt-get when missing and running as
root), else it falls back to a pure-Python load generator (threads + http.client keep-alive),
which competes much harder for the two cores than wrk does.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
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


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


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


def manage(env: dict[str, str], *args: str) -> None:
    t0 = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")
    log(f"manage.py {' '.join(args)}: ok in {time.perf_counter() - t0:.1f}s")


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
    ):
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


# --- pages ------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    must_contain: list[str]
    min_items: int = 0  # at least this many <li class="service-item">
    body: bytes = b""
    sql_count: int = 0
    sql_ms: float = 0.0
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.body)


def pages() -> list[Page]:
    q = urllib.parse.quote
    return [
        Page("home", "/", ['class="hot-list"', 'class="area-card"', "/services/"], min_items=1),
        Page(
            f"search zh {SEARCH_ZH}",
            f"/services/?q={q(SEARCH_ZH)}",
            [SEARCH_ZH],
            min_items=5,
        ),
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
        Page(
            "guide",
            f"/services/{GUIDE_CODE}/",
            [GUIDE_NAME, "科研院审核", "财务处审核"],
        ),
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
    status, body = http_get(port, page.path)
    if status != 200:
        raise SystemExit(
            f"{page.name} {page.path}: HTTP {status}\n{body[:2000].decode(errors='replace')}"
        )
    text = body.decode()
    missing = [s for s in page.must_contain if s not in text]
    if missing:
        raise SystemExit(f"{page.name} {page.path}: page lacks {missing}")
    items = text.count('class="service-item"')
    if items < page.min_items:
        raise SystemExit(
            f"{page.name} {page.path}: {items} service items, expected >= {page.min_items}"
        )
    found = FOUND.search(body)
    if found:
        page.notes.append(f"{found.group(1).decode()} found")
    if items:
        page.notes.append(f"{items} listed")
    page.body = body


def check_bare(port: int, size: int) -> str:
    path = f"/bench/bare/{size}/"
    status, body = http_get(port, path)
    if status != 200 or len(body) != size:
        raise SystemExit(f"bare page {path}: HTTP {status}, {len(body)} bytes, expected {size}")
    return path


def profile_sql(page: Page, explain: bool) -> str:
    """Query count and SQL time of one request, in process, with the server's settings."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.get(page.path)  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page.path)
    if response.status_code != 200:
        raise SystemExit(f"{page.name}: in-process request answered {response.status_code}")
    queries = ctx.captured_queries
    page.sql_count = len(queries)
    page.sql_ms = sum(float(q["time"]) for q in queries) * 1000
    if queries:
        slowest = max(queries, key=lambda q: float(q["time"]))
        page.slowest_sql = slowest["sql"]
        page.slowest_ms = float(slowest["time"]) * 1000
    if not explain:
        return ""
    lines = [f"--- {page.name} {page.path}: {page.sql_count} queries, {page.sql_ms:.1f} ms"]
    for q in queries:
        lines.append(f"  {float(q['time']) * 1000:7.2f} ms  {q['sql'][:160]}")
    if page.slowest_sql.lstrip().upper().startswith("SELECT"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + page.slowest_sql)
            plan = [row[0] for row in cursor.fetchall()]
        lines.append(f"  slowest ({page.slowest_ms:.2f} ms): {page.slowest_sql}")
        lines.extend("    " + row for row in plan)
    return "\n".join(lines)


# --- server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
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
        # Workers the master could not reap (it was killed) share its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        self._log.close()
        log(f"gunicorn pid {proc.pid} stopped")


# --- load generation --------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS[unit]


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


def run_wrk(wrk: str, port: int, path: str, seconds: float, args: argparse.Namespace) -> Result:
    url = f"http://{HOST}:{port}{path}"
    command = [
        wrk,
        f"-t{min(args.wrk_threads, args.concurrency)}",
        f"-c{args.concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed: {out.stderr or out.stdout}")
    text = out.stdout
    total = re.search(r"(\d+) requests in ([\d.]+\w+)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    if not (total and rps and p50 and p99):
        raise SystemExit(f"cannot read wrk's output:\n{text}")
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return Result(
        requests=int(total.group(1)),
        seconds=_ms(total.group(2)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        errors=errors,
    )


def run_python(port: int, path: str, seconds: float, args: argparse.Namespace) -> Result:
    """Fallback load: one thread per connection, HTTP/1.1 keep-alive, for a fixed time."""
    latencies: list[list[float]] = [[] for _ in range(args.concurrency)]
    errors = [0] * args.concurrency
    start = time.perf_counter()
    deadline = start + seconds

    def client(i: int) -> None:
        conn = None
        while time.perf_counter() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
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

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    all_ms = sorted(x * 1000 for lat in latencies for x in lat)
    if not all_ms:
        raise SystemExit(f"no request to {path} completed")

    def pct(p: float) -> float:
        return all_ms[min(len(all_ms) - 1, max(0, round(p / 100 * len(all_ms)) - 1))]

    return Result(len(all_ms), elapsed, len(all_ms) / elapsed, pct(50), pct(99), sum(errors))


def load(wrk: str | None, port: int, path: str, seconds: float, args) -> Result:
    if wrk:
        return run_wrk(wrk, port, path, seconds, args)
    return run_python(port, path, seconds, args)


# --- report -----------------------------------------------------------------------------------


def print_report(args, sizes, loader: str, rows, profile_lines) -> None:
    print()
    print("=" * 100)
    print("Catalogue benchmark")
    print(
        f"machine: nproc={os.cpu_count()} ({os.sched_getaffinity(0).__len__()} usable), "
        f"Python {sys.version.split()[0]}, load generator: {loader}, on the same machine"
    )
    print(
        f"server: gunicorn {args.workers} workers x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f", DEBUG off, Postgres {DB_NAME}, Redis db 15"
    )
    print(
        f"load: {args.concurrency} connections, {args.seconds:g}s per URL after a "
        f"{args.warmup:g}s warm-up"
    )
    print(
        f"data: {sizes['users']:,} users, {sizes['services']:,} services "
        f"({sizes['published']:,} published), {sizes['areas']} areas, "
        f"{sizes['departments']} departments, {sizes['steps']} steps; database {sizes['db_size']}, "
        f"hall_service {sizes['service_table']}"
    )
    print()
    header = (
        f"{'page':<26} {'bytes':>8} {'rps':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs bare':>8} {'SQL':>4} {'SQL ms':>7} {'err':>4}  notes"
    )
    print(header)
    print("-" * len(header))
    for page, res, bare in rows:
        ratio = res.rps / bare.rps if bare.rps else float("nan")
        print(
            f"{page.name:<26} {page.size:>8,} {res.rps:>9.1f} {res.p50_ms:>8.2f} "
            f"{res.p99_ms:>8.2f} {ratio:>8.2f} {page.sql_count:>4} {page.sql_ms:>7.1f} "
            f"{res.errors:>4}  {', '.join(page.notes)}"
        )
        print(
            f"{'  bare, same size':<26} {page.size:>8,} {bare.rps:>9.1f} {bare.p50_ms:>8.2f} "
            f"{bare.p99_ms:>8.2f} {'':>8} {0:>4} {0.0:>7.1f} {bare.errors:>4}"
        )
    print()
    print(
        "vs bare = page rps / rps of a page of the same byte size rendered by the same server "
        "with no query; SQL = queries of one request and their time, measured in process."
    )
    for line in profile_lines:
        print(line)
    if args.drop_db:
        print(f"database {DB_NAME}: dropped (--drop-db)")
    else:
        print(f"database {DB_NAME}: left in place ({DATABASE_URL}); --drop-db drops it")
    print("=" * 100)


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--users", type=int, default=30_000, help="users in the database (total)")
    p.add_argument("--services", type=int, default=10_000, help="services (total, all published)")
    p.add_argument("--seconds", type=float, default=15, help="load time per URL")
    p.add_argument("--warmup", type=float, default=3, help="warm-up load time per URL")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent connections")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument(
        "--worker-class",
        choices=["gthread", "sync"],
        default="gthread",
        help="gunicorn worker class (gthread: keep-alive, threads overlap DB waits)",
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
        help="print each page's queries and EXPLAIN ANALYZE of its slowest one",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops gunicorn
    workdir = tempfile.mkdtemp(prefix="hall-bench-")
    static_root = os.path.join(workdir, "static")
    env = server_env(static_root)
    server: Server | None = None
    try:
        wrk = ensure_wrk(args.loader)
        if args.reuse_db and database_exists():
            log(f"reusing database {DB_NAME}")
        else:
            recreate_database()
        manage(env, "migrate", "--noinput")
        setup_django(env)
        load_data(args)
        manage(env, "collectstatic", "--noinput")
        sizes = data_sizes()
        log(f"data: {sizes}")

        page_list = pages()
        profile_lines = []
        for page in page_list:
            text = profile_sql(page, args.explain)
            if text:
                profile_lines.append(text)

        from django.db import connections

        connections.close_all()  # this process is done with the database until the end

        server = Server(env, args, workdir)
        server.start()
        rows = []
        for page in page_list:
            check_page(server.port, page)
            bare_path = check_bare(server.port, page.size)
            log(f"{page.name}: {page.path} -> 200, {page.size:,} bytes; {', '.join(page.notes)}")
            load(wrk, server.port, page.path, args.warmup, args)
            result = load(wrk, server.port, page.path, args.seconds, args)
            log(
                f"  page: {result.rps:.1f} rps, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f}"
            )
            load(wrk, server.port, bare_path, args.warmup, args)
            bare = load(wrk, server.port, bare_path, args.seconds, args)
            log(f"  bare: {bare.rps:.1f} rps, p50 {bare.p50_ms:.2f} ms, p99 {bare.p99_ms:.2f}")
            rows.append((page, result, bare))
        server_log = server.log_tail().strip()
        if server_log:
            profile_lines.append("gunicorn log (tail):\n" + server_log)
        server.stop()
        server = None
        loader = "wrk" if wrk else "python threads (http.client keep-alive)"
        print_report(args, sizes, loader, rows, profile_lines)
        print(f"total wall time: {time.perf_counter() - started:.0f}s")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.drop_db:
            drop_database()


if __name__ == "__main__":
    sys.exit(main())
