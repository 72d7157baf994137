"""Pages of a unit head's own evaluation results (after approval; others 404)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hall.lists import escape, table_page, url_maker
from hall.models import reading_english
from performance import evaluation as ev
from performance import unit_results
from performance.models import Evaluation, Grade, Indicator

PAGE_SIZE = 50


def _num(value) -> str:
    return "–" if value is None else f"{value}"


@login_required
def result_list(request: HttpRequest) -> HttpResponse:
    if not unit_results.headed_units(request.user).exists():
        raise Http404(_("No such page."))
    english = reading_english()
    url = url_maker("performance:unit-result")
    periods = {k: str(v) for k, v in Evaluation.Period.choices}
    grades = {k: str(v) for k, v in Grade.choices}
    veto = _("Veto")

    def row(e) -> tuple:
        return (
            url(e.pk),
            e.evaluation.year,
            periods.get(e.evaluation.period, ""),
            escape(e.unit.name_en if english and e.unit.name_en else e.unit.name_zh),
            grades.get(e.grade, ""),
            e.grade,
            f"{e.rank} / {e.ranked}",
            _num(e.self_score),
            _num(e.reviewer_score),
            _num(e.committee_score),
            _num(e.final_score),
            f"{veto}: {escape(e.veto_reason)}" if e.veto else "",
        )

    return table_page(
        request,
        "performance/evaluations/unit_results.html",
        unit_results.unit_results(request.user),
        row,
        per_page=PAGE_SIZE,
    )


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = unit_results.unit_result_for(request.user, pk)
    if entry is None:
        raise Http404(_("No such result."))
    rules = {k: str(v) for k, v in Indicator.Rule.choices}
    rows = [
        (
            r["line"].indicator.name,
            rules.get(r["line"].indicator.rule, ""),
            r["line"].weight,
            r["progress"],
            r["expected"],
            r["reached"],
            r["score"],
        )
        for r in ev.breakdown(entry.plan, entry.evaluation.period)
    ]
    return render(
        request,
        "performance/evaluations/unit_result.html",
        {
            "entry": entry,
            "evaluation": entry.evaluation,
            "grade": dict(Grade.choices).get(entry.grade, ""),
            "rows": rows,
        },
    )
