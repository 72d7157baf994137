"""A button's service call, as every back office's views run it: the service does the work or
refuses with a message (its app's error, which carries ``.message``); the view says which."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

# What ``act`` returns when the service refused: the message is already on the page.
REFUSED = object()


def act(
    request: HttpRequest,
    action: Callable[[], object],
    done: str | Callable[[object], str],
    *,
    refused: type[Exception] | tuple[type[Exception], ...],
) -> object:
    """Runs ``action()``. On success adds ``done`` (a text, or a function of the result that
    makes one) as a success message and returns the result; on a refusal of the ``refused``
    kind adds its message as an error and returns ``REFUSED``. Anything else propagates."""
    try:
        result = action()
    except refused as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return REFUSED
    messages.success(request, done(result) if callable(done) else done)
    return result
