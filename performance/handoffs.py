"""The chain that decides a supervision item's extension, carried back through the registry."""

from hall.models import ServiceStep
from performance import services
from workflows.handoffs import Handoff, register

HANDOFF = Handoff(
    submitted=services.chain_submitted,
    approved=services.chain_approved,
    ended=services.chain_ended,
    required_fields=("item", "new_deadline", "leader"),
    refusals=(services.SupervisionError,),
    form_data=services.extension_form,
    default_service={
        "name_zh": "督办事项延期审批",
        "name_en": "Extension of a supervision item",
        "time_limit_days": 3,
        "fields": services.EXTENSION_FIELDS,
        # Made with the head's rule, then pointed at the form's ``leader`` (the leader in charge)
        # by services.extension_service: the default chain cannot name a form field.
        "steps": [
            ("责任领导审批", "The leader in charge decides", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_all() -> None:
    register(services.EXTENSION_SERVICE, HANDOFF)
