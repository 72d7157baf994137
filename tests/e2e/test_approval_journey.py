"""An application through its whole approval chain, in real browsers, as the people involved.

zhangwei (faculty, School of CS) applies for "领导干部因私出国（境）申请表" (cadre-going-abroad):
his profile fields arrive filled in and marked, a first try with an empty required field and a
fake PDF is refused with nothing saved, the second one is submitted. Then the chain "cadre" runs:

1. the head of the School of CS approves on a phone, with one thumb, from "My tasks";
2. the Organization Department's cadre officers share the step (a role with two holders): it
   waits in their group queue, organization-reviewer1 claims it and approves;
3. the university leader (president-office-head) approves.

Meanwhile zhangwei's request page, left open since the submission, refreshes its progress bar
by itself (it polls /requests/<id>/progress/ every 10 s). At the end every step is approved and
the approval form downloads as a real PDF (rendered by a Celery task, in process without a
broker). A full-page screenshot of each main step goes to
test-artifacts/e2e/approval-<viewport>-NN-<step>.png.

As in the catalogue journey, assertions rely on structure, classes, URLs and data, never on
translated UI strings.
"""

import os
import re
import time

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from hall.models import Service, User
from tests.e2e.helpers import CheckClock, Shooter, assert_no_sideways_scroll, log_in
from tests.files import real_pdf
from workflows.models import ApprovalTask, ServiceRequest, TaskCandidate

pytestmark = pytest.mark.e2e

ABROAD = "cadre-going-abroad"
PROFILE_KEYS = [
    "applicant_name",
    "applicant_number",
    "applicant_department",
    "applicant_phone",
    "applicant_title",
]
# The bar polls every 10 s; an update may take a whole period plus the request itself, and
# longer on a busy machine. The limit bounds only a failing run: a passing one goes on as soon
# as the bar changes.
LIVE_REFRESH_MS = 60_000


# --- helpers --------------------------------------------------------------------------------


def chain_steps(page: Page):
    return page.locator("ol.progress > li.progress-step")


def expect_states(page: Page, states: list[str], timeout: float | None = None) -> None:
    """The bar: a done "submitted" end, one box per step in the given states, the end."""
    boxes = chain_steps(page)
    kwargs = {"timeout": timeout} if timeout else {}
    expect(boxes).to_have_count(len(states) + 2, **kwargs)
    expect(boxes.first).to_have_class(re.compile(r"\bdone\b"))
    for index, state in enumerate(states, start=1):
        expect(boxes.nth(index)).to_have_class(re.compile(rf"\b{state}\b"), **kwargs)


def open_task_of(page: Page, number: str) -> None:
    item = page.locator(".task-list .task-item").filter(has_text=number)
    expect(item).to_have_count(1)
    with page.expect_navigation():
        item.locator("a.service-name").click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+/$"))
    expect(page.locator(".facts dd").first).to_have_text(number)


def fill_abroad_form(page: Page, *, countries: str, invitation) -> None:
    page.locator("#id_countries").fill(countries)
    page.locator("#id_period_0").fill("2026-09-07")
    page.locator("#id_period_1").fill("2026-09-14")
    page.locator("#id_purpose").fill("赴德国慕尼黑工业大学参加学术会议并作特邀报告。")
    page.locator("#id_funding").select_option("project")
    page.locator("#id_invitation").set_input_files(str(invitation))


def submit_apply(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form.apply-form button[name=submit]").click()


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads and approval PDFs land in a throwaway folder, not in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def invitation_pdfs(tmp_path):
    real = tmp_path / "invitation.pdf"
    real.write_bytes(real_pdf())
    fake = tmp_path / "fake-invitation.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is an executable renamed to .pdf")
    return real, fake


# --- the journey ----------------------------------------------------------------------------


