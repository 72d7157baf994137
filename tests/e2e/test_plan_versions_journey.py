"""A unit head proposes new weights on their approved plan and reads its versions, in a real
browser, at 1280 and 390 px, in Chinese and English; every shot is checked for layout and by
axe-core. Screenshots: test-artifacts/e2e/plan-versions-<lang>-<viewport>-NN-*.png.
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

from performance.models import Plan, WeightChange
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("viewport", "lang"), [("desktop", "zh-hans"), ("phone", "en")])
def test_plan_versions_journey(
    make_page, demo_data, live_server, artifacts_dir, settings, tmp_path, viewport, lang
):
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("performance").seed_demo()
    plan = Plan.objects.get(unit__code="school-cs", status=Plan.Status.APPROVED)
    lines = list(plan.lines.order_by("pk"))
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"plan-versions-{lang}", viewport)
    page, _problems = make_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    log_in(page, base, "school-cs-head", plan.get_absolute_url())
    form = page.locator("#weights-change")
    expect(form).to_be_visible()
    # move five points from the first indicator to the second
    first, second = lines[0], lines[1]
    form.locator(f"input[name=weight-{first.pk}]").fill(str(first.weight - 5))
    form.locator(f"input[name=weight-{second.pk}]").fill(str(second.weight + 5))
    form.locator("input[name=reason]").fill("年度重点任务调整")
    shoot(page, viewport, "weights-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#weights-change")).to_have_count(0)
    assert WeightChange.objects.get(plan=plan).status == WeightChange.Status.PENDING
    page.goto(f"{base}/performance/plans/{plan.pk}/versions/")
    expect(page.locator(".data-table tbody td").first).to_be_visible()
    assert f"{first.weight} → {first.weight - 5}" in page.content()
    shoot(page, viewport, "versions")
