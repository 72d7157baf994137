"""What the benchmarks of tests/bench share.

Their own Postgres databases, manage.py and Django with the bench settings (bench_settings.py),
gunicorn serving bench_wsgi.py, load generation with wrk (or Python threads), CPU accounting
from /proc, in-process request profiles and the tables of their reports.

The benchmarks run as ``.venv/bin/python tests/bench/<name>_bench.py`` from the repository
root: each puts the root on sys.path, then imports this module as ``tests.bench.common``.
This is not a test module: pytest collects nothing from it.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import queue
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from psycopg2.extensions import connection as Connection
    from psycopg2.extensions import cursor as Cursor

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
GRANIAN = str(Path(PYTHON).with_name("granian"))
SETTINGS = "tests.bench.bench_settings"
WSGI_APP = "tests.bench.bench_wsgi:application"
HOST = "127.0.0.1"
PG = {"host": HOST, "port": 5432, "user": "postgres"}

STARTED = time.monotonic()


def elapsed() -> float:
    """Seconds since the benchmark started."""
    return time.monotonic() - STARTED


def log(message: str) -> None:
    print(f"[{elapsed():6.1f}s] {message}", flush=True)


def command_line(script: str, argv: Sequence[str] | None = None) -> str:
    """The report's ``command:`` line: how to run this again from the repository root."""
    args = sys.argv[1:] if argv is None else list(argv)
    return "command: " + " ".join([os.path.relpath(PYTHON, ROOT), f"tests/bench/{script}", *args])


def print_header(header: str) -> None:
    """A table's header line, underlined."""
    print(header)
    print("-" * len(header))


