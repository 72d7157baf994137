"""Benchmark of the reminder tick and the analytics page over the 1M-request data set.

Needs the database that ``tests/bench/approvals_bench.py`` builds (hall_bench_approvals: 1M
requests, 5M tasks). It copies it to ``hall_bench_reminders`` (the tick writes), opens
``--open`` tasks of which ``--due`` are past due, then times:

- one reminder tick (it claims at most workflows.reminders.BATCH due tasks), and the ticks
  needed to send every due reminder, and a tick with nothing left to do;
- the analytics tables for a year, in process, and the analytics page through the test client.

    .venv/bin/python tests/bench/reminders_bench.py [--open 1000000 --due 10000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE, TARGET = "hall_bench_approvals", "hall_bench_reminders"


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-Atc",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="open (pending) tasks")
    parser.add_argument("--due", type=int, default=10_000, help="of which past due")
    parser.add_argument("--keep", action="store_true", help="reuse an existing copy")
    args = parser.parse_args()
    started = time.monotonic()
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{SOURCE}'") != "1":
        sys.exit(f"{SOURCE} is missing: run tests/bench/approvals_bench.py first")
    if not args.keep or psql(f"SELECT 1 FROM pg_database WHERE datname = '{TARGET}'") != "1":
        print(f"copying {SOURCE} to {TARGET} …", flush=True)
        psql(f"DROP DATABASE IF EXISTS {TARGET}")
        psql(f"CREATE DATABASE {TARGET} TEMPLATE {SOURCE}")
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{TARGET}",
        DJANGO_SETTINGS_MODULE="hall.settings",
        EMAIL_HOST="",
        REDIS_URL="",  # messages are written to the outbox; sending is not what is measured
    )
    sys.path.insert(0, str(ROOT))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hall.models import User
    from workflows import analytics
    from workflows.models import ApprovalTask
    from workflows.reminders import BATCH, reminders_tick

    total_tasks = ApprovalTask.objects.count()
    print(f"tasks in the data set: {total_tasks:,}", flush=True)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE workflows_reminderlog, hall_delivery, hall_notification CASCADE")
        # --open tasks become pending (a month ahead), --due of them past due; their requests run.
        cur.execute(
            """
            WITH chosen AS (SELECT id, row_number() OVER (ORDER BY id) AS n
                            FROM workflows_approvaltask ORDER BY id LIMIT %s)
            UPDATE workflows_approvaltask t SET status = 'pending', decided_at = NULL,
                   urgent = false, assignee_id = COALESCE(t.assignee_id, t.decided_by_id),
                   due_at = CASE WHEN c.n <= %s THEN now() - interval '2 hours'
                                 ELSE now() + interval '30 days' END
            FROM chosen c WHERE t.id = c.id
            """,
            [args.open, args.due],
        )
        cur.execute(
            "UPDATE workflows_approvaltask SET status = 'approved' WHERE status = 'pending'"
            " AND due_at IS NULL"
        )
        cur.execute(
            "UPDATE workflows_servicerequest r SET status = 'in_progress' "
            "WHERE EXISTS (SELECT 1 FROM workflows_approvaltask t WHERE t.request_id = r.id "
            "AND t.status = 'pending' AND t.due_at < now())"
        )
        cur.execute("ANALYZE workflows_approvaltask; ANALYZE workflows_servicerequest")
        cur.execute(
            "SELECT count(*) FILTER (WHERE due_at < now()), count(*) "
            "FROM workflows_approvaltask WHERE status = 'pending'"
        )
        due, open_ = cur.fetchone()
    print(
        f"prepared {open_:,} open tasks, {due:,} past due, in {time.monotonic() - t0:.1f}s",
        flush=True,
    )

    ticks = []
    while True:
        t = time.monotonic()
        sent = reminders_tick()
        ticks.append((time.monotonic() - t, sum(sent.values()), sent))
        if not sum(sent.values()):
            break
    work = [t for t in ticks if t[1]]
    sent_total = sum(t[1] for t in work)

    since = timezone.localdate().replace(year=timezone.localdate().year - 1)
    today = timezone.localdate()
    table_times = []
    for _ in range(3):
        t = time.monotonic()
        rows = analytics.service_table(since, today)
        steps = analytics.step_table(since, today)
        table_times.append(time.monotonic() - t)
    admin = User.objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(admin)
    page_times = []
    for _ in range(3):
        t = time.monotonic()
        response = client.get("/analytics/", HTTP_HOST="127.0.0.1")
        page_times.append(time.monotonic() - t)
        assert response.status_code == 200, response.status_code

    print()
    print("=" * 78)
    print("Reminders and analytics benchmark (tests/bench/reminders_bench.py)")
    print(
        f"machine: nproc={os.cpu_count()}; data: {total_tasks:,} tasks, {open_:,} open, "
        f"{due:,} past due; tick batch {BATCH}"
    )
    print(
        f"first tick (claims ≤{BATCH} due tasks):  {work[0][0] * 1000:8.0f} ms  sent {work[0][1]}"
        f" {work[0][2]}"
    )
    print(
        f"ticks to send every due reminder:       {len(work):8d}  ({sent_total:,} reminders, "
        f"{sum(t[0] for t in work):.1f} s in all, "
        f"{sent_total / max(sum(t[0] for t in work), 1e-9):.0f} reminders/s)"
    )
    print(f"tick with nothing due left:            {ticks[-1][0] * 1000:8.0f} ms")
    print(
        f"analytics tables, one year:            {statistics.median(table_times) * 1000:8.0f} ms"
        f"  ({len(rows)} services, {len(steps)} steps; median of 3)"
    )
    print(
        f"analytics page, one year:              {statistics.median(page_times) * 1000:8.0f} ms"
        "  (median of 3, test client, in process)"
    )
    print(f"total wall time: {time.monotonic() - started:.0f} s")
    print("=" * 78)


if __name__ == "__main__":
    main()
