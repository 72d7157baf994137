"""A visit from plan to archive in a real browser, at 1280 px in Chinese and at 390 px in
English: the office plans a one-day visit over the standard with a reason → the office's head
and then the higher approver (the vice-president, role ``visit-approver``) approve → the
logistics unit marks its service task done → the office downloads the itinerary PDF → enters the
actual costs and the summary → the visit is filed in the archives. Screenshots go to
test-artifacts/e2e/visit-plan-<viewport>-<lang>-NN-<step>.png."""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.utils import timezone

from archives.models import Record
from hall.models import Department
from reception.models import ActivityTask, Visit
from reception.schedules_demo import seed_demo_schedules
from reception.visits_demo import seed_demo_visits
from tests.e2e.helpers import Shooter, log_in
from workflows.models import ApprovalTask

pytestmark = pytest.mark.e2e
TITLE = "兄弟高校办公室工作交流"
WORDS = {
    "zh-hans": {"sent": "超标准", "filed": "已归档"},
    "en": {"sent": "over the standard", "filed": "Filed as"},
}


def _switch(page, base, lang):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])


def _approve(page, base, lang, username, visit, shoot, viewport, step):
    _switch(page, base, lang)
    task = ApprovalTask.objects.get(request_id=visit.request_id, status="pending")
    log_in(page, base, username, f"/tasks/{task.pk}/")
    claim = page.locator("form:has(input[name=op][value=claim]) button[type=submit]")
    if claim.count():
        with page.expect_navigation():
            claim.click()
    page.locator(".decide textarea[name=comment]").fill("同意。")
    shoot(page, viewport, step)
    with page.expect_navigation():
        page.locator(".decide button[name=action][value=approve]").click()
    expect(page.locator(".messages .message.success")).to_be_visible()


@pytest.mark.parametrize(("viewport", "lang"), [("desktop", "zh-hans"), ("phone", "en")])
def test_a_visit_over_the_standard_is_approved_served_and_filed(
    viewport, lang, demo_data, make_page, live_server, artifacts_dir, celery_eager
):
    seed_demo_schedules()
    seed_demo_visits()
    base, words = live_server.url, WORDS[lang]
    page, problems = make_page(viewport)
    shoot = Shooter(artifacts_dir, f"visit-plan-{viewport}-{lang}", "")
    today = timezone.localdate()
    # given the office clerk makes a one-day visit of two division-level guests today
    _switch(page, base, lang)
    log_in(page, base, "president-office-reviewer1", "/reception/visits/new/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_organisation").fill("某大学党政办公室")
    page.locator("#id_guests").fill("周主任\n吴科长")
    page.locator("#id_level").select_option("division")
    page.locator("#id_starts_on").fill(f"{today:%Y-%m-%d}")
    page.locator("#id_ends_on").fill(f"{today:%Y-%m-%d}")
    page.locator("#id_people").fill("2")
    with page.expect_navigation():
        page.locator("form.apply-form button[type=submit]").click()
    visit = Visit.objects.get(title=TITLE)
    # and an itinerary item
    page.locator("details:has(#id_place) summary").click()
    page.locator("#id_starts_at").fill(f"{today:%Y-%m-%d}T14:00")
    page.locator("#id_ends_at").fill(f"{today:%Y-%m-%d}T16:00")
    page.locator("#id_place").fill("行政楼第二会议室")
    page.locator("#id_activity").fill("工作交流座谈")
    with page.expect_navigation():
        page.locator("details:has(#id_place) button[type=submit]").click()
    expect(page.locator(".timeline li")).to_have_count(1)
    # when the plan goes over the standard (meals: 80 × 2 people × 1 day = 160) with a reason
    form = page.locator("form.visit-plan-form")
    form.locator("#id_meals").fill("300")
    form.locator("#id_rooms").fill("0")
    form.locator("#id_cars").fill("100")
    form.locator("#id_reason").fill("交流团延长座谈并增加工作晚餐")
    shoot(page, viewport, "plan")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".messages .message.success")).to_contain_text(words["sent"])
    shoot(page, viewport, "plan-sent")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PENDING and visit.over_standard
    # then the office's head approves, and the plan waits for the higher approver
    _approve(page, base, lang, "president-office-head", visit, shoot, viewport, "head")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PENDING
    _approve(page, base, lang, "organization-head", visit, shoot, viewport, "higher")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED
    # the office gives logistics a service task
    _switch(page, base, lang)
    log_in(page, base, "president-office-reviewer1", visit.get_absolute_url())
    page.locator("details:has(#task_kind) summary").click()
    page.locator("#task_kind").select_option("catering")
    page.locator("#task_title").fill("工作晚餐两人，教工餐厅")
    logistics = Department.objects.get(code="logistics")
    page.locator("#task_department").select_option(value=str(logistics.pk))
    page.locator("#task_due_at").fill(f"{today:%Y-%m-%d}T12:00")
    with page.expect_navigation():
        page.locator("details:has(#task_kind) button[type=submit]").click()
    task = ActivityTask.objects.get(visit=visit)
    # the unit marks it done on its task list
    _switch(page, base, lang)
    log_in(page, base, "logistics-reviewer1", "/reception/activities/tasks/")
    row = page.locator("tr", has_text="工作晚餐两人")
    shoot(page, viewport, "unit-tasks")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    task.refresh_from_db()
    assert task.done_at is not None
    # the office downloads the printable itinerary
    _switch(page, base, lang)
    log_in(page, base, "president-office-reviewer1", visit.get_absolute_url())
    expect(page.locator(".data-table").last).to_contain_text("工作晚餐两人")
    with page.expect_download() as download:
        page.locator(f"a[href='/reception/visits/{visit.pk}/itinerary.pdf']").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    shoot(page, viewport, "approved")
    # and, the visit over, enters the costs and the summary
    costs = page.locator("form.visit-costs-form")
    costs.locator("#id_meals").fill("280")
    costs.locator("#id_rooms").fill("0")
    costs.locator("#id_cars").fill("90")
    costs.locator("#id_gifts").fill("0")
    costs.locator("#id_summary").fill("交流顺利，双方就办公室信息化建设交换了意见。")
    with page.expect_navigation():
        costs.locator("button[type=submit]").click()
    expect(page.locator(".messages .message.success")).to_be_visible()
    record = Record.objects.get(source_ref=f"reception.visit:{visit.pk}")
    page.reload()
    expect(page.locator(".visit-status")).to_contain_text(record.code)
    expect(page.locator(".visit-status")).to_contain_text(words["filed"])
    shoot(page, viewport, "filed")
    assert problems.items == []
