"""The one-key inquiry: who sees which project, the figures, the period, the export, the stale
banner, and a constant number of queries however many projects a page shows."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from workflows.research.models import BudgetLine, Movement, Project

URL = "/research/"


def page(client, user, **query):
    client.force_login(user)
    return client.get(URL, query)


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [
        pytest.param("alice", ["NSFC-001", "HX-002"], [], id="pi-sees-both-projects"),
        pytest.param("gina", ["NSFC-001"], ["HX-002"], id="member-sees-only-hers"),
        pytest.param("bob", [], ["NSFC-001", "HX-002"], id="outsider-sees-none"),
        pytest.param("fiona", ["NSFC-001", "HX-002"], [], id="finance-office-sees-all"),
    ],
)
def test_a_person_sees_only_their_own_projects(client, mirror, fiona, request, who, sees, hidden):
    # when
    html = page(client, request.getfixturevalue(who)).content.decode()
    # then
    for number in sees:
        assert number in html
    for number in hidden:
        assert number not in html


def test_the_inquiry_needs_a_login(client, mirror):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_inquiry_shows_budget_spent_frozen_and_balance(client, mirror, alice):
    # given
    line = BudgetLine.objects.get(project__number="NSFC-001", category="equipment")
    BudgetLine.objects.filter(pk=line.pk).update(frozen=Decimal("5000"))
    # when
    html = page(client, alice).content.decode()
    # then
    assert "100000.00" in html and "40000.00" in html and "5000.00" in html
    assert "55000.00" in html  # balance
    assert "服务器" in html  # a ledger entry


def test_the_period_filters_the_ledger(client, mirror, alice):
    html = page(client, alice, date_from="2025-04-01", date_to="2025-04-30").content.decode()
    assert "会议差旅" in html and "服务器" not in html


def test_a_reversed_period_is_named_and_ignored(client, mirror, alice):
    html = page(client, alice, date_from="2025-05-01", date_to="2025-04-01").content.decode()
    assert "The end date is before the start date." in html and "服务器" in html


def test_the_excel_export_holds_only_the_persons_projects(client, mirror, gina):
    from openpyxl import load_workbook

    # when
    response = page(client, gina, format="xlsx")
    # then
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    budgets = [row for row in book.worksheets[0].iter_rows(values_only=True)][1:]
    assert {row[0] for row in budgets} == {"NSFC-001"}
    ledger = [row for row in book.worksheets[1].iter_rows(values_only=True)][1:]
    assert sorted(row[5] for row in ledger) == ["F-1", "F-2"]


def test_a_stale_mirror_says_so(client, mirror, alice, settings):
    settings.RESEARCH_MIRROR_MAX_AGE_HOURS = 24
    assert "may be out of date" not in page(client, alice).content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=30)):
        html = page(client, alice).content.decode()
    assert "may be out of date" in html


def test_an_empty_mirror_says_nothing_was_brought_yet(client, alice):
    html = page(client, alice).content.decode()
    assert "No figures have been brought" in html


def test_the_inquiry_reads_in_chinese(client, mirror, alice, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(alice)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "科研经费一键查询" in html and "余额" in html


def make_projects(pi, n):
    projects = Project.objects.bulk_create(
        Project(
            number=f"Q-{i:03d}",
            title=f"项目{i}",
            kind="vertical",
            pi=pi,
            starts_on=date(2025, 1, 1),
            ends_on=date(2026, 12, 31),
        )
        for i in range(n)
    )
    lines = BudgetLine.objects.bulk_create(
        BudgetLine(project=p, category=c, budget=1000)
        for p in projects
        for c in ("travel", "labour")
    )
    Movement.objects.bulk_create(
        Movement(line=line, external_id=f"M-{line.pk}", booked_on=date(2025, 3, 1), amount=10)
        for line in lines
    )


@pytest.mark.parametrize("n", [1, 50])
def test_the_inquiry_costs_the_same_queries_for_1_and_50_projects(
    client, alice, django_assert_num_queries, n
):
    # given
    make_projects(alice, n)
    client.force_login(alice)
    client.get(URL)  # warm the session
    # when / then: user, office role, count, projects, lines, ledger, mirror state,
    # and the header's unread messages
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200


def test_the_import_page_is_for_the_offices_only(client, alice, fiona):
    client.force_login(alice)
    assert client.get("/research/import/").status_code == 404
    client.force_login(fiona)
    assert client.get("/research/import/").status_code == 200


def test_an_office_uploads_a_file_and_reads_the_report(client, mirror, fiona):
    from tests.research.conftest import csv_upload

    # given
    client.force_login(fiona)
    bad = csv_upload("m.csv", "id,project,category,date,amount\nF-7,NSFC-001,travel,2025-13-01,5\n")
    # when
    response = client.post("/research/import/", {"kind": "movements", "file": bad}, follow=True)
    # then
    html = response.content.decode()
    assert "Nothing was imported" in html and "YYYY-MM-DD" in html
    assert not Movement.objects.filter(external_id="F-7").exists()


def test_the_offices_find_their_desks_from_the_inquiry_and_others_do_not(client, mirror, fiona):
    # given: the import page and the data-transference desk, reachable from /research/
    desks = ['href="/research/import/"', 'href="/research/transfers/"']
    # when
    office = page(client, fiona).content.decode()
    # then
    assert all(d in office for d in desks)
    assert 'href="/research/history/"' in office


def test_a_pi_sees_no_link_to_the_offices_desks(client, mirror, alice):
    html = page(client, alice).content.decode()
    assert 'href="/research/history/"' in html
    assert "/research/transfers/" not in html and "/research/import/" not in html


def test_the_ledger_pages_on_by_itself_newest_first(client, alice):
    # given: one project with 120 entries, one a day
    make_projects(alice, 1)
    line = BudgetLine.objects.get(project__number="Q-000", category="travel")
    Movement.objects.all().delete()
    Movement.objects.bulk_create(
        Movement(
            line=line,
            external_id=f"D-{i:03d}",
            booked_on=date(2025, 1, 1) + timedelta(days=i),
            amount=1,
            description=f"entry {i:03d}",
        )
        for i in range(120)
    )
    # when
    first = page(client, alice).content.decode()
    third = page(client, alice, ledger="3").content.decode()
    # then: 50 a page, the newest first; the last page holds the 20 oldest and no "older" link
    assert "entry 119" in first and "entry 070" in first and "entry 069" not in first
    assert "ledger=2#ledger-title" in first and "Older entries" in first
    assert "entry 019" in third and "entry 000" in third and "entry 020" not in third
    assert "Older entries" not in third and "ledger=2#ledger-title" in third


def test_a_bad_ledger_page_is_named_and_the_first_page_shown(client, mirror, alice):
    html = page(client, alice, ledger="zwei").content.decode()
    assert "Ledger page" in html and "服务器" in html


def test_the_rows_written_in_python_escape_what_the_systems_sent(client, mirror, alice):
    # given: a description and a project number with markup in them
    Movement.objects.filter(external_id="F-1").update(description="<script>x()</script>")
    Project.objects.filter(number="NSFC-001").update(number="NSFC-<b>1</b>")
    # when
    html = page(client, alice).content.decode()
    # then
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    assert "<b>1</b>" not in html and "NSFC-&lt;b&gt;1&lt;/b&gt;" in html
