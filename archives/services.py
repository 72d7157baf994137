"""Writes of the archives: filing packages from any app, archival codes, fixity, the event log.

An archival code is 全宗号-WS·年度-保管期限-机构代码-件号 (the organization code only where the
fonds uses one); item numbers count up without gaps within the lowest class, under a row lock
on that class's counter, in the transaction that files the record.
"""

import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    CERTIFICATE_REMINDER_DAYS,
    REPORT_ITEMS,
    REPORT_RULES,
    Appraisal,
    AppraisalItem,
    ArchiveEvent,
    Certificate,
    CertificateLoan,
    CertificateReminder,
    ChronicleEntry,
    DisposalHold,
    Fonds,
    ItemCounter,
    Loan,
    OrganizationCode,
    Record,
    RecordFile,
    RecordUserObjectPermission,
    ReportForm,
    ReportReminder,
    ReportTask,
    Retention,
    TrainingRecord,
    appraisal_year_for,
    loan_ends,
)
from hall.search import normalize

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


def _metadata_words(value, depth: int = 0) -> list[str]:
    """The strings inside a record's metadata (form answers, names), not its keys or digests."""
    if depth > 3:
        return []
    if isinstance(value, dict):
        return [
            w for k, v in value.items() if "sha256" not in k for w in _metadata_words(v, depth + 1)
        ]
    if isinstance(value, list | tuple):
        return [w for v in value for w in _metadata_words(v, depth + 1)]
    if isinstance(value, str) and 0 < len(value) <= 300:
        return [value]
    return []


