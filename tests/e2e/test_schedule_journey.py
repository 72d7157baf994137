"""The office keeps the leaders' week, in real browsers (1280 px and 390 px).

The schedule clerk opens 本周领导活动安排, adds an entry for the president, sees it on the week,
and the president opens his own page with his calendar feed's address. Screenshots go to
test-artifacts/e2e/schedule-<viewport>-NN-<step>.png.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from reception.models import Leader, ScheduleEntry
from reception.schedules_demo import seed_demo_schedules
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_office_adds_an_entry_and_the_leader_reads_his_week(
    viewport, demo_data, make_page, live_server, artifacts_dir
):
    # given
    assert seed_demo_schedules() > 0
    president = Leader.objects.get(user__username="president-office-head")
    today = timezone.localdate()
    day = today - timedelta(days=today.weekday()) + timedelta(days=5)  # this Saturday
    page, problems = make_page(viewport)
    shoot = Shooter(artifacts_dir, "schedule", viewport)
    log_in(page, live_server.url, "president-office-reviewer1", "/reception/schedules/")

    # when: the week, then the form
    expect(page.locator("h1")).to_have_text("本周领导活动安排")
    shoot(page, viewport, "week")
    page.locator('a[href="/reception/schedules/new/"]').click()
    page.locator("#id_leader").select_option(str(president.pk))
    page.locator("#id_title").fill("周末校友返校活动")
    page.locator("#id_day").fill(day.isoformat())
    page.locator("#id_start").fill("10:00")
    page.locator("#id_end").fill("11:30")
    page.locator("#id_place").fill("大礼堂")
    shoot(page, viewport, "form")
    page.locator("form.apply-form button[type=submit]").click()

    # then: on the week
    expect(page.locator(".sched-list")).to_contain_text(["周末校友返校活动"])
    assert ScheduleEntry.objects.filter(leader=president, title="周末校友返校活动").exists()
    shoot(page, viewport, "added")

    # the president reads his page, with his feed
    page.context.clear_cookies()
    log_in(
        page,
        live_server.url,
        "president-office-head",
        f"/reception/schedules/leaders/{president.pk}/",
    )
    expect(page.locator(".sched-feed a")).to_contain_text(str(president.feed_token))
    shoot(page, viewport, "leader")
    assert problems.items == []
