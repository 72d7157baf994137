"""The Administrative Center's whole journey in a real browser, through the hall's pages only:
a drafter writes a 通知; the drafting department's head returns it; the drafter revises and the
comparison page marks the change; the finance division countersigns on a 390 px phone; the
office reviews and a leader signs off; the office registers it (代字〔YYYY〕N号 on the page); the
seal use is asked for, approved and recorded by the custodian; the red-header PDF is downloaded
(number and seal image inside, and a PNG of page 1 kept to look at); the document is dispatched
and filed (the filing task runs in process, as Celery tasks do in every journey); the personnel
division signs for it, it becomes incoming, is registered, checked and sent round to a reader,
who marks it read; an archivist finds it in the archives under its 档号.

Set-up outside the pages (as the other journeys do): the demo's people, the 校办发 authority, the
official seal with its image, and a 会签 step added to the 通知 chain the way an admin would.
Most steps in Chinese; the leader and the custodian read English. Every page shot is checked
for layout (390 / 1280 px) and axe-core. Screenshots: test-artifacts/e2e/doc-journey-*.png.
"""

import os
import re
import shutil
import subprocess
import time

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from archives.models import Record
from documents import services
from documents.demo import _seal_png
from documents.models import Authority, Circulation, Incoming, Outgoing, Seal, SealUse
from hall.models import Department, ServiceStep, User
from tests.e2e.helpers import CheckClock, Shooter, log_in

pytestmark = pytest.mark.e2e

NUMBER = re.compile(r"^校办发〔\d{4}〕[1-9]\d*号$")
TITLE = "关于做好2027年春季学期开学工作的通知"
FIRST_BODY = "一、总体要求\n（一）提高认识\n1. 各单位于开学前完成安全检查。"
ADDED = "2. 各学院于2月20日前报送返校情况。"


def _setup_office():
    apps.get_app_config("archives").seed_demo()  # the fonds, the codes, the archivists
    office = Department.objects.get(code="president-office")
    authority = Authority.objects.create(
        name_zh="校长办公室", name_en="President's Office", prefix="校办发", department=office
    )
    custodian = User.objects.get(username="president-office-reviewer2")
    seal = Seal.objects.create(
        name_zh="校长办公室公章",
        name_en="President's Office seal",
        kind="official",
        department=office,
        custodian=custodian,
        activated_on=timezone.localdate().replace(month=1, day=1),
    )
    seal.image.save("official.png", ContentFile(_seal_png()))
    # An admin adds the countersign (会签) of the finance division after 核稿.
    service = services.outgoing_service("notice", authority)
    for step in ServiceStep.objects.filter(service=service, order__gte=2):
        step.order += 1
        step.save(update_fields=["order"])
    ServiceStep.objects.create(
        service=service,
        order=2,
        name_zh="会签",
        name_en="Countersign",
        rule=ServiceStep.Rule.USER,
        approver=User.objects.get(username="finance-head"),
        mode=ServiceStep.Mode.ALL,
        time_limit_days=2,
    )
    return authority, seal


def _open_task(page, base, number: str, *, claim: bool = False):
    page.goto(f"{base}/tasks/" + ("?tab=queue" if claim else ""))
    item = page.locator(".task-list .task-item").filter(has_text=number)
    expect(item).to_have_count(1)
    with page.expect_navigation():
        item.locator("a.service-name").click()
    if claim:
        with page.expect_navigation():
            page.locator("form:has(input[name=op][value=claim]) button[type=submit]").click()


def _decide(page, action: str, comment: str) -> None:
    page.locator(".decide textarea[name=comment]").fill(comment)
    with page.expect_navigation():
        page.locator(f".decide button[name=action][value={action}]").click()
    expect(page.locator(".messages .message.success")).to_be_visible()


