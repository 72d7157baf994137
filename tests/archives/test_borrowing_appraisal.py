"""Borrowing and appraisal through approval chains, holds and destruction, accession, import,
statistics, and who may open which page."""

import uuid
from datetime import date, timedelta
from io import BytesIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from archives import selectors
from archives import services as archive
from archives.models import (
    Appraisal,
    ArchiveEvent,
    Loan,
    Record,
    RecordFile,
    RecordUserObjectPermission,
)
from hall.models import Notification, Service, ServiceField, ServiceStep
from tests.archives.conftest import package, real_pdf
from tests.chains import HEAD
from workflows import services as engine
from workflows.models import ApprovalTask, ServiceRequest


@pytest.fixture
def loan_service(make_service, people):
    service = make_service(code=archive.LOAN_SERVICE, name_zh="档案借阅申请")
    for order, (key, kind, required) in enumerate(
        [("codes", "long_text", True), ("purpose", "text", True), ("due_on", "date", True)],
        start=1,
    ):
        ServiceField.objects.create(
            service=service, order=order, key=key, label_zh=key, field_type=kind, required=required
        )
    ServiceField.objects.create(
        service=service,
        order=4,
        key="use",
        label_zh="利用方式",
        field_type="choice",
        options=[["online", "在线", "Online"], ["originals", "原件", "Originals"]],
    )
    ServiceStep.objects.create(service=service, order=1, name_zh="负责人", **HEAD)
    return service


def borrow(service, borrower, codes, *, due, use="online"):
    return engine.request_submit(
        service=service,
        applicant=borrower,
        form_data={"codes": codes, "purpose": "写校史", "due_on": due.isoformat(), "use": use},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )


def decide(request, user, action="approve"):
    task = ApprovalTask.objects.get(request=request, status="pending")
    return engine.task_decide(task_id=task.pk, user=user, action=action, comment="理由")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- borrowing --------------------------------------------------------------------------------


def test_an_approved_loan_grants_access_that_ends_with_the_due_date(
    client, fonds, people, loan_service, media
):
    # given a record and a borrowing request through a one-step chain
    record = archive.record_file(package=package(1))
    alice = people["alice"]
    client.force_login(alice)
    with time_machine.travel("2026-11-23 10:00 +0800"):
        request = borrow(loan_service, alice, record.code, due=date(2026, 11, 30))
        loan = Loan.objects.get()
        assert (loan.status, loan.source_ref) == ("requested", f"workflows.request:{request.pk}")
        assert client.get(record.get_absolute_url()).status_code == 404
        # when the head approves
        decide(request, people["hank"])
        # then a guardian grant lets alice read the record and download its file
        loan.refresh_from_db()
        assert loan.status == "approved" and loan.decided_by == people["hank"]
        grant = RecordUserObjectPermission.objects.get()
        assert (grant.user, grant.content_object, grant.permission.codename) == (
            alice,
            record,
            "view_record",
        )
        assert client.get(record.get_absolute_url()).status_code == 200
        assert client.get(record.files.get().get_absolute_url()).status_code == 200
        assert client.get(loan.get_absolute_url()).status_code == 200
    with time_machine.travel("2026-11-30 23:59 +0800"):
        assert client.get(record.get_absolute_url()).status_code == 200
    with time_machine.travel("2026-12-01 00:01 +0800"):
        # the grant has expired: access ends before any sweep runs
        assert client.get(record.get_absolute_url()).status_code == 404
        assert client.get(record.files.get().get_absolute_url()).status_code == 404
        assert archive.loans_expire() == 1
        assert not RecordUserObjectPermission.objects.exists()
    assert Loan.objects.get().status == "expired"
    assert record.events.filter(kind="lend", actor=people["hank"]).count() == 1


