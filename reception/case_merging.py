"""Duplicates and merging (并件), NPC deputies' suggestions and CPPCC proposals.

A likely duplicate of a case is another case of the last N days (``RECEPTION_DUPLICATE_DAYS``,
default 30) from the same phone or e-mail, or of the same category with a similar subject or text.
Similarity is ``difflib``'s ratio on both databases: Postgres' pg_trgm splits words on
non-alphanumerics and scores Chinese text unevenly under the C locale, and one rule on both
databases keeps the tests honest. Only the newest ``CANDIDATES`` cases of the window are compared,
so the cost per case page is bounded.
"""

from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import User
from reception.case_services import (
    CaseError,
    _event,
    _locked,
    _need_lead,
    _need_office,
    _text,
    case_create,
)
from reception.models import Case, CaseCategory, CaseComplainant, CaseProposal

Status = Case.Status
CANDIDATES = 200
SIMILAR = 0.6
# A case in these states is not merged, nor merged into.
FINAL = (Status.NOT_ACCEPTED, Status.CLOSED, Status.DONE, Status.MERGED)


def duplicate_days() -> int:
    return getattr(settings, "RECEPTION_DUPLICATE_DAYS", 30)


def similarity(a: str, b: str) -> float:
    a, b = "".join((a or "").split()), "".join((b or "").split())
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Duplicate:
    case: Case
    score: float
    same_contact: bool


def likely_duplicates(case: Case, *, limit: int = 10) -> list[Duplicate]:
    """Open cases within N days of this one that may be the same matter, most alike first."""
    window = timedelta(days=duplicate_days())
    same = Q(category_id=case.category_id)
    if case.contact_phone:
        same |= Q(contact_phone=case.contact_phone)
    if case.contact_email:
        same |= Q(contact_email__iexact=case.contact_email)
    candidates = (
        Case.objects.filter(
            same,
            created_at__gte=case.created_at - window,
            created_at__lte=case.created_at + window,
        )
        .exclude(pk=case.pk)
        .exclude(status__in=FINAL)
        .only("pk", "number", "title", "content", "status", "contact_phone", "contact_email")
        .order_by("-created_at")[:CANDIDATES]
    )
    found = []
    for other in candidates:
        contact = bool(case.contact_phone and other.contact_phone == case.contact_phone) or bool(
            case.contact_email and other.contact_email.lower() == case.contact_email.lower()
        )
        score = max(similarity(case.title, other.title), similarity(case.content, other.content))
        if contact or score >= SIMILAR:
            found.append(Duplicate(other, round(score, 2), contact))
    found.sort(key=lambda d: (d.same_contact, d.score), reverse=True)
    return found[:limit]


@transaction.atomic
def case_merge(*, case: Case, into: Case, by: User, note: str = "") -> Case:
    """并件: ``case`` closes as merged into ``into``; its person (and anyone merged into it
    before) becomes a co-complainant of ``into`` and gets its reply."""
    _need_office(by)
    if case.pk == into.pk:
        raise CaseError(_("A case cannot be merged into itself."))
    # Lock both in one order so that two merges of the same pair cannot deadlock.
    first, second = sorted([case.pk, into.pk])
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[first, second])}
    case, into = locked[case.pk], locked[into.pk]
    if case.status in FINAL:
        raise CaseError(
            _("This case is “%(status)s”; it cannot be merged.")
            % {"status": case.get_status_display()}
        )
    if into.status in FINAL:
        raise CaseError(
            _("Case %(number)s is “%(status)s”; merge into an open case.")
            % {"number": into.number, "status": into.get_status_display()}
        )
    now = timezone.now()
    case.status = Status.MERGED
    case.merged_into = into
    case.remind_at = None
    case.closed_at = now
    case.save(update_fields=["status", "merged_into", "remind_at", "closed_at", "updated_at"])
    CaseComplainant.objects.filter(case=case).update(case=into)
    Case.objects.filter(merged_into=case).update(merged_into=into)
    CaseComplainant.objects.create(
        case=into,
        from_case=case,
        name="" if case.anonymous else case.contact_name,
        phone=case.contact_phone,
        email=case.contact_email,
        anonymous=case.anonymous,
    )
    _event(case, "merged_into", by, f"{into.number} {note}".strip())
    _event(into, "merged_from", by, f"{case.number} {note}".strip())
    return case


# --- NPC deputies' suggestions and CPPCC proposals -------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    channel: str,
    category: CaseCategory,
    title: str,
    content: str,
    term: int,
    session: int,
    proposal_number: str,
    first_proposer: str,
    co_signers: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    urgent: bool = False,
    is_complex: bool = False,
    received_by: User | None = None,
) -> Case:
    """A suggestion or proposal handed over by the people's congress or the CPPCC: a case on
    its channel, with its 届/次 and proposers; 主办/会办 are given when it is dispatched."""
    if channel not in (Case.Channel.NPC, Case.Channel.CPPCC):
        raise CaseError(_("Choose an NPC suggestion or a CPPCC proposal."))
    first_proposer = _text(first_proposer, _("Name the first proposer."))
    proposal_number = _text(proposal_number, _("Give the proposal's number."))
    if term < 1 or session < 1:
        raise CaseError(_("Give the term and the session."))
    if CaseProposal.objects.filter(
        case__channel=channel, term=term, session=session, proposal_number=proposal_number
    ).exists():
        raise CaseError(_("This proposal number is already recorded for the session."))
    case = case_create(
        channel=channel,
        kind=Case.Kind.URGENT if urgent else Case.Kind.SUGGESTION,
        category=category,
        title=title,
        content=content,
        contact_name=first_proposer,
        contact_phone=contact_phone,
        contact_email=contact_email,
        received_by=received_by,
    )
    CaseProposal.objects.create(
        case=case,
        term=term,
        session=session,
        proposal_number=proposal_number[:30],
        first_proposer=first_proposer[:100],
        co_signers=(co_signers or "").strip()[:500],
        is_complex=is_complex,
    )
    return case


@transaction.atomic
def proposal_grade(*, case: Case, by: User, grade: str) -> CaseProposal:
    """The lead unit grades its reply: A solved, B being solved, C for reference."""
    case = _locked(case)
    _need_lead(by, case)
    proposal = CaseProposal.objects.select_for_update().filter(case=case).first()
    if proposal is None:
        raise CaseError(_("Only a suggestion or proposal has a grade."))
    if case.status not in (Status.SIGNED, Status.REPLIED):
        raise CaseError(
            _("This case is “%(status)s”; this step is not possible now.")
            % {"status": case.get_status_display()}
        )
    if grade not in CaseProposal.Grade.values:
        raise CaseError(_("Choose the grade A, B or C."))
    proposal.grade = grade
    proposal.save(update_fields=["grade"])
    _event(case, "graded", by, CaseProposal.Grade(grade).value)
    return proposal
