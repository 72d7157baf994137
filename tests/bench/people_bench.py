"""Benchmark of the people picker (/people/search/, issue #13) at --users people (30k).

Builds its own database (``hall_bench_people``, or BENCH_DB) with the hall's departments and
--users people named as the catalogue benchmark names them (hall.demo's surnames and given
names), their pinyin and their name keys (``hall.search.name_keys``) written as ``User.save``
writes them. Then, in process (Django's test client; the floor is the bench settings' 20 KB page
with one primary-key query, same process, same run), the median of --runs searches for a
surname, a given name inside names (三, 小明), pinyin, initials and a number, each as a ratio to
the floor, with its match count and the plan of its one query (EXPLAIN ANALYZE).

    .venv/bin/python tests/bench/people_bench.py [--users 30000] [--reuse-db]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("BENCH_DB", "hall_bench_people")
QUERIES = ["张", "强", "志强", "明", "zhang", "zhiqiang", "zq", "T9000012"]


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--reuse-db", action="store_true", help="measure the existing data")
    args = parser.parse_args()
    if not args.reuse_db:
        psql(f'DROP DATABASE IF EXISTS "{TARGET}"')
        psql(f'CREATE DATABASE "{TARGET}"')
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
    from django.test.utils import CaptureQueriesContext

    from hall.demo import GIVEN, SURNAMES
    from hall.models import Department, PersonKey, User
    from hall.search import name_keys, pinyin_of

    settings.ALLOWED_HOSTS = ["*"]
    if not args.reuse_db:
        started = time.monotonic()
        rng = random.Random(13)
        school = Department.objects.create(code="bench", name_zh="基准学院", name_en="Bench")
        given2 = [g for g in GIVEN if len(g) == 1]
        for start in range(0, args.users, 5000):
            batch = []
            for i in range(start, min(start + 5000, args.users)):
                given = (
                    rng.choice(GIVEN)
                    if rng.random() < 0.7
                    else rng.choice(GIVEN)[:1] + rng.choice(given2)
                )
                name = rng.choice(SURNAMES) + given
                pinyin, initials = pinyin_of(name)
                batch.append(
                    User(
                        username=f"b{i:06d}",
                        password="!",
                        full_name=name,
                        pinyin=pinyin,
                        pinyin_initials=initials,
                        number=f"T9{i:07d}",
                        department=school,
                    )
                )
            made = User.objects.bulk_create(batch)
            PersonKey.objects.bulk_create(
                [PersonKey(user=u, key=k) for u in made for k in name_keys(u.full_name)]
            )
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(
            f"built {args.users} people and {PersonKey.objects.count()} name keys in "
            f"{time.monotonic() - started:.1f}s"
        )

    me = User.objects.order_by("pk").first()
    client = Client()
    client.force_login(me)

    def timed(url: str, data=None) -> float:
        client.get(url, data)
        samples = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(url, data)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples)

    floor = timed("/bench/floor/")
    print(f"people: {User.objects.count()}, name keys: {PersonKey.objects.count()}")
    print(f"floor page (20 KB + one primary-key query, in process): {floor * 1000:.2f} ms")
    print(f"{'query':12} {'matches':>8} {'shown':>6} {'ms':>8} {'× floor':>8} first")
    plans = []
    for q in QUERIES:
        t = timed("/people/search/", {"q": q})
        with CaptureQueriesContext(connection) as queries:
            results = client.get("/people/search/", {"q": q}).json()["results"]
        sql = queries.captured_queries[-1]["sql"]
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + sql)
            plan = [row[0] for row in cur.fetchall()]
            cur.execute(f"SELECT count(*) FROM ({sql.rsplit(' LIMIT ', 1)[0]}) AS m")
            (matches,) = cur.fetchone()
        first = results[0]["label"] if results else ""
        print(f"{q:12} {matches:8} {len(results):6} {t * 1000:8.2f} {t / floor:8.1f} {first}")
        plans.append((q, plan))
    for q, plan in plans:
        print(f"\nEXPLAIN ANALYZE of the search for {q!r}:")
        print("\n".join("  " + line for line in plan))


if __name__ == "__main__":
    main()
