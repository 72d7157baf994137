"""Reads of the people's voices: which cases a person sees, and the rows of the lists."""

from django.db.models import Q, QuerySet

from hall.models import User
from reception.case_services import is_office
from reception.models import Case


def visible_cases(user: User) -> QuerySet[Case]:
    """The office sees every case; a unit's staff the cases dispatched to their unit (lead or
    co-unit); everyone else none."""
    cases = Case.objects.all()
    if is_office(user):
        return cases
    if not user.is_authenticated or user.department_id is None:
        return cases.none()
    dept = user.department_id
    # A subquery, not a join with DISTINCT: the page then walks the created_at index and stops
    # at 50 rows (the join and DISTINCT sorted every case of the unit first).
    co = Case.co_units.through.objects.filter(department_id=dept).values("case_id")
    return cases.filter(Q(lead_unit_id=dept) | Q(pk__in=co))


def _filtered(cases: QuerySet[Case], status: str, overdue: bool) -> QuerySet[Case]:
    if status:
        cases = cases.filter(status=status)
    if overdue:
        from django.utils import timezone

        from reception.case_clock import RUNNING

        cases = cases.filter(due_at__lt=timezone.now(), status__in=RUNNING)
    return cases


def count_parts(
    user: User, status: str = "", *, overdue: bool = False, office: bool
) -> list[QuerySet]:
    """Disjoint parts whose counts add up to the list's: a unit's lead cases and its co-unit
    cases (a dispatch never makes the lead unit a co-unit too), each counted on its own index;
    the OR of both made Postgres scan the cases table to count (26 × the floor at 1M cases)."""
    if office:
        return [_filtered(Case.objects.all(), status, overdue)]
    if not user.is_authenticated or user.department_id is None:
        return [Case.objects.none()]
    dept = user.department_id
    lead = _filtered(Case.objects.filter(lead_unit_id=dept), status, overdue)
    co = Case.co_units.through.objects.filter(department_id=dept)
    if status or overdue:
        co = co.filter(case__in=_filtered(Case.objects.all(), status, overdue))
    return [lead, co]


def case_rows(user: User, status: str = "", *, overdue: bool = False) -> QuerySet[Case]:
    cases = _filtered(visible_cases(user), status, overdue)
    return cases.select_related("category", "lead_unit").only(
        "pk",
        "number",
        "title",
        "status",
        "kind",
        "channel",
        "due_at",
        "created_at",
        "category__name_zh",
        "category__name_en",
        "lead_unit__name_zh",
        "lead_unit__name_en",
    )


def case_detail(user: User, pk: int) -> Case | None:
    return visible_cases(user).select_related("category", "lead_unit").filter(pk=pk).first()


def public_case(number: str, code: str) -> Case | None:
    """The public look-up: both the number and its verification code must match."""
    if not number or not code:
        return None
    return (
        Case.objects.filter(number=number.strip(), verification_code=code.strip())
        .select_related("merged_into")
        .only(
            "number",
            "status",
            "public_reply",
            "consent_to_publish",
            "created_at",
            "title",
            "merged_into__number",
            "merged_into__status",
            "merged_into__public_reply",
        )
        .first()
    )


def _coded_notes() -> dict[str, type]:
    from reception.models import CaseExtension, CaseNotice, CaseProposal

    return {
        "created": Case.Channel,
        "notice": CaseNotice.Kind,
        "graded": CaseProposal.Grade,
        "callback": Case.Satisfaction,
        "extension_refused": CaseExtension.Status,
    }


def event_note(action: str, note: str) -> str:
    """A timeline note in the reader's language. Where the services write a choice's code (the
    channel, the notice, the grade, the satisfaction, the extension's outcome), the code is shown
    as its label now; a note written before, as a label in some language, is read back to its
    code first. The rest of the note (the caller's own words) is kept as written."""
    from django.conf import settings
    from django.utils import translation

    choices = _coded_notes().get(action)
    if choices is None or not note:
        return note
    spellings = {value: value for value in choices.values}
    for lang, _name in settings.LANGUAGES:
        with translation.override(lang):
            spellings.update({str(label): value for value, label in choices.choices})
    for spelling in sorted(spellings, key=len, reverse=True):
        if note == spelling or note.startswith(spelling + " "):
            rest = note[len(spelling) :].strip()
            label = str(choices(spellings[spelling]).label)
            return f"{label} {rest}".strip()
    return note
