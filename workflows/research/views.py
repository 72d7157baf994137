"""The one-key inquiry (answers at once, no chain) and the offices' import page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hall import params
from workflows.research import selectors, services
from workflows.research.forms import ImportForm, InquiryForm
from workflows.research.models import Category, ImportRun, Project

LEDGER_PAGE_SIZE = 50
LEDGER_MAX_PAGE = 1000  # deeper than that, the Excel export


def _filtered(request: HttpRequest):
    form = InquiryForm(request.GET)
    since = until = None
    if not form.non_field_errors():
        since, until = form.value("date_from"), form.value("date_to")
    office = selectors.is_office(request.user)
    projects = selectors.projects_visible_to(request.user, office=office)
    words = form.value("q", "")
    if words:
        projects = projects.filter(Q(number__icontains=words) | Q(title__icontains=words))
    return form, office, projects, since, until


def _money(value) -> str:
    return f"{value:.2f}"


def _budget_rows(lines: list, labels: dict) -> str:
    """One project's budget table body, written out once in Python (no template work per row);
    the labels are translated once per page, the figures are digits."""
    out = []
    budget = spent = frozen = 0
    for line in lines:
        out.append(
            f'<tr><th scope="row">{labels[line.category]}</th><td>{_money(line.budget)}</td>'
            f"<td>{_money(line.spent)}</td><td>{_money(line.frozen)}</td>"
            f"<td><strong>{_money(line.balance)}</strong></td></tr>"
        )
        budget, spent, frozen = budget + line.budget, spent + line.spent, frozen + line.frozen
    if lines:
        out.append(
            f'<tr><th scope="row">{labels["total"]}</th><td>{_money(budget)}</td>'
            f"<td>{_money(spent)}</td><td>{_money(frozen)}</td>"
            f"<td><strong>{_money(budget - spent - frozen)}</strong></td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above


def _ledger_rows(entries, numbers: dict, categories: dict, hall_badge: str) -> str:
    out = []
    for m in entries:
        badge = f' <span class="badge">{hall_badge}</span>' if m["source"] == "hall" else ""
        out.append(
            f"<tr><td>{m['booked_on']:%Y-%m-%d}</td><td>{numbers[m['line_id']]}</td>"
            f"<td>{categories[m['line_id']]}</td><td>{_money(m['amount'])}</td>"
            f'<td class="text">{escape(m["description"])}{badge}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above


@login_required
def inquiry(request: HttpRequest) -> HttpResponse:
    form, office, projects, since, until = _filtered(request)
    if params.choice(request, "format", ["xlsx"], label=_("Format")) == "xlsx":
        return _workbook(projects, since, until)
    page = Paginator(projects, settings.HALL_PAGE_SIZE).get_page(params.page_number(request))
    ledger_number = (
        params.integer(request, "ledger", label=_("Ledger page"), max_value=LEDGER_MAX_PAGE) or 1
    )
    projects_shown = list(page.object_list)
    # Labels translated once per page, escaped once.
    labels = {code: escape(str(label)) for code, label in Category.choices}
    labels["total"] = escape(str(_("Total")))
    lines: dict[int, list] = {p.pk: [] for p in projects_shown}
    numbers: dict[int, str] = {}
    categories: dict[int, str] = {}
    escaped_numbers = {p.pk: escape(p.number) for p in projects_shown}
    for line in selectors.lines_of(list(lines)):
        lines[line.project_id].append(line)
        numbers[line.pk] = escaped_numbers[line.project_id]
        categories[line.pk] = labels[line.category]
    kinds, statuses = dict(Project.Kind.choices), dict(Project.Status.choices)
    rows = [
        {
            "project": p,
            "kind": kinds[p.kind],
            "status": statuses[p.status],
            "table": _budget_rows(lines[p.pk], labels),
        }
        for p in projects_shown
    ]
    # The ledger pages on by itself, one row more than it shows telling whether there is a
    # next page: no count over the ledger.
    ledger_page = min(ledger_number, LEDGER_MAX_PAGE)
    start = (ledger_page - 1) * LEDGER_PAGE_SIZE
    entries = list(
        selectors.ledger_of(list(numbers), since=since, until=until)[
            start : start + LEDGER_PAGE_SIZE + 1
        ]
    )
    ledger = {
        "number": ledger_page,
        "previous": ledger_page - 1 if ledger_page > 1 else None,
        "next": ledger_page + 1 if len(entries) > LEDGER_PAGE_SIZE else None,
    }
    return render(
        request,
        "research/inquiry.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "ledger": ledger,
            "ledger_rows": _ledger_rows(
                entries[:LEDGER_PAGE_SIZE],
                numbers,
                categories,
                escape(str(_("approved in the hall"))),
            ),
            "office": office,
            "mirror": selectors.mirror_state(),
            "querystring": form.querystring(),
            "ledger_querystring": _with(form.querystring(), page=page.number),
        },
    )


def _with(querystring: str, **values) -> str:
    from urllib.parse import urlencode

    extra = urlencode(values)
    return f"{querystring}&{extra}" if querystring else extra


def _workbook(projects, since, until) -> HttpResponse:
    from openpyxl import Workbook

    labels = {code: str(label) for code, label in Category.choices}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Budgets"))
    sheet.append(
        [
            _("Project number"),
            _("Title"),
            _("Category"),
            _("Budget"),
            _("Spent"),
            _("Frozen"),
            _("Balance"),
        ]
    )
    ids = list(projects.values_list("pk", flat=True))
    for line in selectors.lines_of(ids).select_related("project").iterator(chunk_size=2000):
        sheet.append(
            [
                line.project.number,
                line.project.title,
                labels[line.category],
                float(line.budget),
                float(line.spent),
                float(line.frozen),
                float(line.balance),
            ]
        )
    ledger = book.create_sheet(_("Ledger"))
    ledger.append(
        [_("Date"), _("Project number"), _("Category"), _("Amount"), _("Description"), _("Entry")]
    )
    for m in selectors.movements_of(ids, since=since, until=until).iterator(chunk_size=2000):
        ledger.append(
            [
                m.booked_on,
                m.line.project.number,
                labels[m.line.category],
                float(m.amount),
                m.description,
                m.external_id,
            ]
        )
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="research-funds-{stamp}.xlsx"'
    book.save(response)
    return response


def _import_kinds(user) -> list[str]:
    """The finance and research offices import the mirror's layouts; the Party office its fees."""
    kinds = []
    if selectors.is_office(user):
        kinds += [ImportRun.Kind.PROJECTS, ImportRun.Kind.BUDGETS, ImportRun.Kind.MOVEMENTS]
    if selectors.is_party_office(user):
        kinds.append(ImportRun.Kind.PARTY_FEES)
    return kinds


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """The offices upload an export; the report says what changed or which rows were refused."""
    kinds = _import_kinds(request.user)
    if not kinds:
        raise Http404(_("No such page."))
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        run = services.mirror_import_file(
            kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], user=request.user
        )
        if run.ok:
            messages.success(
                request,
                _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
                % {"created": run.created, "updated": run.updated, "unchanged": run.unchanged},
            )
        else:
            messages.error(request, _("Nothing was imported: the file has refused rows."))
        return redirect(f"{request.path}?run={run.pk}")
    run_id = params.integer(request, "run", label=_("Import"))
    run = ImportRun.objects.filter(pk=run_id, kind__in=kinds).first() if run_id else None
    recent = ImportRun.objects.filter(kind__in=kinds).order_by("-created_at", "-id")[:10]
    return render(
        request,
        "research/import.html",
        {"form": form, "run": run, "recent": recent, "mirror": selectors.mirror_state()},
    )


