import functools
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import caching, params
from hall.chrome import render_once
from hall.lists import Page, escape, url_maker
from hall.models import Service, ServiceField, User
from workflows import handoffs, selectors, services
from workflows.forms import ApplyForm, CopyForm, DecisionForm, PersonActionForm, RatingForm
from workflows.models import ApprovalRecord, ApprovalTask, ServiceRequest


@login_required
@require_POST
def start_internal(request: HttpRequest, code: str) -> HttpResponse:
    """Starts an internal service's chain from another app's page (an appraisal batch)."""
    back = params.safe_next(request, request.POST.get("next", ""), "/")
    try:
        token = uuid.UUID(request.POST.get("submit_token", ""))
    except ValueError:
        token = uuid.uuid4()
    try:
        form_data = handoffs.start_form_data(code, user=request.user, post=request.POST)
        service = handoffs.internal_service(code, department=request.user.department)
        created = services.request_submit(
            service=service,
            applicant=request.user,
            form_data=form_data,
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=token,
        )
    except (handoffs.HandoffError, services.RequestError) as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except IntegrityError:
        created = ServiceRequest.objects.filter(submit_token=token).first()
        if created is None:
            raise
    messages.success(
        request, _("Submitted as %(number)s. Follow it here.") % {"number": created.number}
    )
    return redirect(created)


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(Service, code=code, is_published=True)
    if not service.is_online:
        messages.info(request, _("This service is handled in person: see its guide."))
        return redirect(service)
    try:
        services.check_may_apply(service=service, user=request.user)
    except services.RequestError as exc:
        messages.error(request, exc.message)
        return redirect(service)
    if handoffs.instant_url(service.code):  # an inquiry answers at once, on its own page
        return redirect(handoffs.instant_url(service.code))
    specs = list(service.fields.all())
    draft = None
    draft_id = params.integer(
        request,
        "draft",
        label=_("Draft"),
        data=request.POST if request.POST.get("draft") else request.GET,
    )
    if draft_id:
        draft = selectors.draft_for(request.user, service_id=service.pk, draft_id=draft_id)
        if draft is None:
            raise Http404(_("No such draft."))
    stored = draft.form_data if draft else {}
    if request.method == "POST":
        drafting = "save_draft" in request.POST
        form = ApplyForm(
            request.POST,
            request.FILES,
            specs=specs,
            user=request.user,
            stored=stored,
            drafting=drafting,
        )
        if form.is_valid():
            args = {
                "service": service,
                "applicant": request.user,
                "form_data": form.form_data(),
                "files": form.uploads(),
                "urgent": form.cleaned_data["urgent"],
                "urgent_reason": form.cleaned_data["urgent_reason"],
                "draft": draft,
            }
            token = form.cleaned_data["submit_token"]
            try:
                if drafting:
                    draft = services.request_save_draft(**args)
                    messages.success(
                        request, _("Draft saved. You can come back to it from “My requests”.")
                    )
                    return redirect(f"{request.path}?draft={draft.pk}")
                created = services.request_submit(submit_token=token, **args)
                messages.success(
                    request,
                    _("Submitted as %(number)s. Follow it here.") % {"number": created.number},
                )
                return redirect(created)
            except services.RequestError as exc:
                form.add_error(None, exc.message)
            except IntegrityError:
                # A double click: the other submission with this form's token won the race.
                created = ServiceRequest.objects.filter(submit_token=token).first()
                if created is None:
                    raise
                return redirect(created)
    else:
        initial = {}
        if draft:
            initial = {"urgent": draft.urgent, "urgent_reason": draft.urgent_reason}
        else:
            # A link from another page may fill text fields: /services/<code>/apply/?codes=…
            filled = (
                (spec.key, params.text(request, spec.key, label=spec.label))
                for spec in specs
                if not spec.prefill
                and spec.field_type in (ServiceField.Type.TEXT, ServiceField.Type.LONG_TEXT)
            )
            stored = {key: value for key, value in filled if value}
        form = ApplyForm(initial=initial, specs=specs, user=request.user, stored=stored)
    return render(
        request,
        "workflows/apply.html",
        {
            "service": service,
            "form": form,
            "draft": draft,
            "attachments": selectors.attachments_by_id(draft) if draft else {},
        },
    )


