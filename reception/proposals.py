"""NPC deputies' suggestions and CPPCC proposals after acceptance: the co-handling units' own
opinions (会办意见, due within a month, reminded once before and once at the deadline through the
hall's one tick), a proposal made complex (6 months instead of 3) through the catalogue chain
``reception-proposal-complex``, and the proposer's satisfaction form (征询意见表) for each reply:
the office fills it from the proposer's answer, or the proposer opens its tokened link. A
dissatisfied answer reopens the case with the 3-month clock of a new reply (``proposal-again``).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Notification, ServiceField, ServiceStep, User
from hall.notifications import notify
from reception import case_clock
from reception.case_services import CaseError, is_lead_staff, is_office
from reception.models import Case, CaseExtension, CaseOpinion, CaseProposal, ProposalFeedback
from workflows import handoffs
from workflows.models import ServiceRequest
from workflows.reminders import once

Status = Case.Status
COMPLEX_SERVICE = "reception-proposal-complex"
HANDLING = (Status.DISPATCHED, Status.SIGNED)


def _event(case: Case, action: str, actor: User | None, note: str = "") -> None:
    case_clock._event(case, action, actor, note)


def _staff(unit_id: int) -> list[int]:
    return list(
        User.objects.filter(department_id=unit_id, is_active=True).values_list("pk", flat=True)
    )


# --- 会办意见 -------------------------------------------------------------------------------


def opinions_open(case: Case) -> None:
    """At 派单 of a proposal: one opinion due from each co-unit (the month counted from
    acceptance); a unit dropped at a new dispatch loses its unanswered one."""
    if not case_clock.is_proposal(case):
        return
    units = set(case.co_units.values_list("pk", flat=True))
    CaseOpinion.objects.filter(case=case, given_at__isnull=True).exclude(unit__in=units).delete()
    have = set(CaseOpinion.objects.filter(case=case).values_list("unit_id", flat=True))
    proposal = CaseProposal.objects.filter(case=case).first()
    due = (proposal.co_due_at if proposal else None) or case_clock.deadline(
        "proposal-co", timezone.now()
    )
    for unit in units - have:
        CaseOpinion.objects.create(
            case=case, unit_id=unit, due_at=due, remind_at=case_clock.approaching_moment(due)
        )


def opinion_of(user: User, case: Case) -> CaseOpinion | None:
    """The opinion the user's unit owes on the case, if any."""
    if not user.is_authenticated or user.department_id is None:
        return None
    return CaseOpinion.objects.filter(case=case, unit_id=user.department_id).first()


@transaction.atomic
def opinion_give(*, case: Case, by: User, text: str) -> CaseOpinion:
    """A co-unit's staff give their unit's opinion to the lead unit, once."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    opinion = opinion_of(by, case)
    if opinion is None:
        raise CaseError(_("Only a co-handling unit's staff give an opinion on this case."))
    if opinion.given_at is not None:
        raise CaseError(_("Your unit's opinion is already given."))
    if case.status not in HANDLING:
        raise CaseError(
            _("This case is “%(status)s”; this step is not possible now.")
            % {"status": case.get_status_display()}
        )
    text = (text or "").strip()
    if not text:
        raise CaseError(_("Write your unit's opinion."))
    opinion.text, opinion.given_by, opinion.given_at = text, by, timezone.now()
    opinion.remind_at = None
    opinion.save(update_fields=["text", "given_by", "given_at", "remind_at"])
    _event(case, "opinion", by, f"{opinion.unit.name}: {text}")
    if case.lead_unit_id:
        notify(
            recipients=_staff(case.lead_unit_id),
            kind="case",
            subject=f"会办意见 {case.number}：{case.title}",
            subject_en=f"Co-handler's opinion {case.number}: {case.title}",
            url=case.get_absolute_url(),
        )
    return opinion


def opinions_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Claims the unanswered opinions whose moment has come (FOR UPDATE SKIP LOCKED) and tells
    the co-unit once before its deadline and once at it (the lead unit too, then)."""
    now = now or timezone.now()
    sent = {"opinion_due": 0, "opinion_overdue": 0}
    with transaction.atomic():
        rows = list(
            CaseOpinion.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(remind_at__lte=now)
            .select_related("case")
            .order_by("remind_at")[: case_clock.BATCH]
        )
        for opinion in rows:
            case, due = opinion.case, opinion.due_at
            window = f"{opinion.pk}:{due.isoformat()}"
            live = opinion.given_at is None and case.status in case_clock.RUNNING
            if live and now < due and once("proposals.opinion_due", window):
                case_clock._send(
                    case,
                    Notification.Kind.REMINDER,
                    _staff(opinion.unit_id),
                    "会办意见即将到期",
                    "Co-handler's opinion due soon",
                )
                sent["opinion_due"] += 1
            if live and now >= due and once("proposals.opinion_overdue", window):
                people = set(_staff(opinion.unit_id))
                if case.lead_unit_id:
                    people |= set(_staff(case.lead_unit_id))
                case_clock._send(
                    case,
                    Notification.Kind.OVERDUE,
                    sorted(people),
                    "会办意见已超期",
                    "Co-handler's opinion overdue",
                )
                sent["opinion_overdue"] += 1
            opinion.remind_at = due if live and now < due else None
            CaseOpinion.objects.filter(pk=opinion.pk).update(remind_at=opinion.remind_at)
    return sent


