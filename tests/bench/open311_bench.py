#!/usr/bin/env python
"""A quick in-process measure of Open311 GET requests over many cases (not the framework of
common.py, no gunicorn: Django's test client in one process, so the figures are render + SQL).

    createdb -h 127.0.0.1 -U postgres hall_bench_open311
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hall_bench_open311
    .venv/bin/python manage.py migrate
    N=200000 PYTHONPATH=. .venv/bin/python tests/bench/open311_bench.py

Makes N cases (half online) over two years in 20 categories, then times requests.json with the
default 90-day window (1000 rows at most), one code, open + one code, 10 ids, the XML twin, and
discovery.json (a page with no query) as the floor of the same process.
"""

import os
import random
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
django.setup()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from reception.models import Case, CaseCategory  # noqa: E402

city, _ = CaseCategory.objects.get_or_create(code="city", defaults={"name_zh": "城市"})
cats = [
    CaseCategory.objects.get_or_create(
        code=f"c{i}", defaults={"parent": city, "name_zh": f"类{i}"}
    )[0]
    for i in range(20)
]
N = int(os.environ.get("N", "200000"))
have = Case.objects.count()
now = timezone.now()
batch = []
for i in range(have, N):
    batch.append(
        Case(
            number=f"GD{i:011d}",
            verification_code="x",
            channel=random.choice(["online", "phone"]),
            kind="complaint",
            category=random.choice(cats),
            title="t",
            content="c",
            place="p",
            anonymous=True,
            status=random.choice(["received", "closed", "handling"]),
        )
    )
    if len(batch) == 10000:
        Case.objects.bulk_create(batch)
        batch = []
if batch:
    Case.objects.bulk_create(batch)
# spread created_at over 2 years
if have < N:
    with connection.cursor() as c:
        c.execute("update reception_case set created_at = now() - (random() * interval '730 days')")
        c.execute("analyze reception_case")
print("cases", Case.objects.count(), "online", Case.objects.filter(channel="online").count())
cl = Client()


def t(path, n=20, **q):
    cl.get(path, q)
    s = time.perf_counter()
    for _ in range(n):
        r = cl.get(path, q)
    return (time.perf_counter() - s) / n * 1000, len(r.content), r.status_code


for label, q in [
    ("default 90 days", {}),
    ("one code", {"service_code": "c3"}),
    ("open, one code", {"service_code": "c3", "status": "open"}),
    ("10 ids", {"service_request_id": ",".join(f"GD{i:011d}" for i in range(10))}),
]:
    ms, size, st = t("/open311/v2/requests.json", **q)
    print(f"requests.json {label}: {ms:.1f} ms, {size // 1024} KB, {st}")
ms, size, st = t("/open311/v2/requests.xml")
print(f"requests.xml default: {ms:.1f} ms, {size // 1024} KB")
ms, size, st = t("/open311/v2/discovery.json")
print(f"discovery.json (a page with no query): {ms:.2f} ms")
