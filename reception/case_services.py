"""Writes of the people's voices: the closed loop of a case (工单), one service per step.

Every step checks the case's state and who acts; a refusal raises ``CaseError`` with its message
and changes nothing (the check runs before any write, inside the step's transaction). Each step
that happens is one ``CaseEvent`` on the case's timeline.

The office is whoever holds the ``case-office`` role (in any department) or is a superuser; a
unit's staff are the users of the lead unit or of a co-unit.
"""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import add_working_days
from hall.models import Department, Role, User
from hall.notifications import notify
from reception.models import Case, CaseCategory, CaseClock, CaseEvent

Status = Case.Status
OFFICE_ROLE = "case-office"
# Working days per kind when admin has not set a clock (CaseClock rows win).
DEFAULT_CLOCKS = {"urgent": 0, "enquiry": 3, "complaint": 13, "suggestion": 13}
# An online message: at most this many from one address within the window.
ONLINE_LIMIT = 5
ONLINE_WINDOW = timedelta(hours=1)


class CaseError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_office(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or Role.objects.filter(holders=user, code=OFFICE_ROLE).exists()


def unit_ids(case: Case) -> set[int]:
    ids = set(case.co_units.values_list("pk", flat=True))
    if case.lead_unit_id:
        ids.add(case.lead_unit_id)
    return ids


def is_lead_staff(user: User, case: Case) -> bool:
    return (
        user.is_authenticated
        and case.lead_unit_id is not None
        and user.department_id == case.lead_unit_id
    )


def may_see_contact(user: User, case: Case) -> bool:
    """The office and the handling units' staff see the contact; an anonymous case hides it
    from the units too."""
    if is_office(user):
        return True
    if case.anonymous:
        return False
    return user.is_authenticated and user.department_id in unit_ids(case)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    keep = 3 if len(phone) >= 7 else 1
    return phone[:keep] + "*" * (len(phone) - keep - 4) + phone[-4:]


def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def mask_email(email: str) -> str:
    if "@" not in email:
        return mask_name(email)
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def clock_days(kind: str) -> int:
    found = CaseClock.objects.filter(kind=kind).values_list("working_days", flat=True).first()
    return DEFAULT_CLOCKS.get(kind, 13) if found is None else found


def due_for(kind: str, start: datetime) -> datetime:
    return add_working_days(start, clock_days(kind))


def _event(case: Case, action: str, actor: User | None, note: str = "") -> None:
    CaseEvent.objects.create(case=case, action=action, actor=actor, note=note)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _need(case: Case, *states: str) -> None:
    if case.status not in states:
        raise CaseError(
            _("This case is “%(status)s”; this step is not possible now.")
            % {"status": case.get_status_display()}
        )


def _need_office(user: User) -> None:
    if not is_office(user):
        raise CaseError(_("Only the office may do this."))


def _need_lead(user: User, case: Case) -> None:
    if not (is_lead_staff(user, case) or is_office(user)):
        raise CaseError(_("Only the lead unit's staff may do this."))


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message)
    return value


@transaction.atomic
def case_create(
    *,
    channel: str,
    kind: str,
    category: CaseCategory,
    title: str,
    content: str,
    place: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    anonymous: bool = False,
    consent_to_publish: bool = False,
    received_by: User | None = None,
    source_address: str | None = None,
    message_id: str = "",
) -> Case:
    """A new case on any channel. An online message is limited per address."""
    title = _text(title, _("Give the case a subject."))
    content = _text(content, _("Say what the case is about."))
    if channel not in Case.Channel.values or kind not in Case.Kind.values:
        raise CaseError(_("Choose a channel and a kind."))
    if channel == Case.Channel.ONLINE and source_address:
        since = timezone.now() - ONLINE_WINDOW
        sent = Case.objects.filter(source_address=source_address, created_at__gte=since).count()
        if sent >= ONLINE_LIMIT:
            raise CaseError(
                _("Too many messages from your address in the last hour; please try again later.")
            )
    if not anonymous and not (contact_name and (contact_phone or contact_email)):
        raise CaseError(_("Give a name and a phone or e-mail, or leave the message anonymously."))
    if anonymous:
        contact_name = ""
    case = Case.objects.create(
        number=f"tmp-{secrets.token_hex(6)}",
        verification_code=f"{secrets.randbelow(10**6):06d}",
        channel=channel,
        kind=kind,
        category=category,
        title=title[:200],
        content=content,
        place=place[:200],
        contact_name=contact_name[:100],
        contact_phone=contact_phone[:40],
        contact_email=contact_email,
        anonymous=anonymous,
        consent_to_publish=consent_to_publish,
        received_by=received_by,
        source_address=source_address if channel == Case.Channel.ONLINE else None,
        message_id=message_id[:300],
    )
    case.number = f"GD{timezone.localtime(case.created_at):%Y}{case.pk:07d}"
    case.save(update_fields=["number"])
    _event(case, "created", received_by, case.channel)
    from reception import case_clock

    case_clock.on_created(case)
    return case


@transaction.atomic
def case_accept(*, case: Case, by: User) -> Case:
    """受理: the clock of the case's kind starts now."""
    case = _locked(case)
    _need_office(by)
    _need(case, Status.NEW)
    from reception import case_clock

    case.status = Status.ACCEPTED
    case.due_at = case_clock.due_on_accept(case, timezone.now())
    case_clock.schedule(case)
    case.save(update_fields=["status", "due_at", "remind_at", "updated_at"])
    _event(case, "accepted", by)
    case_clock.on_accepted(case, by)
    return case


