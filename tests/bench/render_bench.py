#!/usr/bin/env python
"""Render micro-benchmark of the hall's hot list templates: per-row and per-page cost.

    .venv/bin/python tests/bench/render_bench.py [--repeat 200] [--lang zh-hans|en|both]

Renders the inbox (to do and done), my requests and the catalogue exactly as their views do
(the view's own row builder, when it has one, then the template with the request's context
processors), over 20 and over 200 rows built in memory, no database (the context that needs
one, the bell's count and the archivist flag, is given). For each it prints the median time of a
whole render at both sizes, and from them:

    per row = (t200 - t20) / 180        per page = t20 - 20 × per row

Issue #10's goal: per row <= 30 µs (a plain Django template loop costs about 27 µs a row).
Medians of ``--repeat`` renders after warm-ups; every figure is also given as a ratio to a
plain loop of the same rows ("plain loop": one anchor and two spans a row, the least a list
row does), measured in the same run, so that a busy machine weighs on both alike.

This is a benchmark, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
os.environ.pop("DATABASE_URL", None)  # no database is touched; never the shared Postgres

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.template import engines  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from hall.models import Area, Department, Service, User  # noqa: E402
from tests.bench.common import command_line, print_header  # noqa: E402
from workflows.models import ApprovalTask, ServiceRequest  # noqa: E402
from workflows.selectors import REQUEST_ROW, TASK_ROW  # noqa: E402

SIZES = (20, 200)
PLAIN = engines["django"].from_string(
    '{% for r in rows %}<li><a href="/x/{{ r.pk }}/">{{ r.name }}</a>'
    "<span>{{ r.number }}</span><span>{{ r.who }}</span></li>{% endfor %}"
)


def people(n: int) -> list[User]:
    return [User(pk=1000 + i, username=f"u{i}", full_name=f"申请人{i}") for i in range(n)]


def catalogue_rows(n: int) -> list[Service]:
    area = Area(pk=1, code="finance-research", name_zh="财务科研", name_en="Finance and research")
    dept = Department(pk=2, code="finance", name_zh="财务处", name_en="Finance Office")
    return [
        Service(
            pk=10 + i,
            code=f"service-{i}",
            name_zh=f"纵向科研项目报销{i}",
            name_en=f"Research claim {i}",
            area=area,
            department=dept,
            is_online=i % 3 != 0,
            time_limit_days=1 + i % 7,
            is_published=True,
        )
        for i in range(n)
    ]


def request_rows(n: int) -> list[ServiceRequest]:
    now = timezone.now()
    services = catalogue_rows(n)
    who = people(n)
    statuses = [s for s, _label in ServiceRequest.Status.choices]
    rows = []
    for i in range(n):
        status = statuses[i % len(statuses)]
        drafted = status == ServiceRequest.Status.DRAFT
        rows.append(
            ServiceRequest(
                pk=5000 + i,
                number=None if drafted else f"SQ20261202{i:07d}",
                service=services[i],
                applicant=who[i],
                status=status,
                urgent=i % 10 == 0,
                created_at=now - timedelta(days=i),
                updated_at=now - timedelta(days=i, hours=-1),
                submitted_at=None if drafted else now - timedelta(days=i),
                current_due=now + timedelta(days=2) if status == "in_progress" else None,
            )
        )
    return rows


def task_rows(n: int, done: bool) -> list[ApprovalTask]:
    now = timezone.now()
    requests = request_rows(n)
    return [
        ApprovalTask(
            pk=90000 + i,
            request=req,
            step_index=0,
            status="approved" if done else "pending",
            urgent=i % 10 == 0,
            created_at=now - timedelta(days=1),
            due_at=now + timedelta(hours=5 * i - 300),  # some overdue, some not
            decided_at=now - timedelta(hours=i) if done else None,
        )
        for i, req in enumerate(requests)
    ]


def as_values(objects: list, columns: tuple[str, ...]) -> list[dict]:
    """The rows ``QuerySet.values(*columns)`` reads for these objects (``a__b`` follows a
    relation): what the views' row builders take (workflows.selectors.TASK_ROW, REQUEST_ROW)."""

    def value(obj, column: str):
        for part in column.split("__"):
            obj = getattr(obj, part)
        return obj

    return [{column: value(obj, column) for column in columns} for obj in objects]


def a_request(path: str, english: bool):
    request = RequestFactory().get(path)
    request.user = User(pk=1, username="finance-reviewer1", full_name="审核人")
    request.session = {}
    request._messages = FallbackStorage(request)
    request.LANGUAGE_CODE = "en" if english else "zh-hans"
    request.csp_nonce = "n"
    return request


CONTEXT = {"unread_count": 3, "is_archivist": False}


