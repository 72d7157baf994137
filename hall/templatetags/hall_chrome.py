"""``{% chrome "hall/_nav.html" %}``: the header's navigation (or the footer) of base.html,
rendered once per language, kind of account and page (hall.chrome.render_once)."""

from django import template

from hall.chrome import render_once

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
