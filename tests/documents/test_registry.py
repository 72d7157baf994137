from documents import services
from documents.models import DocType, Outgoing
from tests.documents.conftest import decide
from workflows import handoffs


def test_every_document_type_has_an_internal_chain_registered_by_the_app():
    for doc_type in DocType.values:
        handoff = handoffs.registered(f"documents-outgoing-{doc_type}")
        assert handoff is not None, doc_type
        assert handoff.form_data is not None
    assert len(DocType.values) == 15


def test_a_returned_document_keeps_its_type_and_authority(office, draft):
    # given
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    decide(document, office["hank"], action="return", comment="请修改")
    # when
    services.document_save(
        user=office["alice"],
        document_id=document.pk,
        data={"doc_type": "letter", "title": "改后的标题"},
    )
    # then
    document = Outgoing.objects.get(pk=document.pk)
    assert document.doc_type == "notice"
    assert document.title == "改后的标题"
