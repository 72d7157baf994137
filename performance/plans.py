"""Unit plans (年度绩效与工作计划): built from the indicator library by templates, weights that
total 100, approved through a catalogue chain, then quarterly check-ins whose progress is computed
from baseline to target (never typed in) and lit against the time elapsed."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hall.models import Department, Identity, Role, Service, ServiceField, ServiceStep, User
from performance.models import (
    CheckIn,
    CheckInPeriod,
    Direction,
    Indicator,
    Plan,
    PlanLine,
    PlanTemplate,
)
from performance.services import OFFICE_ROLE, SupervisionError, is_office
from workflows import handoffs
from workflows import services as requests
from workflows.models import ServiceRequest

PLAN_SERVICE = "performance-plan"
HUNDRED = Decimal(100)
# The dashboards' cached figures follow this version, bumped by every plan and check-in write.
VERSION_KEY = "performance:plans:version"


def changed(plan_id: int | None = None, *, plan_ids: list[int] | None = None) -> None:
    """A plan write: every dashboard's cached page is stale, and the written plans' stored
    figures (``Plan.figures``; without a plan, every plan's). They are cleared in the writer's
    transaction and counted again once it commits (``dashboards.refresh_figures``, the plans
    locked, so writers at once count in turn and the last sees both); a reader who finds one
    cleared counts it itself."""
    from performance import board_cache, dashboards

    board_cache.bump(VERSION_KEY)
    ids = [plan_id] if plan_id else plan_ids
    written = Plan.objects.all() if ids is None else Plan.objects.filter(pk__in=ids)
    written.filter(figures__isnull=False).update(figures=None)
    transaction.on_commit(lambda: dashboards.refresh_figures(ids))


class PlanError(SupervisionError):
    pass


# --- progress and light: pure functions --------------------------------------------------------


def progress_of(*, baseline: Decimal, target: Decimal, value: Decimal) -> Decimal:
    """The share of the way from baseline to target, in %: 0 at the baseline, 100 at the
    target whichever the direction (the sign of target - baseline), capped to 0..100."""
    span = Decimal(target) - Decimal(baseline)
    if span == 0:
        return HUNDRED if Decimal(value) == Decimal(target) else Decimal(0)
    share = (Decimal(value) - Decimal(baseline)) / span * HUNDRED
    return min(HUNDRED, max(Decimal(0), share)).quantize(Decimal("0.01"))


# --- check-in periods: four quarters or twelve months ----------------------------------------


def periods_of(period: str) -> tuple[int, ...]:
    """The numbers of a year's check-ins: quarters 1–4, or months 1–12 for a monthly plan."""
    return tuple(range(1, 13)) if period == CheckInPeriod.MONTHLY else (1, 2, 3, 4)


def months_of(period: str) -> int:
    """How many months one check-in covers."""
    return 1 if period == CheckInPeriod.MONTHLY else 3


def period_label(n: int, period: str) -> str:
    """Q1…Q4, or M1…M12 (一月… in Chinese) for a monthly plan."""
    if period == CheckInPeriod.MONTHLY:
        return _("M%(m)d") % {"m": n}
    return _("Q%(q)d") % {"q": n}


def _quarter_marks(indicator: Indicator) -> list[Decimal]:
    try:
        marks = [Decimal(part) for part in indicator.milestones.split(",") if part.strip()]
    except ArithmeticError:
        marks = []
    return (marks + [Decimal(25), Decimal(50), Decimal(75)][len(marks) :])[:3] + [HUNDRED]


def expected_at(indicator: Indicator, n: int, period: str = CheckInPeriod.QUARTERLY) -> Decimal:
    """The share expected by the end of the period: the indicator's quarterly milestones
    (Q4 = 100); a month between two quarter ends is expected the straight line between them."""
    marks = _quarter_marks(indicator)
    if period != CheckInPeriod.MONTHLY:
        return marks[n - 1]
    points = [Decimal(0), *marks]  # at months 0, 3, 6, 9, 12
    q, rest = divmod(n, 3)
    if rest == 0:
        return points[q]
    share = points[q] + (points[q + 1] - points[q]) * rest / 3
    return share.quantize(Decimal("0.01"))


class Light:
    GREEN = "green"  # on track
    YELLOW = "yellow"  # behind
    RED = "red"  # off track


def light_of(progress: Decimal, expected: Decimal) -> str:
    """On track within HALL_PLAN_BEHIND points of what the time elapsed expects; behind within
    HALL_PLAN_OFF_TRACK points; off track beyond."""
    gap = Decimal(expected) - Decimal(progress)
    if gap <= getattr(settings, "HALL_PLAN_BEHIND", 10):
        return Light.GREEN
    if gap <= getattr(settings, "HALL_PLAN_OFF_TRACK", 25):
        return Light.YELLOW
    return Light.RED


# --- who may see and edit ----------------------------------------------------------------------


def _units_of(user: User):
    units = Department.objects.filter(heads=user).values("pk")
    if user.identity == Identity.STAFF and user.department_id:
        return Q(unit_id__in=units) | Q(unit_id=user.department_id)
    return Q(unit_id__in=units)


def visible_plans(user: User) -> QuerySet[Plan]:
    """The office (a role) sees every plan; a unit's staff and heads its own; others nothing."""
    plans = Plan.objects.select_related("unit", "template")
    if not user.is_authenticated:
        return plans.none()
    if is_office(user):
        return plans
    return plans.filter(_units_of(user))


def plan_for(user: User, pk: int) -> Plan | None:
    return visible_plans(user).filter(pk=pk).first()


def may_edit(user: User, plan: Plan) -> bool:
    """The unit's heads (and the office) write the plan and its check-ins."""
    if is_office(user):
        return True
    return plan.unit.heads.filter(pk=user.pk).exists() or (
        user.identity == Identity.STAFF and user.department_id == plan.unit_id
    )


def lines_of(plan: Plan) -> list[PlanLine]:
    return list(plan.lines.select_related("indicator", "key_task"))


# --- writes ------------------------------------------------------------------------------------


def _check_total(weights) -> None:
    total = sum(weights)
    if total != 100:
        raise PlanError(
            _("The weights total %(total)d; core and routine indicators must total 100.")
            % {"total": total}
        )


@transaction.atomic
def plans_from_template(*, user: User, template_id: int, year: int) -> int:
    """Every unit of the template's kind gets a draft plan with the template's indicators; a
    unit that already has a plan for the year keeps it. Returns how many plans were made."""
    if not is_office(user):
        raise PlanError(_("Only the office applies plan templates."))
    template = PlanTemplate.objects.get(pk=template_id)
    rows = list(template.lines.select_related("indicator"))
    if not rows:
        raise PlanError(_("The template has no indicators."))
    _check_total(row.weight for row in rows)
    units = Department.objects.filter(kind=template.unit_kind).exclude(plans__year=year)
    plans = Plan.objects.bulk_create(
        [Plan(unit=unit, year=year, template=template, period=template.period) for unit in units]
    )
    if plans and plans[0].pk is None:  # backends that do not return ids
        plans = list(Plan.objects.filter(year=year, template=template, lines__isnull=True))
    PlanLine.objects.bulk_create(
        [
            PlanLine(
                plan=plan,
                indicator=row.indicator,
                key_task=row.key_task,
                kind=row.kind,
                weight=row.weight,
                baseline=row.indicator.baseline,
                target=row.indicator.target,
            )
            for plan in plans
            for row in rows
        ]
    )
    changed(plan_ids=[plan.pk for plan in plans])
    return len(plans)


def _locked(plan_id: int) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan_id)


