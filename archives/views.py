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