# --- a complex proposal: 6 months, with approval ------------------------------------------

COMPLEX_FIELDS = [
    ("case", "工单编号", "Case", ServiceField.Type.TEXT),
    ("title", "工单标题", "Subject", ServiceField.Type.TEXT),
    ("deadline", "原办理期限", "Present deadline", ServiceField.Type.TEXT),
    ("new_deadline", "复杂件办理期限", "Deadline as a complex proposal", ServiceField.Type.TEXT),
    ("reason", "理由", "Reason", ServiceField.Type.LONG_TEXT),
]


def _accepted_at(case: Case) -> datetime:
    accepted = case.events.filter(action="accepted").order_by("at").first()
    return accepted.at if accepted else case.created_at


def check_complex(case: Case, user: User) -> datetime:
    """Refusals before anything is written; the 6-month deadline counted from acceptance."""
    if not case_clock.is_proposal(case):
        raise CaseError(_("Only a suggestion or proposal can be made complex."))
    if not (is_lead_staff(user, case) or is_office(user)):
        raise CaseError(_("Only the lead unit's staff may do this."))
    if case.status not in HANDLING or case.due_at is None:
        raise CaseError(_("Only a proposal being handled can be made complex."))
    if CaseProposal.objects.filter(case=case, is_complex=True).exists():
        raise CaseError(_("This proposal is already complex."))
    if case.extensions.filter(status=CaseExtension.Status.PENDING).exists():
        raise CaseError(_("An extension of this case is already waiting for approval."))
    new_due = case_clock.deadline("proposal-complex", _accepted_at(case))
    if new_due <= case.due_at:
        raise CaseError(_("The present deadline is already as late as a complex proposal's."))
    return new_due


def complex_form(user: User, post: dict) -> dict:
    case = Case.objects.filter(pk=case_clock._int(post.get("case"))).first()
    if case is None:
        raise handoffs.HandoffError(_("No such case."))
    try:
        new_due = check_complex(case, user)
        reason = (post.get("reason") or "").strip()
        if not reason:
            raise CaseError(_("Say why the proposal is complex."))
    except CaseError as exc:
        raise handoffs.HandoffError(exc.message) from exc
    return {
        "case": {"id": case.pk, "name": case.number, "url": case.get_absolute_url()},
        "title": case.title,
        "deadline": f"{timezone.localtime(case.due_at):%Y-%m-%d}",
        "new_deadline": f"{timezone.localtime(new_due):%Y-%m-%d}",
        "reason": reason[:2000],
    }


def complex_service():
    """Made on first use: the office decides (admins may add a leader's step in admin)."""
    from hall.models import Department, Service

    service = Service.objects.filter(code=COMPLEX_SERVICE).first()
    if service is not None:
        return service
    office = Department.objects.filter(roles__code=case_clock.OFFICE_ROLE).order_by("pk").first()
    office = office or Department.objects.order_by("pk").first()
    service = handoffs.internal_service(COMPLEX_SERVICE, department=office)
    ServiceStep.objects.filter(service=service).update(
        rule=ServiceStep.Rule.DEPARTMENT_ROLE, department=office, role_code=case_clock.OFFICE_ROLE
    )
    return service


