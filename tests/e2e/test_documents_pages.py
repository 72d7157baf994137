"""The Administrative Center's new pages in a real browser, on the demo data: the received
documents, the incoming register and an incoming document in circulation (a reader marks it
read), the seals, a seal's log and a seal use — layout at 390 and 1280 px and axe-core on each.
Screenshots: test-artifacts/e2e/documents-<viewport>-NN-<step>.png.

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

from django.apps import apps

from documents.models import Circulation, Incoming, Seal, SealUse
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_documents_pages(
    viewport, demo_data, make_page, live_server, artifacts_dir, settings, tmp_path, celery_eager
):
    settings.MEDIA_ROOT = tmp_path / "media"
    apps.get_app_config("documents").seed_demo()
    shoot = Shooter(artifacts_dir, "documents", viewport)
    base = live_server.url
    circulating = (
        Circulation.objects.filter(read_at=None).select_related("incoming", "reader").first()
    )
    assert circulating is not None, "the demo has a circulation with an unread reader"
    incoming = circulating.incoming
    seal = Seal.objects.filter(kind="official").first()
    use = SealUse.objects.filter(seal=seal).first()

    clerk, _problems = make_page(viewport)
    log_in(clerk, base, "president-office-head", "/documents/received/")
    shoot(clerk, viewport, "received")
    clerk.goto(f"{base}/documents/incoming/")
    expect(clerk.locator(f'a[href="/documents/incoming/{incoming.pk}/"]')).to_be_visible()
    shoot(clerk, viewport, "incoming-list")
    clerk.goto(f"{base}/documents/incoming/{incoming.pk}/")
    expect(
        clerk.locator(f'form[action="/documents/incoming/{incoming.pk}/chase/"]')
    ).to_be_visible()
    shoot(clerk, viewport, "incoming-detail")
    clerk.goto(f"{base}/documents/seals/")
    shoot(clerk, viewport, "seals")

    reader, _problems2 = make_page(viewport)
    log_in(reader, base, circulating.reader.username, f"/documents/incoming/{incoming.pk}/")
    shoot(reader, viewport, "to-read")
    with reader.expect_navigation():
        reader.locator(f'form[action="/documents/incoming/{incoming.pk}/read/"] button').click()
    circulating.refresh_from_db()
    assert circulating.read_at is not None
    custodian = seal.custodian.username
    keeper, _problems3 = make_page(viewport)
    log_in(keeper, base, custodian, f"/documents/seals/{seal.pk}/")
    shoot(keeper, viewport, "seal-log")
    if use is not None:
        keeper.goto(f"{base}/documents/seals/uses/{use.pk}/")
        shoot(keeper, viewport, "seal-use")
    assert Incoming.objects.exists()
