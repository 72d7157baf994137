"""Issued minutes in a real browser: the meeting's page names the 纪要 the Administrative Center
registered and links it; a decision's link opens its paragraph, highlighted; the document's
page and its 纪要 PDF open for the chair. Desktop in Chinese, phone in English.
Screenshots: test-artifacts/e2e/minutes-<viewport>-NN-*.png.

Assertions rely on structure, URLs and data, never on translated UI strings.
"""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from performance.models import Decision, Minutes
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e
LANGUAGE = {"desktop": "zh-hans", "phone": "en"}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_issued_minutes_link_their_document_and_paragraphs(
    make_page, demo_data, live_server, artifacts_dir, viewport
):
    from performance.demo import seed_demo_supervision

    seed_demo_supervision()  # two meetings with issued minutes and their decisions
    base = live_server.url
    shoot = Shooter(artifacts_dir, "minutes", viewport)
    decision = Decision.objects.select_related("meeting").order_by("pk").first()
    meeting = decision.meeting
    minutes = Minutes.objects.select_related("document").get(meeting=meeting)
    document = minutes.document
    assert document.number == minutes.number and document.doc_type == "minutes"

    page, problems = make_page(viewport)
    page.context.add_cookies(
        [{"name": "django_language", "value": LANGUAGE[viewport], "url": base}]
    )
    log_in(page, base, "president-office-head", meeting.get_absolute_url())
    issued = page.locator(".sup-issued")
    expect(issued.locator(f"a[href='/documents/{document.pk}/']")).to_have_text(document.number)
    expect(issued.locator(f"a[href='/documents/{document.pk}/pdf/']")).to_have_count(1)
    # the decision's link opens its paragraph, marked and highlighted
    page.locator(f"#decision-{decision.pk} a[href='#p-{decision.paragraph}']").click()
    expect(page).to_have_url(f"{base}{meeting.get_absolute_url()}#p-{decision.paragraph}")
    target = page.locator(f"#p-{decision.paragraph}")
    expect(target).to_have_class("decided")
    background = target.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    shoot(page, viewport, "meeting")
    # the document's page, and its 纪要 PDF
    page.goto(f"{base}/documents/{document.pk}/")
    expect(page.locator(".record-code").first).to_have_text(document.number)
    shoot(page, viewport, "document")
    response = page.request.get(f"{base}/documents/{document.pk}/pdf/")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert problems.items == []
