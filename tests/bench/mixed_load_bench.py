#!/usr/bin/env python
"""A mixed load of simulated people against the hall as it is deployed, then a database check.

    .venv/bin/python tests/bench/mixed_load_bench.py [--minutes 10] [--staff 60 --approvers 20
        --pollers 120] [--worker-class sync|gthread|granian --workers 2] [--reuse-db] [--drop-db]
        [--locust PATH]

The people (locust users, ``tests/bench/mixed_locustfile.py``, headless, on loopback, bounded by
``--minutes``):

* **staff** search the catalogue (a Chinese word, a pinyin word), read a guide, open the form
  and apply; every application goes to the head of their department;
* **approvers** (a phone's user agent) open their inbox, open the oldest task and approve it;
* **applicants** keep their request page open: it polls its live part every 10 s with the stamp
  of what it shows (If-None-Match), as the page's script does.

Against: the server (gunicorn's sync workers by default; ``--worker-class granian`` for granian)
with Postgres and Redis, and a real Celery worker that renders each approved request's PDF and
sends the messages. Before the load: ``seed_demo`` and ``--approvers`` departments, each with a
head and ``(staff + pollers) / approvers`` members; every poller has one request already waiting.

Afterwards it prints each page's requests, failures, p50 and p99, the approvals per second, and
checks the database: every application the load generator saw accepted is one request; every
request has its viewflow process; no task is decided twice and no request has two approvals;
every approved request has finished its process. The exit code is 1 if anything failed.

The load generator is locust (``pip install '.[bench]'`` puts it and granian in the venv; or
``--locust`` names a locust executable of another venv). Redis db 13 is this benchmark's broker
and cache; it is flushed before and after.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import (  # noqa: E402
    PYTHON,
    ROOT,
    Database,
    Server,
    bench_database,
    collectstatic,
    command_line,
    log,
    manage,
    print_header,
    server_setup,
    setup_django,
)

DB_NAME = bench_database("hall_bench_mixed")
DB = Database(DB_NAME)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SERVICE = "bench-mixed-leave"
LOCUSTFILE = ROOT / "tests" / "bench" / "mixed_locustfile.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--staff", type=int, default=60)
    p.add_argument("--approvers", type=int, default=20)
    p.add_argument("--pollers", type=int, default=120)
    p.add_argument("--spawn-rate", type=float, default=20, help="people started per second")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--worker-class", choices=["sync", "gthread", "granian"], default="sync")
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--locust", default="", help="the locust executable (default: beside python)")
    p.add_argument("--reuse-db", action="store_true")
    p.add_argument("--drop-db", action="store_true")
    return p.parse_args(argv)


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()


def locust_path(args: argparse.Namespace) -> str:
    for candidate in (args.locust, str(Path(PYTHON).with_name("locust")), shutil.which("locust")):
        if candidate and os.path.exists(candidate):
            return candidate
    raise SystemExit("locust is not installed: .venv/bin/pip install '.[bench]' (or --locust)")


# --- data -------------------------------------------------------------------------------------


def load_people(args: argparse.Namespace) -> list[dict]:
    """The bench service, its departments and people, the pollers' waiting requests, and every
    person's session; the list the locustfile reads."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    from hall.demo import seed_demo
    from hall.models import Area, Department, Service, ServiceField, ServiceStep, User
    from workflows import services

    seed_demo()
    area = Area.objects.order_by("order").first()
    service, _ = Service.objects.update_or_create(
        code=SERVICE,
        defaults={
            "name_zh": "压测请假申请",
            "name_en": "Bench leave request",
            "area": area,
            "department": Department.objects.order_by("order", "code").first(),
            "is_published": True,
            "keywords": "请假 leave qingjia",
        },
    )
    ServiceField.objects.get_or_create(
        service=service,
        key="reason",
        defaults={"order": 1, "label_zh": "事由", "label_en": "Reason", "field_type": "text"},
    )
    ServiceStep.objects.get_or_create(
        service=service,
        order=1,
        defaults={"name_zh": "部门负责人审批", "name_en": "Head", "rule": "applicant_head"},
    )
    password = make_password("bench-mixed")
    people: list[dict] = []
    members = (args.staff + args.pollers) // args.approvers
    staff_left, pollers_left = args.staff, args.pollers
    for d in range(args.approvers):
        dept, _ = Department.objects.get_or_create(
            code=f"bench-mixed-{d:02d}",
            defaults={"name_zh": f"压测部门{d:02d}", "name_en": f"Bench unit {d:02d}"},
        )
        head, _ = User.objects.get_or_create(
            username=f"bench-head-{d:02d}",
            defaults={"password": password, "full_name": f"压测负责人{d:02d}", "department": dept},
        )
        dept.heads.add(head)
        people.append({"role": "approver", "username": head.username, "user": head})
        for m in range(members):
            user, _ = User.objects.get_or_create(
                username=f"bench-staff-{d:02d}-{m:02d}",
                defaults={"password": password, "full_name": f"压测员工{d}{m}", "department": dept},
            )
            if staff_left and (m % 3 == 0 or not pollers_left):
                staff_left -= 1
                people.append({"role": "staff", "username": user.username, "user": user})
            elif pollers_left:
                pollers_left -= 1
                request = services.request_submit(
                    service=service,
                    applicant=user,
                    form_data={"reason": "压测：等待审批"},
                    files={},
                    urgent=False,
                    urgent_reason="",
                    submit_token=uuid.uuid4(),
                )
                people.append(
                    {
                        "role": "poller",
                        "username": user.username,
                        "user": user,
                        "request": request.pk,
                    }
                )
    for person in people:
        user = person.pop("user")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "hall.auth.NumberOrUsernameBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        person.update(session=session.session_key, csrf=_get_new_csrf_string())
    return people


