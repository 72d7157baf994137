"""A budget adjustment moves an amount between two categories of one project under the rules set
in admin: the decrease is frozen at submission, moved once on approval, given back on rejection
or withdrawal; a category that may not grow refuses it with a clear message; a large increase
adds the research office's step to the chain by its condition."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hall.models import ServiceField
from tests.chains import FINANCE, RESEARCH
from tests.research.test_balances import Rollback, check_invariants
from workflows import services as approvals
from workflows.models import ApprovalTask, ServiceRequest
from workflows.research.models import AdjustmentRule, BudgetLine, Freeze, Project

SERVICE = "research-budget-adjustment"
REVIEW_STEP = {
    **RESEARCH,
    "condition_field": "research_review",
    "condition_operator": "eq",
    "condition_value": "yes",
}


@pytest.fixture
def adjustment_service(make_chain):
    service = make_chain([REVIEW_STEP, FINANCE], code=SERVICE)
    ServiceField.objects.create(
        service=service, order=3, key="project_number", label_zh="项目编号", field_type="text"
    )
    for order, key in ((4, "budget_category"), (5, "to_category")):
        ServiceField.objects.create(
            service=service,
            order=order,
            key=key,
            label_zh=key,
            field_type="choice",
            options=["equipment", "materials", "management"],
        )
    return service


@pytest.fixture
def rules(db):
    AdjustmentRule.objects.create(category="management", may_increase=False)
    AdjustmentRule.objects.create(category="equipment", review_above_percent=Decimal("10"))


@pytest.fixture
def project(people):
    project = Project.objects.create(
        number="NSFC-ADJ",
        title="预算调整测试项目",
        kind="vertical",
        pi=people["alice"],
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    project.members.add(people["charlie"])
    for category, budget in (("equipment", "10000"), ("materials", "5000"), ("management", "800")):
        BudgetLine.objects.create(project=project, category=category, budget=Decimal(budget))
    return project


def adjust(service, user, amount, source="materials", target="equipment"):
    return approvals.request_submit(
        service=service,
        applicant=user,
        form_data={
            "name": user.full_name,
            "amount": str(amount),
            "project_number": "NSFC-ADJ",
            "budget_category": source,
            "to_category": target,
        },
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )


def pending_task(req):
    task = ApprovalTask.objects.select_related("request").get(request=req, status="pending")
    if task.assignee_id is None:
        approvals.task_claim(task_id=task.pk, user=task.candidates.order_by("pk").first())
        task.refresh_from_db()
    return task


def decide(req, action):
    task = pending_task(req)
    return approvals.task_decide(
        task_id=task.pk, user=task.assignee, action=action, comment="理由不充分"
    )


def budgets():
    return {
        line.category: (line.budget, line.spent, line.frozen)
        for line in BudgetLine.objects.filter(project__number="NSFC-ADJ")
    }


START = {
    "equipment": (Decimal(10000), Decimal(0), Decimal(0)),
    "materials": (Decimal(5000), Decimal(0), Decimal(0)),
    "management": (Decimal(800), Decimal(0), Decimal(0)),
}


def test_a_small_increase_freezes_the_decrease_and_skips_the_research_office(
    adjustment_service, rules, project, people
):
    # when alice moves 1,000 (10 % of equipment: not above the rule's 10 %)
    req = adjust(adjustment_service, people["alice"], "1000")
    # then it is frozen on materials and the first task is the finance office's
    assert budgets()["materials"] == (Decimal(5000), Decimal(0), Decimal(1000))
    assert req.form_data["research_review"] == "no"
    assert pending_task(req).assignee == people["fay"]


def test_a_large_increase_of_equipment_adds_the_research_office_step(
    adjustment_service, rules, project, people
):
    # when alice moves 1,500 (15 % of equipment)
    req = adjust(adjustment_service, people["alice"], "1500")
    # then the research office decides first, then finance; the amount moves once
    assert req.form_data["research_review"] == "yes"
    assert pending_task(req).assignee in {people["rita"], people["ravi"], people["rose"]}
    decide(req, "approve")
    assert budgets()["materials"][2] == Decimal(1500)  # still frozen after the first step
    req = decide(req, "approve")
    assert req.status == "approved"
    assert budgets() == {
        **START,
        "equipment": (Decimal(11500), Decimal(0), Decimal(0)),
        "materials": (Decimal(3500), Decimal(0), Decimal(0)),
    }
    # and reporting the approval again changes nothing
    from workflows.research import handoffs

    handoffs.adjustment_approved(ServiceRequest.objects.get(pk=req.pk))
    assert budgets()["equipment"][0] == Decimal(11500)


@pytest.mark.parametrize("how", ["reject", "withdraw"])
def test_a_rejected_or_withdrawn_adjustment_gives_the_amount_back(
    adjustment_service, rules, project, people, how
):
    req = adjust(adjustment_service, people["alice"], "300")
    if how == "reject":
        decide(req, "reject")
    else:
        approvals.request_withdraw(request_id=req.pk, user=people["alice"])
    assert budgets() == START
    assert Freeze.objects.get(request=req).state == "released"


@pytest.mark.parametrize(
    ("who", "amount", "source", "target", "message"),
    [
        ("alice", "100", "materials", "management", "do not allow an increase of Management fee"),
        ("alice", "6000", "materials", "equipment", "exceeds the balance of Materials"),
        ("alice", "100", "materials", "materials", "two different categories"),
        ("alice", "0", "materials", "equipment", "more than zero"),
        ("charlie", "100", "materials", "equipment", "Only the principal investigator"),
    ],
    ids=["management-fee", "over-balance", "same-category", "zero", "a-member"],
)
def test_a_refused_adjustment_says_why_and_changes_nothing(
    adjustment_service, rules, project, people, who, amount, source, target, message
):
    # when
    with pytest.raises(approvals.RequestError) as refused:
        adjust(adjustment_service, people[who], amount, source, target)
    # then
    assert message in refused.value.message
    assert budgets() == START
    assert (
        not ServiceRequest.objects.filter(service=adjustment_service)
        .exclude(status="draft")
        .exists()
    )
    assert not Freeze.objects.exists()


def test_without_rules_any_increase_goes_straight_to_finance(adjustment_service, project, people):
    req = adjust(adjustment_service, people["alice"], "100", "materials", "management")
    assert req.form_data["research_review"] == "no"
    assert pending_task(req).assignee == people["fay"]


# --- any sequence of adjustments keeps the books balanced ----------------------------------

CATEGORIES = ["equipment", "materials", "management"]
move = st.tuples(
    st.sampled_from(["adjust", "approve", "reject", "withdraw"]),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=1, max_value=6000),
    st.sampled_from(CATEGORIES),
    st.sampled_from(CATEGORIES),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(move, min_size=1, max_size=10))
def test_any_sequence_of_adjustments_keeps_the_books_balanced(
    adjustment_service, rules, project, people, moves
):
    total = sum(budget for budget, _spent, _frozen in START.values())
    try:
        with transaction.atomic():
            made = []
            for op, index, amount, source, target in moves:
                try:
                    if op == "adjust":
                        made.append(
                            adjust(adjustment_service, people["alice"], amount, source, target)
                        )
                    elif made:
                        req = ServiceRequest.objects.get(pk=made[index % len(made)].pk)
                        if op in ("approve", "reject") and req.status == "in_progress":
                            decide(req, op)
                        elif op == "withdraw" and req.is_open:
                            approvals.request_withdraw(request_id=req.pk, user=people["alice"])
                except approvals.RequestError:
                    pass  # a refusal changes nothing: the invariants below say so
                check_invariants()
                assert sum(b for b, _s, _f in budgets().values()) == total
                assert budgets()["management"][0] <= START["management"][0]
            raise Rollback
    except Rollback:
        pass


def test_the_guide_reads_the_research_office_condition_in_words(adjustment_service, client):
    # when
    html = client.get(f"/services/{SERVICE}/").content.decode()
    # then: not the key the hall writes at submission
    assert "the adjustment rules call for the research office&#x27;s review" in html
    assert "research_review" not in html
