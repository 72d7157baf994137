"""The clocks of the people's voices: deadlines per kind and channel, reminders, overdue and
escalation through the hall's one reminder tick, extensions through a catalogue chain, and the
written notices to a petitioner.

Clocks are data (``CaseClock`` rows, edited in admin; the defaults below until then). Ordinary
cases count working days on the official calendar; 信访 counts calendar days as the 信访工作条例
does (a notice of acceptance within 15 days of receipt, handling within 60 days of acceptance,
extendable once by at most 30 days with approval); NPC deputies' suggestions and CPPCC proposals
count months (3, urgent 1, complex 6 with approval; co-handlers' opinions within 1; a dissatisfied
proposer gets a new reply within 3).

Every reminder goes out once per deadline: ``once("cases.<what>", "<pk>:<deadline>")``, so an
approved extension (a new deadline) gets its own reminders, and two ticks at once send nothing
twice (the cases are claimed with FOR UPDATE SKIP LOCKED as well).
"""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import END_OF_DAY, add_working_days, is_workday, overrides_between
from hall.models import Department, Notification, Role, ServiceField, ServiceStep, User
from hall.notifications import notify
from reception.models import (
    Case,
    CaseClock,
    CaseComplainant,
    CaseEvent,
    CaseExtension,
    CaseNotice,
    CaseProposal,
)
from workflows import handoffs
from workflows.models import ServiceRequest
from workflows.reminders import once

Status = Case.Status
Unit = CaseClock.Unit
OFFICE_ROLE = "case-office"
EXTENSION_SERVICE = "reception-case-extension"
PROPOSAL_CHANNELS = (Case.Channel.NPC, Case.Channel.CPPCC)
# The clock runs while the case waits for someone in the hall.
RUNNING = (
    Status.NEW,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.RETURNED,
    Status.SIGNED,
    Status.REPLIED,
)
# key: (number, unit). Keys that are kinds (urgent, enquiry, …) are case_services' working days.
DEFAULT_RULES = {
    "petition-accept": (15, Unit.DAYS),
    "petition": (60, Unit.DAYS),
    "petition-extension": (30, Unit.DAYS),
    "proposal": (3, Unit.MONTHS),
    "proposal-urgent": (1, Unit.MONTHS),
    "proposal-complex": (6, Unit.MONTHS),
    "proposal-co": (1, Unit.MONTHS),
    "proposal-again": (3, Unit.MONTHS),
}
BATCH = 500


class ClockError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def remind_lead_days() -> int:
    """Working days before a deadline that the reminder goes out (setting, default 1)."""
    return getattr(settings, "RECEPTION_CASE_REMIND_DAYS", 1)


def escalate_after_days() -> int:
    """Working days after a deadline that an open case goes to the office's leader."""
    return getattr(settings, "RECEPTION_CASE_ESCALATE_DAYS", 2)


# --- deadlines -------------------------------------------------------------------------------


def rule(key: str) -> tuple[int, str]:
    found = CaseClock.objects.filter(kind=key).values_list("working_days", "unit").first()
    if found is not None:
        return found
    if key in DEFAULT_RULES:
        return DEFAULT_RULES[key]
    from reception.case_services import DEFAULT_CLOCKS

    return DEFAULT_CLOCKS.get(key, 13), Unit.WORKING_DAYS


def _end_of(moment: datetime) -> datetime:
    hour, minute = END_OF_DAY
    return timezone.localtime(moment).replace(hour=hour, minute=minute, second=0, microsecond=0)


def deadline(key: str, start: datetime) -> datetime:
    """The deadline of clock ``key`` started at ``start``: the end of the last day."""
    number, unit = rule(key)
    if unit == Unit.DAYS:
        return _end_of(timezone.localtime(start) + timedelta(days=number))
    if unit == Unit.MONTHS:
        return _end_of(timezone.localtime(start) + relativedelta(months=number))
    return add_working_days(start, number)


def is_proposal(case: Case) -> bool:
    return case.channel in PROPOSAL_CHANNELS


def due_on_create(case: Case) -> datetime | None:
    """Only 信访 has a clock before acceptance: the notice of acceptance or not."""
    if case.channel == Case.Channel.PETITION:
        return deadline("petition-accept", case.created_at)
    return None


