"""Catalogue services whose outcome acts in another app: borrowing archives and appraising them.

Their chains run like any service's (steps, reminders, delegation, the trail); these functions
carry each moment over to the archives: a submission opens the loan or sends the appraisal batch
(a refusal there refuses the submission, with the archives' message), an approval lends or
applies the decisions, a rejection or withdrawal closes them. Internal services (appraisal) are
not listed in the catalogue; they start from the archives' own pages through ``handoff_start``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from archives import services as archives
from archives.services import ArchiveError
from hall.models import Area, Service, ServiceField, ServiceStep, User
from workflows.models import ApprovalRecord, ServiceRequest


class HandoffError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Handoff:
    submitted: Callable[[ServiceRequest], None]
    approved: Callable[[ServiceRequest], None]
    ended: Callable[[ServiceRequest, bool], None]
    required_fields: tuple[str, ...]
    # Internal services: the form built from another app's page, and the service made on first use.
    form_data: Callable[[User, dict], dict] | None = None
    default_service: dict = field(default_factory=dict)


def _ref(request: ServiceRequest) -> str:
    return f"workflows.request:{request.pk}"


def _last_approver(request: ServiceRequest) -> User | None:
    record = (
        ApprovalRecord.objects.filter(request=request, action=ApprovalRecord.Action.APPROVE)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return record.actor if record else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None


# --- borrowing archives ----------------------------------------------------------------------


def _loan_submitted(request: ServiceRequest) -> None:
    data = request.form_data
    archives.loan_open(
        borrower=request.applicant,
        codes=archives.codes_of(data.get("codes", "")),
        purpose=data.get("purpose", ""),
        scope=data.get("scope", ""),
        due_on=_date(data.get("due_on")),
        originals=data.get("use") == "originals",
        source_ref=_ref(request),
    )


def _loan_approved(request: ServiceRequest) -> None:
    archives.loan_approve(source_ref=_ref(request), actor=_last_approver(request))


def _loan_ended(request: ServiceRequest, rejected: bool) -> None:
    archives.loan_close(source_ref=_ref(request))


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
        source_ref=_ref(request),
    )


def _appraisal_approved(request: ServiceRequest) -> None:
    archives.appraisal_approve(source_ref=_ref(request), actor=_last_approver(request))


def _appraisal_ended(request: ServiceRequest, rejected: bool) -> None:
    archives.appraisal_reopen(source_ref=_ref(request), rejected=rejected)


HANDOFFS: dict[str, Handoff] = {
    archives.LOAN_SERVICE: Handoff(
        submitted=_loan_submitted,
        approved=_loan_approved,
        ended=_loan_ended,
        required_fields=("codes", "purpose", "due_on"),
    ),
    archives.APPRAISAL_SERVICE: Handoff(
        submitted=_appraisal_submitted,
        approved=_appraisal_approved,
        ended=_appraisal_ended,
        required_fields=("appraisal",),
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


def is_internal(service: Service) -> bool:
    handoff = HANDOFFS.get(service.code)
    return handoff is not None and handoff.form_data is not None


def _check_fields(request: ServiceRequest, handoff: Handoff) -> None:
    keys = {f["key"] for f in request.service_fields}
    missing = [k for k in handoff.required_fields if k not in keys]
    if missing:
        raise HandoffError(
            _("This service's form lacks the fields %(keys)s; an office admin adds them.")
            % {"keys": ", ".join(missing)}
        )


def submitted(request: ServiceRequest) -> None:
    """Called in the submission's transaction; a HandoffError refuses the submission."""
    handoff = HANDOFFS.get(request.service.code)
    if handoff is None:
        return
    _check_fields(request, handoff)
    try:
        handoff.submitted(request)
    except ArchiveError as exc:
        raise HandoffError(exc.message) from exc


def approved(request: ServiceRequest) -> None:
    handoff = HANDOFFS.get(request.service.code)
    if handoff is not None:
        handoff.approved(request)


def ended(request: ServiceRequest, *, rejected: bool) -> None:
    handoff = HANDOFFS.get(request.service.code)
    if handoff is not None:
        handoff.ended(request, rejected)


def internal_service(code: str, *, department) -> Service:
    """The internal service, made on first use with a one-step chain that admins can extend."""
    from hall.services import service_parts_replace

    handoff = HANDOFFS.get(code)
    if handoff is None or handoff.form_data is None:
        raise HandoffError(_("This service cannot be started here."))
    service = Service.objects.filter(code=code).first()
    if service is not None:
        return service
    area = Area.objects.order_by("order", "pk").first()
    if area is None or department is None:
        raise HandoffError(_("Set up the catalogue (an area and departments) first."))
    spec = handoff.default_service
    service = Service.objects.create(
        code=code,
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        area=area,
        department=department,
        for_staff=True,
        is_online=True,
        is_published=False,
        time_limit_days=spec["time_limit_days"],
    )
    service_parts_replace(
        service=service,
        fields=[
            {"key": key, "label_zh": zh, "label_en": en, "field_type": kind, "required": True}
            for key, zh, en, kind in spec["fields"]
        ],
        steps=[
            {"name_zh": zh, "name_en": en, "rule": rule, "mode": "single", "time_limit_days": 3}
            for zh, en, rule in spec["steps"]
        ],
        contacts=[],
    )
    return service


def start_form_data(code: str, *, user: User, post: dict) -> dict:
    handoff = HANDOFFS.get(code)
    if handoff is None or handoff.form_data is None:
        raise HandoffError(_("This service cannot be started here."))
    return handoff.form_data(user, post)
