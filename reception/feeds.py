"""iCalendar (RFC 5545) feeds, written with the ``icalendar`` package."""

from datetime import UTC

from django.conf import settings
from icalendar import Calendar, Event

from reception.models import Booking, Resource

PRODID = "-//One-stop Business Hall//Service Center//ZH"


def _host() -> str:
    return settings.HALL_BASE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "hall"


def resource_feed(resource: Resource, bookings: list[Booking]) -> bytes:
    """One VEVENT per confirmed booking; a booking's UID and DTSTAMP (its last change) stay
    the same between fetches, so calendar clients update events instead of doubling them."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{resource.name_zh} {resource.name_en}".strip())
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = _host()
    for b in bookings:
        event = Event()
        event.add("uid", f"booking-{b.pk}@{host}")
        event.add("dtstamp", b.updated_at.astimezone(UTC))
        event.add("dtstart", b.starts_at.astimezone(UTC))
        event.add("dtend", b.ends_at.astimezone(UTC))
        event.add("summary", b.title)
        event.add("location", resource.location or resource.name_zh)
        event.add("description", b.booker.full_name or b.booker.username)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def duty_feed(user, shifts) -> bytes:
    """A person's watch: one VEVENT per shift (UID ``duty-<pk>@host``, stable between fetches;
    DTSTAMP the shift's start, which a roster change does not move)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"值班 Duty · {user.full_name or user.username}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = _host()
    for s in shifts:
        event = Event()
        event.add("uid", f"duty-{s.pk}@{host}")
        event.add("dtstamp", s.starts_at.astimezone(UTC))
        event.add("dtstart", s.starts_at.astimezone(UTC))
        event.add("dtend", s.ends_at.astimezone(UTC))
        event.add("summary", f"{s.get_post_display()} 值班")
        event.add("class", "PRIVATE")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
