"""The Basic Statistics Report of Higher Education."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archives import forms_office, selectors, services
from archives.models import (
    REPORT_GROUPS,
    REPORT_ITEMS,
    REPORT_RULES,
    ReportForm,
)
from archives.views._common import _act, _archivist_only, _page, _xlsx_response


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    page, querystring = _page(request, selectors.report_tasks_for(request.user).order_by("-year"))
    return render(
        request,
        "archives/report_list.html",
        {
            "section": "reports",
            "page": page,
            "querystring": querystring,
            "today": timezone.localdate(),
        },
    )


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    today = timezone.localdate()
    form = forms_office.ReportTaskForm(request.POST or None, initial={"year": today.year - 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.report_task_create(
                user=request.user,
                year=data["year"],
                deadline=data["deadline"],
                department_ids=[d.pk for d in data["units"]],
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The report task is sent to %(n)d units.") % {"n": len(data["units"])}
            )
            return redirect(task)
    return render(request, "archives/report_create.html", {"section": "reports", "form": form})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress: which units submitted, which are late; a new deadline; the workbook."""
    task = selectors.report_task_for(request.user, pk)
    if task is None:
        raise Http404(_("No such report task."))
    form = forms_office.DeadlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_task_set_deadline(
                user=request.user, task_id=task.pk, deadline=form.cleaned_data["deadline"]
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The deadline is changed."))
            return redirect(task)
    today = timezone.localdate()
    forms = selectors.report_progress(task)
    late = today > task.deadline
    for row in forms:
        row.late = late and row.status == ReportForm.Status.DRAFT
    return render(
        request,
        "archives/report_detail.html",
        {
            "section": "reports",
            "task": task,
            "forms": forms,
            "deadline_form": form,
            "late_count": sum(1 for row in forms if row.late),
            "width": round(100 * task.submitted / task.units) if task.units else 0,
        },
    )


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per unit and a total row; figures of units that have not submitted are left
    out of the total, and their status says so."""
    task = selectors.report_task_for(request.user, pk)
    if task is None:
        raise Http404(_("No such report task."))
    forms = selectors.report_progress(task)
    header = (_("Unit"), _("Status"), *[str(item.label) for item in REPORT_ITEMS])
    rows = [
        (_("Basic Statistics Report of Higher Education %(year)d") % {"year": task.year},),
        header,
    ]
    totals = dict.fromkeys((item.key for item in REPORT_ITEMS), 0)
    for row in forms:
        submitted = row.status == ReportForm.Status.SUBMITTED
        values = [row.values.get(item.key) for item in REPORT_ITEMS]
        if submitted:
            for item in REPORT_ITEMS:
                totals[item.key] += row.values.get(item.key) or 0
        rows.append((row.department.name, str(row.get_status_display()), *values))
    submitted_count = sum(1 for row in forms if row.status == ReportForm.Status.SUBMITTED)
    rows.append(
        (
            _("Total"),
            _("%(n)d of %(total)d submitted") % {"n": submitted_count, "total": len(forms)},
            *totals.values(),
        )
    )
    return _xlsx_response(f"statistics-report-{task.year}.xlsx", rows, title=str(task.year))


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int, form_id: int) -> HttpResponse:
    task = selectors.report_task_for(request.user, pk)
    if task is None or not task.forms.filter(pk=form_id).exists():
        raise Http404(_("No such form."))
    _act(
        request,
        lambda: services.report_form_reopen(user=request.user, form_id=form_id),
        lambda _form: _("The form is back with its unit."),
    )
    return redirect(task)


@login_required
def report_forms(request: HttpRequest) -> HttpResponse:
    """A reporter's forms: their units' reports, newest year first."""
    rows = selectors.report_forms_for(request.user).order_by("-task__year", "department__code")
    page, querystring = _page(request, rows)
    return render(
        request,
        "archives/report_forms.html",
        {
            "section": "reports",
            "page": page,
            "querystring": querystring,
            "today": timezone.localdate(),
        },
    )


@login_required
def report_form(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's form: its reporters save and submit it; archivists read it."""
    form = selectors.report_form_for(request.user, pk)
    if form is None:
        raise Http404(_("No such form."))
    reporter = selectors.reporter_units(request.user).filter(pk=form.department_id).exists()
    values = dict(form.values)
    error = ""
    if request.method == "POST":
        posted = {item.key: request.POST.get(item.key, "")[:20] for item in REPORT_ITEMS}
        submit = request.POST.get("action") == "submit"
        try:
            services.report_form_save(
                user=request.user, form_id=form.pk, values=posted, submit=submit
            )
        except services.ArchiveError as exc:
            error, values = exc.message, posted
        else:
            messages.success(request, _("Submitted. Thank you.") if submit else _("Saved."))
            return redirect(form)
    today = timezone.localdate()
    editable = reporter and form.status == ReportForm.Status.DRAFT and today <= form.task.deadline
    groups = [
        (label, [(item, values.get(item.key, "")) for item in REPORT_ITEMS if item.group == key])
        for key, label in REPORT_GROUPS.items()
    ]
    return render(
        request,
        "archives/report_form.html",
        {
            "section": "reports",
            "form": form,
            "groups": groups,
            "rules": [services.report_rule_text(rule) for rule in REPORT_RULES],
            "editable": editable,
            "error": error,
            "late": today > form.task.deadline and form.status == ReportForm.Status.DRAFT,
        },
    )
