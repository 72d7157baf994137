"""Training records, the chronicle and the yearbook."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    ChronicleEntry,
    Record,
    Retention,
    TrainingRecord,
)
from archives.services.records import ArchiveError, _require_archivist


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