def _request_or_404(request: HttpRequest, pk: int) -> ServiceRequest:
    found = selectors.request_for(request.user, pk)
    if found is None:
        raise Http404(_("No such request."))
    return found


def _predicted(req: ServiceRequest):
    from workflows.analytics import predicted_finish

    return predicted_finish(req)


def _live_parts(req: ServiceRequest, now, stamp: str) -> tuple[list, list, object, object]:
    """The request page's history, progress bar, likely finish and form rows. With the live
    stamp of what they show (``selectors.live_stamp``: a decision, a claim, a transfer, a
    comment or a save of the request makes a new one) they are kept under it, so the page seen
    again before the request moved reads neither its tasks, nor its trail, nor its attachments;
    the stamp's likely-finish period bounds how long, as it bounds the poll's. Form rows that
    show another app's objects live (a document's number) are read every time."""
    live_fields = handoffs.has_live_fields(req)

    def read() -> tuple[list, list, object, object]:
        rows = trail_rows(selectors.trail(req))
        progress = progress_rows(selectors.progress(req), now)
        return rows, progress, _predicted(req), None if live_fields else selectors.form_rows(req)

    parts = (
        read()
        if not stamp
        else caching.read_through(
            f"workflows:live:{stamp}", read, selectors.PREDICTION_REFRESH_SECONDS
        )
    )
    if live_fields:
        parts = (*parts[:3], selectors.form_rows(req))
    return parts


def _visit_reads(req: ServiceRequest) -> dict:
    """What the live part reads on every visit, not kept under its stamp: the rating, the
    archival code, other apps' facts."""
    return {
        "rating": selectors.rating_of(req),
        "archived_code": selectors.archived_code(req),
        "facts": handoffs.facts_of(req),
    }


def _detail_context(
    req: ServiceRequest, user, *, now=None, stamp: str = "", visit: dict | None = None
) -> dict:
    """What the request page (and the task page around its decision) shows. ``stamp`` (the
    request page and its poll, whose request carries its latest trail entry) lets the live parts
    come from the cache; ``visit``, when given, is what _visit_reads read already."""
    now = now or timezone.now()
    trail, progress, predicted, form_rows = _live_parts(req, now, stamp)
    return {
        "req": req,
        "trail_rows": trail,
        "progress_rows": progress,
        "rows": form_rows,
        "is_applicant": req.applicant_id == user.pk,
        "copy_form": CopyForm(),
        **(visit if visit is not None else _visit_reads(req)),
        "predicted": predicted,
        "now": now,
        "rating_form": RatingForm(),
        "live_stamp": stamp,
    }


def _live_html_key(stamp: str, visit: dict) -> str:
    import hashlib

    rating = visit["rating"]
    seen = repr(
        (
            (rating.pk, rating.score, rating.response) if rating else None,
            visit["archived_code"],
            [(str(label), str(value)) for label, value in visit["facts"]],
        )
    )
    return f"workflows:live:{stamp}:{hashlib.sha256(seen.encode()).hexdigest()[:24]}"


def live_keys(req: ServiceRequest, stamp: str) -> list[str]:
    """The cache keys of what the request page keeps under its live stamp (its parts, its
    rendered live part): for tests that act as if the request had moved."""
    return [f"workflows:live:{stamp}", _live_html_key(stamp, _visit_reads(req))]


# Stands for the CSRF token in a kept live part: each visit puts its own in (a token is the
# browser's, not the person's).
_CSRF_STAND_IN = "0hall0csrf0stand0in0"


def _live_fragment(request: HttpRequest, req: ServiceRequest, *, now, stamp: str) -> SafeString:
    """workflows/_request_live.html for this person now: rendered once per live stamp (which
    holds the person, the language and everything the part shows of the request, its steps and
    its history) and what _visit_reads reads, kept for the stamp's own period; each visit puts
    its CSRF token in. A service whose form rows show another app's objects live (a
    document's number) renders it on every visit."""
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string

    visit = _visit_reads(req)
    if not stamp or handoffs.has_live_fields(req):
        context = _detail_context(req, request.user, now=now, stamp=stamp, visit=visit)
        return SafeString(render_to_string("workflows/_request_live.html", context, request))
    key = _live_html_key(stamp, visit)

    def render_it() -> str:
        context = _detail_context(req, request.user, now=now, stamp=stamp, visit=visit)
        context["csrf_token"] = _CSRF_STAND_IN
        return render_to_string("workflows/_request_live.html", context)

    html = caching.read_through(key, render_it, selectors.PREDICTION_REFRESH_SECONDS)
    return SafeString(html.replace(_CSRF_STAND_IN, get_token(request)))


