"""Pages of a proposal after acceptance: the co-units' opinions, asking that it count as
complex, and the proposer's satisfaction form (the office's page and the proposer's link)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from hall import params
from hall.actions import REFUSED, act
from reception import case_clock, proposals
from reception import case_selectors as selectors
from reception import case_services as cs
from reception.case_forms import ProposalFeedbackForm
from reception.models import Case, CaseExtension, CaseOpinion, ProposalFeedback


def _case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail(request.user, pk)
    if case is None:
        raise Http404(_("No such case."))
    return case


def context(request: HttpRequest, case: Case, proposal) -> dict:
    """What the case page shows of a proposal's opinions, complexity and satisfaction form."""
    if proposal is None:
        return {}
    user = request.user
    office = cs.is_office(user)
    handling = case.status in proposals.HANDLING
    mine = proposals.opinion_of(user, case)
    pending = proposals.feedback_pending(case) if office else None
    return {
        "opinions": list(CaseOpinion.objects.filter(case=case).select_related("unit")),
        "my_opinion": mine if mine is not None and mine.given_at is None and handling else None,
        "may_complex": handling
        and not proposal.is_complex
        and (office or cs.is_lead_staff(user, case))
        and not case.extensions.filter(status=CaseExtension.Status.PENDING).exists(),
        "feedback_pending": pending,
        "feedback_link": request.build_absolute_uri(
            reverse("reception:proposal-feedback-public", args=[pending.token])
        )
        if pending
        else "",
        "feedback_answers": list(
            ProposalFeedback.objects.filter(case=case, answered_at__isnull=False)
        ),
    }


@login_required
@require_POST
def opinion_give(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    text = params.posted_text(
        request, "opinion", label=pgettext("co-handler", "opinion"), max_length=5000
    )
    if text is not None:
        act(
            request,
            lambda: proposals.opinion_give(case=case, by=request.user, text=text),
            _("Your unit's opinion is given to the lead unit."),
            refused=cs.CaseError,
        )
    return redirect(case)


@login_required
@require_POST
def complex_ask(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    reason = params.posted_text(request, "reason", label=_("Reason"), max_length=2000)
    if reason is not None:
        act(
            request,
            lambda: proposals.complex_request(case_id=case.pk, user=request.user, reason=reason),
            _("Asked; the proposal counts as complex (6 months) once approved."),
            refused=cs.CaseError,
        )
    return redirect(case)


def _feedback_page(request, feedback: ProposalFeedback, by, back: str) -> HttpResponse:
    case = feedback.case
    form = ProposalFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: proposals.feedback_record(feedback=feedback, by=by, **form.cleaned_data),
            _("Thank you: the answers are recorded."),
            refused=cs.CaseError,
        )
        if done is not REFUSED:
            return redirect(back)
    return render(
        request,
        "reception/proposal_feedback.html",
        {
            "case": case,
            "feedback": feedback,
            "proposal": getattr(case, "proposal", None),
            "form": form,
            "public": by is None,
        },
    )


@login_required
def feedback_office(request: HttpRequest, pk: int) -> HttpResponse:
    """The office types in the proposer's answers (given by phone or on paper)."""
    case = _case(request, pk)
    if not cs.is_office(request.user) or not case_clock.is_proposal(case):
        raise Http404(_("No such page."))
    feedback = proposals.feedback_pending(case)
    if feedback is None:
        raise Http404(_("No form waits for an answer."))
    return _feedback_page(request, feedback, request.user, case.get_absolute_url())


def feedback_public(request: HttpRequest, token) -> HttpResponse:
    """The proposer's own link: no login, the proposal's title and public reply only."""
    feedback = (
        ProposalFeedback.objects.select_related("case", "case__proposal")
        .filter(token=token)
        .first()
    )
    if feedback is None:
        raise Http404(_("No such satisfaction form."))
    if feedback.answered_at is not None:
        return render(
            request, "reception/proposal_feedback.html", {"feedback": feedback, "public": True}
        )
    if proposals.feedback_pending(feedback.case) != feedback:
        # the case was called back otherwise, reopened, or has a newer form: nothing to fill in
        return render(
            request,
            "reception/proposal_feedback.html",
            {"feedback": feedback, "public": True, "no_longer": True},
        )
    return _feedback_page(request, feedback, None, request.path)
