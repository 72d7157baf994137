"""Borrowing records: a loan is decided by an approval chain run by workflows."""

from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    ArchiveEvent,
    Loan,
    Record,
    RecordUserObjectPermission,
    loan_ends,
)
from archives.services.records import ArchiveError, event

# A loan is decided by an approval chain (the catalogue service LOAN_SERVICE, run by workflows):
# workflows calls loan_open when the request is submitted, loan_approve or loan_close when it
# ends. Approved, the borrower gets a django-guardian grant per record that ends with the due date.

LOAN_SERVICE = "archives-borrowing"


def _loan_records(codes: list[str]) -> list[Record]:
    if not codes:
        raise ArchiveError(_("Give at least one archival code."))
    if len(codes) > 50:
        raise ArchiveError(_("Borrow at most 50 records at a time."))
    records = list(Record.objects.filter(code__in=codes, status=Record.Status.KEPT))
    missing = [c for c in codes if c not in {r.code for r in records}]
    if missing:
        raise ArchiveError(
            _("No kept record has the code %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return records


def loan_check(*, codes: list[str], purpose: str, due_on: date | None) -> list[Record]:
    """Refuses a borrowing request that could not be lent; returns the records asked for."""
    records = _loan_records(codes)
    if not (purpose or "").strip():
        raise ArchiveError(_("Say what the records are needed for."))
    if due_on is None:
        raise ArchiveError(_("Give the due date as a date."))
    if due_on <= timezone.localdate():
        raise ArchiveError(_("The due date must be in the future."))
    if due_on > timezone.localdate() + timedelta(days=LOAN_MAX_DAYS):
        raise ArchiveError(
            _("A loan lasts at most %(days)d days; ask again to extend it.")
            % {"days": LOAN_MAX_DAYS}
        )
    return records


LOAN_MAX_DAYS = 90


@transaction.atomic
def loan_open(
    *,
    borrower,
    codes: list[str],
    purpose: str,
    due_on: date | None,
    source_ref: str,
    scope: str = "",
    originals: bool = False,
) -> Loan:
    """The loan an approval chain is deciding; submitting the request again updates it."""
    records = loan_check(codes=codes, purpose=purpose, due_on=due_on)
    loan = Loan.objects.select_for_update().filter(source_ref=source_ref).first()
    if loan is not None and loan.status != Loan.Status.REQUESTED:
        raise ArchiveError(_("This loan has already been decided."))
    values = {
        "borrower": borrower,
        "purpose": purpose.strip()[:300],
        "scope": (scope or "").strip()[:300],
        "due_on": due_on,
        "originals": originals,
    }
    if loan is None:
        loan = Loan.objects.create(source_ref=source_ref, **values)
    else:
        for name, value in values.items():
            setattr(loan, name, value)
        loan.save()
    loan.records.set(records)
    return loan


def _regrant(borrower, records: list[Record]) -> None:
    """One guardian grant per borrower and record (guardian's own unique key), ending with the
    latest due date among the borrower's loans that are out; none when no loan is out."""
    permission = Permission.objects.get(content_type__app_label="archives", codename="view_record")
    for record in records:
        latest = (
            Loan.objects.out().filter(borrower=borrower, records=record).order_by("-due_on").first()
        )
        grants = RecordUserObjectPermission.objects.filter(
            user=borrower, permission=permission, content_object=record
        )
        if latest is None:
            grants.delete()
        else:
            grants.update_or_create(
                user=borrower,
                permission=permission,
                content_object=record,
                defaults={"loan": latest, "expires_at": loan_ends(latest.due_on)},
            )


@transaction.atomic
def loan_approve(*, source_ref: str, actor=None) -> Loan | None:
    """Lends the records: one expiring grant per record. Running it twice changes nothing."""
    loan = Loan.objects.select_for_update().filter(source_ref=source_ref).first()
    if loan is None or loan.status != Loan.Status.REQUESTED:
        return loan
    loan.status, loan.decided_by, loan.decided_at = Loan.Status.APPROVED, actor, timezone.now()
    loan.save(update_fields=["status", "decided_by", "decided_at"])
    records = list(loan.records.all())
    _regrant(loan.borrower, records)
    for record in records:
        event(
            kind=ArchiveEvent.Kind.LEND,
            record=record,
            actor=actor,
            borrower=loan.borrower.get_username(),
            due=loan.due_on.isoformat(),
            loan=loan.pk,
        )
    return loan


@transaction.atomic
def loan_close(*, source_ref: str) -> Loan | None:
    """The chain refused (or the borrower withdrew): the loan is refused."""
    loan = Loan.objects.select_for_update().filter(source_ref=source_ref).first()
    if loan is not None and loan.status == Loan.Status.REQUESTED:
        loan.status, loan.decided_at = Loan.Status.REFUSED, timezone.now()
        loan.save(update_fields=["status", "decided_at"])
    return loan


@transaction.atomic
def loan_return(*, loan_id: int, user) -> Loan:
    """The borrower gives the records back early, or the archivist takes the originals back."""
    from archives.selectors import is_archivist

    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None or (loan.borrower_id != user.pk and not is_archivist(user)):
        raise ArchiveError(_("No such loan."))
    if loan.status not in (Loan.Status.APPROVED, Loan.Status.EXPIRED) or loan.returned_at:
        raise ArchiveError(_("This loan is not out."))
    if loan.originals and not is_archivist(user):
        raise ArchiveError(_("Paper originals are returned at the archives' desk."))
    loan.status, loan.returned_at = Loan.Status.RETURNED, timezone.now()
    loan.save(update_fields=["status", "returned_at"])
    _regrant(loan.borrower, list(loan.records.all()))
    for record in loan.records.all():
        event(kind=ArchiveEvent.Kind.RETURN, record=record, actor=user, loan=loan.pk)
    return loan


def loans_expire() -> int:
    """Deletes ended grants (checks already ignore them) and marks digital loans past their due
    date expired; loans of paper originals stay out, and overdue, until they are returned."""
    now = timezone.now()
    RecordUserObjectPermission.objects.filter(expires_at__lte=now).delete()
    return Loan.objects.filter(
        status=Loan.Status.APPROVED, originals=False, due_on__lt=timezone.localdate(now)
    ).update(status=Loan.Status.EXPIRED)


def loans_remind() -> int:
    """Once a day per loan: the due date is tomorrow, or paper originals are overdue (the
    borrower and the archivists hear of it until the originals are back)."""
    from archives.selectors import archivist_ids
    from hall.notifications import notify

    today = timezone.localdate()
    sent = 0
    with transaction.atomic():
        due = (
            Loan.objects.select_for_update(skip_locked=True)
            .out()
            .filter(Q(due_on=today + timedelta(days=1)) | Q(originals=True, due_on__lt=today))
            .exclude(reminded_on=today)
            .select_related("borrower")
        )
        archivists = None
        for loan in due:
            overdue = loan.due_on < today
            recipients = [loan.borrower_id]
            if overdue:
                archivists = archivists if archivists is not None else archivist_ids()
                recipients += archivists
            notify(
                recipients=recipients,
                kind="overdue" if overdue else "reminder",
                subject=f"档案借阅 {loan.borrower} {loan.due_on:%Y-%m-%d}",
                subject_en=f"Archives loan {loan.borrower} {loan.due_on:%Y-%m-%d}",
                url=loan.get_absolute_url(),
            )
            loan.reminded_on = today
            loan.save(update_fields=["reminded_on"])
            sent += 1
    return sent
