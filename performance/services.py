"""Writes for supervision (督办): assigning, signing for, reporting, verifying and closing an item,
its extensions through a catalogue chain, and the tick that reminds, urges and escalates.

Every function checks first and changes nothing when it refuses (``SupervisionError`` with the
message for the person), then writes the item, one history step and its notifications in one
transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import add_working_days, overrides_between, window_of
from hall.lists import url_maker
from hall.models import (
    Department,
    Identity,
    Notification,
    Role,
    Service,
    ServiceField,
    ServiceStep,
    User,
)
from hall.notifications import Message, notify, notify_many
from performance.models import (
    Extension,
    Item,
    Milestone,
    NoticeEntry,
    Report,
    SourceKind,
    Step,
)
from workflows import handoffs
from workflows.models import ServiceRequest
from workflows.reminders import once_many

Status = Item.Status
# The supervision office (督查室): holders of this role, in any department, see and run every item.
OFFICE_ROLE = "supervisor"
EXTENSION_SERVICE = "performance-extension"
BATCH = 1000


class SupervisionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- who is who ------------------------------------------------------------------------------


def is_office(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(holders=user, code=OFFICE_ROLE).exists()


def staff_units(user: User) -> QuerySet[Department]:
    """The units a person works for: those they head or hold a role in, and their own department
    when they are staff. A student belongs to a school; its supervision items are for its staff."""
    if not user.is_authenticated:
        return Department.objects.none()
    works_for = Q(heads=user) | Q(roles__holders=user)
    if user.identity == Identity.STAFF and user.department_id is not None:
        works_for |= Q(pk=user.department_id)
    return Department.objects.filter(works_for)


def is_handler(user: User, item: Item) -> bool:
    """The staff of the lead unit (its heads, role holders and staff members) sign for, report
    and complete."""
    if not user.is_authenticated:
        return False
    return staff_units(user).filter(pk=item.lead_unit_id).exists()


def unit_people(item: Item) -> list[int]:
    """Who hears about an item for the lead unit: its heads, else its members."""
    heads = list(item.lead_unit.heads.filter(is_active=True).values_list("pk", flat=True))
    if heads:
        return heads
    return list(
        User.objects.filter(
            department_id=item.lead_unit_id, identity=Identity.STAFF, is_active=True
        ).values_list("pk", flat=True)[:20]
    )


def office_people(item: Item) -> list[int]:
    people = list(
        User.objects.filter(roles__code=OFFICE_ROLE, is_active=True)
        .values_list("pk", flat=True)
        .distinct()[:20]
    )
    if item.created_by_id and item.created_by_id not in people:
        people.append(item.created_by_id)
    return people


def _event(item: Item, kind: str, recipients: list[int], zh: str, en: str, body: str = "") -> None:
    notify(
        recipients=recipients,
        kind=kind,
        subject=f"{zh}：{item.title}",
        subject_en=f"{en}: {item.title}",
        url=item.get_absolute_url(),
        body=body,
    )


def _step(item: Item, kind: str, actor: User | None = None, text: str = "") -> Step:
    return Step.objects.create(item=item, kind=kind, actor=actor, text=text)


def _locked(item_id: int) -> Item:
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("lead_unit", "leader")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise SupervisionError(_("No such supervision item."))
    return item


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise SupervisionError(what)
    return value


# --- assigning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where an item comes from: a plain reference into another app, its title and its link."""

    kind: str
    ref: str = ""
    title: str = ""
    url: str = ""


def check_source(source: Source) -> None:
    if source.kind not in SourceKind.values:
        raise SupervisionError(_("Choose where this item comes from."))
    if source.kind != SourceKind.ASSIGNED:
        app, _sep, pk = source.ref.partition(":")
        if "." not in app or not pk.isdigit():
            raise SupervisionError(
                _("Name the source as app.model:number, for example performance.decision:3.")
            )
    if source.url and not source.url.startswith("/"):
        raise SupervisionError(_("The source's link is a page of the hall (it starts with /)."))


def deadline_after(start: datetime, days: int) -> datetime:
    return add_working_days(start, days)


