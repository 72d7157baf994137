"""The print runs of a document (份号) and the PDF of one numbered copy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import copies, selectors, services
from documents.copies import MAX_RUN
from documents.services import DocumentError
from hall import params


def _document(request: HttpRequest, pk: int):
    document = selectors.document_for(request.user, pk)
    if document is None or not document.number:
        raise Http404(_("No such document."))
    return document


@login_required
def copies_page(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    k = params.integer(request, "copy", label=_("Copy number"), max_value=copies.MAX_COPY)
    if k is not None:
        if copies.has_copy(document, k):
            return redirect("documents:copy-pdf", pk=document.pk, k=k)
        messages.error(request, _("No copy %(k)s was printed.") % {"k": f"{k:06d}"})
    return render(
        request,
        "documents/copies.html",
        {
            "document": document,
            "runs": copies.runs_of(document),
            "office": services.is_office(request.user, document.authority),
            "max_run": MAX_RUN,
        },
    )


@login_required
@require_POST
def print_run(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    count = params.integer(
        request, "count", label=_("Copies"), max_value=MAX_RUN, data=request.POST
    )
    if count is None:
        messages.error(request, _("Say how many copies are printed."))
        return redirect("documents:copies", pk=document.pk)
    try:
        run = copies.print_run_record(document_id=document.pk, user=request.user, count=count)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(count)s copies recorded: 份号 %(first)s to %(last)s.")
            % {"count": run.count, "first": f"{run.first:06d}", "last": f"{run.last:06d}"},
        )
    return redirect("documents:copies", pk=document.pk)


@login_required
def copy_pdf(request: HttpRequest, pk: int, k: int) -> HttpResponse:
    """Copy k of a print run: its 份号 at the top left (and the reader's stamp if classified)."""
    from documents import pdf as red_header

    document = _document(request, pk)
    if not copies.has_copy(document, k):
        raise Http404(_("No such copy."))
    content, font = red_header.render(document, reader=request.user, copy=k)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}-{k:06d}.pdf"'
    response["X-Body-Font"] = font
    return response
