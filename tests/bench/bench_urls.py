"""The hall's URLs plus the benchmarks' two baseline pages.

``bench/bare/<size>/``: goes through the same server, middleware, URL resolver, template engine
(with the request's context processors) and response as a real page, but runs no database query
and renders one variable, padded so that the body is exactly ``size`` bytes.

``bench/floor/``: the *floor* of issue #10, the least a real Django page does: the same path as
the bare page, plus one primary-key query (the first user, by id), whose name it prints, padded
to exactly FLOOR_BYTES (20 KB). Every hot page is measured as a ratio to it, in the same run.
"""

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from hall.urls import urlpatterns as hall_urlpatterns

BARE_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-hans">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ padding }}</p></main></body>
</html>
"""
_template = None
_overhead = None


def _bare_template():
    global _template, _overhead
    if _template is None:
        _template = engines["django"].from_string(BARE_TEMPLATE)
        _overhead = len(_template.render({"title": "bare", "padding": ""}).encode())
    return _template, _overhead


def bare(request: HttpRequest, size: int) -> HttpResponse:
    template, overhead = _bare_template()
    padding = "x" * max(0, size - overhead)
    body = template.render({"title": "bare", "padding": padding}, request)
    return HttpResponse(body)


FLOOR_BYTES = 20_000
FLOOR_PK = 1


def floor(request: HttpRequest) -> HttpResponse:
    template, overhead = _bare_template()
    person = get_user_model().objects.filter(pk=FLOOR_PK).first()  # the one primary-key query
    title = f"floor {person.username if person else '-'}"
    extra = len(title.encode()) * 2 - len(b"bare") * 2  # the title is printed twice
    padding = "x" * max(0, FLOOR_BYTES - overhead - extra)
    return HttpResponse(template.render({"title": title, "padding": padding}, request))


urlpatterns = [
    path("bench/bare/<int:size>/", bare, name="bench-bare"),
    path("bench/floor/", floor, name="bench-floor"),
    *hall_urlpatterns,
]
