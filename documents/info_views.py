"""Pages of government affairs information: items, the editors' actions, issues, scores."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from documents import info
from documents.models import InfoIssue, InfoItem
from documents.services import DocumentError
from hall import lists, params

PAGE_SIZE = 50


class ItemFilter(params.QueryForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", "—"), *InfoItem.Status.choices],
        required=False,
    )
    unit = forms.IntegerField(
        label=gettext_lazy("Unit"), min_value=1, max_value=params.MAX_INT, required=False
    )


class ItemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=pgettext_lazy("drafting", "Text"), widget=forms.Textarea(attrs={"rows": 12})
    )


class UpperForm(forms.Form):
    on = params.DateField(label=gettext_lazy("Adopted on"), required=True)
    by = forms.CharField(label=gettext_lazy("Adopted by (upper level)"), max_length=200)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InfoIssue.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    items = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Adopted items"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = info.compilable(user)


class ScoreQuery(params.QueryForm):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[
            ("month", gettext_lazy("Month")),
            ("quarter", gettext_lazy("Quarter")),
            ("year", gettext_lazy("Year")),
        ],
        required=False,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False
    )
    n = forms.IntegerField(
        label=gettext_lazy("Month or quarter"), min_value=1, max_value=12, required=False
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("", "HTML"), ("xlsx", "Excel")], required=False
    )


def _editor_only(request: HttpRequest) -> None:
    if not info.is_editor(request.user):
        raise PermissionDenied(_("Only the information editors do this."))


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    editor = info.is_editor(request.user)
    form = ItemFilter(request.GET or None)
    form.warn(request)
    rows = info.item_list(
        request.user, editor=editor, status=form.value("status", ""), unit=form.value("unit")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    look = lists.Page()
    states = {k: str(v) for k, v in InfoItem.Status.choices}
    url = lists.url_maker("documents:info-item")
    upper = _("Yes")
    table = [
        (
            url(i.pk),
            i.title,
            look.name(i.department),
            str(i.submitter or ""),
            i.submitted_on.isoformat(),
            i.status,
            states.get(i.status, i.status),
            upper if i.upper_adopted_on else "",
        )
        for i in page.object_list
    ]
    return render(
        request,
        "documents/info/list.html",
        {
            "form": form,
            "page": page,
            "table": table,
            "querystring": form.querystring(),
            "editor": editor,
            "may_submit": info.may_submit(request.user),
        },
    )


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not info.may_submit(request.user):
        raise PermissionDenied(_("Only a unit's staff submit information."))
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = info.item_submit(user=request.user, **form.cleaned_data)
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Information submitted."))
            return redirect(item)
    return render(request, "documents/info/item_form.html", {"form": form, "item": None})


def _item(request: HttpRequest, pk: int) -> InfoItem:
    item = info.item_for(request.user, pk)
    if item is None:
        raise Http404(_("No such information item."))
    return item


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    editor = info.is_editor(request.user)
    return render(
        request,
        "documents/info/item.html",
        {
            "item": item,
            "editor": editor,
            "edit_form": ItemForm(initial={"title": item.title, "body": item.body}),
            "reject_form": RejectForm(),
            "upper_form": UpperForm(initial={"on": timezone.localdate()}),
            "issue_open": item.issue_id is not None
            and info.issue_for(request.user, item.issue_id) is not None,
        },
    )


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _item(request, pk)
    _editor_only(request)
    done = {
        "adopt": _("Item adopted."),
        "reject": _("Item rejected."),
        "edit": _("Item saved."),
        "upper": _("Adoption by the upper level recorded."),
    }
    if action not in done:
        raise Http404(_("No such action."))
    form = {"reject": RejectForm, "edit": ItemForm, "upper": UpperForm}.get(action)
    data = {}
    if form is not None:
        bound = form(request.POST)
        if not bound.is_valid():
            for errors in bound.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(item)
        data = bound.cleaned_data
    act = {
        "adopt": info.item_adopt,
        "reject": info.item_reject,
        "edit": info.item_edit,
        "upper": info.item_upper_adopted,
    }[action]
    try:
        act(item_id=item.pk, user=request.user, **data)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[action])
    return redirect(item)


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    rows = (
        info.visible_issues(request.user)
        .select_related("compiled_by")
        .order_by("-year", "-number", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    kinds = {k: str(v) for k, v in InfoIssue.Kind.choices}
    look = lists.Page()
    url = lists.url_maker("documents:info-issue")
    not_sent = _("Not sent")
    table = [
        (
            url(i.pk),
            kinds.get(i.kind, i.kind),
            _issue_number(i),
            i.title,
            look.minute(i.sent_at) if i.sent_at else not_sent,
            i.sent_to,
        )
        for i in page.object_list
    ]
    return render(
        request,
        "documents/info/issues.html",
        {
            "page": page,
            "table": table,
            "querystring": "",
            "editor": info.is_editor(request.user),
        },
    )


def _issue_number(issue: InfoIssue) -> str:
    return f"{issue.year}-{issue.number}"


@login_required
def issue_create(request: HttpRequest) -> HttpResponse:
    _editor_only(request)
    form = IssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issue = info.issue_compile(
                user=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                item_ids=[i.pk for i in form.cleaned_data["items"]],
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Issue compiled."))
            return redirect(issue)
    return render(request, "documents/info/issue_form.html", {"form": form})


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = info.issue_for(request.user, pk)
    if issue is None:
        raise Http404(_("No such issue."))
    editor = info.is_editor(request.user)
    items = info.items_of(issue)
    for item in items:  # a link only to the items the reader may open (editors: all)
        item.openable = editor or item.department_id == request.user.department_id
    return render(
        request,
        "documents/info/issue.html",
        {"issue": issue, "number": _issue_number(issue), "items": items, "editor": editor},
    )


@login_required
def issue_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    issue = info.issue_for(request.user, pk)
    if issue is None:
        raise Http404(_("No such issue."))
    response = HttpResponse(info.issue_pdf(issue), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{issue.title}.pdf"
    )
    return response


@login_required
@require_POST
def issue_send(request: HttpRequest, pk: int) -> HttpResponse:
    issue = info.issue_for(request.user, pk)
    if issue is None:
        raise Http404(_("No such issue."))
    _editor_only(request)
    sent_to = params.posted_text(request, "sent_to", label=_("Sent to"), max_length=200)
    if sent_to is not None:
        try:
            info.issue_send(issue_id=issue.pk, user=request.user, sent_to=sent_to)
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Issue sent."))
    return redirect(issue)


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    """The score table per unit for a month, quarter or year, on the page or as Excel."""
    _editor_only(request)
    form = ScoreQuery(request.GET or None)
    form.warn(request)
    today = timezone.localdate()
    kind = form.value("period", "month")
    default_n = today.month if kind == "month" else (today.month - 1) // 3 + 1
    period = info.period_of(kind, form.value("year", today.year), form.value("n", default_n))
    look = lists.Page()
    table = info.score_table(period, english=look.english)
    if form.value("format") == "xlsx":
        response = HttpResponse(
            info.score_workbook(period, table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"info-scores-{period.kind}-{period.year}-{period.n}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "documents/info/scores.html",
        {
            "form": form,
            "period": period,
            "table": table,
            "points": info.points(),
            "querystring": form.querystring(format="xlsx"),
        },
    )