def due_span(lists: Page, due, now, *, overdue: str, left: str) -> str:
    """The time left or over until ``due`` (none without one), as workflows/_due.html says it:
    ``overdue`` and ``left`` are the translated "Overdue by %(late)s" and "%(left)s left"."""
    if not due:
        return ""
    if due < now:
        late = overdue % {"late": lists.since(due, now)}
        return f'<span class="overdue">{escape(late)} ({lists.minute(due)})</span>'
    ahead = left % {"left": lists.since(now, due)}
    return f'<span class="countdown">{escape(ahead)} ({lists.minute(due)})</span>'


def progress_rows(steps, now) -> list[SafeString]:
    """The progress bar's steps (workflows/_progress.html), each written out once as the lists'
    rows are: its state, who has it now (phone, office), each decision, the time left or over."""
    lists = Page()
    states = {
        "active": escape(_("In progress")),
        "approved": escape(_("Approved")),
        "rejected": escape(_("Rejected")),
        "returned": escape(_("Returned")),
        "skipped": escape(_("Skipped")),
    }
    waiting = escape(_("Waiting"))
    decided = {code: escape(str(label)) for code, label in ApprovalTask.Status.choices}
    overdue, left = _("Overdue by %(late)s"), _("%(left)s left")
    rows = []
    for number, step in enumerate(steps, start=1):
        state = step.state
        current = ' aria-current="step"' if state == "active" else ""
        handlers = ""
        for who in step.handlers:
            phone = escape(who.phone) if who.phone else ""
            reach = f' · ☎ <a href="tel:{phone}">{phone}</a>' if phone else ""
            reach += f" · {escape(who.office)}" if who.office else ""
            handlers += f'<span class="step-who">{escape(who)}{reach}</span>'
        decisions = ""
        for task in step.decisions:
            said = f" · “{escape(task.comment)}”" if task.comment else ""
            decisions += (
                f'<span class="step-when">{escape(task.decided_by)} · '
                f"{decided.get(task.status, escape(task.status))} · "
                f"{lists.minute(task.decided_at)}{said}</span>"
            )
        when = due_span(lists, step.due_at, now, overdue=overdue, left=left)
        if when:
            when = f'<span class="step-due">{when}</span>'
        rows.append(
            SafeString(
                f'\n    <li class="progress-step {escape(state)}"{current}>\n'
                f'      <span class="step-name">{number}. {escape(step.name)}</span>\n'
                f'      <span class="step-state">{states.get(state, waiting)}</span>\n'
                f"      {handlers}\n      {decisions}\n      {when}\n    </li>\n  "
            )
        )
    return rows


def trail_rows(records) -> list[SafeString]:
    """The request's history (workflows/_trail.html), a row written out once each as the lists'
    are (README, "A fast list page"): when, who (for whom), what, at which step, the comment."""
    lists = Page()
    system = escape(_("System"))
    behalf = _("on behalf of %(who)s")
    actions = {code: escape(str(label)) for code, label in ApprovalRecord.Action.choices}
    rows = []
    for record in records:
        who = escape(record.actor) if record.actor else system
        if record.on_behalf_of:
            who += f"</strong> ({behalf % {'who': escape(record.on_behalf_of)}})"
        else:
            who += "</strong>"
        step = f" · {escape(record.step_name)}" if record.step_name else ""
        comment = f" — {escape(record.comment)}" if record.comment else ""
        rows.append(
            SafeString(
                f"<li><time>{lists.minute(record.created_at)}</time> <strong>{who}"
                f" · {actions.get(record.action, escape(record.action))}"
                f"{step}{comment}</li>"
            )
        )
    return rows


def _live_or_404(request: HttpRequest, pk: int) -> ServiceRequest:
    found = selectors.request_for_live(request.user, pk)
    if found is None:
        raise Http404(_("No such request."))
    return found


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _live_or_404(request, pk)
    if req.status == ServiceRequest.Status.DRAFT and req.applicant_id == request.user.pk:
        return redirect(f"{req.service.get_absolute_url()}apply/?draft={req.pk}")
    now = timezone.now()
    stamp = selectors.live_stamp(req, request.user, now)
    live = _live_fragment(request, req, now=now, stamp=stamp)
    context = {"req": req, "live": live, "live_stamp": stamp}
    return render(request, "workflows/request_detail.html", context)


