from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import params
from reception import emergencies, feeds, selectors, services
from reception.forms import BookingForm, CancelForm, GridFilter
from reception.models import Booking, Resource
from reception.services import BookingError, SeriesConflict

PAGE_SIZE = 50
GRID_SIZE = 20


def _english(request: HttpRequest) -> bool:
    return (request.LANGUAGE_CODE or "").startswith("en")


@login_required
def grid(request: HttpRequest) -> HttpResponse:
    """Availability of one kind of resource for a day or a week, a bar per resource and day."""
    form = GridFilter(request.GET or None)
    form.warn(request)
    kind = form.value("kind", Resource.Kind.ROOM)
    view = form.value("view", "day")
    day = form.value("day", timezone.localdate())
    if view == "week":
        first = day - timedelta(days=day.weekday())
        days = [first + timedelta(days=n) for n in range(7)]
        earlier, later = first - timedelta(days=7), first + timedelta(days=7)
    else:
        days = [day]
        earlier, later = day - timedelta(days=1), day + timedelta(days=1)
    page = Paginator(selectors.resources(kind), GRID_SIZE).get_page(params.page_number(request))
    rows = selectors.grid(
        list(page.object_list),
        days,
        booking_prefix=reverse("reception:my-bookings"),
        viewer=request.user,
    )
    english = _english(request)
    book = reverse("reception:book")
    table = [
        (
            resource.name_en if english and resource.name_en else resource.name_zh,
            f"{reverse('reception:resources')}{resource.pk}/",
            resource.capacity,
            f"{book}?resource={resource.pk}&day={days[0].isoformat()}",
            line,
        )
        for resource, line in rows
    ]
    return render(
        request,
        "reception/grid.html",
        {
            "form": form,
            "kinds": Resource.Kind.choices,
            "kind": kind,
            "view": view,
            "day": day,
            "days": days,
            "earlier": earlier,
            "later": later,
            "page": page,
            "table": table,
            "hours": list(range(selectors.GRID_FROM, selectors.GRID_UNTIL + 1, 3)),
            "incidents": emergencies.may_see_register(request.user),
            "querystring": form.querystring(),
        },
    )


@login_required
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.select_related("department"), pk=pk)
    manager = services.is_manager(request.user, resource)
    feed = (
        request.build_absolute_uri(reverse("reception:feed", args=[resource.feed_token]))
        if manager
        else ""
    )
    return render(
        request,
        "reception/resource.html",
        {
            "resource": resource,
            "upcoming": selectors.upcoming(resource),
            "blackouts": list(
                resource.blackouts.filter(ends_at__gte=timezone.now()).order_by("starts_at")[:20]
            ),
            "feed": feed,
            "manager": manager,
        },
    )


def _aware(day: date, moment) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


@login_required
def book(request: HttpRequest) -> HttpResponse:
    """The booking form: one time or a series; conflicts are shown with who holds them."""
    conflicts = []
    if request.method == "POST":
        form = BookingForm(request.POST)
    else:
        initial = {}
        resource_id = params.integer(request, "resource", label=_("Resource"))
        day = params.read(request, "day", params.DateField(), label=_("Date"))
        if resource_id:
            initial["resource"] = resource_id
        if day:
            initial["day"] = day
        form = BookingForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts = _aware(data["day"], data["start"])
        ends = _aware(data["day"], data["end"])
        try:
            if data["repeat"]:
                result = services.series_create(
                    resource_id=data["resource"].pk,
                    booker=request.user,
                    title=data["title"],
                    first_start=starts,
                    minutes=int((ends - starts).total_seconds() // 60),
                    freq=data["repeat"],
                    weekdays=data["weekdays"] or [data["day"].weekday()],
                    until=data["until"],
                    count=data["count"],
                    attendees=data["attendees"],
                    skip_conflicts=data["skip_conflicts"],
                )
                booking = result.made[0]
                text = _("Booked %(n)s dates.") % {"n": len(result.made)}
                if result.skipped:
                    text += " " + _("Skipped: %(dates)s.") % {
                        "dates": "、".join(d.isoformat() for d, _m in result.skipped)
                    }
            else:
                booking = services.booking_create(
                    resource_id=data["resource"].pk,
                    booker=request.user,
                    title=data["title"],
                    starts_at=starts,
                    ends_at=ends,
                    attendees=data["attendees"],
                )
                text = _("Booked.")
        except SeriesConflict as exc:
            messages.error(request, exc.message)
            conflicts = exc.conflicts
        except BookingError as exc:
            messages.error(request, exc.message)
        else:
            if booking.status == Booking.Status.PENDING:
                text = _("Sent for approval; the time is yours once it is approved.")
            messages.success(request, text)
            return redirect(booking)
    return render(request, "reception/book.html", {"form": form, "conflicts": conflicts})


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_bookings(request.user), PAGE_SIZE).get_page(
        params.page_number(request)
    )
    english = _english(request)
    states = {k: str(v) for k, v in Booking.Status.choices}
    prefix = reverse("reception:my-bookings")
    table = [
        (
            f"{prefix}{b.pk}/",
            b.title,
            b.resource.name_en if english and b.resource.name_en else b.resource.name_zh,
            timezone.localtime(b.starts_at),
            timezone.localtime(b.ends_at),
            b.status,
            states.get(b.status, b.status),
        )
        for b in page.object_list
    ]
    return render(request, "reception/my_bookings.html", {"page": page, "table": table})


def _booking(request: HttpRequest, pk: int) -> Booking:
    booking = selectors.booking_for(request.user, pk)
    if booking is None:
        raise Http404(_("No such booking."))
    return booking


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    series = booking.series
    return render(
        request,
        "reception/booking.html",
        {
            "booking": booking,
            "can_cancel": services.can_cancel(booking, request.user),
            "series": series,
            "series_text": selectors.series_description(series.rrule) if series else "",
            "skipped": series.skipped if series and series.booker_id == request.user.pk else [],
            "cancel_form": CancelForm(),
        },
    )


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.booking_cancel(booking_id=booking.pk, user=request.user, reason=reason)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect(booking)


@login_required
@require_POST
def series_add(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    day = params.read(request, "day", params.DateField(), label=_("Date"), data=request.POST)
    if booking.series_id is None or day is None:
        messages.error(request, _("Choose a skipped date of this series."))
        return redirect(booking)
    try:
        added = services.series_add_date(series_id=booking.series_id, user=request.user, day=day)
    except BookingError as exc:
        messages.error(request, exc.message)
        return redirect(booking)
    messages.success(request, _("Booked %(day)s.") % {"day": day.isoformat()})
    return redirect(added)


def feed(request: HttpRequest, token) -> HttpResponse:
    """A resource's calendar: no login (calendar clients have none), the secret token instead;
    a manager changes the token in admin to revoke the old address."""
    resource = Resource.objects.filter(feed_token=token, is_active=True).first()
    if resource is None:
        raise Http404(_("No such calendar."))
    body = feeds.resource_feed(resource, selectors.feed_bookings(resource))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{resource.code}.ics"'
    return response
