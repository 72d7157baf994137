"""The supervision bulletin's downloads (PDF and Excel) from the public notice page: the office's
own report of a month, so only the office may download it (others 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from performance import bulletin, services
from performance.forms import NoticeFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bulletin(request: HttpRequest):
    if not services.is_office(request.user):
        raise Http404(_("No such page."))
    form = NoticeFilter(request.GET or None)
    if request.GET.get("period") and not form.is_valid():
        return None
    period = form.value("period") or services.period_of(timezone.now())
    return bulletin.bulletin(period)


def _refused(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Give the month as YYYY-MM."))
    return redirect("performance:notice")


@login_required
def bulletin_pdf(request: HttpRequest) -> HttpResponse:
    data = _bulletin(request)
    if data is None:
        return _refused(request)
    response = HttpResponse(bulletin.pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bulletin-{data.period}.pdf"'
    return response


@login_required
def bulletin_xlsx(request: HttpRequest) -> HttpResponse:
    data = _bulletin(request)
    if data is None:
        return _refused(request)
    response = HttpResponse(bulletin.workbook(data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{data.period}.xlsx"'
    return response
