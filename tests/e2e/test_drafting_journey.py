"""A short journey through drafting tasks and government affairs information on the demo: the
writer sees which units are missing and chases one, compares two versions; a unit hands in its
material; the editor opens the score table and the issues. Once in Chinese on a 390 px phone,
once in English at 1280 px; every page shot is checked for layout and axe-core."""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps

from documents.drafting_demo import WORK_REPORT
from documents.models import DraftingTask, Material
from tests.documents.test_drafting_views import PDF
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("language", "viewport"), [("zh-hans", "phone"), ("en", "desktop")])
def test_drafting_and_information_journey(
    language,
    viewport,
    demo_data,
    make_page,
    live_server,
    artifacts_dir,
    settings,
    tmp_path,
    celery_eager,
):
    # given: the demo's work report with units missing, and its information items
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("documents").seed_demo()
    base = live_server.url
    task = DraftingTask.objects.get(title=WORK_REPORT)
    shoot = Shooter(artifacts_dir, f"drafting-{language}", viewport)
    cookie = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]

    # when: the writer opens the task and chases a missing unit
    writer, problems = make_page(viewport)
    writer.context.add_cookies(cookie)
    log_in(writer, base, "president-office-reviewer1", "/documents/drafting/")
    shoot(writer, viewport, "list")
    writer.locator(f'a[href="{task.get_absolute_url()}"]').first.click()
    missing = Material.objects.filter(task=task, submitted_at=None).count()
    assert missing == 2
    chase_buttons = writer.locator("form[action$='/chase/'] button")
    expect(chase_buttons).to_have_count(missing)
    shoot(writer, viewport, "task")
    chase_buttons.first.click()
    expect(writer.locator(".messages, .message, [role=status]").first).to_be_visible()
    # and compares the two versions
    writer.locator("form[action$='/compare/'] button").click()
    expect(writer.locator("table.doc-diff ins").first).to_be_visible()
    shoot(writer, viewport, "compare")

    # when: the personnel division hands in its material
    unit, _unit_problems = make_page(viewport)
    unit.context.add_cookies(cookie)
    log_in(unit, base, "personnel-reviewer1", "/documents/drafting/")
    mine = Material.objects.get(task=task, department__code="personnel")
    unit.locator(f'a[href="{mine.get_absolute_url()}"]').click()
    unit.locator("input[type=file]").set_input_files(
        {"name": "人才引进情况.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    unit.locator("textarea").fill("2026年引进高层次人才12人。")
    unit.locator("form.apply-form button[type=submit]").click()
    expect(unit.locator("a[href$='/file/']")).to_be_visible()
    shoot(unit, viewport, "material")
    # then: the writer sees one unit fewer missing
    mine.refresh_from_db()
    assert mine.submitted_at is not None
    writer.goto(f"{base}{task.get_absolute_url()}")
    expect(writer.locator("form[action$='/chase/'] button")).to_have_count(missing - 1)

    # when: the editor opens the score table and the issues
    writer.goto(f"{base}/documents/info/scores/?period=year")
    expect(writer.locator("table.data-table tbody tr")).to_have_count(6)
    shoot(writer, viewport, "scores")
    writer.goto(f"{base}/documents/info/issues/")
    expect(writer.locator("table.data-table tbody tr")).to_have_count(2)
    shoot(writer, viewport, "issues")
    assert not problems.items, problems.items
