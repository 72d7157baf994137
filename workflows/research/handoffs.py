"""The claims' chains carry their moments to the budget lines: a submission freezes the claimed
amount (refused with the balance when it does not fit), the final approval spends it, a
rejection or a withdrawal gives it back.

A claim service takes part once its form has a ``budget_category`` field beside
``project_number`` and ``amount`` (the demo adds it; an office admin adds it to any other
service); a request whose form has none is left alone, so services not yet set up keep working.
The receipt claim with a pre-borrowed invoice picks the invoice (a field of type ``invoice``):
it carries the invoice's data over and closes it when approved; its money moved with the
invoice, so it freezes nothing again.
"""

from hall.models import ServiceField
from workflows.handoffs import Handoff, register
from workflows.models import ServiceRequest
from workflows.research import services
from workflows.research.services import FundsError

CATEGORY_FIELD = "budget_category"
CLAIM_SERVICES = (
    "vertical-project-receipt-claim",
    "research-fee-pre-borrowed-invoice",
    "project-claim-without-preborrowed-invoice",
)
INVOICE_CLAIM_SERVICE = "project-claim-with-preborrowed-invoice"
TRANSFERENCE_SERVICE = "research-fee-transfer"
TARGET_FIELD = "to_project"


def takes_part(request: ServiceRequest) -> bool:
    return any(f.get("key") == CATEGORY_FIELD for f in request.service_fields)


def invoice_key(request: ServiceRequest) -> str | None:
    for spec in request.service_fields:
        if spec.get("field_type") == ServiceField.Type.INVOICE:
            return spec["key"]
    return None


def submitted(request: ServiceRequest) -> None:
    data = request.form_data
    number = str(data.get("project_number") or "").strip()
    if takes_part(request):
        services.freeze_hold(
            request=request,
            project_number=number,
            category=str(data.get(CATEGORY_FIELD) or ""),
            amount=data.get("amount"),
        )
    if number:
        services.project_fill(request=request, project_number=number)


def approved(request: ServiceRequest) -> None:
    services.freeze_spend(request=request)


def ended(request: ServiceRequest, rejected: bool) -> None:
    services.freeze_release(request=request)


def invoice_claim_submitted(request: ServiceRequest) -> None:
    key = invoice_key(request)
    if key is None:
        submitted(request)  # a claim whose form has no invoice picker is an ordinary claim
        return
    services.invoice_claim_link(request=request, invoice_id=request.form_data.get(key))


def invoice_claim_approved(request: ServiceRequest) -> None:
    services.invoice_claim_close(request=request)
    services.freeze_spend(request=request)


def invoice_claim_ended(request: ServiceRequest, rejected: bool) -> None:
    services.invoice_claim_unlink(request=request)
    services.freeze_release(request=request)


def _is_transference(request: ServiceRequest) -> bool:
    keys = {f.get("key") for f in request.service_fields}
    return CATEGORY_FIELD in keys and TARGET_FIELD in keys


def transference_submitted(request: ServiceRequest) -> None:
    """A fees transference between two projects of the applicant (its form has a target
    project beside the source); one without a target (a transfer to a partner) is left alone."""
    if not _is_transference(request):
        return
    data = request.form_data
    services.transference_hold(
        request=request,
        source_number=str(data.get("project_number") or ""),
        target_number=str(data.get(TARGET_FIELD) or ""),
        category=str(data.get(CATEGORY_FIELD) or ""),
        amount=data.get("amount"),
    )
    services.project_fill(request=request, project_number=str(data.get("project_number")))


def transference_approved(request: ServiceRequest) -> None:
    if _is_transference(request):
        services.transference_settle(
            request=request, target_number=str(request.form_data.get(TARGET_FIELD) or "")
        )


HANDOFF = Handoff(
    submitted=submitted,
    approved=approved,
    ended=ended,
    required_fields=(),
    refusals=(FundsError,),
)
INVOICE_CLAIM_HANDOFF = Handoff(
    submitted=invoice_claim_submitted,
    approved=invoice_claim_approved,
    ended=invoice_claim_ended,
    required_fields=(),
    refusals=(FundsError,),
)


TRANSFERENCE_HANDOFF = Handoff(
    submitted=transference_submitted,
    approved=transference_approved,
    ended=ended,
    required_fields=(),
    refusals=(FundsError,),
)


# --- budget adjustment: between two categories of one project, under the admin's rules ------

ADJUSTMENT_SERVICE = "research-budget-adjustment"
TO_CATEGORY_FIELD = "to_category"


def _is_adjustment(request: ServiceRequest) -> bool:
    keys = {f.get("key") for f in request.service_fields}
    return CATEGORY_FIELD in keys and TO_CATEGORY_FIELD in keys


def adjustment_submitted(request: ServiceRequest) -> None:
    """A form without the two categories (not set up yet) is an ordinary request."""
    from workflows.research import adjustments

    if not _is_adjustment(request):
        return
    data = request.form_data
    number = str(data.get("project_number") or "")
    adjustments.adjustment_hold(
        request=request,
        project_number=number,
        from_category=str(data.get(CATEGORY_FIELD) or ""),
        to_category=str(data.get(TO_CATEGORY_FIELD) or ""),
        amount=data.get("amount"),
    )
    services.project_fill(request=request, project_number=number)


def adjustment_approved(request: ServiceRequest) -> None:
    from workflows.research import adjustments

    if _is_adjustment(request):
        adjustments.adjustment_settle(
            request=request, to_category=str(request.form_data.get(TO_CATEGORY_FIELD) or "")
        )


ADJUSTMENT_HANDOFF = Handoff(
    submitted=adjustment_submitted,
    approved=adjustment_approved,
    ended=ended,
    required_fields=(),
    refusals=(FundsError,),
)


def register_all() -> None:
    register(ADJUSTMENT_SERVICE, ADJUSTMENT_HANDOFF)
    register(TRANSFERENCE_SERVICE, TRANSFERENCE_HANDOFF)
    for code in CLAIM_SERVICES:
        register(code, HANDOFF)
    register(INVOICE_CLAIM_SERVICE, INVOICE_CLAIM_HANDOFF)
