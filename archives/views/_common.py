"""What the archives' views share: reading ids, running a button's service call, the pager."""

from collections.abc import Callable
from io import BytesIO

from django.conf import settings
from django.core.paginator import Paginator
from django.forms import IntegerField
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from archives import selectors, services
from hall import params
from hall.actions import act


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _act(request: HttpRequest, action: Callable[[], object], done: Callable[[object], str]) -> None:
    """A button's service call: what it did, or why it was refused, as a message."""
    act(request, action, done, refused=services.ArchiveError)


def _querystring(request: HttpRequest) -> str:
    """The list's query without its page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    # A value the page refused (and said so) is not carried on to the next page.
    for key in getattr(request, "_archives_refused", ()):
        query.pop(key, None)
    return query.urlencode()


def read_query(request: HttpRequest, form_class) -> dict:
    """The page's query parameters, read through ``form_class``: each valid one as cleaned, each
    bad one as empty (None or ""), with a message saying which was ignored and why."""
    parameters = getattr(form_class, "PARAMETERS", {})
    data = {parameters.get(key, key): value for key, value in request.GET.items()}
    form = form_class(data)
    form.is_valid()
    values = {}
    keys = {parameters.get(key, key): key for key in request.GET}
    refused = request.__dict__.setdefault("_archives_refused", set())
    for name, field in form.fields.items():
        if name in form.errors:
            params.left_out(request, field.label, " ".join(form.errors[name]))
            refused.add(keys.get(name, name))
            values[name] = None if isinstance(field, IntegerField) else ""
        else:
            values[name] = form.cleaned_data.get(name)
    return values


def _page_number(request: HttpRequest) -> int:
    return params.page_number(request)


def _page(request: HttpRequest, rows, per_page: int = settings.HALL_PAGE_SIZE):
    return Paginator(rows, per_page).get_page(_page_number(request)), _querystring(request)


def _archivist_only(request: HttpRequest) -> None:
    if not selectors.is_archivist(request.user):
        raise Http404(_("No such page."))


def _xlsx_response(filename: str, rows: list[tuple], title: str = "") -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title[:31]
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
