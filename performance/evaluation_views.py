"""Pages of the evaluations: the list, the results, one unit's scoring, the Excel export."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hall import params
from hall import uploads as uploads_checker
from hall.lists import escape, url_maker
from hall.models import reading_english
from hall.people import PeopleField
from performance import evaluation as ev
from performance.forms import MAX_EVIDENCE
from performance.models import EntryItem, Evaluation, Grade, Indicator, ScoreItem
from performance.services import is_office

PAGE_SIZE = 50


def _evaluation(request: HttpRequest, pk: int) -> Evaluation:
    found = ev.evaluation_for(request.user, pk)
    if found is None:
        raise Http404(_("No such evaluation."))
    return found


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    office = is_office(request.user)
    if not office and not ev.visible_evaluations(request.user).exists():
        raise Http404(_("No such page."))
    rows = ev.visible_evaluations(request.user).order_by("-year", "period", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    url = url_maker("performance:evaluation")
    periods = dict(Evaluation.Period.choices)
    states = dict(Evaluation.Status.choices)
    table = [
        (url(e.pk), e.year, str(periods[e.period]), str(states[e.status]), e.archive_code)
        for e in page.object_list
    ]
    committee = CommitteeForm() if office else None
    return render(
        request,
        "performance/evaluations/list.html",
        {
            "page": page,
            "table": table,
            "office": office,
            "periods": Evaluation.Period.choices,
            "year": timezone.localdate().year,
            "committee": committee,
        },
    )


class CommitteeForm(forms.Form):
    committee = PeopleField(label=gettext_lazy("Committee"), required=False)


@login_required
@require_POST
def evaluation_open(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise Http404(_("No such page."))
    year = params.integer(
        request,
        "year",
        label=gettext_lazy("Year"),
        min_value=2000,
        max_value=2100,
        data=request.POST,
    )
    quota = params.integer(
        request,
        "quota",
        label=gettext_lazy("Excellent quota (%)"),
        min_value=0,
        max_value=100,
        data=request.POST,
    )
    if year is None or quota is None:
        messages.error(request, _("Give the year and the excellent quota."))
        return redirect("performance:evaluations")
    # The committee named with the people picker; an unknown person is refused with a message.
    named = CommitteeForm(request.POST)
    if not named.is_valid():
        messages.error(request, " ".join(str(e) for e in named.errors.get("committee", [])))
        return redirect("performance:evaluations")
    try:
        found = ev.evaluation_open(
            user=request.user,
            year=year,
            period=request.POST.get("period", ""),
            quota=quota,
            committee=[u.pk for u in named.cleaned_data["committee"]],
        )
    except ev.EvaluationError as exc:
        messages.error(request, exc.message)
        return redirect("performance:evaluations")
    messages.success(request, _("The evaluation is open; the self-scores are computed."))
    return redirect(found)


def _grades() -> dict[str, str]:
    return {k: str(v) for k, v in Grade.choices}


def _num(value) -> str:
    return "" if value is None else f"{value}"


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The results: every unit ranked, with its scores and grade, and the distribution."""
    evaluation = _evaluation(request, pk)
    english = reading_english()
    grades = _grades()
    entries = ev.results(evaluation)
    page = Paginator(entries, PAGE_SIZE).get_page(params.page_number(request))
    prefix = evaluation.get_absolute_url() + "entries/"
    veto_label = _("Veto")
    table = [
        (
            f"{prefix}{e.pk}/",
            e.rank,
            escape(e.unit.name_en if english and e.unit.name_en else e.unit.name_zh),
            _num(e.self_score),
            _num(e.reviewer_score),
            _num(e.committee_score),
            _num(e.final_score),
            grades.get(e.grade, ""),
            e.grade,
            f"{veto_label}: {escape(e.veto_reason)}" if e.veto else "",
        )
        for e in page.object_list
    ]
    counts = {g: 0 for g in Grade.values}
    for e in entries:
        counts[e.grade] = counts.get(e.grade, 0) + 1
    n = len(entries)
    distribution = [
        (grades[g], counts[g], round(100 * counts[g] / n) if n else 0) for g in Grade.values
    ]
    office = is_office(request.user)
    return render(
        request,
        "performance/evaluations/detail.html",
        {
            "evaluation": evaluation,
            "page": page,
            "table": table,
            "distribution": distribution,
            "allowed": ev.quota_of(n, evaluation.quota_excellent),
            "demoted": ev.demoted(evaluation),
            "office": office,
            "scoring": evaluation.status == Evaluation.Status.SCORING,
        },
    )


