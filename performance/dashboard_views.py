"""Pages of the plans' dashboards: one unit's plan, and the whole institution (the office)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hall import params
from hall.lists import url_maker
from hall.models import Department, reading_english
from performance import dashboards, plans
from performance.models import CheckInPeriod
from performance.services import is_office

PAGE_SIZE = 50


def _quarter(q: int) -> str:
    return _("Q%(q)d") % {"q": q}


@login_required
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plans.plan_for(request.user, pk)
    if plan is None:
        raise Http404(_("No such plan."))
    today = timezone.localdate()
    board = dashboards.unit_dashboard(plan, today=today, english=reading_english())
    monthly = plan.period == CheckInPeriod.MONTHLY
    periods = plans.periods_of(plan.period)
    chart = dashboards.quarter_chart(
        [(plans.period_label(q["q"], plan.period), q["score"]) for q in board.quarters],
        _("Weighted score per month") if monthly else _("Weighted score per quarter"),
    )
    return render(
        request,
        "performance/plans/dashboard.html",
        {
            "plan": plan,
            "board": board,
            "chart": mark_safe(chart),  # noqa: S308 — built from numbers and escaped names
            "monthly": monthly,
            "quarters": [plans.period_label(q, plan.period) for q in periods],
            "due": [
                (
                    plans.period_label(q, plan.period),
                    dashboards.checkin_due(plan.year, q, plan.period),
                )
                for q in periods
            ],
            "not_reported": board.counts.get("", 0),
        },
    )


@login_required
def institution_dashboard(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise Http404(_("No such page."))
    today = timezone.localdate()
    year = params.integer(
        request, "year", label=gettext_lazy("Year"), min_value=2000, max_value=2100
    )
    year = year or today.year
    kind = params.choice(
        request, "kind", Department.Kind.choices, label=gettext_lazy("Kind of unit")
    )
    found = dashboards.institution_rows(
        year=year, kind=kind, today=today, english=reading_english()
    )
    page = Paginator(found["rows"], PAGE_SIZE).get_page(params.page_number(request))
    unit_url = url_maker("performance:plan-dashboard")
    table = [
        (
            unit_url(r["pk"]),
            r["unit"],
            r["kind"],
            r["status"],
            r["score"],
            r["n"],
            r["green"],
            r["yellow"],
            r["red"],
            r["none"],
            r["missing"],
        )
        for r in page.object_list
    ]
    chart = dashboards.quarter_chart(
        [(_quarter(q["q"]), q["average"]) for q in found["quarters"]],
        _("Average progress per quarter"),
    )
    return render(
        request,
        "performance/plans/institution.html",
        {
            "page": page,
            "table": table,
            "totals": found["totals"],
            "quarters": [(_quarter(q["q"]), q) for q in found["quarters"]],
            "chart": mark_safe(chart),  # noqa: S308 — built from numbers and escaped names
            "year": year,
            "kind": kind,
            "kinds": Department.Kind.choices,
            "due": found["due"],
            "monthly": found["monthly"],
            "querystring": urlencode({"year": year, "kind": kind}),
        },
    )