def record_search_text(
    *,
    code: str,
    title: str,
    responsible: str = "",
    doc_number: str = "",
    remarks: str = "",
    metadata: dict | None = None,
) -> str:
    """What the archives' full-text search reads: the code, title, responsible party, document
    number, remarks and the strings of the metadata, normalized (lower case, half width)."""
    parts = [code, title, responsible, doc_number, remarks, *_metadata_words(metadata or {})]
    return " | ".join(normalize(p) for p in parts if p and p.strip())[:4000]


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
    code = format_code(fonds, year, package.retention, org_code, item)
    record = Record.objects.create(
        fonds=fonds,
        year=year,
        retention=package.retention,
        org_code=org_code,
        item_number=item,
        code=code,
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
        appraisal_year=appraisal_year_for(year, package.retention),
        search_text=record_search_text(
            code=code,
            title=package.title,
            responsible=package.responsible,
            doc_number=package.doc_number,
            remarks=package.remarks,
            metadata=package.metadata,
        ),
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


def record_reindex(*, record: Record) -> None:
    """After a description is corrected (in the admin), the search reads the new words."""
    text = record_search_text(
        code=record.code,
        title=record.title,
        responsible=record.responsible,
        doc_number=record.doc_number,
        remarks=record.remarks,
        metadata=record.metadata,
    )
    Record.objects.filter(pk=record.pk).update(search_text=text)


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
        from django.urls import reverse

        from archives.selectors import archivist_ids
        from hall.notifications import notify

        logger.warning("fixity: changed %s, missing %s", changed, missing)
        codes = ", ".join([*changed, *missing][:10])
        notify(
            recipients=archivist_ids(),
            kind="archives",
            subject=f"完整性检查：改动 {len(changed)} 个，缺失 {len(missing)} 个（{codes}）",
            subject_en=f"fixity check: {len(changed)} changed, {len(missing)} missing ({codes})",
            url=reverse("archives:record-list") + "?fixity=failed",
        )
    return {"changed": changed, "missing": missing}


# --- manual accession and batch import -----------------------------------------------------

IMPORT_COLUMNS = {
    "title": ("题名", "title"),
    "date": ("日期", "date"),
    "retention": ("保管期限", "retention"),
    "department": ("机构", "部门", "department"),
    "responsible": ("责任者", "responsible"),
    "doc_number": ("文号", "document number", "doc_number"),
    "pages": ("页数", "pages"),
    "security": ("密级", "security"),
    "remarks": ("备注", "remarks"),
}
RETENTION_WORDS = {
    "y": "Y",
    "永久": "Y",
    "permanent": "Y",
    "d30": "D30",
    "30年": "D30",
    "30": "D30",
    "定期30年": "D30",
    "d10": "D10",
    "10年": "D10",
    "10": "D10",
    "定期10年": "D10",
}
SECURITY_WORDS = {
    "public": "public",
    "公开": "public",
    "internal": "internal",
    "内部": "internal",
    "": "internal",
    "confidential": "confidential",
    "秘密": "confidential",
}
MAX_IMPORT_ROWS = 5000


def record_accession(*, user, package: FilingPackage) -> Record:
    """Manual accession by an archivist: no source, so the same material may come twice."""
    from archives.selectors import is_archivist

    if not is_archivist(user):
        raise ArchiveError(_("Only archivists take records in."))
    package.source_ref = None
    return record_file(package=package, actor=user)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _import_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell(value).replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():  # 20150630, as paper-era catalogues write it
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return date.fromisoformat(text)


def import_rows(rows: list[tuple]) -> list[FilingPackage]:
    """Reads a catalogue sheet (first row: headers in Chinese or English) into packages; every
    bad row is named with its reason, and nothing is filed unless all rows are good."""
    from hall.models import Department

    if not rows:
        raise ArchiveError(_("The sheet is empty."))
    headers = [normalize(_cell(h)) for h in rows[0]]
    where = {}
    for key, names in IMPORT_COLUMNS.items():
        for position, header in enumerate(headers):
            if header in names:
                where[key] = position
    missing = [IMPORT_COLUMNS[k][0] for k in ("title", "date", "retention") if k not in where]
    if missing:
        raise ArchiveError(
            _("The first row must name the columns; missing: %(cols)s.")
            % {"cols": "、".join(missing)}
        )
    body = [r for r in rows[1:] if any(_cell(v) for v in r)]
    if len(body) > MAX_IMPORT_ROWS:
        raise ArchiveError(_("Import at most %(n)d rows at a time.") % {"n": MAX_IMPORT_ROWS})
    departments = {}
    for dept in Department.objects.all():
        for name in (dept.code, dept.name_zh, dept.name_en):
            if name:
                departments[normalize(name)] = dept.pk
    packages, errors = [], []
    today = timezone.localdate()
    for number, row in enumerate(body, start=2):

        def get(key, row=row):
            position = where.get(key)
            return row[position] if position is not None and position < len(row) else None

        problems = []
        title = _cell(get("title"))
        if not title:
            problems.append(_("no title"))
        try:
            when = _import_date(get("date"))
            if when > today or when.year < 1900:
                problems.append(_("date out of range"))
        except (TypeError, ValueError):
            when = None
            problems.append(_("date not understood (write 2015-06-30)"))
        retention = RETENTION_WORDS.get(normalize(_cell(get("retention"))))
        if retention is None:
            problems.append(_("retention must be 永久, 30年 or 10年 (Y, D30, D10)"))
        security = SECURITY_WORDS.get(normalize(_cell(get("security"))))
        if security is None:
            problems.append(_("security must be 公开, 内部 or 秘密"))
        department_id = None
        if _cell(get("department")):
            department_id = departments.get(normalize(_cell(get("department"))))
            if department_id is None:
                problems.append(_("unknown department"))
        try:
            pages = int(_cell(get("pages")) or 0)
            if pages < 0:
                raise ValueError
        except ValueError:
            pages = 0
            problems.append(_("pages must be a whole number"))
        if problems:
            errors.append(
                _("Row %(n)d: %(problems)s.") % {"n": number, "problems": "; ".join(problems)}
            )
            continue
        packages.append(
            FilingPackage(
                title=title[:500],
                date=when,
                files=[],
                retention=retention,
                department_id=department_id,
                responsible=_cell(get("responsible"))[:200],
                doc_number=_cell(get("doc_number"))[:100],
                security=security,
                remarks=_cell(get("remarks")),
                metadata={"pages": pages, "imported": True},
            )
        )
    if errors:
        raise ArchiveError(" ".join(errors[:20]) + (" …" if len(errors) > 20 else ""))
    if not packages:
        raise ArchiveError(_("The sheet has no rows under its headers."))
    return packages


def records_import(*, user, upload) -> list[Record]:
    """Batch import of a paper-era catalogue from Excel: all rows or none."""
    from openpyxl import load_workbook

    from archives.selectors import is_archivist

    if not is_archivist(user):
        raise ArchiveError(_("Only archivists take records in."))
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 2)]
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise ArchiveError(_("This Excel file cannot be read.")) from exc
    packages = import_rows(rows)
    with transaction.atomic():
        return [record_file(package=package, actor=user) for package in packages]


