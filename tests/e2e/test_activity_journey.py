"""The Service Center's office makes a large activity on its page, edits it, books a room for it,
gives a service task to a unit, withdraws the task and takes the booking off again; the grid
links the activities and, for the duty office, the incidents' register — in real browsers at
1280 px and 390 px, in Chinese and in English. Screenshots go to
test-artifacts/e2e/activity-<lang>-<viewport>-NN-<step>.png."""

import os
from datetime import timedelta

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.utils import timezone

from reception.activities_demo import seed_demo_activities
from reception.models import Activity, ActivityTask, Booking, Resource
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e
WORDS = {
    "zh-hans": {"activities": "大型活动", "incidents": "突发事件和重要情况", "saved": "已保存"},
    "en": {
        "activities": "Large activities",
        "incidents": "Emergencies and important incidents",
        "saved": "Saved",
    },
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_activity_is_made_edited_booked_and_tasked_on_its_pages(
    viewport, lang, reception_demo, page_in, live_server, artifacts_dir
):
    seed_demo_activities()
    words = WORDS[lang]
    page, problems = page_in(viewport, lang)
    page.on("dialog", lambda dialog: dialog.accept())
    shoot = Shooter(artifacts_dir, f"activity-{lang}", viewport)
    day = timezone.localdate() + timedelta(days=10)
    # given the office on the Service Center's grid, which links activities and incidents
    log_in(page, live_server.url, "president-office-reviewer1", "/reception/resources/")
    expect(page.get_by_role("link", name=words["incidents"])).to_be_visible()
    shoot(page, viewport, "grid")
    page.get_by_role("link", name=words["activities"], exact=True).click()
    expect(page.locator("h1")).to_have_text(words["activities"])
    shoot(page, viewport, "list")
    # when it makes an activity
    page.locator('a[href="/reception/activities/new/"]').click()
    page.locator("#id_title").fill("新生开学典礼")
    page.locator("#id_starts_on").fill(day.isoformat())
    page.locator("#id_ends_on").fill(day.isoformat())
    page.locator("#id_attendance").fill("3000")
    page.locator("#id_place").fill("体育馆")
    shoot(page, viewport, "new")
    page.locator("form.apply-form button[type=submit]").click()
    activity = Activity.objects.get(title="新生开学典礼")
    expect(page.locator("h1")).to_have_text("新生开学典礼")
    # and edits it on its page
    page.locator(f'a[href="/reception/activities/{activity.pk}/edit/"]').click()
    page.locator("#id_title").fill("新生开学典礼暨军训动员")
    page.locator("#id_attendance").fill("3200")
    shoot(page, viewport, "edit")
    page.locator("form.apply-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("新生开学典礼暨军训动员")
    expect(page.locator(".messages")).to_contain_text(words["saved"])
    # and books a room for it
    room = Resource.objects.filter(kind="room", is_active=True, needs_approval=False).first()
    page.locator("article details").nth(0).locator("summary").click()
    page.locator("#book_resource").select_option(str(room.pk))
    page.locator("#book_day").fill(day.isoformat())
    page.locator("#book_start").fill("09:00")
    page.locator("#book_end").fill("10:00")
    page.locator("#book_attendees").fill("20")
    page.locator('form[action$="/book/"] button[type=submit]').click()
    booking = Booking.objects.get(activity_link__activity=activity)
    assert booking.status == Booking.Status.CONFIRMED
    # and gives a service task to a unit
    page.locator("article details").nth(1).locator("summary").click()
    page.locator("#task_kind").select_option("security")
    page.locator("#task_title").fill("入场安检")
    page.locator("#task_department").select_option(index=1)
    page.locator("#task_due_at").fill(f"{day.isoformat()}T08:00")
    shoot(page, viewport, "task-form")
    page.locator('form[action$="/tasks/"] button[type=submit]').click()
    expect(page.locator("main")).to_contain_text("入场安检")
    shoot(page, viewport, "booked-and-tasked")
    # then it withdraws the task and takes the booking off
    page.locator('form[action$="/remove/"][action*="/activities/tasks/"] button').click()
    expect(page.locator(".messages")).to_be_visible()
    assert not ActivityTask.objects.filter(activity=activity).exists()
    page.locator('form[action$="/remove/"][action*="/bookings/"] button').click()
    expect(page.locator(".messages")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    shoot(page, viewport, "emptied")
    assert problems.items == []
