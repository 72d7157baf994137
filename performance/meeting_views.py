"""Pages of meetings: the calendar, a meeting with its topics, attendees, minutes and decisions,
the actions each person may take there, and the iCalendar feed."""

from datetime import timedelta
from functools import partial

import vobject
from dateutil import tz
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hall import params
from hall.models import Department, User
from hall.people import PeopleField, PersonChoiceField
from performance import meetings, services
from performance.models import Attendance, Meeting, Minutes, Topic
from performance.services import SupervisionError

PAGE_SIZE = 50


def _leaders():
    return User.objects.filter(roles__code="leader", is_active=True)


class SuperviseForm(forms.Form):
    # Named with the people picker (name, number or user name); only a leader may be in charge.
    leader = PersonChoiceField(
        label=gettext_lazy("Leader in charge"),
        allowed=_leaders(),
        refusal=gettext_lazy("Only a leader can be in charge of a supervised decision."),
    )
    lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("Lead unit"), queryset=Department.objects.order_by("order", "code")
    )
    days = forms.IntegerField(
        label=gettext_lazy("Time limit (working days)"), min_value=1, max_value=250
    )
    criteria = forms.CharField(label=gettext_lazy("Acceptance criteria"), max_length=2000)


class ScheduleForm(forms.Form):
    kind = forms.ModelChoiceField(label=gettext_lazy("Meeting type"), queryset=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    hours = forms.IntegerField(
        label=gettext_lazy("Duration (hours)"), min_value=1, max_value=12, initial=2
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from performance.models import MeetingType

        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = MeetingType.objects.all()


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = meetings.meeting_for(request.user, pk)
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The meetings calendar: the meetings the person may see, the coming ones first."""
    rows = (
        meetings.visible_meetings(request.user)
        .select_related("kind")
        .only("id", "title", "starts_at", "place", "status", "kind__name_zh", "kind__name_en")
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(params.page_number(request))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    states = {k: str(v) for k, v in Meeting.Status.choices}
    prefix = reverse("performance:meetings")
    table = [
        (
            f"{prefix}{m.pk}/",
            m.title,
            m.kind.name_en if english and m.kind.name_en else m.kind.name_zh,
            m.starts_at,
            m.place,
            states.get(m.status, m.status),
        )
        for m in page.object_list
    ]
    office = services.is_office(request.user)
    form = ScheduleForm() if office else None
    return render(
        request,
        "performance/meetings.html",
        {"page": page, "table": table, "querystring": "", "office": office, "form": form},
    )


@login_required
@require_POST
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not services.is_office(request.user):
        raise Http404(_("No such page."))
    if not form.is_valid():
        messages.error(request, _("Check the meeting's type, title and time."))
        return redirect("performance:meetings")
    data = form.cleaned_data
    try:
        meeting = meetings.meeting_create(
            user=request.user,
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["starts_at"] + timedelta(hours=data["hours"]),
            place=data["place"],
        )
    except SupervisionError as exc:
        messages.error(request, exc.message)
        return redirect("performance:meetings")
    return redirect(meeting)


class InviteForm(forms.Form):
    people = PeopleField(label=gettext_lazy("Invite"))


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    user = request.user
    minutes = Minutes.objects.filter(meeting=meeting).select_related("document").first()
    attendance = Attendance.objects.filter(meeting=meeting, user=user).first()
    decisions = list(meeting.decisions.select_related("item", "topic"))
    if services.is_office(user):
        leader = SuperviseForm.base_fields["leader"]
        for d in decisions:  # a picker of the leader in charge for each decision not supervised
            d.leader_input = leader.widget.render("leader", "", {"id": f"sv-leader-{d.pk}"})
    decided = {d.paragraph for d in decisions}
    return render(
        request,
        "performance/meeting_detail.html",
        {
            "meeting": meeting,
            "topics": list(meeting.topics.select_related("unit", "submitted_by")),
            "attendances": list(meeting.attendances.select_related("user")),
            "minutes": minutes,
            "paragraphs": [
                (n, text, n in decided) for n, text in enumerate(minutes.paragraphs, start=1)
            ]
            if minutes
            else [],
            "decisions": decisions,
            "office": services.is_office(user),
            "chair": meeting.chair_id == user.pk,
            "attendance": attendance,
            "units": list(Department.objects.order_by("order", "code")),
            "invite": InviteForm(auto_id="invite-%s") if services.is_office(user) else None,
            "Minutes": Minutes.Status,
            "Topic": Topic.Status,
        },
    )


def _act(request: HttpRequest, meeting: Meeting, action, success: str) -> HttpResponse:
    try:
        action()
    except SupervisionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(meeting)


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every POST of a meeting's page: one reader of its values, one service call."""
    meeting = _meeting(request, pk)
    user = request.user
    text = params.posted_text(request, "text", label=_("Text"), max_length=20000)
    if text is None:
        return redirect(meeting)
    target = params.posted_id(request, "target")
    if action == "topic":
        call = partial(meetings.topic_submit, meeting_id=meeting.pk, user=user, title=text)
        done = _("Topic submitted.")
    elif action in ("accept", "decline"):
        if target is None or not meeting.topics.filter(pk=target).exists():
            raise Http404(_("No such topic."))
        call = partial(meetings.topic_decide, topic_id=target, user=user, accept=action == "accept")
        done = _("Topic decided.")
    elif action == "invite":
        invited = InviteForm(request.POST)
        if not invited.is_valid():
            messages.error(request, " ".join(str(e) for e in invited.errors.get("people", [])))
            return redirect(meeting)
        people = invited.cleaned_data["people"]
        role = request.POST.get("role", "")
        call = partial(
            meetings.attendees_add, meeting_id=meeting.pk, user=user, people=people, role=role
        )
        done = _("Invited.")
    elif action in ("yes", "no", "deputy"):
        call = partial(
            meetings.attendance_reply,
            meeting_id=meeting.pk,
            user=user,
            reply=action,
            note=text[:200],
        )
        done = _("Reply sent.")
    elif action == "minutes":
        call = partial(meetings.minutes_save, meeting_id=meeting.pk, user=user, body=text)
        done = _("Minutes saved.")
    elif action == "review":
        call = partial(meetings.minutes_submit, meeting_id=meeting.pk, user=user)
        done = _("Minutes sent for review.")
    elif action == "issue":
        call = partial(meetings.minutes_issue, meeting_id=meeting.pk, user=user)
        done = _("Minutes issued as a 纪要 of the Administrative Center.")
    elif action == "decision":
        paragraph = params.posted_id(request, "paragraph") or 0
        call = partial(
            meetings.decision_add, meeting_id=meeting.pk, user=user, paragraph=paragraph, text=text
        )
        done = _("Decision recorded.")
    elif action == "supervise":
        if target is None or not meeting.decisions.filter(pk=target).exists():
            raise Http404(_("No such decision."))
        form = SuperviseForm(request.POST)
        if not form.is_valid():
            typed = (request.POST.get("leader") or "").strip()
            errors = form.errors.get("leader") if typed else None
            messages.error(
                request,
                " ".join(str(e) for e in errors)
                if errors
                else _("Choose the leader and lead unit, the days and criteria."),
            )
            return redirect(meeting)
        data = form.cleaned_data
        call = partial(
            meetings.decision_supervise,
            decision_id=target,
            user=user,
            leader=data["leader"],
            lead_unit=data["lead_unit"],
            days=data["days"],
            criteria=data["criteria"],
        )
        done = _("The decision is now a supervision item.")
    else:
        raise Http404(_("No such page."))
    return _act(request, meeting, call, done)


@login_required
def ical(request: HttpRequest) -> HttpResponse:
    """The meetings the person may see as an iCalendar feed (RFC 5545), from a year back.
    Times in UTC (…Z): every calendar reads them, no VTIMEZONE needed."""
    since = timezone.now() - timedelta(days=366)
    rows = (
        meetings.visible_meetings(request.user)
        .filter(starts_at__gte=since)
        .only("id", "title", "starts_at", "ends_at", "place")
        .order_by("starts_at")[:2000]
    )
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = "-//One-stop Business Hall//Meetings//ZH"
    calendar.add("x-wr-calname").value = _("Meetings")
    host = request.get_host().split(":")[0] or "hall"
    for meeting in rows:
        event = calendar.add("vevent")
        event.add("uid").value = f"meeting-{meeting.pk}@{host}"
        event.add("summary").value = meeting.title
        event.add("dtstart").value = meeting.starts_at.astimezone(tz.UTC)
        event.add("dtend").value = meeting.ends_at.astimezone(tz.UTC)
        event.add("dtstamp").value = timezone.now().astimezone(tz.UTC)
        if meeting.place:
            event.add("location").value = meeting.place
        event.add("url").value = request.build_absolute_uri(meeting.get_absolute_url())
    response = HttpResponse(calendar.serialize(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The office reads the draft minutes as a PDF (marked 草稿); issued minutes are the 纪要
    of the Administrative Center, whose PDF this sends them to."""
    from performance.minutes_pdf import minutes_pdf as render_pdf

    meeting = _meeting(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("meeting__kind").first()
    issued = minutes is not None and minutes.status == Minutes.Status.ISSUED
    if minutes is None or not (issued or services.is_office(request.user)):
        raise Http404(_("No minutes yet."))
    if issued and minutes.document_id is not None:
        # Issued minutes are the documents' 纪要: its PDF, and the document's own rights.
        return redirect("documents:pdf", pk=minutes.document_id)
    response = HttpResponse(render_pdf(minutes), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response
