"""Pages of the unit plans: the list, a plan with its indicators and check-ins, the actions."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hall import params
from hall import uploads as uploads_checker
from performance import plans
from performance.dashboards import is_late
from performance.forms import MAX_EVIDENCE
from performance.models import (
    CheckIn,
    CheckInPeriod,
    IndicatorKind,
    Plan,
    PlanTemplate,
    TargetChange,
)
from performance.services import is_office

PAGE_SIZE = 50
LIGHTS = {
    plans.Light.GREEN: gettext_lazy("On track"),
    plans.Light.YELLOW: gettext_lazy("Behind"),
    plans.Light.RED: gettext_lazy("Off track"),
}


class CheckInForm(forms.Form):
    # The quarter, or the month of a monthly plan (the service checks it against the plan).
    quarter = forms.IntegerField(label=gettext_lazy("Period"), min_value=1, max_value=12)
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=2)
    narrative = forms.CharField(label=gettext_lazy("Narrative"), max_length=5000, required=False)
    evidence = forms.FileField(label=gettext_lazy("Evidence"), required=False)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            uploads_checker.check_upload(upload, max_bytes=MAX_EVIDENCE)
        return upload


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = plans.plan_for(request.user, pk)
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def _name(english: bool, zh: str, en: str) -> str:
    return en if english and en else zh


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans the person may see, with how many indicators are behind or off track."""
    rows = plans.visible_plans(request.user).order_by("-year", "unit__order", "unit__code", "pk")
    rows = rows.annotate(
        n_lines=Count("lines"),
        n_red=Count("lines", filter=Q(lines__light=plans.Light.RED)),
        n_yellow=Count("lines", filter=Q(lines__light=plans.Light.YELLOW)),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    states = {k: str(v) for k, v in Plan.Status.choices}
    prefix = reverse("performance:plans")
    table = [
        (
            f"{prefix}{plan.pk}/",
            plan.year,
            _name(english, plan.unit.name_zh, plan.unit.name_en),
            states.get(plan.status, plan.status),
            plan.n_lines,
            plan.n_yellow,
            plan.n_red,
        )
        for plan in page.object_list
    ]
    office = is_office(request.user)
    templates = list(PlanTemplate.objects.order_by("pk")) if office else []
    return render(
        request,
        "performance/plans/list.html",
        {
            "page": page,
            "table": table,
            "office": office,
            "templates": templates,
            "heads_unit": request.user.headed_departments.exists(),
        },
    )


@login_required
@require_POST
def plans_apply(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise Http404(_("No such page."))
    template_id = plans._int(request.POST.get("template"))
    year = plans._int(request.POST.get("year"))
    template = PlanTemplate.objects.filter(pk=template_id or 0).first()
    if template is None or year is None or not 2000 <= year <= 2100:
        messages.error(request, _("Choose a template and a year."))
        return redirect("performance:plans")
    try:
        made = plans.plans_from_template(user=request.user, template_id=template.pk, year=year)
    except plans.PlanError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d plans made from the template.") % {"n": made})
    return redirect("performance:plans")


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    lines = plans.lines_of(plan)
    checkins = {}
    for c in CheckIn.objects.filter(line__plan=plan).order_by("line_id", "quarter"):
        checkins.setdefault(c.line_id, []).append(c)
    changes = {}
    for change in TargetChange.objects.filter(line__plan=plan).order_by("line_id", "pk"):
        changes.setdefault(change.line_id, []).append(change)
    kinds = {k: str(v) for k, v in IndicatorKind.choices}
    lights = {k: str(v) for k, v in LIGHTS.items()}
    rows = [
        {
            "line": line,
            "kind": kinds.get(line.kind, line.kind),
            "light": lights.get(line.light, ""),
            "checkins": [
                (
                    c,
                    lights.get(c.light, ""),
                    plans.period_label(c.quarter, plan.period),
                    is_late(c.at, plan.year, c.quarter, plan.period),
                )
                for c in checkins.get(line.pk, [])
            ],
            "changes": changes.get(line.pk, []),
        }
        for line in lines
    ]
    return render(
        request,
        "performance/plans/detail.html",
        {
            "plan": plan,
            "rows": rows,
            "total": sum(line.weight for line in lines),
            "may_edit": plans.may_edit(request.user, plan),
            "form": CheckInForm(),
            "monthly": plan.period == CheckInPeriod.MONTHLY,
            "n_periods": len(plans.periods_of(plan.period)),
            "periods": CheckInPeriod.choices,
            "pending_weights": plan.weight_changes.filter(status="pending").exists(),
        },
    )


def _refused(request, exc) -> None:
    messages.error(request, exc.message)


@login_required
@require_POST
def plan_weights(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    weights = {}
    for line in plan.lines.all():
        value = plans._int(request.POST.get(f"weight-{line.pk}"))
        if value is None:
            messages.error(request, _("Every weight is a whole number."))
            return redirect(plan)
        weights[line.pk] = value
    try:
        plans.plan_weights_set(plan_id=plan.pk, user=request.user, weights=weights)
    except plans.PlanError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Weights saved."))
    return redirect(plan)


@login_required
@require_POST
def plan_period(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        plans.plan_period_set(
            plan_id=plan.pk, user=request.user, period=str(request.POST.get("period", ""))[:20]
        )
    except plans.PlanError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Check-in period saved."))
    return redirect(plan)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        plans.plan_submit(plan_id=plan.pk, user=request.user)
    except plans.PlanError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The plan is sent for approval."))
    return redirect(plan)


@login_required
@require_POST
def checkin(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = plan.lines.filter(pk=line_id).first()
    if line is None:
        raise Http404(_("No such indicator."))
    form = CheckInForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(plan)
    data = form.cleaned_data
    try:
        value = Decimal(data["value"])
    except InvalidOperation:  # pragma: no cover - the form has checked it
        raise Http404 from None
    try:
        plans.checkin_record(
            line_id=line.pk,
            user=request.user,
            quarter=data["quarter"],
            value=value,
            narrative=data["narrative"],
            evidence=data["evidence"],
        )
    except plans.PlanError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Check-in recorded."))
    return redirect(plan)


@login_required
def checkin_evidence(request: HttpRequest, pk: int, checkin_id: int) -> FileResponse:
    plan = _plan(request, pk)
    found = CheckIn.objects.filter(line__plan=plan, pk=checkin_id).exclude(evidence="").first()
    if found is None:
        raise Http404(_("No such file."))
    return FileResponse(found.evidence.open("rb"), as_attachment=True)


@login_required
@require_POST
def target_change(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = plan.lines.filter(pk=line_id).first()
    if line is None:
        raise Http404(_("No such indicator."))
    try:
        new_target = Decimal(request.POST.get("new_target", "").strip())
        if not new_target.is_finite() or abs(new_target) >= Decimal("1e12"):
            raise InvalidOperation
    except InvalidOperation:
        messages.error(request, _("Give the new target as a number."))
        return redirect(plan)
    try:
        plans.target_change_request(
            line_id=line.pk,
            user=request.user,
            new_target=new_target.quantize(Decimal("0.01")),
            reason=request.POST.get("reason", "")[:2000],
        )
    except plans.PlanError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The new target is sent for approval."))
    return redirect(plan)


@login_required
@require_POST
def weights_change(request: HttpRequest, pk: int) -> HttpResponse:
    """An approved plan's new weights, sent for their own approval (nothing moves before)."""
    from performance.weight_changes import weight_change_request

    plan = _plan(request, pk)
    weights = {}
    for line_id in plan.lines.values_list("pk", flat=True):
        value = plans._int(request.POST.get(f"weight-{line_id}"))
        if value is None or not 0 <= value <= 100:
            messages.error(request, _("Every weight is a whole number."))
            return redirect(plan)
        weights[line_id] = value
    try:
        weight_change_request(
            plan_id=plan.pk,
            user=request.user,
            weights=weights,
            reason=str(request.POST.get("reason", ""))[:2000],
        )
    except plans.PlanError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The new weights are sent for approval."))
    return redirect(plan)


@login_required
def plan_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of a plan with what changed, for whoever may see the plan."""
    from performance.weight_changes import versions_of

    plan = _plan(request, pk)
    rows = versions_of(plan)
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    return render(
        request,
        "performance/plans/versions.html",
        {"plan": plan, "page": page, "rows": page.object_list},
    )
