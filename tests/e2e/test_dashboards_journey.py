"""A unit's check-in changes its dashboard; the office reads the institution's dashboard and
the evaluation results, in a real browser.

school-cs-head opens the School of CS's plan dashboard (demo: the indicator that needs evidence
is not reported), records its Q1 check-in on the plan page, and the dashboard shows its light;
president-office-reviewer1 opens the institution dashboard and the mid-year evaluation with its
veto. At 1280 and 390 px, in Chinese and English; every shot is checked for layout and axe-core.
Screenshots: test-artifacts/e2e/dashboards-<lang>-<viewport>-NN-*.png.
"""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps

from performance.models import Evaluation, Plan
from tests.e2e.helpers import Shooter, log_in
from tests.files import real_pdf

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [("desktop", "zh-hans"), ("phone", "zh-hans"), ("desktop", "en"), ("phone", "en")],
)
def test_dashboards_journey(
    make_page, demo_data, live_server, artifacts_dir, settings, tmp_path, viewport, lang
):
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("performance").seed_demo()
    plan = Plan.objects.get(unit__code="school-cs", status=Plan.Status.APPROVED)
    line = plan.lines.get(indicator__evidence_required=True)
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"dashboards-{lang}", viewport)
    page, _problems = make_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    dashboard = f"/performance/plans/{plan.pk}/dashboard/"
    log_in(page, base, "school-cs-head", dashboard)
    # the indicator without a check-in comes first among the not reported, with no light
    row = page.locator(".dash-table tbody tr", has_text=line.indicator.name)
    expect(row.locator(".sup-light")).to_have_count(0)
    shoot(page, viewport, "unit-before")
    page.goto(base + plan.get_absolute_url())
    form = page.locator(f"form[action$='/lines/{line.pk}/checkin/']")
    form.locator("input[name=quarter]").fill("1")
    form.locator("input[name=value]").fill("6")
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(real_pdf())
    form.locator("input[name=evidence]").set_input_files(str(pdf))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.goto(base + dashboard)
    # the dashboard shows the new light at once (its cached figures follow the check-in)
    expect(row.locator(".sup-light-green")).to_have_count(2)  # the line's light and Q1's
    shoot(page, viewport, "unit-after")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    log_in(page, base, "president-office-reviewer1", "/performance/plans/dashboard/")
    expect(page.locator(f"a[href='{dashboard}']")).to_be_visible()
    shoot(page, viewport, "institution")
    evaluation = Evaluation.objects.get(period="mid")
    page.goto(base + evaluation.get_absolute_url())
    expect(page.locator(".grade-fail").first).to_be_visible()
    shoot(page, viewport, "evaluation")