@transaction.atomic
def plan_weights_set(*, plan_id: int, user: User, weights: dict[int, int]) -> Plan:
    """New weights for a draft plan's lines; refused (and nothing saved) unless they total 100."""
    plan = _locked(plan_id)
    if not may_edit(user, plan):
        raise PlanError(_("You cannot change this plan."))
    if plan.status != Plan.Status.DRAFT:
        raise PlanError(_("An approved or submitted plan changes only through its approval."))
    lines = list(plan.lines.all())
    for line in lines:
        line.weight = int(weights.get(line.pk, line.weight))
        if line.weight < 0:
            raise PlanError(_("A weight is not negative."))
    _check_total(line.weight for line in lines)
    PlanLine.objects.bulk_update(lines, ["weight"])
    changed(plan.pk)
    return plan


@transaction.atomic
def plan_period_set(*, plan_id: int, user: User, period: str) -> Plan:
    """A draft plan's check-in period (quarterly or monthly); fixed once it is sent."""
    plan = _locked(plan_id)
    if not may_edit(user, plan):
        raise PlanError(_("You cannot change this plan."))
    if plan.status != Plan.Status.DRAFT:
        raise PlanError(_("An approved or submitted plan changes only through its approval."))
    if period not in CheckInPeriod.values:
        raise PlanError(_("Choose quarterly or monthly check-ins."))
    plan.period = period
    plan.save(update_fields=["period"])
    changed(plan.pk)
    return plan


