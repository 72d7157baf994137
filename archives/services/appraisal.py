"""Appraisal of records due for it, disposal holds, and destruction."""

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    Appraisal,
    AppraisalItem,
    ArchiveEvent,
    DisposalHold,
    Record,
    RecordUserObjectPermission,
)
from archives.services.records import ArchiveError, event

APPRAISAL_SERVICE = "archives-appraisal"


@transaction.atomic
def appraisal_create(*, user, proposals: list[dict]) -> Appraisal:
    """A draft batch from the archivist's proposals: [{record, decision, years, reason}]."""
    from archives.selectors import is_archivist

    if not is_archivist(user):
        raise ArchiveError(_("Only archivists appraise records."))
    if not proposals:
        raise ArchiveError(_("Choose at least one record and a decision for it."))
    ids = [p["record"] for p in proposals]
    records = Record.objects.in_bulk(ids)
    for proposal in proposals:
        record = records.get(proposal["record"])
        if record is None or record.status != Record.Status.KEPT:
            raise ArchiveError(_("Only kept records can be appraised."))
        if proposal["decision"] not in AppraisalItem.Decision.values:
            raise ArchiveError(_("Choose keep, extend or destroy for every record."))
        if proposal["decision"] == AppraisalItem.Decision.EXTEND and proposal.get("years") not in (
            10,
            30,
        ):
            raise ArchiveError(_("Extend a record by 10 or 30 years."))
    busy = AppraisalItem.objects.filter(
        record_id__in=ids,
        appraisal__status__in=[Appraisal.Status.DRAFT, Appraisal.Status.IN_REVIEW],
    ).values_list("record__code", flat=True)
    if busy:
        raise ArchiveError(
            _("Already in another appraisal: %(codes)s.") % {"codes": ", ".join(busy)}
        )
    year = timezone.localdate().year
    appraisal = Appraisal.objects.create(created_by=user, number=f"JD{year}-{uuid.uuid4().hex[:6]}")
    appraisal.number = f"JD{year}-{appraisal.pk:05d}"
    appraisal.save(update_fields=["number"])
    AppraisalItem.objects.bulk_create(
        [
            AppraisalItem(
                appraisal=appraisal,
                record_id=p["record"],
                decision=p["decision"],
                extend_years=p.get("years") or 10,
                reason=(p.get("reason") or "")[:300],
            )
            for p in proposals
        ]
    )
    return appraisal


def _appraisal_by_number(number: str) -> Appraisal:
    appraisal = Appraisal.objects.select_for_update().filter(number=(number or "").strip()).first()
    if appraisal is None:
        raise ArchiveError(_("No appraisal has the number %(n)s.") % {"n": number})
    return appraisal


@transaction.atomic
def appraisal_submit(*, number: str, user, source_ref: str) -> Appraisal:
    """The batch goes to its approval chain; the workflows app calls this on submission."""
    from archives.selectors import is_archivist

    appraisal = _appraisal_by_number(number)
    if not is_archivist(user) or appraisal.created_by_id != user.pk:
        raise ArchiveError(_("Only the archivist who prepared an appraisal sends it."))
    if appraisal.status != Appraisal.Status.DRAFT and appraisal.source_ref != source_ref:
        raise ArchiveError(_("This appraisal is already being decided."))
    if not appraisal.items.exists():
        raise ArchiveError(_("Choose at least one record and a decision for it."))
    appraisal.status, appraisal.source_ref = Appraisal.Status.IN_REVIEW, source_ref
    appraisal.save(update_fields=["status", "source_ref"])
    return appraisal


@transaction.atomic
def appraisal_approve(*, source_ref: str, actor=None) -> Appraisal | None:
    """The chain approved: keep and extend move the next appraisal; destroy puts the record on
    the destruction list. Running it twice changes nothing."""
    appraisal = Appraisal.objects.select_for_update().filter(source_ref=source_ref).first()
    if appraisal is None or appraisal.status != Appraisal.Status.IN_REVIEW:
        return appraisal
    year = timezone.localdate().year
    for item in appraisal.items.select_related("record"):
        record = item.record
        if item.decision == AppraisalItem.Decision.KEEP:
            record.appraisal_year = None
        elif item.decision == AppraisalItem.Decision.EXTEND:
            record.appraisal_year = year + item.extend_years
        record.save(update_fields=["appraisal_year"])
        event(
            kind=ArchiveEvent.Kind.APPRAISE,
            record=record,
            actor=actor,
            appraisal=appraisal.number,
            decision=item.decision,
            years=item.extend_years if item.decision == AppraisalItem.Decision.EXTEND else None,
        )
    appraisal.status, appraisal.decided_at = Appraisal.Status.APPROVED, timezone.now()
    appraisal.save(update_fields=["status", "decided_at"])
    return appraisal