def test_documents_journey(
    demo_data, make_page, live_server, artifacts_dir, settings, tmp_path, celery_eager
):
    started, checks_before = time.monotonic(), CheckClock.spent
    settings.MEDIA_ROOT = tmp_path / "media"
    authority, seal = _setup_office()
    base = live_server.url
    shoot = Shooter(artifacts_dir, "doc-journey")
    english = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    finance = Department.objects.get(code="finance")
    personnel = Department.objects.get(code="personnel")

    # 1. The drafter (School of CS) writes a 通知 to the personnel division -------------------
    drafter, problems = make_page("desktop")
    log_in(drafter, base, "zhangwei", "/documents/new/")
    drafter.locator("#id_doc_type").select_option("notice")
    drafter.locator("#id_authority").select_option(str(authority.pk))
    drafter.locator("#id_title").fill(TITLE)
    drafter.locator("#id_to_departments").select_option(str(personnel.pk))
    drafter.locator("#id_body").fill(FIRST_BODY)
    shoot(drafter, "desktop", "draft-form")
    with drafter.expect_navigation():
        drafter.locator("form.apply-form button[type=submit]").click()
    document = Outgoing.objects.get(title=TITLE)
    expect(drafter).to_have_url(f"{base}/documents/{document.pk}/")
    with drafter.expect_navigation():
        drafter.locator(f"form[action='/documents/{document.pk}/submit/'] button").click()
    document.refresh_from_db()
    assert document.status == Outgoing.Status.IN_REVIEW
    shoot(drafter, "desktop", "submitted")
    number = document.request.number

    # 2. The school's head returns it for revision (核稿) ---------------------------------------
    head, head_problems = make_page("desktop")
    log_in(head, base, "school-cs-head", "/tasks/")
    _open_task(head, base, number)
    shoot(head, "desktop", "head-task")
    _decide(head, "return", "请补充报送返校情况的要求。")

    # 3. The drafter revises; the comparison marks the added line --------------------------------
    drafter.goto(f"{base}/documents/{document.pk}/edit/")
    drafter.locator("#id_body").fill(FIRST_BODY + "\n" + ADDED)
    with drafter.expect_navigation():
        drafter.locator("form.apply-form button[type=submit]").click()
    with drafter.expect_navigation():
        drafter.locator(f"form[action='/documents/{document.pk}/compare/'] button").click()
    expect(drafter.locator("table.doc-diff ins").filter(has_text=ADDED)).to_have_count(1)
    shoot(drafter, "desktop", "compare")
    drafter.goto(f"{base}/documents/{document.pk}/")
    with drafter.expect_navigation():
        drafter.locator(f"form[action='/documents/{document.pk}/submit/'] button").click()
    document.refresh_from_db()
    assert document.status == Outgoing.Status.IN_REVIEW
    assert document.versions.count() >= 2

    # 4. The head approves; the finance division countersigns on a phone (会签) ------------------
    _open_task(head, base, number)
    _decide(head, "approve", "同意。")
    phone, phone_problems = make_page("phone")
    log_in(phone, base, "finance-head", "/tasks/")
    _open_task(phone, base, number)
    shoot(phone, "phone", "countersign-task")
    # The body in the request's form keeps its heading lines (it ran into one line before).
    body = phone.locator(".form-rows dd").filter(has_text="总体要求")
    assert body.inner_text().count("\n") >= 3, body.inner_text()
    approve = phone.locator(".decide button[name=action][value=approve]")
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"Approve is off screen: {box}"
    with phone.expect_navigation():
        approve.tap()
    expect(phone.locator(".messages .message.success")).to_be_visible()
    shoot(phone, "phone", "countersigned")
    assert finance.pk  # the co-department of the chain

    # 5. The office reviews (a group queue: claim first); a leader signs off, in English -------
    reviewer, reviewer_problems = make_page("desktop")
    log_in(reviewer, base, "president-office-reviewer1", "/tasks/")
    _open_task(reviewer, base, number, claim=True)
    _decide(reviewer, "approve", "审核同意。")
    leader, leader_problems = make_page("desktop")
    leader.context.add_cookies(english)
    log_in(leader, base, "president-office-head", "/tasks/")
    _open_task(leader, base, number)
    shoot(leader, "desktop", "sign-off-en")
    _decide(leader, "approve", "Approved.")
    document.refresh_from_db()
    assert document.status == Outgoing.Status.SIGNED

    # 6. The office registers it: the number on the page ---------------------------------------
    office, office_problems = make_page("desktop")
    log_in(office, base, "president-office-head", f"/documents/{document.pk}/")
    with office.expect_navigation():
        office.locator(f"form[action='/documents/{document.pk}/register/'] button").click()
    document.refresh_from_db()
    assert NUMBER.match(document.number), document.number
    expect(office.locator(".facts dd.record-code").first).to_have_text(document.number)
    shoot(office, "desktop", "registered")

    # 7. The seal use: the drafter asks, the head approves, the custodian records (English) ---
    drafter.goto(f"{base}/documents/seals/uses/new/")
    drafter.locator("#id_seal").select_option(str(seal.pk))
    drafter.locator("#id_number").fill(document.number)
    drafter.locator("#id_purpose").fill("印发春季学期开学工作通知")
    drafter.locator("#id_copies").fill("30")
    shoot(drafter, "desktop", "seal-use-form")
    with drafter.expect_navigation():
        drafter.locator("form.apply-form button[type=submit]").click()
    use = SealUse.objects.get(document=document)
    _open_task(head, base, use.request.number)
    _decide(head, "approve", "同意用印。")
    use.refresh_from_db()
    assert use.status == SealUse.Status.APPROVED
    keeper, keeper_problems = make_page("desktop")
    keeper.context.add_cookies(english)
    log_in(keeper, base, seal.custodian.username, f"/documents/seals/uses/{use.pk}/")
    keeper.locator("#id_copies").fill("30")
    shoot(keeper, "desktop", "seal-record-en")
    with keeper.expect_navigation():
        keeper.locator(f"form[action='/documents/seals/uses/{use.pk}/record/'] button").click()
    use.refresh_from_db()
    assert use.status == SealUse.Status.APPLIED

    # 8. The red-header PDF: downloaded, read back, and a PNG of page 1 to look at -------------
    office.goto(f"{base}/documents/{document.pk}/")
    pdf_link = office.locator(f"a[href='/documents/{document.pk}/pdf/']")
    expect(pdf_link).to_be_visible()
    response = office.context.request.get(f"{base}/documents/{document.pk}/pdf/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    pdf_path = tmp_path / "notice.pdf"
    pdf_path.write_bytes(response.body())
    _check_pdf(pdf_path, document.number, artifacts_dir)

    # 9. Dispatched (and filed by the task after commit) ---------------------------------------
    with office.expect_navigation():
        office.locator(f"form[action='/documents/{document.pk}/dispatch/'] button").click()
    document.refresh_from_db()
    assert document.dispatched_at is not None
    assert document.archive_code, "the filing task ran after the dispatch committed"
    expect(office.locator(".facts dd.record-code").nth(1)).to_have_text(document.archive_code)
    shoot(office, "desktop", "dispatched")

    # 10. The personnel division signs for it; it becomes incoming, on a phone -----------------
    clerk, clerk_problems = make_page("phone")
    log_in(clerk, base, "personnel-head", "/documents/received/")
    shoot(clerk, "phone", "received")
    with clerk.expect_navigation():
        clerk.locator("form[action$='/sign/'] button").first.click()
    incoming = Incoming.objects.get(dispatch__document=document, department=personnel)
    clerk.goto(f"{base}/documents/incoming/{incoming.pk}/")
    with clerk.expect_navigation():
        clerk.locator(f"form[action='/documents/incoming/{incoming.pk}/register/'] button").click()
    _choose(clerk, "complies", "1")
    with clerk.expect_navigation():
        clerk.locator(f"form[action='/documents/incoming/{incoming.pk}/check/'] button").click()
    reader = User.objects.get(username="personnel-reviewer1")
    # The reader is picked by name from the people search as the clerk types.
    readers = clerk.locator("#id_readers")
    readers.press_sequentially(reader.full_name or reader.username, delay=30)
    picked = reader.number or reader.username
    clerk.locator(".people-list [role=option]", has_text=picked).first.click()
    expect(readers).to_have_value(f"{picked}, ")
    clerk.locator("#id_purpose").fill("请阅知并做好准备")
    shoot(clerk, "phone", "incoming-circulate")
    with clerk.expect_navigation():
        clerk.locator(f"form[action='/documents/incoming/{incoming.pk}/circulate/'] button").click()
    incoming.refresh_from_db()
    assert incoming.number and incoming.circulations.count() == 1

    # 11. The reader marks it read ---------------------------------------------------------------
    reading, reading_problems = make_page("phone")
    log_in(reading, base, reader.username, f"/documents/incoming/{incoming.pk}/")
    shoot(reading, "phone", "to-read")
    with reading.expect_navigation():
        reading.locator(f"form[action='/documents/incoming/{incoming.pk}/read/'] button").click()
    assert Circulation.objects.get(incoming=incoming, reader=reader).read_at is not None

    # 12. In the archives, under its code --------------------------------------------------------
    record = Record.objects.get(source_ref=f"documents.outgoing:{document.pk}")
    assert record.code == document.archive_code
    assert record.pages == _pages(pdf_path)  # it said 0 before the filing counted them
    archivist, archivist_problems = make_page("desktop")
    log_in(archivist, base, "archives-reviewer1", "/archives/")
    archivist.goto(f"{base}/archives/?q={document.number}")
    shoot(archivist, "desktop", "archives-search")
    with archivist.expect_navigation():
        archivist.locator(f"a[href='/archives/records/{record.pk}/']").first.click()
    expect(archivist.locator("main")).to_contain_text(record.code)
    expect(archivist.locator("main")).to_contain_text(document.number)
    shoot(archivist, "desktop", "archived")

    everyone = [
        problems,
        head_problems,
        phone_problems,
        reviewer_problems,
        leader_problems,
        office_problems,
        keeper_problems,
        clerk_problems,
        reading_problems,
        archivist_problems,
    ]
    assert not [p for ps in everyone for p in ps.items], [p.items for p in everyone]
    hall_time = time.monotonic() - started - (CheckClock.spent - checks_before)
    assert hall_time < 90, f"the journey took {hall_time:.0f} s of the hall's time"


def _choose(page, name: str, value: str) -> None:
    field = page.locator(f"[name={name}]")
    if field.first.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        page.locator(f"[name={name}][value='{value}']").check()


def _check_pdf(pdf_path, number: str, artifacts_dir) -> None:
    import pikepdf

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert number in text, text[:500]
    with pikepdf.open(pdf_path) as pdf:
        # WeasyPrint nests pictures in form XObjects: look at every image object of the file.
        images = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream)
            and obj.get("/Subtype") == "/Image"
            and int(obj.get("/Width", 0)) >= 100
        ]
    assert images, "the recorded seal's image is in the PDF"
    if shutil.which("pdftoppm"):
        out = artifacts_dir / "doc-journey-pdf"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path), str(out)],
            check=True,
        )


def _pages(pdf_path) -> int:
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        return len(pdf.pages)
