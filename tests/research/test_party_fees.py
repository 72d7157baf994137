"""The Party fee inquiry: its own import layout (checked rows, all or nothing, logged), and a page
where a member sees only their own months (base, rate, due, paid, arrears) by period, with an
Excel export; the Party office sees every member's."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from hall.models import Department, Role, User
from tests.research.conftest import csv_upload, xlsx_upload
from workflows.research import services
from workflows.research.models import ImportRun, PartyFeePayment

URL = "/research/party-fees/"
FEES = (
    "工号,月份,缴费基数,缴纳比例,应缴金额,实缴金额,缴纳日期\n"
    "T001,2026-01,12000,2,,240,2026-01-15\n"
    "T001,2026-02,12000,2,240,0,\n"
    "G001,2026-01,0,0,0.20,0.20,2026-01-10\n"
    "G001,2026-02,0,0,0.20,0.20,2026-02-10\n"
)


@pytest.fixture
def olga(db):
    organization = Department.objects.create(
        code="organization", name_zh="党委组织部", name_en="Organization Department"
    )
    user = User.objects.create_user(
        "olga", password="pw", full_name="欧佳", number="O001", department=organization
    )
    Role.objects.create(department=organization, code="cadre-officer", name_zh="干部科审核人")
    Role.objects.get(code="cadre-officer").holders.add(user)
    return user


@pytest.fixture
def fees(alice, gina):
    run = services.mirror_import_file(kind="party_fees", upload=csv_upload("fees.csv", FEES))
    assert run.ok, run.report
    return run


# --- the import ------------------------------------------------------------------------------


def test_a_good_file_is_imported_and_the_missing_due_is_base_times_rate(fees, alice):
    # then
    assert (fees.created, fees.updated, fees.kind) == (4, 0, "party_fees")
    january = PartyFeePayment.objects.get(member=alice, month=date(2026, 1, 1))
    assert (january.base, january.rate, january.due, january.paid) == (
        Decimal("12000"),
        Decimal("2"),
        Decimal("240.00"),
        Decimal("240"),
    )
    assert PartyFeePayment.objects.get(member=alice, month=date(2026, 2, 1)).arrears == 240


def test_a_repeated_file_counts_nothing_twice(fees):
    # when
    again = services.mirror_import_file(
        kind="party_fees", upload=xlsx_upload("fees.xlsx", [r.split(",") for r in FEES.split()])
    )
    # then
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert PartyFeePayment.objects.count() == 4


def test_a_file_with_one_bad_row_changes_nothing_and_names_the_row(fees, alice):
    # given: February is now paid, but one row names nobody
    text = (
        "member,month,base,rate,paid\n"
        "T001,2026-02,12000,2,240\n"
        "NOBODY,2026-02,5000,1,50\n"
        "T001,2026-13,12000,2,240\n"
    )
    # when
    run = services.mirror_import_file(kind="party_fees", upload=csv_upload("f.csv", text))
    # then
    assert not run.ok
    assert [p["row"] for p in run.report] == [3, 4]
    assert "NOBODY" in run.report[0]["reason"] and "YYYY-MM" in run.report[1]["reason"]
    assert PartyFeePayment.objects.get(member=alice, month=date(2026, 2, 1)).paid == 0
    assert ImportRun.objects.filter(kind="party_fees").count() == 2


def test_party_fees_do_not_make_the_research_mirror_look_fresh(client, fees, alice):
    client.force_login(alice)
    html = client.get("/research/").content.decode()
    assert "No figures have been brought from the finance and research systems yet." in html


# --- the page --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [
        pytest.param("alice", ["240.00", "12000.00"], ["王吉娜", "0.20"], id="member-own-only"),
        pytest.param("gina", ["0.20"], ["12000.00"], id="student-own-only"),
        pytest.param("bob", ["No Party fee payments"], ["12000.00", "0.20"], id="outsider-none"),
        pytest.param("olga", ["张爱丽", "王吉娜", "12000.00"], [], id="party-office-sees-all"),
    ],
)
def test_a_person_sees_only_their_own_party_fees(
    client, fees, bob, olga, request, who, sees, hidden
):
    # when
    client.force_login(request.getfixturevalue(who))
    html = client.get(URL).content.decode()
    # then
    for text in sees:
        assert text in html
    for text in hidden:
        assert text not in html


def test_the_party_fee_inquiry_needs_a_login(client, fees):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_page_shows_arrears_and_filters_by_period(client, fees, alice):
    client.force_login(alice)
    # when: the whole year, then January only
    year = client.get(URL).content.decode()
    january = client.get(URL, {"date_from": "2026-01-01", "date_to": "2026-01-31"})
    # then: February's 240 is owed; January alone owes nothing
    assert "2026-02" in year and "Arrears" in year
    assert year.count('class="overdue"') == 1
    html = january.content.decode()
    assert "2026-01" in html and "2026-02" not in html and 'class="overdue"' not in html


def test_a_bad_period_is_named_and_changes_nothing(client, fees, alice):
    client.force_login(alice)
    response = client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-01-01", "page": "x"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_the_party_office_looks_up_one_member(client, fees, olga):
    client.force_login(olga)
    html = client.get(URL, {"who": "G001"}).content.decode()
    assert "王吉娜" in html and "张爱丽" not in html


def test_the_excel_export_holds_only_the_persons_months(client, fees, gina):
    from openpyxl import load_workbook

    client.force_login(gina)
    response = client.get(URL, {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["2026-02", "2026-01"]
    assert all(r[3] == 0.2 for r in rows[1:])


def test_the_party_office_imports_fees_and_only_fees(client, olga, alice, gina):
    client.force_login(olga)
    page = client.get("/research/import/").content.decode()
    assert 'value="party_fees"' in page and 'value="budgets"' not in page
    response = client.post(
        "/research/import/", {"kind": "party_fees", "file": csv_upload("f.csv", FEES)}
    )
    assert response.status_code == 302
    assert PartyFeePayment.objects.count() == 4
    refused = client.post(
        "/research/import/", {"kind": "budgets", "file": csv_upload("b.csv", "project\n")}
    )
    assert refused.status_code == 200  # the form names the layout it may not use
    assert not ImportRun.objects.filter(kind="budgets").exists()


@pytest.mark.parametrize("n", [1, 50])
def test_the_party_fee_page_costs_the_same_queries_for_1_and_50_months(
    client, alice, django_assert_num_queries, n
):
    PartyFeePayment.objects.bulk_create(
        PartyFeePayment(
            member=alice,
            month=date(2020 + i // 12, i % 12 + 1, 1),
            base=Decimal(8000),
            rate=Decimal("1.5"),
            due=Decimal(120),
            paid=Decimal(120),
        )
        for i in range(n)
    )
    client.force_login(alice)
    client.get(URL)
    # user, Party office role, count, page of months, totals, mirror state
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    ("code", "page"),
    [("party-fee-inquiry", URL), ("research-finance-one-key-inquiry", "/research/")],
)
def test_applying_for_an_inquiry_service_opens_its_instant_page(
    client, make_service, alice, code, page
):
    # given: the catalogue's inquiry service
    make_service(code=code, is_online=True, for_staff=True)
    client.force_login(alice)
    # when
    response = client.get(reverse("workflows:apply", args=[code]))
    # then: no form, no chain: the answer
    assert response.status_code == 302 and response["Location"] == page
