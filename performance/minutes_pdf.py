"""The draft minutes' PDF for the office (marked 草稿): attendees and observers, topics, the text
by paragraph, the decisions with their paragraphs. Issued minutes are a 纪要 of the
Administrative Center: their PDF is the documents' 纪要 format, and the documents file them."""

from __future__ import annotations

from django.template.loader import render_to_string

from performance.meetings import people_at
from performance.models import Minutes, Topic


def _parts(minutes: Minutes) -> dict:
    meeting = minutes.meeting
    attendances = list(meeting.attendances.select_related("user").order_by("role", "pk"))
    present, attending, absent = people_at(attendances)
    return {
        "minutes": minutes,
        "meeting": meeting,
        "paragraphs": list(enumerate(minutes.paragraphs, start=1)),
        "attendees": present,
        "observers": attending,
        "absent": absent,
        "topics": list(meeting.topics.filter(status=Topic.Status.ACCEPTED).select_related("unit")),
        "decisions": list(meeting.decisions.select_related("item").order_by("paragraph", "pk")),
        "draft": minutes.status != Minutes.Status.ISSUED,
    }


def minutes_pdf(minutes: Minutes) -> bytes:
    import weasyprint

    html = render_to_string("performance/minutes_pdf.html", _parts(minutes))
    return weasyprint.HTML(string=html).write_pdf()
