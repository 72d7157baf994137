from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from archives import selectors, services
from archives.models import ArchiveEvent, Retention


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    if not selectors.is_archivist(request.user):
        raise Http404(_("No such page."))
    q = request.GET.get("q", "")[:100]
    year = _int(request.GET.get("year"))
    retention = request.GET.get("retention", "")
    retention = retention if retention in Retention.values else ""
    records = selectors.search(
        request.user,
        q=q,
        year=year,
        retention=retention,
        department=_int(request.GET.get("department")),
    )
    page = Paginator(records, settings.HALL_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "archives/record_list.html",
        {
            "page": page,
            "q": q,
            "year": year,
            "retention": retention,
            "retentions": Retention.choices,
            "querystring": params.urlencode(),
        },
    )


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_for(request.user, pk)
    if record is None:
        raise Http404(_("No such record."))
    services.event(kind=ArchiveEvent.Kind.VIEW, record=record, actor=request.user)
    return render(
        request,
        "archives/record_detail.html",
        {
            "record": record,
            "files": list(record.files.all()),
            "events": list(record.events.select_related("actor").order_by("-at")[:50]),
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
def loans(request: HttpRequest) -> HttpResponse:
    """Borrowers ask for records by code; archivists lend or refuse."""
    from datetime import date

    from django.contrib import messages
    from django.shortcuts import redirect

    from archives.models import Loan

    archivist = selectors.is_archivist(request.user)
    if request.method == "POST":
        try:
            if "decide" in request.POST:
                if not archivist:
                    raise Http404(_("No such page."))
                services.loan_decide(
                    loan_id=_int(request.POST["decide"]) or 0,
                    archivist=request.user,
                    approve=request.POST.get("approve") == "1",
                )
                messages.success(request, _("The loan was decided."))
            else:
                try:
                    due = date.fromisoformat(request.POST.get("due_on", ""))
                except ValueError:
                    raise services.ArchiveError(_("Give the due date as a date.")) from None
                services.loan_request(
                    borrower=request.user,
                    codes=request.POST.get("codes", "").split(),
                    purpose=request.POST.get("purpose", "")[:300],
                    scope=request.POST.get("scope", "")[:300],
                    due_on=due,
                )
                messages.success(request, _("Your borrowing request was sent to the archives."))
        except services.ArchiveError as exc:
            messages.error(request, exc.message)
        return redirect("archives:loans")
    mine = Loan.objects.filter(borrower=request.user).prefetch_related("records")[:50]
    return render(
        request,
        "archives/loans.html",
        {
            "mine": mine,
            "archivist": archivist,
            "waiting": list(selectors.loans_waiting().prefetch_related("records")[:100])
            if archivist
            else [],
        },
    )
