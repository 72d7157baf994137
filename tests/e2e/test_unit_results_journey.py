"""A unit head reads their unit's approved evaluation result; the office finds the month's
supervision bulletin on the public notice page — in a real browser, 1280 and 390 px, zh and en.
Screenshots: test-artifacts/e2e/unit-results-<lang>-<viewport>-NN-*.png."""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps

from performance.models import Evaluation
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [("desktop", "zh-hans"), ("phone", "zh-hans"), ("desktop", "en"), ("phone", "en")],
)
def test_unit_results_journey(make_page, demo_data, live_server, artifacts_dir, viewport, lang):
    apps.get_app_config("performance").seed_demo()
    # the demo's mid-year evaluation, as if its chain had approved it
    Evaluation.objects.filter(period="mid").update(status=Evaluation.Status.APPROVED)
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"unit-results-{lang}", viewport)
    page, _problems = make_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    log_in(page, base, "school-cs-head", "/performance/plans/")
    page.locator("a[href='/performance/evaluations/my-unit/']").click()
    rows = page.locator(".data-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".grade")).to_be_visible()
    shoot(page, viewport, "list")
    rows.first.locator("a").first.click()
    expect(page.locator(".dash-counts")).to_be_visible()
    shoot(page, viewport, "detail")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    log_in(page, base, "president-office-reviewer1", "/performance/supervision/notice/")
    expect(page.locator(".sup-bulletin a")).to_have_count(2)
    shoot(page, viewport, "notice")
