"""The office picks a bonus item of the catalogue for a unit in the mid-year evaluation, in a
real browser, at 1280 and 390 px, in Chinese and English; every shot is checked for layout and
by axe-core. Screenshots: test-artifacts/e2e/score-items-<lang>-<viewport>-NN-*.png.
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

from performance.models import EntryItem, Evaluation, ScoreItem
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("viewport", "lang"), [("desktop", "en"), ("phone", "zh-hans")])
def test_score_items_journey(
    make_page, demo_data, live_server, artifacts_dir, settings, tmp_path, viewport, lang
):
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("performance").seed_demo()
    evaluation = Evaluation.objects.get(period=Evaluation.Period.MID_YEAR)
    entry = evaluation.entries.exclude(items__isnull=False).order_by("pk").first()
    award = ScoreItem.objects.get(name="获省级及以上教学、科研成果奖")
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"score-items-{lang}", viewport)
    page, _problems = make_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    url = f"/performance/evaluations/{evaluation.pk}/entries/{entry.pk}/"
    log_in(page, base, "president-office-reviewer1", url)
    form = page.locator("#item-add")
    expect(form).to_be_visible()
    shoot(page, viewport, "entry")
    form.locator("select[name=item]").select_option(str(award.pk))
    form.locator("input[name=note]").fill("获省级教学成果奖二等奖")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#score-items tbody td").first).to_be_visible()
    assert "获省级教学成果奖二等奖" in page.content()
    shoot(page, viewport, "item-added")
    assert EntryItem.objects.get(entry=entry).points == award.points