@login_required
def request_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the request page, for it to refresh without a full reload. The page
    polls it every 10 s with the stamp of what it shows (If-None-Match): while nothing moved
    the answer is a bodiless 304 after two queries for its applicant (the person, the
    request's light stamp: ``selectors.live_head``), three for anyone else (whether they may
    see it)."""
    from django.utils.http import parse_etags

    now = timezone.now()
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    head = selectors.live_head(request.user, pk) if sent else None
    req = head if head is not None else _live_or_404(request, pk)
    stamp = selectors.live_stamp(req, request.user, now)
    etag = f'"{stamp}"'
    if etag in sent:
        response = HttpResponse(status=304)
    else:
        if req is head:  # moved: the whole request, with what the live part shows
            req = _live_or_404(request, pk)
            stamp = selectors.live_stamp(req, request.user, now)
            etag = f'"{stamp}"'
        response = HttpResponse(_live_fragment(request, req, now=now, stamp=stamp))
    response["ETag"] = etag
    return response


@login_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    comment = params.posted_text(request, "comment", label=_("Comment"))
    if comment is None:
        return redirect(req)
    try:
        services.request_withdraw(request_id=req.pk, user=request.user, comment=comment)
        messages.success(request, _("The request was withdrawn."))
    except services.RequestError as exc:
        messages.error(request, exc.message)
    return redirect(req)


@login_required
@require_POST
def request_nudge(request: HttpRequest, pk: int) -> HttpResponse:
    from workflows.reminders import request_nudge as nudge

    req = _request_or_404(request, pk)
    try:
        nudge(request_id=req.pk, user=request.user)
        messages.success(request, _("A reminder went to the current handler."))
    except services.RequestError as exc:
        messages.error(request, exc.message)
    return redirect(req)


@login_required
@require_POST
def request_cc(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("person", []):
            messages.error(request, error)
        return redirect(req)
    person = User.objects.get(pk=form.cleaned_data["person"]["id"])
    try:
        if services.request_cc(request_id=req.pk, user=request.user, to_users=[person]):
            messages.success(request, _("Copied to %(name)s.") % {"name": person})
        else:
            messages.info(request, _("%(name)s can already read this request.") % {"name": person})
    except services.RequestError as exc:
        messages.error(request, exc.message)
    return redirect(req)


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """After a return for revision: the applicant edits and resubmits."""
    req = _request_or_404(request, pk)
    if req.applicant_id != request.user.pk or req.status != ServiceRequest.Status.RETURNED:
        messages.error(request, _("This request is not waiting for your revision."))
        return redirect(req)
    try:
        services.check_may_apply(service=req.service, user=request.user)
    except services.RequestError as exc:
        messages.error(request, exc.message)
        return redirect(req)
    specs = list(req.service.fields.all())
    if request.method == "POST":
        form = ApplyForm(
            request.POST, request.FILES, specs=specs, user=request.user, stored=req.form_data
        )
        comment = params.posted_text(request, "comment", label=_("Comment"))
        if comment is not None and form.is_valid():
            try:
                services.request_resubmit(
                    request_id=req.pk,
                    user=request.user,
                    form_data=form.form_data(),
                    files=form.uploads(),
                    comment=comment,
                )
                messages.success(request, _("Resubmitted: the approval chain starts again."))
                return redirect(req)
            except services.RequestError as exc:
                form.add_error(None, exc.message)
    else:
        form = ApplyForm(
            initial={"urgent": req.urgent, "urgent_reason": req.urgent_reason},
            specs=specs,
            user=request.user,
            stored=req.form_data,
        )
    return render(
        request,
        "workflows/apply.html",
        {
            "service": req.service,
            "form": form,
            "resubmitting": req,
            "attachments": selectors.attachments_by_id(req),
        },
    )


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    req = _request_or_404(request, pk)
    found = req.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404(_("No such file."))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@login_required
def request_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    if req.status != ServiceRequest.Status.APPROVED:
        raise Http404(_("Only an approved request has a PDF."))
    if not req.pdf:
        messages.info(request, _("The PDF is being prepared; try again in a moment."))
        return redirect(req)
    return FileResponse(
        req.pdf.open("rb"),
        as_attachment=True,
        filename=f"{req.number}.pdf",
        content_type="application/pdf",
    )


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    status = params.choice(request, "status", ServiceRequest.Status.choices, label=_("Status"))
    page = Paginator(
        selectors.my_requests(request.user, status=status), settings.HALL_PAGE_SIZE
    ).get_page(params.page_number(request))
    return render(
        request, "workflows/my_requests.html", my_requests_context(page=page, status=status)
    )


def my_requests_context(*, page, status: str) -> dict:
    """The my-requests template's context (also rendered by tests/bench/render_bench.py)."""
    rows = request_rows(page.object_list)
    return {
        "page": page,
        # joined here, the heading and tabs rendered once per language and status (as the
        # inbox's)
        "rows": SafeString("\n  ".join(rows)) if rows else "",
        "top": render_once(
            "workflows/_my_requests_top.html",
            make=lambda: {"statuses": ServiceRequest.Status.choices},
            status=status,
        ),
        "status": status,
        "statuses": ServiceRequest.Status.choices,
        "querystring": f"status={status}" if status else "",
    }


