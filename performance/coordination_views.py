"""Pages of the coordination cases: the list, a new case (the office), a case with its actions."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hall import params
from hall.lists import url_maker
from hall.models import Department
from hall.people import PersonChoiceField
from performance import coordination as co
from performance.models import Coordination, CoordinationNote
from performance.services import is_office

PAGE_SIZE = 50


class DueForm(forms.Form):
    positions_due = params.DateField(label=gettext_lazy("Positions due by"), required=False)


class MeetingForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Coordination meeting at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)


def _case(request: HttpRequest, pk: int) -> Coordination:
    found = co.case_for(request.user, pk)
    if found is None:
        raise Http404(_("No such coordination case."))
    return found


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    rows = co.visible_cases(request.user).order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    url = url_maker("performance:coordination")
    states = {k: str(v) for k, v in Coordination.Status.choices}
    table = [
        (url(c.pk), c.title, states.get(c.status, c.status), c.created_at) for c in page.object_list
    ]
    office = is_office(request.user)
    return render(
        request,
        "performance/coordination/list.html",
        {
            "page": page,
            "table": table,
            "office": office,
            "units": [(d.pk, d.name) for d in Department.objects.order_by("order", "code")]
            if office
            else [],
            "pick": PeopleForm() if office else None,
        },
    )


class PeopleForm(forms.Form):
    coordinator = PersonChoiceField(label=gettext_lazy("Coordinator"))
    leader = PersonChoiceField(label=gettext_lazy("Leader who decides"))


@login_required
@require_POST
def case_create(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise Http404(_("No such page."))
    parties = list(Department.objects.filter(pk__in=params.posted_ids(request, "parties")))
    # The coordinator and the leader named by number or user name (the people picker): an
    # unknown person is refused with a message.
    pick = PeopleForm(request.POST)
    if not pick.is_valid():
        typed = [
            str(e)
            for name, errors in pick.errors.items()
            if (request.POST.get(name) or "").strip()
            for e in errors
        ]
        messages.error(
            request, " ".join(typed) or _("Choose the coordinator and the leader who decides.")
        )
        return redirect("performance:coordinations")
    coordinator, leader = pick.cleaned_data["coordinator"], pick.cleaned_data["leader"]
    due = DueForm(request.POST)
    if not due.is_valid():
        messages.error(request, _("Give the date the positions are due as YYYY-MM-DD."))
        return redirect("performance:coordinations")
    day = due.cleaned_data["positions_due"]
    try:
        case = co.case_open(
            user=request.user,
            title=request.POST.get("title", "")[:200],
            matter=request.POST.get("matter", "")[:10000],
            parties=parties,
            coordinator=coordinator,
            leader=leader,
            lead_party=Department.objects.filter(
                pk=params.posted_id(request, "lead_party") or 0
            ).first(),
            # Due by the end of that day.
            positions_due=timezone.make_aware(datetime.combine(day, time(18, 0))) if day else None,
        )
    except co.CoordinationError as exc:
        messages.error(request, exc.message)
        return redirect("performance:coordinations")
    return redirect(case)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    kinds = {k: str(v) for k, v in CoordinationNote.Kind.choices}
    notes = [
        (kinds.get(n.kind, n.kind), n.unit, n.author, n.at, n.text)
        for n in case.notes.select_related("unit", "author")
    ]
    return render(
        request,
        "performance/coordination/detail.html",
        {
            "case": case,
            "parties": list(case.parties.order_by("code")),
            "notes": notes,
            "party": co.party_of(request.user, case),
            "coordinates": co.may_coordinate(request.user, case),
            "open": case.status == Coordination.Status.OPEN,
            "meeting_form": MeetingForm(),
        },
    )


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case(request, pk)
    text = request.POST.get("text", "")[:10000]
    try:
        if action == "note":
            co.note_add(
                user=request.user, case_id=case.pk, kind=request.POST.get("kind", ""), text=text
            )
        elif action == "meeting":
            form = MeetingForm(request.POST)
            if not form.is_valid():
                raise co.CoordinationError(_("Give the day and time of the meeting."))
            co.meeting_schedule(
                user=request.user,
                case_id=case.pk,
                at=form.cleaned_data["at"],
                place=form.cleaned_data["place"],
            )
        elif action == "propose":
            co.proposal_set(user=request.user, case_id=case.pk, text=text)
        elif action == "submit":
            if not co.may_coordinate(request.user, case):
                raise Http404(_("No such page."))
            co.case_submit(user=request.user, case_id=case.pk)
        else:
            raise Http404(_("No such page."))
    except co.CoordinationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(case)
