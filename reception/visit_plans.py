"""A visit's plan and its settlement: the budget by category checked against the reception
standard of the guests' level, the plan approved through the chain ``reception-visit-plan``,
the units' service tasks (meals, rooms, cars, badges), and after the visit the actual costs, a
summary and the filing in the archives.

The standard's caps are per person a day, so a category's cap is the cap × the number of
people × the visit's days. A plan over the cap in any category needs a reason, and its chain
then takes the conditional step of a higher approver (``visit_over_standard`` = ``yes`` in the
form, which the step's condition reads, as research's ``research_review``). The filing runs in
a Celery task after commit, keyed ``reception.visit:<pk>``, so it files one record however often
it runs.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hall.models import Department, Notification, Service, ServiceField, ServiceStep, User
from hall.notifications import notify
from reception import activities, schedules
from reception.models import ActivityTask, ReceptionStandard, Visit
from reception.visits import VisitError, may_edit, source_of, standard_for
from workflows import handoffs
from workflows.models import ServiceRequest

PLAN_SERVICE = "reception-visit-plan"
OVER_FIELD = "visit_over_standard"
# The higher approver of an over-standard plan: holders of this role in the office's department.
HIGHER_ROLE = "visit-approver"
ZERO = Decimal(0)
# (key, label, the standard's cap field); the visit's fields are <key>_planned and <key>_actual.
CATEGORIES = (
    ("meals", gettext_lazy("meals"), "meal_cap"),
    ("rooms", gettext_lazy("accommodation"), "room_cap"),
    ("cars", gettext_lazy("cars"), "car_cap"),
    ("gifts", gettext_lazy("gifts"), "gift_cap"),
)
KEYS = tuple(key for key, _label, _cap in CATEGORIES)
# The service tasks a visit gives its units.
TASK_KINDS = (
    ActivityTask.Kind.CATERING,
    ActivityTask.Kind.ROOMS,
    ActivityTask.Kind.CARS,
    ActivityTask.Kind.BADGES,
    ActivityTask.Kind.OTHER,
)
Status = Visit.Status


@dataclass(frozen=True)
class Line:
    """One category of a visit's budget against the standard."""

    key: str
    label: str
    cap: Decimal | None  # None: the standard sets no cap for it
    planned: Decimal
    actual: Decimal

    @property
    def over(self) -> bool:
        return self.cap is not None and self.planned > self.cap

    @property
    def actual_over(self) -> bool:
        return self.cap is not None and self.actual > self.cap


def days_of(visit: Visit) -> int:
    return (visit.ends_on - visit.starts_on).days + 1


def lines(visit: Visit, standard: ReceptionStandard | None, planned: dict | None = None):
    """The four categories: cap (per person a day × people × days), planned and actual."""
    planned = planned or {key: getattr(visit, f"{key}_planned") for key in KEYS}
    factor = visit.people * days_of(visit)
    rows = []
    for key, label, cap_field in CATEGORIES:
        per_person = getattr(standard, cap_field) if standard is not None else None
        rows.append(
            Line(
                key=key,
                label=str(label),
                cap=None if per_person is None else per_person * factor,
                planned=planned[key],
                actual=getattr(visit, f"{key}_actual"),
            )
        )
    return rows


def yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"¥{amount:,.2f}"


def amount_of(value) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise VisitError(_("Give each amount as a number of yuan.")) from None
    if not amount.is_finite() or amount < 0:
        raise VisitError(_("An amount cannot be negative."))
    return amount.quantize(Decimal("0.01"))