def inbox_case(tab: str) -> Callable[[int, bool], str]:
    from workflows import views
    from workflows.forms import InboxFilterForm

    def render(n: int, english: bool) -> str:
        request = a_request(f"/tasks/?tab={tab}", english)
        form = InboxFilterForm(request.GET)
        flt = form.to_filter()
        page = Paginator(ROWS[("task values", tab, n)], n).get_page(1)
        context = views.inbox_context(form=form, flt=flt, page=page, now=timezone.now())
        return render_to_string("workflows/inbox.html", {**context, **CONTEXT}, request)

    return render


def my_requests_case(n: int, english: bool) -> str:
    from workflows import views

    request = a_request("/requests/", english)
    page = Paginator(ROWS[("request values", n)], n).get_page(1)
    context = views.my_requests_context(page=page, status="")
    return render_to_string("workflows/my_requests.html", {**context, **CONTEXT}, request)


def catalogue_case(n: int, english: bool) -> str:
    from hall import views
    from hall.forms import CatalogueFilterForm
    from hall.selectors import CatalogueFilter

    request = a_request("/services/?q=报销", english)
    services = ROWS[("services", n)]
    areas = [services[0].area]
    areas[0].service_count = n
    departments = [services[0].department]
    departments[0].service_count = n
    form = CatalogueFilterForm(request.GET, areas=areas, departments=departments)
    flt = CatalogueFilter(query="报销", terms=["报销"])
    page = Paginator(services, n).get_page(1)
    context = views.service_list_context(
        request,
        form=form,
        flt=flt,
        page=page,
        areas=areas,
        departments=departments,
        letters_in_use={"B", "C"},
        favourite_ids={services[1].pk},
    )
    return render_to_string("hall/service_list.html", {**context, **CONTEXT}, request)


def plain_case(n: int, english: bool) -> str:
    rows = [{"pk": t.pk, "name": t.request.service.name_zh, "number": t.request.number,
             "who": t.request.applicant.full_name} for t in ROWS[("tasks", "todo", n)]]  # fmt: skip
    return PLAIN.render({"rows": rows})


ROWS: dict = {}


def timed(fn: Callable[[int, bool], str], n: int, english: bool, repeat: int) -> float:
    with translation.override("en" if english else "zh-hans"):
        for _ in range(5):
            fn(n, english)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn(n, english)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeat", type=int, default=200, help="renders per case and size (median)")
    p.add_argument("--lang", choices=["zh-hans", "en", "both"], default="both")
    args = p.parse_args(argv)
    request = a_request("/", False)
    request.user = AnonymousUser()
    for n in SIZES:
        ROWS[("tasks", "todo", n)] = task_rows(n, done=False)
        ROWS[("tasks", "done", n)] = task_rows(n, done=True)
        ROWS[("requests", n)] = request_rows(n)
        ROWS[("services", n)] = catalogue_rows(n)
        for tab in ("todo", "done"):
            ROWS[("task values", tab, n)] = as_values(ROWS[("tasks", tab, n)], TASK_ROW)
        ROWS[("request values", n)] = as_values(ROWS[("requests", n)], REQUEST_ROW)
    cases = [
        ("plain loop (reference)", plain_case),
        ("inbox /tasks/ to do", inbox_case("todo")),
        ("inbox /tasks/?tab=done", inbox_case("done")),
        ("my requests /requests/", my_requests_case),
        ("catalogue /services/?q=", catalogue_case),
    ]
    languages = ["zh-hans", "en"] if args.lang == "both" else [args.lang]
    print(command_line("render_bench.py", argv))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, nproc={os.cpu_count()}")
    print(f"medians of {args.repeat} renders; per row = (t200 - t20) / 180; goal per row <= 30 µs")
    print()
    header = (
        f"{'template':<26} {'lang':<7} {'t20 ms':>7} {'t200 ms':>8} {'per row µs':>10} "
        f"{'per page ms':>11} {'row x plain':>11} {'bytes/row':>9}"
    )
    print_header(header)
    for lang in languages:
        english = lang == "en"
        plain_row = None
        for name, fn in cases:
            t20, t200 = (timed(fn, n, english, args.repeat) for n in SIZES)
            per_row = (t200 - t20) / (SIZES[1] - SIZES[0])
            per_page = t20 - SIZES[0] * per_row
            if plain_row is None:
                plain_row = per_row
            with translation.override(lang):
                size20, size200 = (len(fn(n, english).encode()) for n in SIZES)
            per_row_bytes = (size200 - size20) / (SIZES[1] - SIZES[0])
            flag = "" if per_row * 1e6 <= 30 or name.startswith("plain") else "  > 30 µs"
            print(
                f"{name:<26} {lang:<7} {t20 * 1e3:>7.2f} {t200 * 1e3:>8.2f} "
                f"{per_row * 1e6:>10.1f} {per_page * 1e3:>11.2f} "
                f"{per_row / plain_row:>11.2f} {per_row_bytes:>9.0f}{flag}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
