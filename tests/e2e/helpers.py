"""Helpers shared by the browser journeys."""

import pytest
from playwright.sync_api import Page


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