@transaction.atomic
def item_create(
    *,
    user: User,
    title: str,
    source: Source,
    criteria: str,
    leader: User,
    lead_unit: Department,
    days: int,
    co_units: list[Department] = (),
    milestones: list[tuple[str, int]] = (),
    requirement: str = "",
    now: datetime | None = None,
) -> Item:
    """The office assigns an item: the deadline is ``days`` working days from now on the hall's
    calendar, each milestone ``n`` working days from now."""
    if not is_office(user):
        raise SupervisionError(_("Only the supervision office assigns items."))
    title = _text(title, _("Give the item a title."))
    criteria = _text(criteria, _("Say how the result will be accepted (the acceptance criteria)."))
    check_source(source)
    if days < 1:
        raise SupervisionError(_("The time limit is at least one working day."))
    if lead_unit in co_units:
        raise SupervisionError(_("The lead unit is not also a co-unit."))
    for name, offset in milestones:
        if not name.strip():
            raise SupervisionError(_("Give every milestone a name."))
        if not 0 < offset <= days:
            raise SupervisionError(
                _("A milestone falls within the time limit (1 to %(days)d working days).")
                % {"days": days}
            )
    now = now or timezone.now()
    item = Item.objects.create(
        title=title[:200],
        source_kind=source.kind,
        source_ref=source.ref[:80],
        source_title=source.title[:300],
        source_url=source.url[:300],
        requirement=requirement,
        criteria=criteria,
        leader=leader,
        lead_unit=lead_unit,
        days=days,
        assigned_at=now,
        deadline=deadline_after(now, days),
        remind_at=now,
        created_by=user,
    )
    item.co_units.set(co_units)
    Milestone.objects.bulk_create(
        [
            Milestone(
                item=item,
                n=n,
                title=name.strip()[:200],
                days=offset,
                due=deadline_after(now, offset),
            )
            for n, (name, offset) in enumerate(sorted(milestones, key=lambda m: m[1]), start=1)
        ]
    )
    _step(item, Step.Kind.CREATED, user, criteria)
    _event(item, Notification.Kind.TASK_ARRIVED, unit_people(item), "督办", "To be supervised")
    return item


# --- the lead unit ---------------------------------------------------------------------------


@transaction.atomic
def item_sign(*, item_id: int, user: User) -> Item:
    item = _locked(item_id)
    if not is_handler(user, item):
        raise SupervisionError(_("Only the lead unit signs for an item."))
    if item.status != Status.ASSIGNED:
        raise SupervisionError(_("This item is not waiting to be signed for."))
    item.status = Status.IN_PROGRESS
    item.save(update_fields=["status", "updated_at"])
    _step(item, Step.Kind.SIGNED, user)
    return item


@transaction.atomic
def item_return(*, item_id: int, user: User, reason: str) -> Item:
    """The lead unit sends an item back to the office (not theirs, or not feasible)."""
    item = _locked(item_id)
    if not is_handler(user, item):
        raise SupervisionError(_("Only the lead unit returns an item."))
    if item.status != Status.ASSIGNED:
        raise SupervisionError(_("Only an item not yet signed for can be returned."))
    reason = _text(reason, _("Say why the item goes back to the office."))
    item.status = Status.RETURNED
    item.remind_at = None
    item.save(update_fields=["status", "remind_at", "updated_at"])
    _step(item, Step.Kind.RETURNED, user, reason)
    _event(item, Notification.Kind.RETURNED, office_people(item), "督办退回", "Returned", reason)
    return item


