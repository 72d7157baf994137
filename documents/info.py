"""Government affairs information (政务信息): units submit items; editors (role ``info-editor``)
adopt, edit or reject them and compile adopted ones into issues (信息专报 / 简报, numbered per
kind and year) sent upward, then record which items the upper level adopted. The score table
counts per unit and period what was submitted, adopted and adopted above, with points that
admins set (InfoPoints)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import InfoIssue, InfoItem, InfoPoints
from documents.services import DocumentError
from hall.models import Department, Identity, Role, User

EDITOR_ROLE = "info-editor"
DEFAULT_POINTS = {"submitted": Decimal("1"), "adopted": Decimal("3"), "upper": Decimal("10")}
Status = InfoItem.Status


def is_editor(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or Role.objects.filter(holders=user, code=EDITOR_ROLE).exists()


def may_submit(user: User) -> bool:
    return (
        user.is_authenticated
        and user.department_id is not None
        and (user.identity == Identity.STAFF or user.is_superuser)
    )


# --- reads -----------------------------------------------------------------------------------


def visible_items(user: User, *, editor: bool | None = None) -> QuerySet[InfoItem]:
    """Editors see every item; a unit's staff see their unit's; everyone else nothing."""
    items = InfoItem.objects.all()
    if editor is None:
        editor = is_editor(user)
    if editor:
        return items
    if not may_submit(user):
        return items.none()
    return items.filter(department_id=user.department_id)


def item_list(user: User, *, editor: bool, status: str = "", unit: int | None = None):
    rows = visible_items(user, editor=editor)
    if status:
        rows = rows.filter(status=status)
    if unit:
        rows = rows.filter(department_id=unit)
    return (
        rows.select_related("department", "submitter")
        .only(
            "pk",
            "title",
            "status",
            "submitted_on",
            "upper_adopted_on",
            "department__name_zh",
            "department__name_en",
            "submitter__full_name",
            "submitter__username",
        )
        .order_by("-submitted_on", "-pk")
    )


def item_for(user: User, pk: int) -> InfoItem | None:
    return (
        visible_items(user)
        .select_related("department", "submitter", "decided_by", "edited_by", "issue")
        .filter(pk=pk)
        .first()
    )


def visible_issues(user: User) -> QuerySet[InfoIssue]:
    """Editors see every issue; a unit's staff the issues carrying one of their unit's items."""
    issues = InfoIssue.objects.all()
    if is_editor(user):
        return issues
    if not may_submit(user):
        return issues.none()
    return issues.filter(
        pk__in=InfoItem.objects.filter(department_id=user.department_id)
        .exclude(issue=None)
        .values("issue_id")
    )


def issue_for(user: User, pk: int) -> InfoIssue | None:
    return visible_issues(user).select_related("compiled_by").filter(pk=pk).first()


def items_of(issue: InfoIssue) -> list[InfoItem]:
    return list(issue.items.select_related("department").order_by("pk"))


ISSUE_KIND_ZH = {"special": "信息专报", "brief": "简报"}


def issue_pdf(issue: InfoIssue) -> bytes:
    """The issue as a PDF/A-2b: its kind and number, the title, each item under its number
    with the unit that sent it."""
    from documents.pdf import render_text

    lines = []
    for n, item in enumerate(items_of(issue), start=1):
        lines += [f"{n}. {item.title}", *item.body.splitlines(), f"（{item.department.name_zh}）"]
    return render_text(
        kind=f"{ISSUE_KIND_ZH.get(issue.kind, '')} {issue.year}年第{issue.number}期",
        title=issue.title,
        body="\n".join(lines),
        day=timezone.localdate(issue.compiled_at) if issue.compiled_at else None,
    )


def compilable(user: User) -> QuerySet[InfoItem]:
    """Adopted items not yet in an issue, oldest first."""
    return (
        InfoItem.objects.filter(status=Status.ADOPTED, issue=None)
        .select_related("department")
        .order_by("submitted_on", "pk")
    )


# --- periods and scores ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # month / quarter / year
    year: int
    n: int  # month 1-12, quarter 1-4, 1 for a year

    @property
    def start(self) -> date:
        if self.kind == "month":
            return date(self.year, self.n, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.n - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.kind == "month":
            return date(self.year + self.n // 12, self.n % 12 + 1, 1)
        if self.kind == "quarter":
            return date(self.year + self.n // 4, (3 * self.n) % 12 + 1, 1)
        return date(self.year + 1, 1, 1)

    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)s-%(n)02d") % {"year": self.year, "n": self.n}
        if self.kind == "quarter":
            return _("%(year)s Q%(n)s") % {"year": self.year, "n": self.n}
        return str(self.year)


def period_of(kind: str, year: int, n: int | None) -> Period:
    limit = {"month": 12, "quarter": 4}.get(kind, 1)
    n = n if n and 1 <= n <= limit else 1
    return Period(kind if kind in ("month", "quarter", "year") else "month", year, n)


def points() -> dict[str, Decimal]:
    found = dict(InfoPoints.objects.values_list("event", "points"))
    return {k: found.get(k, v) for k, v in DEFAULT_POINTS.items()}


@dataclass(frozen=True)
class Score:
    department_id: int
    unit: str
    submitted: int
    adopted: int
    upper: int
    score: Decimal


def score_table(period: Period, *, english: bool = False) -> list[Score]:
    """One row per unit that submitted in the period, best score first (two queries)."""
    weights = points()
    rows = (
        InfoItem.objects.filter(submitted_on__gte=period.start, submitted_on__lt=period.end)
        .values("department_id", "department__name_zh", "department__name_en")
        .annotate(
            submitted=Count("pk"),
            adopted=Count("pk", filter=Q(status=Status.ADOPTED)),
            upper=Count("pk", filter=Q(status=Status.ADOPTED, upper_adopted_on__isnull=False)),
        )
    )
    table = [
        Score(
            r["department_id"],
            (r["department__name_en"] if english else "") or r["department__name_zh"],
            r["submitted"],
            r["adopted"],
            r["upper"],
            r["submitted"] * weights["submitted"]
            + r["adopted"] * weights["adopted"]
            + r["upper"] * weights["upper"],
        )
        for r in rows
    ]
    return sorted(table, key=lambda s: (-s.score, -s.upper, s.unit))


def score_workbook(period: Period, table: list[Score]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = period.label()[:31]
    sheet.append([_("Information scores"), period.label()])
    sheet["A1"].font = Font(bold=True)
    weights = points()
    sheet.append(
        [
            _("Points"),
            f"{_('Submitted')} {weights['submitted']}",
            f"{_('Adopted')} {weights['adopted']}",
            f"{_('Adopted by the upper level')} {weights['upper']}",
        ]
    )
    header = [
        _("Rank"),
        _("Unit"),
        _("Submitted"),
        _("Adopted"),
        _("Adopted by the upper level"),
        _("Score"),
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for rank, s in enumerate(table, start=1):
        sheet.append([rank, s.unit, s.submitted, s.adopted, s.upper, float(s.score)])
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def item_submit(*, user: User, title: str, body: str, submitted_on: date | None = None) -> InfoItem:
    if not may_submit(user):
        raise DocumentError(_("Only a unit's staff submit information."))
    if not (title or "").strip() or not (body or "").strip():
        raise DocumentError(_("Give the item a title and its text."))
    return InfoItem.objects.create(
        title=title.strip()[:200],
        body=body.strip(),
        department_id=user.department_id,
        submitter=user,
        submitted_on=submitted_on or timezone.localdate(),
    )


def _editable(item_id: int, user: User) -> InfoItem:
    if not is_editor(user):
        raise DocumentError(_("Only the information editors do this."))
    return InfoItem.objects.select_for_update().get(pk=item_id)


@transaction.atomic
def item_adopt(*, item_id: int, user: User) -> InfoItem:
    item = _editable(item_id, user)
    if item.status == Status.ADOPTED:
        raise DocumentError(_("This item is already adopted."))
    item.status, item.decided_by, item.decided_at, item.reason = (
        Status.ADOPTED,
        user,
        timezone.now(),
        "",
    )
    item.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return item


@transaction.atomic
def item_reject(*, item_id: int, user: User, reason: str) -> InfoItem:
    item = _editable(item_id, user)
    if item.issue_id is not None:
        raise DocumentError(_("An item already compiled into an issue cannot be rejected."))
    if not (reason or "").strip():
        raise DocumentError(_("Give the reason for rejecting the item."))
    item.status, item.decided_by, item.decided_at = Status.REJECTED, user, timezone.now()
    item.reason = reason.strip()[:300]
    item.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return item


@transaction.atomic
def item_edit(*, item_id: int, user: User, title: str, body: str) -> InfoItem:
    item = _editable(item_id, user)
    if not (title or "").strip() or not (body or "").strip():
        raise DocumentError(_("Give the item a title and its text."))
    item.title, item.body, item.edited_by = title.strip()[:200], body.strip(), user
    item.save(update_fields=["title", "body", "edited_by"])
    return item


@transaction.atomic
def item_upper_adopted(*, item_id: int, user: User, on: date, by: str) -> InfoItem:
    item = _editable(item_id, user)
    if item.issue_id is None:
        raise DocumentError(_("Only an item sent upward in an issue is adopted above."))
    if not (by or "").strip():
        raise DocumentError(_("Name the upper level that adopted it."))
    item.upper_adopted_on, item.upper_adopted_by = on, by.strip()[:200]
    item.save(update_fields=["upper_adopted_on", "upper_adopted_by"])
    return item


def issue_compile(
    *, user: User, kind: str, title: str, item_ids: list[int], year: int | None = None
) -> InfoIssue:
    """Compiles adopted items into the next issue of its kind and year. Two editors at once
    never get one number: the unique constraint refuses the second, which takes the next."""
    if not is_editor(user):
        raise DocumentError(_("Only the information editors do this."))
    if kind not in InfoIssue.Kind.values:
        raise DocumentError(_("Choose the kind of issue."))
    if not (title or "").strip():
        raise DocumentError(_("Give the issue a title."))
    year = year or timezone.localdate().year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                items = list(
                    InfoItem.objects.select_for_update()
                    .filter(pk__in=item_ids, status=Status.ADOPTED, issue=None)
                    .order_by("pk")
                )
                if not items or len(items) != len(set(item_ids)):
                    raise DocumentError(_("Pick adopted items that are in no issue yet."))
                last = InfoIssue.objects.filter(kind=kind, year=year).aggregate(m=Max("number"))
                issue = InfoIssue.objects.create(
                    kind=kind,
                    year=year,
                    number=(last["m"] or 0) + 1,
                    title=title.strip()[:200],
                    compiled_by=user,
                )
                InfoItem.objects.filter(pk__in=[i.pk for i in items]).update(issue=issue)
                return issue
        except IntegrityError:
            continue
    raise DocumentError(_("The issue could not be numbered; try again."))


@transaction.atomic
def issue_send(*, issue_id: int, user: User, sent_to: str) -> InfoIssue:
    if not is_editor(user):
        raise DocumentError(_("Only the information editors do this."))
    issue = InfoIssue.objects.select_for_update().get(pk=issue_id)
    if issue.sent_at is not None:
        raise DocumentError(_("This issue was already sent."))
    if not (sent_to or "").strip():
        raise DocumentError(_("Name where the issue is sent."))
    issue.sent_to, issue.sent_at = sent_to.strip()[:200], timezone.now()
    issue.save(update_fields=["sent_to", "sent_at"])
    from documents.tasks import file_info_issue

    transaction.on_commit(lambda pk=issue.pk: file_info_issue.delay(pk))
    return issue


def issue_source_ref(pk: int) -> str:
    return f"documents.info-issue:{pk}"


def issue_file(*, issue_id: int):
    """Files a sent issue in the archives: its PDF and the list of its items and units, kept as
    long as its kind's retention rule says (``RetentionRule`` "info-special" / "info-brief",
    editable in admin). Keyed by ``issue_source_ref``: filed once however often it runs; an
    issue not sent yet is left alone (returns None)."""
    from archives.services import FilingPackage, record_file
    from documents.services import retention_for

    issue = InfoIssue.objects.select_related("compiled_by").filter(pk=issue_id).first()
    if issue is None or issue.sent_at is None:
        return None
    items = items_of(issue)
    name = f"{ISSUE_KIND_ZH.get(issue.kind, '')}{issue.year}年第{issue.number}期"
    listing = "\n".join(
        f"{n}\t{item.department.name_zh}\t{item.title}"
        + (f"\t上级采用：{item.upper_adopted_by}" if item.upper_adopted_on else "")
        for n, item in enumerate(items, start=1)
    )
    editors = Department.objects.filter(
        pk__in=Role.objects.filter(code=EDITOR_ROLE).values("department_id")
    ).first()
    with transaction.atomic():
        record = record_file(
            package=FilingPackage(
                title=f"{name} {issue.title}",
                date=timezone.localdate(issue.sent_at),
                files=[
                    (f"{name}.pdf", issue_pdf(issue)),
                    (f"{name}-信息目录.txt", (listing + "\n").encode()),
                ],
                source_ref=issue_source_ref(issue.pk),
                retention=retention_for(f"info-{issue.kind}"),
                department_id=editors.pk if editors else None,
                responsible=editors.name_zh if editors else "",
                metadata={
                    "kind": issue.kind,
                    "year": issue.year,
                    "number": issue.number,
                    "sent_to": issue.sent_to,
                    "items": len(items),
                },
            )
        )
        InfoIssue.objects.filter(pk=issue.pk).update(archive_code=record.code)
    return record


def units() -> QuerySet[Department]:
    return Department.objects.order_by("code")
