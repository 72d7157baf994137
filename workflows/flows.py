"""The one generic flow that runs any catalogue service's approval chain.

The chain itself is data (a snapshot on the request); the flow only loops: advance to the next
step whose condition holds, wait until that step is decided, then go on, end, or wait for the
applicant's revision. Step decisions are made by ``workflows.services`` and complete the
waiting ``step`` / ``revise`` handles.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from workflows import services


class ServiceRequestFlow(flow.Flow):
    process_title = _("Service request")
    process_description = _("Runs the approval chain a service's admin configured.")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_request).Annotation(title=_("Submit")).Next(this.advance)
    advance = flow.Function(this.advance_step).Annotation(title=_("Next step")).Next(this.has_step)
    has_step = (
        flow.If(this.step_is_open)
        .Annotation(title=_("Any step left?"))
        .Then(this.step)
        .Else(this.approve)
    )
    step = flow.Handle().Annotation(title=_("Approvers decide")).Next(this.route)
    route = (
        flow.Switch()
        .Annotation(title=_("Decision"))
        .Case(this.reject, this.was_rejected)
        .Case(this.revise, this.was_returned_to_applicant)
        .Default(this.advance)
    )
    revise = flow.Handle().Annotation(title=_("Applicant revises")).Next(this.advance)
    approve = flow.Function(this.finish_approved).Annotation(title=_("Approved")).Next(this.end)
    reject = flow.Function(this.finish_rejected).Annotation(title=_("Rejected")).Next(this.end)
    end = flow.End()

    def start_request(self, activation, request_id: int):
        activation.process.data = {"request_id": request_id}
        return activation.process

    def _request(self, activation):
        # One run of the flow (a decision's route, advance, has_step, approve) read the same
        # request once per node: five queries of an approval's sixty. The nodes of a run share
        # the process instance, and the run happens inside the transaction that holds the
        # request's row lock (services._locked, or the submit creating it), so the request read
        # by the first node is the one every later node sees and saves.
        process = activation.process
        request = getattr(process, "_service_request", None)
        if request is None:
            request = services.request_for_process(process)
            process._service_request = request
        return request

    def advance_step(self, activation):
        services.step_advance(request=self._request(activation))

    def step_is_open(self, activation) -> bool:
        return self._request(activation).current_step is not None

    def was_rejected(self, activation) -> bool:
        return self._request(activation).status == services.Status.REJECTED

    def was_returned_to_applicant(self, activation) -> bool:
        request = self._request(activation)
        return request.status == services.Status.RETURNED

    def finish_approved(self, activation):
        services.request_finish_approved(request=self._request(activation))

    def finish_rejected(self, activation):
        services.request_finish_rejected(request=self._request(activation))
