"""The contract review page in a real browser at 1280 and 390 px, in Chinese and English: the
legal office reads a review with two versions and two opinions, and the register marks the
contract that ends within 30 days. Each page passes the hall's layout checks and axe-core."""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps

from documents.models import ContractReview
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


def test_the_review_page_at_both_widths_in_both_languages(
    demo_data, make_page, live_server, artifacts_dir, settings, tmp_path, celery_eager
):
    # given: the demo, with its legal office
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("documents").seed_demo()
    review = ContractReview.objects.get(title="智慧教室建设技术服务合同")
    assert review.versions.count() == 2
    base = live_server.url
    for viewport in ("desktop", "phone"):
        shoot = Shooter(artifacts_dir, "legal-review", viewport)
        for language in ("zh-hans", "en"):
            page, problems = make_page(viewport)
            page.context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
            )
            # when
            log_in(page, base, "legal-director", review.get_absolute_url())
            # then
            expect(page.locator("h1")).to_have_text(review.title)
            expect(page.locator("table.data-table tbody tr")).to_have_count(2)
            expect(page.locator(".legal-opinion")).to_have_count(2)
            shoot(page, viewport, f"review-{language}")
            page.locator("nav.tabs a").nth(1).click()
            expect(page.locator("span.badge.urgent")).to_have_count(1)
            shoot(page, viewport, f"register-{language}")
            assert not problems.items, problems.items