def _name(english: bool, zh: str, en: str) -> str:
    """A bilingual name in the reader's language (hall.lists.Page.name, for a values row)."""
    return (en or zh) if english else (zh or en)


def request_rows(requests) -> list[SafeString]:
    """My requests' rows (``selectors.REQUEST_ROW`` dicts), written out as the inbox's are
    (task_rows)."""
    lists = Page()
    english = lists.english
    request_url = url_maker("workflows:request-detail")
    status = {code: escape(str(label)) for code, label in ServiceRequest.Status.choices}
    urgent_badge = f'<span class="badge urgent">{escape(_("Urgent"))}</span>'
    last_saved, due_label = escape(_("Last saved")), escape(_("Due"))
    rows = []
    for req in requests:
        if req["number"]:
            at = req["submitted_at"] or req["created_at"]
            number = f"<span>{escape(req['number'])}</span>"
            when = f'<span><time datetime="{lists.iso(at)}">{lists.minute(at)}</time></span>'
        else:
            at = req["updated_at"]
            number = ""
            when = (
                f'<span>{last_saved} <time datetime="{lists.iso(at)}">'
                f"{lists.minute(at)}</time></span>"
            )
        due_at = req["current_due"]
        due = f"<span>{due_label} {lists.minute(due_at)}</span>" if due_at else ""
        name = _name(english, req["service__name_zh"], req["service__name_en"])
        code = req["status"]
        rows.append(
            SafeString(
                f'<li class="service-item"><a class="service-name" href="{request_url(req["pk"])}">'
                f"{escape(name)}</a>"
                f'<span class="service-meta">{number}'
                f'<span class="status-{escape(code)}">{status.get(code, "")}</span>'
                f"{urgent_badge if req['urgent'] else ''}{when}{due}</span></li>"
            )
        )
    return rows


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    from workflows.forms import InboxFilterForm

    form = InboxFilterForm(request.GET)
    flt = form.to_filter()
    # The tab is a link, not a field; on "copied to me" the filters are not shown at all.
    form.warn(request, None if flt.tab == "cc" else ["tab"])
    rows = (
        selectors.cc_requests(request.user)
        if flt.tab == "cc"
        else selectors.inbox(request.user, flt)
    )
    page = Paginator(rows, settings.HALL_PAGE_SIZE).get_page(params.page_number(request))
    context = inbox_context(form=form, flt=flt, page=page, now=timezone.now())
    return render(request, "workflows/inbox.html", context)


def inbox_context(*, form, flt, page, now) -> dict:
    """The inbox template's context (also rendered by tests/bench/render_bench.py)."""
    rows = (
        cc_rows(page.object_list)
        if flt.tab == "cc"
        else task_rows(page.object_list, now, todo=flt.tab == "todo", done=flt.tab == "done")
    )
    return {
        "form": form,
        "filter": flt,
        "page": page,
        # the rows joined here, the heading and tabs rendered once per language and tab: the
        # page's template has no loop, no {% url %} and few {% translate %} (README, "A fast
        # list page")
        "rows": SafeString("\n    ".join(rows)) if rows else _nothing_here(),
        "top": render_once("workflows/_inbox_top.html", tab=flt.tab),
        "bulk_url": _bulk_url(get_script_prefix()),
        "tabs": selectors.TABS,
        "querystring": form.querystring(),
        "now": now,
        "filters": _filters_once(form, flt.tab),
    }


