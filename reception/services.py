"""Writes of the Service Center: bookings of resources and recurring series.

No double booking: on Postgres an exclusion constraint (migration 0002) refuses a confirmed
booking whose blocked range (its time plus the resource's buffers) overlaps another confirmed
one of the same resource, so two people booking the same slot at the same moment get one booking
and one refusal, whatever the code above it does. The check below runs first to give the refusal
its words (who holds the slot); when two requests pass it at once the constraint decides, and the
loser reads the holder after the winner committed. SQLite has no exclusion constraints: there
the service takes the database's write lock before the check (SQLite lets one writer at a time).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import rrule
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hall.models import Role, Service, ServiceField, ServiceStep, User
from hall.notifications import notify
from reception.models import Blackout, Booking, Resource, Series
from workflows import handoffs
from workflows import services as requests
from workflows.models import ServiceRequest

Status = Booking.Status
BOOKING_SERVICE = "reception-booking"
# Who manages a department's resources: this role in the resource's department (or the head).
MANAGER_ROLE = "resource-manager"
# A series is made of at most this many occurrences (a year of weekdays fits).
MAX_OCCURRENCES = 260
EXCLUSION_VIOLATION = "23P01"
DEADLOCK = "40P01"


class BookingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SeriesConflict(BookingError):
    """A series some of whose dates cannot be booked; nothing was made."""

    def __init__(self, message: str, conflicts: list[tuple[date, str]]):
        super().__init__(message)
        self.conflicts = conflicts


def is_manager(user: User, resource: Resource) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if resource.department_id is None:
        return False
    return Role.objects.filter(
        holders=user, department_id=resource.department_id, code=MANAGER_ROLE
    ).exists()


def _local(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def holder_message(holder: Booking) -> str:
    return _("This time is already booked by %(name)s (“%(title)s”, %(start)s–%(end)s).") % {
        "name": holder.booker.full_name or holder.booker.username,
        "title": holder.title,
        "start": _local(holder.starts_at),
        "end": _hm(holder.ends_at),
    }


def blocked_range(resource: Resource, starts_at: datetime, ends_at: datetime):
    return (
        starts_at - timedelta(minutes=resource.setup_minutes),
        ends_at + timedelta(minutes=resource.cleanup_minutes),
    )


def holder_of(
    resource: Resource, blocked_from: datetime, blocked_until: datetime, exclude: int | None = None
) -> Booking | None:
    rows = Booking.objects.filter(
        resource=resource,
        status=Status.CONFIRMED,
        blocked_from__lt=blocked_until,
        blocked_until__gt=blocked_from,
    ).select_related("booker")
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("blocked_from").first()


def check_slot(
    resource: Resource,
    starts_at: datetime,
    ends_at: datetime,
    *,
    attendees: int = 1,
    now: datetime | None = None,
    exclude: int | None = None,
) -> None:
    """Refuses a time the resource cannot be booked for, with the reason; the holder last."""
    if not resource.is_active:
        raise BookingError(_("This resource is not open for booking."))
    if ends_at <= starts_at:
        raise BookingError(_("The end must come after the start."))
    if starts_at < (now or timezone.now()):
        raise BookingError(_("This time has already passed."))
    if resource.capacity and attendees > resource.capacity:
        raise BookingError(
            _("%(name)s takes at most %(n)s people.")
            % {"name": resource.name, "n": resource.capacity}
        )
    if resource.opens_at is not None and resource.closes_at is not None:
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if (
            start.date() != end.date()
            or start.time() < resource.opens_at
            or end.time() > resource.closes_at
        ):
            raise BookingError(
                _("%(name)s can be booked from %(opens)s to %(closes)s on one day.")
                % {
                    "name": resource.name,
                    "opens": resource.opens_at.strftime("%H:%M"),
                    "closes": resource.closes_at.strftime("%H:%M"),
                }
            )
    blocked_from, blocked_until = blocked_range(resource, starts_at, ends_at)
    blackout = (
        Blackout.objects.filter(
            resource=resource, starts_at__lt=blocked_until, ends_at__gt=blocked_from
        )
        .order_by("starts_at")
        .first()
    )
    if blackout is not None:
        raise BookingError(
            _("%(name)s cannot be booked from %(start)s to %(end)s: %(reason)s.")
            % {
                "name": resource.name,
                "start": _local(blackout.starts_at),
                "end": _local(blackout.ends_at),
                "reason": blackout.reason,
            }
        )
    holder = holder_of(resource, blocked_from, blocked_until, exclude)
    if holder is not None:
        raise BookingError(holder_message(holder))


def _write_lock(resource: Resource) -> None:
    """Confirmations of one resource run one after the other, until the transaction ends.

    On Postgres the resource's row is locked FOR NO KEY UPDATE (a booking's foreign key check
    takes only KEY SHARE, so it never waits on this): the second of two bookings of one slot
    made at once waits for the first to commit, then its check or the exclusion constraint
    meets the first, by then visible, and names its holder. Without it the two inserts could
    wait on each other inside the constraint until Postgres broke the wait as a deadlock, twice,
    and the loser could not be told who holds the slot. The constraint stays the guarantee.
    SQLite: writing any row takes the database's single write lock at once."""
    if connection.vendor == "postgresql":
        Resource.objects.select_for_update(no_key=True).filter(pk=resource.pk).values_list(
            "pk"
        ).first()
    else:
        Resource.objects.filter(pk=resource.pk).update(order=F("order"))