# --- borrowing --------------------------------------------------------------------------------
# A loan is decided by an approval chain (the catalogue service LOAN_SERVICE, run by workflows):
# workflows calls loan_open when the request is submitted, loan_approve or loan_close when it
# ends. Approved, the borrower gets a django-guardian grant per record that ends with the due date.

LOAN_SERVICE = "archives-borrowing"
APPRAISAL_SERVICE = "archives-appraisal"
_LIST_SEPARATORS = re.compile(r"[\s,，;；、]+")


def words_of(text: str) -> list[str]:
    """What people list in one box (codes, staff numbers): one per line, or separated by
    spaces or commas, each once, in order."""
    return list(dict.fromkeys(w for w in _LIST_SEPARATORS.split(text or "") if w))


def codes_of(text: str) -> list[str]:
    """Archival codes as people paste them, full-width forms and lower case mended."""
    return words_of(unicodedata.normalize("NFKC", text or "").upper())


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


# --- appraisal and disposal ------------------------------------------------------------------


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


# --- office: certificates, statistics report, training, chronicle ----------------------------


SCAN_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_MAX_BYTES = 20 * 1024 * 1024
REPORT_REMINDER_DAYS = 3


def _require_archivist(user, message: str) -> None:
    from archives.selectors import is_archivist

    if not is_archivist(user):
        raise ArchiveError(message)


def _clean_certificate(
    *, kind: str, name: str, number: str, issuer: str, custodian, scan, exclude_pk=None
) -> None:
    if kind not in Certificate.Kind.values:
        raise ArchiveError(_("Choose the type of the certificate."))
    if not (name or "").strip() or not (number or "").strip() or not (issuer or "").strip():
        raise ArchiveError(_("A certificate needs its name, number and issuer."))
    if custodian is None or not custodian.is_active:
        raise ArchiveError(_("Name an active user as the custodian."))
    if scan is not None:
        if not scan.name.lower().endswith(SCAN_TYPES):
            raise ArchiveError(_("The scan must be a PDF, JPEG or PNG file."))
        if scan.size > SCAN_MAX_BYTES:
            raise ArchiveError(_("The scan is larger than 20 MB."))
    twins = Certificate.objects.filter(kind=kind, number=number.strip()).exclude(pk=exclude_pk)
    if twins.exists():
        raise ArchiveError(
            _("A certificate of this type with the number %(n)s is registered already.")
            % {"n": number.strip()}
        )


def _store_scan(certificate: Certificate, scan) -> None:
    old = certificate.scan.name if certificate.scan else ""
    certificate.scan.save(scan.name, scan, save=False)
    certificate.scan_name = scan.name[-200:]
    if old:
        # The old bytes go only once the new row is committed: a rollback keeps the old scan.
        transaction.on_commit(lambda: default_storage.delete(old))


def _describe_certificate(
    certificate: Certificate,
    *,
    kind: str,
    name: str,
    number: str,
    issuer: str,
    valid_until: date | None,
    custodian,
    remarks: str,
    scan,
) -> Certificate:
    """Checks and writes a certificate's description; registering and editing share it."""
    _clean_certificate(
        kind=kind,
        name=name,
        number=number,
        issuer=issuer,
        custodian=custodian,
        scan=scan,
        exclude_pk=certificate.pk,
    )
    certificate.kind, certificate.name = kind, name.strip()[:200]
    certificate.number, certificate.issuer = number.strip()[:100], issuer.strip()[:200]
    certificate.valid_until, certificate.custodian = valid_until, custodian
    certificate.remarks = (remarks or "").strip()
    if scan is not None:
        _store_scan(certificate, scan)
    certificate.save()
    return certificate


