"""Training records, the chronicle and the yearbook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import forms_office, selectors, services
from archives.forms import ChronicleQuery
from archives.views._common import _archivist_only, _page, read_query


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
    year = read_query(request, ChronicleQuery)["year"]
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
