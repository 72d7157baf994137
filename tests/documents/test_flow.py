"""Outgoing documents without views: drafting, the chain, registration and voiding."""

import pytest

from documents import services
from documents.models import NumberCounter, Outgoing, Version
from documents.services import DocumentError
from hall.models import Service, ServiceStep
from tests.documents.conftest import decide, sign_off
from workflows.models import ServiceRequest

Status = Outgoing.Status


def test_a_document_goes_through_its_chain_and_gets_its_number(office, draft):
    # given
    document = draft()
    # when
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    # then
    assert document.status == Status.IN_REVIEW
    assert document.request.service.code == "documents-outgoing-notice"
    steps = ServiceStep.objects.filter(service__code="documents-outgoing-notice").order_by("order")
    assert [s.name_zh for s in steps] == ["核稿", "审核", "签发"]
    for who in ("hank", "otto"):
        decide(document, office[who])
        document.refresh_from_db()
        assert document.status == Status.IN_REVIEW
    decide(document, office["lee"])
    document.refresh_from_db()
    assert document.status == Status.SIGNED
    assert document.request.status == ServiceRequest.Status.APPROVED
    done = services.document_register(document_id=document.pk, user=office["rhea"])
    assert done.status == Status.REGISTERED
    assert done.number == f"校办发〔{done.year}〕1号"
    assert done.registered_by == office["rhea"]


def test_the_service_of_a_type_is_made_once_as_an_internal_service(office, draft):
    # given
    first, second = draft(), draft(title="第二份通知")
    # when
    for document in (first, second):
        services.document_submit(document_id=document.pk, user=office["alice"])
    # then
    service = Service.objects.get(code="documents-outgoing-notice")
    assert not service.is_published
    assert Service.objects.filter(code__startswith="documents-outgoing-").count() == 1


def test_a_returned_document_is_revised_and_its_versions_kept(office, draft):
    # given
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    decide(document, office["hank"], action="return", comment="请补充第二部分")
    document.refresh_from_db()
    assert services.can_edit(document, office["alice"])
    # when
    services.document_save(
        user=office["alice"],
        document_id=document.pk,
        data={"body": document.body + "\n二、工作安排"},
    )
    services.document_submit(document_id=document.pk, user=office["alice"], comment="已补充")
    document.refresh_from_db()
    # then
    assert document.status == Status.IN_REVIEW
    assert document.request.status == ServiceRequest.Status.IN_PROGRESS
    versions = list(Version.objects.filter(document=document).order_by("n"))
    assert [v.n for v in versions] == [1, 2]
    assert "二、工作安排" not in versions[0].body
    assert versions[1].body.endswith("二、工作安排")
    decide(document, office["hank"])
    decide(document, office["otto"])
    decide(document, office["lee"])
    document.refresh_from_db()
    assert document.status == Status.SIGNED


def test_a_withdrawn_document_is_a_draft_again_and_a_rejected_one_closed(office, draft):
    # given
    from workflows import services as engine

    withdrawn, rejected = draft(), draft(title="另一份")
    for document in (withdrawn, rejected):
        services.document_submit(document_id=document.pk, user=office["alice"])
        document.refresh_from_db()
    # when
    engine.request_withdraw(request_id=withdrawn.request_id, user=office["alice"])
    decide(rejected, office["hank"], action="reject", comment="不宜发文")
    # then
    withdrawn.refresh_from_db()
    rejected.refresh_from_db()
    assert withdrawn.status == Status.DRAFT
    assert services.can_edit(withdrawn, office["alice"])
    assert rejected.status == Status.REJECTED
    assert not services.can_edit(rejected, office["alice"])


def _state(document):
    document.refresh_from_db()
    return (
        document.status,
        document.number,
        document.request_id,
        document.void_reason,
        ServiceRequest.objects.count(),
        list(NumberCounter.objects.values_list("prefix", "year", "last")),
    )


def test_a_draft_without_a_main_addressee_is_refused(office, draft):
    # given
    document = draft(to_departments=[])
    before = _state(document)
    # when
    with pytest.raises(DocumentError, match="main addressee"):
        services.document_submit(document_id=document.pk, user=office["alice"])
    # then
    assert _state(document) == before


def test_an_upward_document_without_its_signer_is_refused(office, draft):
    document = draft(doc_type="request", title="关于增设专业的请示")
    before = _state(document)
    with pytest.raises(DocumentError, match="signer"):
        services.document_submit(document_id=document.pk, user=office["alice"])
    assert _state(document) == before


def test_registering_an_unsigned_document_is_refused(office, draft):
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    before = _state(document)
    with pytest.raises(DocumentError, match="signed-off"):
        services.document_register(document_id=document.pk, user=office["rhea"])
    assert _state(document) == before


def test_registering_twice_is_refused_and_gives_no_second_number(office, draft):
    # given
    document = sign_off(draft(), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    before = _state(document)
    # when
    with pytest.raises(DocumentError, match="already has its number"):
        services.document_register(document_id=document.pk, user=office["rhea"])
    # then
    assert _state(document) == before


def test_only_the_office_registers_and_voids(office, draft):
    document = sign_off(draft(), office)
    before = _state(document)
    for who in ("alice", "lee", "charlie"):
        with pytest.raises(DocumentError, match="Only the office"):
            services.document_register(document_id=document.pk, user=office[who])
    assert _state(document) == before


def test_voiding_without_a_reason_is_refused(office, draft):
    # given
    document = sign_off(draft(), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    before = _state(document)
    # when
    for reason in ("", "   "):
        with pytest.raises(DocumentError, match="reason"):
            services.document_void(document_id=document.pk, user=office["rhea"], reason=reason)
    # then
    assert _state(document) == before


def test_a_voided_number_stays_with_its_document_and_is_never_given_again(office, draft):
    # given
    first = sign_off(draft(), office)
    services.document_register(document_id=first.pk, user=office["rhea"])
    # when
    voided = services.document_void(
        document_id=first.pk, user=office["rhea"], reason="标题有误，重新发文"
    )
    second = sign_off(draft(title="更正后的通知"), office)
    second = services.document_register(document_id=second.pk, user=office["rhea"])
    # then
    assert voided.status == Status.VOID
    assert voided.number.endswith("〕1号")
    assert second.number.endswith("〕2号")
    assert Outgoing.objects.filter(status=Status.VOID, number=voided.number).exists()


def test_only_the_drafter_edits_and_submits(office, draft):
    document = draft()
    before = _state(document)
    with pytest.raises(DocumentError):
        services.document_submit(document_id=document.pk, user=office["bob"])
    with pytest.raises(DocumentError):
        services.document_save(user=office["bob"], document_id=document.pk, data={"title": "x"})
    assert _state(document) == before
    assert document.title == "关于做好2026年寒假工作的通知"