def test_approval_journey(
    make_page, demo_data, live_server, artifacts_dir, media_root, invitation_pdfs, celery_eager
):
    # The PDF renders in process at the last approval, as in the embedded default; a real
    # worker rendering it is tested in tests/workflows/test_real_services.py.
    started, checks_before = time.monotonic(), CheckClock.spent
    base = live_server.url
    shoot = Shooter(artifacts_dir, "approval")
    real_pdf, fake_pdf = invitation_pdfs
    abroad = Service.objects.get(code=ABROAD)
    steps = list(abroad.steps.order_by("order", "id"))
    assert len(steps) == 3, "the demo chain 'cadre' has three approval steps"
    zhangwei = User.objects.get(username="zhangwei")

    # 1. zhangwei applies on a desktop ----------------------------------------------------------
    page, problems = make_page("desktop")
    log_in(page, base, "zhangwei", f"/services/{ABROAD}/")
    expect(page).to_have_url(f"{base}/services/{ABROAD}/")
    expect(page.locator("h1")).to_have_text(abroad.name_zh)
    apply_link = page.locator(f".guide-actions a.button.primary[href='/services/{ABROAD}/apply/']")
    expect(apply_link).to_be_visible()
    shoot(page, "desktop", "guide")
    with page.expect_navigation():
        apply_link.click()
    expect(page).to_have_url(f"{base}/services/{ABROAD}/apply/")
    expect(page.locator("h1")).to_have_text(abroad.name_zh)

    # The profile fields: filled in from the profile, locked, and visibly marked as such.
    profile = {
        "applicant_name": zhangwei.get_full_name(),
        "applicant_number": zhangwei.number,
        "applicant_department": zhangwei.department.name_zh,
        "applicant_phone": zhangwei.phone,
        "applicant_title": zhangwei.title,
    }
    expect(page.locator(".apply-form .field.prefilled")).to_have_count(len(PROFILE_KEYS))
    expect(page.locator(".apply-form .field.prefilled .badge.prefill")).to_have_count(
        len(PROFILE_KEYS)
    )
    for key, value in profile.items():
        assert value, f"the demo profile of zhangwei has a {key}"
        box = page.locator(f".apply-form .field.prefilled:has(#id_{key})")
        expect(box.locator(".badge.prefill")).to_be_visible()
        expect(page.locator(f"#id_{key}")).to_have_value(value)
        expect(page.locator(f"#id_{key}")).to_be_disabled()
    for key in ("countries", "period_0", "period_1", "purpose", "funding", "invitation"):
        expect(page.locator(f"#id_{key}")).to_be_enabled()
        expect(page.locator(f".field.prefilled:has(#id_{key})")).to_have_count(0)
    expect(page.locator("#id_period_0")).to_have_attribute("type", "date")
    expect(page.locator("#id_period_1")).to_have_attribute("type", "date")
    shoot(page, "desktop", "apply-form")

    # A bad try: no countries, and a "PDF" that is not one. Refused, nothing saved.
    before = ServiceRequest.objects.count()
    fill_abroad_form(page, countries="", invitation=fake_pdf)
    submit_apply(page)
    expect(page).to_have_url(f"{base}/services/{ABROAD}/apply/")
    expect(page.locator(".form-errors[role=alert]")).to_be_visible()
    wrong = page.locator(".apply-form .field.has-error")
    expect(wrong).to_have_count(2)
    expect(page.locator(".field.has-error:has(#id_countries) .error[role=alert]")).to_be_visible()
    invitation_error = page.locator(".field.has-error:has(#id_invitation) .error[role=alert]")
    expect(invitation_error).to_contain_text(fake_pdf.name)
    assert ServiceRequest.objects.count() == before, "a refused form must create no request"
    # What was typed is kept; the profile is still filled in.
    expect(page.locator("#id_period_0")).to_have_value("2026-09-07")
    expect(page.locator("#id_funding")).to_have_value("project")
    expect(page.locator("#id_applicant_name")).to_have_value(profile["applicant_name"])
    shoot(page, "desktop", "apply-errors")

    # The good try.
    fill_abroad_form(page, countries="德国、奥地利", invitation=real_pdf)
    shoot(page, "desktop", "apply-filled")
    submit_apply(page)
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/requests/\d+/$"))
    assert ServiceRequest.objects.count() == before + 1
    req = ServiceRequest.objects.get(applicant=zhangwei, service=abroad)
    assert page.url == f"{base}/requests/{req.pk}/"
    assert req.status == ServiceRequest.Status.IN_PROGRESS
    assert req.number and req.form_data["countries"] == "德国、奥地利"
    assert req.form_data["period"] == ["2026-09-07", "2026-09-14"]
    assert req.attachments.get().file.read().startswith(b"%PDF-")
    expect(page.locator("h1")).to_have_text(abroad.name_zh)
    expect(page.locator(".facts dd").first).to_have_text(req.number)
    expect(page.locator(".messages .message")).to_contain_text(req.number)
    expect(page.locator("ol.progress .step-name").nth(1)).to_contain_text(steps[0].name_zh)
    expect_states(page, ["active", "pending", "pending"])
    expect(chain_steps(page).nth(1)).to_have_attribute("aria-current", "step")
    expect(page.locator(".form-rows a[href*='/files/']")).to_contain_text(real_pdf.name)
    shoot(page, "desktop", "request-submitted")
    # This page stays open: its progress bar must move by itself (no reload) further on.
    page.evaluate("window.__notReloaded = true")

    # 2. The head of the School of CS approves on a phone --------------------------------------
    phone, phone_problems = make_page("phone")
    log_in(phone, base, "school-cs-head", "/tasks/")
    expect(phone).to_have_url(f"{base}/tasks/")
    expect(phone.locator(".tabs a.current")).to_have_attribute("href", "?tab=todo")
    assert_no_sideways_scroll(phone, "phone", "inbox")
    shoot(phone, "phone", "inbox")
    open_task_of(phone, req.number)
    approve = phone.locator(".decide button[name=action][value=approve]")
    expect(approve).to_be_visible()
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"Approve is off screen: {box}"
    assert box["height"] >= 40, f"Approve is too small for a thumb: {box}"
    assert_no_sideways_scroll(phone, "phone", "task")
    shoot(phone, "phone", "task")
    with phone.expect_navigation():
        approve.tap()
    expect(phone).to_have_url(f"{base}/tasks/")
    expect(phone.locator(".messages .message.success")).to_be_visible()
    expect(phone.locator(".task-list .task-item")).to_have_count(0)
    assert_no_sideways_scroll(phone, "phone", "inbox after approval")
    shoot(phone, "phone", "inbox-after-approval")

    # 5. (meanwhile) zhangwei's open page shows it without a reload ----------------------------
    waited = time.monotonic()
    expect_states(page, ["approved", "active", "pending"], timeout=LIVE_REFRESH_MS)
    waited = time.monotonic() - waited
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
    head = User.objects.get(username="school-cs-head")
    expect(chain_steps(page).nth(1).locator(".step-when")).to_contain_text(head.get_full_name())
    shoot(page, "desktop", "request-live-refresh")

    # 3. The Organization Department: a group queue, a claim, an approval ------------------------
    org, org_problems = make_page("desktop")
    log_in(org, base, "organization-reviewer1", "/tasks/")
    expect(org.locator(".task-list .task-item")).to_have_count(0)  # not in "to do" before a claim
    with org.expect_navigation():
        org.locator(".tabs a[href='?tab=queue']").click()
    expect(org).to_have_url(f"{base}/tasks/?tab=queue")
    expect(org.locator(".tabs a.current")).to_have_attribute("href", "?tab=queue")
    shoot(org, "desktop", "queue")
    open_task_of(org, req.number)
    expect(org.locator(".decide")).to_have_count(0)  # nothing to decide before the claim
    claim = org.locator("form:has(input[name=op][value=claim]) button[type=submit]")
    shoot(org, "desktop", "task-to-claim")
    with org.expect_navigation():
        claim.click()
    expect(org.locator(".messages .message.success")).to_be_visible()
    task = ApprovalTask.objects.get(request=req, step_index=1)
    assert task.assignee.username == "organization-reviewer1"
    assert TaskCandidate.objects.filter(task=task).count() == 2
    shoot(org, "desktop", "task-claimed")
    with org.expect_navigation():
        org.locator(".decide button[name=action][value=approve]").click()
    expect(org).to_have_url(f"{base}/tasks/")
    expect(org.locator(".messages .message.success")).to_be_visible()

    # The university leader.
    leader, leader_problems = make_page("desktop")
    log_in(leader, base, "president-office-head", "/tasks/")
    open_task_of(leader, req.number)
    leader.locator(".decide textarea[name=comment]").fill("同意。")
    shoot(leader, "desktop", "leader-task")
    with leader.expect_navigation():
        leader.locator(".decide button[name=action][value=approve]").click()
    expect(leader).to_have_url(f"{base}/tasks/")
    expect(leader.locator(".messages .message.success")).to_be_visible()
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.APPROVED
    assert req.pdf, "the PDF task ran in process at the last approval"

    # 4. zhangwei sees it approved and downloads the PDF ------------------------------------------
    # The page left open since the submission keeps polling: its bar reaches the end by itself.
    # The status, the buttons and the history refresh with it: no stale "withdraw" button.
    expect_states(page, ["approved", "approved", "approved"], timeout=LIVE_REFRESH_MS)
    expect(chain_steps(page).last).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator(".facts dd.status-approved")).to_have_text(req.get_status_display())
    expect(page.locator(f".guide-actions a[href='/requests/{req.pk}/pdf/']")).to_be_visible()
    expect(page.locator("form[action$='/withdraw/']")).to_have_count(0)
    expect(page.locator(".trail li")).to_have_count(5)
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
    shoot(page, "desktop", "request-live-finished")

    page.goto(f"{base}/requests/{req.pk}/")
    expect_states(page, ["approved", "approved", "approved"])
    expect(page.locator("ol.progress > li.progress-step.approved")).to_have_count(len(steps))
    expect(chain_steps(page).last).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator(".facts dd.status-approved")).to_have_text(req.get_status_display())
    expect(page.locator(".trail li")).to_have_count(5)  # submit, approve, claim, approve, approve
    pdf_link = page.locator(f".guide-actions a[href='/requests/{req.pk}/pdf/']")
    expect(pdf_link).to_be_visible()
    shoot(page, "desktop", "request-approved")
    with page.expect_download() as download_info:
        pdf_link.click()
    download = download_info.value
    assert download.suggested_filename == f"{req.number}.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"
    response = page.request.get(f"{base}/requests/{req.pk}/pdf/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-") and len(body) > 1000

    everything = problems.items + phone_problems.items + org_problems.items + leader_problems.items
    assert everything == [], "\n".join(everything)
    # Printed, not asserted: a busy machine makes any wall-clock limit a coin toss. The layout
    # and axe checks of each shot page are not the users' wait.
    elapsed = time.monotonic() - started - (CheckClock.spent - checks_before)
    print(f"approval journey: {elapsed:.1f} s, live refresh after {waited:.1f} s")
