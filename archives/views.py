import uuid
from collections.abc import Callable
from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archives import forms_office, selectors, services
from archives.forms import AccessionForm, ImportForm
from archives.models import (
    REPORT_GROUPS,
    REPORT_ITEMS,
    REPORT_RULES,
    ArchiveEvent,
    Certificate,
    Record,
    ReportForm,
    Retention,
)
from hall.models import Department, Service


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _act(request: HttpRequest, action: Callable[[], object], done: Callable[[object], str]) -> None:
    """A button's service call: what it did, or why it was refused, as a message."""
    try:
        result = action()
    except services.ArchiveError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(result))


def _querystring(request: HttpRequest) -> str:
    """The list's query without its page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page(request: HttpRequest, rows, per_page: int = settings.HALL_PAGE_SIZE):
    return Paginator(rows, per_page).get_page(request.GET.get("page")), _querystring(request)


def _archivist_only(request: HttpRequest) -> None:
    if not selectors.is_archivist(request.user):
        raise Http404(_("No such page."))


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    q = request.GET.get("q", "")[:100]
    year = _int(request.GET.get("year"))
    retention = request.GET.get("retention", "")
    retention = retention if retention in Retention.values else ""
    status = request.GET.get("status", "")
    status = status if status in Record.Status.values else ""
    org_code = request.GET.get("org", "")[:10]
    department = _int(request.GET.get("department"))
    page = selectors.search_page(
        request.user,
        number=request.GET.get("page"),
        per_page=settings.HALL_PAGE_SIZE,
        q=q,
        year=year,
        retention=retention,
        org_code=org_code,
        department=department,
        status=status,
        fixity_failed=request.GET.get("fixity") == "failed",
    )
    return render(
        request,
        "archives/record_list.html",
        {
            "section": "records",
            "page": page,
            "q": q,
            "year": year,
            "retention": retention,
            "org_code": org_code,
            "department": department,
            "status": status,
            "retentions": Retention.choices,
            "statuses": Record.Status.choices,
            "departments": Department.objects.order_by("order", "code").only(
                "pk", "name_zh", "name_en"
            ),
            "querystring": _querystring(request),
        },
    )


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_for(request.user, pk)
    if record is None:
        raise Http404(_("No such record."))
    services.event(kind=ArchiveEvent.Kind.VIEW, record=record, actor=request.user)
    archivist = selectors.is_archivist(request.user)
    return render(
        request,
        "archives/record_detail.html",
        {
            "section": "records",
            "record": record,
            "archivist": archivist,
            "files": list(record.files.all()),
            "events": list(record.events.select_related("actor").order_by("-at")[:50])
            if archivist
            else [],
            "holds": list(record.holds.select_related("placed_by", "released_by"))
            if archivist
            else [],
            "appraisals": list(record.appraisals.select_related("appraisal")) if archivist else [],
        },
    )


@login_required
def record_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    record = selectors.record_for(request.user, pk)
    stored = record.files.filter(pk=file_id).first() if record else None
    if stored is None:
        raise Http404(_("No such file."))
    services.event(
        kind=ArchiveEvent.Kind.DOWNLOAD, record=record, actor=request.user, file=stored.name
    )
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)


@login_required
@require_POST
def hold_place(request: HttpRequest, pk: int) -> HttpResponse:
    _archivist_only(request)
    _act(
        request,
        lambda: services.hold_place(
            record_id=pk, user=request.user, reason=request.POST.get("reason", "")[:300]
        ),
        lambda _hold: _("The record is held: it cannot be destroyed."),
    )
    return redirect("archives:record-detail", pk=pk)


@login_required
@require_POST
def hold_release(request: HttpRequest, pk: int, hold_id: int) -> HttpResponse:
    _archivist_only(request)
    _act(
        request,
        lambda: services.hold_release(hold_id=hold_id, user=request.user),
        lambda _hold: _("The hold was released."),
    )
    return redirect("archives:record-detail", pk=pk)


# --- accession ---------------------------------------------------------------------------------


@login_required
def accession(request: HttpRequest) -> HttpResponse:
    """Manual accession: describe the material and upload its files."""
    _archivist_only(request)
    form = AccessionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_accession(
                user=request.user,
                package=services.FilingPackage(
                    title=data["title"],
                    date=data["date"],
                    files=[(f.name, f.read()) for f in data["files"]],
                    retention=data["retention"],
                    department_id=data["department"].pk if data["department"] else None,
                    responsible=data["responsible"],
                    doc_number=data["doc_number"],
                    security=data["security"],
                    remarks=data["remarks"],
                    metadata={"pages": data["pages"], "accession": True},
                ),
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Filed as %(code)s.") % {"code": record.code})
            return redirect(record)
    return render(request, "archives/accession.html", {"section": "accession", "form": form})


@login_required
def records_import(request: HttpRequest) -> HttpResponse:
    """Batch import of a paper-era catalogue from Excel: all rows or none."""
    _archivist_only(request)
    if request.GET.get("template"):
        return _xlsx_response(
            "archives-import-template.xlsx",
            [
                ("题名", "日期", "保管期限", "机构", "责任者", "文号", "页数", "密级", "备注"),
                (
                    "关于1998年招生工作的通知",
                    "1998-05-12",
                    "永久",
                    "",
                    "教务处",
                    "校教〔1998〕12号",
                    3,
                    "内部",
                    "",
                ),
            ],
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            records = services.records_import(user=request.user, upload=form.cleaned_data["file"])
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(n)d records filed: %(first)s … %(last)s.")
                % {"n": len(records), "first": records[0].code, "last": records[-1].code},
            )
            return redirect("archives:record-list")
    return render(
        request,
        "archives/import.html",
        {"section": "accession", "form": form, "columns": services.IMPORT_COLUMNS},
    )


def _xlsx_response(filename: str, rows: list[tuple], title: str = "") -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title[:31]
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    """The classification scheme in use: year → organization → retention, with counts."""
    _archivist_only(request)
    return render(
        request,
        "archives/classes.html",
        {"section": "classes", "classes": list(selectors.classes())},
    )


# --- appraisal and disposal -------------------------------------------------------------------


@login_required
def appraisal(request: HttpRequest) -> HttpResponse:
    """Records due for appraisal; the archivist proposes a decision per record."""
    _archivist_only(request)
    if request.method == "POST":
        proposals = []
        for record_id in request.POST.getlist("record"):
            decision = request.POST.get(f"decision-{record_id}", "")
            proposals.append(
                {
                    "record": _int(record_id),
                    "decision": decision,
                    "years": _int(request.POST.get(f"years-{record_id}")),
                    "reason": request.POST.get(f"reason-{record_id}", "")[:300],
                }
            )
        try:
            batch = services.appraisal_create(user=request.user, proposals=proposals)
        except services.ArchiveError as exc:
            messages.error(request, exc.message)
            return redirect("archives:appraisal")
        messages.success(
            request, _("Appraisal %(n)s prepared. Send it for approval.") % {"n": batch.number}
        )
        return redirect(batch)
    page, querystring = _page(request, selectors.due_for_appraisal(request.user), per_page=50)
    return render(
        request,
        "archives/appraisal.html",
        {
            "section": "appraisal",
            "page": page,
            "querystring": querystring,
            "batches": list(selectors.appraisals_for(request.user)[:20]),
        },
    )


@login_required
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.appraisals_for(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404(_("No such appraisal."))
    return render(
        request,
        "archives/appraisal_detail.html",
        {
            "section": "appraisal",
            "batch": batch,
            "items": list(batch.items.select_related("record")),
            "service_code": services.APPRAISAL_SERVICE,
            "submit_token": uuid.uuid4(),
        },
    )


@login_required
def destruction(request: HttpRequest) -> HttpResponse:
    """The destruction list: records an approved appraisal decided to destroy."""
    _archivist_only(request)
    if request.method == "POST":
        _act(
            request,
            lambda: services.record_destroy(
                item_id=_int(request.POST.get("item")) or 0, user=request.user
            ),
            lambda record: (
                _("%(code)s was destroyed; its residual record remains.") % {"code": record.code}
            ),
        )
        return redirect("archives:destruction")
    page, querystring = _page(request, selectors.destruction_list(request.user))
    return render(
        request,
        "archives/destruction.html",
        {"section": "destruction", "page": page, "querystring": querystring},
    )


# --- borrowing --------------------------------------------------------------------------------


@login_required
def loans(request: HttpRequest) -> HttpResponse:
    """My loans (archivists: everyone's), with the link that asks for a new one."""
    archivist = selectors.is_archivist(request.user)
    show = request.GET.get("show", "")
    page, querystring = _page(
        request, selectors.loans_for(request.user, show=show).order_by("-created_at", "-pk")
    )
    return render(
        request,
        "archives/loans.html",
        {
            "section": "loans",
            "page": page,
            "show": show,
            "archivist": archivist,
            "loan_service": services.LOAN_SERVICE,
            "borrowable": Service.objects.filter(
                code=services.LOAN_SERVICE, is_published=True, is_online=True
            ).exists(),
            "querystring": querystring,
            # The way in for custodians and unit reporters who are not archivists.
            "desks": {}
            if archivist
            else {
                "certificates": selectors.certificates_for(request.user).exists(),
                "reports": selectors.report_forms_for(request.user).exists(),
            },
        },
    )


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_for(request.user, pk)
    if loan is None:
        raise Http404(_("No such loan."))
    if request.method == "POST":
        _act(
            request,
            lambda: services.loan_return(loan_id=loan.pk, user=request.user),
            lambda _loan: _("Returned. Access to these records has ended."),
        )
        return redirect(loan)
    return render(
        request,
        "archives/loan_detail.html",
        {
            "section": "loans",
            "loan": loan,
            "archivist": selectors.is_archivist(request.user),
        },
    )


# --- statistics -------------------------------------------------------------------------------


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """Counts by year, class, retention, department and usage; bars, and an Excel workbook."""
    _archivist_only(request)
    year_from = _int(request.GET.get("from"))
    year_to = _int(request.GET.get("to"))
    if year_from and year_to and year_from > year_to:
        messages.error(request, _("The first year comes after the last; showing all years."))
        year_from = year_to = None
    stats = selectors.statistics(year_from=year_from, year_to=year_to)
    retention_names = dict(Retention.choices)
    status_names = dict(Record.Status.choices)
    kind_names = dict(ArchiveEvent.Kind.choices)
    if request.GET.get("format") == "xlsx":
        rows = [(_("By year"),), (_("Year"), _("Records"))]
        rows += [(r["year"], r["n"]) for r in stats["by_year"]]
        rows += [(), (_("By retention"),), (_("Retention"), _("Records"))]
        rows += [(str(retention_names[r["retention"]]), r["n"]) for r in stats["by_retention"]]
        rows += [
            (),
            (_("By class"),),
            (_("Year"), _("Organization code"), _("Retention"), _("Records")),
        ]
        rows += [(r["year"], r["org_code"], r["retention"], r["n"]) for r in stats["by_class"]]
        rows += [(), (_("By department"),), (_("Department"), _("Records"))]
        rows += [(r["department__name_zh"] or "—", r["n"]) for r in stats["by_department"]]
        rows += [(), (_("By status"),), (_("Status"), _("Records"))]
        rows += [(str(status_names[r["status"]]), r["n"]) for r in stats["by_status"]]
        rows += [(), (_("Usage"),), (_("Month"), _("Use"), _("Times"))]
        rows += [
            (f"{r['month']:%Y-%m}", str(kind_names[r["kind"]]), r["n"]) for r in stats["usage"]
        ]
        return _xlsx_response("archives-statistics.xlsx", rows, title=_("Statistics"))
    for key in ("by_year", "by_retention", "by_class", "by_department", "by_status", "usage"):
        top = max((r["n"] for r in stats[key]), default=0) or 1
        for row in stats[key]:
            row["width"] = round(100 * row["n"] / top)
    for row in stats["by_retention"]:
        row["label"] = retention_names[row["retention"]]
    for row in stats["by_status"]:
        row["label"] = status_names[row["status"]]
    for row in stats["usage"]:
        row["label"] = kind_names[row["kind"]]
    params = request.GET.copy()
    params["format"] = "xlsx"
    return render(
        request,
        "archives/statistics.html",
        {
            "section": "statistics",
            "stats": stats,
            "year_from": year_from,
            "year_to": year_to,
            "xlsx_query": params.urlencode(),
        },
    )


# --- office: certificates, statistics report, training, chronicle ----------------------------


@login_required
def cert_list(request: HttpRequest) -> HttpResponse:
    """Certificates by expiry, filtered by type, by "expiring within N days" or "expired"."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Certificate.Kind.values else ""
    within = _int(request.GET.get("within"))
    within = within if within is not None and 0 <= within <= 3650 else None
    expired = request.GET.get("expired") == "1"
    today = timezone.localdate()
    rows = selectors.certificate_search(
        request.user, kind=kind, expiring_within=within, expired=expired, today=today
    )
    page, querystring = _page(request, rows)
    return render(
        request,
        "archives/cert_list.html",
        {
            "section": "certificates",
            "page": page,
            "querystring": querystring,
            "kind": kind,
            "within": within,
            "expired": expired,
            "kinds": Certificate.Kind.choices,
            "today": today,
            "archivist": selectors.is_archivist(request.user),
        },
    )


def _certificate_values(data: dict) -> dict:
    return {
        "kind": data["kind"],
        "name": data["name"],
        "number": data["number"],
        "issuer": data["issuer"],
        "valid_until": data["valid_until"],
        "custodian": data["custodian"],
        "remarks": data["remarks"],
        "scan": data["scan"],
    }


@login_required
def cert_create(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    form = forms_office.CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_register(
                user=request.user, **_certificate_values(form.cleaned_data)
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The certificate is registered."))
            return redirect(certificate)
    return render(
        request,
        "archives/cert_form.html",
        {"section": "certificates", "form": form, "certificate": None},
    )


@login_required
def cert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _archivist_only(request)
    certificate = selectors.certificate_for(request.user, pk)
    if certificate is None:
        raise Http404(_("No such certificate."))
    initial = {
        "kind": certificate.kind,
        "name": certificate.name,
        "number": certificate.number,
        "issuer": certificate.issuer,
        "valid_until": certificate.valid_until,
        "custodian": certificate.custodian.number or certificate.custodian.username,
        "remarks": certificate.remarks,
    }
    form = forms_office.CertificateForm(
        request.POST or None, request.FILES or None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_update(
                user=request.user,
                certificate_id=certificate.pk,
                **_certificate_values(form.cleaned_data),
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The certificate is saved."))
            return redirect(certificate)
    return render(
        request,
        "archives/cert_form.html",
        {"section": "certificates", "form": form, "certificate": certificate},
    )


@login_required
def cert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate, its lending log, and the form that lends the paper original."""
    certificate = selectors.certificate_for(request.user, pk)
    if certificate is None:
        raise Http404(_("No such certificate."))
    form = forms_office.CertificateLendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_lend(
                user=request.user, certificate_id=certificate.pk, **form.cleaned_data
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Lent. Record the return when it comes back."))
            return redirect(certificate)
    today = timezone.localdate()
    return render(
        request,
        "archives/cert_detail.html",
        {
            "section": "certificates",
            "certificate": certificate,
            "days_left": certificate.days_left(today),
            "loans": list(selectors.certificate_loans(certificate)),
            "form": form,
            "today": today,
            "archivist": selectors.is_archivist(request.user),
        },
    )


@login_required
def cert_scan(request: HttpRequest, pk: int) -> FileResponse:
    certificate = selectors.certificate_for(request.user, pk)
    if certificate is None or not certificate.scan:
        raise Http404(_("No such file."))
    return FileResponse(
        certificate.scan.open("rb"),
        as_attachment=True,
        filename=certificate.scan_name or "scan",
    )


@login_required
@require_POST
def cert_return(request: HttpRequest, pk: int, loan_id: int) -> HttpResponse:
    certificate = selectors.certificate_for(request.user, pk)
    if certificate is None or not certificate.loans.filter(pk=loan_id).exists():
        raise Http404(_("No such loan."))
    _act(
        request,
        lambda: services.certificate_return(user=request.user, loan_id=loan_id),
        lambda _loan: _("The certificate is back."),
    )
    return redirect(certificate)


# --- the Basic Statistics Report of Higher Education -------------------------------------------


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


# --- training and the chronicle ----------------------------------------------------------------


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    page, querystring = _page(request, selectors.trainings_for(request.user))
    return render(
        request,
        "archives/training_list.html",
        {"section": "training", "page": page, "querystring": querystring},
    )


@login_required
def training_create(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    form = forms_office.TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_add(user=request.user, **form.cleaned_data)
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The training record is added."))
            return redirect("archives:training-list")
    return render(request, "archives/training_form.html", {"section": "training", "form": form})


@login_required
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a training record, or delete one entered by mistake."""
    _archivist_only(request)
    record = selectors.trainings_for(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404(_("No such training record."))
    if request.method == "POST" and "delete" in request.POST:
        services.training_delete(user=request.user, training_id=record.pk)
        messages.success(request, _("The training record is deleted."))
        return redirect("archives:training-list")
    people = " ".join(p.number or p.username for p in record.participants.all())
    form = forms_office.TrainingForm(
        request.POST or None,
        initial={
            "course": record.course,
            "date": record.date,
            "hours": record.hours,
            "participants": people,
            "remarks": record.remarks,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.training_change(user=request.user, training_id=record.pk, **form.cleaned_data)
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The training record is saved."))
            return redirect("archives:training-list")
    return render(
        request,
        "archives/training_form.html",
        {"section": "training", "form": form, "training": record},
    )


@login_required
def chronicle_list(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    year = _int(request.GET.get("year"))
    year = year if year and 1900 <= year <= 2100 else None
    page, querystring = _page(request, selectors.chronicle_for(request.user, year=year))
    return render(
        request,
        "archives/chronicle_list.html",
        {"section": "chronicle", "page": page, "querystring": querystring, "year": year},
    )


@login_required
def chronicle_create(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    form = forms_office.ChronicleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.chronicle_add(
                user=request.user,
                date=data["date"],
                text=data["text"],
                record_codes=data["records"],
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The event is in the chronicle."))
            return redirect("archives:chronicle-list")
    return render(request, "archives/chronicle_form.html", {"section": "chronicle", "form": form})


@login_required
def chronicle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a chronicle entry, or delete one entered by mistake."""
    _archivist_only(request)
    entry = selectors.chronicle_for(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404(_("No such chronicle entry."))
    if request.method == "POST" and "delete" in request.POST:
        services.chronicle_delete(user=request.user, entry_id=entry.pk)
        messages.success(request, _("The chronicle entry is deleted."))
        return redirect("archives:chronicle-list")
    form = forms_office.ChronicleForm(
        request.POST or None,
        initial={
            "date": entry.date,
            "text": entry.text,
            "records": " ".join(r.code for r in entry.records.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.chronicle_change(
                user=request.user,
                entry_id=entry.pk,
                date=data["date"],
                text=data["text"],
                record_codes=data["records"],
            )
        except services.ArchiveError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The chronicle entry is saved."))
            return redirect("archives:chronicle-list")
    return render(
        request,
        "archives/chronicle_form.html",
        {"section": "chronicle", "form": form, "entry": entry},
    )


@login_required
def yearbook(request: HttpRequest) -> HttpResponse:
    """Choose a year; the PDF is compiled when it is downloaded."""
    _archivist_only(request)
    this_year = timezone.localdate().year
    return render(
        request,
        "archives/yearbook.html",
        {"section": "yearbook", "years": range(this_year, this_year - 10, -1)},
    )


@login_required
def yearbook_pdf(request: HttpRequest, year: int) -> HttpResponse:
    _archivist_only(request)
    try:
        pdf = services.yearbook_render(user=request.user, year=year)
    except services.ArchiveError as exc:
        messages.error(request, exc.message)
        return redirect("archives:yearbook")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="yearbook-{year}.pdf"'
    return response


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """The header's "Archives" link: archivists to the record search, everyone else to their
    loans. Deciding here, on the click, spares every other page the role query."""
    if selectors.is_archivist(request.user):
        return redirect("archives:record-list")
    return redirect("archives:loans")
