"""An approved request in the archives, found, borrowed through a chain, and closed again.

zhangwei's approved request files itself (a Celery task, in process): its PDF with the trail
becomes a record with an archival code. An archivist (archives-reviewer1, role "archivist")
searches the archives by a Chinese word and by the code, and opens the record. zhangwei, who
cannot open the record, asks to borrow it from the loans page: the borrowing service's form
(codes, purpose, due date, use) goes through its chain (his head, then the archives), and once
approved he reads the record from his loan. After the due date the record answers 404 to him
again. Screenshots: test-artifacts/e2e/archives-<viewport>-NN-<step>.png.

Assertions rely on structure, URLs and data, never on translated UI strings.
"""

import os
import re
import uuid
from datetime import timedelta

import pytest

try:
    import time_machine
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps
from django.utils import timezone

from archives.models import Loan, Record
from archives.services import LOAN_SERVICE
from hall.models import Service, User
from tests.e2e.helpers import Shooter, assert_no_sideways_scroll, log_in
from workflows import services as engine
from workflows.demo import _approve_all, _sample_value
from workflows.models import ServiceRequest

pytestmark = pytest.mark.e2e

SERVICE = "cadre-going-abroad"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def approved_request(user: User) -> ServiceRequest:
    service = Service.objects.get(code=SERVICE)
    form_data = {f.key: _sample_value(f, user) for f in service.fields.exclude(field_type="file")}
    form_data["countries"] = "德国"
    request = engine.request_submit(
        service=service,
        applicant=user,
        form_data=form_data,
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )
    return _approve_all(request)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_archives_journey(
    make_page, demo_data, live_server, artifacts_dir, media_root, celery_eager, viewport, settings
):
    # The journey jumps days ahead to see a loan end; the borrower's session is to last that
    # long (the idle sign-out has its own tests in tests/hall/test_sessions.py).
    settings.HALL_SESSION_IDLE_MINUTES = 60 * 24 * 30
    apps.get_app_config("archives").seed_demo()
    base = live_server.url
    shoot = Shooter(artifacts_dir, "archives", viewport)
    zhangwei = User.objects.get(username="zhangwei")

    # an approved request files itself
    request = approved_request(zhangwei)
    assert request.status == ServiceRequest.Status.APPROVED
    record = Record.objects.get(source_ref=f"workflows.request:{request.pk}")
    assert re.fullmatch(r"Z001-WS·\d{4}-D30-[A-Z]+-\d{4}", record.code)

    # the archivist finds it by a Chinese word, then by its code
    page, problems = make_page(viewport)
    log_in(page, base, "archives-reviewer1", "/archives/")
    page.locator("#aq").fill("德国")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    hits = page.locator(".task-list .task-item")
    expect(hits).to_have_count(1)
    expect(hits.first.locator(".record-code")).to_have_text(record.code)
    assert_no_sideways_scroll(page, viewport, "archives search")
    shoot(page, viewport, "search-word")
    page.locator("#aq").fill(record.code)
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    expect(hits).to_have_count(1)
    with page.expect_navigation():
        hits.first.locator("a.service-name").click()
    expect(page).to_have_url(f"{base}{record.get_absolute_url()}")
    expect(page.locator(".facts .record-code")).to_have_text(record.code)
    expect(page.locator("a.file-link")).to_have_count(1)  # the PDF with the approval trail
    assert_no_sideways_scroll(page, viewport, "record page")
    shoot(page, viewport, "record")

    # the archivist's other desks fit the screen: appraisal (the demo's paper-era records are
    # due), the destruction list, the statistics with their bars, and the office pages
    for name in (
        "appraisal",
        "destruction",
        "statistics",
        "classes",
        "certificates",
        "reports",
        "training",
        "chronicle",
        "yearbook",
    ):
        page.goto(f"{base}/archives/{name}/")
        assert_no_sideways_scroll(page, viewport, name)
        shoot(page, viewport, name)
        if name == "statistics":
            expect(page.locator(".data-table.bars .bar").first).to_be_visible()

    # zhangwei cannot open it, and asks to borrow it
    page2, problems2 = make_page(viewport)
    log_in(page2, base, "zhangwei", "/archives/loans/")
    response = page2.goto(f"{base}{record.get_absolute_url()}")
    assert response.status == 404
    problems2.items.clear()  # that 404 was the point
    page2.goto(f"{base}/archives/loans/")
    with page2.expect_navigation():
        page2.locator(f"a[href='/services/{LOAN_SERVICE}/apply/']").click()
    due = timezone.localdate() + timedelta(days=3)
    page2.locator("#id_codes").fill(record.code)
    page2.locator("#id_purpose").fill("编写出访工作总结")
    page2.locator("#id_due_on").fill(due.isoformat())
    page2.locator("#id_use").select_option("online")
    assert_no_sideways_scroll(page2, viewport, "borrowing form")
    shoot(page2, viewport, "borrow-form")
    with page2.expect_navigation():
        page2.locator("form.apply-form button[name=submit]").click()
    expect(page2).to_have_url(re.compile(r"/requests/\d+/$"))
    loan = Loan.objects.get(borrower=zhangwei)
    assert loan.status == Loan.Status.REQUESTED
    # the chain: his head, then the archives
    _approve_all(ServiceRequest.objects.get(service__code=LOAN_SERVICE))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED

    # he reads the record from his loan
    page2.goto(f"{base}/archives/loans/")
    with page2.expect_navigation():
        page2.locator(f"a[href='{loan.get_absolute_url()}']").click()
    shoot(page2, viewport, "loan")
    with page2.expect_navigation():
        page2.locator(f"a[href='{record.get_absolute_url()}']").click()
    expect(page2.locator(".facts .record-code")).to_have_text(record.code)
    assert_no_sideways_scroll(page2, viewport, "borrowed record")
    shoot(page2, viewport, "borrowed-record")

    # the day after the due date, access is gone, before any sweep has run
    after = timezone.make_aware(
        timezone.datetime.combine(due + timedelta(days=1), timezone.datetime.min.time())
    )
    with time_machine.travel(after + timedelta(minutes=5), tick=True):
        response = page2.goto(f"{base}{record.get_absolute_url()}")
        assert response.status == 404
        problems2.items.clear()
        page2.goto(f"{base}{loan.get_absolute_url()}")
        expect(page2.locator(f"a[href='{record.get_absolute_url()}']")).to_have_count(0)
        shoot(page2, viewport, "after-due-date")
    assert problems.items == [] and problems2.items == []
