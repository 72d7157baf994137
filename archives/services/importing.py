"""Manual accession and the batch import of records from a spreadsheet."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    Record,
)
from archives.services.records import ArchiveError, FilingPackage, record_file
from hall import uploads
from hall.search import normalize

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
        # Measured from the zip's own list before openpyxl unpacks anything: a small file that
        # would expand to hundreds of megabytes is refused here.
        uploads.check_spreadsheet(upload)
    except ValidationError as exc:
        raise ArchiveError(" ".join(exc.messages)) from exc
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 2)]
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise ArchiveError(_("This Excel file cannot be read.")) from exc
    packages = import_rows(rows)
    with transaction.atomic():
        return [record_file(package=package, actor=user) for package in packages]
