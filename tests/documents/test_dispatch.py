"""Dispatch of an issued document to its addressee departments, and its filing in the archives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import Record
from documents import services
from documents.models import Dispatch, Outgoing, RetentionRule
from documents.services import DocumentError
from hall.models import Department, Notification
from tests.documents.conftest import sign_off


@pytest.fixture(autouse=True)
def _tasks_in_process(celery_eager):
    """The filing task runs in process, as in the embedded default."""


@pytest.fixture
def issued(office, draft):
    def make(**extra):
        document = sign_off(draft(**extra), office)
        return services.document_register(document_id=document.pk, user=office["rhea"])

    return make


def test_a_dispatched_document_reaches_its_departments_and_is_filed_once(
    office, issued, django_capture_on_commit_callbacks
):
    # given
    document = issued(copy_departments=[office["school"]], to_others="省教育厅")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        made = services.document_dispatch(document_id=document.pk, user=office["rhea"])
    # then
    assert {(d.department_id, d.kind) for d in made} == {
        (office["finance"].pk, "main"),
        (office["school"].pk, "copy"),
    }
    told = set(Notification.objects.filter(kind="cc").values_list("recipient__username", flat=True))
    # finance has no clerk and no head: its people; the school is told through its head
    assert told == {"fay", "charlie", "hank"}
    record = Record.objects.get(source_ref=f"documents.outgoing:{document.pk}")
    document.refresh_from_db()
    assert document.archive_code == record.code
    assert record.doc_number == document.number
    assert record.retention == "D30"  # a notice
    assert record.pages >= 1  # counted from the red-header PDF (it was 0)
    names = sorted(f.name for f in record.files.all())
    assert names == sorted(
        [f"{document.number}.pdf", f"{document.number}-正文.txt", f"{document.number}-审批记录.txt"]
    )
    trail = record.metadata["trail"]
    assert [t["step"] for t in trail][-3:] == ["核稿", "审核", "签发"]
    # filing again (a task run twice) leaves the one record
    assert services.document_file(document_id=document.pk).pk == record.pk
    assert Record.objects.filter(source_ref=f"documents.outgoing:{document.pk}").count() == 1


def test_the_retention_follows_the_rule_set_in_admin(
    office, issued, django_capture_on_commit_callbacks
):
    # given
    RetentionRule.objects.create(doc_type="notice", retention="Y")
    letter_rule_default = services.retention_for("letter")
    document = issued()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.document_dispatch(document_id=document.pk, user=office["rhea"])
    # then
    assert Record.objects.get(source_ref=f"documents.outgoing:{document.pk}").retention == "Y"
    assert letter_rule_default == "D10"


def _state(document):
    document.refresh_from_db()
    return (
        document.dispatched_at,
        list(Dispatch.objects.values_list("department_id", "signed_at")),
        Notification.objects.count(),
        Record.objects.count(),
    )


def test_dispatch_refusals_say_why_and_change_nothing(
    office, issued, draft, django_capture_on_commit_callbacks
):
    # given
    document = issued()
    unsigned = draft(title="未签发的通知")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_dispatch(document_id=document.pk, user=office["rhea"])
    before = _state(document)
    # when / then
    with pytest.raises(DocumentError, match="already dispatched"):
        services.document_dispatch(document_id=document.pk, user=office["rhea"])
    with pytest.raises(DocumentError, match="Only a registered document"):
        services.document_dispatch(document_id=unsigned.pk, user=office["rhea"])
    other = issued(title="另一份通知")
    before_other = _state(other)
    for who in ("alice", "charlie", "lee"):
        with pytest.raises(DocumentError, match="Only the office"):
            services.document_dispatch(document_id=other.pk, user=office[who])
    assert _state(other) == before_other
    assert before[1] == _state(document)[1]


def test_a_void_document_is_not_dispatched(office, issued):
    document = issued()
    services.document_void(document_id=document.pk, user=office["rhea"], reason="文号有误")
    with pytest.raises(DocumentError, match="Only a registered document"):
        services.document_dispatch(document_id=document.pk, user=office["rhea"])
    assert not Dispatch.objects.exists()


def test_the_addressee_department_signs_for_it_once(office, issued):
    # given
    document = issued()
    (dispatch,) = services.document_dispatch(document_id=document.pk, user=office["rhea"])
    # when / then: someone of another department may not
    with pytest.raises(DocumentError, match="Only the addressee department"):
        services.dispatch_sign(dispatch_id=dispatch.pk, user=office["alice"])
    dispatch.refresh_from_db()
    assert dispatch.signed_at is None
    services.dispatch_sign(dispatch_id=dispatch.pk, user=office["charlie"])
    with pytest.raises(DocumentError, match="already signed for by 查理"):
        services.dispatch_sign(dispatch_id=dispatch.pk, user=office["fay"])
    dispatch.refresh_from_db()
    assert dispatch.signed_by == office["charlie"]


@pytest.mark.parametrize(
    ("persona", "listed", "sign_status"),
    [("charlie", True, 302), ("fay", True, 302), ("alice", False, 404), ("rhea", False, 404)],
)
def test_the_received_list_and_signing_answer_only_the_addressee_department(
    client, office, issued, persona, listed, sign_status
):
    # given
    document = issued()
    (dispatch,) = services.document_dispatch(document_id=document.pk, user=office["rhea"])
    client.force_login(office[persona])
    # when
    page = client.get(reverse("documents:received"))
    signed = client.post(reverse("documents:sign", args=[dispatch.pk]))
    # then
    assert page.status_code == 200
    assert (document.title in page.content.decode()) is listed
    assert signed.status_code == sign_status
    dispatch.refresh_from_db()
    assert (dispatch.signed_by_id == office[persona].pk) is listed


def test_anonymous_is_sent_to_log_in(client, office):
    for url in (reverse("documents:received"), reverse("documents:sign", args=[1])):
        response = client.get(url) if url.endswith("received/") else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_office_dispatches_from_the_page(client, office, issued):
    document = issued()
    client.force_login(office["rhea"])
    assert (
        reverse("documents:dispatch", args=[document.pk])
        in client.get(document.get_absolute_url()).content.decode()
    )
    client.post(reverse("documents:dispatch", args=[document.pk]))
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Finance" in page and "Not yet" in page
    refused = client.post(reverse("documents:dispatch", args=[document.pk]), follow=True)
    assert "already dispatched" in refused.content.decode()


def _received_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("documents:received"))
    assert response.status_code == 200
    return len(queries)


def test_the_received_list_costs_the_same_queries_at_1_and_50_rows(office):
    from django.test import Client
    from django.utils import timezone

    # given
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(office["charlie"])
    finance = office["finance"]
    authority = office["authority"]

    def add(n, start):
        for i in range(start, start + n):
            document = Outgoing.objects.create(
                doc_type="notice",
                authority=authority,
                title=f"通知{i}",
                status=Outgoing.Status.REGISTERED,
                number=f"校办发〔2026〕{i}号",
                year=2026,
                seq=i,
            )
            Dispatch.objects.create(
                document=document,
                department=finance,
                sent_at=timezone.now(),
                signed_at=timezone.now() if i % 2 else None,
                signed_by=office["fay"] if i % 2 else None,
            )

    add(1, 1)
    client.get(reverse("documents:received"))
    one = _received_queries(client)
    add(49, 2)
    # when
    fifty = _received_queries(client)
    # then
    assert Dispatch.objects.filter(department=finance).count() == 50
    assert one == fifty
    assert Department.objects.exists()
