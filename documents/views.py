from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import incoming as services_incoming
from documents import incoming_filing, seals, selectors, services
from documents.forms import (
    AssignForm,
    CheckForm,
    CirculateForm,
    CompareForm,
    DraftForm,
    FinishForm,
    IncomingFilter,
    IncomingForm,
    InstructionForm,
    ProposeForm,
    RegisterFilter,
    ReplyForm,
    SealOutForm,
    SealRecordForm,
    SealUseForm,
    VoidForm,
)
from documents.models import Dispatch, DocType, Incoming, Outgoing, Seal
from documents.services import DocumentError
from hall import params
from hall.actions import REFUSED, act
from hall.lists import CappedPaginator
from workflows.models import ServiceRequest


def _act(request: HttpRequest, action, done):
    """A button's service call: what it did, or why it was refused, as a message."""
    return act(request, action, done, refused=DocumentError)


PAGE_SIZE = 50
REGISTER_CAP = 10_000  # rows the outgoing register counts at most
SEARCH_CAP = 1_000  # … and a search of it


def _document(request: HttpRequest, pk: int) -> Outgoing:
    document = selectors.document_for(request.user, pk)
    if document is None:
        raise Http404(_("No such document."))
    return document


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The register of outgoing documents the person may see, newest first."""
    # Every parameter through the hall's query reader: a refused value is dropped with a
    # message and never comes back in the pager's links.
    form = RegisterFilter(request.GET or None)
    form.warn(request)
    filters = {name: form.value(name) for name in form.fields}
    filters = {k: v for k, v in filters.items() if v not in (None, "")}
    if "authority" in filters:
        filters["authority"] = filters["authority"].pk
    rows = selectors.register(request.user, **filters)
    # A search stops counting sooner: a common word matches a thirtieth of the register, and
    # nobody pages through more than 20 pages of it; more words narrow it.
    # A common word's page is read by walking the newest-first index (``walked``) once the
    # count says more than the cap match; a rarer word's few rows come from the pairs index.
    cap = SEARCH_CAP if "q" in filters else REGISTER_CAP
    walked = selectors.register(request.user, walk=True, **filters) if "q" in filters else None
    page = CappedPaginator(rows, PAGE_SIZE, cap=cap, walked=walked).get_page(
        params.page_number(request)
    )
    english = (request.LANGUAGE_CODE or "").startswith("en")
    # Labels translated once per page; each row's URL is the register's prefix plus its id.
    types = {k: str(v) for k, v in DocType.choices}
    states = {k: str(v) for k, v in Outgoing.Status.choices}
    prefix = reverse("documents:register")
    table = [
        (
            f"{prefix}{d.pk}/",
            d.number or "",
            d.title,
            types.get(d.doc_type, d.doc_type),
            d.status,
            states.get(d.status, d.status),
            (d.authority.name_en if english and d.authority.name_en else d.authority.name_zh),
            (
                (d.department.name_en if english and d.department.name_en else d.department.name_zh)
                if d.department
                else ""
            ),
            d.created_at,
        )
        for d in page.object_list
    ]
    return render(
        request,
        "documents/register.html",
        {
            "form": form,
            "page": page,
            "table": table,
            "querystring": form.querystring(),
            "may_draft": services.may_draft(request.user),
        },
    )


@login_required
def draft_create(request: HttpRequest) -> HttpResponse:
    if not services.may_draft(request.user):
        raise PermissionDenied(_("Only the staff draft documents."))
    form = DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        document = services.document_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Draft saved."))
        return redirect(document)
    return render(request, "documents/draft_form.html", {"form": form, "document": None})


@login_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    if not services.can_edit(document, request.user):
        messages.error(request, _("This document cannot be edited now."))
        return redirect(document)
    form = DraftForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        _act(
            request,
            lambda: services.document_save(
                user=request.user, data=form.cleaned_data, document_id=document.pk
            ),
            _("Draft saved."),
        )
        return redirect(document)
    return render(request, "documents/draft_form.html", {"form": form, "document": document})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    texts = selectors.texts(document)
    office = services.is_office(request.user, document.authority)
    returned = (
        document.request is not None and document.request.status == ServiceRequest.Status.RETURNED
    )
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "to_departments": list(document.to_departments.all()),
            "copy_departments": list(document.copy_departments.all()),
            "texts": texts,
            "paragraphs": selectors.paragraphs(document),
            "can_edit": services.can_edit(document, request.user),
            "returned": returned,
            "chain_link": selectors.may_open_chain(request.user, document),
            "chain_progress": selectors.chain_progress(document),
            "office": office,
            "void_form": VoidForm(),
            "dispatches": selectors.dispatches_of(document),
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    comment = params.posted_text(request, "comment", label=_("Comment"), max_length=500)
    if comment is None:
        return redirect(document)
    _act(
        request,
        lambda: services.document_submit(
            document_id=document.pk, user=request.user, comment=comment
        ),
        _("Sent for review."),
    )
    return redirect(document)


@login_required
@require_POST
def register_number(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    _act(
        request,
        lambda: services.document_register(document_id=document.pk, user=request.user),
        lambda done: _("Registered as %(number)s.") % {"number": done.number},
    )
    return redirect(document)


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = VoidForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _act(
        request,
        lambda: services.document_void(document_id=document.pk, user=request.user, reason=reason),
        lambda done: _("The number %(number)s is void.") % {"number": done.number},
    )
    return redirect(document)


@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two texts of a document side by side, the changes marked."""
    document = _document(request, pk)
    texts = {t.n: t for t in selectors.texts(document)}
    order = list(texts)
    form = CompareForm(request.GET)
    if form.is_valid() and {form.cleaned_data["a"], form.cleaned_data["b"]} <= set(texts):
        a, b = texts[form.cleaned_data["a"]], texts[form.cleaned_data["b"]]
    else:
        if request.GET:
            messages.error(request, _("No such versions to compare; showing the last two."))
        a, b = texts[order[max(len(order) - 2, 0)]], texts[order[-1]]
    return render(
        request,
        "documents/compare.html",
        {
            "document": document,
            "texts": list(texts.values()),
            "a": a,
            "b": b,
            "title_rows": selectors.side_by_side(a.title, b.title),
            "body_rows": selectors.side_by_side(a.body, b.body),
        },
    )


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The red-header PDF of a registered document, for those who may read the document."""
    from documents import pdf as red_header

    document = _document(request, pk)
    if not document.number:
        raise Http404(_("Only a registered document has its red-header PDF."))
    content, font = red_header.render(document, reader=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    response["X-Body-Font"] = font
    return response


@login_required
@require_POST
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    _act(
        request,
        lambda: services.document_dispatch(document_id=document.pk, user=request.user),
        lambda made: (
            _("Dispatched to %(n)s departments; it is being filed in the archives.")
            % {"n": len(made)}
        ),
    )
    return redirect(document)


@login_required
def received(request: HttpRequest) -> HttpResponse:
    """The documents dispatched to the person's department, to sign for."""
    rows = selectors.received_for(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    types = {k: str(v) for k, v in DocType.choices}
    kinds = {k: str(v) for k, v in Dispatch.Kind.choices}
    prefix = reverse("documents:register")
    sign_prefix = reverse("documents:received")
    table = [
        (
            f"{prefix}{d.document_id}/",
            f"{sign_prefix}{d.pk}/sign/",
            d.document.number or "",
            d.document.title,
            types.get(d.document.doc_type, d.document.doc_type),
            kinds.get(d.kind, d.kind),
            (
                d.document.authority.name_en
                if english and d.document.authority.name_en
                else d.document.authority.name_zh
            ),
            d.sent_at,
            d.signed_at,
            (d.signed_by.full_name or d.signed_by.username) if d.signed_by else "",
        )
        for d in page.object_list
    ]
    return render(request, "documents/received.html", {"page": page, "table": table})


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = selectors.dispatch_for(request.user, pk)
    if dispatch is None:
        raise Http404(_("No such document."))
    _act(
        request,
        lambda: services.dispatch_sign(dispatch_id=dispatch.pk, user=request.user),
        _("Signed for."),
    )
    return redirect("documents:received")


# --- incoming documents ----------------------------------------------------------------------


def _incoming(request: HttpRequest, pk: int):
    incoming = selectors.incoming_for(request.user, pk)
    if incoming is None:
        raise Http404(_("No such document."))
    return incoming


@login_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    """The incoming documents the person handles or reads, newest first."""
    form = IncomingFilter(request.GET or None)
    form.warn(request)
    filters = {"status": form.value("status", ""), "q": form.value("q", "")}
    rows = selectors.incoming_register(request.user, **filters)
    # A search counts at most SEARCH_CAP, and a common word's page walks the date index.
    walked = selectors.incoming_register(request.user, walk=True, **filters)
    page = CappedPaginator(
        rows,
        PAGE_SIZE,
        cap=SEARCH_CAP if filters["q"] else REGISTER_CAP,
        walked=walked if filters["q"] else None,
    ).get_page(params.page_number(request))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    states = {k: str(v) for k, v in Incoming.Status.choices}
    sources = {k: str(v) for k, v in Incoming.Source.choices}
    prefix = reverse("documents:incoming")

    def name(dept):
        if dept is None:
            return ""
        return dept.name_en if english and dept.name_en else dept.name_zh

    table = [
        (
            f"{prefix}{d.pk}/",
            d.number,
            d.title,
            d.sender,
            sources.get(d.source, d.source),
            d.status,
            states.get(d.status, d.status),
            name(d.department),
            name(d.lead_unit),
            d.due_date,
            d.received_at,
        )
        for d in page.object_list
    ]
    clerk = request.user.department_id is not None and services_incoming.is_clerk(
        request.user, request.user.department_id
    )
    return render(
        request,
        "documents/incoming_list.html",
        {
            "form": form,
            "page": page,
            "table": table,
            "querystring": form.querystring(),
            "clerk": clerk,
        },
    )


@login_required
def incoming_create(request: HttpRequest) -> HttpResponse:
    department_id = request.user.department_id
    if department_id is None or not services_incoming.is_clerk(request.user, department_id):
        messages.error(request, _("Only the receiving department's clerks handle this document."))
        return redirect("documents:incoming")
    form = IncomingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        incoming = _act(
            request,
            lambda: services_incoming.incoming_receive(
                user=request.user, department_id=department_id, data=form.cleaned_data
            ),
            _("Signed for."),
        )
        if incoming is not REFUSED:
            return redirect(incoming)
    return render(request, "documents/incoming_form.html", {"form": form})


@login_required
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _incoming(request, pk)
    user = request.user
    clerk = services_incoming.is_clerk(user, incoming.department_id)
    circulations = selectors.circulation_of(incoming)
    mine = next((c for c in circulations if c.reader_id == user.pk), None)
    return render(
        request,
        "documents/incoming_detail.html",
        {
            "incoming": incoming,
            "clerk": clerk,
            "leader": services_incoming.is_leader(user),
            "may_finish": clerk
            or (incoming.lead_unit_id and user.department_id == incoming.lead_unit_id),
            "instructions": selectors.instructions_of(incoming),
            "circulations": circulations,
            "unread": [c for c in circulations if c.read_at is None],
            "mine": mine,
            "co_units": list(incoming.co_units.all()),
            "replies": list(incoming.replies.all()),
            "check_form": CheckForm(),
            "propose_form": ProposeForm(),
            "instruction_form": InstructionForm(),
            "assign_form": AssignForm(),
            "circulate_form": CirculateForm(),
            "finish_form": FinishForm(),
            "reply_form": ReplyForm(),
            "archive_code": (
                incoming_filing.archive_code(incoming)
                if incoming.status == incoming.Status.DONE
                else ""
            ),
        },
    )


def _act_register(request, incoming):
    done = services_incoming.incoming_register(incoming_id=incoming.pk, user=request.user)
    return _("Registered as %(number)s.") % {"number": done.number}


def _act_check(request, incoming):
    form = CheckForm(request.POST)
    if not form.is_valid():
        raise DocumentError(_("Say whether it complies."))
    done = services_incoming.incoming_check(
        incoming_id=incoming.pk,
        user=request.user,
        complies=form.cleaned_data["complies"],
        reason=form.cleaned_data["reason"],
    )
    return done.get_status_display()


def _act_propose(request, incoming):
    form = ProposeForm(request.POST)
    if not form.is_valid():
        raise DocumentError(_("Write the proposed handling and name a leader."))
    services_incoming.incoming_propose(
        incoming_id=incoming.pk,
        user=request.user,
        proposal=form.cleaned_data["proposal"],
        leader=form.cleaned_data["leader"],
    )
    return _("Sent to the leader for instruction.")


def _act_instruct(request, incoming):
    form = InstructionForm(request.POST)
    if not form.is_valid():
        raise DocumentError(_("Write the instruction."))
    services_incoming.instruction_give(
        incoming_id=incoming.pk, user=request.user, text=form.cleaned_data["text"]
    )
    return _("Instruction recorded.")


def _act_assign(request, incoming):
    form = AssignForm(request.POST)
    if not form.is_valid():
        raise DocumentError(_("Name the lead unit and the time limit in working days."))
    done = services_incoming.incoming_assign(
        incoming_id=incoming.pk,
        user=request.user,
        lead_unit=form.cleaned_data["lead_unit"],
        co_units=list(form.cleaned_data["co_units"]),
        days=form.cleaned_data["days"],
    )
    return _("Assigned; to be done by %(date)s.") % {"date": done.due_date}


def _act_circulate(request, incoming):
    form = CirculateForm(request.POST)
    if not form.is_valid():
        problem = form.errors.get("readers")
        raise DocumentError(problem[0] if problem else _("Name at least one reader."))
    made = services_incoming.circulation_send(
        incoming_id=incoming.pk,
        user=request.user,
        readers=list(form.cleaned_data["readers"]),
        purpose=form.cleaned_data["purpose"],
    )
    return _("Sent round to %(n)s readers.") % {"n": len(made)}


def _act_read(request, incoming):
    services_incoming.circulation_read(incoming_id=incoming.pk, user=request.user)
    return _("Marked as read.")


def _act_chase(request, incoming):
    n = services_incoming.circulation_chase(incoming_id=incoming.pk, user=request.user)
    return _("%(n)s unread readers will be reminded.") % {"n": n}


def _act_finish(request, incoming):
    form = FinishForm(request.POST)
    if not form.is_valid():
        raise DocumentError(_("Write the answer: how it was handled."))
    services_incoming.incoming_finish(
        incoming_id=incoming.pk, user=request.user, answer=form.cleaned_data["answer"]
    )
    return _("Done.")


ACTIONS = {
    "register": _act_register,
    "check": _act_check,
    "propose": _act_propose,
    "instruct": _act_instruct,
    "assign": _act_assign,
    "circulate": _act_circulate,
    "read": _act_read,
    "chase": _act_chase,
    "finish": _act_finish,
}


@login_required
@require_POST
def incoming_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    incoming = _incoming(request, pk)
    step = ACTIONS.get(action)
    if step is None:
        raise Http404(_("No such action."))
    _act(request, lambda: step(request, incoming), lambda done: done)
    return redirect(incoming)


@login_required
@require_POST
def incoming_reply(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _incoming(request, pk)
    form = ReplyForm(request.POST)
    document = _act(
        request,
        lambda: services_incoming.reply_draft(
            incoming_id=incoming.pk,
            user=request.user,
            authority=form.cleaned_data["authority"] if form.is_valid() else None,
        ),
        _("The reply is drafted; write its body."),
    )
    if document is REFUSED:
        return redirect(incoming)
    return redirect("documents:edit", pk=document.pk)


# --- seals -----------------------------------------------------------------------------------


@login_required
def seal_list(request: HttpRequest) -> HttpResponse:
    english = (request.LANGUAGE_CODE or "").startswith("en")
    kinds = {k: str(v) for k, v in Seal.Kind.choices}
    states = {k: str(v) for k, v in Seal.Status.choices}
    out_label, in_label = str(_("Out of the office")), str(_("In the office"))
    prefix = reverse("documents:seals")
    table = [
        (
            f"{prefix}{s.pk}/",
            s.name_en if english and s.name_en else s.name_zh,
            kinds.get(s.kind, s.kind),
            s.department.name_en if english and s.department.name_en else s.department.name_zh,
            s.custodian.full_name or s.custodian.username,
            s.status,
            states.get(s.status, s.status),
            out_label if s.is_out else in_label,
        )
        for s in selectors.seal_register(request.user)[:500]
    ]
    return render(request, "documents/seal_list.html", {"table": table})


@login_required
def seal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    seal = selectors.seal_for(request.user, pk)
    if seal is None:
        raise Http404(_("No such seal."))
    log = Paginator(selectors.seal_log(seal), PAGE_SIZE).get_page(params.page_number(request))
    return render(
        request,
        "documents/seal_detail.html",
        {
            "seal": seal,
            "log": log,
            "page": log,
            "loans": list(seal.loans.select_related("borrower")[:20]),
            "custodian": seal.custodian_id == request.user.pk,
            "use_prefix": reverse("documents:seals") + "uses/",
            "out_form": SealOutForm(department_id=seal.department_id),
        },
    )


@login_required
@require_POST
def seal_out(request: HttpRequest, pk: int) -> HttpResponse:
    seal = selectors.seal_for(request.user, pk)
    if seal is None:
        raise Http404(_("No such seal."))
    form = SealOutForm(request.POST, department_id=seal.department_id)

    def take_out():
        if not form.is_valid():
            problem = form.errors.get("borrower")
            raise DocumentError(
                problem[0] if problem else _("Name who takes it, what for and when it comes back.")
            )
        seals.seal_take_out(seal_id=seal.pk, user=request.user, **form.cleaned_data)

    _act(request, take_out, _("The seal is out of the office."))
    return redirect(seal)


@login_required
@require_POST
def seal_back(request: HttpRequest, pk: int) -> HttpResponse:
    seal = selectors.seal_for(request.user, pk)
    if seal is None:
        raise Http404(_("No such seal."))
    _act(
        request,
        lambda: seals.seal_return(seal_id=seal.pk, user=request.user),
        _("The seal is back in the office."),
    )
    return redirect(seal)


@login_required
def seal_use_create(request: HttpRequest) -> HttpResponse:
    form = SealUseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = None
        if data["number"].strip():
            document = (
                selectors.visible_documents(request.user)
                .filter(number=data["number"].strip())
                .first()
            )
            if document is None:
                form.add_error("number", _("No registered document has this number."))
        if not form.errors:
            use = _act(
                request,
                lambda: seals.seal_use_request(
                    user=request.user,
                    seal=data["seal"],
                    purpose=data["purpose"],
                    copies=data["copies"],
                    document=document,
                    file=data["file"],
                ),
                _("Sent for approval."),
            )
            if use is not REFUSED:
                return redirect(use)
    return render(request, "documents/seal_use_form.html", {"form": form})


@login_required
def seal_use_detail(request: HttpRequest, pk: int) -> HttpResponse:
    use = selectors.seal_use_for(request.user, pk)
    if use is None:
        raise Http404(_("No such seal use."))
    return render(
        request,
        "documents/seal_use_detail.html",
        {
            "use": use,
            "custodian": use.seal.custodian_id == request.user.pk,
            "record_form": SealRecordForm(initial={"copies": use.copies}),
        },
    )


@login_required
@require_POST
def seal_use_record(request: HttpRequest, pk: int) -> HttpResponse:
    use = selectors.seal_use_for(request.user, pk)
    if use is None:
        raise Http404(_("No such seal use."))
    form = SealRecordForm(request.POST, request.FILES)

    def record():
        if not form.is_valid():
            raise DocumentError(_("Give the copies sealed."))
        seals.seal_use_record(
            use_id=use.pk,
            user=request.user,
            copies=form.cleaned_data["copies"],
            scan=form.cleaned_data["scan"],
        )

    _act(request, record, _("The use of the seal is recorded."))
    return redirect(use)