def _confirm(booking: Booking) -> None:
    """Saves a booking as confirmed; the exclusion constraint refuses an overlap on Postgres."""
    _write_lock(booking.resource)
    booking.status = Status.CONFIRMED
    for attempt in range(2):
        try:
            with transaction.atomic():
                booking.save()
            return
        except (IntegrityError, OperationalError) as exc:
            code = getattr(exc.__cause__, "pgcode", None)
            # Two bookings of one slot at once may wait on each other's row until Postgres
            # breaks the wait as a deadlock (40P01): only this savepoint is rolled back, and
            # the insert is tried once more, which waits for the other to commit and then
            # meets the constraint like any later booking.
            if code == DEADLOCK and attempt == 0:
                continue
            if code not in (EXCLUSION_VIOLATION, DEADLOCK):
                raise
            # The other booking committed before the constraint answered: it is visible now.
            holder = holder_of(booking.resource, booking.blocked_from, booking.blocked_until)
            if holder is None:
                again = _("Someone booked this time at the same moment; try again.")
                raise BookingError(again) from exc
            raise BookingError(holder_message(holder)) from exc


def _new_booking(resource, booker, title, starts_at, ends_at, attendees, note="", series=None):
    blocked_from, blocked_until = blocked_range(resource, starts_at, ends_at)
    return Booking(
        resource=resource,
        booker=booker,
        title=title,
        attendees=attendees,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_from=blocked_from,
        blocked_until=blocked_until,
        note=note,
        series=series,
    )


