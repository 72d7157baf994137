"""Sessions: signed out after a while without a request, and "sign out everywhere".

The idle limit is wall-clock time since the person's last request: HALL_SESSION_IDLE_MINUTES
(480, a working day of 8 hours) for everyone, HALL_ADMIN_SESSION_IDLE_MINUTES (30) for admins
(``is_staff``), whose sessions can change the catalogue and everyone's rights. Counting it in
working hours instead would keep a session left open on Friday evening alive through the
weekend, which is the case the limit is for.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall.models import User
from hall.params import safe_next

SEEN = "hall_seen"
# The last-seen time is written at most once a minute, not on every request.
WRITE_EVERY = 60


def idle_limit_seconds(user) -> int:
    minutes = (
        settings.HALL_ADMIN_SESSION_IDLE_MINUTES
        if user.is_staff
        else settings.HALL_SESSION_IDLE_MINUTES
    )
    return max(1, minutes) * 60


def start_idle_clock(sender, request, user, **kwargs):
    """The idle clock starts at sign-in (in the session the sign-in saves anyway)."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN] = time.time()


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen = request.session.get(SEEN)
            if seen is not None and now - seen > idle_limit_seconds(user):
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": idle_limit_seconds(user) // 60},
                )
                from django.contrib.auth.views import redirect_to_login

                target = request.get_full_path() if request.method == "GET" else "/"
                return redirect_to_login(target)
            # A page's own background refresh (fetch: Sec-Fetch-Dest "empty", like the live
            # request page's poll) is not the person being there: a page left open on a
            # shared computer must not keep the session alive.
            background = request.headers.get("Sec-Fetch-Dest") == "empty"
            if not background and (seen is None or now - seen >= WRITE_EVERY):
                request.session[SEEN] = now
        return self.get_response(request)


@transaction.atomic
def sessions_end_everywhere(*, user: User) -> None:
    """Every session of this person stops being valid at its next request."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)


@login_required
@require_POST
def sign_out_everywhere(request):
    sessions_end_everywhere(user=request.user)
    logout(request)
    messages.success(
        request, _("You are signed out on every computer and phone. Sign in again to go on.")
    )
    return redirect(safe_next(request, "", "/accounts/login/"))
