"""Helpers shared by the browser journeys."""

import pytest
from playwright.sync_api import Page, expect

from hall.demo import DEMO_PASSWORD
from hall.models import User


def assert_no_sideways_scroll(page: Page, viewport: str, where: str) -> None:
    if viewport != "phone":
        return
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    if widths["scroll"] > widths["inner"] + 1:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                          + ' right=' + Math.round(e.getBoundingClientRect().right))"""
        )
        pytest.fail(f"{where}: page scrolls sideways on the phone ({widths}); too wide: {wide}")


class Shooter:
    """Numbered full-page screenshots: <journey>-<viewport>-NN-<step>.png, in journey order."""

    def __init__(self, artifacts_dir, journey: str, viewport: str = ""):
        self.dir = artifacts_dir
        self.journey = journey
        self.n = 0
        # A journey run per viewport clears only its own earlier screenshots.
        for old in artifacts_dir.glob(f"{journey}-{viewport}*.png"):
            old.unlink()

    def __call__(self, page: Page, viewport: str, step: str) -> None:
        self.n += 1
        path = self.dir / f"{self.journey}-{viewport}-{self.n:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)


def log_in(page: Page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    user = User.objects.get(username=username)
    expect(page.locator(".site-header .who")).to_have_text(user.get_full_name())
