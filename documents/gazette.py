"""The government gazette (政府公报): issues compiled by the office from public issued documents.

An issue is compiled as a draft (only the office sees it), then published: it takes the next
number of its year without gaps (the hall's number counter, locked), its one PDF is rendered
(cover, contents with page numbers, the documents in order) and stored, and from then on anyone
may read it, signed in or not. A document enters an issue only if it is registered, marked
public and neither internal nor classified; it enters one issue only.
"""

from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Authority, GazetteEntry, GazetteIssue, Outgoing
from documents.services import OFFICE_ROLES, DocumentError, is_office, next_number
from hall.models import Role, User

Status = GazetteIssue.Status
# The counter row of the gazette's issue numbers: not a 代字, so no authority can share it.
COUNTER_PREFIX = "#gazette"
NAME_ZH = "政府公报"


# --- who ---------------------------------------------------------------------------------------


def may_edit(user: User) -> bool:
    """The office: the registrars and admins of an issuing authority's department."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(
        holders=user,
        code__in=OFFICE_ROLES,
        department_id__in=Authority.objects.values("department_id"),
    ).exists()


# --- checks ------------------------------------------------------------------------------------


def check_public(document: Outgoing) -> None:
    """Whether a document may be published at all (its level, its state and its flag)."""
    if document.security:
        raise DocumentError(_("An internal or classified document never enters the gazette."))
    if document.status != Outgoing.Status.REGISTERED:
        raise DocumentError(_("Only a registered document enters the gazette."))
    if not document.is_public:
        raise DocumentError(
            _("%(number)s is not marked public: the office marks it public first.")
            % {"number": document.number}
        )


def check_entry(issue: GazetteIssue, document: Outgoing) -> None:
    if issue.status != Status.DRAFT:
        raise DocumentError(_("A published issue does not change."))
    check_public(document)
    entry = GazetteEntry.objects.filter(document=document).select_related("issue").first()
    if entry is not None:
        raise DocumentError(
            _("%(number)s is already in the gazette (%(issue)s).")
            % {"number": document.number, "issue": entry.issue.label_zh}
        )


def _editor(user: User) -> None:
    if not may_edit(user):
        raise DocumentError(_("Only the office compiles the gazette."))


def _issue(issue_id: int) -> GazetteIssue:
    return GazetteIssue.objects.select_for_update().get(pk=issue_id)


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def document_mark_public(*, document_id: int, user: User, public: bool) -> Outgoing:
    """The office marks an issued document public (or not), as the drafter may in the form."""
    document = (
        Outgoing.objects.select_for_update(of=("self",))
        .select_related("authority")
        .get(pk=document_id)
    )
    if not is_office(user, document.authority):
        raise DocumentError(_("Only the office of the issuing authority marks a document public."))
    if public and document.security:
        raise DocumentError(_("A classified or internal document cannot be public."))
    if not public and GazetteEntry.objects.filter(document=document).exists():
        raise DocumentError(_("It is in the gazette: take it out of its issue first."))
    document.is_public = public
    document.save(update_fields=["is_public", "updated_at"])
    return document


@transaction.atomic
def issue_create(*, user: User, title: str = "") -> GazetteIssue:
    _editor(user)
    return GazetteIssue.objects.create(title=title[:100], created_by=user)


@transaction.atomic
def issue_add(*, issue_id: int, user: User, document_id: int) -> GazetteEntry:
    _editor(user)
    issue = _issue(issue_id)
    document = Outgoing.objects.select_for_update(of=("self",)).get(pk=document_id)
    check_entry(issue, document)
    last = issue.entries.aggregate(m=Max("position"))["m"] or 0
    return GazetteEntry.objects.create(issue=issue, document=document, position=last + 1)


def find_document(number: str) -> Outgoing | None:
    return Outgoing.objects.filter(number=number.strip()).first() if number.strip() else None


@transaction.atomic
def issue_remove(*, issue_id: int, user: User, entry_id: int) -> None:
    _editor(user)
    issue = _issue(issue_id)
    if issue.status != Status.DRAFT:
        raise DocumentError(_("A published issue does not change."))
    issue.entries.filter(pk=entry_id).delete()


@transaction.atomic
def issue_move_up(*, issue_id: int, user: User, entry_id: int) -> None:
    _editor(user)
    issue = _issue(issue_id)
    if issue.status != Status.DRAFT:
        raise DocumentError(_("A published issue does not change."))
    entries = list(issue.entries.order_by("position", "pk"))
    at = next((i for i, e in enumerate(entries) if e.pk == entry_id), None)
    if at:
        entries[at - 1], entries[at] = entries[at], entries[at - 1]
    for n, entry in enumerate(entries, start=1):
        if entry.position != n:
            entry.position = n
            entry.save(update_fields=["position"])


@transaction.atomic
def issue_publish(*, issue_id: int, user: User, today: date | None = None) -> GazetteIssue:
    """Publishes a draft: the next number of the year (gap-free, under the counter's row lock),
    its PDF rendered and stored, the page of each document kept for the contents."""
    _editor(user)
    issue = _issue(issue_id)
    if issue.status != Status.DRAFT:
        raise DocumentError(_("This issue is already published."))
    entries = list(issue.entries.select_related("document__authority").order_by("position"))
    if not entries:
        raise DocumentError(_("An issue needs at least one document."))
    for entry in entries:
        # Checked again: a document may have changed since it was added.
        check_public(entry.document)
    day = today or timezone.localdate()
    number = next_number(COUNTER_PREFIX, day.year)
    issue.year, issue.number, issue.published_on = day.year, number, day
    issue.status, issue.published_by = Status.PUBLISHED, user
    content, pages, starts = render_issue(issue, entries)
    for entry in entries:
        entry.page = starts.get(entry.pk)
        entry.save(update_fields=["page"])
    issue.pages = pages
    issue.pdf.save(f"gazette-{issue.year}-{issue.number}.pdf", ContentFile(content), save=False)
    issue.save()
    return issue


# --- the PDF -----------------------------------------------------------------------------------


def render_issue(issue: GazetteIssue, entries=None) -> tuple[bytes, int, dict[int, int]]:
    """The issue as one PDF/A-2b: its cover, the contents with page numbers, and the documents
    in order, each from a new page. Returns the PDF, its page count and each entry's page."""
    import weasyprint

    from documents.pdf import body_font, chinese_date, heading_class

    if entries is None:
        entries = list(issue.entries.select_related("document__authority").order_by("position"))
    font = body_font()
    items = []
    for entry in entries:
        d = entry.document
        issued = timezone.localdate(d.registered_at) if d.registered_at else None
        items.append(
            {
                "pk": entry.pk,
                "d": d,
                "date": chinese_date(issued) if issued else "",
                "paragraphs": [
                    (heading_class(line.strip()), line.strip())
                    for line in d.body.splitlines()
                    if line.strip()
                ],
            }
        )
    html = render_to_string(
        "documents/gazette/issue_pdf.html",
        {
            "issue": issue,
            "name": NAME_ZH,
            "font": font,
            "items": items,
            "published": chinese_date(issue.published_on) if issue.published_on else "（未出版）",
        },
    )
    document = weasyprint.HTML(string=html).render()
    starts = {}
    for n, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("entry-"):
                starts.setdefault(int(anchor.removeprefix("entry-")), n)
    return document.write_pdf(pdf_variant="pdf/a-2b"), len(document.pages), starts


# --- reads -------------------------------------------------------------------------------------


def _contents() -> Prefetch:
    return Prefetch(
        "entries",
        queryset=GazetteEntry.objects.select_related("document").order_by("position", "pk"),
        to_attr="contents",
    )


def published_issues(*, year: int | None = None) -> QuerySet[GazetteIssue]:
    issues = GazetteIssue.objects.filter(status=Status.PUBLISHED)
    if year:
        issues = issues.filter(year=year)
    return issues.order_by("-year", "-number").prefetch_related(_contents())


def published_years() -> list[int]:
    return list(
        GazetteIssue.objects.filter(status=Status.PUBLISHED)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def published_issue(year: int, number: int) -> GazetteIssue | None:
    return published_issues().filter(year=year, number=number).first()


def office_issues(user: User) -> QuerySet[GazetteIssue]:
    """Every issue, drafts first, for the office; nothing for anyone else."""
    if not may_edit(user):
        return GazetteIssue.objects.none()
    return (
        GazetteIssue.objects.order_by("status", "-year", "-number", "-pk")
        .select_related("created_by")
        .prefetch_related(_contents())
    )


def office_issue(user: User, pk: int) -> GazetteIssue | None:
    return office_issues(user).filter(pk=pk).first()


def candidates(limit: int = 50) -> list[Outgoing]:
    """Registered public documents, open to all, not yet in any issue: the latest first."""
    return list(
        Outgoing.objects.filter(
            status=Outgoing.Status.REGISTERED, is_public=True, security="", gazette_entry=None
        )
        .filter(~Q(number=None))
        .select_related("authority")
        .order_by("-registered_at", "-pk")[:limit]
    )
