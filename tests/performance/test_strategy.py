"""The job outline: numbered key tasks, its page and PDF, a key task made a supervision item."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from performance import strategy
from performance.models import KeyTask
from performance.services import SupervisionError
from tests.performance.conftest import at


@pytest.fixture
def theme(office):
    return strategy.theme_save(
        user=office["sam"], year=2026, title="提质增效年", summary="围绕一流大学建设目标。"
    )


def add(office, theme, title="建成一站式网上办事大厅", target=date(2026, 12, 31)):
    return strategy.key_task_add(
        user=office["sam"],
        theme_id=theme.pk,
        title=title,
        leader=office["lee"],
        lead_unit=office["school"],
        co_units=[office["research"]],
        target_date=target,
    )


def test_key_tasks_are_numbered_in_order(office, theme):
    first, second = add(office, theme), add(office, theme, title="新增人工智能本科专业")
    assert (first.n, second.n) == (1, 2)


def test_a_key_task_due_in_another_year_is_refused(office, theme):
    with pytest.raises(SupervisionError, match="A key task of 2026 is due within 2026."):
        add(office, theme, target=date(2027, 3, 1))
    assert not KeyTask.objects.exists()


def test_only_the_office_writes_the_outline(office, theme):
    with pytest.raises(SupervisionError, match="Only the office writes the job outline."):
        strategy.key_task_add(
            user=office["hank"],
            theme_id=theme.pk,
            title="x",
            leader=office["lee"],
            lead_unit=office["school"],
            target_date=date(2026, 12, 1),
        )


def test_a_key_task_becomes_a_supervision_item_due_on_its_target_date(office, theme):
    task = add(office, theme)
    with time_machine.travel(at("2026-12-01 09:00"), tick=False):
        item = strategy.key_task_supervise(task_id=task.pk, user=office["sam"], criteria="上线")
    assert item.source_ref == f"performance.keytask:{task.pk}"
    assert item.deadline == at("2026-12-31 17:30")
    assert list(item.co_units.all()) == [office["research"]]
    with pytest.raises(SupervisionError, match="already supervised"):
        strategy.key_task_supervise(task_id=task.pk, user=office["sam"], criteria="上线")


def test_the_outline_page_and_pdf(client, office, theme):
    add(office, theme)
    client.force_login(office["charlie"])
    page = client.get(reverse("performance:outline", args=[2026]))
    assert page.status_code == 200
    assert "建成一站式网上办事大厅" in page.content.decode()
    assert client.get(reverse("performance:strategy"))["Location"].endswith("/strategy/2026/")
    assert client.get(reverse("performance:outline", args=[2025])).status_code == 404
    pdf = client.get(reverse("performance:outline-pdf", args=[2026]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_only_the_office_supervises_a_key_task_from_the_page(client, office, theme):
    task = add(office, theme)
    url = reverse("performance:task-supervise", args=[task.pk])
    client.force_login(office["hank"])
    assert client.post(url, {"criteria": "上线"}).status_code == 404
    client.force_login(office["sam"])
    with time_machine.travel(at("2026-12-01 09:00"), tick=False):
        response = client.post(url, {"criteria": "上线"})
    task.refresh_from_db()
    assert response["Location"] == task.item.get_absolute_url()


def test_the_outline_costs_the_same_queries_at_1_and_30_tasks(client, office, theme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office["sam"])
    counts = []
    for n in (1, 29):
        for k in range(n):
            add(office, theme, title=f"任务{k}")
        client.get(reverse("performance:outline", args=[2026]))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("performance:outline", args=[2026]))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_outline_pdf_never_breaks_a_target_date_across_lines(office, theme):
    """Co-units of every length put the line's end at every place of the date: read back, each
    task's "完成时间：…年…月…日" stays on one line."""
    import re
    import shutil
    import subprocess

    from hall.models import Department

    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    for k in range(1, 15):
        unit = Department.objects.create(code=f"co-{k}", name_zh="协" * k + "处")
        strategy.key_task_add(
            user=office["sam"],
            theme_id=theme.pk,
            title=f"重点任务{k}",
            leader=office["lee"],
            lead_unit=office["school"],
            co_units=[unit],
            target_date=date(2026, 12, 28),
        )
    pdf = strategy.outline_pdf(theme)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
    text = done.stdout.decode()
    assert text.count("完成时间") == 14
    assert len(re.findall(r"完成时间：2026年12月28日", text)) == 14, text
