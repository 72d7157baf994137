"""What a fast list page uses: work done once per page, so that a row costs a few µs.

A row of a list page should cost about what a plain template loop costs (~15-30 µs): no
``reverse()`` (~40-70 µs), ``{% translate %}``, ``timesince`` (~30 µs) or ``date`` filter (~25 µs)
per row. The view builds plain dicts with these helpers, created once per page, and the template
prints them (README, "A fast list page"; measured by tests/bench/render_bench.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape as _escape

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext, ngettext

from hall.models import reading_english


def escape(value: object) -> str:
    """What ``{{ value }}`` prints for a text: HTML-escaped (quotes too), as Django's ``escape``,
    without making a SafeString of each piece of a row."""
    return _escape(str(value))


_SENTINEL = "0hall0list0sentinel0"  # a valid slug: stands for the argument in one reverse()
_NUMBER = 987654321  # likewise, for an <int:…> argument


def url_maker(viewname: str, *, slug: bool = False) -> Callable[[object], str]:
    """``make(arg)`` gives ``reverse(viewname, args=[arg])`` from one reversed prefix.

    The argument must be one the URL pattern takes as it is (an int, or a slug with
    ``slug=True``): it is put in without quoting, as ``reverse()`` would leave it.
    """
    marker = _SENTINEL if slug else _NUMBER
    head, tail = reverse(viewname, args=[marker]).split(str(marker))

    def make(arg: object) -> str:
        return f"{head}{arg}{tail}"

    return make


class Page:
    """The reader's language and time zone and the labels of one page, read once.

    ``name(obj)`` is ``obj.name`` (hall.models.Bilingual) without asking the language again;
    ``minute(dt)`` is ``dt|date:"Y-m-d H:i"``; ``since(a, b)`` is ``timesince(a, b)``.
    """

    def __init__(self) -> None:
        self.english = reading_english()
        self.zone = timezone.get_current_timezone()
        self._durations: dict[tuple[str, int], str] = {}
        self._comma = gettext(", ")

    def name(self, obj, field: str = "name") -> str:
        zh = getattr(obj, f"{field}_zh")
        en = getattr(obj, f"{field}_en")
        if self.english:
            return en or zh
        return zh or en

    def minute(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def iso(self, value: datetime | None) -> str:
        """``value|date:'c'``: ISO 8601 in the current time zone."""
        if value is None:
            return ""
        return value.astimezone(self.zone).isoformat()

    def _part(self, unit: str, count: int) -> str:
        key = (unit, count)
        text = self._durations.get(key)
        if text is None:
            text = self._durations[key] = avoid_wrapping(TIME_STRINGS[unit] % {"num": count})
        return text

    def since(self, earlier: datetime, later: datetime) -> str:
        """``timesince(earlier, later)`` (two units at most), its words translated once a page.

        Under four weeks no calendar month can pass, so the parts are plain arithmetic; longer
        spans go to Django's own ``timesince``.
        """
        delta = later - earlier
        if delta >= timedelta(days=28):
            return timesince(earlier, later)
        seconds = delta.days * 86400 + delta.seconds
        if seconds < 60:
            return self._part("minute", 0)
        days, rest = divmod(seconds, 86400)
        parts = (
            ("week", days // 7),
            ("day", days % 7),
            ("hour", rest // 3600),
            ("minute", rest % 3600 // 60),
        )
        i = next(i for i, (_unit, count) in enumerate(parts) if count)
        shown = [self._part(*parts[i])]
        if i + 1 < len(parts) and parts[i + 1][1]:
            shown.append(self._part(*parts[i + 1]))
        return self._comma.join(shown)


def service_rows(services) -> list[SafeString]:
    """The catalogue's rows of Service objects (with their area and department); see
    ``catalogue_rows``."""
    return catalogue_rows(
        (
            s.code,
            s.name_zh,
            s.name_en,
            s.time_limit_days,
            s.is_online,
            s.department.name_zh,
            s.department.name_en,
            s.area.name_zh,
            s.area.name_en,
        )
        for s in services
    )


def catalogue_rows(rows) -> list[SafeString]:
    """The catalogue's rows (hall/_service_item.html written out once a page, as the inbox's):
    name, department, area, online or in person, the promised working days. Each row is a
    tuple as ``hall.selectors.CATALOGUE_ROW`` reads it (a few columns, no model instance):
    code, name_zh, name_en, time_limit_days, is_online, then the department's and the area's
    name_zh and name_en (any fields after those are not read)."""
    english = reading_english()
    service_url = url_maker("hall:service-detail", slug=True)
    online = f'<span class="badge online">{escape(gettext("Online"))}</span>'
    offline = f'<span class="badge offline">{escape(gettext("In person"))}</span>'
    days: dict[int, str] = {}
    names: dict[tuple[str, str], str] = {}  # department and area names: a few, shared by many rows
    html = []
    for code, zh, en, limit, is_online, dept_zh, dept_en, area_zh, area_en, *_rest in rows:
        if limit not in days:
            days[limit] = escape(
                ngettext("%(days)s working day", "%(days)s working days", limit) % {"days": limit}
            )
        for pair in ((dept_zh, dept_en), (area_zh, area_en)):
            if pair not in names:
                names[pair] = escape((pair[1] or pair[0]) if english else (pair[0] or pair[1]))
        name = (en or zh) if english else (zh or en)
        html.append(
            SafeString(
                f'<li class="service-item"><a class="service-name" '
                f'href="{service_url(code)}">{escape(name)}</a>'
                f'<span class="service-meta"><span>{names[dept_zh, dept_en]}</span>'
                f"<span>{names[area_zh, area_en]}</span>{online if is_online else offline}"
                f"<span>{days[limit]}</span></span></li>"
            )
        )
    return html


def table_page(
    request, template: str, rows, row, *, per_page: int = 50, paginator=Paginator, **context
):
    """A list page's common tail: the asked page of ``rows`` (``hall.params``: a bad number is
    the first page), each object made a row by ``row(obj)`` (once a row, no query), rendered
    with ``page``, ``table``, an empty ``querystring`` and ``context``."""
    from django.shortcuts import render

    from hall import params

    page = paginator(rows, per_page).get_page(params.page_number(request))
    table = [row(obj) for obj in page.object_list]
    return render(request, template, {"page": page, "table": table, "querystring": "", **context})


class CappedPaginator(Paginator):
    """A pager that counts at most ``cap`` rows: a register of a million rows pages through
    its newest without counting them all on every page. Past the cap it says "more than"
    (``capped``) and offers the pages up to it; filters narrow the rest."""

    def __init__(self, object_list, per_page, *, cap: int = 10_000, walked=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        # The same rows read another way, for when more than ``cap`` match: a search without
        # its narrowing index, so the database walks the list's ordered index and stops at the
        # page instead of reading and sorting every match (a common word's 33k of a million).
        self.walked = walked

    def page(self, number):
        if self.walked is not None and self.capped:
            self.object_list = self.walked
        return super().page(number)

    @cached_property
    def _counted(self) -> int:
        # COUNT(*) over a LIMIT: the database stops after cap + 1 rows. Without the list's
        # ORDER BY, or it would sort every match first (a two-character word's 33k documents
        # of a million) only to count some of them.
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()
        return rows[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap
