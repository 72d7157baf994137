"""The record search, a record's page and files, the classification scheme, statistics."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from archives import selectors, services
from archives.forms import RecordQuery, StatisticsQuery
from archives.models import (
    ArchiveEvent,
    Record,
    Retention,
)
from archives.views._common import (
    _archivist_only,
    _page_number,
    _querystring,
    _xlsx_response,
    read_query,
)
from hall.models import Department


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    _archivist_only(request)
    query = read_query(request, RecordQuery)
    q, year, retention, status = query["q"], query["year"], query["retention"], query["status"]
    org_code, department = query["org"], query["department"]
    page = selectors.search_page(
        request.user,
        number=_page_number(request),
        per_page=settings.HALL_PAGE_SIZE,
        q=q,
        year=year,
        retention=retention,
        org_code=org_code,
        department=department,
        status=status,
        fixity_failed=query["fixity"] == "failed",
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
def classes(request: HttpRequest) -> HttpResponse:
    """The classification scheme in use: year → organization → retention, with counts."""
    _archivist_only(request)
    return render(
        request,
        "archives/classes.html",
        {"section": "classes", "classes": list(selectors.classes())},
    )


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """Counts by year, class, retention, department and usage; bars, and an Excel workbook."""
    _archivist_only(request)
    query = read_query(request, StatisticsQuery)
    year_from, year_to = query["year_from"], query["year_to"]
    if year_from and year_to and year_from > year_to:
        messages.error(request, _("The first year comes after the last; showing all years."))
        year_from = year_to = None
    stats = selectors.statistics(year_from=year_from, year_to=year_to)
    retention_names = dict(Retention.choices)
    status_names = dict(Record.Status.choices)
    kind_names = dict(ArchiveEvent.Kind.choices)
    if query["format"] == "xlsx":
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
        english = translation.get_language() == "en"
        rows += [
            (
                (english and r["department__name_en"]) or r["department__name_zh"] or "—",
                r["n"],
            )
            for r in stats["by_department"]
        ]
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
