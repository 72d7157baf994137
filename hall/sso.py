"""Single sign-on with the campus identity system (统一身份认证): CAS and OpenID Connect.

Both protocols end in ``sso_sign_in``: the person is found by their staff / student number (the
released attribute HALL_SSO_MATCH_ATTRIBUTE names), made on first sign-in where the institution
allows it, their profile brought up to date from the released attributes (HALL_SSO_ATTRIBUTES),
refused when the directory marks them as gone; every outcome is written to the sign-in log.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_cas_ng import backends as cas_backends
from django_cas_ng import views as cas_views
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc import auth as oidc_auth
from mozilla_django_oidc import views as oidc_views

from hall.models import Department, Identity, SignInEvent, User
from hall.params import safe_next

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("full_name", "department", "identity", "title", "phone", "email")


class Refused(Exception):
    """A sign-in the hall turns down; its text is shown to the person."""


def cas_enabled() -> bool:
    return bool(settings.HALL_CAS_SERVER_URL)


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and settings.OIDC_OP_AUTHORIZATION_ENDPOINT)


def _pairs(raw: str) -> dict[str, str]:
    pairs = {}
    for item in raw.split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip() and value.strip():
            pairs[key.strip()] = value.strip()
    return pairs


def attribute_map() -> dict[str, str]:
    """Profile field → released attribute, from HALL_SSO_ATTRIBUTES (unknown fields ignored)."""
    return {k: v for k, v in _pairs(settings.HALL_SSO_ATTRIBUTES).items() if k in PROFILE_FIELDS}


def single(value) -> str:
    """A released attribute as one string: CAS releases lists where a value repeats."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def sign_in_record(
    *,
    request: HttpRequest | None,
    method: str,
    outcome: str,
    user: User | None = None,
    identifier: str = "",
    reason: str = "",
) -> SignInEvent:
    return SignInEvent.objects.create(
        method=method,
        outcome=outcome,
        user=user,
        identifier=identifier[:150],
        reason=reason[:300],
        address=client_address(request),
    )


def refuse(request, *, method: str, identifier: str, reason: str, user=None) -> None:
    """Logs the refusal and keeps its text for the page that tells the person."""
    sign_in_record(
        request=request,
        method=method,
        outcome=SignInEvent.Outcome.REFUSED,
        user=user,
        identifier=identifier,
        reason=reason,
    )
    if request is not None:
        request.hall_sso_refusal = reason


def _profile_from(attributes: dict) -> dict:
    """The profile fields the released attributes give, by the mapping in settings."""
    values = {}
    for field, attribute in attribute_map().items():
        if attribute in attributes:
            values[field] = single(attributes[attribute])
    if "identity" in values:
        raw = values.pop("identity")
        known = dict(Identity.choices)
        mapped = _pairs(settings.HALL_SSO_IDENTITY_VALUES).get(raw, raw)
        if mapped in known:
            values["identity"] = mapped
    if "department" in values:
        raw = values.pop("department")
        department = (
            Department.objects.filter(code=raw).first()
            or Department.objects.filter(name_zh=raw).first()
        )
        if department is not None:
            values["department"] = department
    return values


def _free_username(number: str) -> str:
    if not User.objects.filter(username=number).exists():
        return number
    return f"sso-{number}"


