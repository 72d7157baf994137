"""The chains of outgoing documents, one catalogue service per document type."""

from documents import services
from documents.models import DocType
from documents.services import DEFAULT_FIELDS, DocumentError
from hall.models import ServiceStep
from workflows.handoffs import Handoff, register

HANDOFF = Handoff(
    submitted=services.chain_submitted,
    approved=services.chain_approved,
    ended=services.chain_ended,
    required_fields=("document",),
    refusals=(DocumentError,),
    form_data=services.form_data,
    shown=services.request_shown,
    default_service={
        "name_zh": "发文审批",
        "name_en": "Outgoing document approval",
        "time_limit_days": 7,
        "fields": DEFAULT_FIELDS,
        "steps": [
            ("核稿", "Check by the drafting department's head", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_all() -> None:
    for doc_type in DocType.values:
        register(services.service_code(doc_type), HANDOFF)
