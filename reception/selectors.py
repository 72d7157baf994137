"""Reads of the Service Center: resources, who may see a booking, the availability grid."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from hall.models import Role, User
from reception.models import Blackout, Booking, Resource
from reception.services import MANAGER_ROLE

Status = Booking.Status
ACTIVE = (Status.PENDING, Status.CONFIRMED)
# The grid's day runs from 07:00 to 22:00: bookable hours of rooms and halls fit inside.
GRID_FROM, GRID_UNTIL = 7, 22


def managed_department_ids(user: User) -> QuerySet:
    return Role.objects.filter(holders=user, code=MANAGER_ROLE).values("department_id")


def resources(kind: str = "") -> QuerySet[Resource]:
    rows = Resource.objects.filter(is_active=True).order_by("kind", "order", "code")
    return rows.filter(kind=kind) if kind else rows


def visible_bookings(user: User) -> QuerySet[Booking]:
    """A booking's page: its booker, the managers of its resource's department, superusers."""
    rows = Booking.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if user.is_superuser:
        return rows
    return rows.filter(Q(booker=user) | Q(resource__department__in=managed_department_ids(user)))


def booking_for(user: User, pk: int) -> Booking | None:
    return (
        visible_bookings(user)
        .select_related("resource", "booker", "series", "request")
        .filter(pk=pk)
        .first()
    )


def my_bookings(user: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(booker=user)
        .select_related("resource")
        .only(
            "id",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "attendees",
            "resource__name_zh",
            "resource__name_en",
        )
        .order_by("-starts_at", "-pk")
    )


def upcoming(resource: Resource, *, limit: int = 30) -> list[Booking]:
    return list(
        Booking.objects.filter(resource=resource, status__in=ACTIVE, ends_at__gte=timezone.now())
        .select_related("booker")
        .order_by("starts_at")[:limit]
    )


def feed_bookings(resource: Resource, *, limit: int = 2000) -> list[Booking]:
    """What a resource's calendar feed carries: confirmed bookings from a month back on."""
    since = timezone.now() - timedelta(days=31)
    return list(
        Booking.objects.filter(resource=resource, status=Status.CONFIRMED, ends_at__gte=since)
        .select_related("booker")
        .order_by("starts_at", "pk")[:limit]
    )


# --- the availability grid ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    kind: str  # "booked", "pending", "closed", "blackout"
    left: str  # percent of the day's width, written out for the style attribute
    width: str
    label: str
    url: str = ""


@dataclass
class Day:
    day: date
    segments: list[Segment]


def _span(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time(GRID_FROM)))
    return start, start + timedelta(hours=GRID_UNTIL - GRID_FROM)


def _segment(kind, start, end, span, label, url=""):
    lo, hi = span
    start, end = max(start, lo), min(end, hi)
    if end <= start:
        return None
    total = (hi - lo).total_seconds()
    left = (start - lo).total_seconds() / total * 100
    width = (end - start).total_seconds() / total * 100
    return Segment(kind, f"{left:.2f}", f"{width:.2f}", label, url)


def grid(rows: list[Resource], days: list[date], *, booking_prefix: str, viewer: User):
    """For each resource, each day's segments: closed hours, blackouts and bookings. Two
    queries whatever the number of resources and days."""
    lo, hi = _span(days[0])[0], _span(days[-1])[1]
    ids = [r.pk for r in rows]
    bookings = (
        Booking.objects.filter(
            resource_id__in=ids, status__in=ACTIVE, starts_at__lt=hi, ends_at__gt=lo
        )
        .select_related("booker")
        .only(
            "id",
            "resource_id",
            "title",
            "starts_at",
            "ends_at",
            "status",
            "booker__full_name",
            "booker__username",
        )
        .order_by("starts_at")
    )
    blackouts = Blackout.objects.filter(resource_id__in=ids, starts_at__lt=hi, ends_at__gt=lo)
    # Each booking is filed under the days it touches, with its label written once: the week
    # view (7 days x 20 resources) then looks only at a day's own bookings.
    wanted = set(days)
    by_day: dict[tuple[int, date], list] = {}
    for b in bookings:
        start, end = timezone.localtime(b.starts_at), timezone.localtime(b.ends_at)
        who = b.booker.full_name or b.booker.username
        b.grid_label = f"{start:%H:%M}–{end:%H:%M} {who} {b.title}"
        day = start.date()
        while day <= end.date():
            if day in wanted:
                by_day.setdefault((b.resource_id, day), []).append(b)
            day += timedelta(days=1)
    dark: dict[int, list] = {pk: [] for pk in ids}
    for b in blackouts:
        dark[b.resource_id].append(b)
    # The day's span and the opening hours made aware once per page, not once per segment
    # (reading the current time zone costs a few µs each time, a thousand times a week view).
    spans = {day: _span(day) for day in days}
    aware: dict[tuple[date, time], datetime] = {}

    def at(day: date, moment: time) -> datetime:
        if (day, moment) not in aware:
            aware[day, moment] = timezone.make_aware(datetime.combine(day, moment))
        return aware[day, moment]

    out = []
    for resource in rows:
        line = []
        for day in days:
            span = spans[day]
            segments = []
            if resource.opens_at is not None and resource.closes_at is not None:
                day_lo, day_hi = span
                opens = at(day, resource.opens_at)
                closes = at(day, resource.closes_at)
                for a, z in ((day_lo, opens), (closes, day_hi)):
                    seg = _segment("closed", a, z, span, "")
                    if seg:
                        segments.append(seg)
            for b in dark[resource.pk]:
                seg = _segment("blackout", b.starts_at, b.ends_at, span, b.reason)
                if seg:
                    segments.append(seg)
            for b in by_day.get((resource.pk, day), ()):
                label = b.grid_label
                # Only the booker's own bookings link to their page (others would answer 404).
                url = f"{booking_prefix}{b.pk}/" if b.booker_id == viewer.pk else ""
                kind = "booked" if b.status == Status.CONFIRMED else "pending"
                seg = _segment(kind, b.starts_at, b.ends_at, span, label, url)
                if seg:
                    segments.append(seg)
            line.append(Day(day, segments))
        out.append((resource, line))
    return out


_BYDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def series_description(rule: str) -> str:
    """A series' rule in words, in the reader's language ("Weekly on Monday, Thursday; 8
    times"), from the RRULE the services write (FREQ, BYDAY, then UNTIL or COUNT)."""
    from django.utils.dates import WEEKDAYS
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    days = [_BYDAY[d] for d in parts.get("BYDAY", "").split(",") if d in _BYDAY]
    if parts.get("FREQ") == "WEEKLY":
        text = (
            _("Weekly on %(days)s") % {"days": _(", ").join(str(WEEKDAYS[d]) for d in days)}
            if days
            else _("Weekly")
        )
    else:
        text = _("Daily")
    until, count = parts.get("UNTIL", ""), parts.get("COUNT", "")
    if len(until) >= 8 and until[:8].isdigit():
        text = _("%(rule)s, until %(date)s") % {
            "rule": text,
            "date": f"{until[:4]}-{until[4:6]}-{until[6:8]}",
        }
    elif count.isdigit():
        text = ngettext("%(rule)s, %(count)s time", "%(rule)s, %(count)s times", int(count)) % {
            "rule": text,
            "count": count,
        }
    return text