PLAN_FIELDS = [
    ("plan", "计划编号", "Plan", ServiceField.Type.TEXT),
    ("title", "计划", "Plan", ServiceField.Type.TEXT),
    ("approver", "审核人", "Approver", ServiceField.Type.TEXT),
]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def plan_form(user: User, post: dict) -> dict:
    """The request's form for a plan's approval (the handoff's ``form_data``)."""
    plan = Plan.objects.select_related("unit").filter(pk=_int(post.get("plan"))).first()
    if plan is None or not may_edit(user, plan):
        raise handoffs.HandoffError(_("No such plan."))
    if plan.status != Plan.Status.DRAFT:
        raise handoffs.HandoffError(_("This plan is not a draft."))
    weights = list(plan.lines.values_list("weight", flat=True))
    if not weights:
        raise handoffs.HandoffError(_("The plan has no indicators."))
    try:
        _check_total(weights)
    except PlanError as exc:
        raise handoffs.HandoffError(exc.message) from exc
    office = Role.objects.filter(code=OFFICE_ROLE).values_list("holders", flat=True)
    approver = next((pk for pk in office if pk is not None), None)
    if approver is None:
        raise handoffs.HandoffError(_("Nobody holds the office role to approve plans."))
    return {"plan": str(plan.pk), "title": str(plan), "approver": str(approver)}


def plan_service() -> Service:
    """The internal service whose chain approves plans, made on first use: the office's
    supervisor (the form's ``approver``) decides; admins may add steps in admin."""
    service = Service.objects.filter(code=PLAN_SERVICE).first()
    if service is not None:
        return service
    office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
    office = office or Department.objects.order_by("pk").first()
    service = handoffs.internal_service(PLAN_SERVICE, department=office)
    ServiceStep.objects.filter(service=service).update(
        rule=ServiceStep.Rule.FORM_FIELD, field_key="approver"
    )
    return service


@transaction.atomic
def plan_submit(*, plan_id: int, user: User) -> Plan:
    plan = _locked(plan_id)
    handoffs.start_chain(
        service=plan_service,
        applicant=user,
        form_data=lambda: plan_form(user, {"plan": str(plan.pk)}),
        refusal=PlanError,
    )
    plan.refresh_from_db()
    return plan


