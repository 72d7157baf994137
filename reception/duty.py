"""The watch (值班): a roster by day, shift and post made by a rotation over lists of people,
aware of the hall's calendar, and who is on duty now.

On a working day the watch is the night shift (after office hours until the next morning); on
a weekend or holiday of the official calendar (hall/calendar.py, with the institution's
overrides) it runs round the clock. Each post rotates through its own list in order, carrying on
from day to day, so people take turns fairly however the holidays fall.
"""

from datetime import date, datetime, time, timedelta
from itertools import cycle

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall import calendar
from hall.models import Identity, User
from reception.models import DutyShift, DutySwap
from reception.schedules import ScheduleError, is_office

WORKDAY_FROM = time(17, 30)  # the night watch of a working day
MORNING = time(8, 0)
MAX_DAYS = 366


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def shift_times(day: date, rest_day: bool) -> tuple[datetime, datetime]:
    starts = _at(day, MORNING if rest_day else WORKDAY_FROM)
    return starts, _at(day + timedelta(days=1), MORNING)


@transaction.atomic
def roster_generate(
    *, user: User, first: date, last: date, leader_ids: list[int], staff_ids: list[int]
) -> int:
    """The roster from first to last (both included), replacing what was there; returns the
    number of shifts made."""
    if not is_office(user):
        raise ScheduleError(_("Only the office keeps the duty roster."))
    if last < first or (last - first).days >= MAX_DAYS:
        raise ScheduleError(_("Choose at most a year, the last day after the first."))
    if not leader_ids or not staff_ids:
        raise ScheduleError(_("Name at least one leader and one staff member."))
    found = set(User.objects.filter(pk__in=[*leader_ids, *staff_ids]).values_list("pk", flat=True))
    missing = [pk for pk in [*leader_ids, *staff_ids] if pk not in found]
    if missing:
        raise ScheduleError(_("No such person: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
    in_range = DutyShift.objects.filter(day__range=(first, last))
    if in_range.filter(handover__isnull=False).exists():
        raise ScheduleError(_("Some of these shifts already have a handover: start later."))
    pending = DutySwap.objects.filter(status=DutySwap.Status.PENDING).filter(
        Q(shift__day__range=(first, last)) | Q(other_shift__day__range=(first, last))
    )
    if pending.exists():
        raise ScheduleError(_("A swap of one of these shifts is waiting for approval."))
    overrides = calendar.overrides_between(first, last)
    in_range.delete()
    leaders, staff = cycle(leader_ids), cycle(staff_ids)
    rows = []
    day = first
    while day <= last:
        rest = not calendar.is_workday(day, overrides)
        starts, ends = shift_times(day, rest)
        for post, people in ((DutyShift.Post.LEADER, leaders), (DutyShift.Post.STAFF, staff)):
            rows.append(
                DutyShift(
                    day=day,
                    post=post,
                    person_id=next(people),
                    starts_at=starts,
                    ends_at=ends,
                    is_rest_day=rest,
                )
            )
        day += timedelta(days=1)
    DutyShift.objects.bulk_create(rows)
    roster_changed()
    return len(rows)


def _bump() -> None:
    try:
        cache.incr("duty-now-version")
    except ValueError:
        cache.set("duty-now-version", 2, None)


def roster_changed() -> None:
    """Every writer of the roster calls this: the home page's cached 'on duty now' is dropped
    once the change commits."""
    transaction.on_commit(_bump)


def may_see(user: User) -> bool:
    return user.is_authenticated and (user.identity == Identity.STAFF or is_office(user))


def on_duty_now(moment: datetime | None = None) -> list[DutyShift]:
    moment = moment or timezone.now()
    return list(
        DutyShift.objects.filter(starts_at__lte=moment, ends_at__gt=moment)
        .select_related("person")
        .only(
            "id",
            "post",
            "day",
            "starts_at",
            "ends_at",
            "is_rest_day",
            "person__full_name",
            "person__phone",
            "person__username",
        )
        .order_by("post", "starts_at")
    )


def roster(first: date, days: int = 14) -> QuerySet[DutyShift]:
    return (
        DutyShift.objects.filter(day__gte=first, day__lt=first + timedelta(days=days))
        .select_related("person")
        .only(
            "id",
            "post",
            "day",
            "starts_at",
            "ends_at",
            "is_rest_day",
            "person__full_name",
            "person__phone",
            "person__username",
        )
        .order_by("day", "post")
    )
