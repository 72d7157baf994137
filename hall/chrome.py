"""Parts of a page that are the same for everyone in the same situation, rendered once.

The header's navigation and the page footer hold 20 ``{% url %}`` and 20 ``{% translate %}``
tags, the same on every page for everyone with the same language, the same kind of account and
on the same page. ``render_once(template, **key)`` renders ``template`` with only the key as its
context (no request, no context processors), so what it prints can depend on nothing else, and
keeps the HTML in this process, keyed by the template, the key, the language and the script
prefix. README "A fast list page".

Not kept while DEBUG is on (templates edited in development show at once), and dropped when a
test changes a setting.
"""

from collections.abc import Callable

from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_rendered: dict[tuple, SafeString] = {}
# A bound: the keys are few (languages × kinds of account × pages), this only stops a bug from
# growing the memory.
LIMIT = 2000


def render_once(template_name: str, make: Callable[[], dict] | None = None, **key) -> SafeString:
    """``make()``, when given, adds to the context what the template reads besides the key; it
    must be the same for every call with the same key (an empty filter form, say)."""
    from django.conf import settings

    def render() -> SafeString:
        return mark_safe(render_to_string(template_name, {**(make() if make else {}), **key}))

    if settings.DEBUG:
        return render()
    cache_key = (template_name, get_language(), get_script_prefix(), *sorted(key.items()))
    html = _rendered.get(cache_key)
    if html is None:
        html = render()
        if len(_rendered) >= LIMIT:
            _rendered.clear()
        _rendered[cache_key] = html
    return html


def forget(**kwargs) -> None:
    _rendered.clear()


setting_changed.connect(forget, dispatch_uid="hall.chrome.forget")
