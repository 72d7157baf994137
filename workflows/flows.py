"""The one generic flow that runs any catalogue service's approval chain.

The chain itself is data (a snapshot on the request). The decisions and what follows them (the
next step whose condition holds, approval at the end, rejection) are made by
``workflows.services`` under the request's row lock; the flow records where the request waits:
with its approvers (``step``), with its applicant (``revise``), or nowhere (``end``). One decision
moves the process through one node (the step's handle, which goes on straight to where the
request waits next), not six: every node costs viewflow an update, an insert and a link row, and
the route a savepoint besides. Only the submission passes through the route.
"""

import contextlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import STATUS

from workflows import services


class RequestLock:
    """viewflow's lock on the process row (a savepoint and SELECT … FOR UPDATE NOWAIT), except
    while ``workflows.services`` moves this very process holding its request's row lock: every
    writer takes the request row first, so a second lock on the process row under it serializes
    nothing more and costs three round trips. Any other caller gets viewflow's own lock."""

    def __call__(self, flow_class, process_pk):
        if services.holds_request_lock(process_pk):
            return contextlib.nullcontext()
        return lock.select_for_update_lock(flow_class, process_pk)


class LockedHandle(flow.Handle):
    """A handle the services complete right after reading its task under the request's row lock
    (``services._complete_flow_handle``): viewflow's wrapper would read the task again (and its
    process, a second query) after taking its lock; the task in hand is already fresh."""

    def _create_wrapper_function(self, origin_func, task):
        if not services.holds_request_lock(task.process_id):
            return super()._create_wrapper_function(origin_func, task)

        def func(**kwargs):
            with self.flow_class.lock(task.process_id):
                activation = self.activation_class(task)
                result = activation.run(origin_func, **kwargs)
                activation.execute()
                return result

        return func


class RoutedHandleActivation(HandleActivation):
    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self):
        # The route's choice, made here: the first of its cases whose condition holds.
        for node, condition in self.flow_task._next._branches:
            if condition is None or condition(self):
                yield node._create(self, self.task.token)
                return


class RoutedHandle(LockedHandle):
    """A handle whose ``Next`` is a ``flow.Switch`` it does not pass through: once done, it
    creates the node the switch would choose (the conditions see this activation's process), so a
    decision costs viewflow one passage, not two (the switch's task, its link, its update and its
    savepoint: five queries). The chart draws the switch's edges from the handle."""

    activation_class = RoutedHandleActivation

    def _outgoing(self):
        for node, condition in self._next._branches:
            yield Edge(src=self, dst=node, edge_class="cond_true" if condition else "default")


class LinearEndActivation(EndActivation):
    """The end, reached from the one handle the services just completed under the request's row
    lock: this flow has no split (one handle waits at a time), so no other task of the process
    is open and the process finishes without viewflow's count of its open tasks and the
    savepoint around it (three round trips of every last approval and every rejection);
    an error rolls the whole decision back, as any other in ``workflows.services``. Reached any
    other way, viewflow's own end."""

    @Activation.status.super()
    def activate(self):
        if not services.holds_request_lock(self.process.pk):
            return super().activate.original()
        self.task.started = timezone.now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.process.status = STATUS.DONE
        self.process.finished = timezone.now()
        self.process.save()
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
        flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class LinearEnd(flow.End):
    activation_class = LinearEndActivation


class ServiceRequestFlow(flow.Flow):
    process_title = _("Service request")
    process_description = _("Runs the approval chain a service's admin configured.")
    lock_impl = RequestLock()

    start = flow.StartHandle(this.start_request).Annotation(title=_("Submit")).Next(this.route)
    route = (
        flow.Switch()
        .Annotation(title=_("Where the request waits"))
        .Case(this.step, this.waits_for_approvers)
        .Case(this.revise, this.waits_for_applicant)
        .Default(this.end)
    )
    step = RoutedHandle().Annotation(title=_("Approvers decide")).Next(this.route)
    revise = RoutedHandle().Annotation(title=_("Applicant revises")).Next(this.route)
    end = LinearEnd()

    def start_request(self, activation, request_id: int):
        activation.process.data = {"request_id": request_id}
        return activation.process

    def waits_for_approvers(self, activation) -> bool:
        request = services.request_in_flow(activation.process)
        return request.status == services.Status.IN_PROGRESS and request.current_step is not None

    def waits_for_applicant(self, activation) -> bool:
        return services.request_in_flow(activation.process).status == services.Status.RETURNED