def test_a_refused_or_withdrawn_loan_grants_nothing(fonds, people, loan_service, media):
    record = archive.record_file(package=package(1))
    refused = borrow(
        loan_service, people["alice"], record.code, due=timezone.localdate() + timedelta(7)
    )
    decide(refused, people["hank"], "reject")
    withdrawn = borrow(
        loan_service, people["alice"], record.code, due=timezone.localdate() + timedelta(7)
    )
    engine.request_withdraw(request_id=withdrawn.pk, user=people["alice"])
    assert sorted(Loan.objects.values_list("status", flat=True)) == ["refused", "refused"]
    assert not RecordUserObjectPermission.objects.exists()
    assert selectors.record_for(people["alice"], record.pk) is None


@pytest.mark.parametrize(
    ("codes", "due_days", "message"),
    [
        ("Z001-WS·2026-D30-9999", 7, "No kept record has the code Z001-WS·2026-D30-9999."),
        ("", 7, "Give at least one archival code."),
        ("{code}", 0, "The due date must be in the future."),
        ("{code}", 400, "A loan lasts at most 90 days; ask again to extend it."),
    ],
    ids=["unknown-code", "no-code", "due-today", "too-long"],
)
def test_a_borrowing_request_that_cannot_be_lent_is_refused_and_changes_nothing(
    fonds, people, loan_service, media, codes, due_days, message
):
    record = archive.record_file(package=package(1))
    with override("en"), pytest.raises(engine.RequestError) as refused:
        borrow(
            loan_service,
            people["alice"],
            codes.format(code=record.code),
            due=timezone.localdate() + timedelta(days=due_days),
        )
    assert refused.value.message == message
    assert not Loan.objects.exists()
    assert not ServiceRequest.objects.exists()


