"""Reads of the research and finance mirror, each owning its joins."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hall.models import Role, User
from workflows.research.models import BudgetLine, ImportRun, Movement, Project


@dataclass(frozen=True)
class MirrorState:
    last_import: datetime | None
    max_age_hours: int

    @property
    def stale(self) -> bool:
        if self.last_import is None:
            return True
        return timezone.now() - self.last_import > timedelta(hours=self.max_age_hours)


def mirror_state(*, party_fees: bool = False) -> MirrorState:
    """When the mirror last took a successful import, and whether that is too long ago (the
    Party fees come from their own system: their freshness is counted apart)."""
    runs = ImportRun.objects.filter(ok=True)
    if party_fees:
        runs = runs.filter(kind=ImportRun.Kind.PARTY_FEES)
    else:
        runs = runs.exclude(kind=ImportRun.Kind.PARTY_FEES)
    last = runs.order_by("-created_at").values_list("created_at", flat=True).first()
    return MirrorState(last_import=last, max_age_hours=settings.RESEARCH_MIRROR_MAX_AGE_HOURS)


def is_office(user: User) -> bool:
    """The finance and research offices (and superusers) see every project."""
    if user.is_superuser:
        return True
    return Role.objects.filter(
        holders=user, department__code__in=settings.RESEARCH_OFFICE_DEPARTMENTS
    ).exists()


def projects_visible_to(user: User, *, office: bool) -> QuerySet[Project]:
    projects = Project.objects.select_related("pi")
    if office:
        return projects
    member = Project.members.through.objects.filter(project_id=OuterRef("pk"), user_id=user.pk)
    return projects.filter(Q(pi=user) | Exists(member))


def lines_of(project_ids: list[int]) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(project_id__in=project_ids).order_by("project_id", "category")


def movements_of(
    project_ids: list[int], *, since: date | None = None, until: date | None = None
) -> QuerySet[Movement]:
    movements = Movement.objects.filter(line__project_id__in=project_ids).select_related(
        "line__project"
    )
    if since:
        movements = movements.filter(booked_on__gte=since)
    if until:
        movements = movements.filter(booked_on__lte=until)
    return movements.order_by("-booked_on", "-id")


def ledger_of(line_ids: list[int], *, since: date | None = None, until: date | None = None):
    """The ledger of these lines, newest first, as plain values (the page knows each line's
    project and category already: no join)."""
    movements = Movement.objects.filter(line_id__in=line_ids)
    if since:
        movements = movements.filter(booked_on__gte=since)
    if until:
        movements = movements.filter(booked_on__lte=until)
    return movements.order_by("-booked_on", "-id").values(
        "line_id", "booked_on", "amount", "description", "source"
    )


def history_of(user: User, *, words: str = "", service: str = "", since=None, until=None):
    """Everything the person submitted (drafts aside), newest first, on the applicant index;
    ``words`` are looked for in the form's values as the database stores them."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from workflows.models import ServiceRequest

    rows = (
        ServiceRequest.objects.filter(applicant=user)
        .exclude(status=ServiceRequest.Status.DRAFT)
        .select_related("service")
        .order_by("-created_at", "-id")
    )
    if service:
        rows = rows.filter(service__code=service)
    if since:
        rows = rows.filter(submitted_at__date__gte=since)
    if until:
        rows = rows.filter(submitted_at__date__lte=until)
    if words:
        # SQLite keeps JSON with non-ASCII letters escaped (\\u5f20); Postgres as they are.
        escaped = json.dumps(words)[1:-1]
        rows = rows.annotate(form_text=Cast("form_data", TextField())).filter(
            Q(form_text__icontains=words)
            | Q(form_text__icontains=escaped)
            | Q(number__icontains=words)
        )
    return rows


# --- Party fees ----------------------------------------------------------------------------


def is_party_office(user: User) -> bool:
    """The Party office (the Organization Department, and superusers) sees every member's fees."""
    if user.is_superuser:
        return True
    return Role.objects.filter(
        holders=user, department__code__in=settings.PARTY_OFFICE_DEPARTMENTS
    ).exists()


def party_fees_of(
    user: User, *, office: bool, since: date | None = None, until: date | None = None, who: str = ""
):
    """The Party fee months the person may see (their own; the office everyone's), newest first;
    ``since``/``until`` take whole months."""
    from workflows.research.models import PartyFeePayment

    rows = PartyFeePayment.objects.select_related("member")
    if not office:
        rows = rows.filter(member=user)
    elif who:
        rows = rows.filter(
            Q(member__number=who) | Q(member__username=who) | Q(member__full_name__icontains=who)
        )
    if since:
        rows = rows.filter(month__gte=since.replace(day=1))
    if until:
        rows = rows.filter(month__lte=until)
    return rows.order_by("-month", "member_id")
