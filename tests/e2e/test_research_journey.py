"""One-key handling of research funds, in real browsers, as the people involved.

zhangwei (faculty) opens the one-key inquiry on a desktop and sees his projects' balances; he
applies for a pre-borrowed invoice on one of them (the amount shows as frozen); the department's
research secretary and the research office approve it (service calls), and the finance office's
reviewer approves its last step on a 390 px phone, in English. The inquiry then shows the amount
moved from frozen to spent. Later zhangwei files the receipt claim that picks the invoice up: its
project, category and amount are carried over from it. The finance reviewer approves that on the
phone too; the hall sends the approved claim to the finance system of record (a local receiver
started here, as `make run` starts one), and the claim's page shows the receiver's
acknowledgement. The inquiry is looked at once more at 390 px in English, and his Party fees by
month (last month still owed) at 390 px in English and at 1280 px in Chinese.

Screenshots: test-artifacts/e2e/research-<viewport>-NN-<step>.png; every shot page passes the
layout checks and axe-core.
"""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.conf import settings
from django.utils import timezone

from hall.models import User
from tests.e2e.helpers import Shooter, log_in
from tests.files import real_pdf
from workflows import services as approvals
from workflows.models import ApprovalTask, ServiceRequest
from workflows.research import transfers
from workflows.research.models import BudgetLine, Project, TransferTarget
from workflows.research.receiver import serve_in_thread, url_of

pytestmark = pytest.mark.e2e

INVOICE = "research-fee-pre-borrowed-invoice"
CLAIM = "project-claim-with-preborrowed-invoice"
AMOUNT = Decimal("3260.00")


def figures(project: Project, category: str) -> tuple[Decimal, Decimal]:
    line = BudgetLine.objects.get(project=project, category=category)
    return line.spent, line.frozen


def funds_row(page: Page, project: Project, label: str):
    """The row of one category in one project's budget table on /research/."""
    card = page.locator("section.research-project").filter(
        has=page.locator(f"h2#project-{project.pk}")
    )
    return card.locator("tbody tr").filter(has=page.locator("th", has_text=label))


def approve_until_finance(request: ServiceRequest) -> ApprovalTask:
    """The steps before the finance office's, approved by their people; the finance task is
    claimed by finance-reviewer1 (the role has two holders) and returned."""
    reviewer = User.objects.get(username="finance-reviewer1")
    for _ in range(10):
        task = ApprovalTask.objects.get(request=request, status="pending")
        if task.candidates.filter(pk=reviewer.pk).exists() or task.assignee_id == reviewer.pk:
            if task.assignee_id is None:
                approvals.task_claim(task_id=task.pk, user=reviewer)
            return task
        if task.assignee_id is None:
            approvals.task_claim(task_id=task.pk, user=task.candidates.order_by("pk").first())
            task.refresh_from_db()
        approvals.task_decide(task_id=task.pk, user=task.assignee, action="approve", comment="同意")
    raise AssertionError("the chain never reached the finance office")


def approve_on_phone(phone: Page, base: str, number: str, shoot, step: str) -> None:
    phone.goto(f"{base}/tasks/")
    item = phone.locator(".task-list .task-item").filter(has_text=number)
    expect(item).to_have_count(1)
    with phone.expect_navigation():
        item.locator("a.service-name").click()
    expect(phone).to_have_url(re.compile(r"/tasks/\d+/$"))
    approve = phone.locator(".decide button[name=action][value=approve]")
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"Approve is off screen: {box}"
    shoot(phone, "phone", step)
    with phone.expect_navigation():
        approve.tap()
    expect(phone.locator(".messages .message.success")).to_be_visible()


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form.apply-form button[name=submit]").click()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def research_demo(demo_data):
    """The hall's demo plus the research funds demo (projects, budgets, a year of ledger)."""
    from workflows.research.demo import seed_demo_research

    return seed_demo_research()


@pytest.fixture
def receiver():
    server = serve_in_thread(secret=settings.FINANCE_RECEIVER_SECRET)
    yield server
    server.shutdown()
    server.server_close()