@transaction.atomic
def case_not_accept(*, case: Case, by: User, reason: str) -> Case:
    """不受理, always with the reason the person will read."""
    case = _locked(case)
    _need_office(by)
    _need(case, Status.NEW)
    reason = _text(reason, _("Say why the case is not accepted."))
    case.status = Status.NOT_ACCEPTED
    case.not_accepted_reason = reason[:300]
    case.remind_at = None
    case.save(update_fields=["status", "not_accepted_reason", "remind_at", "updated_at"])
    _event(case, "not_accepted", by, reason)
    from reception import case_clock

    case_clock.on_not_accepted(case, by)
    return case


@transaction.atomic
def case_dispatch(
    *, case: Case, by: User, lead_unit: Department | None, co_units=(), note: str = ""
) -> Case:
    """派单 to a lead unit and any co-units (again after a return)."""
    case = _locked(case)
    _need_office(by)
    _need(case, Status.ACCEPTED, Status.RETURNED)
    if lead_unit is None:
        raise CaseError(_("Choose the lead unit the case goes to."))
    co = [u for u in co_units if u.pk != lead_unit.pk]
    case.status = Status.DISPATCHED
    case.lead_unit = lead_unit
    case.save(update_fields=["status", "lead_unit", "updated_at"])
    case.co_units.set(co)
    from reception import proposals

    proposals.opinions_open(case)
    _event(case, "dispatched", by, ", ".join([lead_unit.name, *[u.name for u in co]]))
    staff = User.objects.filter(department=lead_unit, is_active=True).values_list("pk", flat=True)
    notify(
        recipients=list(staff),
        kind="case",
        subject=f"新工单 {case.number}：{case.title}",
        subject_en=f"New case {case.number}: {case.title}",
        url=case.get_absolute_url(),
    )
    return case


@transaction.atomic
def case_sign(*, case: Case, by: User) -> Case:
    """签收 by the lead unit."""
    case = _locked(case)
    _need(case, Status.DISPATCHED)
    if not is_lead_staff(by, case):
        raise CaseError(_("Only the lead unit's staff may do this."))
    case.status = Status.SIGNED
    case.save(update_fields=["status", "updated_at"])
    _event(case, "signed", by)
    return case


@transaction.atomic
def case_return(*, case: Case, by: User, reason: str) -> Case:
    """退单: the unit says it is not theirs; the office re-dispatches."""
    case = _locked(case)
    _need(case, Status.DISPATCHED)
    if not is_lead_staff(by, case):
        raise CaseError(_("Only the lead unit's staff may do this."))
    reason = _text(reason, _("Say why the case is returned."))
    case.status = Status.RETURNED
    case.save(update_fields=["status", "updated_at"])
    _event(case, "returned", by, reason)
    return case


@transaction.atomic
def case_reply(*, case: Case, by: User, reply: str, public_reply: str = "") -> Case:
    """The lead unit's reply; the office reviews it before the case closes."""
    case = _locked(case)
    _need(case, Status.SIGNED)
    _need_lead(by, case)
    reply = _text(reply, _("Write the reply."))
    case.status = Status.REPLIED
    case.reply = reply
    case.public_reply = (public_reply or "").strip() or reply
    case.save(update_fields=["status", "reply", "public_reply", "updated_at"])
    _event(case, "replied", by, reply)
    return case


@transaction.atomic
def case_send_back(*, case: Case, by: User, reason: str) -> Case:
    """The office finds the reply does not answer the question: back to the unit."""
    case = _locked(case)
    _need_office(by)
    _need(case, Status.REPLIED)
    reason = _text(reason, _("Say what the reply is missing."))
    case.status = Status.SIGNED
    case.save(update_fields=["status", "updated_at"])
    _event(case, "sent_back", by, reason)
    return case


@transaction.atomic
def case_close(*, case: Case, by: User) -> Case:
    """The office approves the reply and closes the case."""
    case = _locked(case)
    _need_office(by)
    if case.status != Status.REPLIED or not case.reply:
        raise CaseError(_("A case closes only after a reply the office has read."))
    from reception import case_clock

    try:
        case_clock.check_close(case)
    except case_clock.ClockError as exc:
        raise CaseError(exc.message) from exc
    case.status = Status.CLOSED
    case.save(update_fields=["status", "updated_at"])
    _event(case, "closed", by)
    case_clock.on_closed(case, by)
    return case


@transaction.atomic
def case_callback(*, case: Case, by: User, satisfaction: str, note: str = "") -> Case:
    """回访: the person's satisfaction; dissatisfied reopens the case for the same unit."""
    case = _locked(case)
    _need_office(by)
    return callback_record(case=case, by=by, satisfaction=satisfaction, note=note)


def callback_record(*, case: Case, by: User | None, satisfaction: str, note: str = "") -> Case:
    """The callback's effect on a locked case (``by`` None: the proposer's own form)."""
    if case.status == Status.DONE:
        raise CaseError(_("This case has already been called back."))
    _need(case, Status.CLOSED)
    if satisfaction not in Case.Satisfaction.values:
        raise CaseError(_("Choose how satisfied the person is."))
    case.satisfaction = satisfaction
    _event(case, "callback", by, f"{Case.Satisfaction(satisfaction).value} {note}".strip())
    if satisfaction == Case.Satisfaction.DISSATISFIED:
        case.status = Status.SIGNED
        case.reopened += 1
        from reception import case_clock

        case.due_at = case_clock.due_on_reopen(case, timezone.now())
        case.closed_at = None
        case_clock.schedule(case)
        _event(case, "reopened", by)
    else:
        case.status = Status.DONE
    case.save(
        update_fields=[
            "status",
            "satisfaction",
            "reopened",
            "due_at",
            "remind_at",
            "closed_at",
            "updated_at",
        ]
    )
    return case
