"""Reads of the archives. Archivists (role code ``archivist``, or office admins) see records;
a borrower sees the records of a loan while its django-guardian grant lasts."""

import re
import unicodedata
from datetime import date as _date
from datetime import timedelta as _timedelta

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import cached_property

from archives.models import (
    REPORTER_ROLES,
    Appraisal,
    AppraisalItem,
    ArchiveEvent,
    Certificate,
    CertificateLoan,
    ChronicleEntry,
    DisposalHold,
    ItemCounter,
    Loan,
    Record,
    RecordFile,
    RecordUserObjectPermission,
    ReportForm,
    ReportTask,
    TrainingRecord,
)
from hall.models import Department, Role, User
from hall.search import query_terms

ARCHIVIST_ROLE = "archivist"


def is_archivist(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_archivist"):  # asked once per request
        user._is_archivist = (
            user.is_staff or Role.objects.filter(holders=user, code=ARCHIVIST_ROLE).exists()
        )
    return user._is_archivist


def archivist_ids() -> list[int]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(roles__code=ARCHIVIST_ROLE))
        .values_list("pk", flat=True)
        .distinct()
    )


def records_for(user: User) -> QuerySet[Record]:
    if not is_archivist(user):
        return Record.objects.none()
    return Record.objects.select_related("fonds", "department")


def search(
    user: User,
    *,
    q: str = "",
    year: int | None = None,
    retention: str = "",
    org_code: str = "",
    department: int | None = None,
    status: str = "",
    fixity_failed: bool = False,
    narrow: bool = True,
) -> QuerySet[Record]:
    """Full-text search over the code, title and metadata (every word must occur; trigram
    index on Postgres), with filters by year, class, retention, department and status."""
    records = records_for(user)
    query, terms = query_terms(q)
    postgres = connection.vendor == "postgresql"
    for term in terms:
        term = canonical_code(term)
        code = CODE_QUERY.fullmatch(term)
        if code:
            records = records.filter(**_code_filter(code))
            continue
        if narrow and postgres and len(term) >= 2 and WORD.fullmatch(term):
            # The pairs index narrows the rows (two-character words have no trigram); LIKE
            # below decides, so results are the same as without it.
            records = records.filter(
                RawSQL(
                    "archives_record.search_bigrams @@ phraseto_tsquery('simple', %s)",
                    [" ".join(term[i : i + 2] for i in range(len(term) - 1))],
                    output_field=BooleanField(),
                )
            )
        records = records.filter(search_text__contains=term)
    if year:
        records = records.filter(year=year)
    if retention:
        records = records.filter(retention=retention)
    if org_code:
        records = records.filter(org_code=org_code)
    if department:
        records = records.filter(department_id=department)
    if status:
        records = records.filter(status=status)
    if fixity_failed:
        broken = RecordFile.objects.filter(record=OuterRef("pk"), intact=False)
        records = records.filter(Exists(broken))
    return records.order_by("-year", "retention", "org_code", "-item_number")


