"""Manual accession and the batch import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from archives import services
from archives.forms import AccessionForm, ImportForm, ImportQuery
from archives.views._common import _archivist_only, _xlsx_response, read_query


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
    if read_query(request, ImportQuery)["template"]:
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