def check_plan(visit: Visit, planned: dict, reason: str) -> tuple[ReceptionStandard, bool]:
    """Refuses a plan that cannot go for approval; says whether it is over the standard."""
    if visit.status != Status.DRAFT:
        raise VisitError(_("This visit's plan is already waiting for approval or approved."))
    standard = standard_for(visit)
    if standard is None:
        raise VisitError(
            _("No reception standard is set for the level %(level)s: an admin sets it first.")
            % {"level": visit.get_level_display()}
        )
    if not visit.items.exists():
        raise VisitError(_("Add the itinerary before the plan goes for approval."))
    if not any(planned.values()):
        raise VisitError(
            _("Every amount of the plan is zero: give the budget of at least one category.")
        )
    over = [line for line in lines(visit, standard, planned) if line.over]
    if over and not reason:
        raise VisitError(
            _(
                "The plan is over the standard (%(lines)s): give the reason; "
                "it then goes to a higher approver."
            )
            % {
                "lines": "; ".join(
                    f"{line.label} {yuan(line.planned)} > {yuan(line.cap)}" for line in over
                )
            }
        )
    return standard, bool(over)


# --- the plan's chain ---------------------------------------------------------------------------

PLAN_FIELDS = [
    ("visit", "接待项目", "Visit", ServiceField.Type.TEXT),
    ("dates", "日期", "Dates", ServiceField.Type.TEXT),
    ("guests", "来宾", "Guests", ServiceField.Type.LONG_TEXT),
    ("budget", "预算（标准）", "Budget (standard)", ServiceField.Type.LONG_TEXT),
    ("reason", "超标准理由", "Reason for going over the standard", ServiceField.Type.LONG_TEXT),
]


def office_department() -> Department | None:
    office = Department.objects.filter(roles__code=schedules.OFFICE_ROLE).order_by("pk").first()
    return office or Department.objects.order_by("pk").first()


def plan_service() -> Service:
    """The internal service, made on first use: the head of the office's department reviews;
    an over-standard plan then goes to the holders of ``visit-approver`` in that department."""
    service = Service.objects.filter(code=PLAN_SERVICE).first()
    if service is not None:
        return service
    office = office_department()
    service = handoffs.internal_service(PLAN_SERVICE, department=office)
    _first, second = list(ServiceStep.objects.filter(service=service).order_by("order", "pk"))
    ServiceStep.objects.filter(pk=second.pk).update(
        rule=ServiceStep.Rule.DEPARTMENT_ROLE,
        department=office,
        role_code=HIGHER_ROLE,
        mode=ServiceStep.Mode.ANY,
        condition_field=OVER_FIELD,
        condition_operator=ServiceStep.Operator.EQ,
        condition_value="yes",
    )
    ServiceField.objects.filter(service=service, key="reason").update(required=False)
    return service


def _int(value) -> int | None:
    try:
        return int(value.get("id") if isinstance(value, dict) else value)
    except (TypeError, ValueError):
        return None


def plan_form(visit: Visit, standard: ReceptionStandard | None, over: bool) -> dict:
    budget = "\n".join(
        f"{line.label}：{yuan(line.planned)}（{yuan(line.cap)}）" for line in lines(visit, standard)
    )
    return {
        "visit": {"id": visit.pk, "name": visit.title, "url": visit.get_absolute_url()},
        "dates": f"{visit.starts_on:%Y-%m-%d} – {visit.ends_on:%Y-%m-%d}",
        "guests": f"{visit.organisation}（{visit.people}）\n{visit.guests}",
        "budget": budget,
        "reason": visit.over_reason,
        OVER_FIELD: "yes" if over else "no",
    }


def plan_form_data(user: User, post: dict) -> dict:
    visit = Visit.objects.filter(pk=_int(post.get("visit"))).first()
    if visit is None or not may_edit(user):
        raise handoffs.HandoffError(_("No such visit."))
    return plan_form(visit, standard_for(visit), visit.over_standard)


