"""Writes of the archives: filing packages from any app, archival codes, fixity, the event log.

An archival code is 全宗号-WS·年度-保管期限-机构代码-件号 (the organization code only where the
fonds uses one); item numbers count up without gaps within the lowest class, under a row lock
on that class's counter, in the transaction that files the record.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    ArchiveEvent,
    Fonds,
    ItemCounter,
    OrganizationCode,
    Record,
    RecordFile,
    Retention,
)
from hall.search import search_text_of

logger = logging.getLogger(__name__)


class ArchiveError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class FilingPackage:
    """What any app hands over to be kept: metadata, files, where it came from."""

    title: str
    date: date
    files: list[tuple[str, bytes]]
    source_ref: str | None = None
    retention: str = Retention.THIRTY_YEARS
    department_id: int | None = None
    responsible: str = ""
    doc_number: str = ""
    security: str = "internal"
    remarks: str = ""
    metadata: dict = field(default_factory=dict)


def default_fonds() -> Fonds:
    fonds = Fonds.objects.order_by("pk").first()
    if fonds is None:
        fonds, _created = Fonds.objects.get_or_create(code="Z001", defaults={"name": "本校全宗"})
    return fonds


def format_code(fonds: Fonds, year: int, retention: str, org_code: str, item: int) -> str:
    parts = [fonds.code, f"WS·{year}", retention]
    if org_code:
        parts.append(org_code)
    parts.append(f"{item:04d}")
    return "-".join(parts)


def _org_code(fonds: Fonds, department_id: int | None) -> str:
    if not fonds.uses_org_codes or not department_id:
        return ""
    return (
        OrganizationCode.objects.filter(fonds=fonds, department_id=department_id)
        .values_list("code", flat=True)
        .first()
        or ""
    )


def _next_item(fonds: Fonds, year: int, retention: str, org_code: str) -> int:
    key = {"fonds": fonds, "year": year, "retention": retention, "org_code": org_code}
    counter = ItemCounter.objects.select_for_update().filter(**key).first()
    if counter is None:
        try:
            with transaction.atomic():
                ItemCounter.objects.create(**key)
        except IntegrityError:
            pass  # another filing created it first; lock theirs
        counter = ItemCounter.objects.select_for_update().get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def event(*, kind: str, record: Record | None = None, actor=None, **detail) -> None:
    ArchiveEvent.objects.create(kind=kind, record=record, actor=actor, detail=detail)


@transaction.atomic
def record_file(*, package: FilingPackage, actor=None, fonds: Fonds | None = None) -> Record:
    """Files a package as one record with its files; a package already filed is not filed again
    (its source reference is unique), so a task that runs twice leaves one record."""
    if package.source_ref:
        existing = Record.objects.filter(source_ref=package.source_ref).first()
        if existing is not None:
            return existing
    if package.retention not in Retention.values:
        raise ArchiveError(_("Unknown retention period %(r)s.") % {"r": package.retention})
    if not package.title.strip():
        raise ArchiveError(_("A record needs a title."))
    fonds = fonds or default_fonds()
    year = package.date.year
    org_code = _org_code(fonds, package.department_id)
    item = _next_item(fonds, year, package.retention, org_code)
    record = Record.objects.create(
        fonds=fonds,
        year=year,
        retention=package.retention,
        org_code=org_code,
        item_number=item,
        code=format_code(fonds, year, package.retention, org_code, item),
        title=package.title[:500],
        responsible=package.responsible,
        doc_number=package.doc_number,
        date=package.date,
        security=package.security,
        remarks=package.remarks,
        metadata=package.metadata,
        department_id=package.department_id,
        source_ref=package.source_ref,
        pages=int(package.metadata.get("pages", 0) or 0),
        search_text=search_text_of("", package.title, "", package.responsible, package.doc_number),
    )
    for name, content in package.files:
        digest = hashlib.sha256(content).hexdigest()
        stored = RecordFile(
            record=record,
            name=name[-200:],
            size=len(content),
            sha256=digest,
            checked_at=timezone.now(),
        )
        stored.file.save(name, ContentFile(content), save=False)
        stored.save()
    event(
        kind=ArchiveEvent.Kind.CAPTURE,
        record=record,
        actor=actor,
        code=record.code,
        files=[f[0] for f in package.files],
        source=package.source_ref,
    )
    return record


def fixity_check() -> dict[str, list[str]]:
    """Recomputes every file's SHA-256; changed or missing files are reported and logged."""
    changed, missing = [], []
    for stored in RecordFile.objects.select_related("record").iterator(chunk_size=500):
        try:
            digest = hashlib.sha256()
            with stored.file.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):  # noqa: B023
                    digest.update(chunk)
            intact = digest.hexdigest() == stored.sha256
            problem = None if intact else "changed"
        except (FileNotFoundError, OSError):
            intact, problem = False, "missing"
        RecordFile.objects.filter(pk=stored.pk).update(checked_at=timezone.now(), intact=intact)
        if problem:
            (changed if problem == "changed" else missing).append(stored.record.code)
            event(
                kind=ArchiveEvent.Kind.FIXITY,
                record=stored.record,
                file=stored.name,
                problem=problem,
            )
    if changed or missing:
        logger.warning("fixity: changed %s, missing %s", changed, missing)
    return {"changed": changed, "missing": missing}


# --- borrowing -------------------------------------------------------------------------------


@transaction.atomic
def loan_request(*, borrower, codes: list[str], purpose: str, scope: str, due_on: date):
    from archives.models import Loan

    codes = [c.strip() for c in codes if c.strip()]
    records = list(Record.objects.filter(code__in=codes, status=Record.Status.KEPT))
    missing = sorted(set(codes) - {r.code for r in records})
    if missing:
        raise ArchiveError(
            _("No kept record has the code %(codes)s.") % {"codes": ", ".join(missing)}
        )
    if not records:
        raise ArchiveError(_("Give at least one archival code."))
    if not purpose.strip():
        raise ArchiveError(_("Say what the records are needed for."))
    if due_on <= timezone.localdate():
        raise ArchiveError(_("The due date must be in the future."))
    loan = Loan.objects.create(
        borrower=borrower, purpose=purpose.strip(), scope=scope.strip(), due_on=due_on
    )
    loan.records.set(records)
    return loan


@transaction.atomic
def loan_decide(*, loan_id: int, archivist, approve: bool):
    from archives.models import Loan

    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None or loan.status != Loan.Status.REQUESTED:
        raise ArchiveError(_("This loan has already been decided."))
    loan.status = Loan.Status.APPROVED if approve else Loan.Status.REFUSED
    loan.decided_by, loan.decided_at = archivist, timezone.now()
    loan.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        for record in loan.records.all():
            event(
                kind=ArchiveEvent.Kind.LEND,
                record=record,
                actor=archivist,
                borrower=loan.borrower.get_username(),
                due=loan.due_on.isoformat(),
            )
    return loan


def loans_expire() -> int:
    """Marks lent loans past their due date expired (access already ends at the due date)."""
    from archives.models import Loan

    return Loan.objects.filter(status=Loan.Status.APPROVED, due_on__lt=timezone.localdate()).update(
        status=Loan.Status.EXPIRED
    )
