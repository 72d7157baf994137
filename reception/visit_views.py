"""Pages of the visits: the list, a new visit, and a visit's page with its reception standard
and itinerary (and the form that adds an item, booking a resource or filling a leader's week)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from hall.actions import REFUSED, act
from hall.lists import Page, escape, url_maker
from reception import visit_plans as plans
from reception import visits as vs
from reception.activity_forms import TaskForm
from reception.models import ActivityTask, Leader, Resource, Visit, VisitLevel

PAGE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("subject"), max_length=200)
    organisation = forms.CharField(label=gettext_lazy("organisation"), max_length=200)
    guests = forms.CharField(
        label=gettext_lazy("guests"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One guest a line: name and position."),
    )
    level = forms.ChoiceField(label=gettext_lazy("level"), choices=VisitLevel.choices)
    purpose = forms.CharField(
        label=pgettext_lazy("visit", "purpose"), max_length=300, required=False
    )
    starts_on = forms.DateField(label=gettext_lazy("from"), widget=DATE)
    ends_on = forms.DateField(label=pgettext_lazy("visit", "until"), widget=DATE)
    people = forms.IntegerField(label=gettext_lazy("number of people"), min_value=1, initial=1)


class ItemForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("starts"), widget=MOMENT)
    ends_at = forms.DateTimeField(label=gettext_lazy("ends"), widget=MOMENT)
    place = forms.CharField(label=gettext_lazy("place"), max_length=200)
    activity = forms.CharField(label=gettext_lazy("activity"), max_length=200)
    participants = forms.CharField(
        label=gettext_lazy("participants"), max_length=300, required=False
    )
    resource = forms.ModelChoiceField(
        label=gettext_lazy("Book a resource"),
        queryset=Resource.objects.filter(is_active=True).order_by("kind", "code"),
        required=False,
    )
    leader = forms.ModelChoiceField(
        label=gettext_lazy("On the schedule of"),
        queryset=Leader.objects.filter(is_active=True).select_related("user"),
        required=False,
    )


def _amount(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_digits=10, decimal_places=2, required=False, initial=0
    )


class PlanForm(forms.Form):
    meals = _amount(gettext_lazy("meals"))
    rooms = _amount(gettext_lazy("accommodation"))
    cars = _amount(gettext_lazy("cars"))
    gifts = _amount(gettext_lazy("gifts"))
    reason = forms.CharField(
        label=gettext_lazy("reason for going over the standard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Only for a plan over the standard: it then goes to a higher approver."
        ),
    )


class CostsForm(forms.Form):
    meals = _amount(gettext_lazy("meals"))
    rooms = _amount(gettext_lazy("accommodation"))
    cars = _amount(gettext_lazy("cars"))
    gifts = _amount(gettext_lazy("gifts"))
    summary = forms.CharField(
        label=pgettext_lazy("visit", "summary"), widget=forms.Textarea(attrs={"rows": 3})
    )


class VisitTaskForm(TaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = dict(ActivityTask.Kind.choices)
        self.fields["kind"].choices = [(k, kinds[k]) for k in plans.TASK_KINDS]


def _visible(request: HttpRequest) -> None:
    if not vs.may_see(request.user):
        raise Http404(_("No such page."))


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    _visible(request)
    url = url_maker("reception:visit")
    levels = {k: str(v) for k, v in VisitLevel.choices}
    states = {k: escape(str(v)) for k, v in Visit.Status.choices}
    l_dates, l_visit, l_level, l_people = _("Dates"), _("Visit"), _("Level"), _("People")
    l_status = _("Status")
    rows = [
        f'<tr><td data-label="{l_dates}">{v.starts_on:%Y-%m-%d} – {v.ends_on:%m-%d}</td>'
        f'<td data-label="{l_visit}"><a href="{url(v.pk)}">{escape(v.title)}</a> '
        f"<small>{escape(v.organisation)}</small></td>"
        f'<td data-label="{l_level}">{escape(levels[v.level])}</td>'
        f'<td data-label="{l_people}">{v.people}</td>'
        f'<td data-label="{l_status}" class="status-{v.status}">{states[v.status]}</td></tr>'
        for v in vs.visits(request.user)[:PAGE]
    ]
    return render(
        request,
        "reception/visits.html",
        {"rows": mark_safe("".join(rows)), "may_edit": vs.may_edit(request.user)},
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    if not vs.may_edit(request.user):
        raise Http404(_("No such page."))
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = vs.visit_create(user=request.user, **form.cleaned_data)
        except vs.VisitError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(visit.get_absolute_url())
    return render(request, "reception/visit_new.html", {"form": form})


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = None
    if vs.may_edit(request.user):
        form = ItemForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            added = act(
                request,
                lambda: vs.item_add(
                    user=request.user,
                    visit_id=visit.pk,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    activity=data["activity"],
                    participants=data["participants"],
                    resource_id=data["resource"].pk if data["resource"] else None,
                    leader_id=data["leader"].pk if data["leader"] else None,
                ),
                _("Added to the itinerary."),
                refused=vs.VisitError,
            )
            if added is not REFUSED:
                return redirect(visit.get_absolute_url())
    elif request.method == "POST":
        raise Http404(_("No such page."))
    return _detail(request, visit, form)


def _visit(request: HttpRequest, pk: int) -> Visit:
    _visible(request)
    visit = vs.visits(request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404(_("No such visit."))
    return visit


def _detail(request, visit, form=None, plan_form=None, task_form=None, costs_form=None):
    lists = Page()
    standard = vs.standard_for(visit)
    editing = vs.may_edit(request.user)
    kinds = dict(ActivityTask.Kind.choices)
    tasks = [
        (
            t.pk,
            kinds.get(t.kind, t.kind),
            t.title,
            lists.name(t.department),
            lists.minute(t.due_at),
            lists.minute(t.done_at),
            (t.done_by.full_name or t.done_by.username) if t.done_by_id else "",
        )
        for t in plans.tasks_of(visit)
    ]
    budget = [
        (
            line.label,
            plans.yuan(line.cap),
            plans.yuan(line.planned),
            plans.yuan(line.actual),
            line.over,
            line.actual_over,
        )
        for line in plans.lines(visit, standard)
    ]
    Status = Visit.Status
    if editing and visit.status == Status.DRAFT and plan_form is None:
        plan_form = PlanForm(
            initial={k: getattr(visit, f"{k}_planned") for k in plans.KEYS}
            | {"reason": visit.over_reason}
        )
    if editing and visit.status == Status.APPROVED and costs_form is None:
        costs_form = CostsForm(initial={k: getattr(visit, f"{k}_planned") for k in plans.KEYS})
    if editing and visit.status != Status.CLOSED and task_form is None:
        task_form = VisitTaskForm()
    return render(
        request,
        "reception/visit.html",
        {
            "visit": visit,
            "standard": standard,
            "days": plans.days_of(visit),
            "items": vs.itinerary(visit),
            "form": form if editing and visit.status != Status.CLOSED else None,
            "budget": budget,
            "tasks": tasks,
            "plan_form": plan_form if visit.status == Status.DRAFT else None,
            "task_form": task_form,
            "costs_form": costs_form if visit.status == Status.APPROVED else None,
            "editing": editing,
        },
    )


def _edit(request: HttpRequest, pk: int) -> Visit:
    visit = _visit(request, pk)
    if not vs.may_edit(request.user):
        raise Http404(_("No such page."))
    return visit


def _post(request, pk: int, form_class, slot: str, action, done) -> HttpResponse:
    """One of the visit page's forms: a bad form or a refusal shows the page again with it;
    ``action(visit, data)`` calls the service."""
    visit = _edit(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        data = {k: (0 if v is None else v) for k, v in form.cleaned_data.items()}
        result = act(request, lambda: action(visit, data), done, refused=vs.VisitError)
        if result is not REFUSED:
            return redirect(visit.get_absolute_url())
    return _detail(request, visit, **{slot: form})


@login_required
@require_POST
def visit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        PlanForm,
        "plan_form",
        lambda visit, data: plans.plan_submit(user=request.user, visit_id=visit.pk, **data),
        lambda v: (
            _("The plan is sent for approval (over the standard: a higher approver too).")
            if v.over_standard
            else _("The plan is sent for approval.")
        ),
    )


@login_required
@require_POST
def visit_plan_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _edit(request, pk)
    act(
        request,
        lambda: plans.plan_reopen(user=request.user, visit_id=visit.pk),
        _("The plan is back to being planned: change it and send it for approval again."),
        refused=vs.VisitError,
    )
    return redirect(visit.get_absolute_url())


@login_required
@require_POST
def visit_task(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        VisitTaskForm,
        "task_form",
        lambda visit, data: plans.task_add(user=request.user, visit_id=visit.pk, **data),
        _("The task is given to the unit, who has been told."),
    )


@login_required
@require_POST
def visit_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        CostsForm,
        "costs_form",
        lambda visit, data: plans.visit_close(user=request.user, visit_id=visit.pk, **data),
        _("The costs and the summary are saved; the visit is being filed in the archives."),
    )


@login_required
def visit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from reception import visit_print

    visit = _visit(request, pk)
    closed = visit.status == Visit.Status.CLOSED
    body = visit_print.report_pdf(visit) if closed else visit_print.itinerary_pdf(visit)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="visit-{visit.pk}.pdf"'
    return response


@login_required
def visit_ics(request: HttpRequest, pk: int) -> HttpResponse:
    from reception import visit_print

    visit = _visit(request, pk)
    response = HttpResponse(
        visit_print.visit_feed(visit), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="visit-{visit.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