@transaction.atomic
def booking_create(
    *,
    resource_id: int,
    booker: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    attendees: int = 1,
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    """Books a resource: confirmed at once, or waiting for the approval chain when the
    resource needs one (a pending booking holds nothing until it is approved)."""
    resource = Resource.objects.get(pk=resource_id)
    title = (title or "").strip()
    if not title:
        raise BookingError(_("Say what the booking is for."))
    _write_lock(resource)
    check_slot(resource, starts_at, ends_at, attendees=attendees, now=now)
    booking = _new_booking(resource, booker, title[:200], starts_at, ends_at, attendees, note)
    if resource.needs_approval:
        booking.status = Status.PENDING
        booking.save()
        _submit_for_approval(booking, booker)
        booking.refresh_from_db()
    else:
        _confirm(booking)
    return booking


# --- cancellation ---------------------------------------------------------------------------


def can_cancel(booking: Booking, user: User) -> bool:
    if not booking.is_active or booking.ends_at <= timezone.now():
        return False
    return booking.booker_id == user.pk or is_manager(user, booking.resource)


@transaction.atomic
def booking_cancel(*, booking_id: int, user: User, reason: str = "") -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource", "request")
        .get(pk=booking_id)
    )
    if not booking.is_active:
        raise BookingError(_("This booking is no longer active."))
    if booking.ends_at <= timezone.now():
        raise BookingError(_("A booking that is over cannot be cancelled."))
    if not can_cancel(booking, user):
        raise BookingError(_("Only the person who booked or the resource's manager cancels."))
    was_pending = booking.status == Status.PENDING
    booking.status = Status.CANCELLED
    booking.note = (reason or "").strip()[:300] or booking.note
    booking.save(update_fields=["status", "note", "updated_at"])
    if was_pending and booking.request_id and booking.series_id is None:
        _withdraw(booking.request, _("The booking was cancelled."))
    if booking.booker_id != user.pk:
        notify(
            recipients=[booking.booker_id],
            kind="booking",
            subject=f"预订已取消：{booking.resource.name_zh} {booking.title}",
            subject_en=f"Booking cancelled: {booking.resource.name_en} {booking.title}",
            url=booking.get_absolute_url(),
            body=booking.note,
        )
    return booking


def _withdraw(request: ServiceRequest, comment: str) -> None:
    if request.status in ServiceRequest.OPEN:
        requests.request_withdraw(request_id=request.pk, user=request.applicant, comment=comment)


# --- recurring series -----------------------------------------------------------------------


WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def rrule_text(freq: str, weekdays: list[int], until: date | None, count: int | None) -> str:
    """The RFC 5545 RRULE of a series (as iCalendar feeds carry it)."""
    parts = [f"FREQ={freq}"]
    if freq == Series.Freq.WEEKLY and weekdays:
        parts.append("BYDAY=" + ",".join(str(WEEKDAYS[d])[:2] for d in sorted(set(weekdays))))
    if until is not None:
        parts.append("UNTIL=" + until.strftime("%Y%m%d") + "T235959")
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def occurrences(first_start: datetime, rule: str) -> list[datetime]:
    """The local start times of a series, daylight saving and all (naive local, then aware)."""
    local = timezone.localtime(first_start).replace(tzinfo=None)
    starts = rrule.rrulestr(rule, dtstart=local)
    out = []
    for moment in starts:
        out.append(timezone.make_aware(moment))
        if len(out) > MAX_OCCURRENCES:
            raise BookingError(
                _("A series has at most %(n)s dates; end it earlier.") % {"n": MAX_OCCURRENCES}
            )
    return out


@dataclass
class SeriesResult:
    series: Series
    made: list[Booking]
    skipped: list[tuple[date, str]]


