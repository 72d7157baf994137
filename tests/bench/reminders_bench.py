"""Benchmark of the reminder tick and the analytics page over the 1M-request data set.

Builds its own database ``hall_bench_reminders`` (the demo catalogue, then --requests requests
over a year, --open of them running with one open task each, --due of those past due; generated
in SQL), then times:

- one reminder tick (it claims at most workflows.reminders.BATCH due tasks), and the ticks
  needed to send every due reminder, and a tick with nothing left to do;
- the analytics tables for a year, in process, and the analytics page through the test client.

    .venv/bin/python tests/bench/reminders_bench.py [--requests 1000000 --open 1000000 --due 10000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = "hall_bench_reminders"


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
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests in all")
    parser.add_argument("--open", type=int, default=1_000_000, help="open (pending) tasks")
    parser.add_argument("--due", type=int, default=10_000, help="of which past due")
    args = parser.parse_args()
    started = time.monotonic()
    psql(f"DROP DATABASE IF EXISTS {TARGET}")
    psql(f"CREATE DATABASE {TARGET}")
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

    import hall.notifications
    from hall.demo import seed_demo
    from hall.models import User
    from workflows import analytics
    from workflows.models import ApprovalTask
    from workflows.reminders import BATCH, reminders_tick

    # The tick's own work is claiming, logging and writing messages into the outbox; sending
    # them is the workers' (measured by the message tests), so nothing is enqueued here.
    hall.notifications.enqueue = lambda keys: None
    seed_demo()
    t0 = time.monotonic()
    # A year of requests (mostly finished, the rest running) and one open task per running
    # request: --open of them, --due past due. Generated in SQL: minutes would be hours in ORM.
    chain = (
        '[{"name_zh": "审批", "name_en": "Approval", "rule": "applicant_head", "approver_id": null,'
        ' "department_id": null, "role_code": "", "field_key": "", "mode": "single",'
        ' "quorum": null,'
        ' "condition_field": "", "condition_operator": "", "condition_value": "",'
        ' "time_limit_days": 2, "state": "active", "approvers": []}]'
    )
    every_nth = max(args.open // max(args.due, 1), 1)
    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(id) FROM hall_service")
        services = cur.fetchone()[0]
        cur.execute("SELECT array_agg(id) FROM hall_user")
        users = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO workflows_servicerequest
              (number, service_id, applicant_id, status, urgent, urgent_reason, form_data,
               service_fields, chain, current_step, submit_token, created_at, updated_at,
               submitted_at, finished_at, promised_at, outcome_comment, pdf, pdf_sha256)
            SELECT 'B' || lpad(g::text, 9, '0'),
                   (%(services)s::bigint[])[1 + g %% array_length(%(services)s::bigint[], 1)],
                   (%(users)s::bigint[])[1 + g %% array_length(%(users)s::bigint[], 1)],
                   CASE WHEN g <= %(open)s THEN 'in_progress' ELSE 'approved' END,
                   false, '', '{}', '[]', %(chain)s::jsonb, CASE WHEN g <= %(open)s THEN 0 END,
                   NULL, now() - (g %% 365) * interval '1 day', now(),
                   now() - (g %% 365) * interval '1 day' - interval '3 hours',
                   CASE WHEN g > %(open)s THEN now() - (g %% 365) * interval '1 day' END,
                   now() - (g %% 365) * interval '1 day' + interval '5 days', '',
                   CASE WHEN g > %(open)s THEN 'approved/bench.pdf' ELSE '' END, ''
            FROM generate_series(1, %(n)s) AS g
            """,
            {
                "services": services,
                "users": users,
                "open": args.open,
                "n": args.requests,
                "chain": chain,
            },
        )
        cur.execute(
            f"""
            INSERT INTO workflows_approvaltask
              (request_id, step_index, assignee_id, status, urgent, created_at, due_at,
               remind_at, decided_at, comment)
            SELECT r.id, 0, r.applicant_id,
                   CASE WHEN r.status = 'in_progress' THEN 'pending' ELSE 'approved' END,
                   false, r.submitted_at,
                   CASE WHEN r.status = 'in_progress' AND r.id % {every_nth} = 0
                        THEN now() - interval '2 hours' ELSE now() + interval '30 days' END,
                   CASE WHEN r.status <> 'in_progress' THEN NULL
                        WHEN r.id % {every_nth} = 0 THEN now() - interval '26 hours'
                        ELSE now() + interval '29 days' END,
                   CASE WHEN r.status = 'approved' THEN r.finished_at END, ''
            FROM workflows_servicerequest r WHERE r.number LIKE 'B%'
            """
        )
        cur.execute("ANALYZE")
        cur.execute(
            "SELECT count(*) FILTER (WHERE due_at < now()), count(*) "
            "FROM workflows_approvaltask WHERE status = 'pending'"
        )
        due, open_ = cur.fetchone()
    total_tasks = ApprovalTask.objects.count()
    print(
        f"generated {args.requests:,} requests, {open_:,} open tasks, {due:,} past due, "
        f"in {time.monotonic() - t0:.1f}s",
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
