"""Imports of the offices' exports: all rows or none, a report of what changed, no double
counting, the HTTP pull from a local server, and a mirror that says when it is stale."""

import json
import threading
import urllib.parse
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from tests.research.conftest import BUDGETS, MOVEMENTS, PROJECTS, csv_upload, xlsx_upload
from workflows.research import selectors, services
from workflows.research.models import BudgetLine, ImportRun, Movement, Project


def line(number, category):
    return BudgetLine.objects.get(project__number=number, category=category)


def snapshot():
    return (
        sorted(Project.objects.values_list("number", "title", "status")),
        sorted(BudgetLine.objects.values_list("project__number", "category", "budget", "spent")),
        sorted(Movement.objects.values_list("external_id", "amount")),
    )


def test_a_good_set_of_files_builds_the_mirror(mirror, alice, gina):
    # then
    project = Project.objects.get(number="NSFC-001")
    assert project.pi == alice and list(project.members.all()) == [gina]
    equipment = line("NSFC-001", "equipment")
    assert (equipment.budget, equipment.spent, equipment.balance) == (
        Decimal("100000.00"),
        Decimal("40000.00"),
        Decimal("60000.00"),
    )
    assert line("HX-002", "materials").spent == Decimal("1200.50")
    assert ImportRun.objects.filter(ok=True).count() == 3
    run = ImportRun.objects.get(kind="movements")
    assert (run.rows, run.created, run.updated, run.unchanged) == (3, 3, 0, 0)


def test_an_excel_file_with_chinese_headings_imports_like_the_csv(alice, gina):
    # given
    table = [
        ["项目编号", "项目名称", "项目类别", "负责人工号", "成员工号", "开始日期", "结束日期"],
        ["NSFC-009", "量子纠错", "纵向", "T001", "G001", "2025-01-01", "2026-12-31"],
    ]
    # when
    run = services.mirror_import_file(kind="projects", upload=xlsx_upload("p.xlsx", table))
    # then
    assert run.ok, run.report
    assert Project.objects.get(number="NSFC-009").kind == "vertical"


def test_a_file_with_one_bad_row_changes_nothing_and_names_the_row(mirror):
    # given
    before = snapshot()
    text = MOVEMENTS + (
        "F-4,NSFC-001,travel,2025-05-01,500,出差\nF-5,NSFC-001,publication,2025-05-02,10,版面费\n"
    )
    # when
    run = services.mirror_import_file(kind="movements", upload=csv_upload("m.csv", text))
    # then: F-4 alone was fine, but F-5's category has no budget, so nothing is applied
    assert not run.ok
    assert run.report == [
        {"row": 6, "reason": "the project has no budget for the category “publication”"}
    ]
    assert snapshot() == before
    assert not Movement.objects.filter(external_id="F-4").exists()


def test_a_ledger_that_would_overdraw_a_category_is_refused(mirror):
    before = snapshot()
    text = "id,project,category,date,amount\nF-9,NSFC-001,travel,2025-05-01,17000.01\n"
    run = services.mirror_import_file(kind="movements", upload=csv_upload("m.csv", text))
    assert not run.ok
    assert run.report[0]["row"] == 2 and "F-9" in run.report[0]["reason"]
    assert snapshot() == before


def test_a_budget_below_what_is_spent_is_refused(mirror):
    text = "project,category,budget\nNSFC-001,equipment,39999\n"
    run = services.mirror_import_file(kind="budgets", upload=csv_upload("b.csv", text))
    assert not run.ok and "below what is spent" in run.report[0]["reason"]
    assert line("NSFC-001", "equipment").budget == Decimal("100000.00")


