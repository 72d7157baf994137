"""Certificates kept by the archives office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archives import forms_office, selectors, services
from archives.forms import CertificateQuery
from archives.models import (
    Certificate,
)
from archives.views._common import _act, _archivist_only, _page, read_query


@login_required
def cert_list(request: HttpRequest) -> HttpResponse:
    """Certificates by expiry, filtered by type, by "expiring within N days" or "expired"."""
    query = read_query(request, CertificateQuery)
    kind, within, expired = query["kind"], query["within"], query["expired"] == "1"
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
