"""Seals without views: a use goes through its chain, the custodian records it, a seal taken
out comes back; a revoked seal or one out of the office is refused; the red-header PDF shows
the seal's image only once its use on the document is recorded."""

import io
from datetime import timedelta

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from documents import pdf as red_header
from documents import seals, services
from documents.models import Seal, SealLoan, SealUse
from documents.services import DocumentError
from hall.models import ServiceStep
from tests.documents.conftest import decide, sign_off


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (220, 0, 0, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def seal(office):
    seal = Seal.objects.create(
        name_zh="校长办公室公章",
        kind="official",
        department=office["office"],
        custodian=office["otto"],
        activated_on=timezone.localdate(),
    )
    seal.image.save("seal.png", ContentFile(_png()))
    return seal


@pytest.fixture
def issued(office, draft):
    document = sign_off(draft(), office)
    return services.document_register(document_id=document.pk, user=office["rhea"])


def _images(pdf: bytes) -> int:
    """Image XObjects anywhere in the file (WeasyPrint nests them in form XObjects)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        images = [
            obj
            for obj in doc.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image
        ]
        # An image's transparency is an image too (its soft mask): count the pictures only.
        masks = {i.SMask.objgen for i in images if "/SMask" in i}
        return sum(1 for i in images if i.objgen not in masks)


def test_a_seal_use_goes_through_its_chain_and_the_pdf_shows_the_seal_once_recorded(
    office, seal, issued
):
    # given
    assert _images(red_header.render(issued)[0]) == 0
    # when
    use = seals.seal_use_request(
        user=office["alice"], seal=seal, purpose="印发通知", copies=30, document=issued
    )
    # then
    assert use.status == SealUse.Status.IN_REVIEW
    assert use.request.service.code == "documents-seal-use"
    step = ServiceStep.objects.get(service__code="documents-seal-use")
    assert step.rule == ServiceStep.Rule.APPLICANT_HEAD
    with pytest.raises(DocumentError, match="Only an approved"):
        seals.seal_use_record(use_id=use.pk, user=office["otto"], copies=30)
    decide(use, office["hank"])
    use.refresh_from_db()
    assert use.status == SealUse.Status.APPROVED
    assert _images(red_header.render(issued)[0]) == 0  # approved is not yet sealed
    with pytest.raises(DocumentError, match="custodian"):
        seals.seal_use_record(use_id=use.pk, user=office["rhea"], copies=30)
    with pytest.raises(DocumentError, match="1 to 30"):
        seals.seal_use_record(use_id=use.pk, user=office["otto"], copies=31)
    recorded = seals.seal_use_record(use_id=use.pk, user=office["otto"], copies=30)
    assert recorded.status == SealUse.Status.APPLIED and recorded.applied_by == office["otto"]
    assert _images(red_header.render(issued)[0]) == 1
    with pytest.raises(DocumentError, match="already recorded"):
        seals.seal_use_record(use_id=use.pk, user=office["otto"], copies=30)


def test_a_rejected_use_is_closed(office, seal, issued):
    use = seals.seal_use_request(
        user=office["alice"], seal=seal, purpose="印发通知", copies=2, document=issued
    )
    decide(use, office["hank"], action="reject", comment="无需用印")
    use.refresh_from_db()
    assert use.status == SealUse.Status.REJECTED


def _counts():
    return (SealUse.objects.count(), SealLoan.objects.filter(returned_at=None).count())


def test_a_revoked_seal_or_one_out_of_the_office_is_refused(office, seal, issued):
    # given: the seal out of the office
    seals.seal_take_out(
        seal_id=seal.pk,
        user=office["otto"],
        borrower=office["rhea"],
        purpose="赴省厅办理备案",
        due_at=timezone.now() + timedelta(hours=4),
    )
    before = _counts()
    # when / then
    with pytest.raises(DocumentError, match="out of the office"):
        seals.seal_use_request(
            user=office["alice"], seal=seal, purpose="x", copies=1, document=issued
        )
    with pytest.raises(DocumentError, match="out of the office"):
        seals.seal_take_out(
            seal_id=seal.pk,
            user=office["otto"],
            borrower=office["alice"],
            purpose="再借",
            due_at=timezone.now() + timedelta(hours=4),
        )
    assert _counts() == before
    seals.seal_return(seal_id=seal.pk, user=office["otto"])
    with pytest.raises(DocumentError, match="in the office"):
        seals.seal_return(seal_id=seal.pk, user=office["otto"])
    seal.status, seal.revoked_on = Seal.Status.REVOKED, timezone.localdate()
    seal.save()
    before = _counts()
    with pytest.raises(DocumentError, match="revoked"):
        seals.seal_use_request(
            user=office["alice"], seal=seal, purpose="x", copies=1, document=issued
        )
    assert _counts() == before


def test_a_use_names_its_purpose_copies_and_what_is_sealed(office, seal, draft):
    unregistered = draft()
    before = _counts()
    for kwargs, message in (
        ({"purpose": " ", "copies": 1, "file": b"x"}, "what the seal is for"),
        ({"purpose": "盖章", "copies": 0, "file": b"x"}, "copies"),
        ({"purpose": "盖章", "copies": 1}, "document or attach"),
        ({"purpose": "盖章", "copies": 1, "document": unregistered}, "registered"),
    ):
        with pytest.raises(DocumentError, match=message):
            seals.seal_use_request(user=office["alice"], seal=seal, **kwargs)
    assert _counts() == before


def test_only_the_custodian_lends_the_seal_and_the_due_time_is_ahead(office, seal):
    with pytest.raises(DocumentError, match="custodian"):
        seals.seal_take_out(
            seal_id=seal.pk,
            user=office["alice"],
            borrower=office["alice"],
            purpose="外出",
            due_at=timezone.now() + timedelta(hours=1),
        )
    with pytest.raises(DocumentError, match="future"):
        seals.seal_take_out(
            seal_id=seal.pk,
            user=office["otto"],
            borrower=office["alice"],
            purpose="外出",
            due_at=timezone.now() - timedelta(hours=1),
        )
    assert not SealLoan.objects.exists()


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "seal_page", "use_page"),
    [
        ("otto", 200, 200),  # the custodian
        ("rhea", 200, 200),  # the seal's department
        ("alice", 404, 200),  # the applicant
        ("hank", 404, 200),  # the chain (the applicant's head)
        ("charlie", 404, 404),  # nobody in it
        ("anonymous", 302, 302),
    ],
)
def test_the_seal_log_and_a_use_answer_only_those_in_it(
    client, office, seal, issued, persona, seal_page, use_page
):
    use = seals.seal_use_request(
        user=office["alice"], seal=seal, purpose="印发通知", copies=3, document=issued
    )
    if persona != "anonymous":
        client.force_login(office[persona])
    assert client.get(seal.get_absolute_url()).status_code == seal_page
    assert client.get(use.get_absolute_url()).status_code == use_page
    listed = client.get(reverse("documents:seals"))
    assert listed.status_code == (302 if persona == "anonymous" else 200)


def test_a_use_is_asked_approved_and_recorded_through_the_pages(client, office, seal, issued):
    # given
    client.force_login(office["alice"])
    # when
    client.post(
        reverse("documents:seal-use-create"),
        {"seal": seal.pk, "number": issued.number, "purpose": "印发通知", "copies": "5"},
    )
    use = SealUse.objects.get()
    decide(use, office["hank"])
    client.force_login(office["otto"])
    page = client.get(use.get_absolute_url()).content.decode()
    assert reverse("documents:seal-use-record", args=[use.pk]) in page
    client.post(reverse("documents:seal-use-record", args=[use.pk]), {"copies": "5"})
    # then
    use.refresh_from_db()
    assert use.status == SealUse.Status.APPLIED and use.applied_copies == 5
    log = client.get(seal.get_absolute_url()).content.decode()
    assert issued.number in log
    refused = client.post(
        reverse("documents:seal-use-create"),
        {"seal": seal.pk, "number": "校办发〔2026〕999号", "purpose": "x", "copies": "1"},
    )
    assert "No registered document has this number" in refused.content.decode()


def test_the_custodian_takes_the_seal_out_and_back_from_the_page(client, office, seal):
    client.force_login(office["otto"])
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("documents:seal-out", args=[seal.pk]),
        {"borrower": "rhea", "purpose": "赴省厅备案", "due_at": due},
    )
    assert SealLoan.objects.filter(seal=seal, returned_at=None).exists()
    assert "Out of the office" in client.get(reverse("documents:seals")).content.decode()
    client.post(reverse("documents:seal-back", args=[seal.pk]))
    assert not SealLoan.objects.filter(seal=seal, returned_at=None).exists()
    client.force_login(office["rhea"])  # not the custodian
    response = client.post(
        reverse("documents:seal-out", args=[seal.pk]),
        {"borrower": "rhea", "purpose": "x", "due_at": due},
        follow=True,
    )
    assert "custodian" in response.content.decode()
    assert not SealLoan.objects.filter(seal=seal, returned_at=None).exists()


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_seal_list_and_log_cost_the_same_queries_at_1_and_50_rows(client, office, seal):
    client.force_login(office["otto"])

    def uses(n):
        for i in range(n):
            SealUse.objects.create(
                seal=seal, applicant=office["alice"], purpose=f"用途{i}", copies=1
            )

    def more_seals(n):
        for i in range(n):
            Seal.objects.create(
                name_zh=f"章{i}",
                kind="contract",
                department=office["office"],
                custodian=office["otto"],
            )

    uses(1)
    client.get(seal.get_absolute_url())
    one_log = _queries(client, seal.get_absolute_url())
    one_list = _queries(client, reverse("documents:seals"))
    uses(49)
    more_seals(49)
    assert _queries(client, seal.get_absolute_url()) == one_log
    assert _queries(client, reverse("documents:seals")) == one_list


def test_who_takes_the_seal_is_picked_by_number_and_an_unknown_or_outsider_is_refused(
    client, office, seal
):
    client.force_login(office["otto"])
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.get(seal.get_absolute_url()).content.decode()
    assert 'name="borrower"' in page and 'data-people="/people/search/"' in page
    url = reverse("documents:seal-out", args=[seal.pk])
    unknown = client.post(url, {"borrower": "nobody", "purpose": "x", "due_at": due}, follow=True)
    assert "Nobody has the number or user name “nobody”." in unknown.content.decode()
    outsider = client.post(
        url, {"borrower": office["alice"].username, "purpose": "x", "due_at": due}, follow=True
    )
    assert "department may take it out." in outsider.content.decode()
    assert not SealLoan.objects.exists()
    client.post(url, {"borrower": "T402", "purpose": "赴省厅备案", "due_at": due})  # rhea's number
    assert SealLoan.objects.get().borrower == office["rhea"]
