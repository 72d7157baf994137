from django.http import HttpRequest

from archives import selectors


def archives(request: HttpRequest) -> dict:
    """``is_archivist`` for templates; asked (one query) only where a template reads it."""
    user = getattr(request, "user", None)
    return {"is_archivist": lambda: user is not None and selectors.is_archivist(user)}