def _proposal_key(case: Case, again: bool = False) -> str:
    if again:
        return "proposal-again"
    proposal = CaseProposal.objects.filter(case=case).first()
    if proposal is not None and proposal.is_complex:
        return "proposal-complex"
    return "proposal-urgent" if case.kind == Case.Kind.URGENT else "proposal"


def due_on_accept(case: Case, now: datetime) -> datetime:
    if case.channel == Case.Channel.PETITION:
        return deadline("petition", now)
    if is_proposal(case):
        return deadline(_proposal_key(case), now)
    return deadline(case.kind, now)


def due_on_reopen(case: Case, now: datetime) -> datetime:
    if is_proposal(case):
        return deadline("proposal-again", now)
    return due_on_accept(case, now)


def _working_days_before(due: datetime, days: int) -> datetime:
    """The start of the ``days``-th working day before the due day (the due day for 0)."""
    day = timezone.localtime(due).date()
    overrides = overrides_between(day - timedelta(days=days * 3 + 30), day)
    left = days
    while left:
        day -= timedelta(days=1)
        if is_workday(day, overrides):
            left -= 1
    return timezone.localtime(due).replace(
        year=day.year, month=day.month, day=day.day, hour=0, minute=0, second=0, microsecond=0
    )


def approaching_moment(due: datetime) -> datetime:
    return _working_days_before(due, remind_lead_days())


def escalation_moment(due: datetime) -> datetime:
    """The start of the M-th working day after the due day: the case is M working days late."""
    return add_working_days(due, escalate_after_days()).replace(hour=0, minute=0)


def next_moment(case: Case, now: datetime) -> datetime | None:
    """The tick's next look at the case: the first of its three moments not yet passed."""
    if case.due_at is None or case.status not in RUNNING:
        return None
    for moment in (
        approaching_moment(case.due_at),
        case.due_at,
        escalation_moment(case.due_at),
    ):
        if moment > now:
            return moment
    return None


def schedule(case: Case) -> None:
    """Sets ``remind_at`` from the deadline (the caller saves): the tick looks at it from the
    first moment on, and works out what is due then."""
    case.remind_at = approaching_moment(case.due_at) if case.due_at else None
    if case.status not in RUNNING:
        case.remind_at = None


# --- hooks called by case_services' steps ----------------------------------------------------


def _event(case: Case, action: str, actor: User | None, note: str = "") -> None:
    CaseEvent.objects.create(case=case, action=action, actor=actor, note=note)


def _person(case: Case) -> str:
    return case.contact_name or _("Sir or Madam")


def _notice(case: Case, kind: str, text: str, addressee: str = "") -> CaseNotice:
    return CaseNotice.objects.create(
        case=case, kind=kind, addressee=addressee or _person(case), text=text
    )


def on_created(case: Case) -> None:
    case.due_at = due_on_create(case)
    schedule(case)
    if case.due_at is not None:
        case.save(update_fields=["due_at", "remind_at"])


def on_accepted(case: Case, by: User) -> None:
    """The 信访 notice of acceptance (with the 60-day promise); a proposal's co-handlers' month."""
    if case.channel == Case.Channel.PETITION:
        _notice(
            case,
            CaseNotice.Kind.ACCEPTED,
            f"{_person(case)}：您于{timezone.localtime(case.created_at):%Y年%m月%d日}反映的"
            f"“{case.title}”（编号{case.number}），经审查符合受理条件，已予受理，"
            f"我们将在{timezone.localtime(case.due_at):%Y年%m月%d日}前办结并书面答复。"
            f"查询验证码：{case.verification_code}。",
        )
        _event(case, "notice", by, CaseNotice.Kind.ACCEPTED.value)
    if is_proposal(case):
        CaseProposal.objects.filter(case=case).update(
            co_due_at=deadline("proposal-co", timezone.now())
        )


def on_not_accepted(case: Case, by: User) -> None:
    if case.channel == Case.Channel.PETITION:
        _notice(
            case,
            CaseNotice.Kind.NOT_ACCEPTED,
            f"{_person(case)}：您反映的“{case.title}”（编号{case.number}）不予受理，"
            f"理由：{case.not_accepted_reason}",
        )
        _event(case, "notice", by, CaseNotice.Kind.NOT_ACCEPTED.value)


def check_close(case: Case) -> None:
    if is_proposal(case) and not CaseProposal.objects.filter(case=case).exclude(grade="").exists():
        raise ClockError(_("Grade the reply (A, B or C) before the proposal closes."))


