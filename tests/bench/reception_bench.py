"""Benchmark of the Service Center's hot pages: the availability grid, my bookings, the case
lists and the public look-up.

Builds its own database (``BENCH_DB``, default ``hall_bench_reception``): the demo catalogue and
people, --resources resources (rooms, halls, cars, equipment) with --bookings bookings (one a
day per resource, none overlapping, a tenth cancelled; one busy booker holds 1 in 100) and
--cases cases over a year (20 categories, 20 units), all generated in SQL. Then it measures in
process (Django's test client; the bench settings' floor page ``/bench/floor/``, a 20 KB page
with one primary-key query, in the same process and run) and prints each page as a ratio to it:

- the availability grid of a kind for a day and for a week (20 resources a page);
- my bookings for the busy booker;
- the office's case list, a unit's case list, the public look-up;
- the hot-spot page over a year, from its cache (as people see it within its 10 minutes) and
  computed afresh (the cache emptied before each run);
- Open311 ``GET requests`` (JSON and XML, the default 90-day window, and one service code).

Booking throughput with concurrent clients is ``tests/bench/bookings_bench.py``.

    .venv/bin/python tests/bench/reception_bench.py [--resources 10000 --bookings 1000000
        --cases 1000000 --runs 20] [--keep]   # --keep: measure an already built database
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("BENCH_DB", "hall_bench_reception")

RESOURCES = """
INSERT INTO reception_resource
  (code, name_zh, name_en, kind, location, capacity, features, opens_at, closes_at,
   setup_minutes, cleanup_minutes, needs_approval, feed_token, is_active, "order")
SELECT 'bench-' || g, '资源' || g, 'Resource ' || g,
       (ARRAY['room','hall','car','equipment'])[1 + g %% 4], '楼' || (g %% 50), 20, '',
       '08:00', '22:00', 0, 0, false, md5('r' || g)::uuid, true, g
FROM generate_series(1, %(n)s) g
"""

# Booking g: resource 1 + g mod R, on day (g div R) around today, one hour at 08:00 + (g mod 12)
# hours; one a day per resource, so the exclusion constraint never refuses one.
BOOKINGS = """
INSERT INTO reception_booking
  (resource_id, booker_id, title, attendees, starts_at, ends_at, blocked_from, blocked_until,
   status, note, created_at, updated_at)
SELECT r.ids[1 + g %% %(r)s], CASE WHEN g %% 100 = 0 THEN %(busy)s
                                  ELSE (%(users)s::bigint[])[1 + g %% %(nu)s] END,
       '会议' || g, 10, t.s, t.s + interval '1 hour', t.s, t.s + interval '1 hour',
       CASE WHEN g %% 10 = 3 THEN 'cancelled' ELSE 'confirmed' END, '', now(), now()
FROM generate_series(0, %(n)s - 1) g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM reception_resource
      WHERE code LIKE 'bench-%%') r,
     LATERAL (SELECT date_trunc('day', now()) - interval '%(back)s days'
                     + (g / %(r)s) * interval '1 day' + interval '8 hours'
                     + (g %% 12) * interval '1 hour' AS s) t
