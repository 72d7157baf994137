#!/usr/bin/env python
"""Booking throughput with concurrent clients aiming at overlapping slots, on Postgres.

    .venv/bin/python tests/bench/bookings_bench.py [--clients 8] [--attempts 200] \
        [--resources 4] [--db hall_bench_bookings]

Recreates the database (127.0.0.1:5432, user postgres), migrates, makes ``--resources`` rooms
and one booker per client, then each client (a thread with its own connection) books
``--attempts`` random one-hour slots within the same two weeks of the same few rooms through
``reception.services.booking_create``, so most attempts collide. Prints attempts and bookings
per second, how many refusals named their holder, any other error (there must be none), and
finally checks with one SQL self-join that no two confirmed bookings of a resource overlap.
"""

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--resources", type=int, default=4)
    parser.add_argument("--db", default="hall_bench_bookings")
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, connections
    from django.utils import timezone

    from hall.models import User
    from reception import services
    from reception.models import Resource

    rooms = [
        Resource.objects.create(code=f"bench-{i}", name_zh=f"会议室{i}", kind="room")
        for i in range(args.resources)
    ]
    people = [
        User.objects.create_user(f"bench{i}", full_name=f"预订人{i}") for i in range(args.clients)
    ]
    base = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    counts = {"booked": 0, "refused": 0, "named": 0, "error": 0}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients)

    def client(n: int) -> None:
        rng = random.Random(n)
        me = people[n]
        barrier.wait()
        for _ in range(args.attempts):
            room = rng.choice(rooms)
            start = base + timedelta(hours=rng.randrange(14 * 24), minutes=rng.choice((0, 30)))
            try:
                services.booking_create(
                    resource_id=room.pk,
                    booker=me,
                    title="压测",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                )
                kind = "booked"
            except services.BookingError as exc:
                kind = "refused"
                with lock:
                    counts["named"] += "预订人" in exc.message
            except Exception as exc:  # noqa: BLE001 - counted: there must be none
                kind = "error"
                with lock:
                    errors.append(repr(exc))
            with lock:
                counts[kind] += 1
        connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    total = args.clients * args.attempts
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM reception_booking a JOIN reception_booking b"
            " ON a.resource_id = b.resource_id AND a.id < b.id"
            " AND a.status = 'confirmed' AND b.status = 'confirmed'"
            " AND a.blocked_from < b.blocked_until AND b.blocked_from < a.blocked_until"
        )
        overlaps = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM reception_booking WHERE status = 'confirmed'")
        confirmed = cursor.fetchone()[0]
    print(f"{args.clients} clients × {args.attempts} attempts on {args.resources} rooms, 2 weeks")
    print(f"attempts/s {total / elapsed:.1f}   bookings/s {counts['booked'] / elapsed:.1f}")
    print(
        f"booked {counts['booked']} (confirmed rows {confirmed})  refused {counts['refused']}"
        f" (naming the holder {counts['named']})  errors {counts['error']}"
    )
    print(f"overlapping confirmed pairs afterwards: {overlaps}")
    for line in errors[:5]:
        print("  error:", line)


if __name__ == "__main__":
    main()
