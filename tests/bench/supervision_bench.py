"""Benchmark of the supervision board, the public notice and the supervision tick.

Builds its own database ``hall_bench_supervision`` (the demo catalogue, 500 units and --items
supervision items spread over them, generated in SQL), then measures in process (Django's test
client, the bench settings' bare 20 KB page as the floor, same process, same run):

- the board as the office sees it (all items), as a unit head, and filtered by light; the
  month's public notice; each as a ratio to the floor page;
- the supervision tick with nothing due, and with --due items past their deadline (overdue
  notice, public notice and escalation for each): reminders per second.

    .venv/bin/python tests/bench/supervision_bench.py [--items 100000 --due 10000 --runs 30]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("BENCH_DB", "hall_bench_supervision")


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(
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
            "-qc",
            sql,
        ],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-tick", action="store_true", help="measure the pages only")
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {TARGET}")
    psql(f"CREATE DATABASE {TARGET}")
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{TARGET}",
        DJANGO_SETTINGS_MODULE="tests.bench.bench_settings",
        EMAIL_HOST="",
        REDIS_URL="",
    )
    sys.path.insert(0, str(ROOT))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    import hall.notifications
    from hall.demo import seed_demo
    from hall.models import User
    from performance.services import supervision_tick

    settings.ALLOWED_HOSTS = ["*"]
    hall.notifications.enqueue = lambda keys: None
    seed_demo()
    apps.get_app_config("performance").seed_demo()
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO hall_department (code, name_zh, name_en, kind, "order")
               SELECT 'bench-unit-' || g, '二级单位' || g, 'Unit ' || g, 'unit', 100 + g
               FROM generate_series(1, 500) g"""
        )
        cur.execute("SELECT array_agg(id) FROM hall_department WHERE code LIKE 'bench-unit-%%'")
        units = cur.fetchone()[0]
        cur.execute("SELECT id FROM hall_user WHERE username = 'president-office-head'")
        leader = cur.fetchone()[0]
        # Open items with their next moment a month away; --due of them past their deadline.
        cur.execute(
            """INSERT INTO performance_item
               (title, source_kind, source_ref, source_title, source_url, requirement, criteria,
                leader_id, lead_unit_id, days, assigned_at, deadline, status, remind_at,
                escalated_at, closed_at, created_by_id, created_at, updated_at)
               SELECT '督办事项' || g, 'assigned', '', '', '', '', '按期完成', %(leader)s,
                      (%(units)s::bigint[])[1 + g %% 500], 10, now() - interval '20 days',
                      CASE WHEN g <= %(due)s THEN now() - interval '6 days'
                           ELSE now() + (g %% 60) * interval '1 day' + interval '10 days' END,
                      CASE WHEN g %% 10 = 0 THEN 'closed' ELSE 'in_progress' END,
                      CASE WHEN g %% 10 = 0 THEN NULL
                           WHEN g <= %(due)s THEN now() + interval '30 days'
                           ELSE now() + interval '30 days' END,
                      NULL, NULL, NULL, now(), now()
               FROM generate_series(1, %(n)s) g""",
            {"leader": leader, "units": units, "due": args.due, "n": args.items},
        )
        cur.execute("ANALYZE")
    print(f"built {args.items} items over 500 units in {time.monotonic() - started:.1f}s")

    office = User.objects.get(username="president-office-reviewer1")
    head = User.objects.create_user("bench-head", password="x", full_name="单位负责人")
    from hall.models import Department

    Department.objects.get(code="bench-unit-7").heads.add(head)

    from performance import board_cache

    def timed(client: Client, url: str, cold: bool = False) -> float:
        """The median request; ``cold``: each right after an item write (the counts' version
        bumped, so the board counts again), which is what the first viewer after a write pays."""
        client.get(url)
        samples = []
        for _ in range(args.runs):
            if cold:
                board_cache.bump()
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples)

    as_office, as_head = Client(), Client()
    as_office.force_login(office)
    as_head.force_login(head)
    floor = timed(as_office, "/bench/bare/20000/")
    print(f"floor page (20 KB, in process): {floor * 1000:.2f} ms")
    print(f"{'page':48} {'ms':>8} {'× floor':>8}")
    unit = Department.objects.get(code="bench-unit-7").pk
    for label, client, url in [
        ("board, office (100k items)", as_office, "/performance/supervision/"),
        ("board, office, red light", as_office, "/performance/supervision/?light=red"),
        (
            "board, office, one unit",
            as_office,
            f"/performance/supervision/?unit={unit}",
        ),
        ("board, a unit head", as_head, "/performance/supervision/"),
        ("public notice of the month, office", as_office, "/performance/supervision/notice/"),
    ]:
        t = timed(client, url)
        print(f"{label:48} {t * 1000:8.2f} {t / floor:8.1f}")
        if "board" in label:
            t = timed(client, url, cold=True)
            print(f"{'  … right after an item write':48} {t * 1000:8.2f} {t / floor:8.1f}")
    if args.no_tick:
        return

    # The tick: first with nothing due, then with the due items' moments brought to now.
    t0 = time.perf_counter()
    sent = supervision_tick()
    idle = time.perf_counter() - t0
    print(
        f"tick with nothing due over {args.items} items: {idle * 1000:.1f} ms"
        f" (sent {sum(sent.values())})"
    )
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE performance_item SET remind_at = now() - interval '1 minute'"
            " WHERE deadline < now() AND status = 'in_progress'"
        )
        due = cur.rowcount
    t0 = time.perf_counter()
    total, ticks = 0, 0
    while True:
        sent = supervision_tick()
        ticks += 1
        n = sent["overdue"] + sent["escalation"]
        total += n
        if not sum(sent.values()):
            break
    spent = time.perf_counter() - t0
    print(
        f"{due} items due: {ticks} ticks, {total} reminders (overdue + escalation) and "
        f"the notices in {spent:.1f}s: {total / spent:.0f} reminders/s"
    )


if __name__ == "__main__":
    main()