@transaction.atomic
def item_reassign(
    *,
    item_id: int,
    user: User,
    lead_unit: Department,
    co_units: list[Department] = (),
    now: datetime | None = None,
) -> Item:
    """The office gives a returned item to a (possibly other) lead unit; its clock starts again."""
    item = _locked(item_id)
    if not is_office(user):
        raise SupervisionError(_("Only the supervision office assigns items."))
    if item.status != Status.RETURNED:
        raise SupervisionError(_("Only a returned item is assigned again."))
    if lead_unit in co_units:
        raise SupervisionError(_("The lead unit is not also a co-unit."))
    now = now or timezone.now()
    item.lead_unit = lead_unit
    item.status = Status.ASSIGNED
    item.assigned_at = now
    item.deadline = deadline_after(now, item.days)
    item.remind_at = now
    item.escalated_at = None
    item.save()
    item.co_units.set(co_units)
    for milestone in item.milestones.all():
        milestone.due = deadline_after(now, milestone.days)
        milestone.save(update_fields=["due"])
    _step(item, Step.Kind.REASSIGNED, user, lead_unit.name_zh)
    _event(item, Notification.Kind.TASK_ARRIVED, unit_people(item), "督办", "To be supervised")
    return item


def _report(item: Item, user: User, kind: str, text: str, evidence, milestone=None) -> Report:
    report = Report(item=item, kind=kind, text=text, author=user, milestone=milestone)
    if evidence is not None:
        report.evidence = evidence
    report.save()
    return report


@transaction.atomic
def item_report(
    *, item_id: int, user: User, text: str, milestone_id: int | None = None, evidence=None
) -> Report:
    """A progress report, at a milestone or between them, with its evidence file."""
    item = _locked(item_id)
    if not is_handler(user, item):
        raise SupervisionError(_("Only the lead unit reports on an item."))
    if item.status == Status.RETURNED:
        raise SupervisionError(_("This item was returned to the office; it takes no reports."))
    if item.status != Status.IN_PROGRESS:
        raise SupervisionError(_("Sign for the item before reporting on it."))
    text = _text(text, _("Write what was done."))
    milestone = None
    if milestone_id is not None:
        milestone = Milestone.objects.filter(item=item, pk=milestone_id).first()
        if milestone is None:
            raise SupervisionError(_("No such milestone of this item."))
        if milestone.reached_at is not None:
            raise SupervisionError(_("This milestone was already reported."))
    report = _report(item, user, Report.Kind.PROGRESS, text, evidence, milestone)
    if milestone is not None:
        milestone.reached_at = timezone.now()
        milestone.save(update_fields=["reached_at"])
    _step(item, Step.Kind.PROGRESS, user, text)
    return report


@transaction.atomic
def item_complete(*, item_id: int, user: User, text: str, evidence=None) -> Report:
    """The completion report: the item waits for the office's verification; reminders stop."""
    item = _locked(item_id)
    if not is_handler(user, item):
        raise SupervisionError(_("Only the lead unit reports completion."))
    if item.status == Status.RETURNED:
        raise SupervisionError(_("This item was returned to the office; it takes no reports."))
    if item.status != Status.IN_PROGRESS:
        raise SupervisionError(_("Only an item in progress can be reported complete."))
    text = _text(text, _("Describe the result against the acceptance criteria."))
    report = _report(item, user, Report.Kind.COMPLETION, text, evidence)
    item.status = Status.REPORTED
    item.remind_at = None
    item.save(update_fields=["status", "remind_at", "updated_at"])
    _step(item, Step.Kind.COMPLETION, user, text)
    _event(item, Notification.Kind.TASK_ARRIVED, office_people(item), "办结报告", "Completed")
    return report


# --- the office ------------------------------------------------------------------------------


@transaction.atomic
def item_close(*, item_id: int, user: User, comment: str = "") -> Item:
    """The office verifies the completion report and closes the item (销号)."""
    item = _locked(item_id)
    if not is_office(user):
        raise SupervisionError(_("Only the supervision office closes items."))
    if item.status == Status.CLOSED:
        raise SupervisionError(_("This item is already closed."))
    if item.status != Status.REPORTED:
        raise SupervisionError(
            _("An item is closed only after the office verified its completion report.")
        )
    item.status = Status.CLOSED
    item.closed_at = timezone.now()
    item.remind_at = None
    item.save(update_fields=["status", "closed_at", "remind_at", "updated_at"])
    _step(item, Step.Kind.CLOSED, user, (comment or "").strip())
    _event(
        item,
        Notification.Kind.FINISHED,
        [*unit_people(item), item.leader_id],
        "督办销号",
        "Closed",
    )
    return item