def _nothing_here() -> SafeString:
    return SafeString(f'<li class="empty">{escape(_("Nothing here."))}</li>')


@functools.cache
def _bulk_url(prefix: str) -> str:
    return reverse("workflows:bulk-approve")


# The filter form's checkboxes, with the value a browser sends when one is ticked.
_TICKED = {"urgent": "on", "overdue": "on"}


def _filters_once(form, tab: str):
    """The filter form's HTML when no filter is set (nearly every visit) or only its checkboxes
    are ticked ("urgent only", "overdue only"): the same for everyone with the same language,
    tab and ticks, so rendered once (hall.chrome); else None, and the template renders the form
    with its values and errors."""
    from workflows.forms import InboxFilterForm

    if tab == "cc":
        return None
    given = {name: form.data.get(name) for name in form.fields if name != "tab"}
    ticked = {name: value for name, value in given.items() if value}
    if any(_TICKED.get(name) != value for name, value in ticked.items()):
        return None
    return render_once(
        "workflows/_inbox_filters.html",
        make=lambda: {"form": InboxFilterForm(ticked)},
        tab=tab,
        **ticked,
    )


def task_rows(tasks, now, *, todo: bool, done: bool) -> list[SafeString]:
    """The inbox's rows (``selectors.TASK_ROW`` dicts), each written out as HTML once (README,
    "A fast list page"): labels translated and the URL reversed once a page, every value
    escaped."""
    lists = Page()
    english = lists.english
    task_url = url_maker("workflows:task-detail")
    status = {code: str(label) for code, label in ApprovalTask.Status.choices}
    overdue, left = _("Overdue by %(late)s"), _("%(left)s left")
    select = escape(_("Select"))
    urgent_badge = f'<span class="badge urgent">{escape(_("Urgent"))}</span>'
    rows = []
    for task in tasks:
        number = escape(task["request__number"] or "")
        pk = task["pk"]
        tick = (
            f'<input type="checkbox" name="task" value="{pk}" id="sel-{pk}" '
            f'aria-label="{select} {number}">'
            if todo
            else ""
        )
        due = task["due_at"]
        if done:
            when = (
                f"<span>{escape(status.get(task['status'], task['status']))} · "
                f"{lists.minute(task['decided_at'])}</span>"
            )
        else:
            when = due_span(lists, due, now, overdue=overdue, left=left)
        name = _name(english, task["request__service__name_zh"], task["request__service__name_en"])
        # str(applicant): the full name, else the username
        who = task["request__applicant__full_name"] or task["request__applicant__username"]
        rows.append(
            SafeString(
                f'<li class="task-item{" urgent" if task["urgent"] else ""}">{tick}'
                f'<div class="task-main"><a class="service-name" href="{task_url(pk)}">'
                f"{escape(name)}</a>"
                f'<span class="service-meta"><span>{number}</span>'
                f"<span>{escape(who)}</span>"
                f"{urgent_badge if task['urgent'] else ''}{when}</span></div></li>"
            )
        )
    return rows