@transaction.atomic
def certificate_register(
    *,
    user,
    kind: str,
    name: str,
    number: str,
    issuer: str,
    valid_until: date | None,
    custodian,
    remarks: str = "",
    scan=None,
) -> Certificate:
    _require_archivist(user, _("Only archivists register certificates."))
    return _describe_certificate(
        Certificate(),
        kind=kind,
        name=name,
        number=number,
        issuer=issuer,
        valid_until=valid_until,
        custodian=custodian,
        remarks=remarks,
        scan=scan,
    )


@transaction.atomic
def certificate_update(
    *,
    user,
    certificate_id: int,
    kind: str,
    name: str,
    number: str,
    issuer: str,
    valid_until: date | None,
    custodian,
    remarks: str = "",
    scan=None,
) -> Certificate:
    _require_archivist(user, _("Only archivists edit certificates."))
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None:
        raise ArchiveError(_("No such certificate."))
    return _describe_certificate(
        certificate,
        kind=kind,
        name=name,
        number=number,
        issuer=issuer,
        valid_until=valid_until,
        custodian=custodian,
        remarks=remarks,
        scan=scan,
    )


def _may_handle_certificate(user, certificate: Certificate) -> bool:
    from archives.selectors import is_archivist

    return certificate.custodian_id == user.pk or is_archivist(user)


@transaction.atomic
def certificate_lend(
    *, user, certificate_id: int, borrower, purpose: str, due_on: date | None
) -> CertificateLoan:
    """The paper original goes out; a certificate already out cannot go out again."""
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None or not _may_handle_certificate(user, certificate):
        raise ArchiveError(_("No such certificate."))
    out = certificate.loans.filter(returned_at=None).select_related("borrower").first()
    if out is not None:
        raise ArchiveError(
            _("This certificate is lent to %(who)s until %(due)s; it must come back first.")
            % {"who": out.borrower, "due": f"{out.due_on:%Y-%m-%d}"}
        )
    if borrower is None or not borrower.is_active:
        raise ArchiveError(_("Name an active user as the borrower."))
    if not (purpose or "").strip():
        raise ArchiveError(_("Say what the certificate is borrowed for."))
    if due_on is None or due_on < timezone.localdate():
        raise ArchiveError(_("The due date cannot be in the past."))
    try:
        with transaction.atomic():
            return CertificateLoan.objects.create(
                certificate=certificate,
                borrower=borrower,
                purpose=purpose.strip()[:300],
                due_on=due_on,
                lent_by=user,
            )
    except IntegrityError as exc:  # lent by someone else in the same instant
        raise ArchiveError(_("This certificate is lent already.")) from exc


