"""Pages of large activities: the list, a new activity, its edit page, an activity's page with
its bookings and service tasks (added and removed there), and the units' task list."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import params
from hall.actions import REFUSED
from hall.actions import act as run
from hall.lists import Page, url_maker
from reception import activities as act
from reception.activity_forms import ActivityBookingForm, ActivityForm, TaskForm
from reception.models import ActivityTask, Booking
from reception.services import BookingError

PAGE_SIZE = 50


def _activity(request: HttpRequest, pk: int):
    activity = act.activity_for(request.user, pk)
    if activity is None:
        raise Http404(_("No such activity."))
    return activity


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(act.activity_rows(request.user), PAGE_SIZE).get_page(
        params.page_number(request)
    )
    link = url_maker("reception:activity")
    table = [
        (
            link(a.pk),
            a.title,
            a.organiser.full_name or a.organiser.username,
            f"{a.starts_on:%Y-%m-%d}–{a.ends_on:%Y-%m-%d}"
            if a.ends_on != a.starts_on
            else f"{a.starts_on:%Y-%m-%d}",
            a.attendance,
            a.n_bookings,
            f"{a.n_tasks - a.n_open}/{a.n_tasks}",
        )
        for a in page.object_list
    ]
    return render(request, "reception/activities/list.html", {"page": page, "table": table})


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = run(
            request,
            lambda: act.activity_create(organiser=request.user, **form.cleaned_data),
            _("The activity is made; now book its resources."),
            refused=act.ActivityError,
        )
        if activity is not REFUSED:
            return redirect(activity)
    return render(request, "reception/activities/new.html", {"form": form})


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    if not act.may_manage(request.user, activity):
        raise Http404(_("No such activity."))
    fields = ("title", "starts_on", "ends_on", "attendance", "place", "description")
    form = ActivityForm(request.POST or None, initial={f: getattr(activity, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        done = run(
            request,
            lambda: act.activity_update(
                activity_id=activity.pk, user=request.user, **form.cleaned_data
            ),
            _("Saved."),
            refused=act.ActivityError,
        )
        if done is not REFUSED:
            return redirect(activity)
    return render(request, "reception/activities/new.html", {"form": form, "activity": activity})


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    return _detail(
        request, activity, ActivityBookingForm(initial={"day": activity.starts_on}), TaskForm()
    )


def _detail(request, activity, booking_form, task_form, status=200) -> HttpResponse:
    lists = Page()
    states = dict(Booking.Status.choices)
    kinds = dict(ActivityTask.Kind.choices)
    bookings = [
        (
            b.pk,
            f"{b.get_absolute_url()}",
            lists.name(b.resource),
            b.title,
            f"{lists.minute(b.starts_at)}–{timezone.localtime(b.ends_at):%H:%M}",
            b.status,
            states.get(b.status, b.status),
        )
        for b in act.activity_bookings(activity)
    ]
    tasks = [
        (
            t.pk,
            kinds.get(t.kind, t.kind),
            t.title,
            lists.name(t.department),
            lists.minute(t.due_at),
            lists.minute(t.done_at),
            (t.done_by.full_name or t.done_by.username) if t.done_by_id else "",
        )
        for t in act.activity_tasks(activity)
    ]
    return render(
        request,
        "reception/activities/detail.html",
        {
            "activity": activity,
            "bookings": bookings,
            "tasks": tasks,
            "booking_form": booking_form,
            "task_form": task_form,
            "manage": act.may_manage(request.user, activity),
        },
        status=status,
    )


def _aware(day, moment) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


@login_required
@require_POST
def activity_book(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    form = ActivityBookingForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, form, TaskForm(), status=400)
    data = form.cleaned_data
    booking = run(
        request,
        lambda: act.activity_book(
            activity_id=activity.pk,
            user=request.user,
            resource_id=data["resource"].pk,
            starts_at=_aware(data["day"], data["start"]),
            ends_at=_aware(data["day"], data["end"]),
            attendees=data["attendees"],
            title=data["title"],
        ),
        lambda b: (
            _("Sent for approval; the time is yours once it is approved.")
            if b.status == Booking.Status.PENDING
            else _("Booked.")
        ),
        refused=(act.ActivityError, BookingError),
    )
    if booking is REFUSED:
        return _detail(request, activity, form, TaskForm(), status=409)
    return redirect(activity)


@login_required
@require_POST
def activity_unbook(request: HttpRequest, pk: int, booking: int) -> HttpResponse:
    activity = _activity(request, pk)
    if not act.may_manage(request.user, activity):
        raise Http404(_("No such activity."))
    run(
        request,
        lambda: act.activity_unbook(activity_id=activity.pk, user=request.user, booking_id=booking),
        _("The booking is taken off the activity."),
        refused=(act.ActivityError, BookingError),
    )
    return redirect(activity)


@login_required
@require_POST
def activity_task(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, ActivityBookingForm(), form, status=400)
    task = run(
        request,
        lambda: act.task_add(activity_id=activity.pk, user=request.user, **form.cleaned_data),
        _("The task is given to the unit, who has been told."),
        refused=act.ActivityError,
    )
    if task is REFUSED:
        return _detail(request, activity, ActivityBookingForm(), form, status=409)
    return redirect(activity)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = ActivityTask.objects.select_related("activity", "visit").filter(pk=pk).first()
    if task is None or not act.may_mark(request.user, task):
        raise Http404(_("No such task."))
    run(
        request,
        lambda: act.task_done(task_id=task.pk, user=request.user),
        _("Marked as done."),
        refused=act.ActivityError,
    )
    if act.may_manage_task(request.user, task):
        return redirect(task.owner)
    return redirect("reception:activity-tasks")


@login_required
@require_POST
def task_remove(request: HttpRequest, pk: int) -> HttpResponse:
    task = ActivityTask.objects.select_related("activity", "visit").filter(pk=pk).first()
    if task is None or not act.may_manage_task(request.user, task):
        raise Http404(_("No such task."))
    run(
        request,
        lambda: act.task_remove(task_id=task.pk, user=request.user),
        _("The task is withdrawn; its unit has been told."),
        refused=act.ActivityError,
    )
    return redirect(task.owner)


@login_required
def unit_tasks(request: HttpRequest) -> HttpResponse:
    page = Paginator(act.unit_tasks(request.user), PAGE_SIZE).get_page(params.page_number(request))
    lists = Page()
    kinds = dict(ActivityTask.Kind.choices)
    done = url_maker("reception:activity-task-done")
    table = [
        (
            done(t.pk),
            t.owner.title,
            kinds.get(t.kind, t.kind),
            t.title,
            lists.minute(t.due_at),
            lists.minute(t.done_at),
        )
        for t in page.object_list
    ]
    return render(request, "reception/activities/tasks.html", {"page": page, "table": table})