"""


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
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="measure the built database again")
    args = parser.parse_args()
    if not args.keep:
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
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    import hall.notifications
    from hall.demo import seed_demo
    from hall.models import Department, Role, User
    from tests.bench.cases_bench import FILL

    settings.ALLOWED_HOSTS = ["*"]
    hall.notifications.enqueue = lambda keys: None
    if not args.keep:
        seed_demo()
        busy = User.objects.create_user("bench-busy", password="x", full_name="忙碌的预订人")
        users = list(User.objects.exclude(pk=busy.pk).values_list("pk", flat=True)[:500])
        back = args.bookings // args.resources // 2  # half the days behind today
        with connection.cursor() as cur:
            started = time.monotonic()
            cur.execute(RESOURCES, {"n": args.resources})
            cur.execute(
                BOOKINGS,
                {
                    "r": args.resources,
                    "n": args.bookings,
                    "busy": busy.pk,
                    "users": users,
                    "nu": len(users),
                    "back": back,
                },
            )
            print(f"built {args.bookings} bookings: {time.monotonic() - started:.0f}s")
            started = time.monotonic()
            cats = []
            from reception.models import CaseCategory

            for i in range(20):
                cat = CaseCategory.objects.create(code=f"c{i}", name_zh=f"类别{i}")
                cats.append(cat.pk)
            units = [
                Department.objects.create(code=f"u{i}", name_zh=f"单位{i}").pk for i in range(20)
            ]
            cur.execute(FILL.format(cats=cats, units=units, n=args.cases))
            cur.execute("ANALYZE")
            print(f"built {args.cases} cases: {time.monotonic() - started:.0f}s")
        office_dept = Department.objects.create(code="bench-office", name_zh="工单办")
        office = User.objects.create_user("bench-office", password="x", department=office_dept)
        Role.objects.create(department=office_dept, code="case-office", name_zh="工单办")
        Role.objects.get(code="case-office", department=office_dept).holders.add(office)
        User.objects.create_user(
            "bench-unit", password="x", department=Department.objects.get(code="u7")
        )

    busy = User.objects.get(username="bench-busy")
    office = User.objects.get(username="bench-office")
    unit = User.objects.get(username="bench-unit")

    def timed(client: Client, url: str) -> float:
        client.get(url)
        samples = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples)

    def timed_cold(client: Client, url: str) -> float:
        from django.core.cache import cache

        samples = []
        for _ in range(max(3, args.runs // 4)):
            cache.clear()
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples)

    as_busy, as_office, as_unit, public = Client(), Client(), Client(), Client()
    as_busy.force_login(busy)
    as_office.force_login(office)
    as_unit.force_login(unit)
    today = timezone.localdate().isoformat()
    code = "c0"  # one of the generated categories
    floor = timed(as_office, "/bench/floor/")
    print(f"floor page (20 KB, one pk query, in process): {floor * 1000:.2f} ms")
    print(f"{'page':52} {'ms':>8} {'× floor':>8}")
    pages = [
        ("grid, rooms, a day (20 of 2,500 rooms)", as_busy, f"/reception/resources/?day={today}"),
        (
            "grid, rooms, a week",
            as_busy,
            f"/reception/resources/?view=week&day={today}",
        ),
        (
            "grid, cars, a week, page 60",
            as_busy,
            f"/reception/resources/?kind=car&view=week&day={today}&page=60",
        ),
        ("my bookings, busy booker (1 in 100)", as_busy, "/reception/bookings/"),
        ("my bookings, busy booker, page 100", as_busy, "/reception/bookings/?page=100"),
        ("cases, the office (all)", as_office, "/reception/cases/"),
        ("cases, the office, status signed", as_office, "/reception/cases/?status=signed"),
        ("cases, a unit (lead or co-unit)", as_unit, "/reception/cases/"),
        ("public look-up", public, "/reception/lookup/?number=B500000&code=000000"),
        ("Open311 GET requests.json (90 days)", public, "/open311/v2/requests.json"),
        ("Open311 GET requests.xml (90 days)", public, "/open311/v2/requests.xml"),
        (
            "Open311 GET requests.json, one service",
            public,
            f"/open311/v2/requests.json?service_code={code}",
        ),
    ]
    for label, client, url in pages:
        t = timed(client, url)
        print(f"{label:52} {t * 1000:8.2f} {t / floor:8.1f}")
    year = f"/reception/hotspots/?from={timezone.localdate() - timedelta(days=365)}&to={today}"
    t = timed(as_office, year)
    print(f"{'hot spots, a year, from its cache':52} {t * 1000:8.2f} {t / floor:8.1f}")
    t = timed_cold(as_office, year)
    print(f"{'hot spots, a year, computed afresh':52} {t * 1000:8.2f} {t / floor:8.1f}")


if __name__ == "__main__":
    main()
