"""``{% chrome "hall/_nav.html" %}``: the header's navigation (or the footer) of base.html,
rendered once per language, kind of account and page (hall.chrome.render_once);
``{% header_tools %}``: the header's language switch, bell, name and log out, per request."""

from functools import cache

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from hall.chrome import render_once
from hall.lists import escape

register = template.Library()


@register.simple_tag(takes_context=True)
def chrome(context, template_name: str):
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return render_once(
        template_name,
        authenticated=authenticated,
        staff=bool(authenticated and user.is_staff),
        url_name=(match.url_name or "") if match else "",
        app=(match.app_name or "") if match else "",
    )


BELL_ICON = (
    '<svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
    '<path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/>'
    '<path d="M13.7 21a2 2 0 0 1-3.4 0"/></svg>'
)


@cache
def _urls(prefix: str) -> tuple[str, str, str]:
    """set_language, the messages, log out: reversed once per script prefix."""
    return reverse("set_language"), reverse("hall:notifications"), reverse("logout")


@register.simple_tag(takes_context=True)
def header_tools(context) -> SafeString:
    """The header's tools, written out in Python as the lists' rows are (README, "A fast list
    page"): as 14 template tags they were about 0.3 ms of every page. The language switch
    (back to this page), then for a person the bell with the unread count, their name and log
    out, else the login link. One CSRF token for both forms, as the template's tags share."""
    from django.urls import get_script_prefix

    request, user = context.get("request"), context.get("user")
    here = request.get_full_path() if request is not None else ""
    set_language, notifications, logout = _urls(get_script_prefix())
    token = str(context.get("csrf_token") or "")  # as {% csrf_token %} prints it
    csrf = ""
    if token and token != "NOTPROVIDED":
        csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
    if (get_language() or "").startswith("en"):
        switch = '<button type="submit" name="language" value="zh-hans" lang="zh-hans" '
        switch += 'class="link-button">中文</button>'
    else:
        switch = '<button type="submit" name="language" value="en" lang="en" '
        switch += 'class="link-button">English</button>'
    html = (
        f'<div class="header-tools">\n      <form action="{set_language}" method="post" '
        f'class="lang-form">{csrf}<input type="hidden" name="next" '
        f'value="{escape(here)}">{switch}</form>\n      '
    )
    if user is not None and user.is_authenticated:
        unread = int(str(context.get("unread_count") or 0))  # a lazy count, read here
        if unread:
            label = ngettext("Messages, %(n)s unread", "Messages, %(n)s unread", unread)
            label, count = label % {"n": unread}, f'<span class="bell-count">{unread}</span>'
        else:
            label, count = gettext("Messages"), ""
        html += (
            f'<a href="{notifications}" class="bell" aria-label="{escape(label)}">{BELL_ICON}'
            f'{count}</a>\n      <span class="who">{escape(user.get_full_name())}</span>\n      '
            f'<form action="{logout}" method="post" class="inline-form">{csrf}<button '
            f'type="submit" class="link-button">{escape(gettext("Log out"))}</button></form>'
        )
    else:
        html += f'<a href="{escape(context.get("login_url", ""))}">{escape(gettext("Log in"))}</a>'
    return SafeString(html + "\n    </div>")


@register.simple_tag(takes_context=True)
def pager(context, page=None) -> SafeString:
    """A list page's pager (``page``, else the context's, and its ``querystring``), written out
    in Python:
    what the template workflows/_pager.html printed with 3 {% translate %}, a
    {% blocktranslate %} and 8 tests of the page, which every list page included."""
    from django.utils.html import conditional_escape

    page = page if page is not None else context.get("page")
    if page is None or not page.has_other_pages():
        return SafeString("\n")
    querystring = conditional_escape(context.get("querystring") or "")
    link = f"?{querystring}&amp;page=" if querystring else "?page="
    html = f'\n<nav class="pager" aria-label="{escape(gettext("Pages"))}">\n  '
    if page.has_previous():
        html += (
            f'<a href="{link}{page.previous_page_number()}" rel="prev">← '
            f"{escape(gettext('Previous'))}</a>"
        )
    # as {% blocktranslate %} prints it: the translation as it is, the numbers escaped
    words = (
        gettext("Page %(n)s of more than %(total)s")
        if getattr(page.paginator, "capped", False)
        else gettext("Page %(n)s of %(total)s")
    )
    html += f"\n  <span>{words % {'n': page.number, 'total': page.paginator.num_pages}}</span>\n  "
    if page.has_next():
        html += (
            f'<a href="{link}{page.next_page_number()}" rel="next">{escape(gettext("Next"))} →</a>'
        )
    return SafeString(html + "\n</nav>\n")
