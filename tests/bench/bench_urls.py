"""The hall's URLs plus ``bench/bare/<size>/``: the benchmark's baseline page.

The bare page goes through the same server, middleware, URL resolver, template engine (with the
request's context processors) and response as a real page, but runs no database query and
renders one variable, padded so that the body is exactly ``size`` bytes.
"""

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


urlpatterns = [path("bench/bare/<int:size>/", bare, name="bench-bare"), *hall_urlpatterns]
