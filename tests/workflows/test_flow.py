"""The generic flow without views: chains, countersign, conditions, returns, withdrawals."""

import uuid

import pytest
from viewflow.workflow.models import Task

from hall.models import ServiceStep
from tests.chains import FINANCE, HEAD, LEADER, RESEARCH
from workflows import services
from workflows.models import ApprovalRecord, ApprovalTask, ServiceRequest

S = ServiceRequest.Status


def pending(req) -> list[tuple[int, str]]:
    return sorted(
        ApprovalTask.objects.filter(request=req, status="pending").values_list(
            "step_index", "assignee__username"
        ),
        key=lambda row: (row[0], row[1] or ""),
    )


def decide(req, username, action="approve", comment="", return_to=None):
    task = ApprovalTask.objects.get(request=req, status="pending", assignee__username=username)
    user = task.assignee
    return services.task_decide(
        task_id=task.pk, user=user, action=action, comment=comment, return_to=return_to
    )


def test_a_one_step_chain_is_approved_by_the_head(make_chain, submit):
    req = submit(make_chain([HEAD]))
    assert req.status == S.IN_PROGRESS and req.number
    assert pending(req) == [(0, "hank")]
    req = decide(req, "hank")
    assert req.status == S.APPROVED and req.finished_at
    assert req.process.status == "DONE"
    assert list(req.records.values_list("action", flat=True)) == ["submit", "approve"]


def test_a_three_step_chain_runs_in_order(make_chain, submit, people):
    req = submit(make_chain([HEAD, FINANCE, LEADER]))
    assert pending(req) == [(0, "hank")]
    req = decide(req, "hank")
    assert pending(req) == [(1, "fay")]
    req = decide(req, "fay")
    assert pending(req) == [(2, "lee")]
    req = decide(req, "lee")
    assert req.status == S.APPROVED
    assert [s["state"] for s in req.chain] == ["approved", "approved", "approved"]


def test_countersign_two_of_three_leaves_the_third_inbox(make_chain, submit):
    req = submit(make_chain([{**RESEARCH, "mode": "n_of_m", "quorum": 2}]))
    assert pending(req) == [(0, "ravi"), (0, "rita"), (0, "rose")]
    req = decide(req, "rita")
    assert req.status == S.IN_PROGRESS
    req = decide(req, "rose")
    assert req.status == S.APPROVED
    assert pending(req) == []
    assert ApprovalTask.objects.get(request=req, assignee__username="ravi").status == "cancelled"


def test_countersign_all_waits_for_everyone(make_chain, submit):
    req = submit(make_chain([{**RESEARCH, "mode": "all"}]))
    decide(req, "rita")
    decide(req, "ravi")
    assert ServiceRequest.objects.get(pk=req.pk).status == S.IN_PROGRESS
    assert decide(req, "rose").status == S.APPROVED


def test_a_role_held_by_several_goes_to_their_queue_to_be_claimed(make_chain, submit, people):
    req = submit(make_chain([RESEARCH]))
    task = ApprovalTask.objects.get(request=req)
    assert task.assignee is None
    services.task_claim(task_id=task.pk, user=people["ravi"])
    with pytest.raises(services.AlreadyHandled):
        services.task_claim(task_id=task.pk, user=people["rita"])
    assert decide(req, "ravi").status == S.APPROVED


def test_a_step_whose_condition_is_false_is_skipped(make_chain, submit):
    service = make_chain(
        [
            HEAD,
            {
                **LEADER,
                "condition_field": "amount",
                "condition_operator": "gt",
                "condition_value": "50000",
            },
            FINANCE,
        ]
    )
    small = decide(submit(service, amount="100"), "hank")
    assert pending(small) == [(2, "fay")]
    assert small.chain[1]["state"] == "skipped"
    big = decide(submit(service, amount="80000"), "hank")
    assert pending(big) == [(1, "lee")]


def test_return_to_the_applicant_then_resubmit_runs_the_chain_again(make_chain, submit, people):
    req = submit(make_chain([HEAD, FINANCE]))
    req = decide(req, "hank")
    req = decide(req, "fay", "return", comment="请补充发票")
    assert req.status == S.RETURNED and pending(req) == []
    req = services.request_resubmit(
        request_id=req.pk,
        user=people["alice"],
        form_data={"name": "张爱丽", "amount": "90"},
        files={},
    )
    assert req.status == S.IN_PROGRESS and req.form_data["amount"] == "90"
    assert pending(req) == [(0, "hank")]
    decide(req, "hank")
    assert decide(req, "fay").status == S.APPROVED


