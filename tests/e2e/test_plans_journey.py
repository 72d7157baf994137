"""A unit head reports a quarter's check-in on their plan, in a real browser.

school-cs-head opens the unit plans, then the School of CS's approved plan (demo), fills Q1 of
the indicator that needs evidence with a PDF, and the indicator's light appears. At 1280 and
390 px, in Chinese and English; every shot is checked for layout and by axe-core.
Screenshots: test-artifacts/e2e/plans-<lang>-<viewport>-NN-*.png.
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

from performance.models import CheckIn, Plan
from tests.e2e.helpers import Shooter, log_in
from tests.files import real_pdf

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [("desktop", "zh-hans"), ("phone", "zh-hans"), ("desktop", "en"), ("phone", "en")],
)
def test_plans_journey(
    make_page, demo_data, live_server, artifacts_dir, settings, tmp_path, viewport, lang
):
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("performance").seed_demo()
    plan = Plan.objects.get(unit__code="school-cs", status=Plan.Status.APPROVED)
    line = plan.lines.get(indicator__evidence_required=True)
    assert not line.checkins.exists()
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"plans-{lang}", viewport)
    page, _problems = make_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    log_in(page, base, "school-cs-head", "/performance/plans/")
    # every cell of the plans' table names its column (on a phone the header row is hidden)
    cells = page.locator(".data-table tbody td:not(.empty)")
    assert cells.count() > 0
    assert all(label for label in cells.evaluate_all("tds => tds.map(td => td.dataset.label)"))
    if viewport == "phone":
        label = page.locator(".data-table tbody td").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
        assert label not in ("none", "normal", ""), label
    shoot(page, viewport, "list")
    page.locator(f"a[href='{plan.get_absolute_url()}']").click()
    expect(page.locator(f"#line-{line.pk}")).to_be_visible()
    form = page.locator(f"form[action$='/lines/{line.pk}/checkin/']")
    form.locator("input[name=quarter]").fill("1")
    form.locator("input[name=value]").fill("6")
    form.locator("input[name=narrative]").fill("获批国家自然科学基金面上项目1项")
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(real_pdf())
    form.locator("input[name=evidence]").set_input_files(str(pdf))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(f"#line-{line.pk} .sup-light-green")).to_be_visible()
    shoot(page, viewport, "checked-in")
    checkin = CheckIn.objects.get(line=line, quarter=1)
    assert checkin.progress == 20  # 5 → 6 of the way to 10
    assert checkin.evidence