def test_research_journey(
    make_page,
    research_demo,
    live_server,
    artifacts_dir,
    media_root,
    celery_eager,
    receiver,
    tmp_path,
):
    base = live_server.url
    zhangwei = User.objects.get(username="zhangwei")
    project = Project.objects.filter(pi=zhangwei, status="active").order_by("number")[4]
    category = "publication"
    spent_before, frozen_before = figures(project, category)
    # The demo's claim service sends to the local receiver (here on a free port).
    TransferTarget.objects.filter(service__code=CLAIM).update(url=url_of(receiver), is_active=True)
    pdf = tmp_path / "发票.pdf"
    pdf.write_bytes(real_pdf())
    shoot = Shooter(artifacts_dir, "research")

    # 1. The one-key inquiry: his projects with their balances ---------------------------------
    page, problems = make_page("desktop")
    log_in(page, base, "zhangwei", "/research/")
    expect(page).to_have_url(f"{base}/research/")
    expect(page.locator(f"h2#project-{project.pk}")).to_contain_text(project.number)
    row = funds_row(page, project, "出版费")
    expect(row.locator("td").nth(1)).to_have_text(f"{spent_before:.2f}")
    expect(row.locator("td").nth(2)).to_have_text(f"{frozen_before:.2f}")
    shoot(page, "desktop", "inquiry")

    # 2. He applies for a pre-borrowed invoice on one of them ---------------------------------
    page.goto(f"{base}/services/{INVOICE}/apply/")
    page.locator("#id_project_number").select_option(project.number)
    page.locator("#id_budget_category").select_option(category)
    page.locator("#id_amount").fill(str(AMOUNT))
    page.locator("#id_receipts").fill("2")
    page.locator("#id_invoices").set_input_files(str(pdf))
    page.locator("#id_description").fill("《计算机学报》论文版面费，先开票后付款")
    shoot(page, "desktop", "invoice-form")
    submit(page)
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/requests/\d+/$"))
    invoice = ServiceRequest.objects.get(
        applicant=zhangwei, service__code=INVOICE, status="in_progress"
    )
    assert invoice.form_data["project_name"] == project.title  # filled from the system
    assert figures(project, category) == (spent_before, frozen_before + AMOUNT)
    shoot(page, "desktop", "invoice-submitted")

    # 3. The finance reviewer approves its last step on a phone, in English --------------------
    approve_until_finance(invoice)
    phone, phone_problems = make_page("phone")
    log_in(phone, base, "finance-reviewer1", "/tasks/")
    phone.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    approve_on_phone(phone, base, invoice.number, shoot, "invoice-task")
    invoice.refresh_from_db()
    assert invoice.status == "approved"

    # 4. The inquiry: the amount moved from frozen to spent ------------------------------------
    assert figures(project, category) == (spent_before + AMOUNT, frozen_before)
    page.goto(f"{base}/research/?q={project.number}")
    row = funds_row(page, project, "出版费")
    expect(row.locator("td").nth(1)).to_have_text(f"{spent_before + AMOUNT:.2f}")
    expect(row.locator("td").nth(2)).to_have_text(f"{frozen_before:.2f}")
    expect(page.locator("table.funds tbody tr").filter(has_text=invoice.number)).to_have_count(1)
    shoot(page, "desktop", "inquiry-spent")

    # 5. The receipt claim picks the invoice up: its data comes with it ------------------------
    page.goto(f"{base}/services/{CLAIM}/apply/")
    page.locator("#id_invoice").select_option(str(invoice.pk))
    page.locator("#id_receipts").fill("2")
    page.locator("#id_invoices").set_input_files(str(pdf))
    page.locator("#id_description").fill("版面费发票报销（对应预借发票）")
    shoot(page, "desktop", "claim-form")
    submit(page)
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/requests/\d+/$"))
    claim = ServiceRequest.objects.get(
        applicant=zhangwei, service__code=CLAIM, status="in_progress"
    )
    for key, value in (
        ("project_number", project.number),
        ("budget_category", category),
        ("amount", str(AMOUNT)),
    ):
        assert str(claim.form_data[key]) == value, key
    rows = page.locator(".form-rows")
    expect(rows).to_contain_text(project.number)
    expect(rows).to_contain_text(project.title)
    shoot(page, "desktop", "claim-submitted")

    # 6. The finance reviewer approves the claim on the phone; the hall sends it ---------------
    approve_until_finance(claim)
    approve_on_phone(phone, base, claim.number, shoot, "claim-task")
    claim.refresh_from_db()
    assert claim.status == "approved"
    outcome = transfers.transfers_tick(now=timezone.now() + timedelta(hours=1))
    assert outcome["sent"] >= 1
    assert [r["request"]["number"] for r in receiver.received] == [claim.number]
    ack = claim.research_transfer.ack_id
    assert ack.startswith("CW")
    # The money moved once, with the invoice: the claim froze nothing again.
    assert figures(project, category) == (spent_before + AMOUNT, frozen_before)

    # 7. The claim's page shows the target's acknowledgement ----------------------------------
    page.goto(f"{base}/requests/{claim.pk}/")
    expect(page.locator("main")).to_contain_text(ack)
    shoot(page, "desktop", "claim-acknowledged")

    # 8. The inquiry on a phone, in English -----------------------------------------------------
    small, small_problems = make_page("phone")
    log_in(small, base, "zhangwei", "/research/")
    small.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    small.goto(f"{base}/research/?q={project.number}")
    row = funds_row(small, project, "Publication")
    expect(row.locator("td").nth(1)).to_have_text(f"{spent_before + AMOUNT:.2f}")
    shoot(small, "phone", "inquiry-en")

    # 9. His Party fees, month by month, on the phone: last month is still owed ----------------
    small.goto(f"{base}/research/party-fees/")
    expect(small.locator("table.data-table tbody tr")).to_have_count(12)
    expect(small.locator("td.overdue")).to_have_count(1)
    shoot(small, "phone", "party-fees-en")
    page.goto(f"{base}/research/party-fees/")
    expect(page.locator("td.overdue")).to_have_count(1)
    shoot(page, "desktop", "party-fees")

    everything = problems.items + phone_problems.items + small_problems.items
    assert everything == [], "\n".join(everything)