@transaction.atomic
def plan_submit(
    *,
    user: User,
    visit_id: int,
    meals=0,
    rooms=0,
    cars=0,
    gifts=0,
    reason: str = "",
) -> Visit:
    """Saves the budget and sends the plan for approval; a refusal changes nothing."""
    if not may_edit(user):
        raise VisitError(_("Only the office arranges visits."))
    visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None:
        raise VisitError(_("No such visit."))
    planned = {
        "meals": amount_of(meals),
        "rooms": amount_of(rooms),
        "cars": amount_of(cars),
        "gifts": amount_of(gifts),
    }
    reason = (reason or "").strip()
    standard, over = check_plan(visit, planned, reason)
    for key, amount in planned.items():
        setattr(visit, f"{key}_planned", amount)
    visit.over_standard = over
    visit.over_reason = reason[:2000] if over else ""
    visit.save()
    handoffs.start_chain(
        service=plan_service,
        applicant=user,
        form_data=lambda: plan_form(visit, standard, over),
        refusal=VisitError,
    )
    visit.refresh_from_db()
    return visit


@transaction.atomic
def plan_reopen(*, user: User, visit_id: int) -> Visit:
    """An approved plan's amounts are read-only: to change them the office takes the plan back
    to being planned, changes it and sends it through the chain again. The host is told, and
    the visit is no longer approved (no costs, no settlement) until the new plan is."""
    if not may_edit(user):
        raise VisitError(_("Only the office arranges visits."))
    visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None:
        raise VisitError(_("No such visit."))
    if visit.status != Status.APPROVED:
        raise VisitError(_("Only an approved plan is revised; a draft is changed on its form."))
    visit.status = Status.DRAFT
    visit.save(update_fields=["status"])
    _tell_host(
        visit, "接待方案退回修改", "Visit plan taken back to be revised", Notification.Kind.RETURNED
    )
    return visit


def _visit_of(request: ServiceRequest) -> Visit | None:
    return Visit.objects.select_for_update().filter(pk=_int(request.form_data.get("visit"))).first()


def chain_submitted(request: ServiceRequest) -> None:
    visit = _visit_of(request)
    if visit is None:
        raise VisitError(_("No such visit."))
    if visit.status != Status.DRAFT:
        raise VisitError(_("This visit's plan is already waiting for approval or approved."))
    # The condition of the higher approver's step reads what the hall decided, not the form.
    over = visit.over_standard
    if request.form_data.get(OVER_FIELD) != ("yes" if over else "no"):
        request.form_data = {**request.form_data, OVER_FIELD: "yes" if over else "no"}
        ServiceRequest.objects.filter(pk=request.pk).update(form_data=request.form_data)
    visit.status = Status.PENDING
    visit.request = request
    visit.save(update_fields=["status", "request"])


def _tell_host(visit: Visit, zh: str, en: str, kind: str) -> None:
    notify(
        recipients=[visit.host_id],
        kind=kind,
        subject=f"{zh}：{visit.title}",
        subject_en=f"{en}: {visit.title}",
        url=visit.get_absolute_url(),
    )


def chain_approved(request: ServiceRequest) -> None:
    visit = _visit_of(request)
    if visit is None or visit.status != Status.PENDING or visit.request_id != request.pk:
        return
    visit.status = Status.APPROVED
    visit.save(update_fields=["status"])
    _tell_host(visit, "接待方案已批准", "Visit plan approved", Notification.Kind.APPROVED)


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    """A rejected or withdrawn plan goes back to being planned, to be changed and sent again."""
    visit = _visit_of(request)
    if visit is None or visit.status != Status.PENDING or visit.request_id != request.pk:
        return
    visit.status = Status.DRAFT
    visit.save(update_fields=["status"])
    if rejected:
        _tell_host(visit, "接待方案未获批准", "Visit plan rejected", Notification.Kind.REJECTED)


PLAN_HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("visit",),
    refusals=(VisitError,),
    form_data=plan_form_data,
    default_service={
        "name_zh": "接待方案审批",
        "name_en": "Visit plan approval",
        "time_limit_days": 2,
        "fields": PLAN_FIELDS,
        "steps": [
            ("办公室负责人审核", "The office's head reviews", ServiceStep.Rule.APPLICANT_HEAD),
            (
                "超标准接待审批",
                "A higher approver (over the standard)",
                ServiceStep.Rule.APPLICANT_HEAD,
            ),
        ],
    },
)


