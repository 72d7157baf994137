# ruff: noqa: F811 — the plans tests' ``setup`` fixture, imported by name
"""After approval a plan's weights change only through their own approval: the weights move
when it is approved, the plan's version is bumped, old and new weights are kept; refusals save
nothing."""

import pytest

from performance import plans
from performance.models import Plan, WeightChange
from performance.weight_changes import weight_change_request
from tests.performance.test_plans import _approved, setup  # noqa: F401 — the fixture
from workflows import services as engine
from workflows.models import ApprovalTask


def _weights(plan):
    return {line.indicator.name: line.weight for line in plan.lines.select_related("indicator")}


def _ids(plan, **by_name):
    return {
        line.pk: by_name[line.indicator.name] for line in plan.lines.select_related("indicator")
    }


def test_a_weight_change_waits_for_its_approval_bumps_the_version_and_keeps_the_old(setup):
    # given an approved plan: papers 70, energy 30
    plan = _approved(setup)
    # when the head asks for 60/40
    change = weight_change_request(
        plan_id=plan.pk, user=setup["hank"], weights=_ids(plan, 高水平论文=60, 生均能耗=40),
        reason="节能任务加重",
    )  # fmt: skip
    # then nothing moves until it is approved
    assert _weights(plan) == {"高水平论文": 70, "生均能耗": 30}
    assert change.status == WeightChange.Status.PENDING and change.request is not None
    with pytest.raises(plans.PlanError, match="already waiting"):
        weight_change_request(
            plan_id=plan.pk, user=setup["hank"], weights=_ids(plan, 高水平论文=50, 生均能耗=50),
            reason="再调",
        )  # fmt: skip
    task = ApprovalTask.objects.get(request=change.request, status="pending")
    assert task.assignee_id == setup["sam"].pk
    engine.task_decide(task_id=task.pk, user=setup["sam"], action="approve", comment="同意")
    plan.refresh_from_db()
    change.refresh_from_db()
    assert _weights(plan) == {"高水平论文": 60, "生均能耗": 40}
    assert (plan.version, change.version, change.status) == (2, 2, WeightChange.Status.APPROVED)
    line = plan.lines.get(indicator__name="高水平论文")
    assert (change.old_weights[str(line.pk)], change.new_weights[str(line.pk)]) == (70, 60)


def test_a_refused_weight_change_leaves_the_weights(setup):
    plan = _approved(setup)
    change = weight_change_request(
        plan_id=plan.pk, user=setup["hank"], weights=_ids(plan, 高水平论文=60, 生均能耗=40),
        reason="调整",
    )  # fmt: skip
    task = ApprovalTask.objects.get(request=change.request, status="pending")
    engine.task_decide(task_id=task.pk, user=setup["sam"], action="reject", comment="不同意")
    plan.refresh_from_db()
    change.refresh_from_db()
    assert _weights(plan) == {"高水平论文": 70, "生均能耗": 30} and plan.version == 1
    assert change.status == WeightChange.Status.REFUSED


@pytest.mark.parametrize(
    ("who", "weights", "reason", "message"),
    [
        ("hank", {"高水平论文": 80, "生均能耗": 30}, "x", "The weights total 110"),
        ("hank", {"高水平论文": 70, "生均能耗": 30}, "x", "the same as now"),
        ("hank", {"高水平论文": 60, "生均能耗": 40}, " ", "Say why the weights change"),
        ("hank", {"高水平论文": 100}, "x", "every indicator"),
        ("charlie", {"高水平论文": 60, "生均能耗": 40}, "x", "You cannot change this plan"),
    ],
    ids=["not-100", "unchanged", "no-reason", "missing-line", "outsider"],
)
def test_refusals_save_nothing(setup, who, weights, reason, message):
    plan = _approved(setup)
    ids = {
        line.pk: weights[line.indicator.name]
        for line in plan.lines.select_related("indicator")
        if line.indicator.name in weights
    }
    with pytest.raises(plans.PlanError, match=message):
        weight_change_request(plan_id=plan.pk, user=setup[who], weights=ids, reason=reason)
    assert not WeightChange.objects.exists()
    assert _weights(plan) == {"高水平论文": 70, "生均能耗": 30}


def test_a_draft_plan_is_changed_directly(setup):
    plans.plans_from_template(user=setup["sam"], template_id=setup["template"].pk, year=2026)
    plan = Plan.objects.get(unit=setup["school"])
    with pytest.raises(plans.PlanError, match="changed directly"):
        weight_change_request(
            plan_id=plan.pk, user=setup["hank"], weights=_ids(plan, 高水平论文=60, 生均能耗=40),
            reason="x",
        )  # fmt: skip
    assert not WeightChange.objects.exists()
