"""The duty office reports an incident and the vice-president acknowledges it; the office opens
the demo visit with its reception standard and three-item itinerary — in real browsers at
1280 px and 390 px, in Chinese and in English. Screenshots go to
test-artifacts/e2e/incident-<viewport>-<lang>-NN-<step>.png."""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.utils import timezone

from reception.emergencies_demo import seed_demo_emergencies
from reception.models import Incident, Visit
from reception.visits_demo import TITLE as VISIT
from reception.visits_demo import seed_demo_visits
from tests.e2e.conftest import set_language
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e
WORDS = {
    "zh-hans": {"list": "突发事件和重要情况", "ack": "确认收悉", "itinerary": "日程安排"},
    "en": {
        "list": "Emergencies and important incidents",
        "ack": "Acknowledge",
        "itinerary": "Itinerary",
    },
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_incident_is_reported_and_acknowledged_and_a_visit_read(
    viewport, lang, reception_demo, page_in, live_server, artifacts_dir
):
    assert seed_demo_emergencies() == 1 and seed_demo_visits() == 2
    words = WORDS[lang]
    page, problems = page_in(viewport, lang)
    shoot = Shooter(artifacts_dir, f"incident-{viewport}-{lang}", "")
    # given the duty office on the register
    log_in(page, live_server.url, "president-office-reviewer1", "/reception/incidents/")
    expect(page.locator("h1")).to_have_text(words["list"])
    shoot(page, viewport, "register")
    # when it reports a level II incident
    page.locator('a[href="/reception/incidents/new/"]').click()
    page.locator("#id_kind").select_option("health")
    page.locator("#id_level").select_option("2")
    page.locator("#id_title").fill("第二食堂疑似食物中毒")
    page.locator("#id_place").fill("第二食堂")
    page.locator("#id_occurred_at").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_description").fill("12名学生午餐后腹痛，已送校医院。")
    shoot(page, viewport, "form")
    page.locator("form.apply-form button[type=submit]").click()
    incident = Incident.objects.get(title="第二食堂疑似食物中毒")
    expect(page.locator("h1")).to_have_text(incident.title)
    shoot(page, viewport, "reported")
    # then the first tier's leader acknowledges it on its page
    set_language(page, live_server.url, lang)
    log_in(page, live_server.url, "organization-head", incident.get_absolute_url())
    page.get_by_role("button", name=words["ack"]).click()
    expect(page.locator(".timeline")).to_contain_text(incident.reporter.full_name)
    incident.refresh_from_db()
    assert incident.acknowledged_by.username == "organization-head"
    shoot(page, viewport, "acknowledged")
    # and the office reads the demo visit's standard and itinerary
    set_language(page, live_server.url, lang)
    visit = Visit.objects.get(title=VISIT)
    log_in(page, live_server.url, "president-office-reviewer1", visit.get_absolute_url())
    expect(page.locator("h2").nth(1)).to_have_text(words["itinerary"])
    assert page.locator(".timeline li").count() == 3
    shoot(page, viewport, "visit")
    assert problems.items == []