@login_required
def transfer_desk(request: HttpRequest) -> HttpResponse:
    """The office's desk: requests a system of record refused (with its reason), and those still
    waiting after a failed attempt. A refused one is sent again from here."""
    from workflows.research import transfers
    from workflows.research.models import Transfer

    if not selectors.is_office(request.user):
        raise Http404(_("No such page."))
    if request.method == "POST":
        ids = params.posted_ids(request, "transfer")
        for pk in ids or []:
            transfers.transfer_retry(transfer_id=pk)
        if ids:
            messages.success(request, _("It will be sent again within a minute."))
        return redirect(request.path)
    show = params.choice(
        request,
        "show",
        [("refused", _("Refused")), ("waiting", _("Waiting"))],
        label=_("Show"),
        default="refused",
    )
    rows = Transfer.objects.select_related("request__service", "target").order_by("-created_at")
    if show == "waiting":
        rows = rows.filter(status=Transfer.Status.PENDING, attempts__gt=0)
    else:
        rows = rows.filter(status=Transfer.Status.REFUSED)
    page = Paginator(rows, settings.HALL_PAGE_SIZE).get_page(params.page_number(request))
    return render(
        request,
        "research/transfers.html",
        {
            "page": page,
            "show": show,
            "querystring": f"show={show}",
            "request_prefix": reverse("workflows:my-requests"),
        },
    )


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """我的数据: everything the person ever submitted, across services, with its status; each
    opens on its request page (trail and PDF); exportable to Excel."""
    from workflows.models import ServiceRequest
    from workflows.research.forms import HistoryForm

    form = HistoryForm(request.GET)
    since = until = None
    if not form.non_field_errors():
        since, until = form.value("date_from"), form.value("date_to")
    rows = selectors.history_of(
        request.user,
        words=form.value("q", ""),
        service=form.value("service", ""),
        since=since,
        until=until,
    )
    statuses = dict(ServiceRequest.Status.choices)
    if params.choice(request, "format", ["xlsx"], label=_("Format")) == "xlsx":
        return _history_workbook(rows, statuses)
    page = Paginator(rows, settings.HALL_PAGE_SIZE).get_page(params.page_number(request))
    items = [
        {
            "pk": r.pk,
            "number": r.number,
            "service": r.service.name,
            "status": statuses[r.status],
            "status_code": r.status,
            "submitted_at": r.submitted_at,
            "has_pdf": bool(r.pdf),
        }
        for r in page.object_list
    ]
    return render(
        request,
        "research/history.html",
        {
            "form": form,
            "page": page,
            "items": items,
            "querystring": form.querystring(),
            "request_prefix": reverse("workflows:my-requests"),
        },
    )


def _history_workbook(rows, statuses) -> HttpResponse:
    import json

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("My data"))
    sheet.append(
        [_("Request number"), _("Service"), _("Status"), _("Submitted"), _("Finished"), _("Form")]
    )
    for r in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                r.number,
                r.service.name,
                str(statuses[r.status]),
                timezone.localtime(r.submitted_at).replace(tzinfo=None) if r.submitted_at else None,
                timezone.localtime(r.finished_at).replace(tzinfo=None) if r.finished_at else None,
                json.dumps(r.form_data, ensure_ascii=False)[:32000],
            ]
        )
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.xlsx"'
    book.save(response)
    return response