def on_closed(case: Case, by: User) -> None:
    """The reply reaches everyone who raised the matter: the person, and every co-complainant
    of the cases merged into it (a written reply for 信访)."""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(closed_at=now, remind_at=None)
    case.closed_at, case.remind_at = now, None
    people = list(CaseComplainant.objects.filter(case=case, replied_at__isnull=True))
    if case.channel == Case.Channel.PETITION:
        addressees = [_person(case)] + [p.name or _("Sir or Madam") for p in people]
        for addressee in addressees:
            _notice(
                case,
                CaseNotice.Kind.REPLY,
                f"{addressee}：关于您反映的“{case.title}”（编号{case.number}），答复如下：\n"
                f"{case.public_reply or case.reply}",
                addressee=addressee,
            )
        _event(case, "notice", by, CaseNotice.Kind.REPLY.value)
    CaseComplainant.objects.filter(pk__in=[p.pk for p in people]).update(replied_at=now)
    from reception import proposals

    proposals.feedback_open(case)


# --- the tick --------------------------------------------------------------------------------


def office_people() -> list[int]:
    return list(
        User.objects.filter(roles__code=OFFICE_ROLE, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def office_leaders() -> list[int]:
    """The heads of the departments that hold the office's role (else a superuser)."""
    depts = Role.objects.filter(code=OFFICE_ROLE).values_list("department_id", flat=True)
    heads = list(
        User.objects.filter(headed_departments__in=depts, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    if not heads:
        heads = list(
            User.objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True)[:1]
        )
    return heads


class _People:
    """What one tick reads once: the office, its leaders, each unit's staff, the calendar."""

    def __init__(self):
        self._office: list[int] | None = None
        self._leaders: list[int] | None = None
        self._units: dict[int, list[int]] = {}
        self._moments: dict[datetime, tuple[datetime, datetime, datetime]] = {}

    def moments(self, due: datetime) -> tuple[datetime, datetime, datetime]:
        """Approaching, due and escalation moments; many cases share a deadline's day."""
        if due not in self._moments:
            self._moments[due] = (approaching_moment(due), due, escalation_moment(due))
        return self._moments[due]

    def office(self) -> list[int]:
        if self._office is None:
            self._office = office_people()
        return self._office

    def leaders(self) -> list[int]:
        if self._leaders is None:
            self._leaders = office_leaders()
        return self._leaders

    def handlers(self, case: Case) -> list[int]:
        if case.lead_unit_id and case.status in (Status.DISPATCHED, Status.SIGNED):
            if case.lead_unit_id not in self._units:
                self._units[case.lead_unit_id] = list(
                    User.objects.filter(
                        department_id=case.lead_unit_id, is_active=True
                    ).values_list("pk", flat=True)
                )
            return self._units[case.lead_unit_id]
        return self.office()


def _send(case: Case, kind: str, recipients: list[int], zh: str, en: str) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        subject=f"{zh} {case.number}：{case.title}",
        subject_en=f"{en} {case.number}: {case.title}",
        url=case.get_absolute_url(),
    )


def _tick_case(case: Case, now: datetime, sent: dict, people: _People) -> None:
    due = case.due_at
    window = f"{case.pk}:{due.isoformat()}"
    moments = people.moments(due)
    if moments[0] <= now < due and once("cases.approaching", window):
        _send(
            case, Notification.Kind.REMINDER, people.handlers(case), "工单即将到期", "Case due soon"
        )
        _event(case, "reminder", None, f"{timezone.localtime(due):%Y-%m-%d %H:%M}")
        sent["approaching"] += 1
    if now >= due and once("cases.overdue", window):
        late = sorted(set(people.handlers(case)) | set(people.office()))
        _send(case, Notification.Kind.OVERDUE, late, "工单已超期", "Case overdue")
        _event(case, "overdue", None, f"{timezone.localtime(due):%Y-%m-%d %H:%M}")
        sent["overdue"] += 1
    if now >= moments[2] and once("cases.escalation", window):
        _send(
            case, Notification.Kind.ESCALATION, people.leaders(), "工单超期督办", "Case escalated"
        )
        _event(case, "escalated", None)
        sent["escalation"] += 1
    case.remind_at = next((m for m in moments if m > now), None)


def cases_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Claims the cases whose next moment has come (FOR UPDATE SKIP LOCKED: ticks at once split
    the work), sends what is due once per deadline and schedules the next moment."""
    now = now or timezone.now()
    sent = {"approaching": 0, "overdue": 0, "escalation": 0}
    people = _People()
    with transaction.atomic():
        due = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(remind_at__lte=now)
            .only("pk", "number", "title", "status", "due_at", "lead_unit_id", "remind_at")
            .order_by("remind_at")[:BATCH]
        )
        for case in due:
            if case.status in RUNNING and case.due_at is not None:
                _tick_case(case, now, sent, people)
            else:
                case.remind_at = None
            Case.objects.filter(pk=case.pk).update(remind_at=case.remind_at)
    return sent


# --- extensions through the catalogue chain --------------------------------------------------

EXTENSION_FIELDS = [
    ("case", "工单编号", "Case", ServiceField.Type.TEXT),
    ("title", "工单标题", "Subject", ServiceField.Type.TEXT),
    ("deadline", "原办理期限", "Present deadline", ServiceField.Type.TEXT),
    ("new_deadline", "申请延期至", "New deadline asked", ServiceField.Type.TEXT),
    ("reason", "延期理由", "Reason", ServiceField.Type.LONG_TEXT),
]


def _max_new_due(case: Case) -> datetime | None:
    """信访: at most 30 days more; a proposal: at most the complex clock from acceptance."""
    if case.channel == Case.Channel.PETITION:
        number, _unit = rule("petition-extension")
        return _end_of(timezone.localtime(case.due_at) + timedelta(days=number))
    if is_proposal(case):
        accepted = case.events.filter(action="accepted").order_by("at").first()
        start = accepted.at if accepted else case.created_at
        return deadline("proposal-complex", start)
    return None


def check_extension(case: Case, user: User, new_day) -> datetime:
    from reception.case_services import is_lead_staff

    if not is_lead_staff(user, case):
        raise ClockError(_("Only the lead unit's staff may ask for more time."))
    if case.status not in (Status.DISPATCHED, Status.SIGNED) or case.due_at is None:
        raise ClockError(_("Only a case being handled can have more time."))
    if (
        case.channel == Case.Channel.PETITION
        and case.extensions.filter(status=CaseExtension.Status.APPROVED).exists()
    ):
        raise ClockError(_("A letters-and-visits case can be extended only once."))
    if case.extensions.filter(status=CaseExtension.Status.PENDING).exists():
        raise ClockError(_("An extension of this case is already waiting for approval."))
    if new_day is None:
        raise ClockError(_("Give the new deadline as a date."))
    hour, minute = END_OF_DAY
    new_due = timezone.make_aware(datetime.combine(new_day, datetime.min.time())).replace(
        hour=hour, minute=minute
    )
    if new_due <= case.due_at:
        raise ClockError(_("The new deadline must be later than the present one."))
    limit = _max_new_due(case)
    if limit is not None and new_due > limit:
        raise ClockError(
            _("This case can be extended to %(day)s at the latest.")
            % {"day": f"{timezone.localtime(limit):%Y-%m-%d}"}
        )
    return new_due


def _int(value) -> int | None:
    try:
        return int(value.get("id") if isinstance(value, dict) else value)
    except (TypeError, ValueError):
        return None


def extension_form(user: User, post: dict) -> dict:
    case = Case.objects.filter(pk=_int(post.get("case"))).first()
    if case is None:
        raise handoffs.HandoffError(_("No such case."))
    try:
        new_due = check_extension(case, user, handoffs.form_date(post.get("new_deadline")))
        reason = (post.get("reason") or "").strip()
        if not reason:
            raise ClockError(_("Say why more time is needed."))
    except ClockError as exc:
        raise handoffs.HandoffError(exc.message) from exc
    return {
        "case": {"id": case.pk, "name": case.number, "url": case.get_absolute_url()},
        "title": case.title,
        "deadline": f"{timezone.localtime(case.due_at):%Y-%m-%d}",
        "new_deadline": f"{timezone.localtime(new_due):%Y-%m-%d}",
        "reason": reason[:2000],
    }


def extension_service():
    """The internal service, made on first use: the office (the ``case-office`` role in the
    office's department) decides; admins may add steps (a leader's) in admin."""
    from hall.models import Service

    service = Service.objects.filter(code=EXTENSION_SERVICE).first()
    if service is not None:
        return service
    office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
    office = office or Department.objects.order_by("pk").first()
    service = handoffs.internal_service(EXTENSION_SERVICE, department=office)
    ServiceStep.objects.filter(service=service).update(
        rule=ServiceStep.Rule.DEPARTMENT_ROLE, department=office, role_code=OFFICE_ROLE
    )
    return service


@transaction.atomic
def extension_request(*, case_id: int, user: User, new_day, reason: str) -> CaseExtension:

    Case.objects.select_for_update().filter(pk=case_id).first()
    post = {
        "case": str(case_id),
        "new_deadline": new_day.isoformat() if new_day else "",
        "reason": reason,
    }
    handoffs.start_chain(
        service=extension_service,
        applicant=user,
        form_data=lambda: extension_form(user, post),
        refusal=ClockError,
    )
    return CaseExtension.objects.get(case_id=case_id, status=CaseExtension.Status.PENDING)


def _case_of(request: ServiceRequest) -> Case | None:
    return Case.objects.select_for_update().filter(pk=_int(request.form_data.get("case"))).first()


def chain_submitted(request: ServiceRequest) -> None:
    case = _case_of(request)
    if case is None:
        raise ClockError(_("No such case."))
    new_due = check_extension(
        case, request.applicant, handoffs.form_date(request.form_data.get("new_deadline"))
    )
    CaseExtension.objects.create(
        case=case,
        old_due=case.due_at,
        new_due=new_due,
        reason=request.form_data.get("reason", ""),
        request=request,
        requested_by=request.applicant,
    )
    _event(
        case,
        "extension_asked",
        request.applicant,
        f"{timezone.localtime(new_due):%Y-%m-%d} {request.form_data.get('reason', '')}",
    )
    _send(case, Notification.Kind.REMINDER, office_people(), "工单延期申请", "Extension asked")


def chain_approved(request: ServiceRequest) -> None:
    extension = (
        CaseExtension.objects.select_for_update()
        .filter(request=request, status=CaseExtension.Status.PENDING)
        .first()
    )
    if extension is None:
        return
    case = Case.objects.select_for_update().get(pk=extension.case_id)
    extension.status = CaseExtension.Status.APPROVED
    extension.save(update_fields=["status"])
    case.due_at = extension.new_due
    schedule(case)
    case.save(update_fields=["due_at", "remind_at", "updated_at"])
    if extension.makes_complex:
        CaseProposal.objects.filter(case=case).update(is_complex=True)
    _event(
        case,
        "made_complex" if extension.makes_complex else "extended",
        handoffs.last_approver(request),
        f"{timezone.localtime(case.due_at):%Y-%m-%d}",
    )
    if case.channel == Case.Channel.PETITION:
        _notice(
            case,
            CaseNotice.Kind.EXTENDED,
            f"{_person(case)}：您反映的“{case.title}”（编号{case.number}）因情况复杂，"
            f"经批准办理期限延长至{timezone.localtime(case.due_at):%Y年%m月%d日}。"
            f"理由：{extension.reason}",
        )
        _event(case, "notice", None, CaseNotice.Kind.EXTENDED.value)
    _send(
        case,
        Notification.Kind.APPROVED,
        [extension.requested_by_id],
        "工单延期已批准",
        "Extension approved",
    )


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    extension = CaseExtension.objects.filter(
        request=request, status=CaseExtension.Status.PENDING
    ).first()
    if extension is None:
        return
    extension.status = CaseExtension.Status.REFUSED if rejected else CaseExtension.Status.WITHDRAWN
    extension.save(update_fields=["status"])
    _event(extension.case, "extension_refused", None, extension.status)


def register_all() -> None:
    from workflows.handoffs import Handoff, register
    from workflows.reminders import register_tick

    register(
        EXTENSION_SERVICE,
        Handoff(
            submitted=chain_submitted,
            approved=chain_approved,
            ended=chain_ended,
            required_fields=("case", "new_deadline"),
            refusals=(ClockError,),
            form_data=extension_form,
            default_service={
                "name_zh": "工单延期审批",
                "name_en": "Extension of a case",
                "time_limit_days": 2,
                "fields": EXTENSION_FIELDS,
                "steps": [
                    ("工单办审批", "The cases office decides", ServiceStep.Rule.APPLICANT_HEAD)
                ],
            },
        ),
    )
    register_tick("cases", cases_tick)