@transaction.atomic
def item_send_back(*, item_id: int, user: User, reason: str, now: datetime | None = None) -> Item:
    """The office does not accept the completion report: the unit works on, reminders resume."""
    item = _locked(item_id)
    if not is_office(user):
        raise SupervisionError(_("Only the supervision office verifies completion."))
    if item.status != Status.REPORTED:
        raise SupervisionError(_("Only a reported completion can be sent back."))
    reason = _text(reason, _("Say what is missing against the acceptance criteria."))
    item.status = Status.IN_PROGRESS
    item.remind_at = now or timezone.now()
    item.save(update_fields=["status", "remind_at", "updated_at"])
    _step(item, Step.Kind.SENT_BACK, user, reason)
    _event(item, Notification.Kind.RETURNED, unit_people(item), "督办退回重办", "Sent back", reason)
    return item


# --- extensions through a catalogue chain ----------------------------------------------------


def _year_end(item: Item) -> datetime:
    local = timezone.localtime(item.assigned_at)
    return local.replace(month=12, day=31, hour=23, minute=59, second=59, microsecond=0)


def check_extension(item: Item, user: User, new_day: date | None) -> datetime:
    """The new deadline (end of that working day) an extension asks for, or a refusal."""
    if not is_handler(user, item):
        raise SupervisionError(_("Only the lead unit asks for an extension."))
    if item.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
        raise SupervisionError(_("Only an open item that is not reported complete is extended."))
    if new_day is None:
        raise SupervisionError(_("Give the new deadline as a date."))
    hour, minute = 17, 30
    tz = timezone.get_current_timezone()
    new_deadline = datetime(new_day.year, new_day.month, new_day.day, hour, minute, tzinfo=tz)
    if new_deadline <= item.deadline:
        raise SupervisionError(_("The new deadline comes after the present one."))
    if new_deadline > _year_end(item):
        raise SupervisionError(
            _(
                "An extension cannot go past the end of the year %(year)d; the leader may "
                "assign the work again next year."
            )
            % {"year": _year_end(item).year}
        )
    if Extension.objects.filter(item=item, status=Extension.Status.PENDING).exists():
        raise SupervisionError(_("An extension of this item is already waiting for approval."))
    return new_deadline


EXTENSION_FIELDS = [
    ("item", "督办事项编号", "Supervision item", ServiceField.Type.TEXT),
    ("title", "督办事项", "Item", ServiceField.Type.TEXT),
    ("deadline", "原办理期限", "Present deadline", ServiceField.Type.TEXT),
    ("new_deadline", "申请延期至", "New deadline asked", ServiceField.Type.TEXT),
    ("reason", "延期理由", "Reason", ServiceField.Type.LONG_TEXT),
    ("leader", "责任领导", "Leader in charge", ServiceField.Type.TEXT),
]


def _ref_id(value) -> int | None:
    """A request's reference to an item: {id, name, url}, or its number in older requests."""
    return _int(value.get("id") if isinstance(value, dict) else value)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def extension_form(user: User, post: dict) -> dict:
    """The request's form for an extension (the handoff's ``form_data``)."""
    items = Item.objects.select_related("lead_unit", "leader")
    item = items.filter(pk=_int(post.get("item"))).first()
    if item is None or not is_handler(user, item):
        raise handoffs.HandoffError(_("No such supervision item."))
    new_day = handoffs.form_date(post.get("new_deadline"))
    try:
        check_extension(item, user, new_day)
        reason = _text(post.get("reason", ""), _("Say why more time is needed."))
    except SupervisionError as exc:
        raise handoffs.HandoffError(exc.message) from exc
    # The item and the leader as {id, name}: the task page shows the item's title linking to its
    # page and the leader's name (not their numbers); the chain's FORM_FIELD step reads the id.
    return {
        "item": {
            "id": item.pk,
            "name": item.title,
            "url": reverse("performance:item", args=[item.pk]),
        },
        "title": item.title,
        "deadline": timezone.localtime(item.deadline).date().isoformat(),
        "new_deadline": new_day.isoformat(),
        "reason": reason[:2000],
        "leader": {"id": item.leader_id, "name": str(item.leader)},
    }


