"""What one approval costs: the queries of a decision, pinned, and the flow's passages.

The flow records where a request waits (step, revise, end); the decision's consequences are made
by the services under the row lock. A change that adds a query to every approval shows here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from tests.chains import FINANCE, HEAD
from workflows import services
from workflows.models import ApprovalTask, ServiceRequest


def _decide(req, action="approve", comment=""):
    task = ApprovalTask.objects.get(request=req, status="pending")
    return services.task_decide(task_id=task.pk, user=task.assignee, action=action, comment=comment)


def _nodes(req) -> list[str]:
    return [
        t.flow_task.name
        for t in Task.objects.filter(process_id=req.process_id).order_by("created", "pk")
    ]


def test_an_approval_that_opens_the_next_step_and_the_last_one_cost_fixed_queries(
    make_chain, submit
):
    req = submit(make_chain([HEAD, FINANCE]))
    first, last = CaptureQueriesContext(connection), CaptureQueriesContext(connection)
    for counted in (first, last):
        task = ApprovalTask.objects.select_related("assignee").get(request=req, status="pending")
        with counted:
            req = services.task_decide(task_id=task.pk, user=task.assignee, action="approve")
        if counted is first:
            assert req.current_step == 1 and req.status == ServiceRequest.Status.IN_PROGRESS
    assert req.status == ServiceRequest.Status.APPROVED
    # Lock request and task (2), the decision and its record (2), the step's outcome (1; the
    # rest of a countersign is cancelled only when some is left), the next step's approver,
    # delegation, task, message and the request (5; the working-day calendar comes from the
    # cache, filled by the submission), viewflow's handle and one passage (the step's handle goes
    # on straight to the next step: no route task, link, update or savepoint) and the
    # transaction's savepoint (6; no second lock on the process row under the request's, no
    # re-read of the handle): 16. Was 21 (28, 44 with the six-node flow).
    assert len(first) == 16, [q["sql"][:90] for q in first.captured_queries]
    # The last approval: no next step; the request saved once with its outcome, the approval
    # message (its applicant in hand, not read again) and its e-mail delivery, the end and the
    # process update (no savepoint and count of open tasks: flows.LinearEnd): 16. Was 19, 24
    # (31, 52).
    assert len(last) == 16, [q["sql"][:90] for q in last.captured_queries]
    process = ServiceRequest.objects.get(pk=req.pk).process
    assert process.status == "DONE" and process.finished is not None
    end = Task.objects.get(process=process, flow_task_type="END")
    assert end.status == "DONE" and end.started is not None and end.finished is not None


def test_the_flow_passes_through_the_route_only_at_submission(make_chain, submit):
    req = submit(make_chain([HEAD, FINANCE]))
    assert _nodes(req) == ["start", "route", "step"]
    req = _decide(req)
    req = _decide(req)
    assert _nodes(req) == ["start", "route", "step", "step", "end"]
    assert ServiceRequest.objects.get(pk=req.pk).process.status == "DONE"


def test_a_return_to_the_applicant_waits_in_revise_and_a_rejection_ends(make_chain, submit):
    req = submit(make_chain([HEAD]))
    req = _decide(req, action="return", comment="请补充材料")
    assert req.status == ServiceRequest.Status.RETURNED
    assert _nodes(req)[-1] == "revise"
    req = services.request_resubmit(
        request_id=req.pk, user=req.applicant, form_data={"name": "张爱丽"}, files={}
    )
    assert req.status == ServiceRequest.Status.IN_PROGRESS and _nodes(req)[-1] == "step"
    req = _decide(req, action="reject", comment="不符合条件")
    assert ServiceRequest.objects.get(pk=req.pk).status == ServiceRequest.Status.REJECTED
    assert _nodes(req)[-2:] == ["step", "end"]
    assert ServiceRequest.objects.get(pk=req.pk).process.status == "DONE"


def test_a_chain_whose_every_step_is_skipped_is_approved_at_submission(make_chain, submit):
    skipped = {
        **HEAD,
        "condition_field": "amount",
        "condition_operator": "gt",
        "condition_value": "1000",
    }
    req = submit(make_chain([skipped]), amount="10")
    assert req.status == ServiceRequest.Status.APPROVED
    assert _nodes(req) == ["start", "route", "end"]
    # reached without the services' row lock: viewflow's own end, which counts open tasks
    process = ServiceRequest.objects.get(pk=req.pk).process
    assert process.status == "DONE" and process.finished is not None


@pytest.mark.django_db
def test_finished_passages_through_the_removed_nodes_now_read_as_the_route():
    from importlib import import_module

    from django.apps import apps

    fold = import_module("workflows.migrations.0010_fold_flow_nodes")
    Process = apps.get_model("viewflow", "Process")
    process = Process.objects.create(flow_class="workflows/flows.ServiceRequestFlow", data={})
    flow = "workflows/flows.ServiceRequestFlow"
    for name in ("advance", "has_step", "approve", "reject", "step"):
        Task.objects.create(
            process=process, flow_task=f"{flow}.{name}", flow_task_type="FUNCTION", status="DONE"
        )
    fold.fold(apps, None)
    assert [t.flow_task.name for t in Task.objects.filter(process=process).order_by("pk")] == [
        "route",
        "route",
        "route",
        "route",
        "step",
    ]
