"""Panels the back offices add to the home page (who is on duty now, …), registered from each
app's ``AppConfig.ready()`` so that hall imports none of them. A panel is a function of the
request that returns its HTML (a SafeString) or "" when it has nothing for this person; it
must cost no query in the steady state (cache what it reads)."""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

_PANELS: dict[str, Callable[[HttpRequest], str]] = {}


def register_panel(name: str, panel: Callable[[HttpRequest], str]) -> None:
    """Adds ``panel`` to the home page; registering the same name again replaces it."""
    _PANELS[name] = panel


def panels(request: HttpRequest) -> list[SafeString]:
    shown = []
    for _name, panel in sorted(_PANELS.items()):
        html = panel(request)
        if html:
            shown.append(mark_safe(html))  # noqa: S308 - each panel escapes what it prints
    return shown
