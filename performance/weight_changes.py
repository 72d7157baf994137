"""After approval, a change of a plan's weights has its own approval (catalogue chain
``performance-plan-weights``, like a target change): the weights move only when it is approved,
the plan's version is bumped, and the change keeps the old and the new weights."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hall.models import Department, Service, ServiceField, ServiceStep, User
from performance import plans
from performance.models import Plan, PlanLine, WeightChange
from performance.plans import PlanError
from performance.services import OFFICE_ROLE
from workflows import handoffs
from workflows.models import ServiceRequest

SERVICE = "performance-plan-weights"
FIELDS = [
    ("change", "调整编号", "Change", ServiceField.Type.TEXT),
    ("title", "计划", "Plan", ServiceField.Type.TEXT),
    ("weights", "权重调整", "Weights", ServiceField.Type.LONG_TEXT),
    ("reason", "调整理由", "Reason", ServiceField.Type.LONG_TEXT),
    ("approver", "审核人", "Approver", ServiceField.Type.TEXT),
]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _describe(change: WeightChange) -> str:
    names = dict(
        PlanLine.objects.filter(plan_id=change.plan_id).values_list("pk", "indicator__name")
    )
    return "；".join(
        f"{names.get(int(pk), pk)}：{change.old_weights[pk]} → {weight}"
        for pk, weight in change.new_weights.items()
        if change.old_weights.get(pk) != weight
    )


def change_form(user: User, post: dict) -> dict:
    change = (
        WeightChange.objects.select_related("plan__unit")
        .filter(pk=_int(post.get("change")), status=WeightChange.Status.PENDING)
        .first()
    )
    if change is None or not plans.may_edit(user, change.plan):
        raise handoffs.HandoffError(_("No such change."))
    return {
        "change": str(change.pk),
        "title": str(change.plan),
        "weights": _describe(change),
        "reason": change.reason[:2000],
        "approver": str(plans._approver()),
    }


def _service() -> Service:
    service = Service.objects.filter(code=SERVICE).first()
    if service is None:
        office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
        service = handoffs.internal_service(SERVICE, department=office)
        ServiceStep.objects.filter(service=service).update(
            rule=ServiceStep.Rule.FORM_FIELD, field_key="approver"
        )
    return service


@transaction.atomic
def weight_change_request(
    *, plan_id: int, user: User, weights: dict[int, int], reason: str
) -> WeightChange:
    """Asks for new weights on an approved plan; they must total 100 and cover every line.
    The weights stay as they are until the change is approved."""
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=plan_id)
    if not plans.may_edit(user, plan):
        raise PlanError(_("You cannot change this plan."))
    if plan.status != Plan.Status.APPROVED:
        raise PlanError(_("A draft plan is changed directly."))
    if not (reason or "").strip():
        raise PlanError(_("Say why the weights change."))
    old = {str(pk): w for pk, w in plan.lines.values_list("pk", "weight")}
    new = {str(pk): int(w) for pk, w in weights.items()}
    if any(w < 0 for w in new.values()):
        raise PlanError(_("A weight is not negative."))
    if set(new) != set(old):
        raise PlanError(_("Give a weight for every indicator of the plan."))
    plans._check_total(new.values())
    if new == old:
        raise PlanError(_("The weights are the same as now."))
    if plan.weight_changes.filter(status=WeightChange.Status.PENDING).exists():
        raise PlanError(_("A change of this plan's weights is already waiting for approval."))
    change = WeightChange.objects.create(
        plan=plan, old_weights=old, new_weights=new, reason=reason.strip()
    )
    handoffs.start_chain(
        service=_service,
        applicant=user,
        form_data=lambda: change_form(user, {"change": str(change.pk)}),
        refusal=PlanError,
    )
    change.refresh_from_db()
    return change


def _change_of(request: ServiceRequest) -> WeightChange | None:
    return (
        WeightChange.objects.select_for_update(of=("self",))
        .filter(pk=_int(request.form_data.get("change")), status=WeightChange.Status.PENDING)
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
    plan = Plan.objects.select_for_update().get(pk=change.plan_id)
    lines = list(PlanLine.objects.select_for_update().filter(plan=plan))
    for line in lines:
        line.weight = change.new_weights.get(str(line.pk), line.weight)
    PlanLine.objects.bulk_update(lines, ["weight"])
    plan.version += 1
    plan.save(update_fields=["version"])
    change.status, change.version = WeightChange.Status.APPROVED, plan.version
    change.save(update_fields=["status", "version"])
    plans.changed(plan.pk)


def change_ended(request: ServiceRequest, rejected: bool) -> None:
    change = _change_of(request)
    if change is not None:
        change.status = WeightChange.Status.REFUSED
        change.save(update_fields=["status"])


HANDOFF = handoffs.Handoff(
    submitted=change_submitted,
    approved=change_approved,
    ended=change_ended,
    required_fields=("change", "approver"),
    refusals=(PlanError,),
    form_data=change_form,
    default_service={
        "name_zh": "绩效计划权重调整审批",
        "name_en": "Change of a plan's weights",
        "time_limit_days": 5,
        "fields": FIELDS,
        "steps": [
            ("绩效办审核", "The performance office approves", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_all() -> None:
    handoffs.register(SERVICE, HANDOFF)


# --- every version of a plan, with what changed ----------------------------------------------


def versions_of(plan: Plan) -> list[dict]:
    """The plan's versions: the one approved first, then every change of weights or target
    (approved ones by the version they made, then those waiting or refused), each with what
    changed, old → new. Three queries whatever the number of changes."""
    from performance.models import TargetChange

    names = dict(plan.lines.values_list("pk", "indicator__name"))
    rows = []
    for change in WeightChange.objects.filter(plan=plan).order_by("pk"):
        rows.append(
            {
                "version": change.version,
                "what": _("Weights"),
                "changes": [
                    (names.get(_int(pk), pk), change.old_weights.get(pk), weight)
                    for pk, weight in change.new_weights.items()
                    if change.old_weights.get(pk) != weight
                ],
                "reason": change.reason,
                "status": change.get_status_display(),
                "pending": change.status == WeightChange.Status.PENDING,
                "order": (change.version or 32767, 0, change.pk),
            }
        )
    for change in TargetChange.objects.filter(line__plan=plan).order_by("pk"):
        rows.append(
            {
                "version": change.version,
                "what": _("Target"),
                "changes": [(names.get(change.line_id, ""), change.old_target, change.new_target)],
                "reason": change.reason,
                "status": change.get_status_display(),
                "pending": change.status == TargetChange.Status.PENDING,
                "order": (change.version or 32767, 1, change.pk),
            }
        )
    rows.sort(key=lambda row: row["order"])
    return rows