def test_a_repeated_file_counts_nothing_twice(mirror):
    # given
    before = snapshot()
    # when
    run = services.mirror_import_file(kind="movements", upload=csv_upload("m.csv", MOVEMENTS))
    # then
    assert run.ok and (run.created, run.updated, run.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_a_changed_entry_is_reported_and_spent_recounted(mirror):
    text = MOVEMENTS.replace("2025-04-10,3000", "2025-04-10,2500")
    run = services.mirror_import_file(kind="movements", upload=csv_upload("m.csv", text))
    assert run.ok and run.updated == 1
    assert run.report == [{"row": 3, "key": "F-2", "what": "updated", "fields": ["amount"]}]
    assert line("NSFC-001", "travel").spent == Decimal("2500.00")


def test_a_file_that_is_not_a_workbook_is_refused_by_the_upload_checker(alice):
    run = services.mirror_import_file(
        kind="projects", upload=csv_upload("p.xlsx", "number,title\n")
    )
    assert not run.ok and "not really a .xlsx" in run.report[0]["reason"]


def test_unknown_people_and_bad_periods_are_named(alice):
    text = (
        "number,title,kind,pi,starts_on,ends_on\n"
        "P-1,甲,vertical,T999,2025-01-01,2025-12-31\n"
        "P-2,乙,vertical,T001,2025-12-01,2025-01-31\n"
    )
    run = services.mirror_import_file(kind="projects", upload=csv_upload("p.csv", text))
    assert [p["row"] for p in run.report] == [2, 3]
    assert Project.objects.count() == 0


# --- the HTTP pull -------------------------------------------------------------------------


def as_records(text):
    header, *rows = [r.split(",") for r in text.strip().split("\n")]
    return [dict(zip(header, r, strict=True)) for r in rows]


class Office:
    """A local stand-in for the offices' API: pages of two records, a bearer token."""

    def __init__(self, data, token="s3cret"):
        self.data, self.token, self.seen = data, token, []
        office = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                office.seen.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {office.token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                url = urllib.parse.urlsplit(self.path)
                kind = url.path.removeprefix("/api/").strip("/")
                page = int(urllib.parse.parse_qs(url.query).get("page", ["1"])[0])
                records = office.data.get(kind, [])
                chunk = records[(page - 1) * 2 : page * 2]
                more = page * 2 < len(records)
                body = {"results": chunk, "next": f"/api/{kind}/?page={page + 1}" if more else None}
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/api"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def office_data():
    return {
        "projects": as_records(PROJECTS),
        "budgets": as_records(BUDGETS),
        "movements": as_records(MOVEMENTS),
    }


def test_the_pull_reads_every_page_of_every_kind(alice, gina, office_data):
    # given
    with Office(office_data) as office:
        # when
        runs = services.mirror_pull(base_url=office.url, token="s3cret")
    # then
    assert [(r.kind, r.ok, r.created) for r in runs] == [
        ("projects", True, 2),
        ("budgets", True, 4),
        ("movements", True, 3),
    ]
    assert line("NSFC-001", "equipment").spent == Decimal("40000.00")
    assert "/api/budgets/?page=2" in office.seen
    assert all(r.origin == "api" for r in runs)


def test_a_second_pull_changes_nothing(alice, gina, office_data):
    with Office(office_data) as office:
        services.mirror_pull(base_url=office.url, token="s3cret")
        before = snapshot()
        runs = services.mirror_pull(base_url=office.url, token="s3cret")
    assert [r.unchanged for r in runs] == [2, 4, 3]
    assert snapshot() == before


def test_a_refused_token_is_logged_and_changes_nothing(alice, gina, office_data):
    with Office(office_data) as office:
        runs = services.mirror_pull(base_url=office.url, token="wrong")
    assert len(runs) == 1 and not runs[0].ok
    assert "401" in runs[0].report[0]["reason"]
    assert Project.objects.count() == 0


def test_an_unreachable_api_is_logged(db):
    runs = services.mirror_pull(base_url="http://127.0.0.1:9/api", token="x")
    assert len(runs) == 1 and not runs[0].ok and runs[0].report[0]["row"] == 0


# --- staleness -----------------------------------------------------------------------------


def test_the_mirror_is_stale_before_any_import_and_after_its_age(mirror, settings):
    settings.RESEARCH_MIRROR_MAX_AGE_HOURS = 24
    assert selectors.mirror_state().stale is False
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert selectors.mirror_state().stale is True


def test_a_refused_import_does_not_freshen_the_mirror(alice, settings):
    services.mirror_import_file(kind="projects", upload=csv_upload("p.csv", "number\nX\n"))
    assert selectors.mirror_state().last_import is None
    assert selectors.mirror_state().stale is True