@transaction.atomic
def sso_sign_in(
    *, request: HttpRequest | None, method: str, principal: str, attributes: dict
) -> User | None:
    """The account a campus sign-in names, brought up to date; None (and a logged refusal,
    its text on ``request.hall_sso_refusal``) when the hall turns the person down."""
    attributes = attributes or {}
    match = settings.HALL_SSO_MATCH_ATTRIBUTE
    number = single(attributes.get(match)) if match else single(principal)
    identifier = number or single(principal)
    left = single(attributes.get(settings.HALL_SSO_LEFT_ATTRIBUTE, ""))
    if left and left in settings.HALL_SSO_LEFT_VALUES:
        refuse(
            request,
            method=method,
            identifier=identifier,
            user=User.objects.filter(number=number).first() if number else None,
            reason=_(
                "The campus directory lists you as having left the institution, so the hall "
                "cannot sign you in. If this is wrong, ask the office to correct the directory."
            ),
        )
        return None
    if not number:
        refuse(
            request,
            method=method,
            identifier=identifier,
            reason=_(
                "The campus identity system did not tell the hall your staff or student number."
            ),
        )
        return None
    profile = _profile_from(attributes)
    user = User.objects.select_for_update().filter(number=number).first()
    created = False
    if user is None:
        if not settings.HALL_SSO_CREATE_USERS:
            refuse(
                request,
                method=method,
                identifier=identifier,
                reason=_(
                    "The hall has no account for the number %(number)s yet. Ask the office "
                    "to add you, then sign in again."
                )
                % {"number": number},
            )
            return None
        user = User(username=_free_username(number), number=number)
        user.set_unusable_password()
        created = True
    elif not user.is_active:
        refuse(
            request,
            method=method,
            identifier=identifier,
            user=user,
            reason=_("Your account in the hall is switched off. Ask the office."),
        )
        return None
    changed = [f for f, v in profile.items() if getattr(user, f) != v]
    for field in changed:
        setattr(user, field, profile[field])
    if created:
        user.save()
    elif changed:
        user.save(update_fields=changed)
    sign_in_record(
        request=request,
        method=method,
        outcome=SignInEvent.Outcome.CREATED if created else SignInEvent.Outcome.SIGNED_IN,
        user=user,
        identifier=identifier,
    )
    return user


# --- the login page ---------------------------------------------------------------------------