# --- Postgres -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """A benchmark's own Postgres database on 127.0.0.1:5432 (user postgres)."""

    name: str

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:5432/{self.name}"

    def connect(self, dbname: str | None = None) -> Connection:
        """A psycopg2 connection to this database (or to ``dbname``)."""
        import psycopg2

        return psycopg2.connect(dbname=dbname or self.name, **PG)

    @contextlib.contextmanager
    def cursor(self, dbname: str | None = None) -> Iterator[Cursor]:
        """A cursor on a connection of its own to this database (or to ``dbname``), in
        autocommit; the connection is closed after."""
        conn = self.connect(dbname)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                yield cur
        finally:
            conn.close()

    def admin(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
        """Runs ``sql`` on the maintenance database ``postgres``; its rows."""
        with self.cursor("postgres") as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def run(self, *statements: str) -> float:
        """Runs the statements on this database, on a connection of their own, in autocommit;
        returns the seconds the last one took."""
        seconds = 0.0
        with self.cursor() as cur:
            for sql in statements:
                t0 = time.perf_counter()
                cur.execute(sql)
                seconds = time.perf_counter() - t0
        return seconds

    def exists(self) -> bool:
        return bool(self.admin("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]))

    def comment(self) -> str:
        """The database's comment ("" if it has none, or does not exist)."""
        rows = self.admin(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [self.name],
        )
        return (rows[0][0] or "") if rows else ""

    def set_comment(self, text: str) -> None:
        self.admin(f"COMMENT ON DATABASE {self.name} IS %s", [text])

    def recreate(self) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self.admin(f"CREATE DATABASE {self.name}")
        log(f"database {self.name} dropped and recreated")

    def drop(self) -> None:
        """Drops the database, after closing this process's Django connections."""
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        self.admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def exit_note(self, dropped: bool) -> str:
        """The report's last word on the database."""
        fate = "dropped at exit (--drop-db)" if dropped else "left in place (--drop-db drops it)"
        return f"database {self.name}: {fate}"

    def drop_secondary_indexes(self, tables: Sequence[str]) -> list[tuple[str, str]]:
        """Drops the tables' indexes that back no constraint (PK, unique) before a bulk load;
        returns their (name, definition), the first table's first (the biggest: they take
        longest to rebuild)."""
        with self.cursor() as cur:
            cur.execute(
                """
                SELECT ic.relname, pg_get_indexdef(i.indexrelid), c.relname
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE c.relname = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                ORDER BY ic.relname
                """,
                [list(tables)],
            )
            rows = cur.fetchall()
            rows.sort(key=lambda r: tables.index(r[2]) if r[2] in tables else len(tables))
            for name, _definition, _table in rows:
                cur.execute(f'DROP INDEX "{name}"')
        return [(name, definition) for name, definition, _table in rows]

    def build_index(self, definition: str, *, parallel_workers: int | None = None) -> float:
        """Runs a CREATE INDEX on a connection of its own with 1 GB of maintenance_work_mem
        (and at most ``parallel_workers`` parallel workers); returns its seconds."""
        settings = ["SET maintenance_work_mem = '1GB'"]
        if parallel_workers is not None:
            settings.append(f"SET max_parallel_maintenance_workers = {parallel_workers}")
        return self.run(*settings, definition)


def copy_csv(cur: Cursor, table: str, columns: str, not_null: str, source: IO[str]) -> int:
    """COPY of CSV rows into ``table``; empty fields of the ``not_null`` columns are "", not
    NULL. Returns the rows copied."""
    cur.copy_expert(
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))",
        source,
        size=1 << 20,
    )
    return cur.rowcount


def run_parallel(jobs: Sequence[Callable[[], Any]], workers: int) -> list:
    """Runs the jobs on ``workers`` threads (each job opens its own Postgres connection);
    returns their results in order, or raises the first error."""
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []
    todo: queue.Queue = queue.Queue()
    for n, job in enumerate(jobs):
        todo.put((n, job))

    def run() -> None:
        while True:
            try:
                n, job = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[n] = job()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)
                return

    threads = [threading.Thread(target=run) for _ in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


# --- Django with the bench settings ---------------------------------------------------------------

# The variables of bench_env() that setup_django() copies into this process's environment.
SETTINGS_VARIABLES = (
    "DJANGO_",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "LOG_LEVEL",
    "BENCH_STATIC_FALLBACK",
)


def bench_env(db: Database, **settings: str) -> dict[str, str]:
    """The production-like environment (DEBUG off, a random secret key, no HTTPS) of manage.py,
    gunicorn and the benchmark's own Django, on ``db``; ``settings`` add to it or override it."""
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
            "DATABASE_URL": db.url,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
            **settings,
        }
    )
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> str | None:
    """Runs manage.py; returns None on success, else its output's tail (or exits if check)."""
    t0 = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
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
    """collectstatic with the hall's storage; if that fails, the fallback of bench_settings.py,
    and the lines of a WARNING for the report (none when the hall's storage worked)."""
    failure = manage(env, "collectstatic", "--noinput", check=False)
    if failure is None:
        return []
    reason = [line for line in failure.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(reason) if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    reason = reason[starts[-1] :] if starts else reason[-6:]
    log(f"collectstatic FAILED with the hall's manifest storage: {reason[0][:300]}")
    env["BENCH_STATIC_FALLBACK"] = "1"
    manage(env, "collectstatic", "--noinput", "--clear")
    return [
        "WARNING: `manage.py collectstatic` fails with the hall's production static storage "
        "(whitenoise CompressedManifestStaticFilesStorage, DEBUG off):",
        *("  " + line for line in reason[:8]),
        "  The run went on with whitenoise.storage.CompressedStaticFilesStorage (no hashed "
        "names; see bench_settings.py).",
    ]


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, with the settings of ``env`` (bench_env's)."""
    for name, value in env.items():
        if name.startswith(SETTINGS_VARIABLES):
            os.environ[name] = value
    import django

    django.setup()


def wait_for_other_benchmarks(script: str, poll: float = 30) -> float:
    """Waits (polling every ``poll`` s) while another benchmark than ``script`` (this one's file
    name) runs, so that their figures don't disturb each other; returns the seconds waited."""
    waited = 0.0
    while True:
        out = subprocess.run(["pgrep", "-af", r"_bench\.py"], capture_output=True, text=True)
        others = [
            line
            for line in out.stdout.splitlines()
            if line.split(maxsplit=1)[0] != str(os.getpid())
            and "pgrep" not in line
            and Path(script).stem not in line
        ]
        if not others:
            return waited
        log(f"another benchmark is running, waiting {poll:.0f}s: {others[0][:120]}")
        time.sleep(poll)
        waited += poll


# --- where a request's time goes, in process ------------------------------------------------------


@dataclass
class Profile:
    """Medians over requests made in this process with the server's settings."""

    total_ms: float
    sql_ms: float  # in cursor.execute: Postgres, the round trip, the fetch
    render_ms: float  # template rendering (with or without its SQL: see profile_request)
    queries: int
    bytes: int
    sql: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL) of one request

    @property
    def python_ms(self) -> float:
        """The rest: middleware, view code, ORM query building, model instances."""
        return max(0.0, self.total_ms - self.sql_ms - self.render_ms)

    def slowest_select(self) -> tuple[float, str] | None:
        """(ms, SQL) of the request's slowest SELECT, if it ran one."""
        selects = [(ms, sql) for ms, sql in self.sql if sql.lstrip().upper().startswith("SELECT")]
        return max(selects) if selects else None


def profile_request(
    path: str,
    *,
    n: int,
    warmups: int,
    cookies: dict[str, str] | None = None,
    render_with_sql: bool = False,
) -> Profile:
    """Medians over ``n`` requests of ``path`` through django.test.Client, after ``warmups``
    (template cache, connection, translations). Render time leaves out the SQL run from inside
    templates unless ``render_with_sql``."""
    from statistics import median

    from django.db import connection
    from django.template.backends import django as django_backend
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    for name, value in (cookies or {}).items():
        client.cookies[name] = value
    for _ in range(warmups):
        client.get(path)
    state: dict[str, Any] = {"sql": 0.0, "sql_in_render": 0.0, "render": 0.0, "depth": 0, "log": []}

    def timed_execute(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - t0
            state["sql"] += seconds
            if state["depth"]:
                state["sql_in_render"] += seconds
            text = connection.ops.last_executed_query(context["cursor"], sql, params)
            state["log"].append((seconds * 1000, text))

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
                state.update(sql=0.0, sql_in_render=0.0, render=0.0, log=[])
                t0 = time.perf_counter()
                response = client.get(path)
                totals.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: in-process request answered {response.status_code}")
                sqls.append(state["sql"])
                rendering = state["render"]
                renders.append(rendering if render_with_sql else rendering - state["sql_in_render"])
                counts.append(len(state["log"]))
                size, logged = len(response.content), state["log"]
    finally:
        django_backend.Template.render = original_render
    return Profile(
        total_ms=median(totals) * 1000,
        sql_ms=median(sqls) * 1000,
        render_ms=median(renders) * 1000,
        queries=round(median(counts)),
        bytes=size,
        sql=logged,
    )


def explain(sql: str, params: Sequence[object] | None = None) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of ``sql`` (run once more) on Django's connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


# --- HTTP and the server --------------------------------------------------------------------------


def http_get(port: int, path: str, cookie: str = "", timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def bare_path(size: int) -> str:
    """The bare page of ``size`` bytes (bench_urls.py)."""
    return f"/bench/bare/{size}/"


FLOOR_PATH = "/bench/floor/"
FLOOR_BYTES = 20_000  # bench_urls.FLOOR_BYTES


def check_floor(port: int, cookie: str = "") -> None:
    """The floor page (bench_urls.py: 20 KB and one primary-key query) answers in full."""
    status, body = http_get(port, FLOOR_PATH, cookie)
    if status != 200 or len(body) != FLOOR_BYTES:
        raise SystemExit(
            f"floor page {FLOOR_PATH}: HTTP {status}, {len(body)} bytes, expected {FLOOR_BYTES}"
        )


def bench_database(default: str) -> str:
    """The benchmark's database name: ``default``, or ``BENCH_DB`` from the environment (so that
    engineers sharing a machine each build and reuse their own, e.g. ``hall_h1_bench``). In
    lower case: the benchmarks create it unquoted, which Postgres folds to lower case, and then
    connect by the name as given (``BENCH_DB=hall_hD_x`` failed at its first migrate)."""
    return os.environ.get("BENCH_DB", default).lower()


def bench_redis(default: str) -> str:
    """The benchmark's Redis URL: ``default``, or ``BENCH_REDIS_URL`` from the environment."""
    return os.environ.get("BENCH_REDIS_URL", default)


def check_bare(port: int, size: int, cookie: str = "") -> None:
    path = bare_path(size)
    status, body = http_get(port, path, cookie)
    if status != 200 or len(body) != size:
        raise SystemExit(f"bare page {path}: HTTP {status}, {len(body)} bytes, expected {size}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving bench_wsgi.py on a free port of 127.0.0.1, in its own process group;
    stop() ends it by its pid (and that group). ``timeout``: gunicorn's worker timeout."""

    def __init__(
        self,
        env: dict[str, str],
        args: argparse.Namespace,
        workdir: str,
        timeout: int | None = None,
    ):
        self.port = free_port()
        self.log_path = os.path.join(workdir, "gunicorn.log")
        threads = args.threads if args.worker_class == "gthread" else 1
        if args.worker_class == "granian":
            # granian's WSGI interface: Rust I/O threads in front of each worker process, one
            # Python thread running the app (``--blocking-threads 1``), as in docker-compose.yml.
            if not os.path.exists(GRANIAN):
                raise SystemExit("granian is not installed: .venv/bin/pip install '.[bench]'")
            self.command = [
                GRANIAN, "--interface", "wsgi", "--host", HOST, "--port", str(self.port),
                "--workers", str(args.workers), "--blocking-threads", "1",
                "--log-level", "warning", WSGI_APP,
            ]  # fmt: skip
        else:
            self.command = [
                GUNICORN, WSGI_APP, "--bind", f"{HOST}:{self.port}", "--workers",
                str(args.workers), "--worker-class", args.worker_class, "--threads", str(threads),
                "--chdir", str(ROOT), *(["--timeout", str(timeout)] if timeout is not None else []),
                "--error-logfile", self.log_path, "--log-level", "warning",
            ]  # fmt: skip
        self.env = env
        self.proc: subprocess.Popen | None = None
        self._log: IO[str] | None = None

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

    def log_lines(self) -> list[str]:
        """The log's tail without the INFO lines and the blank ones."""
        return [
            line for line in self.log_tail().splitlines() if "[INFO]" not in line and line.strip()
        ]

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


def server_setup(prefix: str, db: Database, redis_url: str) -> tuple[str, dict[str, str]]:
    """The start of a benchmark that serves the hall: SIGTERM exits (so that ``finally`` stops
    gunicorn); a temporary work directory (STATIC_ROOT, gunicorn's log, wrk's script) named
    ``prefix``...; the environment. Returns (work directory, environment)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix=prefix)
    env = bench_env(db, REDIS_URL=redis_url, STATIC_ROOT=os.path.join(workdir, "static"))
    return workdir, env


def drain(port: int, limit: float = 30) -> float:
    """Waits until the server is idle again: requests wrk left queued when it stopped (slow
    pages) would otherwise be served at the start of the next slice and count against it.
    Probes /healthz until one answers within 50 ms; returns the seconds it took."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        t1 = time.perf_counter()
        with contextlib.suppress(OSError):
            http_get(port, "/healthz", timeout=limit)
        if time.perf_counter() - t1 < 0.05:
            break
    return time.perf_counter() - t0


class KeepAlive:
    """The HTTP/1.1 keep-alive connection of one client thread, opened again after an error or
    an answer that closes it."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, float]:
        """One request, its answer read; returns (the answer, its seconds). Raises OSError or
        HTTPException (the connection closed)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body, headers or {})
            resp = self.conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        seconds = time.perf_counter() - t0
        if resp.will_close:
            self.close()
        return resp, seconds

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_threads(target: Callable[[int], None], n: int) -> float:
    """Runs target(0) ... target(n - 1) on n threads at once; the seconds until all ended."""
    start = time.perf_counter()
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


# --- CPU accounting: who used the cores during a measured part ------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def busy_ticks() -> int:
    """CPU ticks the whole machine has been busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
    return sum(fields) - fields[3] - fields[4]


def own_seconds() -> float:
    """CPU seconds of this process and of its children that have been waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def process_ticks() -> dict[int, tuple[int, str, int]]:
    """pid -> (utime+stime in ticks, command line, process group) of every process."""
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
        result[int(entry)] = (int(rest[11]) + int(rest[12]), cmdline, int(rest[2]))
    return result


def postgres_processes(db_name: str) -> tuple[dict[int, int], dict[int, int]]:
    """pid -> CPU ticks of the Postgres backends of ``db_name``, and of the parallel workers
    (alive now: they live for one query) whose leader is one of them."""
    backends: dict[int, int] = {}
    leaders: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read(300).decode(errors="replace")
            if not cmdline.startswith("postgres:"):
                continue
            with open(f"/proc/{entry}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks = int(rest[11]) + int(rest[12])
        if f" {db_name} " in cmdline:
            backends[int(entry)] = ticks
        else:
            match = re.search(r"parallel worker for PID (\d+)", cmdline)
            if match:
                leaders[int(entry)] = (int(match.group(1)), ticks)
    workers = {pid: ticks for pid, (leader, ticks) in leaders.items() if leader in backends}
    return backends, workers


class LoadCpuMeter:
    """Share of all cores (100 = all) used during a load slice by the app (gunicorn's process
    group), the database's Postgres backends, the load generator (this process and its reaped
    children: wrk) and everything else.

    Postgres' parallel workers live for one query, too short for the two snapshots: with
    ``parallel_workers`` a thread samples them every 0.2 s, so that their CPU counts as the
    database's, a little under (what they used after the last sample is missed); without, it
    counts as everything else's.
    """

    def __init__(self, server: Server, db_name: str, parallel_workers: bool = True):
        self.server, self.db_name = server, db_name
        self.app = self.db = self.load = self.other = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._workers: dict[int, int] = {}  # pid of a parallel worker -> ticks last seen
        if parallel_workers:
            self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self._workers.update(postgres_processes(self.db_name)[1])

    def __enter__(self) -> LoadCpuMeter:
        self.t0 = time.monotonic()
        self.busy0 = busy_ticks()
        self.procs0 = process_ticks()
        self.rusage0 = own_seconds()
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        seconds = time.monotonic() - self.t0
        busy = busy_ticks() - self.busy0
        procs = process_ticks()
        shares = {"app": 0.0, "db": 0.0, "load": (own_seconds() - self.rusage0) * CLK_TCK}
        for pid, (ticks, cmdline, pgid) in procs.items():
            if pid in self._workers:
                continue  # a parallel worker: counted below
            used = ticks - self.procs0.get(pid, (0,))[0]
            if used <= 0:
                continue
            if pgid == self.server.pgid:
                shares["app"] += used
            elif cmdline.startswith("postgres:") and f" {self.db_name} " in cmdline:
                shares["db"] += used
        for pid, ticks in self._workers.items():
            now_ticks = procs[pid][0] if pid in procs else ticks
            shares["db"] += max(0, max(now_ticks, ticks) - self.procs0.get(pid, (0,))[0])
        capacity = seconds * CLK_TCK * (os.cpu_count() or 1) / 100  # ticks per percent
        self.app, self.db = shares["app"] / capacity, shares["db"] / capacity
        self.load = shares["load"] / capacity
        self.other = max(0.0, busy - sum(shares.values())) / capacity

    @property
    def shares(self) -> dict[str, float]:
        return {"app": self.app, "db": self.db, "load": self.load, "other": self.other}


# --- load generation ------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    histogram: dict[int, int] = field(default_factory=dict)  # latency in µs -> count
    cpu: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, latencies: list[list[float]], seconds: float, errors: int) -> Result:
        """The result of client threads, from their latencies (in seconds, one list a thread)."""
        histogram: dict[int, int] = {}
        for lat in latencies:
            for x in lat:
                us = round(x * 1e6)
                histogram[us] = histogram.get(us, 0) + 1
        return cls(sum(map(len, latencies)), seconds, errors, histogram)

    def add(self, other: Result) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.errors += other.errors
        for value, count in other.histogram.items():
            self.histogram[value] = self.histogram.get(value, 0) + count
        for key, value in other.cpu.items():  # time-weighted, see cpu_percent
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
    """wrk's path (installed with apt-get when missing and running as root), or None for the
    Python load generator (``--loader python``, or wrk unavailable with ``--loader auto``)."""
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


def add_load_options(
    p: argparse.ArgumentParser, warmup: float, worker_class_help: str | None = None
) -> None:
    """The options of the load, the server and the load generator (Loader, Server, measure)."""
    p.add_argument("--seconds", type=float, default=15, help="measured load time per URL")
    p.add_argument("--rounds", type=int, default=3, help="alternating page/bare slices")
    p.add_argument("--warmup", type=float, default=warmup, help="warm-up load time per URL")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent connections")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument(
        "--worker-class",
        choices=["gthread", "sync", "granian"],
        default="sync",
        help=worker_class_help or "gunicorn's sync or gthread workers, or granian (WSGI)",
    )
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (-t)")
    p.add_argument("--loader", choices=["auto", "wrk", "python"], default="auto")


class Loader:
    """Loads one URL of the server for a while with ``--concurrency`` connections: wrk (with
    ``wrk_options``), or Python threads; measures the CPU meanwhile (LoadCpuMeter)."""

    def __init__(
        self,
        wrk: str | None,
        server: Server,
        db: Database,
        args: argparse.Namespace,
        workdir: str,
        *,
        wrk_options: Sequence[str] = (),
        parallel_workers: bool = True,
    ):
        self.wrk, self.server, self.db, self.args = wrk, server, db, args
        self.wrk_options = list(wrk_options)
        self.parallel_workers = parallel_workers
        self.script = os.path.join(workdir, "histogram.lua")
        Path(self.script).write_text(WRK_SCRIPT)

    @property
    def threads(self) -> int:
        return min(self.args.wrk_threads, self.args.concurrency)

    @property
    def name(self) -> str:
        if self.wrk:
            options = "".join(f"{o} " for o in self.wrk_options)
            return f"wrk {options}-t{self.threads} -c{self.args.concurrency}"
        return f"python threads x{self.args.concurrency} (http.client keep-alive)"

    def meter(self) -> LoadCpuMeter:
        return LoadCpuMeter(self.server, self.db.name, self.parallel_workers)

    def run(self, path: str, seconds: float, cookie: str = "") -> Result:
        with self.meter() as meter:
            if self.wrk:
                result = self._wrk(path, seconds, cookie)
            else:
                result = self._python(path, seconds, cookie)
        result.cpu = meter.shares
        return result

    def _wrk(self, path: str, seconds: float, cookie: str) -> Result:
        url = f"http://{HOST}:{self.server.port}{path}"
        command = [
            self.wrk, f"-t{self.threads}", f"-c{self.args.concurrency}",
            f"-d{max(1, round(seconds))}s", *self.wrk_options, "--timeout", "10s",
            *(["-H", f"Cookie: {cookie}"] if cookie else []), "-s", self.script, url,
        ]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        summary = re.search(r"^BENCH summary (.*)$", out.stdout, re.M)
        if out.returncode != 0 or not summary:
            raise SystemExit(f"wrk failed on {url}:\n{out.stdout}\n{out.stderr}")
        requests, duration_us, *errors = (int(x) for x in summary.group(1).split())
        histogram: dict[int, int] = {}
        for value, count in re.findall(r"^BENCH latency (\d+) (\d+)$", out.stdout, re.M):
            histogram[int(value)] = histogram.get(int(value), 0) + int(count)
        return Result(requests, duration_us / 1e6, sum(errors), histogram)

    def _python(self, path: str, seconds: float, cookie: str) -> Result:
        """Fallback: one thread per connection, HTTP/1.1 keep-alive, for a fixed time."""
        concurrency = self.args.concurrency
        latencies: list[list[float]] = [[] for _ in range(concurrency)]
        errors = [0] * concurrency
        headers = {"Cookie": cookie} if cookie else {}
        deadline = time.perf_counter() + seconds

        def client(i: int) -> None:
            conn = KeepAlive(self.server.port, timeout=10)
            while time.perf_counter() < deadline:
                try:
                    resp, latency = conn.request("GET", path, headers=headers)
                except (OSError, http.client.HTTPException):
                    errors[i] += 1
                    continue
                latencies[i].append(latency)
                if resp.status != 200:
                    errors[i] += 1
            conn.close()

        return Result.of(latencies, run_threads(client, concurrency), sum(errors))


def measure(
    loader: Loader, path: str, size: int, args: argparse.Namespace, cookie: str = ""
) -> tuple[Result, Result, Result]:
    """Warms the page, the bare page of its size and the floor page up, then alternates the
    three in ``--rounds`` slices that add up to ``--seconds`` each, letting the server drain
    before each slice; returns (the page's result, the bare page's, the floor page's). The
    bare and floor pages get the same cookie as the page (so they read the same session)."""
    bare = bare_path(size)
    port = loader.server.port
    loader.run(path, args.warmup, cookie)
    drain(port)
    loader.run(bare, args.warmup, cookie)
    drain(port)
    loader.run(FLOOR_PATH, args.warmup, cookie)
    page_total, bare_total, floor_total = Result(), Result(), Result()
    for _ in range(args.rounds):
        drain(port)
        page_total.add(loader.run(path, args.seconds / args.rounds, cookie))
        drain(port)
        bare_total.add(loader.run(bare, args.seconds / args.rounds, cookie))
        drain(port)
        floor_total.add(loader.run(FLOOR_PATH, args.seconds / args.rounds, cookie))
    drain(port)
    return page_total, bare_total, floor_total


# --- the reports' tables --------------------------------------------------------------------------


def server_lines(args: argparse.Namespace, loader: Loader, redis_url: str) -> list[str]:
    """The report's lines on the server, the load generator and the static files."""
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    name = (
        f"granian {args.workers} workers (WSGI, 1 blocking thread)"
        if args.worker_class == "granian"
        else f"gunicorn {args.workers} workers ({args.worker_class}{threads})"
    )
    lines = [
        f"server: {name}, DEBUG off, "
        f"Postgres {loader.db.name}, Redis db {redis_url.rsplit('/', 1)[1]}; "
        f"load: {loader.name}, same machine"
    ]
    if os.environ.get("BENCH_STATIC_FALLBACK") == "1":
        lines.append("static files: FALLBACK storage, collectstatic failed (see WARNING below)")
    return lines


class MeasuredPage(Protocol):
    """A page of a load benchmark, measured in process (profile) and under load."""

    name: str
    profile: Profile | None  # the page, in process
    bare_profile: Profile | None  # the bare page of the same size, in process

    @property
    def size(self) -> int: ...


def print_load_table(
    rows: Sequence[tuple[MeasuredPage, Result, Result, Result]],
    width: int,
    slow: Callable[[float, Result], bool] | None = None,
) -> None:
    """Each page's load figures (rps, latency, CPU) above those of its bare page and of the
    floor page; "vs bare" and "vs floor" are the ratios of their rps (issue #10's goal: vs
    floor >= 0.5). ``slow``(ratio to bare, result) flags a page SLOW."""
    header = (
        f"{'page':<{width}} {'bytes':>7} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>7} "
        f"{'vs floor':>8} {'err':>4}   {'cpu% app':>8} {'db':>4} {'load':>4} {'other':>5}"
    )
    print_header(header)

    def row(label: str, size: int, r: Result, ratio: str, floor_ratio: str) -> str:
        return (
            f"{label:<{width}} {size:>7,} {r.rps:>8.1f} {r.percentile_ms(50):>8.2f} "
            f"{r.percentile_ms(99):>8.2f} {ratio:>7} {floor_ratio:>8} {r.errors:>4}   "
            f"{r.cpu_percent('app'):>8.0f} {r.cpu_percent('db'):>4.0f} "
            f"{r.cpu_percent('load'):>4.0f} {r.cpu_percent('other'):>5.0f}"
        )

    for page, res, bare, floor in rows:
        ratio = res.rps / bare.rps if bare.rps else float("nan")
        floor_ratio = res.rps / floor.rps if floor.rps else float("nan")
        flag = " SLOW" if slow is not None and slow(ratio, res) else ""
        print(row(page.name, page.size, res, f"{ratio:7.2f}", f"{floor_ratio:8.2f}") + flag)
        print(row("  bare, same size", page.size, bare, "", ""))
        print(row("  floor, 20 KB + 1 PK", FLOOR_BYTES, floor, "", ""))
    print(
        "vs floor: page rps / rps of the floor page (20 KB, one primary-key query) from the same "
        "server in the same run; goal of issue #10: >= 0.50."
    )


def print_profile_table(
    pages: Sequence[MeasuredPage], width: int, last: str, note: Callable[[Any], str]
) -> None:
    """Where one request of each page (and of its bare page) spends its time, in process; the
    ``last`` column holds ``note``(page)."""
    header = (
        f"{'one request, in process':<{width}} {'total ms':>8} {'SQL ms':>7} {'queries':>7} "
        f"{'render ms':>9} {'other py ms':>11}  {last}"
    )
    print_header(header)

    def row(label: str, p: Profile) -> str:
        return (
            f"{label:<{width}} {p.total_ms:>8.2f} {p.sql_ms:>7.2f} {p.queries:>7} "
            f"{p.render_ms:>9.2f} {p.python_ms:>11.2f}"
        )

    for page in pages:
        assert page.profile is not None and page.bare_profile is not None
        print(f"{row(page.name, page.profile)}  {note(page)}")
        print(row("  bare, same size", page.bare_profile))
