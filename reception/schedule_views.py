"""Pages of the leaders' schedules: the office's week (本周领导活动安排), a leader's page with
the calendar feed, the office's entry form, and the feed itself (token, no login)."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall.actions import REFUSED, act
from reception import schedules
from reception.models import Leader
from reception.schedule_forms import EntryForm, WeekFilter
from reception.schedules import ScheduleError


def _english(request: HttpRequest) -> bool:
    return (request.LANGUAGE_CODE or "").startswith("en")


def _visible(request: HttpRequest) -> bool:
    """404 unless the office or a leader; tells whether the viewer is the office."""
    office = schedules.is_office(request.user)
    if not office and not schedules.is_leader(request.user):
        raise Http404(_("No such page."))
    return office


def _leader_label(leader: Leader, english: bool) -> tuple[str, str]:
    name = leader.user.full_name or leader.user.username
    position = leader.position_en if english and leader.position_en else leader.position_zh
    return name, position


@login_required
def week(request: HttpRequest) -> HttpResponse:
    office = _visible(request)
    all_leaders = list(schedules.leaders())
    form = WeekFilter(request.GET or None, leaders=schedules.leaders())
    form.warn(request)
    first, after = schedules.week_of(form.value("week", timezone.localdate()))
    chosen = form.value("leader")
    english = _english(request)
    days = [first + timedelta(days=n) for n in range(7)]
    by_day = {d: [] for d in days}
    leader_prefix = reverse("reception:schedules") + "leaders/"
    for entry in schedules.week_entries(first, chosen.pk if chosen else None):
        starts = timezone.localtime(entry.starts_at)
        ends = timezone.localtime(entry.ends_at)
        name, position = _leader_label(entry.leader, english)
        by_day.setdefault(starts.date(), []).append(
            (
                starts,
                ends,
                name,
                position,
                f"{leader_prefix}{entry.leader.pk}/",
                entry.title,
                entry.place,
                entry.participants,
                entry.source_url,
                entry.pk,
            )
        )
    return render(
        request,
        "reception/schedule_week.html",
        {
            "form": form,
            "first": first,
            "last": after - timedelta(days=1),
            "earlier": (first - timedelta(days=7)).isoformat(),
            "later": after.isoformat(),
            "days": [(d, by_day.get(d, [])) for d in days],
            "leaders": [
                (f"{leader_prefix}{lead.pk}/", *_leader_label(lead, english))
                for lead in all_leaders
            ],
            "office": office,
            "chosen": chosen,
        },
    )


@login_required
def leader_page(request: HttpRequest, pk: int) -> HttpResponse:
    _visible(request)
    leader = schedules.leaders().filter(pk=pk).first()
    if leader is None:
        raise Http404(_("No such leader."))
    may_manage = schedules.may_manage_feed(request.user, leader)
    feed = (
        request.build_absolute_uri(reverse("reception:leader-feed", args=[leader.feed_token]))
        if may_manage
        else ""
    )
    first, _after = schedules.week_of(timezone.localdate())
    name, position = _leader_label(leader, _english(request))
    return render(
        request,
        "reception/schedule_leader.html",
        {
            "leader": leader,
            "name": name,
            "position": position,
            "feed": feed,
            "may_manage": may_manage,
            "entries": [
                (
                    timezone.localtime(e.starts_at),
                    timezone.localtime(e.ends_at),
                    e.title,
                    e.place,
                    e.source_url,
                )
                for e in schedules.week_entries(first, leader.pk)
            ],
        },
    )


@login_required
@require_POST
def leader_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _visible(request)
    try:
        leader = schedules.feed_revoke(user=request.user, leader_id=pk)
    except ScheduleError:
        raise Http404(_("No such leader.")) from None
    messages.success(request, _("A new calendar address is made; the old one no longer works."))
    return redirect(leader)


@login_required
def entry_new(request: HttpRequest) -> HttpResponse:
    if not schedules.is_office(request.user):
        raise Http404(_("No such page."))
    if request.method == "POST":
        form = EntryForm(request.POST, leaders=schedules.leaders())
        if form.is_valid():
            data = form.cleaned_data
            starts = ends = None
            if data["day"] and data["start"] and data["end"]:
                starts = timezone.make_aware(datetime.combine(data["day"], data["start"]))
                ends = timezone.make_aware(datetime.combine(data["day"], data["end"]))
            entry = act(
                request,
                lambda: schedules.entry_create(
                    user=request.user,
                    leader_id=data["leader"].pk,
                    title=data["title"],
                    starts_at=starts,
                    ends_at=ends,
                    place=data["place"],
                    participants=data["participants"],
                    booking_id=data["booking"],
                ),
                _("Added to the schedule."),
                refused=ScheduleError,
            )
            if entry is not REFUSED:
                day = timezone.localtime(entry.starts_at).date().isoformat()
                return redirect(f"{reverse('reception:schedules')}?week={day}")
    else:
        form = EntryForm(leaders=schedules.leaders())
    return render(request, "reception/schedule_form.html", {"form": form})


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not schedules.is_office(request.user):
        raise Http404(_("No such page."))
    try:
        schedules.entry_delete(user=request.user, entry_id=pk)
    except ScheduleError as exc:
        raise Http404(exc.message) from None
    messages.success(request, _("Removed from the schedule."))
    return redirect("reception:schedules")


def leader_feed(request: HttpRequest, token) -> HttpResponse:
    """A leader's calendar: no login (calendar clients have none), the secret token instead."""
    leader = Leader.objects.select_related("user").filter(feed_token=token, is_active=True).first()
    if leader is None:
        raise Http404(_("No such calendar."))
    body = schedules.leader_feed(leader, schedules.feed_entries(leader))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="leader-{leader.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
