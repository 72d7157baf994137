from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import params
from hall.actions import act
from hall.lists import escape
from performance import board_cache, selectors, services
from performance.forms import (
    LIGHT_CHOICES,
    BoardFilter,
    ExtensionForm,
    ItemForm,
    NoticeFilter,
    ReassignForm,
    ReportForm,
)
from performance.models import Extension, Item, Report, SourceKind
from performance.services import Source, SupervisionError

PAGE_SIZE = 50


def _item(request: HttpRequest, pk: int) -> Item:
    item = selectors.item_for(request.user, pk)
    if item is None:
        raise Http404(_("No such supervision item."))
    return item


class _KnownCount(Paginator):
    """A paginator told its total (counted once per item version, board_cache) instead of
    counting 100k rows on every request."""

    def __init__(self, object_list, per_page, total: int):
        super().__init__(object_list, per_page)
        self._total = total

    @property
    def count(self) -> int:
        return self._total


def _name(english: bool, zh: str, en: str) -> str:
    return en if english and en else zh


def board_rows(items, now, english: bool) -> list[SafeString]:
    """The board's rows, each one f-string (README, "A fast list page"): labels translated once
    a page, each row's URL the board's prefix plus its id, every value escaped."""
    states = {k: escape(v) for k, v in Item.Status.choices}
    sources = {k: escape(v) for k, v in SourceKind.choices}
    lights = {
        k: f'<span class="sup-light sup-light-{k}">{escape(v)}</span>'
        for k, v in LIGHT_CHOICES
        if k
    }
    h = {
        "title": escape(_("Item")),
        "source": escape(_("Source")),
        "status": escape(_("Status")),
        "light": escape(_("Light")),
        "unit": escape(_("Lead unit")),
        "leader": escape(_("Leader in charge")),
        "deadline": escape(_("Deadline")),
    }
    escalated = f' <span class="sup-escalated">{escape(_("escalated"))}</span>'
    prefix = reverse("performance:board")
    zone = timezone.get_current_timezone()
    names: dict[tuple[str, int], str] = {}  # units and leaders: a few, shared by many rows
    rows = []
    for item in items:
        unit, leader = item.lead_unit, item.leader
        if ("u", unit.pk) not in names:
            names["u", unit.pk] = escape(_name(english, unit.name_zh, unit.name_en))
        if ("l", leader.pk) not in names:
            names["l", leader.pk] = escape(leader.full_name or leader.username)
        light = selectors.light_of(item, now)
        flag = lights.get(light, "") + (escalated if item.escalated_at is not None else "")
        rows.append(
            SafeString(
                f'<tr><td data-label="{h["title"]}"><a href="{prefix}{item.pk}/">'
                f"{escape(item.title)}</a></td>"
                f'<td data-label="{h["source"]}">'
                f"{sources.get(item.source_kind) or escape(item.source_kind)}</td>"
                f'<td data-label="{h["status"]}">{states.get(item.status) or escape(item.status)}'
                f'</td><td data-label="{h["light"]}">{flag}</td>'
                f'<td data-label="{h["unit"]}">{names["u", unit.pk]}</td>'
                f'<td data-label="{h["leader"]}">{names["l", leader.pk]}</td>'
                f'<td data-label="{h["deadline"]}" class="sup-deadline">'
                f"{item.deadline.astimezone(zone):%Y-%m-%d}</td></tr>"
            )
        )
    return rows


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The supervision board (督办看板): the items the person may see, by status, light, unit
    and leader, nearest deadline first."""
    form = BoardFilter(request.GET or None)
    form.warn(request)
    filters = {name: form.value(name) for name in form.fields}
    filters = {k: v for k, v in filters.items() if v not in (None, "")}
    for key in ("unit", "leader"):
        if key in filters:
            filters[key] = filters[key].pk
    now = timezone.now()
    user = request.user
    office = services.is_office(user)
    # The counts come from the cache while no item changed (board_cache): who sees what is the
    # scope, all items for the office, a person's own share for everyone else.
    scope = "all" if office else f"u{user.pk}"
    rows = selectors.board(user, now=now, office=office, **filters)
    total = board_cache.counted(scope, ("rows", *sorted(filters.items())), now, rows.count)
    page = _KnownCount(rows, PAGE_SIZE, total).get_page(params.page_number(request))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    language = "en" if english else "zh"
    table = board_rows(page.object_list, now, english)
    counts = board_cache.counted(
        scope, ("counts",), now, lambda: selectors.board_counts(user, now=now, office=office)
    )
    unit_options = board_cache.options(
        "unit", language, lambda: [(d.pk, str(d)) for d in selectors.units()]
    )
    leader_options = board_cache.options(
        "leader", language, lambda: [(u.pk, str(u)) for u in form.fields["leader"].queryset]
    )
    states = {k: str(v) for k, v in Item.Status.choices}
    lights = {k: str(v) for k, v in LIGHT_CHOICES if k}
    status_counts = [(k, states[k], counts["status"][k]) for k in states]
    light_counts = [(k, lights[k], counts["light"][k]) for k in lights]
    return render(
        request,
        "performance/board.html",
        {
            "form": form,
            "page": page,
            "table": table,
            "querystring": form.querystring(),
            "status_counts": status_counts,
            "light_counts": light_counts,
            "office": office,
            "unit_select": board_cache.select(
                "unit", "id_unit", _("All units"), unit_options, filters.get("unit")
            ),
            "leader_select": board_cache.select(
                "leader", "id_leader", _("All leaders"), leader_options, filters.get("leader")
            ),
        },
    )


@login_required
def notice(request: HttpRequest) -> HttpResponse:
    """The public notice (督办通报) of a month: the items that went overdue in it."""
    form = NoticeFilter(request.GET or None)
    form.warn(request)
    period = form.value("period") or selectors_period()
    rows = selectors.notice(request.user, period)
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    states = {k: str(v) for k, v in Item.Status.choices}
    prefix = reverse("performance:board")
    table = [
        (
            f"{prefix}{e.item_id}/",
            e.item.title,
            _name(english, e.item.lead_unit.name_zh, e.item.lead_unit.name_en),
            e.item.leader.full_name or e.item.leader.username,
            e.deadline,
            states.get(e.item.status, e.item.status),
        )
        for e in page.object_list
    ]
    return render(
        request,
        "performance/notice.html",
        {
            "form": form,
            "period": period,
            "page": page,
            "table": table,
            "querystring": form.querystring(),
            "office": services.is_office(request.user),
        },
    )


def selectors_period() -> str:
    return services.period_of(timezone.now())


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not services.is_office(request.user):
        raise Http404(_("No such page."))
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                user=request.user,
                source=Source(
                    kind=data["source_kind"],
                    ref=data["source_ref"],
                    title=data["source_title"],
                    url=data["source_url"],
                ),
                **form.assignment(),
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The item is assigned to %(unit)s.") % {"unit": item.lead_unit}
            )
            return redirect(item)
    return render(request, "performance/item_form.html", {"form": form})


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    user = request.user
    handler = services.is_handler(user, item)
    office = services.is_office(user)
    now = timezone.now()
    extensions = list(item.extensions.select_related("requested_by", "request"))
    return render(
        request,
        "performance/item_detail.html",
        {
            "item": item,
            "light": selectors.light_of(item, now),
            "co_units": list(item.co_units.all()),
            "milestones": list(item.milestones.all()),
            "reports": list(item.reports.select_related("author", "milestone")),
            "extensions": extensions,
            "extension_pending": any(e.status == Extension.Status.PENDING for e in extensions),
            "history": selectors.history(item),
            "handler": handler,
            "office": office,
            "report_form": ReportForm(),
            "extension_form": ExtensionForm(),
            "reassign_form": ReassignForm(),
            "Status": Item.Status,
        },
    )


def _act(request: HttpRequest, item: Item, action, success: str) -> HttpResponse:
    act(request, action, success, refused=SupervisionError)
    return redirect(item)


def _reason(request: HttpRequest) -> str | None:
    return params.posted_text(request, "reason", label=_("Reason"), max_length=2000)


@login_required
@require_POST
def item_sign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return _act(
        request,
        item,
        lambda: services.item_sign(item_id=item.pk, user=request.user),
        _("Signed for."),
    )


@login_required
@require_POST
def item_return(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    reason = _reason(request)
    if reason is None:
        return redirect(item)
    return _act(
        request,
        item,
        lambda: services.item_return(item_id=item.pk, user=request.user, reason=reason),
        _("Returned to the office."),
    )


@login_required
@require_POST
def item_report(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(item)
    data = form.cleaned_data
    complete = request.POST.get("complete") == "1"
    if complete:
        return _act(
            request,
            item,
            lambda: services.item_complete(
                item_id=item.pk, user=request.user, text=data["text"], evidence=data["evidence"]
            ),
            _("Completion reported; the office will verify it."),
        )
    return _act(
        request,
        item,
        lambda: services.item_report(
            item_id=item.pk,
            user=request.user,
            text=data["text"],
            milestone_id=data["milestone"],
            evidence=data["evidence"],
        ),
        _("Progress reported."),
    )


@login_required
@require_POST
def item_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    reason = _reason(request)
    if reason is None:
        return redirect(item)
    return _act(
        request,
        item,
        lambda: services.item_close(item_id=item.pk, user=request.user, comment=reason),
        _("Verified and closed (销号)."),
    )


@login_required
@require_POST
def item_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    reason = _reason(request)
    if reason is None:
        return redirect(item)
    return _act(
        request,
        item,
        lambda: services.item_send_back(item_id=item.pk, user=request.user, reason=reason),
        _("Sent back to the lead unit."),
    )


@login_required
@require_POST
def item_extend(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(item)
    return _act(
        request,
        item,
        lambda: services.extension_request(
            item_id=item.pk,
            user=request.user,
            new_deadline=form.cleaned_data["new_deadline"],
            reason=form.cleaned_data["reason"],
        ),
        _("Extension requested; the leader in charge decides."),
    )


@login_required
@require_POST
def item_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the lead unit."))
        return redirect(item)
    return _act(
        request,
        item,
        lambda: services.item_reassign(
            item_id=item.pk, user=request.user, lead_unit=form.cleaned_data["lead_unit"]
        ),
        _("Assigned again."),
    )


@login_required
def evidence(request: HttpRequest, pk: int, report_id: int) -> FileResponse:
    item = _item(request, pk)
    report = Report.objects.filter(item=item, pk=report_id).exclude(evidence="").first()
    if report is None:
        raise Http404(_("No such file."))
    return FileResponse(report.evidence.open("rb"), as_attachment=True)