class CappedPaginator(Paginator):
    """Counts at most CAP + 1 rows: a common word over a million records would otherwise cost
    a full count on every page; past the cap the page says "more than 1,000". Past the cap the
    page itself comes from ``broad`` when given: the same search without the pairs index."""

    CAP = 1000

    def __init__(self, object_list, per_page, *, broad: QuerySet | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.broad = broad

    @cached_property
    def count(self) -> int:
        # Without the ORDER BY: the first 1,001 rows in any order count the same, and sorting
        # 50,000 matches of a common word to count them cost 150 ms on a million records.
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP

    def page(self, number):
        page = super().page(number)
        if self.capped and self.broad is not None:
            bottom = (page.number - 1) * self.per_page
            page.object_list = self.broad[bottom : bottom + self.per_page]
        return page


def search_page(user: User, *, number, per_page: int, **filters) -> Page:
    """One page of a search, as the record list shows it. When a word is common (more than
    1,000 matches) the page is read without the pairs index, so Postgres can walk the list's
    order and stop at twenty rows instead of fetching and sorting every match."""
    paginator = CappedPaginator(
        search(user, **filters), per_page, broad=search(user, narrow=False, **filters)
    )
    return paginator.get_page(number)


# Whatever people type between the parts of a code: hyphens, dashes and minus signs, full stops
# and middle dots, in their half- and full-width forms (NFKC has already mended most of them).
CODE_SEPARATORS = re.compile(
    "[-.·\u0387\u2010-\u2015\u2022\u2027\u2212\u2219\u22c5\u2e31\u30fb\u30fc"
    "\u3001\u3002\ufe58\ufe63\uff0d\uff0e\uff61\uff65]+"
)
_CODE_START = re.compile(r"(?P<fonds>[a-z0-9]{1,10})-(?P<ws>ws)-(?P<rest>.*)", re.IGNORECASE)


def canonical_code(text: str) -> str:
    """A code as people type it (``Z001-WS-2026-D30-BGS-0001``, ``Z001-WS.2026``, full-width
    ``Ｚ００１－ＷＳ・２０２６``) in the form the archives write it, 全宗号-WS·年度-…; any other
    text comes back as it was (after NFKC)."""
    text = unicodedata.normalize("NFKC", text or "")
    start = _CODE_START.fullmatch(CODE_SEPARATORS.sub("-", text))
    if not start:
        return text
    return f"{start['fonds']}-{start['ws']}·{start['rest']}"


# An archival code, or the start of one, in that form (lower case after normalizing):
# 全宗号-WS·年度[-保管期限[-机构代码][-件号]]. An organization code is letters or digits; one of
# four to six digits at the end is the item number.
CODE_QUERY = re.compile(
    r"(?P<fonds>[a-z0-9]{1,10})-ws·(?P<year>\d{4})"
    r"(?:-(?P<retention>y|d30|d10)(?:-(?!\d{4,6}$)(?P<org>[a-z0-9]{1,10}))?"
    r"(?:-(?P<item>\d{4,6}))?)?"
)
WORD = re.compile(r"[^\W_]+")  # letters and digits: each pair yields a token


def _code_filter(match: re.Match) -> dict:
    """A code searched for becomes filters on its parts: the unique index for a whole code,
    the class columns for a prefix (a LIKE over a million codes would scan)."""
    parts = match.groupdict()
    found = {"fonds__code": parts["fonds"].upper(), "year": int(parts["year"])}
    if parts["retention"]:
        found["retention"] = parts["retention"].upper()
        if parts["item"]:
            found["org_code"] = (parts["org"] or "").upper()
            found["item_number"] = int(parts["item"])
        elif parts["org"]:
            found["org_code__startswith"] = parts["org"].upper()
    return found


def grants_live(user: User) -> QuerySet[RecordUserObjectPermission]:
    return RecordUserObjectPermission.objects.filter(
        user=user, permission__codename="view_record", expires_at__gt=timezone.now()
    )


def lent_to(user: User) -> QuerySet[Record]:
    """Records the user may read through a loan: the grant's end counts, not the sweep."""
    return Record.objects.filter(
        Exists(grants_live(user).filter(content_object=OuterRef("pk"))),
        status=Record.Status.KEPT,
    )


def record_for(user: User, record_id: int) -> Record | None:
    if not user.is_authenticated:
        return None
    if is_archivist(user):
        return records_for(user).filter(pk=record_id).first()
    return lent_to(user).select_related("fonds", "department").filter(pk=record_id).first()


def loan_for(user: User, loan_id: int) -> Loan | None:
    if not user.is_authenticated:
        return None
    return loans_for(user).filter(pk=loan_id).first()


def loans_for(user: User, *, show: str = "") -> QuerySet[Loan]:
    """The user's own loans (archivists: everyone's); ``show`` "out" or "overdue" narrows."""
    loans = Loan.objects.select_related("borrower").prefetch_related("records")
    if not is_archivist(user):
        loans = loans.filter(borrower=user)
    if show == "out":
        loans = loans.out()
    elif show == "overdue":
        loans = loans.overdue()
    return loans


# --- appraisal -------------------------------------------------------------------------------


def due_for_appraisal(user: User, *, year: int | None = None) -> QuerySet[Record]:
    """Kept records whose retention period has ended, not already in an open appraisal."""
    year = year or timezone.localdate().year
    in_appraisal = AppraisalItem.objects.filter(
        record=OuterRef("pk"),
        appraisal__status__in=[Appraisal.Status.DRAFT, Appraisal.Status.IN_REVIEW],
    )
    return (
        records_for(user)
        .filter(status=Record.Status.KEPT, appraisal_year__lte=year)
        .exclude(Exists(in_appraisal))
        .annotate(held=Exists(DisposalHold.objects.filter(record=OuterRef("pk"), released_at=None)))
        .order_by("appraisal_year", "year", "retention", "org_code", "item_number")
    )


def appraisals_for(user: User) -> QuerySet[Appraisal]:
    if not is_archivist(user):
        return Appraisal.objects.none()
    return Appraisal.objects.select_related("created_by").annotate(size=Count("items"))


def destruction_list(user: User) -> QuerySet[AppraisalItem]:
    """Records an approved appraisal decided to destroy, with their holds."""
    if not is_archivist(user):
        return AppraisalItem.objects.none()
    return (
        AppraisalItem.objects.filter(
            decision=AppraisalItem.Decision.DESTROY, appraisal__status=Appraisal.Status.APPROVED
        )
        .select_related("record", "appraisal")
        .annotate(
            held=Exists(DisposalHold.objects.filter(record=OuterRef("record"), released_at=None))
        )
        .order_by("destroyed_at", "record__code")
    )


# --- classification and statistics -----------------------------------------------------------


def classes() -> QuerySet[ItemCounter]:
    """The lowest classes in use (year → organization → retention) with their record counts."""
    return ItemCounter.objects.select_related("fonds").order_by(
        "fonds__code", "-year", "org_code", "retention"
    )


def statistics(*, year_from: int | None = None, year_to: int | None = None) -> dict:
    """Counts by year, retention, class and department, and usage by month, in six queries."""
    records = Record.objects.all()
    if year_from:
        records = records.filter(year__gte=year_from)
    if year_to:
        records = records.filter(year__lte=year_to)
    kept = records.filter(status=Record.Status.KEPT)
    events = ArchiveEvent.objects.filter(
        kind__in=[ArchiveEvent.Kind.VIEW, ArchiveEvent.Kind.DOWNLOAD, ArchiveEvent.Kind.LEND]
    )
    if year_from:
        events = events.filter(at__gte=timezone.make_aware(timezone.datetime(year_from, 1, 1)))
    if year_to:
        events = events.filter(at__lt=timezone.make_aware(timezone.datetime(year_to + 1, 1, 1)))
    return {
        "by_year": list(records.values("year").annotate(n=Count("id")).order_by("-year")),
        "by_retention": list(
            kept.values("retention").annotate(n=Count("id")).order_by("retention")
        ),
        "by_class": list(
            kept.values("year", "org_code", "retention")
            .annotate(n=Count("id"))
            .order_by("-year", "org_code", "retention")[:500]
        ),
        "by_department": list(
            kept.values("department__name_zh", "department__name_en")
            .annotate(n=Count("id"))
            .order_by("-n")
        ),
        "by_status": list(records.values("status").annotate(n=Count("id")).order_by("status")),
        "usage": list(
            events.annotate(month=TruncMonth("at"))
            .values("month", "kind")
            .annotate(n=Count("id"))
            .order_by("month", "kind")
        ),
    }


# --- office: certificates, statistics report, training, chronicle ----------------------------


def certificates_for(user: User) -> QuerySet[Certificate]:
    """Archivists see every certificate; a custodian sees the ones they keep."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    open_loans = CertificateLoan.objects.filter(certificate=OuterRef("pk"), returned_at=None)
    certificates = Certificate.objects.select_related("custodian").annotate(lent=Exists(open_loans))
    return certificates if is_archivist(user) else certificates.filter(custodian=user)


def certificate_search(
    user: User,
    *,
    kind: str = "",
    expiring_within: int | None = None,
    expired: bool = False,
    today: _date | None = None,
) -> QuerySet[Certificate]:
    """Filters by type, by expiry within N days (not yet expired), or expired already."""
    today = today or timezone.localdate()
    certificates = certificates_for(user)
    if kind:
        certificates = certificates.filter(kind=kind)
    if expired:
        certificates = certificates.filter(valid_until__lt=today)
    elif expiring_within is not None:
        certificates = certificates.filter(
            valid_until__gte=today, valid_until__lte=today + _timedelta(days=expiring_within)
        )
    return certificates.order_by(F("valid_until").asc(nulls_last=True), "pk")


def certificate_for(user: User, certificate_id: int) -> Certificate | None:
    return certificates_for(user).filter(pk=certificate_id).first()


def certificate_loans(certificate: Certificate) -> QuerySet[CertificateLoan]:
    return certificate.loans.select_related("borrower", "lent_by", "returned_to")


def reporter_units(user: User) -> QuerySet[Department]:
    """Units the user reports for: holders of the unit's admin or statistician role, and heads."""
    roles = Role.objects.filter(holders=user, code__in=REPORTER_ROLES).values("department_id")
    headed = Department.heads.through.objects.filter(user_id=user.pk).values("department_id")
    return Department.objects.filter(Q(pk__in=roles) | Q(pk__in=headed))


def reporter_ids(department_id: int) -> list[int]:
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(roles__department_id=department_id, roles__code__in=REPORTER_ROLES)
            | Q(headed_departments=department_id)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def report_tasks_for(user: User) -> QuerySet[ReportTask]:
    if not is_archivist(user):
        return ReportTask.objects.none()
    return ReportTask.objects.select_related("created_by").annotate(
        units=Count("forms"),
        submitted=Count("forms", filter=Q(forms__status=ReportForm.Status.SUBMITTED)),
    )


def report_task_for(user: User, task_id: int) -> ReportTask | None:
    return report_tasks_for(user).filter(pk=task_id).first()


def report_forms_for(user: User) -> QuerySet[ReportForm]:
    """Archivists see every unit's form; reporters see their own units' forms."""
    if not user.is_authenticated:
        return ReportForm.objects.none()
    forms = ReportForm.objects.select_related("task", "department", "submitted_by")
    if is_archivist(user):
        return forms
    return forms.filter(department__in=reporter_units(user).values("pk"))


def report_form_for(user: User, form_id: int) -> ReportForm | None:
    return report_forms_for(user).filter(pk=form_id).first()


def report_progress(task: ReportTask) -> list[ReportForm]:
    return list(
        task.forms.select_related("department", "submitted_by").order_by(
            "department__order", "department__code"
        )
    )


def trainings_for(user: User) -> QuerySet[TrainingRecord]:
    if not is_archivist(user):
        return TrainingRecord.objects.none()
    return TrainingRecord.objects.prefetch_related(
        Prefetch("participants", queryset=User.objects.order_by("full_name", "username"))
    ).order_by("-date", "-pk")


def chronicle_for(user: User, *, year: int | None = None) -> QuerySet[ChronicleEntry]:
    if not is_archivist(user):
        return ChronicleEntry.objects.none()
    entries = ChronicleEntry.objects.prefetch_related(
        Prefetch("records", queryset=Record.objects.only("pk", "code", "title").order_by("code"))
    )
    if year:
        entries = entries.filter(date__year=year)
    return entries.order_by("-date", "-pk")


def yearbook(year: int) -> dict:
    """What the yearbook of one year holds: its chronicle, the training and the counts."""
    start, end = _date(year, 1, 1), _date(year, 12, 31)
    chronicle = list(
        ChronicleEntry.objects.filter(date__range=(start, end))
        .prefetch_related(
            Prefetch("records", queryset=Record.objects.only("pk", "code").order_by("code"))
        )
        .order_by("date", "pk")
    )
    training = list(
        TrainingRecord.objects.filter(date__range=(start, end))
        .prefetch_related(
            Prefetch("participants", queryset=User.objects.order_by("full_name", "username"))
        )
        .order_by("date", "pk")
    )
    filed_from = timezone.make_aware(timezone.datetime(year, 1, 1))
    filed_to = timezone.make_aware(timezone.datetime(year + 1, 1, 1))
    return {
        "year": year,
        "chronicle": chronicle,
        "training": training,
        "training_hours": sum((t.hours for t in training), start=0),
        "stats": statistics(year_from=year, year_to=year),
        "filed": Record.objects.filter(created_at__gte=filed_from, created_at__lt=filed_to).count(),
        "loans": Loan.objects.filter(created_at__gte=filed_from, created_at__lt=filed_to).count(),
        "certificates": Certificate.objects.count(),
    }
