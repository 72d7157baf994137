"""Pages of large activities: the list, a new activity, an activity's page with its bookings
and service tasks, and the units' task list."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import params
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
        try:
            activity = act.activity_create(organiser=request.user, **form.cleaned_data)
        except act.ActivityError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The activity is made; now book its resources."))
            return redirect(activity)
    return render(request, "reception/activities/new.html", {"form": form})


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
    try:
        booking = act.activity_book(
            activity_id=activity.pk,
            user=request.user,
            resource_id=data["resource"].pk,
            starts_at=_aware(data["day"], data["start"]),
            ends_at=_aware(data["day"], data["end"]),
            attendees=data["attendees"],
            title=data["title"],
        )
    except (act.ActivityError, BookingError) as exc:
        messages.error(request, exc.message)
        return _detail(request, activity, form, TaskForm(), status=409)
    if booking.status == Booking.Status.PENDING:
        messages.success(request, _("Sent for approval; the time is yours once it is approved."))
    else:
        messages.success(request, _("Booked."))
    return redirect(activity)


@login_required
@require_POST
def activity_task(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, ActivityBookingForm(), form, status=400)
    try:
        act.task_add(activity_id=activity.pk, user=request.user, **form.cleaned_data)
    except act.ActivityError as exc:
        messages.error(request, exc.message)
        return _detail(request, activity, ActivityBookingForm(), form, status=409)
    messages.success(request, _("The task is given to the unit, who has been told."))
    return redirect(activity)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = ActivityTask.objects.select_related("activity", "visit").filter(pk=pk).first()
    if task is None or not act.may_mark(request.user, task):
        raise Http404(_("No such task."))
    try:
        act.task_done(task_id=task.pk, user=request.user)
    except act.ActivityError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as done."))
    if act.may_manage_task(request.user, task):
        return redirect(task.owner)
    return redirect("reception:activity-tasks")


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
