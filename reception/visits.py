"""Visits, studies and inspections (接待): a visit with its guests, organisation, level and dates;
the reception standard for its level (admin data: meals, accommodation, car, who accompanies);
and its itinerary. An item with a resource is booked through the bookings service (so the
database's no-double-booking rule holds for visits too); an item with a leader is written on
that leader's weekly schedule with the visit as its source (``reception.visit:<pk>``).

Visits are the office's and the leaders' (as the leaders' schedules are): everyone else 404.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hall.models import User
from reception import schedules
from reception.models import (
    ItineraryItem,
    Leader,
    ReceptionStandard,
    ScheduleEntry,
    Visit,
    VisitLevel,
)
from reception.services import BookingError, booking_create


class VisitError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def may_see(user: User) -> bool:
    return schedules.may_see(user)


def may_edit(user: User) -> bool:
    return schedules.is_office(user)


def visits(user: User) -> QuerySet[Visit]:
    if not may_see(user):
        return Visit.objects.none()
    return Visit.objects.select_related("host")


def standard_for(visit: Visit) -> ReceptionStandard | None:
    return ReceptionStandard.objects.filter(level=visit.level).first()


def itinerary(visit: Visit) -> list[ItineraryItem]:
    return list(
        visit.items.select_related("booking__resource", "schedule_entry__leader__user").order_by(
            "starts_at", "pk"
        )
    )


def source_of(visit: Visit) -> str:
    return f"reception.visit:{visit.pk}"


@transaction.atomic
def visit_create(
    *,
    user: User,
    title: str,
    organisation: str,
    guests: str,
    level: str,
    starts_on: date,
    ends_on: date,
    people: int = 1,
    purpose: str = "",
) -> Visit:
    if not may_edit(user):
        raise VisitError(_("Only the office arranges visits."))
    title, organisation, guests = title.strip(), organisation.strip(), guests.strip()
    if not (title and organisation and guests):
        raise VisitError(_("Give the subject, the organisation and the guests."))
    if level not in VisitLevel.values:
        raise VisitError(_("Choose the guests' level."))
    if ends_on < starts_on:
        raise VisitError(_("The visit cannot end before it starts."))
    if people < 1:
        raise VisitError(_("At least one person visits."))
    return Visit.objects.create(
        title=title[:200],
        organisation=organisation[:200],
        guests=guests,
        level=level,
        purpose=purpose.strip()[:300],
        starts_on=starts_on,
        ends_on=ends_on,
        people=people,
        host=user,
    )


@transaction.atomic
def item_add(
    *,
    user: User,
    visit_id: int,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    activity: str,
    participants: str = "",
    resource_id: int | None = None,
    leader_id: int | None = None,
    now: datetime | None = None,
) -> ItineraryItem:
    """One item; with a resource it books it (a refusal names the holder and adds nothing),
    with a leader it goes on the leader's week."""
    if not may_edit(user):
        raise VisitError(_("Only the office arranges visits."))
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    if visit.status == Visit.Status.CLOSED:
        raise VisitError(_("This visit is settled; its itinerary no longer changes."))
    place, activity = place.strip(), activity.strip()
    if not (place and activity):
        raise VisitError(_("Give the place and the activity."))
    if ends_at <= starts_at:
        raise VisitError(_("The end must come after the start."))
    first, last = starts_at.astimezone().date(), ends_at.astimezone().date()
    if first < visit.starts_on or last > visit.ends_on:
        raise VisitError(_("The item must fall within the visit's dates."))
    leader = None
    if leader_id:
        leader = Leader.objects.filter(pk=leader_id, is_active=True).first()
        if leader is None:
            raise VisitError(_("Choose a leader."))
    booking = None
    if resource_id:
        try:
            booking = booking_create(
                resource_id=resource_id,
                booker=user,
                title=f"{visit.title}：{activity}"[:200],
                starts_at=starts_at,
                ends_at=ends_at,
                attendees=1,
                note=_("Itinerary of the visit %(title)s") % {"title": visit.title},
                now=now,
            )
        except BookingError as exc:
            raise VisitError(exc.message) from None
    entry = None
    if leader is not None:
        entry = ScheduleEntry.objects.create(
            leader=leader,
            title=f"{activity}（{visit.organisation}）"[:200],
            place=place[:200],
            participants=participants[:300],
            starts_at=starts_at,
            ends_at=ends_at,
            source=source_of(visit),
            source_title=visit.title,
            source_url=visit.get_absolute_url(),
            created_by=user,
        )
    return ItineraryItem.objects.create(
        visit=visit,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place[:200],
        activity=activity[:200],
        participants=participants[:300],
        booking=booking,
        schedule_entry=entry,
    )
