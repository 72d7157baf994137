"""The handoff registry: catalogue services whose outcome acts in another app.

A back office whose step needs an approval (borrowing archives, appraising them, signing off a
document, a booking) runs it as a catalogue service's chain through the generic flow, so steps,
reminders, delegation and the trail come for free. Each app registers, by service code and from
its own ``AppConfig.ready()``, the functions that carry the chain's moments back to it: a
submission (a ``HandoffError`` there refuses the submission with its message and saves nothing),
an approval, a rejection or a withdrawal. ``workflows`` imports no app above it; the archives sit
below it, so their handoffs are registered here, by ``WorkflowsConfig.ready()``
(``workflows/archive_handoffs.py``). Internal services (with ``form_data``) are not listed in the
catalogue; they start from the owning app's pages through ``start_form_data`` and
``internal_service``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from hall.models import Area, Service, User
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
    # The owning app's own refusals (exceptions with a ``message``), turned into HandoffError.
    refusals: tuple[type[Exception], ...] = ()
    # What the request's page shows for some form fields instead of the values stored at
    # submission (by field key), read live and in the reader's language: a document's number
    # once it has one, rather than its database id and labels frozen in the drafter's language.
    shown: Callable[[ServiceRequest], dict[str, str]] | None = None


_REGISTRY: dict[str, Handoff] = {}


def register(code: str, handoff: Handoff) -> None:
    """Called from an app's ``ready()``; registering the same handoff again changes nothing."""
    current = _REGISTRY.get(code)
    if current is not None and current != handoff:
        raise ImproperlyConfigured(f"Two handoffs are registered for the service {code!r}.")
    _REGISTRY[code] = handoff


# Lines other apps add to the request page (a transference's acknowledgement): functions of the
# request giving (label, value) pairs, registered from the app's ready() like the handoffs.
_FACTS: list[Callable[[ServiceRequest], list[tuple[str, str]]]] = []


def register_facts(facts: Callable[[ServiceRequest], list[tuple[str, str]]]) -> None:
    if facts not in _FACTS:
        _FACTS.append(facts)


def facts_of(request: ServiceRequest) -> list[tuple[str, str]]:
    return [pair for facts in _FACTS for pair in facts(request)]


def registered(code: str) -> Handoff | None:
    return _REGISTRY.get(code)


def has_live_fields(request: ServiceRequest) -> bool:
    """Whether the request's service shows some form fields live from another app's objects
    (``Handoff.shown``), which can change without the request."""
    handoff = _REGISTRY.get(request.service.code)
    return handoff is not None and handoff.shown is not None


def shown_of(request: ServiceRequest) -> dict[str, str]:
    if not has_live_fields(request):
        return {}
    return _REGISTRY[request.service.code].shown(request)


def codes() -> list[str]:
    return sorted(_REGISTRY)


# --- what handoffs of every app share ----------------------------------------------------------


def source_ref(request: ServiceRequest) -> str:
    """The plain reference (``app.model:pk``) by which other apps point at a request."""
    return f"workflows.request:{request.pk}"


def last_approver(request: ServiceRequest) -> User | None:
    record = (
        ApprovalRecord.objects.filter(request=request, action=ApprovalRecord.Action.APPROVE)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return record.actor if record else None


def form_date(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None


def is_internal(service: Service) -> bool:
    handoff = _REGISTRY.get(service.code)
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
    handoff = _REGISTRY.get(request.service.code)
    if handoff is None:
        return
    _check_fields(request, handoff)
    try:
        handoff.submitted(request)
    except handoff.refusals as exc:
        raise HandoffError(exc.message) from exc


def approved(request: ServiceRequest) -> None:
    """Called in the final approval's transaction; a HandoffError (an owning app's refusal,
    such as a balance that no longer covers a claim) refuses the approval and saves nothing."""
    handoff = _REGISTRY.get(request.service.code)
    if handoff is not None:
        try:
            handoff.approved(request)
        except handoff.refusals as exc:
            raise HandoffError(exc.message) from exc


def ended(request: ServiceRequest, *, rejected: bool) -> None:
    handoff = _REGISTRY.get(request.service.code)
    if handoff is not None:
        handoff.ended(request, rejected)


def internal_service(code: str, *, department) -> Service:
    """The internal service, made on first use with a one-step chain that admins can extend."""
    from hall.services import service_parts_replace

    handoff = _REGISTRY.get(code)
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


def start_chain(*, service, applicant: User, form_data, refusal: type[Exception]) -> ServiceRequest:
    """Starts an internal service's chain for a back office's object (a seal use, a swap, a
    plan): its form carried over from the office's page, no files, not urgent. ``service`` and
    ``form_data`` may be functions, called here, so that whatever refuses (the engine, a handoff,
    the form's builder) reaches the owning app as its own error: ``refusal(message)``."""
    import uuid

    from workflows import services as requests

    try:
        return requests.request_submit(
            service=service() if callable(service) else service,
            applicant=applicant,
            form_data=form_data() if callable(form_data) else form_data,
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )
    except (requests.RequestError, HandoffError) as exc:
        raise refusal(exc.message) from exc


def start_form_data(code: str, *, user: User, post: dict) -> dict:
    handoff = _REGISTRY.get(code)
    if handoff is None or handoff.form_data is None:
        raise HandoffError(_("This service cannot be started here."))
    return handoff.form_data(user, post)


# Instant inquiry services: they answer at once on an app's own page, with no chain; their
# "apply" opens that page (registered from the app's ready(), by service code and URL name).
_INSTANT: dict[str, str] = {}


def register_instant(code: str, url_name: str) -> None:
    _INSTANT[code] = url_name


def instant_url(code: str) -> str:
    from django.urls import reverse

    url_name = _INSTANT.get(code)
    return reverse(url_name) if url_name else ""
