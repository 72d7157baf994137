"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against the live server.

No browser is ever downloaded: the journeys use /usr/bin/chromium. When it (or Playwright) is
missing the e2e tests are skipped, unless HALL_REQUIRE_E2E=1 asks for them to fail instead.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; without this Django refuses
# ORM calls from it ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    },
}


def _unavailable(reason: str):
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        pytest.fail(f"HALL_REQUIRE_E2E=1 but the e2e tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium); no browser to drive")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev extras install it
        _unavailable(f"Playwright is not installed: {exc}")
    # expect() has its own limit (5 s by default), apart from the context's: the same reasoning.
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def demo_data(transactional_db):
    """The real demo catalogue. transactional_db empties every table after each test, so the
    data is loaded per test (a few seconds) rather than once per module."""
    from hall.demo import seed_demo

    return seed_demo()


class BrowserProblems:
    """Page errors, console errors and failed same-origin responses seen during a journey."""

    def __init__(self, origin: str):
        self.origin = origin
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.items.append(f"console: {msg.text}"),
        )
        page.on(
            "response",
            lambda r: (
                r.url.startswith(self.origin)
                and r.status >= 400
                and self.items.append(f"HTTP {r.status}: {r.url}")
            ),
        )


@pytest.fixture
def make_page(browser, live_server):
    """Opens a page in a fresh context (own cookies) for the named viewport."""
    contexts = []

    def make(viewport: str):
        # A browser set to Chinese, like the hall's users; the default language is zh-hans anyway.
        context = browser.new_context(locale="zh-CN", **VIEWPORTS[viewport])
        # Limits on waiting for a condition, generous for a busy machine; they bound only a
        # failing step (a passing one goes on as soon as its condition holds).
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        problems = BrowserProblems(live_server.url)
        problems.watch(page)
        return page, problems

    yield make
    for context in contexts:
        context.close()


def set_language(page, base: str, lang: str) -> None:
    """Signs the page's context out (no cookies) and keeps the hall's language ``lang``."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])


@pytest.fixture
def page_in(make_page, live_server):
    """A fresh page for the viewport, with the hall's language set (``page_in(viewport, lang)``
    gives ``(page, problems)``); the Service Center's journeys open theirs so."""

    def make(viewport: str, lang: str):
        page, problems = make_page(viewport)
        set_language(page, live_server.url, lang)
        return page, problems

    return make


@pytest.fixture
def reception_demo(demo_data):
    """The demo, with the Service Center's resources and bookings and the leaders' schedules
    (and the duty office that reports incidents and arranges visits)."""
    from reception.demo import seed_demo_reception
    from reception.schedules_demo import seed_demo_schedules

    seed_demo_reception()
    seed_demo_schedules()
    return demo_data
