"""The chain that approves bookings of resources that need approval."""

from hall.models import ServiceStep
from reception import services
from reception.services import DEFAULT_FIELDS, BookingError
from workflows.handoffs import Handoff, register

HANDOFF = Handoff(
    submitted=services.chain_submitted,
    approved=services.chain_approved,
    ended=services.chain_ended,
    required_fields=("booking",),
    refusals=(BookingError,),
    form_data=services.form_data,
    default_service={
        "name_zh": "资源预订审批",
        "name_en": "Resource booking approval",
        "time_limit_days": 2,
        "fields": DEFAULT_FIELDS,
        "steps": [("审核", "Review by the resource's manager", ServiceStep.Rule.APPLICANT_HEAD)],
    },
)


def register_all() -> None:
    register(services.BOOKING_SERVICE, HANDOFF)
