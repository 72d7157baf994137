"""The claims' chains carry their moments to the budget lines: a submission freezes the claimed
amount (refused with the balance when it does not fit), the final approval spends it, a
rejection or a withdrawal gives it back.

A claim service takes part once its form has a ``budget_category`` field beside
``project_number`` and ``amount`` (the demo adds it; an office admin adds it to any other
service); a request whose form has none is left alone, so services not yet set up keep working.
"""

from workflows.handoffs import Handoff, register
from workflows.models import ServiceRequest
from workflows.research import services
from workflows.research.services import FundsError

CATEGORY_FIELD = "budget_category"
CLAIM_SERVICES = (
    "vertical-project-receipt-claim",
    "research-fee-pre-borrowed-invoice",
    "project-claim-with-preborrowed-invoice",
    "project-claim-without-preborrowed-invoice",
)


def takes_part(request: ServiceRequest) -> bool:
    return any(f.get("key") == CATEGORY_FIELD for f in request.service_fields)


def submitted(request: ServiceRequest) -> None:
    if takes_part(request):
        data = request.form_data
        services.freeze_hold(
            request=request,
            project_number=str(data.get("project_number") or ""),
            category=str(data.get(CATEGORY_FIELD) or ""),
            amount=data.get("amount"),
        )


def approved(request: ServiceRequest) -> None:
    services.freeze_spend(request=request)


def ended(request: ServiceRequest, rejected: bool) -> None:
    services.freeze_release(request=request)


HANDOFF = Handoff(
    submitted=submitted,
    approved=approved,
    ended=ended,
    required_fields=(),
    refusals=(FundsError,),
)


def register_all() -> None:
    for code in CLAIM_SERVICES:
        register(code, HANDOFF)