def test_return_to_an_earlier_step(make_chain, submit):
    req = submit(make_chain([HEAD, FINANCE, LEADER]))
    decide(req, "hank")
    decide(req, "fay")
    req = decide(req, "lee", "return", comment="请财务复核", return_to=1)
    assert req.status == S.IN_PROGRESS
    assert pending(req) == [(1, "fay")]
    decide(req, "fay")
    assert decide(req, "lee").status == S.APPROVED


def test_withdraw_cancels_the_open_tasks(make_chain, submit, people):
    req = submit(make_chain([HEAD, FINANCE]))
    req = services.request_withdraw(request_id=req.pk, user=people["alice"])
    assert req.status == S.WITHDRAWN and pending(req) == []
    assert req.process.status == "CANCELED"
    assert not Task.objects.filter(process=req.process, status="NEW").exists()
    with pytest.raises(services.AlreadyHandled):
        services.request_withdraw(request_id=req.pk, user=people["alice"])


def test_only_the_applicant_withdraws(make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    with pytest.raises(services.RequestError):
        services.request_withdraw(request_id=req.pk, user=people["hank"])
    assert ServiceRequest.objects.get(pk=req.pk).status == S.IN_PROGRESS


def test_reject_closes_with_a_reason(make_chain, submit):
    req = submit(make_chain([HEAD, FINANCE]))
    with pytest.raises(services.RequestError):
        decide(req, "hank", "reject", comment="  ")
    assert pending(req) == [(0, "hank")]
    req = decide(req, "hank", "reject", comment="不符合条件")
    assert req.status == S.REJECTED and req.outcome_comment == "不符合条件"
    assert req.process.status == "DONE"


def test_transfer_moves_the_task_to_another_person(make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    services.task_transfer(task_id=task.pk, user=people["hank"], to_user=people["lee"])
    assert pending(req) == [(0, "lee")]
    assert decide(req, "lee").status == S.APPROVED


def test_add_a_signer_after_this_step(make_chain, submit, people):
    req = submit(make_chain([HEAD, FINANCE]))
    task = ApprovalTask.objects.get(request=req)
    services.task_add_signer(
        task_id=task.pk, user=people["hank"], signer=people["lee"], before=False
    )
    decide(req, "hank")
    assert pending(req) == [(1, "lee")]
    decide(req, "lee")
    assert decide(req, "fay").status == S.APPROVED


def test_add_a_signer_before_this_step(make_chain, submit, people):
    req = submit(make_chain([HEAD, FINANCE]))
    task = ApprovalTask.objects.get(request=req)
    services.task_add_signer(
        task_id=task.pk, user=people["hank"], signer=people["lee"], before=True
    )
    assert pending(req) == [(0, "lee")]
    decide(req, "lee")
    assert pending(req) == [(1, "hank")]
    decide(req, "hank")
    assert decide(req, "fay").status == S.APPROVED


def test_a_decided_task_cannot_be_decided_again(make_chain, submit, people):
    req = submit(make_chain([HEAD, FINANCE]))
    task = ApprovalTask.objects.get(request=req)
    decide(req, "hank")
    with pytest.raises(services.AlreadyHandled):
        services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    assert ApprovalRecord.objects.filter(request=req, action="approve").count() == 1


def test_nobody_decides_someone_elses_task(make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    with pytest.raises(services.RequestError):
        services.task_decide(task_id=task.pk, user=people["charlie"], action="approve")
    assert pending(req) == [(0, "hank")]


def test_the_chain_is_snapshotted_at_submission(make_chain, submit):
    service = make_chain([HEAD, FINANCE])
    req = submit(service)
    ServiceStep.objects.filter(service=service).delete()
    decide(req, "hank")
    assert decide(req, "fay").status == S.APPROVED


def test_submitting_the_same_form_twice_gives_one_request(make_chain, people):
    service = make_chain([HEAD])
    token = uuid.uuid4()
    args = dict(
        service=service,
        applicant=people["alice"],
        form_data={},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=token,
    )
    first = services.request_submit(**args)
    second = services.request_submit(**args)
    assert first.pk == second.pk
    assert ServiceRequest.objects.count() == 1


def test_an_urgent_request_needs_a_reason_and_marks_its_tasks(make_chain, submit, people):
    service = make_chain([HEAD])
    with pytest.raises(services.RequestError):
        services.request_submit(
            service=service,
            applicant=people["alice"],
            form_data={},
            files={},
            urgent=True,
            urgent_reason=" ",
            submit_token=uuid.uuid4(),
        )
    req = submit(service, urgent=True)
    assert ApprovalTask.objects.get(request=req).urgent


def test_a_head_applying_goes_to_the_level_above(make_chain, submit, people, school):
    parent = people["office"]
    school.parent = parent
    school.save()
    parent.heads.add(people["lee"])
    req = submit(make_chain([HEAD]), applicant=people["hank"])
    assert pending(req) == [(0, "lee")]