def _plan_of(request: ServiceRequest) -> Plan | None:
    return (
        Plan.objects.select_for_update(of=("self",))
        .filter(pk=_int(request.form_data.get("plan")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    plan = _plan_of(request)
    if plan is None or plan.status != Plan.Status.DRAFT:
        raise PlanError(_("This plan is not a draft."))
    plan.status = Plan.Status.SUBMITTED
    plan.save(update_fields=["status"])
    changed(plan.pk)


def chain_approved(request: ServiceRequest) -> None:
    plan = _plan_of(request)
    if plan is None or plan.status != Plan.Status.SUBMITTED:
        return
    plan.status = Plan.Status.APPROVED
    plan.save(update_fields=["status"])
    changed(plan.pk)


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    plan = _plan_of(request)
    if plan is None or plan.status != Plan.Status.SUBMITTED:
        return
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status"])
    changed(plan.pk)


HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("plan", "approver"),
    refusals=(PlanError,),
    form_data=plan_form,
    default_service={
        "name_zh": "单位年度绩效计划审批",
        "name_en": "Approval of a unit's annual plan",
        "time_limit_days": 5,
        "fields": PLAN_FIELDS,
        "steps": [
            ("绩效办审核", "The performance office approves", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_all() -> None:
    handoffs.register(PLAN_SERVICE, HANDOFF)
    handoffs.register(CHANGE_SERVICE, CHANGE_HANDOFF)


@transaction.atomic
def checkin_record(
    *,
    line_id: int,
    user: User,
    quarter: int,
    value: Decimal,
    narrative: str = "",
    evidence=None,
) -> CheckIn:
    """A period's value (``quarter``: the quarter, or the month of a monthly plan) for an
    approved plan's indicator; progress and light are computed against the time elapsed."""
    line = (
        PlanLine.objects.select_for_update(of=("self",))
        .select_related("plan__unit", "indicator")
        .get(pk=line_id)
    )
    if not may_edit(user, line.plan):
        raise PlanError(_("You cannot report on this plan."))
    if line.plan.status != Plan.Status.APPROVED:
        raise PlanError(_("Check-ins start once the plan is approved."))
    monthly = line.plan.period == CheckInPeriod.MONTHLY
    if quarter not in periods_of(line.plan.period):
        raise PlanError(_("A month is 1 to 12.") if monthly else _("A quarter is 1 to 4."))
    if CheckIn.objects.filter(line=line, quarter=quarter).exists():
        raise PlanError(
            _("This month is already reported.")
            if monthly
            else _("This quarter is already reported.")
        )
    if line.indicator.evidence_required and not evidence:
        raise PlanError(_("This indicator needs an evidence file."))
    progress = progress_of(baseline=line.baseline, target=line.target, value=value)
    light = light_of(progress, expected_at(line.indicator, quarter, line.plan.period))
    checkin = CheckIn(
        line=line,
        quarter=quarter,
        value=value,
        narrative=(narrative or "")[:5000],
        progress=progress,
        light=light,
        author=user,
    )
    if evidence:
        checkin.evidence = evidence
    checkin.save()
    latest = line.checkins.order_by("-quarter").first()
    line.progress, line.light = latest.progress, latest.light
    line.save(update_fields=["progress", "light"])
    changed(line.plan_id)
    return checkin


def direction_of(baseline: Decimal, target: Decimal) -> str:
    return Direction.LOWER if Decimal(target) < Decimal(baseline) else Direction.HIGHER


# --- after approval: a change of target has its own approval, versions kept ------------------

CHANGE_SERVICE = "performance-plan-change"
CHANGE_FIELDS = [
    ("change", "调整编号", "Change", ServiceField.Type.TEXT),
    ("title", "指标", "Indicator", ServiceField.Type.TEXT),
    ("old_target", "原目标值", "Old target", ServiceField.Type.TEXT),
    ("new_target", "新目标值", "New target", ServiceField.Type.TEXT),
    ("reason", "调整理由", "Reason", ServiceField.Type.LONG_TEXT),
    ("approver", "审核人", "Approver", ServiceField.Type.TEXT),
]


def _approver() -> int:
    office = Role.objects.filter(code=OFFICE_ROLE).values_list("holders", flat=True)
    approver = next((pk for pk in office if pk is not None), None)
    if approver is None:
        raise handoffs.HandoffError(_("Nobody holds the office role to approve plans."))
    return approver


def change_form(user: User, post: dict) -> dict:
    from performance.models import TargetChange

    change = (
        TargetChange.objects.select_related("line__plan__unit", "line__indicator")
        .filter(pk=_int(post.get("change")), status=TargetChange.Status.PENDING)
        .first()
    )
    if change is None or not may_edit(user, change.line.plan):
        raise handoffs.HandoffError(_("No such change."))
    return {
        "change": str(change.pk),
        "title": change.line.indicator.name,
        "old_target": str(change.old_target),
        "new_target": str(change.new_target),
        "reason": change.reason[:2000],
        "approver": str(_approver()),
    }


@transaction.atomic
def target_change_request(*, line_id: int, user: User, new_target: Decimal, reason: str):
    """Asks for a new target on an approved plan; the target stays as it is until approved."""
    from performance.models import TargetChange

    line = (
        PlanLine.objects.select_for_update(of=("self",))
        .select_related("plan__unit")
        .get(pk=line_id)
    )
    if not may_edit(user, line.plan):
        raise PlanError(_("You cannot change this plan."))
    if line.plan.status != Plan.Status.APPROVED:
        raise PlanError(_("A draft plan is changed directly."))
    if not (reason or "").strip():
        raise PlanError(_("Say why the target changes."))
    if Decimal(new_target) == line.baseline:
        raise PlanError(_("The target differs from the baseline."))
    if line.changes.filter(status=TargetChange.Status.PENDING).exists():
        raise PlanError(_("A change of this indicator is already waiting for approval."))
    change = TargetChange.objects.create(
        line=line, old_target=line.target, new_target=new_target, reason=reason.strip()
    )
    service = Service.objects.filter(code=CHANGE_SERVICE).first()
    try:
        if service is None:
            office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
            service = handoffs.internal_service(CHANGE_SERVICE, department=office)
            ServiceStep.objects.filter(service=service).update(
                rule=ServiceStep.Rule.FORM_FIELD, field_key="approver"
            )
        requests.request_submit(
            service=service,
            applicant=user,
            form_data=change_form(user, {"change": str(change.pk)}),
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
    except (handoffs.HandoffError, requests.RequestError) as exc:
        raise PlanError(exc.message) from exc
    change.refresh_from_db()
    return change


def _change_of(request: ServiceRequest):
    from performance.models import TargetChange

    return (
        TargetChange.objects.select_for_update(of=("self",))
        .filter(pk=_int(request.form_data.get("change")), status=TargetChange.Status.PENDING)
        .first()
    )


def change_submitted(request: ServiceRequest) -> None:
    change = _change_of(request)
    if change is None:
        raise PlanError(_("No such change."))
    change.request = request
    change.save(update_fields=["request"])


def change_approved(request: ServiceRequest) -> None:
    change = _change_of(request)
    if change is None:
        return
    line = PlanLine.objects.select_for_update(of=("self",)).get(pk=change.line_id)
    plan = _locked(line.plan_id)
    plan.version += 1
    plan.save(update_fields=["version"])
    line.target = change.new_target
    line.save(update_fields=["target"])
    change.status, change.version = change.Status.APPROVED, plan.version
    change.save(update_fields=["status", "version"])
    changed(plan.pk)


def change_ended(request: ServiceRequest, rejected: bool) -> None:
    change = _change_of(request)
    if change is not None:
        change.status = change.Status.REFUSED
        change.save(update_fields=["status"])


CHANGE_HANDOFF = handoffs.Handoff(
    submitted=change_submitted,
    approved=change_approved,
    ended=change_ended,
    required_fields=("change", "approver"),
    refusals=(PlanError,),
    form_data=change_form,
    default_service={
        "name_zh": "绩效计划指标调整审批",
        "name_en": "Change of a plan's target",
        "time_limit_days": 5,
        "fields": CHANGE_FIELDS,
        "steps": [
            ("绩效办审核", "The performance office approves", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)
