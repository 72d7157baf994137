"""Pages of legal counsel: contract reviews, the contract register, legal opinions, litigation
and the team. Thin: each page asks documents.legal who may see what (everyone else: 404)."""

import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from documents import legal
from documents.models import (
    Contract,
    ContractKind,
    ContractReview,
    Counsel,
    LegalCase,
    LegalQuestion,
    ReviewOpinion,
)
from documents.services import DocumentError
from hall import params
from hall.actions import REFUSED, act
from hall.lists import Page
from hall.models import Department, Identity
from hall.people import PersonChoiceField
from workflows.selectors import visible_requests

PAGE_SIZE = 50
FILE_TYPES = ["pdf", "doc", "docx"]
DATE = {"type": "date"}


def _act(request: HttpRequest, action, done):
    """A form's service call through the hall's ``act``: done, or refused with its message."""
    return act(request, action, done, refused=DocumentError)


def _invalid(request: HttpRequest, form, refusal=None) -> None:
    """An action's form that does not validate: its errors (or ``refusal``) as one message."""
    errors = [str(e) for field in form.errors.values() for e in field]
    messages.error(request, str(refusal) if refusal else " ".join(errors))


def _checked(upload):
    from hall.uploads import check_upload

    if upload:
        check_upload(upload, max_bytes=20 * 1024 * 1024, types=FILE_TYPES)
    return upload


# --- forms -----------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Contract"), max_length=200)
    counterparty = forms.CharField(label=gettext_lazy("Counterparty"), max_length=200)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ContractKind.choices)
    wanted_by = forms.DateField(label=gettext_lazy("Wanted by"), widget=forms.DateInput(DATE))
    term_start = forms.DateField(
        label=gettext_lazy("Term from"), required=False, widget=forms.DateInput(DATE)
    )
    term_end = forms.DateField(
        label=gettext_lazy("Term until"), required=False, widget=forms.DateInput(DATE)
    )
    file = forms.FileField(
        label=gettext_lazy("Contract text"), help_text=gettext_lazy("PDF or Word, up to 20 MB.")
    )

    def clean_file(self):
        return _checked(self.cleaned_data.get("file"))


def _counsels():
    return Counsel.objects.filter(active=True).order_by("kind", "name")


class AssignForm(forms.Form):
    counsel = forms.ModelChoiceField(label=gettext_lazy("Counsel"), queryset=Counsel.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsel"].queryset = _counsels()


class OpinionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=pgettext_lazy("legal", "Opinion"),
        choices=ContractReview.Verdict.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Opinion text"), widget=forms.Textarea(), max_length=10_000
    )
    file = forms.FileField(
        label=gettext_lazy("Annotated file"),
        required=False,
        help_text=gettext_lazy("PDF or Word, up to 20 MB."),
    )
    final = forms.BooleanField(
        label=gettext_lazy("Final opinion (closes the review)"), required=False
    )

    def clean_file(self):
        return _checked(self.cleaned_data.get("file"))


class ReviseForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Revised text"), help_text=gettext_lazy("PDF or Word, up to 20 MB.")
    )
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=300, required=False)
    term_start = forms.DateField(
        label=gettext_lazy("Term from"), required=False, widget=forms.DateInput(DATE)
    )
    term_end = forms.DateField(
        label=gettext_lazy("Term until"), required=False, widget=forms.DateInput(DATE)
    )

    def clean_file(self):
        return _checked(self.cleaned_data.get("file"))


class QuestionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Matter"), max_length=200)
    question = forms.CharField(
        label=gettext_lazy("Question"), widget=forms.Textarea(), max_length=10_000
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=pgettext_lazy("legal", "Answer"), widget=forms.Textarea(), max_length=10_000
    )


class CaseForm(forms.ModelForm):
    class Meta:
        model = LegalCase
        fields = ["case_number", "court", "parties", "our_role", "cause", "amount", "counsel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsel"].queryset = _counsels()


class HearingForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Hearing at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=LegalCase.Status.choices)


class CounselForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("legal", "Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Counsel.Kind.choices)
    firm = forms.CharField(label=gettext_lazy("Law firm"), max_length=150, required=False)
    specialty = forms.CharField(
        label=gettext_lazy("Specialities"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("E.g. 合同、知识产权、劳动争议."),
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    account = PersonChoiceField(
        label=gettext_lazy("Hall account"),
        required=False,
        help_text=gettext_lazy("The counsel's sign-in name, so that reviews reach their inbox."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


class ContractForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Contract"), max_length=200)
    parties = forms.CharField(label=pgettext_lazy("legal", "Parties"), max_length=300)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ContractKind.choices)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.order_by("code", "pk")
    )
    term_start = forms.DateField(label=gettext_lazy("Term from"), widget=forms.DateInput(DATE))
    term_end = forms.DateField(label=gettext_lazy("Term until"), widget=forms.DateInput(DATE))


# --- shared bits -------------------------------------------------------------------------------


def _who(request: HttpRequest) -> dict:
    """Who the reader is for the legal pages (two queries, once a page)."""
    user = request.user
    office = legal.is_legal_office(user)
    counsel = None if office else legal.counsel_of(user)
    return {
        "office": office,
        "counsel": counsel,
        "team": office or counsel is not None,
        "staff": user.identity == Identity.STAFF and user.department_id is not None,
    }


def _lists_or_404(who: dict) -> None:
    if not (who["team"] or who["staff"]):
        raise Http404(_("No such page."))


def _page(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))


def _render(request, template, who, tab, **context):
    return render(request, f"documents/legal/{template}", {"who": who, "tab": tab, **context})


def _name(lists: Page, obj) -> str:
    return lists.name(obj) if obj is not None else ""


# --- contract reviews --------------------------------------------------------------------------


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    _lists_or_404(who)
    states = {k: str(v) for k, v in ContractReview.Status.choices}
    status = params.choice(request, "status", list(states), label=_("Status"), default="")
    page = _page(request, legal.review_list(request.user, status))
    lists = Page()
    kinds = {k: str(v) for k, v in ContractKind.choices}
    prefix = reverse("documents:legal-reviews")
    table = [
        (
            f"{prefix}{r.pk}/",
            r.title,
            r.counterparty,
            f"{r.amount:,.2f}",
            kinds.get(r.kind, r.kind),
            _name(lists, r.department),
            r.wanted_by.isoformat(),
            r.counsel.name if r.counsel_id else "",
            r.status,
            states.get(r.status, r.status),
        )
        for r in page.object_list
    ]
    return _render(
        request,
        "review_list.html",
        who,
        "reviews",
        table=table,
        page=page,
        status=status,
        states=states.items(),
        querystring=f"status={status}" if status else "",
    )


@login_required
def review_create(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    if not who["staff"]:
        raise Http404(_("No such page."))
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        review = _act(
            request,
            lambda: legal.review_submit(user=request.user, **form.cleaned_data),
            _("Sent for review."),
        )
        if review is not REFUSED:
            return redirect(review)
    return _render(
        request,
        "form_page.html",
        who,
        "reviews",
        form=form,
        heading=_("Send a contract for review"),
        button=_("Send for review"),
    )


def _review(request: HttpRequest, pk: int) -> ContractReview:
    review = legal.review_for(request.user, pk)
    if review is None:
        raise Http404(_("No such contract review."))
    return review


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    who = _who(request)
    mine = review.counsel_id is not None and review.counsel.user_id == request.user.pk
    S = ContractReview.Status
    return _render(
        request,
        "review_detail.html",
        who,
        "reviews",
        review=review,
        versions=list(review.versions.select_related("uploaded_by")),
        opinions=list(review.opinions.select_related("counsel", "version")),
        contract=Contract.objects.filter(review=review).first(),
        chain_link=review.request_id is not None
        and visible_requests(request.user).filter(pk=review.request_id).exists(),
        assign_form=AssignForm(initial={"counsel": review.counsel_id})
        if who["office"] and review.status in (S.TO_ASSIGN, S.REVIEWING, S.REVISING)
        else None,
        opinion_form=OpinionForm() if mine and review.status == S.REVIEWING else None,
        revise_form=ReviseForm()
        if legal.may_revise(request.user, review) and review.status == S.REVISING
        else None,
    )


@login_required
@require_POST
def review_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = _review(request, pk)
    forms_of = {"assign": AssignForm, "opinion": OpinionForm, "revise": ReviseForm}
    if action not in forms_of:
        raise Http404(_("No such page."))
    form = forms_of[action](request.POST, request.FILES)
    if not form.is_valid():
        _invalid(request, form)
        return redirect(review)
    data = form.cleaned_data
    if action == "assign":
        _act(
            request,
            lambda: legal.review_assign(
                review_id=review.pk, user=request.user, counsel=data["counsel"]
            ),
            _("The counsel is assigned."),
        )
    elif action == "opinion":
        _act(
            request,
            lambda: legal.review_opinion(review_id=review.pk, user=request.user, **data),
            _("The opinion is given."),
        )
    else:
        _act(
            request,
            lambda: legal.review_revise(review_id=review.pk, user=request.user, **data),
            _("The revised version is sent to the counsel."),
        )
    return redirect(review)


def _download(field) -> FileResponse:
    return FileResponse(field.open("rb"), as_attachment=True, filename=os.path.basename(field.name))


@login_required
def review_file(request: HttpRequest, pk: int, number: int) -> FileResponse:
    review = _review(request, pk)
    version = review.versions.filter(number=number).first()
    if version is None:
        raise Http404(_("No such version."))
    return _download(version.file)


@login_required
def opinion_file(request: HttpRequest, pk: int) -> FileResponse:
    opinion = ReviewOpinion.objects.filter(pk=pk).exclude(file="").first()
    if opinion is None or legal.review_for(request.user, opinion.review_id) is None:
        raise Http404(_("No such file."))
    return _download(opinion.file)


# --- the contract register -------------------------------------------------------------------


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    _lists_or_404(who)
    page = _page(request, legal.contract_register(request.user))
    lists = Page()
    today = timezone.localdate()
    states = {k: str(v) for k, v in Contract.Status.choices}
    kinds = {k: str(v) for k, v in ContractKind.choices}
    soon = _("Ends within 30 days")
    review_url = reverse("documents:legal-reviews")
    table = [
        (
            c.number,
            f"{review_url}{c.review_id}/" if c.review_id else "",
            c.title,
            c.parties,
            f"{c.amount:,.2f}",
            kinds.get(c.kind, c.kind),
            _name(lists, c.department),
            c.term_start.isoformat(),
            c.term_end.isoformat(),
            c.status,
            states.get(c.status, c.status),
            soon
            if c.status == Contract.Status.ACTIVE and 0 <= (c.term_end - today).days <= 30
            else "",
        )
        for c in page.object_list
    ]
    return _render(request, "contract_list.html", who, "contracts", table=table, page=page)


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    """A contract signed before the hall or reviewed elsewhere, entered by the legal office."""
    who = _who(request)
    if not who["office"]:
        raise Http404(_("No such page."))
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contract = _act(
            request,
            lambda: legal.contract_enter(user=request.user, **form.cleaned_data),
            lambda contract: (
                _("%(number)s is in the register; it is reminded 30 and 7 days before its end.")
                % {"number": contract.number}
            ),
        )
        if contract is not REFUSED:
            return redirect("documents:legal-contracts")
    return _render(
        request,
        "form_page.html",
        who,
        "contracts",
        form=form,
        heading=_("Enter a contract in the register"),
        button=_("Enter the contract"),
        help=_("For a contract signed before the hall, or reviewed elsewhere: no review here."),
    )


# --- legal opinions on other matters -----------------------------------------------------------


@login_required
def question_list(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    _lists_or_404(who)
    rows = (
        legal.visible_questions(request.user)
        .select_related("department", "counsel")
        .order_by("-created_at", "-pk")
    )
    page = _page(request, rows)
    lists = Page()
    states = {k: str(v) for k, v in LegalQuestion.Status.choices}
    prefix = reverse("documents:legal-questions")
    table = [
        (
            f"{prefix}{q.pk}/",
            q.title,
            _name(lists, q.department),
            q.counsel.name if q.counsel_id else "",
            q.status,
            states.get(q.status, q.status),
            lists.minute(q.created_at),
        )
        for q in page.object_list
    ]
    return _render(request, "question_list.html", who, "questions", table=table, page=page)


@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    if not who["staff"]:
        raise Http404(_("No such page."))
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = _act(
            request,
            lambda: legal.question_ask(user=request.user, **form.cleaned_data),
            _("Sent to the legal office."),
        )
        if question is not REFUSED:
            return redirect(question)
    return _render(
        request,
        "form_page.html",
        who,
        "questions",
        form=form,
        heading=_("Ask for a legal opinion"),
        button=_("Send to the legal office"),
    )


def _question(request: HttpRequest, pk: int) -> LegalQuestion:
    question = (
        legal.visible_questions(request.user)
        .select_related("department", "requester", "counsel")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404(_("No such legal opinion."))
    return question


@login_required
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    who = _who(request)
    mine = question.counsel_id is not None and question.counsel.user_id == request.user.pk
    open_ = question.status != LegalQuestion.Status.ANSWERED
    return _render(
        request,
        "question_detail.html",
        who,
        "questions",
        question=question,
        assign_form=AssignForm(initial={"counsel": question.counsel_id})
        if who["office"] and open_
        else None,
        answer_form=AnswerForm() if mine and open_ else None,
    )


@login_required
@require_POST
def question_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    question = _question(request, pk)
    if action == "assign":
        form = AssignForm(request.POST)
        if not form.is_valid():
            _invalid(request, form, _("Pick a counsel of the team."))
        else:
            _act(
                request,
                lambda: legal.question_assign(
                    question_id=question.pk,
                    user=request.user,
                    counsel=form.cleaned_data["counsel"],
                ),
                _("The counsel is assigned."),
            )
    elif action == "answer":
        form = AnswerForm(request.POST)
        if not form.is_valid():
            _invalid(request, form, _("Write the answer."))
        else:
            _act(
                request,
                lambda: legal.question_answer(
                    question_id=question.pk, user=request.user, answer=form.cleaned_data["answer"]
                ),
                _("The opinion is given."),
            )
    else:
        raise Http404(_("No such page."))
    return redirect(question)


# --- litigation ------------------------------------------------------------------------------


def _team_or_404(who: dict) -> None:
    if not who["team"]:
        raise Http404(_("No such page."))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    _team_or_404(who)
    rows = (
        legal.visible_cases(request.user).select_related("counsel").order_by("-created_at", "-pk")
    )
    page = _page(request, rows)
    roles = {k: str(v) for k, v in LegalCase.Role.choices}
    states = {k: str(v) for k, v in LegalCase.Status.choices}
    prefix = reverse("documents:legal-cases")
    table = [
        (
            f"{prefix}{c.pk}/",
            c.case_number,
            c.court,
            c.cause,
            roles.get(c.our_role, c.our_role),
            f"{c.amount:,.2f}" if c.amount is not None else "",
            c.counsel.name if c.counsel_id else "",
            c.status,
            states.get(c.status, c.status),
        )
        for c in page.object_list
    ]
    return _render(request, "case_list.html", who, "cases", table=table, page=page)


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    if not who["office"]:
        raise Http404(_("No such page."))
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = _act(
            request,
            lambda: legal.case_open(user=request.user, data=dict(form.cleaned_data)),
            _("The case is registered."),
        )
        if case is not REFUSED:
            return redirect(case)
    return _render(
        request,
        "form_page.html",
        who,
        "cases",
        form=form,
        heading=_("Register a case"),
        button=_("Register the case"),
    )


def _case(request: HttpRequest, pk: int) -> LegalCase:
    case = legal.visible_cases(request.user).select_related("counsel").filter(pk=pk).first()
    if case is None:
        raise Http404(pgettext("legal", "No such case."))
    return case


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    who = _who(request)
    return _render(
        request,
        "case_detail.html",
        who,
        "cases",
        case=case,
        hearings=list(case.hearings.all()),
        hearing_form=HearingForm(),
        status_form=CaseStatusForm(initial={"status": case.status}),
        now=timezone.now(),
    )


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case(request, pk)
    if action == "hearing":
        form = HearingForm(request.POST)
        if not form.is_valid():
            _invalid(request, form, _("Give the hearing's date and time."))
        else:
            _act(
                request,
                lambda: legal.hearing_add(case_id=case.pk, user=request.user, **form.cleaned_data),
                _("The hearing is added; reminders go out 3 days and 1 day before."),
            )
    elif action == "status":
        form = CaseStatusForm(request.POST)
        if not form.is_valid():
            _invalid(request, form, _("Choose a status."))
        else:
            _act(
                request,
                lambda: legal.case_status(
                    case_id=case.pk, user=request.user, status=form.cleaned_data["status"]
                ),
                _("The case's status is saved."),
            )
    else:
        raise Http404(_("No such page."))
    return redirect(case)


# --- the team --------------------------------------------------------------------------------


@login_required
def team(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    if not who["office"]:
        raise Http404(_("No such page."))
    year = timezone.localdate().year
    kinds = {k: str(v) for k, v in Counsel.Kind.choices}
    inactive = _("Not active")
    prefix = reverse("documents:legal-team")
    table = [
        (
            c.name,
            kinds.get(c.kind, c.kind),
            c.firm,
            c.specialty,
            c.phone,
            "" if c.active else inactive,
            c.open_reviews,
            c.open_questions,
            c.open_cases,
            c.done_reviews + c.done_questions + c.done_cases,
            f"{prefix}{c.pk}/",
        )
        for c in legal.workload(year=year)[:500]
    ]
    return _render(request, "team.html", who, "team", table=table, year=year)


def _office_or_404(request: HttpRequest) -> dict:
    who = _who(request)
    if not who["office"]:
        raise Http404(_("No such page."))
    return who


@login_required
def counsel_create(request: HttpRequest) -> HttpResponse:
    who = _office_or_404(request)
    form = CounselForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["user"] = data.pop("account")
        counsel = _act(
            request,
            lambda: legal.counsel_save(user=request.user, data=data),
            lambda counsel: _("%(name)s is on the roster.") % {"name": counsel.name},
        )
        if counsel is not REFUSED:
            return redirect("documents:legal-team")
    return _render(
        request,
        "form_page.html",
        who,
        "team",
        form=form,
        heading=_("Add a counsel"),
        button=_("Add to the roster"),
    )


def _counsel(pk: int) -> Counsel:
    counsel = Counsel.objects.select_related("user").filter(pk=pk).first()
    if counsel is None:
        raise Http404(_("No such page."))
    return counsel


@login_required
def counsel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    who = _office_or_404(request)
    counsel = _counsel(pk)
    initial = {
        **{name: getattr(counsel, name) for name in legal.COUNSEL_FIELDS},
        "account": (counsel.user.number or counsel.user.username) if counsel.user else "",
    }
    form = CounselForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["user"] = data.pop("account")
        saved = _act(
            request,
            lambda: legal.counsel_save(user=request.user, data=data, counsel_id=counsel.pk),
            _("The roster is saved."),
        )
        if saved is not REFUSED:
            return redirect("documents:legal-team")
    return _render(
        request,
        "counsel_form.html",
        who,
        "team",
        form=form,
        counsel=counsel,
        heading=counsel.name,
        button=_("Save"),
    )


@login_required
@require_POST
def counsel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _office_or_404(request)
    counsel = _counsel(pk)
    removed = _act(
        request,
        lambda: legal.counsel_remove(user=request.user, counsel_id=counsel.pk),
        _("%(name)s is off the roster.") % {"name": counsel.name},
    )
    if removed is REFUSED:
        return redirect("documents:legal-counsel", pk=counsel.pk)
    return redirect("documents:legal-team")