def baseline() -> dict[str, int]:
    from workflows.models import ApprovalRecord, ServiceRequest

    return {
        "requests": ServiceRequest.objects.filter(service__code=SERVICE).count(),
        "approvals": ApprovalRecord.objects.filter(
            request__service__code=SERVICE, action="approve"
        ).count(),
    }


def check_database(before: dict[str, int], submitted: int, approved: int) -> list[str]:
    """The database after the load: what was accepted is there exactly once."""
    from django.db.models import Count, Q

    from workflows.models import ApprovalRecord, ApprovalTask, ServiceRequest

    ours = ServiceRequest.objects.filter(service__code=SERVICE)
    problems = []
    made = ours.count() - before["requests"]
    if made != submitted:
        problems.append(f"{submitted} applications accepted, {made} requests made")
    if ours.filter(process__isnull=True).exclude(status="draft").exists():
        problems.append("a submitted request without its viewflow process")
    twice = (
        ApprovalRecord.objects.filter(request__service__code=SERVICE, action="approve")
        .values("task")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if twice:
        problems.append(f"{twice} tasks decided twice")
    per_request = (
        ours.annotate(n=Count("records", filter=Q(records__action="approve")))
        .filter(n__gt=1)
        .count()
    )
    if per_request:
        problems.append(f"{per_request} requests approved twice")
    recorded = (
        ApprovalRecord.objects.filter(request__service__code=SERVICE, action="approve").count()
        - before["approvals"]
    )
    if recorded != approved:
        problems.append(f"{approved} approvals answered, {recorded} recorded")
    if ours.filter(status="approved").exclude(process__status="DONE").exists():
        problems.append("an approved request whose process did not finish")
    if (
        ApprovalTask.objects.filter(request__in=ours.filter(status="in_progress"), status="pending")
        .values("request")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    ):
        problems.append("a request waiting on two tasks of a single step")
    return problems


# --- the run ----------------------------------------------------------------------------------


def read_stats(prefix: str) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


class CpuSampler:
    """Each second, the CPU the server, the Celery worker, Postgres, Redis and the load tool
    used in it (seconds of CPU per process group, from psutil), so that the report can set
    the worker's PDF renders beside the latency: what share of the two cores each took, and
    the load's p99 in the seconds when the worker was busy against the others."""

    GROUPS = ("server", "celery", "postgres", "redis", "locust")

    def __init__(self, server_pgid: int, worker_pgid: int) -> None:
        import threading

        self.pgids = {"server": server_pgid, "celery": worker_pgid}
        self.seconds: list[tuple[float, dict[str, float]]] = []
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _group(self, proc) -> str | None:
        import psutil

        try:
            name = proc.name()
            pgid = os.getpgid(proc.pid)
            for group, wanted in self.pgids.items():
                if pgid == wanted:
                    return group
            if name.startswith("postgres"):
                return "postgres"
            if name.startswith("redis"):
                return "redis"
            if "locust" in " ".join(proc.cmdline()[:3]):
                return "locust"
        except (psutil.Error, OSError):  # gone, a zombie, not ours to read
            return None
        return None

    def _sample(self) -> dict[str, float]:
        import psutil

        used = dict.fromkeys(self.GROUPS, 0.0)
        seen = {}
        for proc in psutil.process_iter():
            group = self._group(proc)
            if group is None:
                continue
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total = times.user + times.system
            seen[proc.pid] = total
            used[group] += total - self._last.get(proc.pid, total)
        self._last = seen
        return used

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(1.0):
            try:
                self.seconds.append((time.time(), self._sample()))
            except Exception as exc:  # noqa: BLE001 - a sampler must not end the benchmark
                log(f"cpu sample skipped: {exc!r}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def report(self, history_csv: str) -> list[str]:
        if not self.seconds:
            return []
        wall = len(self.seconds)
        totals = {g: sum(used[g] for _, used in self.seconds) for g in self.GROUPS}
        cores = os.cpu_count() or 1
        shares = ", ".join(f"{g} {totals[g] / wall / cores * 100:.0f} %" for g in self.GROUPS)
        lines = [f"CPU over {wall} s, share of {cores} cores: {shares}"]
        p99 = {}
        try:
            with open(history_csv, newline="") as f:
                for row in csv.DictReader(f):
                    if row.get("Name") == "Aggregated" and row.get("99%") not in ("", "N/A"):
                        p99[int(float(row["Timestamp"]))] = float(row["99%"])
        except OSError:
            return lines
        busy, calm = [], []
        for at, used in self.seconds:
            found = p99.get(int(at))
            if found is None:
                continue
            (busy if used["celery"] >= 0.5 else calm).append(found)
        if busy and calm:
            lines.append(
                f"load p99 (locust's last 10 s) in seconds the Celery worker used >= half a "
                f"core: median {statistics.median(busy):.0f} ms over {len(busy)} s; otherwise "
                f"{statistics.median(calm):.0f} ms over {len(calm)} s"
            )
        return lines


def read_outcomes(path: str) -> dict[str, int]:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {"submitted": 0, "approved": 0}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    locust = locust_path(args)
    workdir, env = server_setup("hall-bench-mixed-", DB, REDIS_URL)
    env.update(CELERY_BROKER_URL=REDIS_URL, REDIS_URL=REDIS_URL)
    server = worker = None
    try:
        flush_redis()
        if args.reuse_db and DB.exists():
            log(f"reusing database {DB_NAME}")
        else:
            DB.recreate()
        manage(env, "migrate", "--noinput")
        extra = collectstatic(env)
        setup_django(env)
        people = load_people(args)
        before = baseline()
        people_file = os.path.join(workdir, "people.json")
        outcomes_file = os.path.join(workdir, "outcomes.json")
        Path(people_file).write_text(json.dumps(people))
        log(f"people: {len(people)}; before: {before}")
        from django.db import connections

        connections.close_all()

        server = Server(env, args, workdir, timeout=120)
        server.start()
        worker = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "hall", "worker", "--concurrency", "1", "-Q", "celery",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=open(os.path.join(workdir, "celery.log"), "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        prefix = os.path.join(workdir, "mixed")
        users = args.staff + args.approvers + args.pollers
        load_env = {
            **os.environ,
            "MIXED_PEOPLE": people_file,
            "MIXED_OUTCOMES": outcomes_file,
            "MIXED_SERVICE": SERVICE,
        }
        sampler = CpuSampler(server.pgid, worker.pid)
        sampler.start()
        started = time.monotonic()
        subprocess.run(
            [locust, "-f", str(LOCUSTFILE), "--headless", "--host",
             f"http://127.0.0.1:{server.port}", "-u", str(users), "-r", str(args.spawn_rate),
             "--run-time", f"{int(args.minutes * 60)}s", "--stop-timeout", "30", "--csv", prefix,
             "--csv-full-history", "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=load_env, check=False,
        )  # fmt: skip
        seconds = time.monotonic() - started
        sampler.stop()
        stats = read_stats(prefix)
        outcomes = read_outcomes(outcomes_file)
        server_log = server.log_lines()
        server.stop()
        server = None
        setup_django(env)
        problems = check_database(before, outcomes["submitted"], outcomes["approved"])

        print()
        print(command_line("mixed_load_bench.py", argv))
        print(
            f"people: {args.staff} staff, {args.approvers} approvers on phones, "
            f"{args.pollers} applicants polling; {seconds / 60:.1f} minutes; server: "
            f"{args.worker_class} x {args.workers} workers; a Celery worker; load: locust"
        )
        print_header(f"{'page':<34} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p99 ms':>8}")
        failures = 0
        for row in stats:
            failures += int(row["Failure Count"])
            print(
                f"{row['Name'][:34]:<34} {row['Request Count']:>9} {row['Failure Count']:>9} "
                f"{row['50%']:>8} {row['99%']:>8}"
            )
        print(
            f"applications accepted: {outcomes['submitted']}; approvals: {outcomes['approved']} "
            f"({outcomes['approved'] / seconds:.2f} per second)"
        )
        print("database check: " + ("OK" if not problems else "; ".join(problems)))
        for line in sampler.report(f"{prefix}_stats_history.csv"):
            print(line)
        for line in extra + server_log[-10:]:
            print(line)
        return 1 if failures or problems else 0
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        flush_redis()
        shutil.rmtree(workdir, ignore_errors=True)
        if args.drop_db:
            DB.drop()


if __name__ == "__main__":
    sys.exit(main())
