"""A fees transference moves an amount from one project to another of the same PI: frozen on
the source at submission, moved from the source's budget to the target's once on approval,
given back on rejection, and refused with a clear message when it may not happen."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from hall.models import ServiceField
from tests.chains import FINANCE
from workflows import services as approvals
from workflows.models import ApprovalTask
from workflows.research import handoffs
from workflows.research.models import BudgetLine, Project

SERVICE = "research-fee-transfer"


@pytest.fixture
def transfer_service(make_chain):
    service = make_chain([FINANCE], code=SERVICE)
    for order, key in ((3, "project_number"), (4, "to_project")):
        ServiceField.objects.create(
            service=service, order=order, key=key, label_zh=key, field_type="text"
        )
    ServiceField.objects.create(
        service=service,
        order=5,
        key="budget_category",
        label_zh="预算科目",
        field_type="choice",
        options=["travel", "equipment"],
    )
    return service


def make_project(number, pi, travel="1000"):
    project = Project.objects.create(
        number=number,
        title=f"项目 {number}",
        kind="vertical",
        pi=pi,
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    BudgetLine.objects.create(project=project, category="travel", budget=Decimal(travel))
    return project


@pytest.fixture
def two_projects(people):
    return make_project("NSFC-A", people["alice"]), make_project("NSFC-B", people["alice"], "200")


def file_transfer(service, user, amount, source="NSFC-A", target="NSFC-B"):
    return approvals.request_submit(
        service=service,
        applicant=user,
        form_data={
            "name": user.full_name,
            "amount": str(amount),
            "project_number": source,
            "to_project": target,
            "budget_category": "travel",
        },
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )


def decide(req, action):
    task = ApprovalTask.objects.get(request=req, status="pending")
    return approvals.task_decide(
        task_id=task.pk, user=task.assignee, action=action, comment="预算不足"
    )


def travel(number):
    line = BudgetLine.objects.get(project__number=number, category="travel")
    return line.budget, line.spent, line.frozen


def test_a_transference_freezes_then_moves_the_budget_once(transfer_service, two_projects, people):
    # given
    req = file_transfer(transfer_service, people["alice"], "300")
    assert travel("NSFC-A") == (Decimal(1000), 0, Decimal(300))
    # when
    req = decide(req, "approve")
    # then: 300 left the source's budget and reached the target's
    assert req.status == "approved"
    assert travel("NSFC-A") == (Decimal(700), 0, 0)
    assert travel("NSFC-B") == (Decimal(500), 0, 0)
    # and the approval reported again moves nothing twice
    handoffs.transference_approved(req)
    assert travel("NSFC-A") == (Decimal(700), 0, 0) and travel("NSFC-B") == (Decimal(500), 0, 0)


def test_a_rejected_transference_gives_the_amount_back(transfer_service, two_projects, people):
    req = file_transfer(transfer_service, people["alice"], "300")
    decide(req, "reject")
    assert travel("NSFC-A") == (Decimal(1000), 0, 0) and travel("NSFC-B") == (Decimal(200), 0, 0)


def test_a_transference_to_another_pis_project_is_refused(transfer_service, two_projects, people):
    # given: a project led by someone else
    make_project("NSFC-C", people["hank"])
    # when
    with pytest.raises(approvals.RequestError) as refused:
        file_transfer(transfer_service, people["alice"], "100", target="NSFC-C")
    # then
    assert refused.value.message == (
        "A transference moves money only between projects you lead: you are not the "
        "principal investigator of NSFC-C."
    )
    assert travel("NSFC-A") == (Decimal(1000), 0, 0)


def test_a_transference_over_the_balance_is_refused_in_chinese(
    transfer_service, two_projects, people
):
    with translation.override("zh-hans"), pytest.raises(approvals.RequestError) as refused:
        file_transfer(transfer_service, people["alice"], "1000.01")
    assert "NSFC-A" in refused.value.message and "余额" in refused.value.message
    assert travel("NSFC-A") == (Decimal(1000), 0, 0)


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("NSFC-A", "NSFC-A", "between two different projects"),
        ("NSFC-A", "NSFC-9", "No research project has the number NSFC-9."),
    ],
)
def test_a_transference_needs_two_real_projects(
    transfer_service, two_projects, people, source, target, message
):
    with pytest.raises(approvals.RequestError) as refused:
        file_transfer(transfer_service, people["alice"], "10", source=source, target=target)
    assert message in refused.value.message


def test_a_transfer_service_without_a_target_project_is_left_alone(make_chain, people):
    # given: the catalogue's transfer to a partner (no target project in its form)
    service = make_chain([FINANCE], code=SERVICE)
    # when
    req = file_transfer(service, people["alice"], "10", source="", target="")
    # then
    assert req.status == "in_progress"


def test_the_refusal_reads_in_chinese(transfer_service, two_projects, people):
    make_project("NSFC-C", people["hank"])
    with translation.override("zh-hans"), pytest.raises(approvals.RequestError) as refused:
        file_transfer(transfer_service, people["alice"], "100", target="NSFC-C")
    assert (
        refused.value.message == "经费划转只能在您负责的项目之间进行：您不是项目 NSFC-C 的负责人。"
    )
