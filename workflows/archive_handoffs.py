"""The archives' handoffs: borrowing archives and appraising them through approval chains.

A submission opens the loan or sends the appraisal batch (a refusal there refuses the
submission, with the archives' message), an approval lends or applies the decisions, a rejection
or withdrawal closes them. The archives sit below ``workflows`` and never import it, so
``WorkflowsConfig.ready()`` registers these for them.
"""

from django.utils.translation import gettext as _

from archives import services as archives
from archives.services import ArchiveError
from hall.models import ServiceField, ServiceStep, User
from workflows.handoffs import Handoff, HandoffError, form_date, last_approver, register, source_ref
from workflows.models import ServiceRequest

# --- borrowing archives ----------------------------------------------------------------------


def _loan_submitted(request: ServiceRequest) -> None:
    data = request.form_data
    archives.loan_open(
        borrower=request.applicant,
        codes=archives.codes_of(data.get("codes", "")),
        purpose=data.get("purpose", ""),
        scope=data.get("scope", ""),
        due_on=form_date(data.get("due_on")),
        originals=data.get("use") == "originals",
        source_ref=source_ref(request),
    )


def _loan_approved(request: ServiceRequest) -> None:
    archives.loan_approve(source_ref=source_ref(request), actor=last_approver(request))


def _loan_ended(request: ServiceRequest, rejected: bool) -> None:
    archives.loan_close(source_ref=source_ref(request))


# --- appraising archives ---------------------------------------------------------------------


def _appraisal_form(user: User, post: dict) -> dict:
    from archives.models import Appraisal

    number = (post.get("appraisal") or "").strip()
    appraisal = Appraisal.objects.filter(number=number).prefetch_related("items__record").first()
    if appraisal is None or appraisal.created_by_id != user.pk:
        raise HandoffError(_("No appraisal has the number %(n)s.") % {"n": number})
    opinion = (post.get("opinion") or "").strip()
    if not opinion:
        raise HandoffError(_("Write the appraisal opinion for the approvers."))
    lines = []
    for item in appraisal.items.all():
        decision = item.get_decision_display()
        if item.decision == item.Decision.EXTEND:
            decision = f"{decision} {item.extend_years}"
        lines.append(f"{item.record.code} {item.record.title} → {decision} {item.reason}".strip())
    return {"appraisal": number, "opinion": opinion[:2000], "items": "\n".join(lines)}


def _appraisal_submitted(request: ServiceRequest) -> None:
    archives.appraisal_submit(
        number=request.form_data.get("appraisal", ""),
        user=request.applicant,
        source_ref=source_ref(request),
    )


def _appraisal_approved(request: ServiceRequest) -> None:
    archives.appraisal_approve(source_ref=source_ref(request), actor=last_approver(request))


def _appraisal_ended(request: ServiceRequest, rejected: bool) -> None:
    archives.appraisal_reopen(source_ref=source_ref(request), rejected=rejected)


HANDOFFS: dict[str, Handoff] = {  # by service code
    archives.LOAN_SERVICE: Handoff(
        submitted=_loan_submitted,
        approved=_loan_approved,
        ended=_loan_ended,
        required_fields=("codes", "purpose", "due_on"),
        refusals=(ArchiveError,),
    ),
    archives.APPRAISAL_SERVICE: Handoff(
        submitted=_appraisal_submitted,
        approved=_appraisal_approved,
        ended=_appraisal_ended,
        required_fields=("appraisal",),
        refusals=(ArchiveError,),
        form_data=_appraisal_form,
        default_service={
            "name_zh": "档案鉴定与销毁审批",
            "name_en": "Archives appraisal and disposal approval",
            "time_limit_days": 10,
            "fields": [
                ("appraisal", "鉴定批次号", "Appraisal number", ServiceField.Type.TEXT),
                ("opinion", "鉴定意见", "Appraisal opinion", ServiceField.Type.LONG_TEXT),
                ("items", "鉴定清单", "Records and decisions", ServiceField.Type.LONG_TEXT),
            ],
            "steps": [
                (
                    "档案馆负责人审核",
                    "Head of the archives",
                    ServiceStep.Rule.APPLICANT_HEAD,
                )
            ],
        },
    ),
}


def register_all() -> None:
    for code, handoff in HANDOFFS.items():
        register(code, handoff)
