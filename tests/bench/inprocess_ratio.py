#!/usr/bin/env python
"""In-process CPU of hot pages as a ratio to the floor page, for a busy shared machine.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python tests/bench/inprocess_ratio.py \
        USERNAME /tasks/,/requests/ [ROUNDS]

Through django.test.Client with the bench settings (bench_settings.py: the floor page at
/bench/floor/), logged in as USERNAME (``-`` for nobody). For each page it alternates 3 requests
of the page and 3 of the floor, ROUNDS times (15 by default), with the same session, and prints
the medians of CPU time (``time.process_time``: what waiting on Postgres or other processes does
not count) and wall time, each with its ratio to the floor, and the page's queries. Issue #10
asks every hot page to reach 0.5 x the floor under load; this says, without a quiet machine,
how far a change moved a page. This is a benchmark, not a test: pytest does not collect it.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.bench_settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "inprocess-ratio-" + "x" * 40)
for name, value in {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ[name] = value

FLOOR = "/bench/floor/"


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from hall.models import User

    username, paths = argv[0], argv[1].split(",")
    rounds = int(argv[2]) if len(argv) > 2 else 15
    client = Client(HTTP_HOST="testserver")
    if username != "-":
        client.force_login(User.objects.get(username=username))

    def one(path: str) -> tuple[float, float, int]:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        wall, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return time.process_time() - cpu, time.perf_counter() - wall, len(queries)

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    for path in paths:
        for _ in range(5):
            one(path)
            one(FLOOR)
        page_cpu, floor_cpu, page_wall, floor_wall, n = [], [], [], [], 0
        for _ in range(rounds):
            for _ in range(3):
                cpu, wall, n = one(path)
                page_cpu.append(cpu)
                page_wall.append(wall)
            for _ in range(3):
                cpu, wall, _ = one(FLOOR)
                floor_cpu.append(cpu)
                floor_wall.append(wall)
        pc, fc, pw, fw = ms(page_cpu), ms(floor_cpu), ms(page_wall), ms(floor_wall)
        print(
            f"{path:40s} cpu {pc:6.2f} ms (floor {fc:5.2f}) x floor {fc / pc:.2f} | "
            f"wall {pw:6.2f} ms (floor {fw:5.2f}) x floor {fw / pw:.2f} | {n} queries",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1:]))