def test_the_apply_page_is_filled_from_a_link_and_shows_the_refusal(
    client, fonds, people, loan_service, media, settings
):
    record = archive.record_file(package=package(1))
    client.force_login(people["alice"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("workflows:apply", args=[loan_service.code])
    page = client.get(url, {"codes": record.code})
    assert record.code in page.content.decode()
    with override("en"):
        response = client.post(
            url,
            {
                "codes": "Z001-WS·1990-Y-0001",
                "purpose": "x",
                "due_on": (timezone.localdate() + timedelta(3)).isoformat(),
                "use": "online",
                "submit_token": str(uuid.uuid4()),
            },
        )
    assert response.status_code == 200
    assert "Z001-WS·1990-Y-0001" in response.content.decode()
    assert not ServiceRequest.objects.exclude(status="draft").exists()
    assert not Loan.objects.exists()


def test_returning_early_ends_access_and_originals_are_taken_back_by_the_archives(
    client, fonds, people, loan_service, archivist, media
):
    record = archive.record_file(package=package(1))
    alice = people["alice"]
    online = borrow(loan_service, alice, record.code, due=timezone.localdate() + timedelta(5))
    decide(online, people["hank"])
    paper = borrow(
        loan_service, alice, record.code, due=timezone.localdate() + timedelta(5), use="originals"
    )
    decide(paper, people["hank"])
    loan_online, loan_paper = Loan.objects.order_by("pk")
    client.force_login(alice)
    client.post(loan_online.get_absolute_url())
    assert Loan.objects.get(pk=loan_online.pk).status == "returned"
    # originals come back over the desk: the borrower cannot mark them returned
    client.post(loan_paper.get_absolute_url())
    assert Loan.objects.get(pk=loan_paper.pk).returned_at is None
    client.force_login(archivist)
    client.post(loan_paper.get_absolute_url())
    assert Loan.objects.get(pk=loan_paper.pk).status == "returned"
    assert not RecordUserObjectPermission.objects.exists()
    assert record.events.filter(kind="return").count() == 2


def test_loan_reminders_go_once_a_day_and_overdue_originals_alert_the_archivists(
    fonds, people, loan_service, archivist, media
):
    record = archive.record_file(package=package(1))
    alice = people["alice"]
    with time_machine.travel("2026-11-23 09:00 +0800"):
        soon = borrow(loan_service, alice, record.code, due=date(2026, 11, 24))
        decide(soon, people["hank"])
        paper = borrow(loan_service, alice, record.code, due=date(2026, 11, 25), use="originals")
        decide(paper, people["hank"])
        Notification.objects.all().delete()
        assert archive.loans_remind() == 1
        assert archive.loans_remind() == 0
        assert list(Notification.objects.values_list("recipient", "kind")) == [
            (alice.pk, "reminder")
        ]
    with time_machine.travel("2026-11-27 09:00 +0800"):
        Notification.objects.all().delete()
        assert archive.loans_remind() == 1
        assert archive.loans_remind() == 0
        assert {(n.recipient_id, n.kind) for n in Notification.objects.all()} == {
            (alice.pk, "overdue"),
            (archivist.pk, "overdue"),
        }


# --- appraisal, holds and destruction --------------------------------------------------------


@pytest.fixture
def old_records(fonds, media):
    return [archive.record_file(package=package(n, year=2010, retention="D10")) for n in range(3)]


def appraise(client, archivist, records, decisions):
    client.force_login(archivist)
    data = {"record": [r.pk for r in records]}
    for record, (decision, years) in zip(records, decisions, strict=True):
        data[f"decision-{record.pk}"] = decision
        data[f"years-{record.pk}"] = years
        data[f"reason-{record.pk}"] = "到期鉴定"
    client.post(reverse("archives:appraisal"), data)
    batch = Appraisal.objects.get()
    response = client.post(
        reverse("workflows:start-internal", args=[archive.APPRAISAL_SERVICE]),
        {
            "appraisal": batch.number,
            "opinion": "经鉴定小组审查",
            "submit_token": str(uuid.uuid4()),
            "next": batch.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    return batch, ServiceRequest.objects.get(service__code=archive.APPRAISAL_SERVICE)


def test_records_past_their_retention_are_due_for_appraisal(fonds, archivist, media):
    # D10 of 2010 runs 2011–2020: due in 2021; D30 of 2010 not before 2041; permanent never
    due = archive.record_file(package=package(1, year=2010, retention="D10"))
    archive.record_file(package=package(2, year=2010, retention="D30"))
    archive.record_file(package=package(3, year=2010, retention="Y"))
    assert due.appraisal_year == 2021
    assert list(selectors.due_for_appraisal(archivist, year=2026)) == [due]
    assert list(selectors.due_for_appraisal(archivist, year=2020)) == []


def test_an_appraisal_decided_through_its_chain_keeps_extends_and_lists_for_destruction(
    client, people, archivist, research_dept, old_records, areas
):
    research_dept.heads.add(people["rita"])
    keep, extend, destroy = old_records
    batch, request = appraise(
        client, archivist, old_records, [("keep", 10), ("extend", 30), ("destroy", 10)]
    )
    batch.refresh_from_db()
    assert batch.status == "in_review"
    assert "经鉴定小组审查" in request.form_data["opinion"]
    assert destroy.code in request.form_data["items"]
    # not yet decided: nothing on the destruction list
    assert not selectors.destruction_list(archivist).exists()
    # the approver reads the batch on the ordinary task page; the archivist follows the request
    task = ApprovalTask.objects.get(request=request, status="pending")
    assert task.assignee == people["rita"]
    client.force_login(people["rita"])
    assert destroy.code in client.get(task.get_absolute_url()).content.decode()
    client.force_login(archivist)
    assert client.get(request.get_absolute_url()).status_code == 200
    decide(request, people["rita"])
    batch.refresh_from_db()
    assert batch.status == "approved"
    year = timezone.localdate().year
    assert Record.objects.get(pk=keep.pk).appraisal_year is None
    assert Record.objects.get(pk=extend.pk).appraisal_year == year + 30
    assert [i.record for i in selectors.destruction_list(archivist)] == [destroy]
    assert ArchiveEvent.objects.filter(kind="appraise", actor=people["rita"]).count() == 3
    # the code never changes, whatever the decision
    assert [Record.objects.get(pk=r.pk).code for r in old_records] == [r.code for r in old_records]


def test_a_rejected_appraisal_changes_no_record(
    client, people, archivist, research_dept, old_records, areas
):
    research_dept.heads.add(people["rita"])
    batch, request = appraise(client, archivist, old_records[:1], [("destroy", 10)])
    decide(request, people["rita"], "reject")
    assert Appraisal.objects.get().status == "rejected"
    assert not selectors.destruction_list(archivist).exists()
    assert Record.objects.get(pk=old_records[0].pk).appraisal_year == 2021


def test_a_disposal_hold_blocks_destruction_until_released(
    client, people, archivist, research_dept, old_records, areas, media
):
    research_dept.heads.add(people["rita"])
    target = old_records[0]
    _, request = appraise(client, archivist, [target], [("destroy", 10)])
    decide(request, people["rita"])
    item = selectors.destruction_list(archivist).get()
    stored = Record.objects.get(pk=target.pk).files.get()
    path, digest = stored.file.path, stored.sha256
    # given a hold
    client.post(reverse("archives:hold-place", args=[target.pk]), {"reason": "审计"})
    hold = target.holds.get()
    # when the archivist tries to destroy (reading English)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("archives:destruction"), {"item": item.pk}, follow=True)
    # then nothing changes
    assert "under a disposal hold (审计)" in response.content.decode()
    assert Record.objects.get(pk=target.pk).status == "kept"
    assert RecordFile.objects.filter(record=target).exists()
    assert (media / path).exists()
    # released, the destruction goes through and a residual record remains
    client.post(reverse("archives:hold-release", args=[target.pk, hold.pk]))
    with pytest.raises(archive.ArchiveError):
        archive.record_destroy(item_id=item.pk, user=people["alice"])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("archives:destruction"), {"item": item.pk})
    residual = Record.objects.get(pk=target.pk)
    assert (residual.status, residual.code, residual.title) == (
        "destroyed",
        target.code,
        target.title,
    )
    assert residual.destroyed_at is not None
    assert not RecordFile.objects.filter(record=target).exists()
    assert not (media / path).exists()
    destroyed = residual.events.get(kind="destroy")
    assert destroyed.detail["appraisal"] == item.appraisal.number
    assert destroyed.detail["files"] == [{"name": "f0.txt", "sha256": digest, "size": 7}]
    assert client.get(residual.get_absolute_url()).status_code == 200


def test_only_the_archivist_who_prepared_an_appraisal_can_send_it(
    client, people, archivist, old_records, areas
):
    batch = archive.appraisal_create(
        user=archivist, proposals=[{"record": old_records[0].pk, "decision": "destroy"}]
    )
    for intruder in (people["charlie"], people["alice"]):
        client.force_login(intruder)
        response = client.post(
            reverse("workflows:start-internal", args=[archive.APPRAISAL_SERVICE]),
            {"appraisal": batch.number, "opinion": "同意", "next": "https://evil.example/"},
        )
        assert response.status_code == 302 and response.url == "/"
    assert not ServiceRequest.objects.exists()
    assert Appraisal.objects.get().status == "draft"
    assert not Service.objects.filter(code=archive.APPRAISAL_SERVICE).exists()


def test_a_record_already_in_an_open_appraisal_cannot_be_proposed_again(
    client, archivist, old_records
):
    archive.appraisal_create(
        user=archivist, proposals=[{"record": old_records[0].pk, "decision": "keep"}]
    )
    with override("en"), pytest.raises(archive.ArchiveError) as refused:
        archive.appraisal_create(
            user=archivist, proposals=[{"record": old_records[0].pk, "decision": "destroy"}]
        )
    assert refused.value.message == f"Already in another appraisal: {old_records[0].code}."
    assert Appraisal.objects.count() == 1


# --- accession and import --------------------------------------------------------------------


def test_manual_accession_files_with_a_code_and_checksums(client, fonds, archivist, media, school):
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = real_pdf()
    client.force_login(archivist)
    response = client.post(
        reverse("archives:accession"),
        {
            "title": "1985年建校三十周年纪念册",
            "date": "1985-10-01",
            "retention": "Y",
            "department": school.pk,
            "pages": 120,
            "security": "public",
            "files": [SimpleUploadedFile("scan.pdf", scan)],
        },
    )
    record = Record.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert record.code == "Z001-WS·1985-Y-JSJ-0001"
    assert record.pages == 120 and record.source_ref is None
    import hashlib

    assert record.files.get().sha256 == hashlib.sha256(scan).hexdigest()


def test_an_accession_dated_in_the_future_is_refused(client, fonds, archivist, media, settings):
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with override("en"):
        response = client.post(
            reverse("archives:accession"),
            {
                "title": "x",
                "date": "2999-01-01",
                "retention": "Y",
                "pages": 1,
                "security": "public",
            },
        )
    assert response.status_code == 200
    assert "The date cannot be in the future." in response.content.decode()
    assert not Record.objects.exists()


def workbook(rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "catalogue.xlsx"
    return buffer


HEADERS = ["题名", "日期", "保管期限", "机构", "责任者", "文号", "页数", "密级"]


def test_an_excel_catalogue_is_imported_with_gap_free_codes(client, fonds, archivist, school):
    client.force_login(archivist)
    rows = [
        HEADERS,
        ["1990年招生简章", "1990-03-01", "永久", "计算机学院", "招生办", "", 4, "公开"],
        [
            "1990年迎新方案",
            date(1990, 8, 20),
            "D10",
            school.code,
            "学工处",
            "校学〔1990〕3号",
            2,
            "",
        ],
        ["1990年毕业名册", "19900701", "永久", "", "教务处", "", 30, "内部"],
    ]
    response = client.post(reverse("archives:import"), {"file": workbook(rows)})
    assert response.status_code == 302
    assert sorted(Record.objects.values_list("code", flat=True)) == [
        "Z001-WS·1990-D10-JSJ-0001",
        "Z001-WS·1990-Y-0001",
        "Z001-WS·1990-Y-JSJ-0001",
    ]


def test_one_bad_row_imports_nothing_and_names_the_row(client, fonds, archivist, settings):
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = [
        HEADERS,
        ["好的一行", "1990-03-01", "永久", "", "", "", 1, ""],
        ["", "1990-13-01", "五年", "无此部门", "", "", -1, "绝密"],
    ]
    with override("en"):
        response = client.post(reverse("archives:import"), {"file": workbook(rows)})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Row 3: no title; date not understood" in text
    assert not Record.objects.exists()


def test_a_file_that_is_not_excel_is_refused(client, fonds, archivist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(archivist)
    client.post(
        reverse("archives:import"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")}
    )
    assert not Record.objects.exists()


# --- search ----------------------------------------------------------------------------------


def test_search_finds_words_in_titles_metadata_and_codes(fonds, archivist, research_dept, media):
    filed = archive.record_file(
        package=archive.FilingPackage(
            title="出国申请（张伟）",
            date=date(2026, 3, 1),
            files=[],
            department_id=research_dept.pk,
            metadata={"form": {"countries": "德国", "reason": "Conference in Berlin"}},
        )
    )
    other = archive.record_file(package=package(2, year=2025, retention="D10"))
    assert list(selectors.search(archivist, q="德国")) == [filed]
    assert list(selectors.search(archivist, q="berlin")) == [filed]
    assert list(selectors.search(archivist, q=filed.code)) == [filed]
    assert list(selectors.search(archivist, q="z001-ws·2026")) == [filed]
    assert list(selectors.search(archivist, q="文件2", year=2025, retention="D10")) == [other]
    assert list(selectors.search(archivist, department=research_dept.pk)) == [filed]
    assert list(selectors.search(archivist, q="德国", year=2025)) == []


# --- who sees what, and what pages cost ------------------------------------------------------


@pytest.fixture
def a_loan(fonds, people, loan_service, media):
    record = archive.record_file(package=package(1))
    request = borrow(
        loan_service, people["alice"], record.code, due=timezone.localdate() + timedelta(3)
    )
    decide(request, people["hank"])
    return Loan.objects.get()


@pytest.mark.parametrize(
    ("persona", "own", "archivist_pages"),
    [
        ("borrower", 200, 404),
        ("archivist", 200, 200),
        ("other", 404, 404),
        ("anonymous", 302, 302),
    ],
)
def test_loan_and_archivist_pages_answer_only_those_who_may_see_them(
    client, people, archivist, a_loan, persona, own, archivist_pages
):
    who = {"borrower": people["alice"], "archivist": archivist, "other": people["charlie"]}
    if persona in who:
        client.force_login(who[persona])
    assert client.get(a_loan.get_absolute_url()).status_code == own
    batch = archive.appraisal_create(
        user=archivist, proposals=[{"record": a_loan.records.get().pk, "decision": "keep"}]
    )
    for name in ("accession", "import", "classes", "appraisal", "destruction", "statistics"):
        assert client.get(reverse(f"archives:{name}")).status_code == archivist_pages, name
    assert client.get(batch.get_absolute_url()).status_code == archivist_pages
    listing = client.get(reverse("archives:loans"))
    if persona == "other":
        assert list(listing.context["page"].object_list) == []
    elif persona != "anonymous":
        assert list(listing.context["page"].object_list) == [a_loan]


@pytest.mark.parametrize("count", [1, 50], ids=["1-record", "50-records"])
def test_statistics_cost_the_same_queries_at_any_size(
    client, django_assert_num_queries, fonds, archivist, count, media
):
    for n in range(count):
        archive.record_file(package=package(n, year=2020 + n % 5))
    client.force_login(archivist)
    # user, bell, archivist check, six aggregates
    with django_assert_num_queries(9):
        response = client.get(reverse("archives:statistics"))
    assert sum(r["n"] for r in response.context["stats"]["by_year"]) == count
    # the same without the bell (no page around it)
    with django_assert_num_queries(8):
        workbook_response = client.get(reverse("archives:statistics"), {"format": "xlsx"})
    assert workbook_response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("count", [1, 50], ids=["1-loan", "50-loans"])
def test_the_loan_list_costs_the_same_queries_at_any_size(
    client, django_assert_num_queries, fonds, people, archivist, count, media
):
    record = archive.record_file(package=package(1))
    for _ in range(count):
        loan = Loan.objects.create(
            borrower=people["alice"], purpose="查阅", due_on=timezone.localdate() + timedelta(3)
        )
        loan.records.add(record)
    client.force_login(archivist)
    # user, bell, archivist check, count, page, records of the page, loan service
    with django_assert_num_queries(7):
        response = client.get(reverse("archives:loans"))
    assert len(response.context["page"].object_list) == min(count, 20)


@pytest.mark.parametrize("count", [1, 50], ids=["1-record", "50-records"])
def test_the_appraisal_and_destruction_lists_cost_the_same_at_any_size(
    client, django_assert_num_queries, fonds, archivist, count, media
):
    records = [
        archive.record_file(package=package(n, year=2010, retention="D10")) for n in range(count)
    ]
    client.force_login(archivist)
    # user, bell, archivist check, count, page, batches
    with django_assert_num_queries(6):
        response = client.get(reverse("archives:appraisal"))
    assert len(response.context["page"].object_list) == count
    batch = archive.appraisal_create(
        user=archivist, proposals=[{"record": r.pk, "decision": "destroy"} for r in records]
    )
    Appraisal.objects.filter(pk=batch.pk).update(status="approved")
    # user, archivist check, count, page (the bell was counted once, by the first page)
    with django_assert_num_queries(4):
        response = client.get(reverse("archives:destruction"))
    assert len(response.context["page"].object_list) == min(count, 20)


def test_a_description_corrected_in_the_admin_is_found_by_its_new_words(fonds, archivist, media):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    record = archive.record_file(package=package(1))
    record.title = "更正后的题名：校园规划"
    site._registry[Record].save_model(RequestFactory().post("/"), record, None, True)
    assert list(selectors.search(archivist, q="校园规划")) == [record]
    assert Record.objects.get(pk=record.pk).code == record.code


def test_two_character_words_and_code_parts_find_exactly_what_like_finds(
    fonds, archivist, research_dept, media
):
    # On Postgres the pairs index narrows first; LIKE decides, so a pair that only forms across
    # two fields (…学校 | 史…) is no match.
    history = archive.record_file(
        package=archive.FilingPackage(title="校史资料汇编", date=date(2015, 5, 1), files=[])
    )
    across = archive.record_file(
        package=archive.FilingPackage(
            title="关于学校", responsible="史料室", date=date(2015, 5, 2), files=[]
        )
    )
    dept = archive.record_file(
        package=archive.FilingPackage(
            title="年度总结",
            date=date(2015, 6, 1),
            files=[],
            department_id=research_dept.pk,
            retention="D10",
        )
    )
    assert list(selectors.search(archivist, q="校史")) == [history]
    assert list(selectors.search(archivist, q="史料")) == [across]
    assert list(selectors.search(archivist, q="校史资料")) == [history]
    assert set(selectors.search(archivist, q="z001-ws·2015-d30")) == {history, across}
    assert list(selectors.search(archivist, q="Z001-WS·2015-D10-KY")) == [dept]
    assert list(selectors.search(archivist, q=dept.code.lower())) == [dept]
    assert list(selectors.search(archivist, q="Z001-WS·2015-D30-0002")) == [across]
    assert list(selectors.search(archivist, q="Z001-WS·2015-D30-9999")) == []


def test_a_search_past_a_thousand_records_says_so_instead_of_counting_them_all(
    client, fonds, archivist, media, monkeypatch
):
    from archives.selectors import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    for n in range(5):
        archive.record_file(package=package(n))
    client.force_login(archivist)
    response = client.get(reverse("archives:record-list"))
    assert response.context["page"].paginator.capped
    assert response.context["page"].paginator.count == 4
    assert len(response.context["page"].object_list) == 5  # the page still lists them all
    archive.record_file(package=package(9, year=2020))
    response = client.get(reverse("archives:record-list"), {"year": 2020})
    assert not response.context["page"].paginator.capped


def test_the_downloaded_template_imports_as_it_is(client, fonds, archivist):
    client.force_login(archivist)
    template = client.get(reverse("archives:import"), {"template": 1})
    upload = BytesIO(template.content)
    upload.name = "template.xlsx"
    client.post(reverse("archives:import"), {"file": upload})
    assert list(Record.objects.values_list("code", "title")) == [
        ("Z001-WS·1998-Y-0001", "关于1998年招生工作的通知")
    ]


def test_a_custodian_finds_their_certificates_from_the_loans_page(client, people, archivist):
    alice, charlie = people["alice"], people["charlie"]
    archive.certificate_register(
        user=archivist,
        kind="permit",
        name="实验动物使用许可证",
        number="SYXK-1",
        issuer="科委",
        valid_until=None,
        custodian=alice,
    )
    client.force_login(alice)
    page = client.get(reverse("archives:loans")).content.decode()
    assert reverse("archives:cert-list") in page
    assert reverse("archives:report-forms") not in page
    client.force_login(charlie)
    page = client.get(reverse("archives:loans")).content.decode()
    assert reverse("archives:cert-list") not in page


def test_the_ask_to_borrow_button_is_offered_only_to_people_the_service_is_for(
    client, loan_service, people
):
    # given: borrowing is open to the School of CS only
    loan_service.departments.set([people["school"]])
    apply_url = reverse("workflows:apply", args=[loan_service.code])
    # when / then: alice of the school is offered the button
    client.force_login(people["alice"])
    assert apply_url in client.get(reverse("archives:loans")).content.decode()
    # charlie of finance is told who may borrow instead of being sent to a refusal
    client.force_login(people["charlie"])
    page = client.get(reverse("archives:loans")).content.decode()
    assert apply_url not in page
    assert "Ask to borrow" not in page
    assert loan_service.who_may_apply() in page