@transaction.atomic
def complex_request(*, case_id: int, user: User, reason: str) -> CaseExtension:
    """Asks that the proposal count as complex; the deadline moves only when approved."""
    Case.objects.select_for_update().filter(pk=case_id).first()
    post = {"case": str(case_id), "reason": reason}
    handoffs.start_chain(
        service=complex_service,
        applicant=user,
        form_data=lambda: complex_form(user, post),
        refusal=CaseError,
    )
    return CaseExtension.objects.get(case_id=case_id, status=CaseExtension.Status.PENDING)


def complex_submitted(request: ServiceRequest) -> None:
    case = case_clock._case_of(request)
    if case is None:
        raise CaseError(_("No such case."))
    new_due = check_complex(case, request.applicant)
    reason = request.form_data.get("reason", "")
    CaseExtension.objects.create(
        case=case,
        old_due=case.due_at,
        new_due=new_due,
        reason=reason,
        request=request,
        requested_by=request.applicant,
        makes_complex=True,
    )
    _event(
        case,
        "complex_asked",
        request.applicant,
        f"{timezone.localtime(new_due):%Y-%m-%d} {reason}",
    )
    case_clock._send(
        case,
        Notification.Kind.REMINDER,
        case_clock.office_people(),
        "复杂件申请",
        "Asked to count as complex",
    )


# --- the proposer's satisfaction form ------------------------------------------------------


def feedback_open(case: Case) -> ProposalFeedback | None:
    """When a proposal closes: the form for this reply (its link goes to the proposer)."""
    if not case_clock.is_proposal(case):
        return None
    feedback, _made = ProposalFeedback.objects.get_or_create(case=case, round=case.reopened)
    return feedback


def feedback_pending(case: Case) -> ProposalFeedback | None:
    """The form of the present reply, while the closed case waits for the proposer."""
    if case.status != Status.CLOSED:
        return None
    return (
        ProposalFeedback.objects.filter(case=case, round=case.reopened, answered_at__isnull=True)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def feedback_record(
    *,
    feedback: ProposalFeedback,
    by: User | None,
    contact: str,
    attitude: str,
    result: str,
    opinion: str = "",
) -> ProposalFeedback:
    """The proposer's answers (``by`` is None when the proposer used the link; otherwise the
    office typing them in). The result is the case's satisfaction: dissatisfied reopens it."""
    from reception.case_services import callback_record

    feedback = ProposalFeedback.objects.select_for_update().get(pk=feedback.pk)
    case = Case.objects.select_for_update().get(pk=feedback.case_id)
    if by is not None and not is_office(by):
        raise CaseError(_("Only the office may do this."))
    if feedback.answered_at is not None:
        raise CaseError(_("This form has already been answered."))
    if case.status != Status.CLOSED or feedback.round != case.reopened:
        raise CaseError(_("This form no longer waits for an answer."))
    values = Case.Satisfaction.values
    if contact not in values or attitude not in values or result not in values:
        raise CaseError(_("Answer each of the three questions."))
    feedback.contact, feedback.attitude, feedback.result = contact, attitude, result
    feedback.opinion = (opinion or "").strip()[:5000]
    feedback.answered_at, feedback.recorded_by = timezone.now(), by
    feedback.save()
    callback_record(
        case=case,
        by=by,
        satisfaction=result,
        note=feedback.opinion or _("The proposer's satisfaction form"),
    )
    return feedback


def register_all() -> None:
    from workflows.handoffs import Handoff, register
    from workflows.reminders import register_tick

    register(
        COMPLEX_SERVICE,
        Handoff(
            submitted=complex_submitted,
            approved=case_clock.chain_approved,
            ended=case_clock.chain_ended,
            required_fields=("case",),
            refusals=(CaseError, case_clock.ClockError),
            form_data=complex_form,
            default_service={
                "name_zh": "建议提案复杂件审批",
                "name_en": "A proposal counted as complex",
                "time_limit_days": 2,
                "fields": COMPLEX_FIELDS,
                "steps": [
                    ("工单办审批", "The cases office decides", ServiceStep.Rule.APPLICANT_HEAD)
                ],
            },
        ),
    )
    register_tick("proposals", opinions_tick)
    from reception import mailbox

    register_tick("mailbox", mailbox.imap_tick)
