"""Pages of the people's voices, part 2: duplicates and merging, extensions, grades of a
proposal's reply, a 信访 case's written notices, the NPC/CPPCC desk, and the hot spots."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import params
from hall.actions import REFUSED, act
from reception import case_clock, case_merging, hotspots, proposal_views
from reception import case_selectors as selectors
from reception import case_services as cs
from reception.case_forms import ProposalForm
from reception.models import Case, CaseExtension, CaseNotice, CaseProposal


def _case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail(request.user, pk)
    if case is None:
        raise Http404(_("No such case."))
    return case


def more_context(request: HttpRequest, case: Case) -> dict:
    """What the case page shows of part 2 (added to the page's own context)."""
    user = request.user
    office = cs.is_office(user)
    lead = cs.is_lead_staff(user, case)
    visible = cs.may_see_contact(user, case)
    proposal = CaseProposal.objects.filter(case=case).first()
    open_ = case.status not in case_merging.FINAL
    complainants = [
        (
            c.from_case_id,
            c.name if visible else ("" if c.anonymous else cs.mask_name(c.name)),
            c.phone if visible else cs.mask_phone(c.phone),
            c.anonymous,
            c.replied_at,
        )
        for c in case.complainants.all()
    ]
    return {
        "office": office,
        "duplicates": case_merging.likely_duplicates(case) if office and open_ else [],
        "merged_into": case.merged_into if case.merged_into_id else None,
        "merged_cases": list(case.merged_cases.only("pk", "number", "title")),
        "complainants": complainants,
        "proposal": proposal,
        "grades": CaseProposal.Grade.choices,
        "may_grade": proposal is not None
        and (lead or office)
        and case.status in (Case.Status.SIGNED, Case.Status.REPLIED),
        "notices": list(case.notices.only("pk", "kind", "addressee", "created_at"))
        if visible
        else [],
        "attachments": list(case.attachments.only("pk", "name", "size")) if visible else [],
        "extensions": list(case.extensions.all()),
        "may_extend": lead
        and case.due_at is not None
        and case.status in (Case.Status.DISPATCHED, Case.Status.SIGNED)
        and not case.extensions.filter(status=CaseExtension.Status.PENDING).exists(),
        **proposal_views.context(request, case, proposal),
    }


@login_required
@require_POST
def case_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """并件: this case into the one chosen (both must be visible to the office)."""
    case = _case(request, pk)
    into = selectors.case_detail(request.user, params.posted_id(request, "into") or 0)

    def merge():
        if into is None:
            raise cs.CaseError(_("Choose the case to merge into."))
        return case_merging.case_merge(case=case, into=into, by=request.user)

    done = act(
        request,
        merge,
        lambda _merged: (
            _("Merged into %(number)s; the person will get its reply.") % {"number": into.number}
        ),
        refused=cs.CaseError,
    )
    return redirect(case if done is REFUSED else into)


@login_required
@require_POST
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    day = request.POST.get("new_deadline", "")
    try:
        new_day = date.fromisoformat(day)
    except ValueError:
        new_day = None
    reason = params.posted_text(request, "reason", label=_("Reason"), max_length=2000)
    if reason is None:
        return redirect(case)
    act(
        request,
        lambda: case_clock.extension_request(
            case_id=case.pk, user=request.user, new_day=new_day, reason=reason
        ),
        _("The extension is asked; the deadline moves once approved."),
        refused=case_clock.ClockError,
    )
    return redirect(case)


@login_required
@require_POST
def case_grade(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    act(
        request,
        lambda: case_merging.proposal_grade(
            case=case, by=request.user, grade=request.POST.get("grade", "")
        ),
        _("The grade is recorded."),
        refused=cs.CaseError,
    )
    return redirect(case)


@login_required
def case_notice(request: HttpRequest, pk: int, notice: int) -> HttpResponse:
    """A written notice, to print: only for those who see the person's data."""
    case = _case(request, pk)
    if not cs.may_see_contact(request.user, case):
        raise Http404(_("No such notice."))
    found = CaseNotice.objects.filter(case=case, pk=notice).first()
    if found is None:
        raise Http404(_("No such notice."))
    return render(request, "reception/case_notice.html", {"case": case, "notice": found})


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    """The office records an NPC deputy's suggestion or a CPPCC proposal handed over to it."""
    if not cs.is_office(request.user):
        raise Http404(_("No such page."))
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_merging.proposal_create(received_by=request.user, **form.cleaned_data)
        except cs.CaseError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Case %(number)s is recorded.") % {"number": case.number})
            return redirect(case)
    return render(request, "reception/proposal_new.html", {"form": form})


def _spots(request: HttpRequest):
    if not cs.is_office(request.user):
        raise Http404(_("No such page."))
    today = timezone.localdate()
    start = params.read(request, "from", params.DateField(required=False), label=_("From"))
    end = params.read(request, "to", params.DateField(required=False), label=_("To"))
    end = end or today
    start = start or end - timedelta(days=89)
    if start > end or (end - start).days > 731:
        messages.error(request, _("Choose a period of at most two years, the start first."))
        end, start = today, today - timedelta(days=89)
    period = params.choice(
        request, "period", [("week", "week"), ("month", "month")], label=_("Period"), default="week"
    )
    channel = params.choice(request, "channel", Case.Channel.choices, label=_("channel"))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    return hotspots.cached_hotspots(
        start=start, end=end, period=period or "week", english=english, channel=channel or ""
    )


@login_required
def hotspot_page(request: HttpRequest) -> HttpResponse:
    spots = _spots(request)
    by_period = _("By month") if spots.period == "month" else _("By week")
    return render(
        request,
        "reception/hotspots.html",
        {
            "spots": spots,
            "channels": Case.Channel.choices,
            "period_chart": mark_safe(hotspots.period_chart(spots.by_period, by_period)),  # noqa: S308 - escaped in period_chart
            "charts": [
                (_("By category"), hotspots.bars(spots.by_category)),
                (_("By lead unit"), hotspots.bars(spots.by_unit)),
                (
                    _("By month") if spots.period == "month" else _("By week"),
                    hotspots.bars(spots.by_period),
                ),
                (_("By place"), hotspots.bars(spots.by_place)),
            ],
        },
    )


@login_required
def hotspot_excel(request: HttpRequest) -> HttpResponse:
    spots = _spots(request)
    labels = {
        "summary": _("Summary"),
        "from": _("From"),
        "to": _("To"),
        "total": _("Cases"),
        "closed": _("Closed with a deadline"),
        "on_time": _("Closed on time"),
        "on_time_rate": _("On-time rate (%)"),
        "reopened": _("Reopened"),
        "reopened_rate": _("Reopened rate (%)"),
        "satisfied_rate": _("Satisfied rate (%)"),
        "by_category": _("By category"),
        "by_unit": _("By lead unit"),
        "by_period": _("By month") if spots.period == "month" else _("By week"),
        "by_place": _("By place"),
        "count": _("Number of cases"),
    }
    response = HttpResponse(
        hotspots.workbook(spots, labels),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="hotspots-{spots.start:%Y%m%d}-{spots.end:%Y%m%d}.xlsx"'
    )
    return response