def cc_rows(requests) -> list[SafeString]:
    """The rows of "copied to me" (``selectors.CC_ROW`` dicts), written out as task_rows are."""
    lists = Page()
    english = lists.english
    request_url = url_maker("workflows:request-detail")
    status = {code: escape(str(label)) for code, label in ServiceRequest.Status.choices}
    return [
        SafeString(
            f'<li class="task-item"><div class="task-main">'
            f'<a class="service-name" href="{request_url(req["pk"])}">'
            f"{escape(_name(english, req['service__name_zh'], req['service__name_en']))}</a>"
            f'<span class="service-meta"><span>{escape(req["number"] or "")}</span>'
            f"<span>{escape(req['applicant__full_name'] or req['applicant__username'])}</span>"
            f'<span class="status-{escape(req["status"])}">{status.get(req["status"], "")}</span>'
            "</span></div></li>"
        )
        for req in requests
    ]


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # A POST mostly redirects: the page's service, applicant and department are read only when
    # it is shown again (below).
    task = selectors.task_for(request.user, pk, page=request.method != "POST")
    if task is None:
        raise Http404(_("No such task."))
    req = task.request
    earlier = [
        (i, selectors.step_name(s))
        for i, s in enumerate(req.chain[: task.step_index])
        if s.get("state") not in ("skipped",)
    ]
    decision = DecisionForm(earlier_steps=earlier)
    person_form = PersonActionForm(prefix="p")
    if request.method == "POST":
        op = request.POST.get("op", "decide")
        try:
            if op == "comment":
                remark = params.posted_text(request, "remark", label=_("Comment"), max_length=4000)
                if remark is None:
                    return redirect(task)
                services.request_comment(request_id=req.pk, user=request.user, comment=remark)
                messages.success(request, _("Your comment was added to the history."))
                return redirect(task)
            if op == "claim":
                services.task_claim(task_id=task.pk, user=request.user)
                messages.success(request, _("The task is yours now."))
                return redirect(task)
            if op in ("transfer", "add_signer"):
                person_form = PersonActionForm(request.POST, prefix="p")
                if person_form.is_valid():
                    person = person_form.cleaned_data["person"]
                    target = User.objects.get(pk=person["id"])
                    if op == "transfer":
                        services.task_transfer(
                            task_id=task.pk,
                            user=request.user,
                            to_user=target,
                            comment=person_form.cleaned_data["comment"],
                        )
                        messages.success(request, _("Transferred to %(name)s.") % {"name": target})
                        return redirect("workflows:inbox")
                    services.task_add_signer(
                        task_id=task.pk,
                        user=request.user,
                        signer=target,
                        before=person_form.cleaned_data["position"] == "before",
                        comment=person_form.cleaned_data["comment"],
                    )
                    messages.success(
                        request, _("%(name)s was added as a signer.") % {"name": target}
                    )
                    return redirect(task)
            else:
                decision = DecisionForm(request.POST, earlier_steps=earlier)
                if decision.is_valid():
                    data = decision.cleaned_data
                    services.task_decide(
                        task_id=task.pk,
                        user=request.user,
                        action=data["action"],
                        comment=data["comment"],
                        return_to=data["return_to"] if data["action"] == "return" else None,
                    )
                    messages.success(request, _("Your decision was recorded."))
                    return redirect("workflows:inbox")
        except services.RequestError as exc:
            messages.error(request, exc.message)
            return redirect(task)
        task = selectors.task_for(request.user, pk)  # afresh, with what the page shows
        if task is None:
            raise Http404(_("No such task."))
        req = task.request
    context = _detail_context(req, request.user)
    context.update(
        {
            "task": task,
            "decision": decision,
            "person_form": person_form,
            "can_decide": task.status == ApprovalTask.Status.PENDING
            and task.assignee_id == request.user.pk
            and req.status == ServiceRequest.Status.IN_PROGRESS
            and task.step_index == req.current_step,
            "can_claim": task.status == ApprovalTask.Status.PENDING and task.assignee_id is None,
            "step_name": selectors.step_name(req.chain[task.step_index]),
        }
    )
    return render(request, "workflows/task_detail.html", context)


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approves the selected to-do tasks one by one, each recorded as if done alone."""
    ids = params.posted_ids(request, "task", limit=100)
    comment = params.posted_text(request, "comment", label=_("Comment"))
    if comment is None:
        return redirect("workflows:inbox")
    done, refused = 0, []
    for task_id in ids:
        if selectors.task_for(request.user, task_id, page=False) is None:
            refused.append(_("task %(id)s: not yours") % {"id": task_id})
            continue
        try:
            services.task_decide(
                task_id=task_id,
                user=request.user,
                action="approve",
                comment=comment,
            )
            done += 1
        except services.RequestError as exc:
            refused.append(f"#{task_id}: {exc.message}")
    if done:
        messages.success(request, _("%(n)d tasks approved.") % {"n": done})
    for message in refused:
        messages.error(request, message)
    if not ids:
        messages.error(request, _("Select the tasks to approve first."))
    return redirect("workflows:inbox")


@login_required
def delegation(request: HttpRequest) -> HttpResponse:
    from workflows import people
    from workflows.forms import DelegationForm
    from workflows.models import Delegation

    form = DelegationForm(request.POST or None)
    if request.method == "POST":
        if "end" in request.POST:
            try:
                people.delegation_end(
                    user=request.user, delegation_id=params.posted_id(request, "end") or 0
                )
                messages.success(request, _("The delegation was ended."))
            except services.RequestError as exc:
                messages.error(request, exc.message)
            return redirect("workflows:delegation")
        if form.is_valid():
            data = form.cleaned_data
            try:
                people.delegation_set(
                    user=request.user,
                    delegate=User.objects.get(pk=data["delegate"]["id"]),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                )
                messages.success(request, _("Your delegation was saved."))
                return redirect("workflows:delegation")
            except services.RequestError as exc:
                form.add_error(None, exc.message)
    page = Paginator(people.done_on_my_behalf(request.user), settings.HALL_PAGE_SIZE).get_page(
        params.page_number(request)
    )
    return render(
        request,
        "workflows/delegation.html",
        {
            "form": form,
            "delegations": Delegation.objects.filter(user=request.user).select_related("delegate"),
            "standing_in": Delegation.objects.filter(delegate=request.user).select_related("user"),
            "page": page,
            "querystring": "",
        },
    )


@login_required
@require_POST
def request_rate(request: HttpRequest, pk: int) -> HttpResponse:
    from workflows import people
    from workflows.forms import RatingForm

    req = _request_or_404(request, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how satisfied you are, from 1 to 5."))
        return redirect(req)
    try:
        people.rating_submit(
            request_id=req.pk,
            user=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you for your rating."))
    except services.RequestError as exc:
        messages.error(request, exc.message)
    return redirect(req)


@login_required
def follow_up(request: HttpRequest) -> HttpResponse:
    """Low ratings of the services of the departments the user administers."""
    from workflows import people
    from workflows.forms import FollowUpForm

    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                people.rating_respond(
                    rating_id=params.posted_id(request, "rating"),
                    user=request.user,
                    response=form.cleaned_data["response"],
                )
                messages.success(request, _("Your follow-up was recorded."))
            except services.RequestError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, _("Say what was changed."))
        return redirect("workflows:follow-up")
    page = Paginator(people.low_ratings_for(request.user), settings.HALL_PAGE_SIZE).get_page(
        params.page_number(request)
    )
    return render(
        request,
        "workflows/follow_up.html",
        {"page": page, "form": FollowUpForm(), "querystring": ""},
    )


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    """Per service and per step, for a period; office admins only. ?format=csv exports."""
    import csv
    from datetime import timedelta

    from workflows import analytics as numbers
    from workflows.forms import PeriodForm

    if not request.user.is_staff:
        raise Http404(_("No such page."))
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    date_from, date_to = today - timedelta(days=365), today
    if not form.non_field_errors():
        date_from = form.value("date_from", date_from)
        date_to = form.value("date_to", date_to)
    services_rows = numbers.service_table(date_from, date_to)
    step_rows = numbers.step_table(date_from, date_to)
    if params.choice(request, "format", ["csv"], label=_("Format")) == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="hall-{date_from}-{date_to}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Service"),
                _("Requests"),
                _("Finished"),
                _("Median hours"),
                _("P90 hours"),
                _("On time"),
                _("Returns"),
                _("Reminders"),
                _("Average rating"),
                _("Ratings"),
            ]
        )
        for row in services_rows:
            writer.writerow(
                [
                    row.name,
                    row.count,
                    row.finished,
                    _hours(row.median),
                    _hours(row.p90),
                    f"{row.on_time:.0%}" if row.on_time is not None else "",
                    row.returns,
                    row.reminders,
                    f"{row.rating:.1f}" if row.rating is not None else "",
                    row.ratings,
                ]
            )
        return response
    longest = max((r.median for r in services_rows if r.median), default=None)
    for row in [*services_rows, *step_rows]:
        row.bar = int(100 * row.median / longest) if row.median and longest else 0
        row.median_text = numbers.duration_text(row.median)
        row.p90_text = numbers.duration_text(row.p90)
    names = {r.key: r.name for r in services_rows}
    for row in step_rows:
        row.service_name = names.get(row.extra["service_id"], "")
    return render(
        request,
        "workflows/analytics.html",
        {
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "services": services_rows,
            "steps": step_rows,
        },
    )


def _hours(value) -> str:
    return f"{value.total_seconds() / 3600:.1f}" if value is not None else ""
