"""Helpers shared by the browser journeys."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from hall.demo import DEMO_PASSWORD
from hall.models import User

# WCAG 2.1 levels A and AA, as the accessibility audit of issue #9 ran them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe is injected with page.evaluate (Runtime.evaluate over CDP), which a Content-Security-
# Policy does not govern; a <script> tag added by the test would be refused by the CSP.
_AXE = Axe()
_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


class CheckClock:
    """Time spent in the checks below, so a journey's own time limit measures the hall only."""

    spent = 0.0


def assert_accessible(page: Page, where: str) -> None:
    """axe-core over the whole page: no violation of WCAG 2.1 A/AA."""
    results = _AXE.run(page, options=_AXE_OPTIONS)
    violations = results.response["violations"]
    if violations:
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(
                " ".join(n["target"]) + " " + n.get("failureSummary", "").replace("\n", " ")
                for n in v["nodes"][:3]
            )
            for v in violations
        ]
        pytest.fail(
            f"{where}: {len(violations)} axe violation(s) at {page.url}:\n" + "\n".join(lines)
        )


def assert_no_sideways_scroll(page: Page, viewport: str, where: str) -> None:
    """At 390 px and at 1280 px alike, no page is wider than the window."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    if widths["scroll"] > widths["inner"]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                          + ' right=' + Math.round(e.getBoundingClientRect().right))"""
        )
        pytest.fail(f"{where}: the {viewport} page scrolls sideways ({widths}); too wide: {wide}")


# Text boxes that must stay on one line (header items), buttons that may take two lines at
# most (never one character a line), and fact values that must not spill into a neighbour.
_LAYOUT_PROBLEMS = """() => {
  // The lines a box's text takes: the distinct tops of its text fragments.
  const lines = e => {
    const tops = [];
    const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let t = walk.nextNode(); t; t = walk.nextNode()) {
      if (!t.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      for (const r of range.getClientRects()) {
        if (r.width > 0 && !tops.some(top => Math.abs(top - r.top) < 4)) tops.push(r.top);
      }
    }
    return tops.length;
  };
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const name = e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' "' + e.textContent.trim().slice(0, 30) + '"';
  const problems = [];
  const header = document.querySelectorAll(
    '.site-header .main-nav a, .site-header .header-tools a, .site-header .header-tools button,'
    + ' .site-header .who, .site-header .brand-name, .site-header .nav-more > summary');
  for (const e of header) {
    if (!shown(e)) continue;
    if (lines(e) > 1) problems.push('header item wraps: ' + name(e) + ' lines=' + lines(e));
    const r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 || r.left < -1) {
      problems.push('header item off screen: ' + name(e));
    }
  }
  for (const e of document.querySelectorAll('main button, main .button')) {
    if (!shown(e) || e.closest('.visually-hidden')) continue;
    if (lines(e) > 2) problems.push('button squeezed: ' + name(e) + ' lines=' + lines(e));
  }
  for (const e of document.querySelectorAll('.facts dd, .facts dt')) {
    if (shown(e) && e.scrollWidth > e.clientWidth + 1) problems.push('spills: ' + name(e));
  }
  return problems;
}"""


def assert_layout(page: Page, viewport: str, where: str) -> None:
    assert_no_sideways_scroll(page, viewport, where)
    problems = page.evaluate(_LAYOUT_PROBLEMS)
    if problems:
        pytest.fail(f"{where} ({viewport}): " + "; ".join(problems))


def check_page(page: Page, viewport: str, where: str, *, axe: bool = True) -> None:
    """What every page of a journey must pass: the layout checks and axe-core."""
    started = time.monotonic()
    try:
        assert_layout(page, viewport, where)
        if axe:
            assert_accessible(page, where)
    finally:
        CheckClock.spent += time.monotonic() - started


class Shooter:
    """Numbered full-page screenshots: <journey>-<viewport>-NN-<step>.png, in journey order."""

    def __init__(self, artifacts_dir, journey: str, viewport: str = "", *, axe: bool = True):
        self.dir = artifacts_dir
        self.journey = journey
        self.axe = axe
        self.n = 0
        # A journey run per viewport clears only its own earlier screenshots.
        for old in artifacts_dir.glob(f"{journey}-{viewport}*.png"):
            old.unlink()

    def __call__(self, page: Page, viewport: str, step: str) -> None:
        # Every page a journey shoots is also checked: layout at its width, then axe-core.
        check_page(page, viewport, f"{self.journey} {step}", axe=self.axe)
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
