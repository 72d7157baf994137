"""Borrowing."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from archives import selectors, services
from archives.forms import LoanQuery
from archives.views._common import _act, _page, read_query
from hall.models import Service


@login_required
def loans(request: HttpRequest) -> HttpResponse:
    """My loans (archivists: everyone's), with the link that asks for a new one."""
    archivist = selectors.is_archivist(request.user)
    show = read_query(request, LoanQuery)["show"]
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
            "borrowing": _loan_service_for(request.user),
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


def _loan_service_for(user) -> dict:
    """Whether the borrowing service is open, and to this person: the button is offered only to
    people the service is for (its audiences and departments), as the apply page would decide."""
    service = Service.objects.filter(
        code=services.LOAN_SERVICE, is_published=True, is_online=True
    ).first()
    if service is None:
        return {"open": False}
    return {"open": True, "may_apply": service.may_apply(user), "who": service.who_may_apply()}


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


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """The header's "Archives" link: archivists to the record search, everyone else to their
    loans. Deciding here, on the click, spares every other page the role query."""
    if selectors.is_archivist(request.user):
        return redirect("archives:record-list")
    return redirect("archives:loans")