@transaction.atomic
def certificate_return(*, user, loan_id: int) -> CertificateLoan:
    loan = (
        CertificateLoan.objects.select_for_update()
        .select_related("certificate")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None or not _may_handle_certificate(user, loan.certificate):
        raise ArchiveError(_("No such loan."))
    if loan.returned_at is not None:
        raise ArchiveError(_("This certificate has been returned already."))
    loan.returned_at, loan.returned_to = timezone.now(), user
    loan.save(update_fields=["returned_at", "returned_to"])
    return loan


def certificates_remind(*, today: date | None = None) -> int:
    """60, 30 and 7 days before a certificate expires, its custodian and the archivists hear of
    it, once per certificate, threshold and expiry date (a unique log row). A certificate first
    seen inside a window gets that window's reminder only."""
    from archives.selectors import archivist_ids
    from hall.notifications import notify

    today = today or timezone.localdate()
    widest = max(CERTIFICATE_REMINDER_DAYS)
    due = list(
        Certificate.objects.filter(
            valid_until__gte=today, valid_until__lte=today + timedelta(days=widest)
        ).order_by("valid_until", "pk")
    )
    if not due:
        return 0
    done = set(
        CertificateReminder.objects.filter(certificate__in=due).values_list(
            "certificate_id", "days", "valid_until"
        )
    )
    archivists, sent = None, 0
    for certificate in due:
        left = (certificate.valid_until - today).days
        days = min(d for d in CERTIFICATE_REMINDER_DAYS if d >= left)
        if (certificate.pk, days, certificate.valid_until) in done:
            continue
        archivists = archivists if archivists is not None else archivist_ids()
        try:
            with transaction.atomic():
                CertificateReminder.objects.create(
                    certificate=certificate, days=days, valid_until=certificate.valid_until
                )
                notify(
                    recipients=[certificate.custodian_id, *archivists],
                    kind="reminder",
                    subject=f"资质证书 {certificate.name}（{certificate.number}）"
                    f"将于 {certificate.valid_until:%Y-%m-%d} 到期，还有 {left} 天",
                    subject_en=f"Certificate {certificate.name} ({certificate.number}) expires "
                    f"on {certificate.valid_until:%Y-%m-%d}, in {left} days",
                    url=certificate.get_absolute_url(),
                )
        except IntegrityError:
            continue  # another worker sent it
        sent += 1
    return sent


# --- the Basic Statistics Report of Higher Education -------------------------------------------


@transaction.atomic
def report_task_create(
    *, user, year: int | None, deadline: date | None, department_ids: list[int]
) -> ReportTask:
    """A year's report sent to units: one form each, and a message to each unit's reporters."""
    from archives.selectors import reporter_ids
    from hall.models import Department
    from hall.notifications import notify

    _require_archivist(user, _("Only archivists create report tasks."))
    if year is None or not 2000 <= year <= 2100:
        raise ArchiveError(_("Give the report's year (2000–2100)."))
    if deadline is None or deadline < timezone.localdate():
        raise ArchiveError(_("The deadline cannot be in the past."))
    units = list(Department.objects.filter(pk__in=set(department_ids)).order_by("order", "code"))
    if not units or len(units) != len(set(department_ids)):
        raise ArchiveError(_("Choose the units that report."))
    if ReportTask.objects.filter(year=year).exists():
        raise ArchiveError(_("The report of %(year)d exists already.") % {"year": year})
    task = ReportTask.objects.create(year=year, deadline=deadline, created_by=user)
    ReportForm.objects.bulk_create([ReportForm(task=task, department=u) for u in units])
    for form in task.forms.select_related("department"):
        unit = form.department
        notify(
            recipients=reporter_ids(unit.pk),
            kind="task_arrived",
            subject=f"{year} 年高等教育基本统计报表（{unit.name_zh}），{deadline:%Y-%m-%d} 前提交",
            subject_en=f"Basic statistics report {year} ({unit.name_en or unit.name_zh}), "
            f"due {deadline:%Y-%m-%d}",
            url=form.get_absolute_url(),
        )
    return task


@transaction.atomic
def report_task_set_deadline(*, user, task_id: int, deadline: date | None) -> ReportTask:
    _require_archivist(user, _("Only archivists change report tasks."))
    task = ReportTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise ArchiveError(_("No such report task."))
    if deadline is None or deadline < timezone.localdate():
        raise ArchiveError(_("The deadline cannot be in the past."))
    task.deadline = deadline
    task.save(update_fields=["deadline"])
    return task


def report_rule_text(rule) -> str:
    labels = {item.key: str(item.label) for item in REPORT_ITEMS}
    return f"{labels[rule.total]} = " + " + ".join(labels[p] for p in rule.parts)


def report_check(values: Mapping[str, str | int | None], *, complete: bool) -> dict[str, int]:
    """Whole numbers, none negative; complete forms must have every figure and keep every
    rule (a total equals the sum of its parts). Each problem names the figure or rule."""
    problems, figures = [], {}
    for item in REPORT_ITEMS:
        raw = values.get(item.key)
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        try:
            number = int(text)
        except ValueError:
            problems.append(_("“%(item)s” must be a whole number.") % {"item": item.label})
            continue
        if number < 0:
            problems.append(
                _("No negative numbers: “%(item)s” is %(n)d.") % {"item": item.label, "n": number}
            )
            continue
        figures[item.key] = number
    if problems:
        raise ArchiveError(" ".join(problems))
    if complete:
        missing = [str(item.label) for item in REPORT_ITEMS if item.key not in figures]
        if missing:
            raise ArchiveError(
                _("Fill in every figure before submitting; missing: %(items)s.")
                % {"items": "、".join(missing)}
            )
        for rule in REPORT_RULES:
            parts = sum(figures[p] for p in rule.parts)
            if figures[rule.total] != parts:
                problems.append(
                    _("Rule “%(rule)s” is broken: %(total)d ≠ %(sum)d.")
                    % {"rule": report_rule_text(rule), "total": figures[rule.total], "sum": parts}
                )
        if problems:
            raise ArchiveError(" ".join(problems))
    return figures


@transaction.atomic
def report_form_save(
    *, user, form_id: int, values: Mapping[str, str | int | None], submit: bool = False
) -> ReportForm:
    """A unit's reporter saves the figures, or submits them once they pass the checks."""
    from archives.selectors import reporter_units

    form = ReportForm.objects.select_for_update().select_related("task").filter(pk=form_id).first()
    if form is None or not reporter_units(user).filter(pk=form.department_id).exists():
        raise ArchiveError(_("Only the unit's reporters fill in its form."))
    if form.status == ReportForm.Status.SUBMITTED:
        raise ArchiveError(_("This form has been submitted; ask the archives to reopen it."))
    if timezone.localdate() > form.task.deadline:
        raise ArchiveError(
            _("The deadline %(date)s has passed; ask the archives to extend it.")
            % {"date": f"{form.task.deadline:%Y-%m-%d}"}
        )
    form.values = report_check(values, complete=submit)
    fields = ["values", "updated_at"]
    if submit:
        form.status, form.submitted_at, form.submitted_by = (
            ReportForm.Status.SUBMITTED,
            timezone.now(),
            user,
        )
        fields += ["status", "submitted_at", "submitted_by"]
    form.save(update_fields=fields)
    return form


@transaction.atomic
def report_form_reopen(*, user, form_id: int) -> ReportForm:
    """An archivist sends a submitted form back to its unit for a correction."""
    _require_archivist(user, _("Only archivists reopen forms."))
    form = ReportForm.objects.select_for_update().filter(pk=form_id).first()
    if form is None:
        raise ArchiveError(_("No such form."))
    if form.status != ReportForm.Status.SUBMITTED:
        raise ArchiveError(_("This form has not been submitted."))
    form.status, form.submitted_at, form.submitted_by = ReportForm.Status.DRAFT, None, None
    form.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return form


def reports_remind(*, today: date | None = None) -> int:
    """Three days before the deadline, units that have not submitted hear of it, once."""
    from archives.selectors import reporter_ids
    from hall.notifications import notify

    today = today or timezone.localdate()
    due = list(
        ReportForm.objects.filter(
            status=ReportForm.Status.DRAFT,
            task__deadline__gte=today,
            task__deadline__lte=today + timedelta(days=REPORT_REMINDER_DAYS),
        )
        .exclude(pk__in=ReportReminder.objects.filter(days=REPORT_REMINDER_DAYS).values("form"))
        .select_related("task", "department")
    )
    sent = 0
    for form in due:
        unit, task = form.department, form.task
        try:
            with transaction.atomic():
                ReportReminder.objects.create(form=form, days=REPORT_REMINDER_DAYS)
                notify(
                    recipients=reporter_ids(unit.pk),
                    kind="reminder",
                    subject=f"{task.year} 年高等教育基本统计报表（{unit.name_zh}）"
                    f"尚未提交，截止 {task.deadline:%Y-%m-%d}",
                    subject_en=f"Basic statistics report {task.year} "
                    f"({unit.name_en or unit.name_zh}) not submitted, due {task.deadline:%Y-%m-%d}",
                    url=form.get_absolute_url(),
                )
        except IntegrityError:
            continue
        sent += 1
    return sent


def office_remind() -> dict[str, int]:
    """The daily reminders of the archives' office work; safe to run any number of times."""
    return {"certificates": certificates_remind(), "reports": reports_remind()}


# --- training and the chronicle ----------------------------------------------------------------


def _check_date(when: date | None) -> None:
    if when is None or when > timezone.localdate() or when.year < 1900:
        raise ArchiveError(_("Give a date from 1900 up to today."))


def _training_values(*, course: str, date: date | None, hours, participants: list) -> dict:
    if not (course or "").strip():
        raise ArchiveError(_("Name the course."))
    _check_date(date)
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ArchiveError(_("Hours must be a number such as 1.5.")) from exc
    if not Decimal("0.1") <= hours <= Decimal("999.9"):
        raise ArchiveError(_("Hours must be between 0.1 and 999.9."))
    if not participants:
        raise ArchiveError(_("Name at least one participant."))
    return {"course": course.strip()[:200], "date": date, "hours": hours}


@transaction.atomic
def training_add(
    *, user, course: str, date: date | None, hours, participants: list, remarks: str = ""
) -> TrainingRecord:
    _require_archivist(user, _("Only archivists keep training records."))
    values = _training_values(course=course, date=date, hours=hours, participants=participants)
    record = TrainingRecord.objects.create(
        **values, remarks=(remarks or "").strip(), created_by=user
    )
    record.participants.set(participants)
    return record


@transaction.atomic
def training_change(
    *,
    user,
    training_id: int,
    course: str,
    date: date | None,
    hours,
    participants: list,
    remarks: str = "",
) -> TrainingRecord:
    _require_archivist(user, _("Only archivists keep training records."))
    record = TrainingRecord.objects.select_for_update().filter(pk=training_id).first()
    if record is None:
        raise ArchiveError(_("No such training record."))
    values = _training_values(course=course, date=date, hours=hours, participants=participants)
    TrainingRecord.objects.filter(pk=record.pk).update(**values, remarks=(remarks or "").strip())
    record.participants.set(participants)
    record.refresh_from_db()
    return record


@transaction.atomic
def training_delete(*, user, training_id: int) -> None:
    _require_archivist(user, _("Only archivists keep training records."))
    TrainingRecord.objects.filter(pk=training_id).delete()


def _chronicle_records(record_codes: list[str]) -> list[Record]:
    codes = list(dict.fromkeys(c.strip() for c in record_codes if c and c.strip()))
    records = list(Record.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {r.code for r in records})
    if unknown:
        raise ArchiveError(
            _("No record has the code %(codes)s.") % {"codes": ", ".join(unknown[:10])}
        )
    return records


@transaction.atomic
def chronicle_add(*, user, date: date | None, text: str, record_codes: list[str]) -> ChronicleEntry:
    _require_archivist(user, _("Only archivists write the chronicle."))
    _check_date(date)
    if not (text or "").strip():
        raise ArchiveError(_("Describe the event."))
    records = _chronicle_records(record_codes)
    entry = ChronicleEntry.objects.create(date=date, text=text.strip(), created_by=user)
    entry.records.set(records)
    return entry


@transaction.atomic
def chronicle_change(
    *, user, entry_id: int, date: date | None, text: str, record_codes: list[str]
) -> ChronicleEntry:
    _require_archivist(user, _("Only archivists write the chronicle."))
    entry = ChronicleEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise ArchiveError(_("No such chronicle entry."))
    _check_date(date)
    if not (text or "").strip():
        raise ArchiveError(_("Describe the event."))
    records = _chronicle_records(record_codes)
    entry.date, entry.text = date, text.strip()
    entry.save(update_fields=["date", "text"])
    entry.records.set(records)
    return entry


@transaction.atomic
def chronicle_delete(*, user, entry_id: int) -> None:
    _require_archivist(user, _("Only archivists write the chronicle."))
    ChronicleEntry.objects.filter(pk=entry_id).delete()


def yearbook_render(*, user, year: int | None) -> bytes:
    """The yearbook (年鉴) of a year as a PDF: its chronicle with the records' codes, the
    archivists' training and the archive's counts; in Chinese, as the archives keep it."""
    import weasyprint
    from django.template.loader import render_to_string
    from django.utils import translation

    from archives.selectors import yearbook

    _require_archivist(user, _("Only archivists compile the yearbook."))
    if year is None or not 1900 <= year <= timezone.localdate().year:
        raise ArchiveError(_("Choose a year from 1900 up to this year."))
    with translation.override("zh-hans"):
        data = yearbook(year)
        retention_names = dict(Retention.choices)
        for row in data["stats"]["by_retention"]:
            row["label"] = str(retention_names[row["retention"]])
        status_names = dict(Record.Status.choices)
        for row in data["stats"]["by_status"]:
            row["label"] = str(status_names[row["status"]])
        html = render_to_string(
            "archives/yearbook_pdf.html", {**data, "compiled_at": timezone.localtime()}
        )
    return weasyprint.HTML(string=html).write_pdf()
