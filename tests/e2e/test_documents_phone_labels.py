"""At 390 px the hall's tables stack their cells: on the documents' register, the dispatch
table of a document page and the received list, every stacked cell must say which column it
is (its data-label, drawn before it), in both languages.

Assertions compare each cell's label with its column's header, never with fixed UI strings.
"""

import os

import pytest

try:
    from playwright.sync_api import expect  # noqa: F401
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps

from documents.models import Dispatch
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e

# For each data table: its headers, and per body cell the text drawn before it.
CELLS = """() => [...document.querySelectorAll("table.data-table")].map(t => ({
  heads: [...t.querySelectorAll("thead th")].map(th => th.textContent.trim()),
  rows: [...t.querySelectorAll("tbody tr")].filter(tr => !tr.querySelector("td.empty")).map(tr =>
    [...tr.children].map(td => getComputedStyle(td, "::before").content))
}))"""


def _labelled(page) -> int:
    tables = page.evaluate(CELLS)
    assert tables, page.url
    cells = 0
    for table in tables:
        assert table["rows"], page.url
        for row in table["rows"]:
            assert len(row) == len(table["heads"]), page.url
            for head, before in zip(table["heads"], row, strict=True):
                assert head and head in before, (page.url, head, before)
                cells += 1
    return cells


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_stacked_cells_name_their_column_at_390_px(
    language, demo_data, make_page, live_server, artifacts_dir, settings, tmp_path, celery_eager
):
    # given: the demo, with the winter-holiday notice dispatched
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("documents").seed_demo()
    base = live_server.url
    shoot = Shooter(artifacts_dir, f"documents-labels-{language}", "phone")
    dispatch = Dispatch.objects.select_related("document", "department").first()
    assert dispatch is not None, "the demo dispatches a document"
    member = dispatch.department.members.order_by("pk").first()
    office, _problems = make_page("phone")
    office.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    log_in(office, base, "president-office-head", "/documents/")
    # when / then: the register and the dispatch table
    assert _labelled(office) > 0
    office.goto(f"{base}{dispatch.document.get_absolute_url()}")
    assert _labelled(office) >= 3
    shoot(office, "phone", "dispatch")
    # and the received list of an addressee department
    clerk, _problems2 = make_page("phone")
    clerk.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    log_in(clerk, base, member.username, "/documents/received/")
    assert _labelled(clerk) >= 7
    shoot(clerk, "phone", "received")
