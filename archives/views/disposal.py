"""Disposal holds, appraisal and destruction."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archives import selectors, services
from archives.views._common import _act, _archivist_only, _int, _page


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