def extension_service() -> Service:
    """The internal service whose chain decides extensions, made on first use: the leader in
    charge of the item (the form's ``leader``) decides; admins may add steps in admin."""
    service = Service.objects.filter(code=EXTENSION_SERVICE).first()
    if service is not None:
        return service
    office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
    office = office or Department.objects.order_by("pk").first()
    service = handoffs.internal_service(EXTENSION_SERVICE, department=office)
    ServiceStep.objects.filter(service=service).update(
        rule=ServiceStep.Rule.FORM_FIELD, field_key="leader"
    )
    return service


@transaction.atomic
def extension_request(
    *, item_id: int, user: User, new_deadline: date | None, reason: str
) -> Extension:
    item = _locked(item_id)
    post = {
        "item": str(item.pk),
        "new_deadline": new_deadline.isoformat() if new_deadline else "",
        "reason": reason,
    }
    handoffs.start_chain(
        service=extension_service,
        applicant=user,
        form_data=lambda: extension_form(user, post),
        refusal=SupervisionError,
    )
    return Extension.objects.get(item=item, status=Extension.Status.PENDING)


def _item_of(request: ServiceRequest) -> Item | None:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("lead_unit")
        .filter(pk=_ref_id(request.form_data.get("item")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    item = _item_of(request)
    if item is None:
        raise SupervisionError(_("No such supervision item."))
    new_deadline = check_extension(
        item, request.applicant, handoffs.form_date(request.form_data.get("new_deadline"))
    )
    Extension.objects.create(
        item=item,
        old_deadline=item.deadline,
        new_deadline=new_deadline,
        reason=request.form_data.get("reason", ""),
        request=request,
        requested_by=request.applicant,
    )
    _step(
        item,
        Step.Kind.EXTENSION_ASKED,
        request.applicant,
        f"{timezone.localtime(new_deadline):%Y-%m-%d} {request.form_data.get('reason', '')}",
    )


def chain_approved(request: ServiceRequest) -> None:
    extension = (
        Extension.objects.select_for_update()
        .filter(request=request, status=Extension.Status.PENDING)
        .first()
    )
    if extension is None:
        return
    item = _locked(extension.item_id)
    extension.status = Extension.Status.APPROVED
    extension.save(update_fields=["status"])
    item.deadline = extension.new_deadline
    item.escalated_at = None
    if item.status in (Status.ASSIGNED, Status.IN_PROGRESS):
        item.remind_at = timezone.now()
    item.save(update_fields=["deadline", "escalated_at", "remind_at", "updated_at"])
    _step(
        item,
        Step.Kind.EXTENSION_APPROVED,
        handoffs.last_approver(request),
        f"{timezone.localtime(item.deadline):%Y-%m-%d}",
    )
    _event(item, Notification.Kind.APPROVED, unit_people(item), "督办延期", "Extension")


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    extension = Extension.objects.filter(request=request, status=Extension.Status.PENDING).first()
    if extension is None:
        return
    extension.status = Extension.Status.REFUSED if rejected else Extension.Status.WITHDRAWN
    extension.save(update_fields=["status"])
    _step(extension.item, Step.Kind.EXTENSION_REFUSED, None, extension.get_status_display())


# --- the tick: reminders, 催办, escalation, the public notice ----------------------------------


def period_of(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m}"


def escalation_moment(deadline: datetime, overrides: dict | None = None) -> datetime:
    """The start of the M-th working day after the deadline's day (as the approval tick);
    ``overrides``: the calendar read once for a tick's batch (``batch_calendar``)."""
    day = add_working_days(deadline, settings.HALL_ESCALATE_AFTER_DAYS, overrides)
    return day.replace(hour=0, minute=0)


@dataclass
class _Due:
    """One reminder an item's tick would send, before its once() claim: to the lead unit's
    people (``to_unit``) or the leader in charge, with the history step it leaves."""

    item: Item
    kind: str
    window: str
    notice: str
    zh: str
    en: str
    step: str
    body: str = ""
    step_text: str = ""
    to_unit: bool = True

    @property
    def claim(self) -> tuple[str, str]:
        return f"supervision.{self.kind}", f"{self.item.pk}:{self.window}"


def batch_calendar(deadlines: list[datetime]) -> dict:
    """The calendar's days every escalation moment of a batch looks at, in one query."""
    days = settings.HALL_ESCALATE_AFTER_DAYS
    windows = [window_of(d, days) for d in deadlines]
    if not windows:
        return {}
    return overrides_between(min(w[0] for w in windows), max(w[1] for w in windows))


def _due_of(item: Item, now: datetime, lead: timedelta, calendar: dict) -> list[_Due]:
    """What is due for one item now, in the order its history shows it, and its next moment
    (``item.remind_at``), which does not depend on what was sent before."""
    window = item.deadline.isoformat()
    moments = []
    due: list[_Due] = []
    for milestone in item.milestones.all():
        if milestone.reached_at is not None:
            continue
        remind = milestone.due - lead
        at = f"{milestone.pk}:{milestone.due.isoformat()}"
        if now >= milestone.due:
            # Its date passed without a report: one overdue notice of its own to the lead unit.
            due.append(
                _Due(
                    item,
                    "milestone_overdue",
                    at,
                    Notification.Kind.OVERDUE,
                    "节点逾期未报",
                    "Milestone overdue",
                    Step.Kind.MILESTONE_OVERDUE,
                    body=milestone.title,
                    step_text=milestone.title,
                )
            )
            continue
        moments.append(milestone.due)
        if remind <= now < milestone.due:
            due.append(
                _Due(
                    item,
                    "milestone",
                    at,
                    Notification.Kind.REMINDER,
                    "节点临近",
                    "Milestone",
                    Step.Kind.REMINDER,
                    body=milestone.title,
                    step_text=milestone.title,
                )
            )
        elif remind > now:
            moments.append(remind)
    if item.deadline - lead <= now < item.deadline:
        due.append(
            _Due(
                item,
                "approaching",
                window,
                Notification.Kind.REMINDER,
                "期限临近",
                "Due soon",
                Step.Kind.REMINDER,
            )
        )
    elif item.deadline - lead > now:
        moments.append(item.deadline - lead)
    if now >= item.deadline:
        due.append(
            _Due(
                item,
                "overdue",
                window,
                Notification.Kind.OVERDUE,
                "催办",
                "Overdue",
                Step.Kind.OVERDUE,
            )
        )
    else:
        moments.append(item.deadline)
    escalate = escalation_moment(item.deadline, calendar)
    if now >= escalate:
        due.append(
            _Due(
                item,
                "escalation",
                window,
                Notification.Kind.ESCALATION,
                "督办逾期",
                "Overdue",
                Step.Kind.ESCALATED,
                step_text=str(item.leader),
                to_unit=False,
            )
        )
    else:
        moments.append(escalate)
    item.remind_at = min(moments) if moments else None
    return due


def unit_people_many(unit_ids: set[int]) -> dict[int, list[int]]:
    """``unit_people()`` for many units in two queries: each unit's active heads, else up to
    20 of its active staff."""
    people: dict[int, list[int]] = {}
    for unit, user in (
        Department.heads.through.objects.filter(department_id__in=unit_ids, user__is_active=True)
        .values_list("department_id", "user_id")
        .order_by("department_id", "user_id")
    ):
        people.setdefault(unit, []).append(user)
    rest = set(unit_ids) - set(people)
    if rest:
        staff = (
            User.objects.filter(department_id__in=rest, identity=Identity.STAFF, is_active=True)
            .annotate(
                n=Window(RowNumber(), partition_by=F("department_id"), order_by=F("pk").asc())
            )
            .filter(n__lte=20)
            .values_list("department_id", "pk")
            .order_by("department_id", "pk")
        )
        for unit, user in staff:
            people.setdefault(unit, []).append(user)
    return people


def _send_due(candidates: list[_Due], now: datetime, sent: dict) -> None:
    """Claims a batch's reminders in one statement and writes what was won in bulk: the
    recipients read once, the notifications, the history steps and the public notice entries
    one insert each. Everything is in the tick's transaction (see ``once_many``)."""
    won = once_many([c.claim for c in candidates])
    winners = [c for c in candidates if c.claim in won]
    if not winners:
        return
    people = unit_people_many({c.item.lead_unit_id for c in winners if c.to_unit})
    period = period_of(now)
    overdue = [c.item.pk for c in winners if c.kind == "overdue"]
    listed = set(
        NoticeEntry.objects.filter(item_id__in=overdue, period=period).values_list(
            "item_id", flat=True
        )
    )
    url_of = url_maker("performance:item")
    messages, steps, notices = [], [], []
    for c in winners:
        item = c.item
        recipients = people.get(item.lead_unit_id, []) if c.to_unit else [item.leader_id]
        messages.append(
            Message(
                recipients=recipients,
                kind=c.notice,
                subject=f"{c.zh}：{item.title}",
                subject_en=f"{c.en}: {item.title}",
                url=url_of(item.pk),
                body=c.body,
            )
        )
        steps.append(Step(item=item, kind=c.step, text=c.step_text))
        sent[c.kind] += 1
        if c.kind == "overdue" and item.pk not in listed:
            listed.add(item.pk)
            notices.append(NoticeEntry(item=item, period=period, deadline=item.deadline))
            steps.append(Step(item=item, kind=Step.Kind.NOTICE, text=period))
            sent["notice"] += 1
        if c.kind == "escalation":
            item.escalated_at = now
    notify_many(messages)
    NoticeEntry.objects.bulk_create(notices)
    Step.objects.bulk_create(steps)


def _save_moments(items: list[Item]) -> None:
    """The batch's next moments and escalations in one UPDATE … FROM (VALUES …) on Postgres
    (Django's bulk_update builds a CASE per row, which costs more than the sending); elsewhere
    bulk_update."""
    if connection.vendor != "postgresql":
        Item.objects.bulk_update(items, ["remind_at", "escalated_at"], batch_size=200)
        return
    table = connection.ops.quote_name(Item._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            values = ", ".join(["(%s, %s::timestamptz, %s::timestamptz)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS i SET remind_at = v.r, escalated_at = v.e "  # noqa: S608 — the table's name quoted, values bound
                f"FROM (VALUES {values}) AS v(id, r, e) WHERE i.id = v.id",
                [x for item in chunk for x in (item.pk, item.remind_at, item.escalated_at)],
            )


def supervision_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Claims the open items whose next moment has come (FOR UPDATE SKIP LOCKED: ticks at once
    split the work), sends what is due once per window and schedules the next moment.

    A batch (``BATCH`` items) is one transaction: its claims, messages, steps and notices are
    written in bulk (``_send_due``), the items' next moments in one update."""
    from performance import board_cache

    now = now or timezone.now()
    lead = timedelta(days=settings.HALL_REMIND_BEFORE_DAYS)
    sent = {
        "milestone": 0,
        "milestone_overdue": 0,
        "approaching": 0,
        "overdue": 0,
        "escalation": 0,
        "notice": 0,
    }
    with transaction.atomic():
        due = list(
            Item.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("lead_unit", "leader")
            .prefetch_related("milestones")
            .filter(remind_at__lte=now)
            .order_by("remind_at")[:BATCH]
        )
        if not due:
            return sent
        running = [i for i in due if i.status in (Status.ASSIGNED, Status.IN_PROGRESS)]
        calendar = batch_calendar([i.deadline for i in running])
        candidates = []
        for item in due:
            if item.status in (Status.ASSIGNED, Status.IN_PROGRESS):
                candidates.extend(_due_of(item, now, lead, calendar))
            else:
                item.remind_at = None
        _send_due(candidates, now, sent)
        _save_moments(due)
        board_cache.bump()
    return sent
