"""Benchmark of the plans' dashboards and the evaluation over 500 units × 40 indicators × 12
check-ins (three years of quarterly check-ins: 60,000 plan lines, 240,000 check-ins; this year's
20,000 lines and 80,000 check-ins are what the dashboards of the year read).

Builds its own database (``BENCH_DB``, default ``hall_bench_plans``: the demo, then the units,
indicators, approved plans and check-ins generated in SQL), then measures in process (Django's
test client, the bench settings' floor page — 20 KB and one primary-key query — in the same
process and run) as ratios to the floor:

- the institution dashboard (office; all units, and one kind), warm (cached) and cold (right
  after a write bumped the version: what the first reader after a check-in pays);
- a unit's dashboard (its head), warm and cold;
- opening a year's evaluation of the 500 units (self-scores from 20,000 lines), the results page;
- the check-in tick inside a reminder window with nothing missing.

    BENCH_DB=hall_h8_bench .venv/bin/python tests/bench/plans_bench.py [--runs 30] [--monthly]

``--monthly``: this year's plans are checked in monthly (12 check-ins a line this year, 240,000
for the dashboards to read; the institution's quarters rolled up from each line's latest month).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("BENCH_DB", "hall_bench_plans")
UNITS, INDICATORS = 500, 40


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


def build(cur, year: int, author: int, monthly: bool = False) -> None:
    cur.execute(
        """INSERT INTO hall_department (code, name_zh, name_en, kind, "order")
           SELECT 'bench-unit-' || g, '二级单位' || g, 'Unit ' || g, 'unit', 100 + g
           FROM generate_series(1, %(units)s) g""",
        {"units": UNITS},
    )
    cur.execute(
        """INSERT INTO performance_indicator (name, definition, measure, direction, baseline,
               target, milestones, data_source, evidence_required, rule)
           SELECT '基准指标' || g, '', '项', 'higher', 0, 100, '25,50,75', '', false,
                  (ARRAY['linear', 'threshold', 'milestones', 'grade_map'])[1 + g %% 4]
           FROM generate_series(1, %(n)s) g""",
        {"n": INDICATORS},
    )
    cur.execute(
        """INSERT INTO performance_plan (unit_id, year, template_id, status, version, period)
           SELECT d.id, y, NULL, 'approved', 1,
                  CASE WHEN %(monthly)s AND y = %(year)s THEN 'monthly' ELSE 'quarterly' END
           FROM hall_department d, generate_series(%(first)s, %(year)s) y
           WHERE d.code LIKE 'bench-unit-%%'""",
        {"first": year - 2, "year": year, "monthly": monthly},
    )
    # 20 indicators weigh 3 and 20 weigh 2: every plan totals 100.
    cur.execute(
        """INSERT INTO performance_planline (plan_id, indicator_id, key_task_id, kind, weight,
               baseline, target, progress, light)
           SELECT p.id, i.id, NULL, 'core', CASE WHEN i.n <= 20 THEN 3 ELSE 2 END, 0, 100,
                  NULL, ''
           FROM performance_plan p
           JOIN hall_department d ON d.id = p.unit_id AND d.code LIKE 'bench-unit-%%'
           CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n
                       FROM performance_indicator WHERE name LIKE '基准指标%%') i"""
    )
    # Progress spread so that every light occurs; the light as checkin_record computes it.
    # A quarterly plan's four check-ins (period n of 4), a monthly one's twelve (n of 12).
    cur.execute(
        """INSERT INTO performance_checkin (line_id, quarter, value, narrative, evidence,
               progress, light, author_id, at)
           SELECT l.id, q.q, v.v, '按计划推进', '', v.v,
                  CASE WHEN 100 * q.q / s.n - v.v <= 10 THEN 'green'
                       WHEN 100 * q.q / s.n - v.v <= 25 THEN 'yellow' ELSE 'red' END,
                  %(author)s,
                  make_timestamptz(p.year, 12 * q.q / s.n, 28, 10, 0, 0, 'Asia/Shanghai')
           FROM performance_planline l
           JOIN performance_plan p ON p.id = l.plan_id
           JOIN hall_department d ON d.id = p.unit_id AND d.code LIKE 'bench-unit-%%'
           CROSS JOIN LATERAL (SELECT CASE WHEN p.period = 'monthly' THEN 12 ELSE 4 END AS n) s
           CROSS JOIN LATERAL generate_series(1, s.n) AS q(q)
           CROSS JOIN LATERAL (SELECT LEAST(100, GREATEST(0,
                  100 * q.q / s.n - ((l.id * 7 + q.q * 13) %% 40))) :: numeric AS v) v""",
        {"author": author},
    )
    cur.execute(
        """UPDATE performance_planline l SET progress = c.progress, light = c.light
           FROM performance_checkin c, performance_plan p
           WHERE c.line_id = l.id AND p.id = l.plan_id
             AND c.quarter = CASE WHEN p.period = 'monthly' THEN 12 ELSE 4 END"""
    )
    cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--monthly",
        action="store_true",
        help="this year's plans are checked in monthly: 12 check-ins a line this year",
    )
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {TARGET} WITH (FORCE)")
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
    from django.utils import timezone

    import hall.notifications
    from hall.demo import seed_demo
    from hall.models import Department, User
    from performance import board_cache, dashboards, plans
    from performance import evaluation as ev
    from performance.models import Plan

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.cache import cache

    # The bench runs without Redis: LocMemCache's default of 300 entries would cull what the
    # hall keeps in Redis.
    cache._max_entries = 1_000_000
    hall.notifications.enqueue = lambda keys: None
    seed_demo()
    apps.get_app_config("performance").seed_demo()
    office = User.objects.get(username="president-office-reviewer1")
    year = timezone.localdate().year
    started = time.monotonic()
    with connection.cursor() as cur:
        build(cur, year, office.pk, monthly=args.monthly)
    n_plans = Plan.objects.filter(unit__code__startswith="bench-unit-").count()
    print(
        f"built {UNITS} units × {INDICATORS} indicators × 12 check-ins ({n_plans} plans over 3 "
        f"years; this year's {'monthly' if args.monthly else 'quarterly'}) in "
        f"{time.monotonic() - started:.1f}s"
    )
    head = User.objects.create_user("bench-head", password="x", full_name="单位负责人")
    unit = Department.objects.get(code="bench-unit-7")
    unit.heads.add(head)
    plan = Plan.objects.get(unit=unit, year=year)

    def timed(client: Client, url: str, bump=None) -> float:
        """The median request; ``bump``: called before each (a write's invalidation), so the
        request is what the first reader after that write pays."""
        client.get(url)
        samples = []
        for _ in range(args.runs):
            if bump:
                bump()
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples)

    def cleared() -> None:
        """Every plan's kept figures gone (as after the migration that added them): the
        reader counts them all, which every reader after a write paid before they were kept."""
        Plan.objects.update(figures=None)
        board_cache.bump(plans.VERSION_KEY)

    # What a write pays after its commit: its plans' figures counted again and kept.
    for name, write in [
        ("one unit's check-in", lambda: plans.changed(plan.pk)),
        ("a write to every plan (3 years)", plans.changed),
    ]:
        t0 = time.perf_counter()
        write()  # outside a transaction the after-commit count runs at once
        print(f"a writer's recount after {name}: {(time.perf_counter() - t0) * 1000:.1f} ms")

    as_office, as_head = Client(), Client()
    as_office.force_login(office)
    as_head.force_login(head)
    floor = timed(as_office, "/bench/floor/")
    print(f"floor page (20 KB + one primary-key query, in process): {floor * 1000:.2f} ms")
    print(f"{'page':52} {'ms':>8} {'× floor':>8}")
    for label, client, url in [
        ("institution dashboard, office (515 units)", as_office, "/performance/plans/dashboard/"),
        (
            "institution dashboard, office, kind = unit",
            as_office,
            "/performance/plans/dashboard/?kind=unit",
        ),
        (
            "a unit's dashboard, its head (40 indicators)",
            as_head,
            f"/performance/plans/{plan.pk}/dashboard/",
        ),
    ]:
        for name, bump in [
            (label, None),
            ("  … right after one unit's check-in", lambda: plans.changed(plan.pk)),
            ("  … after a write to every plan (all counted)", plans.changed),
            ("  … every plan's kept figures cleared (reader counts)", cleared),
        ]:
            t = timed(client, url, bump)
            print(f"{name:52} {t * 1000:8.2f} {t / floor:8.1f}")

    t0 = time.perf_counter()
    evaluation = ev.evaluation_open(user=office, year=year, period="annual", quota=30)
    spent = time.perf_counter() - t0
    print(f"opening the annual evaluation of {evaluation.entries.count()} units: {spent:.2f}s")
    url = evaluation.get_absolute_url()
    t = timed(as_office, url)
    print(f"{'evaluation results page, office (50 of 500+)':52} {t * 1000:8.2f} {t / floor:8.1f}")
    tz = timezone.get_current_timezone()
    from datetime import datetime, timedelta
    from datetime import time as clock

    inside = datetime.combine(dashboards.checkin_due(year, 4) - timedelta(days=2), clock(9), tz)
    t0 = time.perf_counter()
    sent = dashboards.checkin_tick(now=inside)
    print(
        f"check-in tick in a reminder window over {n_plans} plans, first pass: "
        f"{(time.perf_counter() - t0) * 1000:.1f} ms (sent {sum(sent.values())})"
    )
    t0 = time.perf_counter()
    sent = dashboards.checkin_tick(now=inside + timedelta(minutes=1))
    print(
        f"  … the next minute, nothing written since: {(time.perf_counter() - t0) * 1000:.1f} ms"
        f" (sent {sum(sent.values())})"
    )
    plans.changed()
    t0 = time.perf_counter()
    sent = dashboards.checkin_tick(now=inside + timedelta(minutes=2))
    print(
        f"  … after a check-in (reads again): {(time.perf_counter() - t0) * 1000:.1f} ms"
        f" (sent {sum(sent.values())})"
    )


if __name__ == "__main__":
    main()
