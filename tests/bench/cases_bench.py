#!/usr/bin/env python
"""The people's voices at 1M cases, on Postgres (a script, not a timed test).

    createdb -h 127.0.0.1 -U postgres hall_cases_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hall_cases_bench
    .venv/bin/python manage.py migrate -v0
    PYTHONPATH=. N=1000000 .venv/bin/python tests/bench/cases_bench.py

Fills ``N`` cases over the last year with one INSERT … SELECT generate_series (20 categories,
20 units, one in 1000 due for the tick), then times the hot spots of a year and of 30 days,
the likely duplicates of the newest case, and two reminder ticks (each claims at most 500).
"""

import os
import time

import django

FILL = """
INSERT INTO reception_case (
  number, verification_code, channel, kind, category_id, title, content, place, contact_name,
  contact_phone, contact_email, anonymous, consent_to_publish, status, not_accepted_reason,
  lead_unit_id, reply, public_reply, due_at, satisfaction, reopened, created_at, updated_at,
  remind_at, closed_at, message_id)
SELECT
  'B' || g, '000000', (ARRAY['phone','mailbox','online','petition'])[1 + g % 4], 'complaint',
  (ARRAY{cats})[1 + g % 20], '标题' || (g % 5000), '内容' || g, '地点' || (g % 50), '某人',
  '139' || lpad((g % 100000)::text, 8, '0'), '', false, false,
  (ARRAY['signed','closed','done','dispatched'])[1 + g % 4], '',
  (ARRAY{units})[1 + g % 20], '', '',
  now() - (g % 365) * interval '1 day' + interval '10 day',
  (CASE WHEN g % 4 = 2 THEN 'satisfied' ELSE '' END),
  (CASE WHEN g % 17 = 0 THEN 1 ELSE 0 END),
  now() - (g % 365) * interval '1 day', now(),
  (CASE WHEN g % 1000 = 0 THEN now() - interval '1 hour' ELSE NULL END),
  (CASE WHEN g % 4 IN (1, 2)
        THEN now() - (g % 365) * interval '1 day' + interval '5 day' ELSE NULL END),
  ''
FROM generate_series(1, {n}) g
"""


def ms(start: float) -> str:
    return f"{1000 * (time.perf_counter() - start):.0f} ms"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from hall.models import Department
    from reception.case_clock import cases_tick
    from reception.case_merging import likely_duplicates
    from reception.hotspots import hotspots
    from reception.models import Case, CaseCategory

    n = int(os.environ.get("N", "1000000"))
    if Case.objects.count() < n:
        cats = [
            CaseCategory.objects.get_or_create(code=f"c{i}", defaults={"name_zh": f"类别{i}"})[0].pk
            for i in range(20)
        ]
        units = [
            Department.objects.get_or_create(code=f"u{i}", defaults={"name_zh": f"单位{i}"})[0].pk
            for i in range(20)
        ]
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FILL.format(cats=cats, units=units, n=n))
            cursor.execute("ANALYZE reception_case")
        print(f"inserted {n} cases: {ms(started)}")
    today = timezone.localdate()
    for _round in range(3):
        started = time.perf_counter()
        spots = hotspots(start=today - timedelta(days=364), end=today, period="week")
        print(f"hot spots of a year by week: {ms(started)} ({spots.total} cases)")
    started = time.perf_counter()
    spots = hotspots(start=today - timedelta(days=29), end=today, period="month")
    print(f"hot spots of 30 days: {ms(started)} ({spots.total} cases)")
    case = Case.objects.order_by("-created_at").first()
    started = time.perf_counter()
    found = likely_duplicates(case)
    print(f"likely duplicates of the newest case: {ms(started)} ({len(found)} found)")
    for _round in range(2):
        started = time.perf_counter()
        sent = cases_tick()
        print(f"cases tick: {ms(started)} {sent}")


if __name__ == "__main__":
    main()
