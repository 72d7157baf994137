"""The gazette at 1280 and 390 px in both languages: an anonymous visitor reads the public list
and an issue; the office compiles a new issue from a public document and publishes it; the
copies page of the 秘密 opinion lists its print run. Every shot passes the layout checks and axe.
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

from documents.models import GazetteIssue, Outgoing
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_gazette_for_the_public_and_the_office(
    language, viewport, demo_data, make_page, live_server, artifacts_dir, settings, tmp_path
):
    # given: the demo, with its published issue
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("documents").seed_demo()
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"gazette-{language}", viewport)
    issue = GazetteIssue.objects.get(status="published")
    first = issue.entries.select_related("document").first().document
    # when: an anonymous visitor
    visitor, _problems = make_page(viewport)
    visitor.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    visitor.goto(f"{base}/documents/gazette/")
    # then: the issue with its contents
    expect(visitor.locator(".gazette-issue")).to_have_count(1)
    expect(visitor.locator(".gazette-contents li").first).to_contain_text(first.title)
    shoot(visitor, viewport, "public-list")
    visitor.locator(".gazette-issue h3 a").click()
    expect(visitor.locator("table.gazette-toc tbody tr")).to_have_count(issue.entries.count())
    shoot(visitor, viewport, "public-issue")
    # and the office compiles a new issue from a public document, then publishes it
    spare = Outgoing.objects.filter(status="registered", security="", gazette_entry=None).first()
    Outgoing.objects.filter(pk=spare.pk).update(is_public=True)
    office, _problems2 = make_page(viewport)
    office.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    log_in(office, base, "president-office-head", "/documents/gazette/manage/")
    shoot(office, viewport, "manage")
    office.locator("#id_title").fill("第二季度")
    with office.expect_navigation():
        office.locator("form[action$='/new/'] button").click()
    with office.expect_navigation():
        office.locator(".gazette-candidates button").first.click()
    expect(office.locator("table.gazette-toc tbody tr")).to_have_count(1)
    shoot(office, viewport, "compile")
    office.once("dialog", lambda dialog: dialog.accept())
    with office.expect_navigation():
        office.locator("form[action$='/publish/'] button").click()
    expect(office.locator(".message").first).to_contain_text("2026")
    shoot(office, viewport, "published")
    assert GazetteIssue.objects.filter(status="published").count() == 2
    # and the copies of the 秘密 opinion
    secret = Outgoing.objects.get(security="confidential", status="registered")
    office.goto(f"{base}/documents/{secret.pk}/copies/")
    expect(office.locator("table.doc-copies tbody tr")).to_have_count(1)
    shoot(office, viewport, "copies")