@transaction.atomic
def series_create(
    *,
    resource_id: int,
    booker: User,
    title: str,
    first_start: datetime,
    minutes: int,
    freq: str,
    weekdays: list[int] | None = None,
    until: date | None = None,
    count: int | None = None,
    attendees: int = 1,
    skip_conflicts: bool = False,
    now: datetime | None = None,
) -> SeriesResult:
    """Books every date of a rule. When dates conflict, nothing is made and the refusal lists
    them, unless ``skip_conflicts``: then the others are made and the skipped dates kept on the
    series, to be added later once free."""
    resource = Resource.objects.get(pk=resource_id)
    title = (title or "").strip()
    if not title:
        raise BookingError(_("Say what the booking is for."))
    if minutes <= 0:
        raise BookingError(_("The end must come after the start."))
    if until is None and not count:
        raise BookingError(_("End the series on a date or after a number of times."))
    if freq not in Series.Freq.values:
        raise BookingError(_("Choose how often the booking repeats."))
    rule = rrule_text(freq, weekdays or [], until, count)
    starts = occurrences(first_start, rule)
    if not starts:
        raise BookingError(_("This rule gives no dates."))
    _write_lock(resource)
    length = timedelta(minutes=minutes)
    good, conflicts = [], []
    for start in starts:
        try:
            check_slot(resource, start, start + length, attendees=attendees, now=now)
        except BookingError as exc:
            conflicts.append((timezone.localtime(start).date(), exc.message))
        else:
            good.append(start)
    if conflicts and not skip_conflicts:
        dates = "、".join(d.isoformat() for d, _m in conflicts)
        raise SeriesConflict(
            _("%(n)s of the %(total)s dates cannot be booked: %(dates)s.")
            % {"n": len(conflicts), "total": len(starts), "dates": dates},
            conflicts,
        )
    if not good:
        raise BookingError(_("None of the dates of this series can be booked."))
    series = Series.objects.create(
        resource=resource,
        booker=booker,
        title=title[:200],
        rrule=rule,
        first_start=starts[0],
        minutes=minutes,
        attendees=attendees,
        skipped=[d.isoformat() for d, _m in conflicts],
    )
    made = []
    for start in good:
        booking = _new_booking(
            resource, booker, series.title, start, start + length, attendees, series=series
        )
        if resource.needs_approval:
            booking.status = Status.PENDING
            booking.save()
        else:
            _confirm(booking)
        made.append(booking)
    if resource.needs_approval:
        _submit_for_approval(made[0], booker, series=series)
        for booking in made:
            booking.refresh_from_db()
    return SeriesResult(series=series, made=made, skipped=conflicts)


@transaction.atomic
def series_add_date(
    *, series_id: int, user: User, day: date, now: datetime | None = None
) -> Booking:
    """Books a date the series was made without, once it is free."""
    series = Series.objects.select_for_update().select_related("resource").get(pk=series_id)
    if series.booker_id != user.pk:
        raise BookingError(_("Only the person who booked the series adds its dates."))
    if day.isoformat() not in series.skipped:
        raise BookingError(_("This date is not one the series skipped."))
    local = timezone.localtime(series.first_start)
    start = timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))
    end = start + timedelta(minutes=series.minutes)
    booking = booking_create(
        resource_id=series.resource_id,
        booker=user,
        title=series.title,
        starts_at=start,
        ends_at=end,
        attendees=series.attendees,
        now=now,
    )
    booking.series = series
    booking.save(update_fields=["series"])
    series.skipped = [d for d in series.skipped if d != day.isoformat()]
    series.save(update_fields=["skipped"])
    return booking


# --- approval through the chain (registered as a handoff) ------------------------------------


DEFAULT_FIELDS = [
    ("booking", "预订编号", "Booking", ServiceField.Type.TEXT),
    ("resource", "资源", "Resource", ServiceField.Type.TEXT),
    ("title", "用途", "Purpose", ServiceField.Type.TEXT),
    ("when", "时间", "Time", ServiceField.Type.TEXT),
    ("attendees", "人数", "People", ServiceField.Type.TEXT),
]


def _request_form(booking: Booking, series: Series | None = None) -> dict:
    when = f"{_local(booking.starts_at)}–{_hm(booking.ends_at)}"
    if series is not None:
        from django.utils import translation

        from reception.selectors import series_description

        # The approver reads the series in words, in Chinese like the rest of the form.
        with translation.override("zh-hans"):
            rule = series_description(series.rrule)
        when = f"{when}（{rule}；本次预订 {series.bookings.count()} 次）"
    return {
        "booking": str(booking.pk),
        "series": str(series.pk) if series else "",
        "resource": booking.resource.name_zh,
        "title": booking.title,
        "when": when,
        "attendees": str(booking.attendees),
    }