@transaction.atomic
def appraisal_reopen(*, source_ref: str, rejected: bool) -> Appraisal | None:
    """Refused or withdrawn: refused batches stay as they were decided; withdrawn ones go back
    to draft so the archivist can send them again."""
    appraisal = Appraisal.objects.select_for_update().filter(source_ref=source_ref).first()
    if appraisal is None or appraisal.status != Appraisal.Status.IN_REVIEW:
        return appraisal
    if rejected:
        appraisal.status, appraisal.decided_at = Appraisal.Status.REJECTED, timezone.now()
    else:
        appraisal.status, appraisal.source_ref = Appraisal.Status.DRAFT, None
    appraisal.save(update_fields=["status", "decided_at", "source_ref"])
    return appraisal


@transaction.atomic
def hold_place(*, record_id: int, user, reason: str) -> DisposalHold:
    from archives.selectors import is_archivist

    record = Record.objects.filter(pk=record_id).first()
    if record is None or not is_archivist(user):
        raise ArchiveError(_("No such record."))
    if record.status != Record.Status.KEPT:
        raise ArchiveError(_("This record has been destroyed."))
    if not (reason or "").strip():
        raise ArchiveError(_("Say why the record is held."))
    hold = DisposalHold.objects.create(record=record, reason=reason.strip()[:300], placed_by=user)
    event(kind=ArchiveEvent.Kind.HOLD, record=record, actor=user, reason=hold.reason, placed=True)
    return hold


@transaction.atomic
def hold_release(*, hold_id: int, user) -> DisposalHold:
    from archives.selectors import is_archivist

    hold = DisposalHold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None or not is_archivist(user):
        raise ArchiveError(_("No such hold."))
    if hold.released_at is None:
        hold.released_at, hold.released_by = timezone.now(), user
        hold.save(update_fields=["released_at", "released_by"])
        event(kind=ArchiveEvent.Kind.HOLD, record=hold.record, actor=user, released=True)
    return hold


@transaction.atomic
def record_destroy(*, item_id: int, user) -> Record:
    """Destroys a record on the destruction list: its files go; the record stays as a residual
    record with its code and the decision. A disposal hold blocks it."""
    from archives.selectors import is_archivist

    if not is_archivist(user):
        raise ArchiveError(_("Only archivists destroy records."))
    item = (
        AppraisalItem.objects.select_related("appraisal")
        .filter(
            pk=item_id,
            decision=AppraisalItem.Decision.DESTROY,
            appraisal__status=Appraisal.Status.APPROVED,
        )
        .first()
    )
    if item is None:
        raise ArchiveError(_("This record is not on the destruction list."))
    record = Record.objects.select_for_update().get(pk=item.record_id)
    if record.status == Record.Status.DESTROYED:
        raise ArchiveError(_("This record has been destroyed."))
    hold = record.holds.filter(released_at=None).first()
    if hold is not None:
        raise ArchiveError(
            _("%(code)s is under a disposal hold (%(reason)s); release it first.")
            % {"code": record.code, "reason": hold.reason}
        )
    files = list(record.files.all())
    gone = [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in files]
    now = timezone.now()
    record.status, record.destroyed_at = Record.Status.DESTROYED, now
    record.save(update_fields=["status", "destroyed_at"])
    item.destroyed_at = now
    item.save(update_fields=["destroyed_at"])
    RecordUserObjectPermission.objects.filter(content_object=record).delete()
    event(
        kind=ArchiveEvent.Kind.DESTROY,
        record=record,
        actor=user,
        appraisal=item.appraisal.number,
        reason=item.reason,
        files=gone,
    )
    for stored in files:
        stored.delete()
        # The bytes go only once the database says so: a rollback must not lose a kept file.
        transaction.on_commit(lambda name=stored.file.name: default_storage.delete(name))
    return record