def register_all() -> None:
    from hall.models import DECIDED_CONDITIONS

    handoffs.register(PLAN_SERVICE, PLAN_HANDOFF)
    DECIDED_CONDITIONS[(OVER_FIELD, "yes")] = gettext_lazy(
        "the visit's plan is over the reception standard"
    )


# --- service tasks for the units ----------------------------------------------------------------


def tasks_of(visit: Visit) -> list[ActivityTask]:
    return list(visit.tasks.select_related("department", "done_by").order_by("due_at", "pk"))


@transaction.atomic
def task_add(
    *,
    user: User,
    visit_id: int,
    kind: str,
    title: str,
    department: Department | None,
    due_at: datetime | None,
) -> ActivityTask:
    """A service task of the visit for a unit, whose staff are told (the activities' tasks:
    the same model, list and done mark)."""
    if not may_edit(user):
        raise VisitError(_("Only the office arranges visits."))
    visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None:
        raise VisitError(_("No such visit."))
    if visit.status == Status.CLOSED:
        raise VisitError(_("This visit is settled; it takes no more tasks."))
    if kind not in TASK_KINDS:
        raise VisitError(_("Choose the kind of service."))
    try:
        return activities.task_create(
            visit=visit, kind=kind, title=title, department=department, due_at=due_at
        )
    except activities.ActivityError as exc:
        raise VisitError(exc.message) from None


# --- after the visit ----------------------------------------------------------------------------


@transaction.atomic
def visit_close(
    *,
    user: User,
    visit_id: int,
    meals=0,
    rooms=0,
    cars=0,
    gifts=0,
    summary: str = "",
    now: datetime | None = None,
) -> Visit:
    """The actual costs and a short summary once the visit is over; files the visit (once,
    after commit)."""
    if not may_edit(user):
        raise VisitError(_("Only the office arranges visits."))
    visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None:
        raise VisitError(_("No such visit."))
    if visit.status != Status.APPROVED:
        raise VisitError(_("Only a visit whose plan is approved can be settled."))
    now = now or timezone.now()
    if timezone.localdate(now) < visit.ends_on:
        raise VisitError(_("The costs are entered once the visit is over."))
    summary = (summary or "").strip()
    if not summary:
        raise VisitError(_("Write a short summary of the visit."))
    actual = {
        "meals": amount_of(meals),
        "rooms": amount_of(rooms),
        "cars": amount_of(cars),
        "gifts": amount_of(gifts),
    }
    for key, amount in actual.items():
        setattr(visit, f"{key}_actual", amount)
    visit.summary = summary[:5000]
    visit.status = Status.CLOSED
    visit.closed_at = now
    visit.save()
    pk = visit.pk
    transaction.on_commit(lambda: _enqueue_filing(pk))
    return visit


def _enqueue_filing(pk: int) -> None:
    from reception import tasks

    tasks.file_visit.delay(pk)


def visit_file(*, visit_id: int):
    """Files a settled visit (its report PDF) in the archives; filing again gives the one
    record (keyed by the visit's source reference)."""
    from archives.services import FilingPackage, record_file
    from reception.visit_print import report_pdf

    visit = Visit.objects.select_related("host").get(pk=visit_id)
    if visit.status != Status.CLOSED:
        return None
    with transaction.atomic():
        record = record_file(
            package=FilingPackage(
                title=f"{visit.title}接待工作总结",
                date=visit.ends_on,
                files=[(f"visit-{visit.pk}.pdf", report_pdf(visit))],
                source_ref=source_of(visit),
                department_id=visit.host.department_id,
                responsible=visit.organisation,
                metadata={
                    "visit": visit.pk,
                    "level": visit.level,
                    "people": visit.people,
                    "planned": {k: str(getattr(visit, f"{k}_planned")) for k in KEYS},
                    "actual": {k: str(getattr(visit, f"{k}_actual")) for k in KEYS},
                },
            )
        )
        Visit.objects.filter(pk=visit.pk).update(record_code=record.code)
    return record