def sso_links(request: HttpRequest, next_url: str) -> list[dict]:
    """The campus sign-in buttons the login page shows first, each keeping ``next``."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    links = []
    if cas_enabled():
        links.append({"url": reverse("cas-login") + query})
    if oidc_enabled():
        links.append({"url": reverse("oidc_authentication_init") + query})
    return links


class HallLoginView(auth_views.LoginView):
    """Django's login page; with SSO on, the campus sign-in comes first. Inside the enterprise
    WeChat client, a person who is not signed in goes through its OAuth2 instead."""

    def get(self, request, *args, **kwargs):
        from hall import wecom

        if wecom.in_wecom_client(request) and wecom.enabled():
            next_url = safe_next(request, request.GET.get("next", ""), "/")
            return wecom.oauth_redirect(request, next_url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = safe_next(self.request, self.request.GET.get("next", ""), "")
        context["sso_links"] = sso_links(self.request, next_url)
        if self.request.GET.get("sso") == "refused":
            context["sso_refusal"] = self.request.session.pop(
                "hall_sso_refusal", _("The campus identity system did not sign you in.")
            )
        return context


class HallLogoutView(auth_views.LogoutView):
    """Logging out of a session the campus CAS made also logs out of CAS (single logout)."""

    def post(self, request, *args, **kwargs):
        if cas_enabled() and request.session.get("_auth_user_backend") == "hall.sso.CASBackend":
            return CASLogoutView.as_view()(request)
        return super().post(request, *args, **kwargs)


def refusal_page(request: HttpRequest, reason: str) -> HttpResponse:
    """The login page again, saying why the campus sign-in was refused; no session is made."""
    next_url = safe_next(request, request.GET.get("next", ""), "")
    context = {
        "form": auth_views.AuthenticationForm(request),
        "next": next_url,
        "sso_links": sso_links(request, next_url),
        "sso_refusal": reason,
    }
    return render(request, "registration/login.html", context, status=403)


# --- CAS (django-cas-ng) ------------------------------------------------------------------------


class CASBackend(cas_backends.CASBackend):
    """django-cas-ng's ticket check; the person behind it is the hall's ``sso_sign_in``."""

    def authenticate(self, request, ticket, service):
        if not cas_enabled():
            return None
        client = get_cas_client(service_url=service, request=request)
        try:
            principal, attributes, _pgtiou = client.verify_ticket(ticket)
        except Exception as exc:  # noqa: BLE001 - an unreachable server is a refusal, not a 500
            logger.warning("CAS ticket check failed: %s", exc)
            principal, attributes = None, None
        if not principal:
            refuse(
                request,
                method=SignInEvent.Method.CAS,
                identifier="",
                reason=_(
                    "The campus identity system did not confirm this sign-in (the ticket was "
                    "refused or had expired). Please sign in again."
                ),
            )
            return None
        user = sso_sign_in(
            request=request,
            method=SignInEvent.Method.CAS,
            principal=principal,
            attributes=attributes or {},
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


def _keep_safe_next(request: HttpRequest) -> None:
    """django-cas-ng turns a foreign ``next`` into an error; the hall drops it instead."""
    raw = request.GET.get("next")
    if raw is not None and safe_next(request, raw, "") == "":
        query = request.GET.copy()
        del query["next"]
        request.GET = query


class CASLoginView(cas_views.LoginView):
    def get(self, request, *args, **kwargs):
        if not cas_enabled():
            raise Http404
        _keep_safe_next(request)
        try:
            return super().get(request)
        except PermissionDenied:
            return refusal_page(
                request,
                getattr(request, "hall_sso_refusal", "")
                or _("The campus identity system did not sign you in."),
            )

    def post(self, request, *args, **kwargs):
        # The CAS server's single logout (a logoutRequest posted to the service URL).
        if not cas_enabled():
            raise Http404
        if not request.POST.get("logoutRequest"):
            raise Http404
        request.GET = QueryDict("")
        return super().post(request)


class CASLogoutView(cas_views.LogoutView):
    def get(self, request, *args, **kwargs):
        if not cas_enabled():
            raise Http404
        request.GET = QueryDict("")
        return super().get(request)


# --- OpenID Connect (mozilla-django-oidc) -------------------------------------------------------


class OIDCBackend(oidc_auth.OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow and ID-token check (RS256 against the provider's JWKS);
    the person behind the claims is the hall's ``sso_sign_in``."""

    def authenticate(self, request, **kwargs):
        if not oidc_enabled() or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused:
            return None

    def verify_claims(self, claims):
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        principal = claims.get("sub", "")
        user = sso_sign_in(
            request=self.request,
            method=SignInEvent.Method.OIDC,
            principal=principal,
            attributes=claims,
        )
        if user is None:
            self.request.session["hall_sso_refusal"] = getattr(self.request, "hall_sso_refusal", "")
            raise Refused
        return user


class OIDCLoginView(oidc_views.OIDCAuthenticationRequestView):
    def get(self, request):
        if not oidc_enabled():
            raise Http404
        _keep_safe_next(request)
        return super().get(request)


class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)

    def login_failure(self):
        reason = self.request.session.pop("hall_sso_refusal", "")
        if not reason:
            reason = _(
                "The campus identity system did not confirm this sign-in (it came back "
                "without the state this browser started it with, or was refused). "
                "Please sign in again."
            )
            if "state" in self.request.GET or "code" in self.request.GET:
                sign_in_record(
                    request=self.request,
                    method=SignInEvent.Method.OIDC,
                    outcome=SignInEvent.Outcome.REFUSED,
                    reason=reason,
                )
        return refusal_page(self.request, reason)


# mozilla-django-oidc raises SuspiciousOperation for a state this session never started; the
# hall answers with its refusal page, and logs it.
def oidc_callback_safe(request: HttpRequest) -> HttpResponse:
    if not oidc_enabled():
        raise Http404
    view = OIDCCallbackView()
    view.setup(request)
    try:
        return view.get(request)
    except (SuspiciousOperation, PermissionDenied):
        return view.login_failure()