@login_required
def entry_detail(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """One unit: its indicators' marks by their rules, and the forms of who may score."""
    evaluation = _evaluation(request, pk)
    entry = evaluation.entries.select_related("unit", "plan").filter(pk=entry_id).first()
    if entry is None:
        raise Http404(_("No such unit in this evaluation."))
    office = is_office(request.user)
    member = ev.is_committee(request.user, evaluation)
    if request.method == "POST":
        return _entry_post(request, evaluation, entry, office, member)
    rules = dict(Indicator.Rule.choices)
    kinds = {k: str(v) for k, v in ScoreItem.Kind.choices}
    rows = [
        (
            escape(r["line"].indicator.name),
            str(rules.get(r["line"].indicator.rule, "")),
            r["line"].weight,
            r["progress"],
            r["expected"],
            r["reached"],
            r["score"],
        )
        for r in ev.breakdown(entry.plan, evaluation.period)
    ]
    return render(
        request,
        "performance/evaluations/entry.html",
        {
            "evaluation": evaluation,
            "entry": entry,
            "rows": rows,
            "indicators_total": sum(r[6] for r in rows),
            "grade": _grades().get(entry.grade, ""),
            "picked": [
                (p, p.item.label, kinds.get(p.kind, p.kind))
                for p in entry.items.select_related("item").order_by("pk")
            ],
            "catalogue": (
                [
                    (i.pk, f"{kinds.get(i.kind, i.kind)} · {i.label} ({i.points})", i)
                    for i in ScoreItem.objects.filter(active=True).order_by("kind", "name", "pk")
                ]
                if office
                else []
            ),
            "office": office,
            "member": member,
            "scoring": evaluation.status == Evaluation.Status.SCORING,
        },
    )


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").strip() or "0")
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < 1000 else None


def _id(value) -> int:
    try:
        return max(0, min(int(value), 2**31 - 1))
    except (TypeError, ValueError):
        return 0


def _entry_post(request, evaluation, entry, office: bool, member: bool) -> HttpResponse:
    action = request.POST.get("action", "")
    back = f"{evaluation.get_absolute_url()}entries/{entry.pk}/"
    office_actions = ("veto", "item-add", "item-remove", "review")
    if (action in office_actions and not office) or (action == "committee" and not member):
        raise Http404(_("No such page."))
    try:
        if action == "veto":
            ev.entry_veto_set(
                user=request.user,
                evaluation_id=evaluation.pk,
                entry_id=entry.pk,
                veto=request.POST.get("veto") == "on",
                veto_reason=request.POST.get("veto_reason", "")[:300],
            )
        elif action == "item-add":
            evidence = request.FILES.get("evidence")
            if evidence:
                try:
                    uploads_checker.check_upload(evidence, max_bytes=MAX_EVIDENCE)
                except ValidationError as exc:
                    raise ev.EvaluationError(" ".join(exc.messages)) from exc
            ev.entry_item_add(
                user=request.user,
                evaluation_id=evaluation.pk,
                entry_id=entry.pk,
                item_id=_id(request.POST.get("item")),
                note=request.POST.get("note", "")[:500],
                evidence=evidence,
            )
        elif action == "item-remove":
            ev.entry_item_remove(
                user=request.user,
                evaluation_id=evaluation.pk,
                entry_id=entry.pk,
                picked_id=_id(request.POST.get("picked")),
            )
        elif action in ("review", "committee"):
            score = _decimal(request.POST.get("score"))
            if score is None:
                raise ev.EvaluationError(_("A score is a number from 0 to 100."))
            scorer = ev.entry_review if action == "review" else ev.entry_committee
            scorer(user=request.user, evaluation_id=evaluation.pk, entry_id=entry.pk, score=score)
        else:
            raise Http404(_("No such page."))
    except ev.EvaluationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(back)


@login_required
@require_POST
def evaluation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    if not is_office(request.user):
        raise Http404(_("No such page."))
    try:
        if action == "recompute":
            ev.evaluation_recompute(user=request.user, evaluation_id=evaluation.pk)
            messages.success(request, _("The self-scores are computed again."))
        elif action == "submit":
            ev.evaluation_submit(user=request.user, evaluation_id=evaluation.pk)
            messages.success(request, _("The results are sent for approval."))
        else:
            raise Http404(_("No such page."))
    except ev.EvaluationError as exc:
        messages.error(request, exc.message)
    return redirect(evaluation)


@login_required
def evaluation_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    response = HttpResponse(
        ev.workbook(evaluation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"evaluation-{evaluation.year}-{evaluation.period}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def item_evidence(request: HttpRequest, pk: int, entry_id: int, picked_id: int) -> FileResponse:
    """The evidence of a bonus or penalty item, for whoever may see the evaluation."""
    evaluation = _evaluation(request, pk)
    found = (
        EntryItem.objects.filter(entry__evaluation=evaluation, entry_id=entry_id, pk=picked_id)
        .exclude(evidence="")
        .first()
    )
    if found is None:
        raise Http404(_("No such file."))
    return FileResponse(found.evidence.open("rb"), as_attachment=True)
