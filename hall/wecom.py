"""The hall as an enterprise WeChat application (企业微信自建应用).

Sign-in inside the WeCom client: its web OAuth2 gives a code, ``auth/getuserinfo`` turns the
code into the person's UserID, and the UserID finds our user by their stored WeCom ID or their
staff / student number. Messages: application text cards to each person (``message/send``),
sent through the hall's outbox. The access token is cached and fetched again when the API says
it expired (42001) or is not valid (40014, 40001).
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from hall.models import SignInEvent, User
from hall.params import safe_next

logger = logging.getLogger(__name__)

# https://developer.work.weixin.qq.com/document/path/90313 (全局错误码)
TOKEN_ERRORS = {40001, 40014, 42001}
RATE_LIMITED = {45009, 45033, 45035}
BUSY = {-1}
SESSION_STATE = "hall_wecom_state"


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode


class Transient(Exception):
    """The API is down, busy or rate-limiting: the outbox keeps the message and retries."""


def enabled() -> bool:
    return bool(
        settings.HALL_WECOM_CORP_ID and settings.HALL_WECOM_AGENT_ID and settings.HALL_WECOM_SECRET
    )


def in_wecom_client(request: HttpRequest) -> bool:
    # The WeCom client's browser names itself "wxwork" in its user agent.
    return "wxwork" in request.headers.get("User-Agent", "").lower()


def _token_key() -> str:
    return f"hall:wecom:token:{settings.HALL_WECOM_CORP_ID}:{settings.HALL_WECOM_AGENT_ID}"


def _http(method: str, path: str, params: dict, body: dict | None = None) -> dict:
    url = settings.HALL_WECOM_API_URL.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.HALL_WECOM_TIMEOUT) as response:
            answer = json.loads(response.read().decode() or "{}")
    except urllib.error.HTTPError as exc:
        raise Transient(f"WeCom answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise Transient(f"WeCom unreachable: {exc}") from exc
    errcode = int(answer.get("errcode", 0) or 0)
    if errcode in RATE_LIMITED or errcode in BUSY:
        raise Transient(f"WeCom errcode {errcode}: {answer.get('errmsg', '')}")
    if errcode:
        raise WeComError(errcode, answer.get("errmsg", ""))
    return answer


def access_token(*, fresh: bool = False) -> str:
    """The application's access token, from the cache while it lasts (it lives 7,200 s)."""
    if not fresh:
        token = cache.get(_token_key())
        if token:
            return token
    answer = _http(
        "GET",
        "/cgi-bin/gettoken",
        {"corpid": settings.HALL_WECOM_CORP_ID, "corpsecret": settings.HALL_WECOM_SECRET},
    )
    token = answer["access_token"]
    # Renewed a little before WeCom drops it; an early expiry is caught by the error code.
    cache.set(_token_key(), token, max(60, int(answer.get("expires_in", 7200)) - 300))
    return token


def call(method: str, path: str, params: dict | None = None, body: dict | None = None) -> dict:
    """One API call with the access token; an expired or refused token is renewed once."""
    params = dict(params or {})
    try:
        return _http(method, path, {**params, "access_token": access_token()}, body)
    except WeComError as exc:
        if exc.errcode not in TOKEN_ERRORS:
            raise
        logger.info("WeCom token refused (%s); fetching a new one", exc.errcode)
        cache.delete(_token_key())
        return _http(method, path, {**params, "access_token": access_token(fresh=True)}, body)


def textcard_send(*, to: str, title: str, description: str, url: str, button: str) -> dict:
    """An application text card to one person. WeCom drops a repeat of the same card within
    the duplicate-check interval, so a send repeated after a worker died mid-send (sent, but
    not yet marked sent) reaches the person once."""
    return call(
        "POST",
        "/cgi-bin/message/send",
        body={
            "touser": to,
            "msgtype": "textcard",
            "agentid": int(settings.HALL_WECOM_AGENT_ID),
            "textcard": {
                "title": title[:128],
                "description": description[:512],
                "url": url,
                "btntxt": button[:4],
            },
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 4 * 3600,
        },
    )


# --- sign-in inside the WeCom client ---------------------------------------------------------


def oauth_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """To WeCom's web OAuth2 (snsapi_base: the person is not asked anything)."""
    state = secrets.token_urlsafe(16)
    request.session[SESSION_STATE] = state
    callback = (
        request.build_absolute_uri(reverse("wecom-callback"))
        + "?"
        + (urllib.parse.urlencode({"next": next_url}))
    )
    query = urllib.parse.urlencode(
        {
            "appid": settings.HALL_WECOM_CORP_ID,
            "redirect_uri": callback,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": settings.HALL_WECOM_AGENT_ID,
        }
    )
    return HttpResponseRedirect(f"{settings.HALL_WECOM_OAUTH_URL}?{query}#wechat_redirect")


def user_for_wecom_id(userid: str) -> User | None:
    matches = list(User.objects.filter(Q(wecom_id=userid) | Q(number=userid))[:2])
    by_id = [u for u in matches if u.wecom_id == userid]
    return (by_id or matches or [None])[0]


class WeComBackend(ModelBackend):
    """The person behind a WeCom OAuth code."""

    def authenticate(self, request, wecom_code=None, **kwargs):
        if wecom_code is None or not enabled():
            return None
        from hall.sso import refuse, sign_in_record

        method = SignInEvent.Method.WECOM
        try:
            answer = call("GET", "/cgi-bin/auth/getuserinfo", {"code": wecom_code})
        except (WeComError, Transient) as exc:
            refuse(
                request,
                method=method,
                identifier="",
                reason=_("The enterprise WeChat did not confirm who you are (%(error)s).")
                % {"error": exc},
            )
            return None
        userid = answer.get("userid") or answer.get("UserId") or ""
        if not userid:
            refuse(
                request,
                method=method,
                identifier=answer.get("openid", ""),
                reason=_("Only members of the institution's enterprise WeChat can sign in here."),
            )
            return None
        user = user_for_wecom_id(userid)
        if user is None or not self.user_can_authenticate(user):
            refuse(
                request,
                method=method,
                identifier=userid,
                user=user,
                reason=_(
                    "The hall has no account for your enterprise WeChat ID %(userid)s. Ask the "
                    "office to add your number or WeCom ID to your account."
                )
                % {"userid": userid},
            )
            return None
        sign_in_record(
            request=request,
            method=method,
            outcome=SignInEvent.Outcome.SIGNED_IN,
            user=user,
            identifier=userid,
        )
        return user


def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where WeCom's OAuth2 comes back: sign in, then straight to the page the link named."""
    from django.contrib.auth import authenticate

    from hall.sso import refusal_page

    if not enabled():
        raise Http404
    next_url = safe_next(request, request.GET.get("next", ""), "/")
    expected = request.session.pop(SESSION_STATE, None)
    code = request.GET.get("code", "")
    if not code or not expected or request.GET.get("state") != expected:
        from hall.sso import refuse

        refuse(
            request,
            method=SignInEvent.Method.WECOM,
            identifier="",
            reason=_("This sign-in did not start here, or has been used. Open the link again."),
        )
        return refusal_page(request, request.hall_sso_refusal)
    user = authenticate(request, wecom_code=code)
    if user is None:
        return refusal_page(
            request,
            getattr(request, "hall_sso_refusal", "")
            or _("The enterprise WeChat did not sign you in."),
        )
    login(request, user, backend="hall.wecom.WeComBackend")
    return HttpResponseRedirect(next_url)
