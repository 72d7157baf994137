"""Claims freeze, spend and give back their amount exactly once, and never overdraw a line."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.db.models import Sum
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.chains import FINANCE
from tests.real_parts import require
from workflows import services as approvals
from workflows.models import ApprovalTask, ServiceRequest
from workflows.research.models import BudgetLine, Freeze, Movement

CLAIM = "vertical-project-receipt-claim"


def file_claim(service, user, amount, category="travel", number="NSFC-7"):
    return approvals.request_submit(
        service=service,
        applicant=user,
        form_data={
            "name": user.full_name,
            "amount": str(amount),
            "project_number": number,
            "budget_category": category,
        },
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )


def decide(req, action, comment=""):
    task = ApprovalTask.objects.get(request=req, status="pending")
    return approvals.task_decide(
        task_id=task.pk, user=task.assignee, action=action, comment=comment
    )


def travel():
    return BudgetLine.objects.get(project__number="NSFC-7", category="travel")


def figures():
    line = travel()
    return (line.budget, line.spent, line.frozen, line.balance)


def test_a_submitted_claim_freezes_its_amount(claim_service, project, people):
    file_claim(claim_service, people["alice"], "300")
    assert figures() == (Decimal(1000), Decimal(0), Decimal(300), Decimal(700))


def test_an_approved_claim_moves_frozen_to_spent_and_writes_the_ledger(
    claim_service, project, people
):
    req = file_claim(claim_service, people["alice"], "300")
    req = decide(req, "approve")
    assert req.status == "approved"
    assert figures() == (Decimal(1000), Decimal(300), Decimal(0), Decimal(700))
    entry = Movement.objects.get(external_id=f"hall:{req.pk}")
    assert entry.source == "hall" and entry.amount == Decimal(300)


@pytest.mark.parametrize("how", ["reject", "withdraw"])
def test_a_rejected_or_withdrawn_claim_gives_the_amount_back(claim_service, project, people, how):
    req = file_claim(claim_service, people["alice"], "300")
    if how == "reject":
        decide(req, "reject", "票据不全")
    else:
        approvals.request_withdraw(request_id=req.pk, user=people["alice"])
    assert figures() == (Decimal(1000), Decimal(0), Decimal(0), Decimal(1000))
    assert Freeze.objects.get(request=req).state == "released"


def test_a_claim_over_the_balance_is_refused_with_the_balance(claim_service, project, people):
    # given
    file_claim(claim_service, people["alice"], "800")
    before = ServiceRequest.objects.count()
    # when
    with pytest.raises(approvals.RequestError) as refused:
        file_claim(claim_service, people["alice"], "200.01")
    # then
    assert refused.value.message == (
        "200.01 exceeds the balance of Travel on the project NSFC-7 (200.00 left)."
    )
    assert ServiceRequest.objects.count() == before
    assert figures() == (Decimal(1000), Decimal(0), Decimal(800), Decimal(200))


def test_an_outsider_cannot_claim_on_the_project(claim_service, project, people):
    with pytest.raises(approvals.RequestError) as refused:
        file_claim(claim_service, people["hank"], "10")
    assert "not a member of the project NSFC-7" in refused.value.message
    assert travel().frozen == 0


def test_a_member_may_claim(claim_service, project, people):
    project.members.add(people["rita"])
    file_claim(claim_service, people["rita"], "10")
    assert travel().frozen == Decimal(10)


def test_a_returned_claim_resubmitted_with_a_new_amount_holds_only_the_new_one(
    claim_service, project, people
):
    req = file_claim(claim_service, people["alice"], "300")
    decide(req, "return", "请补充发票")
    approvals.request_resubmit(
        request_id=req.pk,
        user=people["alice"],
        form_data={**req.form_data, "amount": "450", "budget_category": "equipment"},
        files={},
    )
    assert travel().frozen == 0
    equipment = BudgetLine.objects.get(project=project, category="equipment")
    assert equipment.frozen == Decimal(450)


def test_the_moments_act_once_however_often_they_are_reported(claim_service, project, people):
    from workflows.research import services

    req = decide(file_claim(claim_service, people["alice"], "300"), "approve")
    services.freeze_spend(request=req)
    services.freeze_release(request=req)
    assert figures() == (Decimal(1000), Decimal(300), Decimal(0), Decimal(700))
    assert Movement.objects.filter(request_ref=f"workflows.request:{req.pk}").count() == 1


def test_a_service_whose_form_has_no_category_is_left_alone(make_chain, project, people):
    service = make_chain([FINANCE], code="project-claim-without-preborrowed-invoice")
    req = approvals.request_submit(
        service=service,
        applicant=people["alice"],
        form_data={"amount": "99999"},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )
    assert req.status == "in_progress" and not Freeze.objects.exists()


# --- any sequence of moments -------------------------------------------------------------

step = st.tuples(
    st.sampled_from(["submit", "approve", "reject", "withdraw", "return-resubmit"]),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=1, max_value=700),
)


def check_invariants():
    for line in BudgetLine.objects.all():
        held = line.freezes.filter(state="frozen").aggregate(t=Sum("amount"))["t"] or 0
        ledger = line.movements.aggregate(t=Sum("amount"))["t"] or 0
        assert line.frozen == held and line.spent == ledger
        assert line.spent + line.frozen + line.balance == line.budget
        assert min(line.spent, line.frozen, line.balance) >= 0
    expected = {"in_progress": "frozen", "returned": "frozen", "approved": "spent"}
    for req in ServiceRequest.objects.select_related("research_freeze"):
        assert req.research_freeze.state == expected.get(req.status, "released")


class Rollback(Exception):
    pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_any_sequence_keeps_the_books_balanced(claim_service, project, people, steps):
    try:
        with transaction.atomic():
            claims = []
            for op, index, amount in steps:
                if op == "submit":
                    try:
                        claims.append(file_claim(claim_service, people["alice"], amount))
                    except approvals.RequestError as refused:
                        assert "exceeds the balance" in refused.message
                    check_invariants()
                    continue
                if not claims:
                    continue
                req = ServiceRequest.objects.get(pk=claims[index % len(claims)].pk)
                try:
                    if op == "approve" and req.status == "in_progress":
                        decide(req, "approve")
                    elif op == "reject" and req.status == "in_progress":
                        decide(req, "reject", "不符合规定")
                    elif op == "withdraw" and req.is_open:
                        approvals.request_withdraw(request_id=req.pk, user=people["alice"])
                    elif op == "return-resubmit" and req.status == "in_progress":
                        decide(req, "return", "请修改")
                        approvals.request_resubmit(
                            request_id=req.pk,
                            user=people["alice"],
                            form_data={**req.form_data, "amount": str(amount)},
                            files={},
                        )
                except approvals.RequestError as refused:
                    assert "exceeds the balance" in refused.message
                check_invariants()
            raise Rollback
    except Rollback:
        pass


# --- at once, on Postgres ------------------------------------------------------------------


def together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        translation.activate("en")  # a thread starts in the default language
        barrier.wait()
        try:
            outcomes.append(("ok", call()))
        except approvals.RequestError as refused:
            outcomes.append(("refused", refused.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_claims_at_once_that_together_overdraw_give_exactly_one(
    transactional_db, claim_service, project, people
):
    require(connections["default"].vendor == "postgresql", "row locks need Postgres")
    for round_ in range(10):
        BudgetLine.objects.filter(pk=travel().pk).update(frozen=0, spent=0)
        Freeze.objects.all().delete()
        outcomes = together(
            lambda: file_claim(claim_service, people["alice"], "600"),
            lambda: file_claim(claim_service, people["alice"], "600"),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["ok", "refused"], round_
        assert "exceeds the balance of Travel" in dict(outcomes)["refused"]
        assert figures() == (Decimal(1000), Decimal(0), Decimal(600), Decimal(400)), round_


def test_two_final_approvals_at_once_lose_no_update(
    transactional_db, claim_service, project, people
):
    require(connections["default"].vendor == "postgresql", "row locks need Postgres")
    first = file_claim(claim_service, people["alice"], "400")
    second = file_claim(claim_service, people["alice"], "500")
    outcomes = together(lambda: decide(first, "approve"), lambda: decide(second, "approve"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "ok"]
    assert figures() == (Decimal(1000), Decimal(900), Decimal(0), Decimal(100))
