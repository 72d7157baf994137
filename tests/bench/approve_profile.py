#!/usr/bin/env python
"""Where one approve POST's time goes, in process: cProfile over fresh approvals.

    DATABASE_URL=postgres://…/hall_bench_approvals REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python tests/bench/approve_profile.py [--approvals 200] [--top 40]

The database must hold the demo (``seed_demo`` or approvals_bench.py's loaded database). It
submits ``--approvals`` fresh requests of the benchmark's service through ``request_submit``
(each one step, to the head of school-cs), then POSTs ``{op: decide, action: approve}`` to each
task with Django's test client, as approvals_bench.py's clients do: first a third of them timed
without the profiler (wall ms per POST, queries and SQL ms per POST), then the rest under
cProfile; prints the medians, the profile's own time by package and its top frames (own time
and cumulative). The CPU time of this process (the app's Python, without Postgres's or Redis's)
is the figure least disturbed by a busy machine; compare two versions only back to back.

Not a test and not a ``*_bench.py`` (so the other benchmarks do not wait for it); it writes to
the database it is given (the approvals stay, as approvals_bench.py's do).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--approvals", type=int, default=200)
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--sort", default="tottime,cumulative")
    p.add_argument("--pages", type=int, default=0, help="also time the request page and its poll")
    args = p.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_COOKIES", "DJANGO_HSTS_SECONDS"):
        os.environ.setdefault(name, "0")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hall.models import User
    from tests.bench.approvals_bench import APPROVE_DEPARTMENT, prepare_approvals

    t0 = time.perf_counter()
    task_ids, _approver, _ = prepare_approvals(args.approvals, random.Random(7))
    print(f"submitted {len(task_ids)} requests in {time.perf_counter() - t0:.1f}s")
    head = User.objects.get(username=f"{APPROVE_DEPARTMENT}-head")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(head)

    def post(task_id: int) -> None:
        resp = client.post(f"/tasks/{task_id}/", {"op": "decide", "action": "approve"})
        if resp.status_code != 302 or not resp["Location"].rstrip("/").endswith("/tasks"):
            raise SystemExit(f"task {task_id}: {resp.status_code} {resp.get('Location')}")

    timed, profiled = task_ids[: len(task_ids) // 3], task_ids[len(task_ids) // 3 :]
    walls, cpus, sqls, counts = [], [], [], []
    post(timed[0])  # warm: imports, template and URL caches
    for task_id in timed[1:]:
        with CaptureQueriesContext(connection) as queries:
            t1, c1 = time.perf_counter(), time.process_time()
            post(task_id)
            walls.append((time.perf_counter() - t1) * 1000)
            cpus.append((time.process_time() - c1) * 1000)
        last = queries.captured_queries
        counts.append(len(last))
        sqls.append(sum(float(q["time"]) for q in last) * 1000)
        reset_queries()
    print(
        f"approve POST in process: median {statistics.median(walls):.2f} ms wall, "
        f"{statistics.median(cpus):.2f} ms CPU of this process (mean {statistics.mean(cpus):.2f}), "
        f"{statistics.median(sqls):.2f} ms SQL (client-side), "
        f"{statistics.median(counts):.0f} queries (min {min(counts)}, max {max(counts)}); "
        f"p90 wall {sorted(walls)[int(len(walls) * 0.9)]:.2f} ms"
    )
    if "--queries" in sys.argv or os.environ.get("SHOW_QUERIES"):
        for q in last:
            print(f"  {float(q['time']) * 1000:6.2f} ms  {q['sql'][:150]}")
    profiler = cProfile.Profile()
    t2 = time.perf_counter()
    profiler.enable()
    for task_id in profiled:
        post(task_id)
    profiler.disable()
    per = (time.perf_counter() - t2) * 1000 / len(profiled)
    calls = pstats.Stats(profiler).total_calls / len(profiled)
    # The Python calls a POST makes: a figure of the work that a busy machine does not move.
    print(f"under cProfile: {per:.2f} ms per POST over {len(profiled)}, {calls:,.0f} calls a POST")
    # Own time by package (django.db, viewflow, celery/kombu, redis, the hall's apps, …).
    by: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in pstats.Stats(
        profiler
    ).stats.items():
        if "site-packages/" in filename:
            parts = filename.split("site-packages/")[1].split("/")
            group = "/".join(parts[:2]) if parts[0] == "django" else parts[0]
        elif filename.startswith(str(Path(__file__).resolve().parents[2])):
            group = "hall: " + filename.split("/")[-2]
        elif filename == "~":
            group = func.split(" of ")[-1][:60] if "method" in func else func[:60]
        else:
            group = "stdlib " + Path(filename).name
        by[group] = by.get(group, 0) + tt
    total = sum(by.values())
    print(f"=== own time by package, ms per POST (total {total * 1000 / len(profiled):.1f}) ===")
    for group, tt in sorted(by.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {tt * 1000 / len(profiled):7.2f}  {group}")
    for key in args.sort.split(","):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key)
        stats.print_stats(args.top)
        print(f"=== sorted by {key} (per {len(profiled)} POSTs) ===")
        print("\n".join(out.getvalue().splitlines()[5:]))
    if args.pages:
        pages(args.pages, client, args.top)
    return 0


def pages(n: int, client, top: int) -> None:
    """Goal 4 of #10: the request page (<= 8 queries) and its 10-second live poll (<= 3 queries,
    <= 5 ms), as the applicant of a request that waits for its approver; medians of ``n``."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from tests.bench.approvals_bench import prepare_approvals
    from workflows.models import ApprovalTask

    (task_id,), _approver, _ = prepare_approvals(1, random.Random(8))
    req = ApprovalTask.objects.select_related("request__applicant").get(pk=task_id).request
    client.force_login(req.applicant)
    page, poll = f"/requests/{req.pk}/", f"/requests/{req.pk}/progress/"
    stamp = client.get(poll)["ETag"]
    for label, path, headers, status in (
        ("request page", page, {}, 200),
        ("live poll, nothing moved (304)", poll, {"HTTP_IF_NONE_MATCH": stamp}, 304),
        ("live poll, fresh HTML (200)", poll, {}, 200),
    ):
        client.get(path, **headers)  # warm
        walls, counts = [], []
        for _ in range(n):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                resp = client.get(path, **headers)
                walls.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != status:
                raise SystemExit(f"{path}: {resp.status_code}, expected {status}")
            counts.append(len(queries.captured_queries))
            reset_queries()
        print(
            f"{label}: median {statistics.median(walls):.2f} ms, min {min(walls):.2f} ms, "
            f"{statistics.median(counts):.0f} queries"
        )
        if top and status == 304:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(n):
                client.get(path, **headers)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(top)
            print(f"=== {label}, sorted by cumulative (per {n}) ===")
            print("\n".join(out.getvalue().splitlines()[5:]))


if __name__ == "__main__":
    raise SystemExit(main())
