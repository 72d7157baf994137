"""Seals (印章): use requests through a catalogue chain (the handoff registry), the custodian's
record of each use, and taking a seal out of the office (外带) until it comes back."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Outgoing, Seal, SealLoan, SealUse
from documents.services import DocumentError, _int
from hall.models import ServiceField, ServiceStep, User
from workflows import handoffs
from workflows.models import ServiceRequest

SERVICE = "documents-seal-use"
FIELDS = [
    ("seal_use", "用印申请", "Seal use", ServiceField.Type.TEXT),
    ("seal", "印章", "Seal", ServiceField.Type.TEXT),
    ("purpose", "用途", "Purpose", ServiceField.Type.TEXT),
    ("copies", "份数", "Copies", ServiceField.Type.TEXT),
]


def check_usable(seal: Seal) -> None:
    if seal.status != Seal.Status.ACTIVE:
        raise DocumentError(_("The seal %(seal)s is revoked.") % {"seal": seal})
    if seal.loans.filter(returned_at=None).exists():
        raise DocumentError(_("The seal %(seal)s is out of the office.") % {"seal": seal})


def _form(use: SealUse) -> dict:
    return {
        "seal_use": str(use.pk),
        "seal": use.seal.name_zh,
        "purpose": use.purpose,
        "copies": str(use.copies),
    }


def form_data(user: User, post: dict) -> dict:
    use = SealUse.objects.filter(pk=_int(post.get("seal_use")), applicant=user).first()
    if use is None:
        raise handoffs.HandoffError(_("No such seal use."))
    return _form(use)


@transaction.atomic
def seal_use_request(
    *,
    user: User,
    seal: Seal,
    purpose: str,
    copies: int,
    document: Outgoing | None = None,
    file=None,
) -> SealUse:
    """Asks to use a seal and sends the request into its chain (made on first use: the
    applicant's head, then the seal's custodian's department; admins change it in admin)."""
    seal = Seal.objects.select_for_update().get(pk=seal.pk)
    check_usable(seal)
    if not (purpose or "").strip():
        raise DocumentError(_("Say what the seal is for."))
    if not copies or copies < 1:
        raise DocumentError(_("Give the number of copies (at least 1)."))
    if document is None and not file:
        raise DocumentError(_("Name the document or attach the file to seal."))
    if document is not None and not document.number:
        raise DocumentError(_("Only a registered document is sealed."))
    use = SealUse.objects.create(
        seal=seal,
        applicant=user,
        department_id=user.department_id,
        document=document,
        purpose=purpose.strip()[:300],
        copies=copies,
    )
    if file:
        use.file = file
        use.save(update_fields=["file"])
    service = handoffs.internal_service(SERVICE, department=seal.department)
    handoffs.start_chain(
        service=service,
        applicant=user,
        form_data=lambda: _form(use),
        refusal=DocumentError,
    )
    use.refresh_from_db()
    return use


def _use_of(request: ServiceRequest) -> SealUse | None:
    return (
        SealUse.objects.select_for_update()
        .filter(pk=_int(request.form_data.get("seal_use")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    use = _use_of(request)
    if use is None or use.applicant_id != request.applicant_id:
        raise DocumentError(_("No such seal use."))
    use.request = request
    use.status = SealUse.Status.IN_REVIEW
    use.save(update_fields=["request", "status"])


def chain_approved(request: ServiceRequest) -> None:
    SealUse.objects.filter(request=request, status=SealUse.Status.IN_REVIEW).update(
        status=SealUse.Status.APPROVED
    )


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    SealUse.objects.filter(request=request, status=SealUse.Status.IN_REVIEW).update(
        status=SealUse.Status.REJECTED if rejected else SealUse.Status.WITHDRAWN
    )


HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("seal_use",),
    refusals=(DocumentError,),
    form_data=form_data,
    default_service={
        "name_zh": "用印审批",
        "name_en": "Seal use approval",
        "time_limit_days": 3,
        "fields": FIELDS,
        "steps": [
            ("部门负责人审核", "Check by the applicant's head", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_handoffs() -> None:
    handoffs.register(SERVICE, HANDOFF)


@transaction.atomic
def seal_use_record(*, use_id: int, user: User, copies: int, scan=None) -> SealUse:
    """The custodian records that the seal was applied; from then on the document's red-header
    PDF carries the seal's image."""
    use = SealUse.objects.select_for_update(of=("self",)).select_related("seal").get(pk=use_id)
    if use.seal.custodian_id != user.pk:
        raise DocumentError(_("Only the seal's custodian records its use."))
    if use.status == SealUse.Status.APPLIED:
        raise DocumentError(_("This use is already recorded."))
    if use.status != SealUse.Status.APPROVED:
        raise DocumentError(_("Only an approved seal use is recorded."))
    check_usable(use.seal)
    if not copies or copies < 1 or copies > use.copies:
        raise DocumentError(_("Give the copies sealed: 1 to %(n)s.") % {"n": use.copies})
    use.status, use.applied_at, use.applied_by = SealUse.Status.APPLIED, timezone.now(), user
    use.applied_copies = copies
    if scan:
        use.scan = scan
    use.save(update_fields=["status", "applied_at", "applied_by", "applied_copies", "scan"])
    return use


@transaction.atomic
def seal_take_out(
    *, seal_id: int, user: User, borrower: User, purpose: str, due_at: datetime
) -> SealLoan:
    seal = Seal.objects.select_for_update().get(pk=seal_id)
    if seal.custodian_id != user.pk:
        raise DocumentError(_("Only the seal's custodian lends it out."))
    check_usable(seal)
    if not (purpose or "").strip():
        raise DocumentError(_("Say what the seal is taken out for."))
    if due_at <= timezone.now():
        raise DocumentError(_("The due time must be in the future."))
    return SealLoan.objects.create(
        seal=seal,
        borrower=borrower,
        purpose=purpose.strip()[:300],
        out_at=timezone.now(),
        due_at=due_at,
    )


@transaction.atomic
def seal_return(*, seal_id: int, user: User) -> SealLoan:
    seal = Seal.objects.select_for_update().get(pk=seal_id)
    if seal.custodian_id != user.pk:
        raise DocumentError(_("Only the seal's custodian takes it back."))
    loan = seal.loans.filter(returned_at=None).first()
    if loan is None:
        raise DocumentError(_("The seal is in the office."))
    loan.returned_at = timezone.now()
    loan.save(update_fields=["returned_at"])
    return loan


def applied_seal_image(document: Outgoing) -> bytes | None:
    """The image of the seal whose use on this document was recorded, or None."""
    use = (
        SealUse.objects.filter(document=document, status=SealUse.Status.APPLIED)
        .select_related("seal")
        .order_by("-applied_at")
        .first()
    )
    if use is None or not use.seal.image:
        return None
    with use.seal.image.open("rb") as handle:
        return handle.read()
