import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from hall.models import User


class NumberOrUsernameBackend(ModelBackend):
    """Lets people log in with their staff or student number as well as their user name.

    Every failed login costs one run of the password hasher, whether the name or number exists
    or not: otherwise the time a refusal takes tells which numbers belong to someone.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = account_for_login(username)
        if user is None:
            # As ModelBackend does for an unknown name: hash once for nothing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def account_for_login(login: str) -> User | None:
    """The account a typed login names: its user name first, else its staff / student number."""
    matches = list(User.objects.filter(Q(username=login) | Q(number=login))[:2])
    by_name = [u for u in matches if u.username == login]
    return (by_name or matches or [None])[0]


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for the logins people make through a page.

    authenticate() without a request comes from code (the shell, the test client's login()),
    not from a login form, and there is no client address to count: it is left to the next
    backend instead of refused.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_account(request, credentials) -> str | None:
    """What axes counts failures against: the account, however the person typed it.

    A user name and a staff number of the same person are one account; a name nobody has is
    counted as typed.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not typed:
        return typed
    cached = getattr(request, "_hall_login_account", None)
    if cached and cached[0] == typed:
        return cached[1]
    user = account_for_login(typed)
    account = user.username if user else typed
    if request is not None:
        request._hall_login_account = (typed, account)
    return account


class AccountOrAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for a client address.

    One account locks after AXES_FAILURE_LIMIT failures in a row, however it is typed. One address
    locks only after HALL_LOGIN_ADDRESS_FAILURE_LIMIT failures over any accounts: a campus or an
    office behind one NAT address is many people, and ten typing mistakes among them must not
    lock all of them out, while an address guessing over many accounts still is.

    axes compares the larger of the two counts with one limit; an address over its own limit is
    counted as at the account limit, so both lock through axes' own path (its lockout signal, the
    lockout page, the admin's list).
    """

    def get_failures(self, request, credentials=None) -> int:
        counts = {}
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS,
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            counts[parameter] = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        account = counts.get("username", 0)
        if counts.get("ip_address", 0) >= settings.HALL_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying in the reader's language why and for how long."""
    account = login_account(request, credentials)
    address = get_client_ip_address(request)
    last = AccessAttempt.objects.filter(Q(username=account) | Q(ip_address=address)).aggregate(
        last=Max("attempt_time")
    )["last"]
    cool_off = get_cool_off(request)
    minutes = 1
    if last is not None and cool_off:
        left = (last + cool_off - timezone.now()).total_seconds()
        minutes = max(1, math.ceil(left / 60))
    message = ngettext(
        "Too many failed logins for this account or from this computer. "
        "Try again in %(minutes)d minute.",
        "Too many failed logins for this account or from this computer. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username")})
    context = {"form": form, "lockout_message": message, "next": next_url}
    return render(request, "registration/login.html", context, status=429)
