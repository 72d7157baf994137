"""The supervision bulletin (督查通报) of a month: the figures of its PDF (read back with
pdftotext) and of its workbook (read back with openpyxl), and who may download it."""

import io
import subprocess

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from hall.models import User
from performance import bulletin
from performance.models import Item, NoticeEntry
from tests.performance.conftest import at

NOW = "2026-12-05 10:00"


def _item(office, title, unit, deadline, *, status=Item.Status.IN_PROGRESS, closed=None):
    return Item.objects.create(
        title=title,
        source_kind="assigned",
        criteria="按期完成",
        leader=office["lee"],
        lead_unit=office[unit],
        days=5,
        assigned_at=at("2026-10-01 09:00"),
        deadline=at(deadline),
        status=status,
        closed_at=at(closed) if closed else None,
    )


@pytest.fixture
def month(office):
    """November 2026: the school closed one item on time and let one run 10 days late; the
    research division closed one 3 days late; finance's October item is still open and on
    November's notice; a December item is not November's."""
    closed = Item.Status.CLOSED
    _item(office, "修订本科教学管理办法", "school", "2026-11-10 17:30", status=closed,
          closed="2026-11-09 16:00")  # fmt: skip
    late = _item(office, "完成实验室安全排查", "school", "2026-11-20 17:30")
    _item(office, "提交科研经费自查报告", "research", "2026-11-25 17:30", status=closed,
          closed="2026-11-28 10:00")  # fmt: skip
    old = _item(office, "清理往来款项", "finance", "2026-10-20 17:30")
    _item(office, "筹备年度考核会议", "research", "2026-12-15 17:30")
    NoticeEntry.objects.create(item=late, period="2026-11", deadline=late.deadline)
    NoticeEntry.objects.create(item=old, period="2026-11", deadline=old.deadline)
    return office


def _text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=pdf, capture_output=True
    )
    return done.stdout.decode()


def test_the_bulletin_counts_the_months_items_names_the_late_and_rates_the_units(month):
    # when the bulletin of November is made in December
    with time_machine.travel(at(NOW), tick=False):
        found = bulletin.bulletin("2026-11")
    # then four items are November's (due in it or on its notice), the December one is not
    assert len(found.items) == 4
    assert dict(found.by_status)["已销号"] == 2 and dict(found.by_status)["办理中"] == 2
    assert dict(found.by_light)["已逾期"] == 2
    assert [(r.item.title, r.unit, r.days) for r in found.late] == [
        ("清理往来款项", "财务处", 41),
        ("完成实验室安全排查", "计算机学院", 10),
        ("提交科研经费自查报告", "科学研究院", 3),
    ]
    assert [(u.unit, u.due, u.on_time, u.rate) for u in found.units] == [
        ("计算机学院", 2, 1, 50.0),
        ("科学研究院", 1, 0, 0.0),
    ]


def test_while_the_month_runs_only_what_was_due_by_now_counts(month):
    # on 22 November the research item of the 25th is not due yet and the school's is 2 days late
    with time_machine.travel(at("2026-11-22 09:00"), tick=False):
        found = bulletin.bulletin("2026-11")
    assert dict((r.item.title, r.days) for r in found.late)["完成实验室安全排查"] == 2
    assert [(u.unit, u.due, u.on_time) for u in found.units] == [("计算机学院", 2, 1)]


def test_the_pdf_reads_back_with_the_figures(client, month):
    with time_machine.travel(at(NOW), tick=False):
        client.force_login(month["sam"])
        response = client.get(reverse("performance:bulletin-pdf"), {"period": "2026-11"})
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "2026年11月督查通报" in text
    assert "事项共 4 件" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(
        line.startswith("完成实验室安全排查 计算机学院 李领导") and "10天" in line for line in lines
    )
    assert any(line.startswith("清理往来款项 财务处") and line.endswith("41天") for line in lines)
    assert "计算机学院 2 1 50.0%" in lines
    assert "科学研究院 1 0 0.0%" in lines


def test_the_workbook_reads_back_with_the_figures(client, month):
    with time_machine.travel(at(NOW), tick=False):
        client.force_login(month["sam"])
        response = client.get(reverse("performance:bulletin-xlsx"), {"period": "2026-11"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概况", "逾期事项", "单位按期办结率", "全部事项"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True) if row}
    assert (summary["事项总数"], summary["已销号"], summary["已逾期"]) == (4, 2, 2)
    late = list(book["逾期事项"].iter_rows(min_row=2, values_only=True))
    assert late[1] == ("完成实验室安全排查", "计算机学院", "李领导", "2026-11-20", 10, "办理中")
    rates = list(book["单位按期办结率"].iter_rows(min_row=2, values_only=True))
    assert rates == [("计算机学院", 2, 1, 50.0), ("科学研究院", 1, 0, 0.0)]
    assert book["全部事项"].max_row == 5


def test_the_notice_page_links_the_bulletin_for_the_office_only(client, month):
    url = reverse("performance:notice")
    client.force_login(month["sam"])
    page = client.get(url, {"period": "2026-11"}).content.decode()
    assert "/performance/supervision/notice/bulletin.pdf?period=2026-11" in page
    client.force_login(month["hank"])
    page = client.get(url, {"period": "2026-11"}).content.decode()
    assert "bulletin.pdf" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("sam", 200),  # the office
        ("lee", 404),  # the leader in charge
        ("hank", 404),  # the head of a lead unit
        ("lina", 404),  # a student
        ("charlie", 404),  # an outsider
        (None, 302),  # anonymous: to the login page
    ],
)
def test_only_the_office_downloads_the_bulletin(client, month, who, status):
    if who:
        client.force_login(User.objects.get(username=who))
    for name in ("performance:bulletin-pdf", "performance:bulletin-xlsx"):
        response = client.get(reverse(name), {"period": "2026-11"})
        assert response.status_code == status, name
        if status == 302:
            assert "/login/" in response["Location"]


def test_a_bad_month_is_refused_with_a_message(client, month):
    client.force_login(month["sam"])
    for bad in ("2026-13", "x", "2026-11' or 1=1"):
        response = client.get(reverse("performance:bulletin-xlsx"), {"period": bad}, follow=True)
        assert "Give the month as YYYY-MM." in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_notice_page_reads_in_both_languages(client, month, settings, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(month["sam"])
    page = client.get(reverse("performance:notice"), {"period": "2026-11"}).content.decode()
    expected = "本月督查通报：" if language == "zh-hans" else "Supervision bulletin (督查通报)"
    assert expected in page
