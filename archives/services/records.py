"""Writes of the archives: filing packages from any app, archival codes, fixity, the event log.

An archival code is 全宗号-WS·年度-保管期限-机构代码-件号 (the organization code only where the
fonds uses one); item numbers count up without gaps within the lowest class, under a row lock
on that class's counter, in the transaction that files the record.
"""

import hashlib
import logging
import re
import unicodedata
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
    appraisal_year_for,
)
from archives.selectors import canonical_code
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


_LIST_SEPARATORS = re.compile(r"[\s,，;；、]+")


def words_of(text: str) -> list[str]:
    """What people list in one box (codes, staff numbers): one per line, or separated by
    spaces or commas, each once, in order."""
    return list(dict.fromkeys(w for w in _LIST_SEPARATORS.split(text or "") if w))


def codes_of(text: str) -> list[str]:
    """Archival codes as people paste them, full-width forms, lower case and the separators
    between the parts (``-`` or ``.`` for ``·``) mended."""
    words = words_of(unicodedata.normalize("NFKC", text or "").upper())
    return list(dict.fromkeys(canonical_code(word) for word in words))


def _require_archivist(user, message: str) -> None:
    from archives.selectors import is_archivist

    if not is_archivist(user):
        raise ArchiveError(message)
