"""The watch's pages: my duty (shifts, swaps, handovers, my calendar address), the office's
roster generation, a person's duty feed."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hall import params
from hall.actions import REFUSED, act
from hall.people import PeopleField
from reception import duty, feeds, watch
from reception.models import DutyFeed, DutyShift, DutySwap, Handover
from reception.schedules import ScheduleError


def _act(request: HttpRequest, action, done):
    return act(request, action, done, refused=ScheduleError)


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%m-%d %H:%M")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's shifts: the coming ones with a swap form, the current or last one
    with its handover, and the handover waiting for them to acknowledge."""
    if not duty.may_see(request.user):
        raise Http404(_("No such page."))
    now = timezone.now()
    shifts = watch.my_shifts(request.user, now=now)
    pending_swaps = {
        s.shift_id: s
        for s in DutySwap.objects.filter(
            asked_by=request.user, status=DutySwap.Status.PENDING
        ).select_related("request")
    }
    coming = [s for s in shifts if s.starts_at > now]
    # Colleagues' coming shifts of the same posts, to swap with (the next 60 days).
    posts = {s.post for s in coming}
    others = list(
        DutyShift.objects.filter(
            post__in=posts, starts_at__gt=now, starts_at__lte=now + timedelta(days=60)
        )
        .exclude(person=request.user)
        .select_related("person")
        .only("id", "post", "day", "starts_at", "person__full_name", "person__username")
        .order_by("starts_at")[:200]
    )
    choices = {
        post: [
            (
                o.pk,
                f"{_local(o.starts_at)} {o.person.full_name or o.person.username}",
            )
            for o in others
            if o.post == post
        ]
        for post in posts
    }
    # The handovers this person may write: shifts begun and not too long over.
    writable = [s for s in shifts if s.starts_at <= now <= s.ends_at + watch.WRITE_GRACE]
    # Handovers of the shifts just before mine, not yet acknowledged.
    starts = [s.starts_at for s in shifts if s.starts_at <= now + timedelta(hours=12)]
    to_acknowledge = list(
        Handover.objects.filter(
            acknowledged_at__isnull=True,
            shift__ends_at__in=starts,
            shift__post__in={s.post for s in shifts},
        )
        .exclude(shift__person=request.user)
        .select_related("shift", "written_by")
    )
    feed = DutyFeed.objects.filter(user=request.user).first()
    return render(
        request,
        "reception/duty_mine.html",
        {
            "coming": [(s, choices.get(s.post, []), pending_swaps.get(s.pk)) for s in coming[:30]],
            "writable": writable,
            "to_acknowledge": to_acknowledge,
            "feed": request.build_absolute_uri(reverse("reception:duty-feed", args=[feed.token]))
            if feed
            else "",
            "past": [s for s in shifts if s.ends_at <= now][-7:],
        },
    )


@login_required
@require_POST
def swap(request: HttpRequest) -> HttpResponse:
    if not duty.may_see(request.user):
        raise Http404(_("No such page."))
    shift_id = params.posted_id(request, "shift")
    other_id = params.posted_id(request, "other")
    reason = params.posted_text(request, "reason", label=_("Reason"), max_length=300)
    if reason is None:
        return redirect("reception:duty-mine")
    if shift_id is None or other_id is None:
        messages.error(request, _("Choose the shift to take."))
        return redirect("reception:duty-mine")
    _act(
        request,
        lambda: watch.swap_request(
            user=request.user, shift_id=shift_id, other_shift_id=other_id, reason=reason
        ),
        _("The swap is asked: your colleague agrees, then the duty office approves."),
    )
    return redirect("reception:duty-mine")


@login_required
@require_POST
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    if not duty.may_see(request.user):
        raise Http404(_("No such page."))
    events = params.posted_text(request, "events", label=_("What happened"), max_length=5000)
    pending = params.posted_text(request, "pending", label=_("Pending matters"), max_length=5000)
    if events is not None and pending is not None:
        _act(
            request,
            lambda: watch.handover_write(
                user=request.user, shift_id=pk, events=events, pending=pending
            ),
            _("The handover is written; the next shift is told."),
        )
    return redirect("reception:duty-mine")


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    if not duty.may_see(request.user):
        raise Http404(_("No such page."))
    _act(
        request,
        lambda: watch.handover_acknowledge(user=request.user, handover_id=pk),
        _("Handover acknowledged."),
    )
    return redirect("reception:duty-mine")


@login_required
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    if not duty.may_see(request.user):
        raise Http404(_("No such page."))
    had = DutyFeed.objects.filter(user=request.user).exists()
    _act(
        request,
        lambda: watch.feed_renew(user=request.user),
        _("A new calendar address is made; the old one no longer works.")
        if had
        else _("Your calendar address is made."),
    )
    return redirect("reception:duty-mine")


def feed(request: HttpRequest, token) -> HttpResponse:
    """A person's duty calendar: no login (calendar clients have none), the secret token."""
    found = (
        DutyFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    )
    if found is None:
        raise Http404(_("No such calendar."))
    body = feeds.duty_feed(found.user, watch.feed_shifts(found.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="duty-{found.user_id}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


class RosterForm(forms.Form):
    first = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput({"type": "date"})
    )
    last = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput({"type": "date"}))
    # Named with the people picker (by name, number or user name); without JavaScript, numbers
    # or user names separated by commas or lines. Unknown people are refused with a message.
    leaders = PeopleField(
        label=gettext_lazy("Leaders on duty, in turn"),
        help_text=gettext_lazy(
            "Names, staff numbers or user names in the order of the rotation, separated by "
            "commas or lines."
        ),
        max_people=200,
    )
    staff = PeopleField(
        label=gettext_lazy("Staff on duty, in turn"),
        help_text=gettext_lazy(
            "Names, staff numbers or user names in the order of the rotation, separated by "
            "commas or lines."
        ),
        max_people=200,
    )

    def clean_leaders(self):
        return [u.pk for u in self.cleaned_data["leaders"]]

    def clean_staff(self):
        return [u.pk for u in self.cleaned_data["staff"]]


@login_required
def roster_page(request: HttpRequest) -> HttpResponse:
    if not watch.may_keep_roster(request.user):
        raise Http404(_("No such page."))
    form = RosterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = _act(
            request,
            lambda: duty.roster_generate(
                user=request.user,
                first=data["first"],
                last=data["last"],
                leader_ids=data["leaders"],
                staff_ids=data["staff"],
            ),
            lambda n: _("The roster is made: %(n)s shifts.") % {"n": n},
        )
        if made is not REFUSED:
            return redirect("reception:duty")
    return render(request, "reception/duty_roster.html", {"form": form})