def form_data(user: User, post: dict) -> dict:
    booking = Booking.objects.filter(
        pk=_int(post.get("booking")), booker=user, status=Status.PENDING
    ).first()
    if booking is None:
        raise handoffs.HandoffError(_("No such booking."))
    return _request_form(booking, booking.series)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def booking_service(resource: Resource) -> Service:
    """The internal service whose chain approves bookings, made on first use with one step:
    the resource managers (role ``resource-manager``) of the department that manages it.
    Admins change the chain in admin like any service's."""
    service = Service.objects.filter(code=BOOKING_SERVICE).first()
    if service is not None:
        return service
    if resource.department_id is None:
        raise BookingError(_("This resource has no managing department to approve bookings."))
    service = handoffs.internal_service(BOOKING_SERVICE, department=resource.department)
    # Students book too (a society's evening in the lecture hall).
    service.for_undergraduates = service.for_graduates = True
    service.save(update_fields=["for_undergraduates", "for_graduates"])
    ServiceStep.objects.filter(service=service).update(
        rule=ServiceStep.Rule.DEPARTMENT_ROLE,
        department=resource.department,
        role_code=MANAGER_ROLE,
    )
    return service


def _submit_for_approval(booking: Booking, booker: User, series: Series | None = None) -> None:
    handoffs.start_chain(
        service=lambda: booking_service(booking.resource),
        applicant=booker,
        form_data=lambda: _request_form(booking, series),
        refusal=BookingError,
    )


def _bookings_of(request: ServiceRequest):
    booking = Booking.objects.filter(pk=_int(request.form_data.get("booking"))).first()
    if booking is None:
        return Booking.objects.none()
    if booking.series_id is not None and request.form_data.get("series"):
        return Booking.objects.filter(series_id=booking.series_id)
    return Booking.objects.filter(pk=booking.pk)


def chain_submitted(request: ServiceRequest) -> None:
    rows = _bookings_of(request).select_for_update()
    if not rows or any(b.booker_id != request.applicant_id for b in rows):
        raise BookingError(_("No such booking."))
    if any(b.status != Status.PENDING or b.request_id not in (None, request.pk) for b in rows):
        raise BookingError(_("This booking is already waiting for approval."))
    rows.update(request=request)


def _refuse(booking: Booking, message: str) -> None:
    booking.status = Status.REFUSED
    booking.note = message[:300]
    booking.save(update_fields=["status", "note", "updated_at"])
    notify(
        recipients=[booking.booker_id],
        kind="booking",
        subject=f"预订未成：{booking.resource.name_zh} {booking.title}",
        subject_en=f"Booking refused: {booking.resource.name_en} {booking.title}",
        url=booking.get_absolute_url(),
        body=message,
    )


def chain_approved(request: ServiceRequest) -> None:
    """Confirms the request's bookings; then the pending bookings they overlap are refused
    (their bookers are told who holds the time, and their own requests are withdrawn)."""
    rows = list(
        Booking.objects.filter(request=request, status=Status.PENDING)
        .select_related("resource", "booker")
        .select_for_update(of=("self",))
        .order_by("starts_at")
    )
    confirmed = []
    for booking in rows:
        try:
            holder = holder_of(booking.resource, booking.blocked_from, booking.blocked_until)
            if holder is not None:
                raise BookingError(holder_message(holder))
            _confirm(booking)
        except BookingError as exc:
            booking.refresh_from_db()
            _refuse(booking, exc.message)
        else:
            confirmed.append(booking)
    withdrawn = set()
    for booking in confirmed:
        losers = (
            Booking.objects.filter(
                resource_id=booking.resource_id,
                status=Status.PENDING,
                blocked_from__lt=booking.blocked_until,
                blocked_until__gt=booking.blocked_from,
            )
            .exclude(request=request)
            .select_related("resource", "request")
        )
        for loser in losers:
            _refuse(loser, holder_message(booking))
            if loser.request_id and loser.series_id is None and loser.request_id not in withdrawn:
                withdrawn.add(loser.request_id)
                _withdraw(loser.request, holder_message(booking))


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    Booking.objects.filter(request=request, status=Status.PENDING).update(
        status=Status.REFUSED if rejected else Status.CANCELLED, updated_at=timezone.now()
    )
