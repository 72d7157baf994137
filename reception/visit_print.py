"""A visit on paper and in calendars: the printable itinerary (WeasyPrint, Noto CJK as the
documents' PDFs), the report filed after the visit (the same sheet with the costs against the
standard and the summary), and the visit's iCalendar feed (one VEVENT per itinerary item, UID
``visit-item-<pk>@host``, stable between fetches)."""

from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from icalendar import Calendar, Event

from reception.feeds import PRODID, _host
from reception.models import Visit
from reception.visit_plans import lines, tasks_of, yuan
from reception.visits import itinerary, standard_for


def _parts(visit: Visit, *, report: bool) -> dict:
    standard = standard_for(visit)
    budget = [
        (line.label, yuan(line.cap), yuan(line.planned), yuan(line.actual), line.actual_over)
        for line in lines(visit, standard)
    ]
    return {
        "visit": visit,
        "standard": standard,
        "items": itinerary(visit),
        "tasks": tasks_of(visit),
        "budget": budget,
        "report": report,
    }


def _pdf(visit: Visit, *, report: bool) -> bytes:
    import weasyprint
    from django.utils import translation

    # The sheet is in Chinese, as filed; its level and kinds too, whoever prints it.
    with translation.override("zh-hans"):
        html = render_to_string("reception/visit_pdf.html", _parts(visit, report=report))
    return weasyprint.HTML(string=html).write_pdf()


def itinerary_pdf(visit: Visit) -> bytes:
    return _pdf(visit, report=False)


def report_pdf(visit: Visit) -> bytes:
    return _pdf(visit, report=True)


def visit_feed(visit: Visit) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"接待 Visit · {visit.title}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = _host()
    for item in itinerary(visit):
        event = Event()
        event.add("uid", f"visit-item-{item.pk}@{host}")
        event.add("dtstamp", visit.created_at.astimezone(UTC))
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", f"{item.activity}（{visit.organisation}）")
        event.add("location", item.place)
        if item.participants:
            event.add("description", item.participants)
        event.add("class", "CONFIDENTIAL")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
