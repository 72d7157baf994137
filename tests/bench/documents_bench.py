"""Benchmark of the Administrative Center's registers (issue #13).

Builds its own database (``hall_bench_documents``, or BENCH_DB): the demo, then --outgoing
registered outgoing documents over eleven years and --incoming incoming documents, generated in
SQL from a demo row of each (so new columns are copied, not forgotten). Then, in process (Django's
test client; the floor is the bench settings' 20 KB page with one primary-key query, same process,
same run), the median of --runs requests of:

- the outgoing register (/documents/) for the office and for a member of staff; a search by a
  two-character Chinese word, by a four-character one and by a full reference number;
- the incoming register (/documents/incoming/) for the office's clerk; a search by a word;

each as a ratio to the floor; then a common word's page read through the pairs index and walked
down the date index (EXPLAIN ANALYZE). Last, registration throughput: --registrars threads register
--registrations signed-off documents on one 代字 at once (numbers per second), and the numbers
are checked afterwards: every year's numbers of the 代字 are exactly 1..n, each once.

    .venv/bin/python tests/bench/documents_bench.py [--outgoing 1000000 --incoming 1000000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("BENCH_DB", "hall_bench_documents")
TOPICS = [
    "招生", "学生资助", "科研经费", "校园安全", "基建项目", "后勤保障", "图书馆建设", "信息化",
    "教师培训", "国际交流", "财务管理", "资产清查", "实验室安全", "消防检查", "党风廉政",
    "意识形态", "就业创业", "心理健康", "档案管理", "保密工作", "节能降耗", "食品安全",
    "人才引进", "职称评审", "课程建设", "教材选用", "学位授予", "疫情防控", "防汛抗旱", "校史",
]  # fmt: skip
KINDS = ["通知", "通报", "意见", "报告", "请示", "批复", "函", "纪要"]
SENDERS = ["省教育厅", "市人民政府办公厅", "省财政厅", "省科技厅", "市委组织部", "教育部办公厅"]


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


def copy_rows(cur, table: str, template_id: int, n: int, overrides: dict[str, str]) -> None:
    """n rows copied from the template row, with ``overrides`` (SQL over ``g``) per column."""
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND "
        "column_name <> 'id' AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    columns = [c for (c,) in cur.fetchall()]
    # The overrides are SQL with no parameters: their % signs are the modulo operator.
    values = [overrides.get(c, f't."{c}"').replace("%", "%%") for c in columns]
    cur.execute(
        f"INSERT INTO {table} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
        f"SELECT {', '.join(values)} FROM {table} t, generate_series(1, %s) g WHERE t.id = %s",
        [n, template_id],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outgoing", type=int, default=1_000_000)
    parser.add_argument("--incoming", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--registrars", type=int, default=8)
    parser.add_argument("--registrations", type=int, default=800)
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
    from django.apps import apps
    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client

    import hall.notifications
    from documents import services
    from documents.models import Incoming, NumberCounter, Outgoing
    from hall.demo import seed_demo
    from hall.models import User

    settings.ALLOWED_HOSTS = ["*"]
    hall.notifications.enqueue = lambda keys: None
    if not args.reuse_db:
        seed_demo()
        apps.get_app_config("documents").seed_demo()
        template = Outgoing.objects.filter(status="registered").order_by("pk").first()
        incoming = Incoming.objects.order_by("pk").first()
        prefix = template.authority.prefix
        started = time.monotonic()
        topics = "ARRAY[" + ",".join(f"'{t}'" for t in TOPICS) + "]"
        kinds = "ARRAY[" + ",".join(f"'{k}'" for k in KINDS) + "]"
        senders = "ARRAY[" + ",".join(f"'{s}'" for s in SENDERS) + "]"
        with connection.cursor() as cur:
            # Eleven years 2015..2025 (the demo numbers 2026), each year's numbers 1..n.
            copy_rows(
                cur,
                "documents_outgoing",
                template.pk,
                args.outgoing,
                {
                    "title": f"'关于做好' || (2015 + (g - 1) % 11) || '年'"
                    f" || ({topics})[1 + g % 30] || '工作的' || ({kinds})[1 + (g / 30) % 8]",
                    "status": "'registered'",
                    "year": "2015 + (g - 1) % 11",
                    "seq": "(g - 1) / 11 + 1",
                    "number": f"'{prefix}〔' || (2015 + (g - 1) % 11) || '〕'"
                    " || ((g - 1) / 11 + 1) || '号'",
                    "created_at": "now() - (g * interval '5 minutes')",
                    "updated_at": "now() - (g * interval '5 minutes')",
                    "registered_at": "now() - (g * interval '5 minutes')",
                    "request_id": "NULL",
                    "archive_code": "''",
                },
            )
            cur.execute(
                "INSERT INTO documents_numbercounter (prefix, year, last) "
                "SELECT %s, year, max(seq) FROM documents_outgoing "
                "WHERE number LIKE %s AND year < 2026 GROUP BY year",
                [prefix, f"{prefix}〔%"],
            )
            copy_rows(
                cur,
                "documents_incoming",
                incoming.pk,
                args.incoming,
                {
                    "title": f"'关于' || ({topics})[1 + g % 30] || '有关事项的'"
                    f" || ({kinds})[1 + g % 8]",
                    "sender": f"({senders})[1 + g % 6]",
                    "status": "'done'",
                    "year": "2015 + (g - 1) % 11",
                    "seq": "(g - 1) / 11 + 1",
                    "received_at": "now() - (g * interval '5 minutes')",
                    "created_at": "now() - (g * interval '5 minutes')",
                    "updated_at": "now() - (g * interval '5 minutes')",
                    "dispatch_id": "NULL",
                },
            )
            cur.execute("ANALYZE")
        print(
            f"built {args.outgoing} outgoing and {args.incoming} incoming documents in "
            f"{time.monotonic() - started:.1f}s"
        )

    template = Outgoing.objects.filter(status="registered").order_by("pk").first()
    prefix = template.authority.prefix
    office = template.registered_by or User.objects.get(username="president-office-reviewer1")
    staff = User.objects.get(username="school-cs-reviewer1")

    def timed(client: Client, url: str) -> float:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(samples)

    as_office, as_staff = Client(), Client()
    as_office.force_login(office)
    as_staff.force_login(staff)
    floor = timed(as_office, "/bench/floor/")
    number = Outgoing.objects.filter(number__isnull=False, year=2024).only("number").first().number
    print(f"floor page (20 KB + one primary-key query, in process): {floor * 1000:.2f} ms")
    print(f"{'page':52} {'ms':>8} {'× floor':>8}")
    for label, client, url in [
        ("outgoing register, office", as_office, "/documents/"),
        ("outgoing register, staff", as_staff, "/documents/"),
        ("outgoing search 资助 (2 characters), office", as_office, "/documents/?q=资助"),
        ("outgoing search 校园安全 (4 characters), staff", as_staff, "/documents/?q=校园安全"),
        (f"outgoing search by number {number}", as_office, f"/documents/?q={number}"),
        ("incoming register, office", as_office, "/documents/incoming/"),
        ("incoming search 招生, office", as_office, "/documents/incoming/?q=招生"),
    ]:
        t = timed(client, url)
        print(f"{label:52} {t * 1000:8.2f} {t / floor:8.1f}")

    # A common word's page read both ways (EXPLAIN ANALYZE, best of 3): through the pairs index
    # (every match read and sorted) and walked down the date index (what the register does once
    # the capped count says more than the cap match: hall.lists.CappedPaginator's walked).
    from documents import selectors

    print(f"{'page read of a search (50 rows)':52} {'pairs ms':>9} {'walked ms':>9}")
    for who, user in [("office", office), ("staff", staff)]:
        for word in ["资助", "校园安全"]:
            spent = []
            for walk in (False, True):
                sql, sql_params = selectors.register(user, q=word, walk=walk)[
                    :50
                ].query.sql_with_params()
                best = []
                with connection.cursor() as cur:
                    for _ in range(3):
                        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, sql_params)
                        best.append(cur.fetchone()[0][0]["Execution Time"])
                spent.append(min(best))
            print(f"{f'{word}, {who}':52} {spent[0]:9.1f} {spent[1]:9.1f}")

    # Registration throughput: signed-off documents, registered by 8 registrars at once.
    with connection.cursor() as cur:
        copy_rows(
            cur,
            "documents_outgoing",
            template.pk,
            args.registrations,
            {
                "title": "'待登记文件' || g",
                "status": "'signed'",
                "year": "NULL",
                "seq": "NULL",
                "number": "NULL",
                "registered_at": "NULL",
                "request_id": "NULL",
            },
        )
    todo = list(
        Outgoing.objects.filter(status="signed", title__startswith="待登记文件").values_list(
            "pk", flat=True
        )
    )
    errors: list[str] = []

    def registrar(i: int) -> None:
        try:
            for pk in todo[i :: args.registrars]:
                services.document_register(document_id=pk, user=office)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=registrar, args=(i,)) for i in range(args.registrars)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spent = time.perf_counter() - t0
    print(
        f"registration: {len(todo)} documents by {args.registrars} registrars at once in "
        f"{spent:.1f}s = {len(todo) / spent:.0f} numbers/s; errors: {len(errors)}"
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT year, count(*), count(DISTINCT seq), min(seq), max(seq), "
            "count(DISTINCT number) FROM documents_outgoing WHERE number LIKE %s GROUP BY year "
            "ORDER BY year",
            [f"{prefix}〔%"],
        )
        bad = [
            row
            for row in cur.fetchall()
            if not (row[1] == row[2] == row[4] == row[5] and row[3] == 1)
        ]
    counters = dict(NumberCounter.objects.filter(prefix=prefix).values_list("year", "last"))
    print(
        "numbers check: every year's numbers of "
        f"{prefix} are 1..n, each once: {'OK' if not bad else f'FAILED {bad}'}; "
        f"counters {dict(sorted(counters.items()))}"
    )
    if errors:
        print("first errors:", errors[:3])


if __name__ == "__main__":
    main()
