from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme


def login_url(request: HttpRequest) -> str:
    """The header's "Log in" link: back to this page afterwards, never to the login page itself.

    On the login page the link keeps the page's own ``next`` (when it is a safe one), so
    following it never nests ``next=/accounts/login/?next=…``.
    """
    login = reverse("login")
    on_login_page = request.path == login
    after = request.GET.get("next", "") if on_login_page else request.get_full_path()
    safe = url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not after or not safe or urlsplit(after).path == login:
        return login
    return f"{login}?{urlencode({'next': after})}"


def hall(request):
    """The bell's unread count, read only when a page shows it; the header's login link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"login_url": SimpleLazyObject(lambda: login_url(request))}
    from hall.notifications import unread_count

    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
