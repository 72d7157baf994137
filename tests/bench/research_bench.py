"""Benchmark of the research funds pages over a large mirror.

Builds its own database ``hall_bench_research`` (--projects projects with seven budget lines
each, --movements ledger entries spread over them, generated in SQL; one busy PI leads 50
projects and has --requests requests), then times in process, through the test client:

- the floor page (bench/bare/20000/: the same middleware and template engine, no query);
- the one-key inquiry of the busy PI, and of the finance office (every project);
- 我的数据 of the busy PI;

and prints each as a ratio to the floor page measured in the same run. Then 8 threads approve
claims on one line at once and it prints claims approved per second and that nothing was
overdrawn.

    .venv/bin/python tests/bench/research_bench.py [--projects 10000 --movements 1000000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = "hall_bench_research"


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


def timed(client, url: str, rounds: int) -> float:
    client.get(url)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--claims", type=int, default=80)
    parser.add_argument("--database", default=TARGET)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database a previous run built"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the inquiry's time goes"
    )
    args = parser.parse_args()
    target = args.database
    built = args.reuse and psql(f"SELECT 1 FROM pg_database WHERE datname = '{target}'") == "1"
    if not built:
        psql(f"DROP DATABASE IF EXISTS {target}")
        psql(f"CREATE DATABASE {target}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{target}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.bench_settings"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    from hall.models import User

    if not built:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
        generate(args, User.objects.get(username="zhangwei"))
    pi = User.objects.get(username="zhangwei")
    measure(args, pi)


def generate(args, pi) -> None:
    t0 = time.perf_counter()
    psql(
        f"""
        INSERT INTO research_project (number, title, kind, pi_id, starts_on, ends_on, status,
                                      updated_at)
        SELECT 'B-' || lpad(g::text, 6, '0'), '基准项目 ' || g,
               CASE WHEN g % 3 = 0 THEN 'horizontal' ELSE 'vertical' END,
               CASE WHEN g <= 50 THEN {pi.pk} ELSE (SELECT min(id) FROM hall_user) END,
               date '2025-01-01', date '2027-12-31', 'active', now()
        FROM generate_series(1, {args.projects}) g;
        INSERT INTO research_budgetline (project_id, category, budget, spent, frozen)
        SELECT p.id, c, 100000000, 0, 0 FROM research_project p,
               unnest(array['equipment','materials','travel','conference','publication',
                            'labour','management']) c
        WHERE p.number LIKE 'B-%';
        INSERT INTO research_movement (line_id, external_id, booked_on, amount, description,
                                       source, request_ref)
        SELECT b.ids[1 + g % array_length(b.ids, 1)], 'BM-' || g, date '2025-01-01' + (g % 365),
               10, '基准明细', 'import', ''
        FROM generate_series(1, {args.movements}) g,
             (SELECT array_agg(l.id ORDER BY l.id) ids FROM research_budgetline l
              JOIN research_project p ON p.id = l.project_id WHERE p.number LIKE 'B-%') b;
        UPDATE research_budgetline l SET spent = s.total
        FROM (SELECT line_id, sum(amount) total FROM research_movement GROUP BY line_id) s
        WHERE s.line_id = l.id;
        ANALYZE;
        """,
        os.environ["DATABASE_URL"].rsplit("/", 1)[1],
    )
    print(
        f"generated {args.projects} projects, {args.movements} movements in "
        f"{time.perf_counter() - t0:.0f} s"
    )


def profile(who: str, client) -> None:
    """Per part: the SQL (each statement's time), the rest (Python and templates), and the
    functions that take the most of it."""
    import cProfile
    import pstats

    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, sql[:110]))

    client.get("/research/")
    with connection.execute_wrapper(record):
        start = time.perf_counter()
        client.get("/research/")
        total = time.perf_counter() - start
    sql = sum(t for t, _ in statements)
    print(f"\n{who}: {total * 1000:.1f} ms, SQL {sql * 1000:.1f} ms in {len(statements)} queries")
    for t, text in sorted(statements, reverse=True)[:4]:
        print(f"  {t * 1000:7.1f} ms  {text}")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/research/")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def measure(args, pi) -> None:

    from django.test import Client

    from hall.models import Role

    office = Role.objects.filter(department__code="finance").first().holders.first()
    client = Client()
    client.force_login(pi)
    floor = timed(client, "/bench/bare/20000/", args.rounds)
    rows = [
        ("floor page (bare 20 KB)", floor),
        ("one-key inquiry, busy PI (50 projects)", timed(client, "/research/", args.rounds)),
        ("我的数据, busy PI", timed(client, "/research/history/", args.rounds)),
    ]
    office_client = Client()
    office_client.force_login(office)
    rows.append(
        ("one-key inquiry, finance office (all)", timed(office_client, "/research/", args.rounds))
    )
    print(f"{'page':45} {'median ms':>10} {'× floor':>8}")
    for name, seconds in rows:
        print(f"{name:45} {seconds * 1000:10.1f} {seconds / floor:8.1f}")
    if args.profile:
        for who, c in (("busy PI", client), ("finance office", office_client)):
            profile(who, c)
    if not args.claims:
        return

    # 8 clients approving claims on one line at once
    from django.db import connections

    from hall.models import Service
    from workflows import services as approvals
    from workflows.models import ApprovalTask
    from workflows.research.demo import sample_form
    from workflows.research.models import BudgetLine

    service = Service.objects.get(code="project-claim-without-preborrowed-invoice")
    data, applicant = sample_form(service, {})
    line = BudgetLine.objects.get(
        project__number=data["project_number"], category=data["budget_category"]
    )
    requests = [
        approvals.request_submit(
            service=service,
            applicant=applicant,
            form_data={**data, "amount": "1.00"},
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
        for _ in range(args.claims)
    ]
    from workflows.demo import _approve_all

    chunks = [requests[i::8] for i in range(8)]

    def approve(chunk):
        try:
            for req in chunk:
                _approve_all(req)
        finally:
            connections.close_all()

    start = time.perf_counter()
    threads = [threading.Thread(target=approve, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    line.refresh_from_db()
    approved = (
        ApprovalTask.objects.filter(request__in=requests, status="approved")
        .values("request")
        .distinct()
        .count()
    )
    print(
        f"{args.claims} claims through their whole chain by 8 clients on one line: "
        f"{args.claims / seconds:.1f} claims/s; line spent {line.spent}, frozen {line.frozen}, "
        f"balance {line.balance} (never below zero: {line.balance >= 0})"
    )
    del approved


if __name__ == "__main__":
    main()
