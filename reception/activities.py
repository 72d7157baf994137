"""Large activities (大型活动): one title over several bookings and the units' service tasks.

An activity's bookings are made through the booking services (``services.booking_create``), so
its halls, rooms, cars and equipment meet the same rules as any booking: buffers, blackouts,
the exclusion constraint and the approval chain. A refused booking changes nothing (the link is
written in the same transaction). A service task (sound, cleaning, security, catering) names the
unit responsible and a due time; the unit's staff are told and mark it done.

Who sees an activity: its organiser and the Service Center's office (the role
``activity-office`` in any department, and superusers); a task's unit sees its own tasks on
the units' task list, not the activity.

The organiser or the office edits the activity on its page, adds and removes its bookings (a
removed booking is cancelled through the booking services, which say who may) and its tasks (an
open one only; its unit is told). The reminder tick tells a task's unit once before its due time
(``RECEPTION_TASK_REMIND_HOURS``, 24 by default), through ``workflows.reminders.once`` keyed by
the task and its due time.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Department, Role, User
from hall.notifications import notify
from reception import schedules, services
from reception.models import Activity, ActivityBooking, ActivityTask, Booking
from workflows.reminders import once, register_tick

OFFICE_ROLE = "activity-office"


class ActivityError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_office(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or Role.objects.filter(holders=user, code=OFFICE_ROLE).exists()


def may_manage(user: User, activity: Activity) -> bool:
    return activity.organiser_id == user.pk or is_office(user)


# --- reads ----------------------------------------------------------------------------------


def visible_activities(user: User) -> QuerySet[Activity]:
    rows = Activity.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if is_office(user):
        return rows
    return rows.filter(organiser=user)


def activity_rows(user: User) -> QuerySet[Activity]:
    """The list: each activity with its counts, in one query."""
    return (
        visible_activities(user)
        .select_related("organiser")
        .only(
            "id",
            "title",
            "starts_on",
            "ends_on",
            "attendance",
            "place",
            "organiser__full_name",
            "organiser__username",
        )
        .annotate(
            n_bookings=Count("links", distinct=True),
            n_tasks=Count("tasks", distinct=True),
            n_open=Count("tasks", filter=Q(tasks__done_at__isnull=True), distinct=True),
        )
        .order_by("-starts_on", "-id")
    )


def activity_for(user: User, pk: int) -> Activity | None:
    return visible_activities(user).select_related("organiser").filter(pk=pk).first()


def activity_bookings(activity: Activity) -> list[Booking]:
    return list(
        Booking.objects.filter(activity_link__activity=activity)
        .select_related("resource", "booker")
        .order_by("starts_at", "pk")
    )


def activity_tasks(activity: Activity) -> list[ActivityTask]:
    return list(activity.tasks.select_related("department", "done_by").order_by("due_at", "pk"))


def unit_tasks(user: User) -> QuerySet[ActivityTask]:
    """The tasks of the person's unit, open ones first (the units' task list)."""
    if not user.is_authenticated or user.department_id is None:
        return ActivityTask.objects.none()
    return (
        ActivityTask.objects.filter(department_id=user.department_id)
        .select_related("activity", "visit")
        .only(
            "id",
            "kind",
            "title",
            "due_at",
            "done_at",
            "activity__id",
            "activity__title",
            "visit__id",
            "visit__title",
            "department_id",
        )
        .order_by("done_at", "due_at", "pk")
    )


# --- writes ---------------------------------------------------------------------------------


def _check(title: str, starts_on: date, ends_on: date) -> str:
    title = (title or "").strip()
    if not title:
        raise ActivityError(_("Give the activity a title."))
    if ends_on < starts_on:
        raise ActivityError(_("The last day must not come before the first."))
    return title


@transaction.atomic
def activity_create(
    *,
    organiser: User,
    title: str,
    starts_on: date,
    ends_on: date,
    attendance: int = 0,
    place: str = "",
    description: str = "",
) -> Activity:
    title = _check(title, starts_on, ends_on)
    return Activity.objects.create(
        organiser=organiser,
        title=title[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        attendance=max(0, attendance),
        place=(place or "").strip()[:200],
        description=(description or "").strip(),
    )


def _locked(activity_id: int) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity_id)


def _managed(activity_id: int, user: User) -> Activity:
    activity = _locked(activity_id)
    if not may_manage(user, activity):
        raise ActivityError(_("Only the organiser or the office changes this activity."))
    return activity


@transaction.atomic
def activity_update(
    *,
    activity_id: int,
    user: User,
    title: str,
    starts_on: date,
    ends_on: date,
    attendance: int = 0,
    place: str = "",
    description: str = "",
) -> Activity:
    """Edits the activity; its days may not shrink past a booking that is still on."""
    activity = _managed(activity_id, user)
    title = _check(title, starts_on, ends_on)
    outside = [
        b
        for b in activity_bookings(activity)
        if b.is_active
        and not (
            starts_on
            <= timezone.localtime(b.starts_at).date()
            <= timezone.localtime(b.ends_at).date()
            <= ends_on
        )
    ]
    if outside:
        first = outside[0]
        raise ActivityError(
            _("The booking “%(title)s” on %(day)s falls outside these days; remove it first.")
            % {"title": first.title, "day": f"{timezone.localtime(first.starts_at):%Y-%m-%d}"}
        )
    activity.title, activity.starts_on, activity.ends_on = title[:200], starts_on, ends_on
    activity.attendance = max(0, attendance)
    activity.place = (place or "").strip()[:200]
    activity.description = (description or "").strip()
    activity.save()
    return activity


@transaction.atomic
def activity_unbook(*, activity_id: int, user: User, booking_id: int) -> Booking:
    """Takes a booking off the activity; one still on is cancelled through the booking services
    (the booker or the resource's manager may), one that is over or cancelled is only unlinked."""
    activity = _managed(activity_id, user)
    link = ActivityBooking.objects.filter(activity=activity, booking_id=booking_id).first()
    if link is None:
        raise ActivityError(_("This booking is not one of the activity's."))
    booking = link.booking
    if booking.is_active and booking.ends_at > timezone.now():
        booking = services.booking_cancel(
            booking_id=booking.pk,
            user=user,
            reason=_("Taken off the activity “%(title)s”") % {"title": activity.title},
        )
    link.delete()
    return booking


@transaction.atomic
def activity_book(
    *,
    activity_id: int,
    user: User,
    resource_id: int,
    starts_at: datetime,
    ends_at: datetime,
    attendees: int = 1,
    title: str = "",
    now: datetime | None = None,
) -> Booking:
    """Books a resource for the activity through the booking services; a conflict is refused
    with the holder named (services.BookingError) and nothing is written."""
    activity = _managed(activity_id, user)
    first, last = timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date()
    if first < activity.starts_on or last > activity.ends_on:
        raise ActivityError(_("A booking of the activity falls within its days."))
    booking = services.booking_create(
        resource_id=resource_id,
        booker=user,
        title=(title or "").strip() or activity.title,
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=attendees,
        note=_("For the activity “%(title)s”") % {"title": activity.title},
        now=now,
    )
    ActivityBooking.objects.create(activity=activity, booking=booking)
    return booking


@transaction.atomic
def task_add(
    *,
    activity_id: int,
    user: User,
    kind: str,
    title: str,
    department: Department | None,
    due_at: datetime | None,
) -> ActivityTask:
    activity = _managed(activity_id, user)
    if kind not in ActivityTask.Kind.values:
        raise ActivityError(_("Choose the kind of service."))
    return task_create(
        activity=activity, kind=kind, title=title, department=department, due_at=due_at
    )


def task_create(
    *,
    kind: str,
    title: str,
    department: Department | None,
    due_at: datetime | None,
    activity: Activity | None = None,
    visit=None,
) -> ActivityTask:
    """A service task of an activity or of a visit (``reception.visit_plans``, which checks
    who may add it); the unit's staff are told."""
    if department is None:
        raise ActivityError(_("Choose the unit responsible."))
    if due_at is None:
        raise ActivityError(_("Give the time it is due."))
    title = (title or "").strip() or str(ActivityTask.Kind(kind).label)
    task = ActivityTask.objects.create(
        activity=activity,
        visit=visit,
        kind=kind,
        title=title[:200],
        department=department,
        due_at=due_at,
    )
    owner = (activity or visit).title
    due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
    if visit is not None:
        subject = f"接待服务任务：{owner}：{task.title}（{due} 前）"
        subject_en = f"Service task for the visit {owner}: {task.title} (due {due})"
    else:
        subject = f"活动服务任务：{owner}：{task.title}（{due} 前）"
        subject_en = f"Service task for {owner}: {task.title} (due {due})"
    notify(
        recipients=_unit_staff(department.pk),
        kind="activity",
        subject=subject,
        subject_en=subject_en,
        url=reverse("reception:activity-tasks"),
    )
    return task


def may_manage_task(user: User, task: ActivityTask) -> bool:
    """The activity's organiser or the activities office; for a visit's task, the office that
    arranges visits."""
    if task.visit_id:
        return schedules.is_office(user)
    return may_manage(user, task.activity)


def may_mark(user: User, task: ActivityTask) -> bool:
    if not user.is_authenticated:
        return False
    return user.department_id == task.department_id or may_manage_task(user, task)


@transaction.atomic
def task_done(*, task_id: int, user: User, now: datetime | None = None) -> ActivityTask:
    task = (
        ActivityTask.objects.select_for_update(of=("self",))
        .select_related("activity", "visit")
        .get(pk=task_id)
    )
    if not may_mark(user, task):
        raise ActivityError(_("Only the unit responsible or the organiser marks this task."))
    if task.done_at is not None:
        raise ActivityError(_("This task is already done."))
    task.done_at = now or timezone.now()
    task.done_by = user
    task.save(update_fields=["done_at", "done_by"])
    return task


@transaction.atomic
def task_remove(*, task_id: int, user: User) -> ActivityTask:
    """Withdraws an open task from its unit (who are told); a done one stays on the record.
    An activity's task is withdrawn by its organiser or the activities office, a visit's by the
    office that arranges visits (``may_manage_task``, through the task's owner)."""
    task = (
        ActivityTask.objects.select_for_update(of=("self",))
        .select_related("activity", "visit")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise ActivityError(_("No such task."))
    if not may_manage_task(user, task):
        raise ActivityError(_("Only the organiser or the office withdraws this task."))
    if task.done_at is not None:
        raise ActivityError(_("A task that is done stays on the record."))
    owner = task.owner
    task.delete()
    if task.visit_id:
        subject = f"接待服务任务已撤销：{owner.title}：{task.title}"
        subject_en = f"Service task withdrawn for the visit {owner.title}: {task.title}"
    else:
        subject = f"活动服务任务已撤销：{owner.title}：{task.title}"
        subject_en = f"Service task withdrawn for {owner.title}: {task.title}"
    notify(
        recipients=_unit_staff(task.department_id),
        kind="activity",
        subject=subject,
        subject_en=subject_en,
        url=reverse("reception:activity-tasks"),
    )
    return task


def _unit_staff(department_id: int) -> list[int]:
    return list(
        User.objects.filter(department_id=department_id, is_active=True).values_list(
            "pk", flat=True
        )
    )


def remind_hours() -> int:
    return getattr(settings, "RECEPTION_TASK_REMIND_HOURS", 24)


def task_reminders_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Tells each open task's unit once that it is due within the reminder window; a task whose
    due time moved is a new key, so it is reminded again for the new time."""
    now = now or timezone.now()
    due = (
        ActivityTask.objects.filter(
            done_at__isnull=True, due_at__gt=now, due_at__lte=now + timedelta(hours=remind_hours())
        )
        .select_related("activity", "visit")
        .order_by("due_at", "pk")[:500]
    )
    sent = 0
    for task in due:
        with transaction.atomic():
            if not once("reception.activity-task", f"{task.pk}:{task.due_at.isoformat()}"):
                continue
            when = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
            notify(
                recipients=_unit_staff(task.department_id),
                kind="reminder",
                subject=f"服务任务：{task.owner.title}：{task.title}（{when} 前）",
                subject_en=f"Service task for {task.owner.title}: {task.title} (due {when})",
                url=reverse("reception:activity-tasks"),
            )
            sent += 1
    return {"due": sent}


def register() -> None:
    register_tick("reception.activities", task_reminders_tick)
