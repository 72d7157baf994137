"""Leaders' schedules: who may see them, the week's entries, and the office's writes.

The office (holders of the role ``schedule-office`` in any department, and superusers) keeps the
schedules; the leaders read them. Everyone else gets 404 on every schedule page.
"""

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Role, User
from reception.models import Booking, Leader, ScheduleEntry

OFFICE_ROLE = "schedule-office"
FEED_PAST_DAYS = 60
FEED_LIMIT = 1000


class ScheduleError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reads -------------------------------------------------------------------------------------


def is_office(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or Role.objects.filter(holders=user, code=OFFICE_ROLE).exists()


def is_leader(user: User) -> bool:
    return user.is_authenticated and Leader.objects.filter(user=user, is_active=True).exists()


def may_see(user: User) -> bool:
    """The office and the (active) leaders."""
    return is_office(user) or is_leader(user)


def leaders() -> QuerySet[Leader]:
    return Leader.objects.filter(is_active=True).select_related("user").order_by("order", "id")


def week_of(day: date) -> tuple[date, date]:
    first = day - timedelta(days=day.weekday())
    return first, first + timedelta(days=7)


def week_entries(first: date, leader_id: int | None = None) -> QuerySet[ScheduleEntry]:
    starts = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        ScheduleEntry.objects.filter(
            starts_at__gte=starts,
            starts_at__lt=starts + timedelta(days=7),
            leader__is_active=True,
        )
        .select_related("leader__user")
        .only(
            "id",
            "title",
            "place",
            "starts_at",
            "ends_at",
            "participants",
            "source_title",
            "source_url",
            "leader__id",
            "leader__position_zh",
            "leader__position_en",
            "leader__user__full_name",
            "leader__user__username",
        )
        .order_by("starts_at", "leader__order", "id")
    )
    return rows.filter(leader_id=leader_id) if leader_id else rows


def feed_entries(leader: Leader) -> list[ScheduleEntry]:
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return list(
        leader.entries.filter(starts_at__gte=since).order_by("starts_at", "id")[:FEED_LIMIT]
    )


# --- writes ------------------------------------------------------------------------------------


def _require_office(user: User) -> None:
    if not is_office(user):
        raise ScheduleError(_("Only the office keeps the leaders' schedules."))


@transaction.atomic
def entry_create(
    *,
    user: User,
    leader_id: int,
    title: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    place: str = "",
    participants: str = "",
    booking_id: int | None = None,
) -> ScheduleEntry:
    """An entry typed in, or taken from a confirmed booking (its title, time and place, with
    the booking kept as the entry's source)."""
    _require_office(user)
    leader = Leader.objects.filter(pk=leader_id, is_active=True).first()
    if leader is None:
        raise ScheduleError(_("Choose a leader."))
    source = source_title = source_url = ""
    if booking_id:
        booking = (
            Booking.objects.select_related("resource")
            .filter(pk=booking_id, status=Booking.Status.CONFIRMED)
            .first()
        )
        if booking is None:
            raise ScheduleError(_("No confirmed booking has the number %(n)s.") % {"n": booking_id})
        title = title or booking.title
        starts_at = starts_at or booking.starts_at
        ends_at = ends_at or booking.ends_at
        place = place or booking.resource.location or booking.resource.name_zh
        source = f"reception.booking:{booking.pk}"
        source_title = booking.title
        source_url = booking.get_absolute_url()
    if not title:
        raise ScheduleError(_("Give the activity."))
    if starts_at is None or ends_at is None:
        raise ScheduleError(_("Give the start and the end."))
    if ends_at <= starts_at:
        raise ScheduleError(_("The end must come after the start."))
    return ScheduleEntry.objects.create(
        leader=leader,
        title=title,
        place=place,
        participants=participants,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
        source_title=source_title,
        source_url=source_url,
        created_by=user,
    )


@transaction.atomic
def entry_delete(*, user: User, entry_id: int) -> None:
    _require_office(user)
    deleted, _rows = ScheduleEntry.objects.filter(pk=entry_id).delete()
    if not deleted:
        raise ScheduleError(_("No such entry."))


def may_manage_feed(user: User, leader: Leader) -> bool:
    return leader.user_id == user.pk or is_office(user)


@transaction.atomic
def feed_revoke(*, user: User, leader_id: int) -> Leader:
    """A new secret for the leader's feed: the old address answers 404 from now on."""
    leader = Leader.objects.select_for_update().filter(pk=leader_id).first()
    if leader is None or not may_manage_feed(user, leader):
        raise ScheduleError(_("Only the leader or the office can revoke this calendar."))
    leader.feed_token = uuid.uuid4()
    leader.save(update_fields=["feed_token"])
    return leader


# --- the leader's calendar feed ----------------------------------------------------------------


def leader_feed(leader: Leader, entries: list[ScheduleEntry]) -> bytes:
    """One VEVENT per entry, each CLASS:CONFIDENTIAL; the UID and DTSTAMP (the entry's last
    change) stay the same between fetches, so a calendar client updates instead of doubling."""
    from datetime import UTC

    from django.conf import settings
    from icalendar import Calendar, Event

    from reception.feeds import PRODID, _host

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{leader.user.full_name or leader.user.username} {leader.position_zh}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = _host()
    for entry in entries:
        event = Event()
        event.add("uid", f"schedule-{entry.pk}@{host}")
        event.add("dtstamp", entry.updated_at.astimezone(UTC))
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        event.add("dtend", entry.ends_at.astimezone(UTC))
        event.add("summary", entry.title)
        if entry.place:
            event.add("location", entry.place)
        if entry.participants:
            event.add("description", entry.participants)
        event.add("class", "CONFIDENTIAL")
        cal.add_component(event)
    return cal.to_ical()
