"""The minutes' (纪要) own PDF — number, attendees and observers, topics, the text by paragraph,
the decisions with their paragraphs — and its filing in the archives once the minutes are issued
(a Celery task after commit; keyed ``performance.minutes:<pk>``, so it is filed once)."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hall.models import Department
from performance.models import Attendance, Minutes, Topic
from performance.services import OFFICE_ROLE


def source_ref(minutes: Minutes) -> str:
    return f"performance.minutes:{minutes.pk}"


def _parts(minutes: Minutes) -> dict:
    meeting = minutes.meeting
    attendances = list(meeting.attendances.select_related("user").order_by("role", "pk"))
    return {
        "minutes": minutes,
        "meeting": meeting,
        "paragraphs": list(enumerate(minutes.paragraphs, start=1)),
        "attendees": [a.user for a in attendances if a.role == Attendance.Role.ATTENDEE],
        "observers": [a.user for a in attendances if a.role == Attendance.Role.OBSERVER],
        "topics": list(meeting.topics.filter(status=Topic.Status.ACCEPTED).select_related("unit")),
        "decisions": list(meeting.decisions.select_related("item").order_by("paragraph", "pk")),
        "draft": minutes.status != Minutes.Status.ISSUED,
    }


def minutes_pdf(minutes: Minutes) -> bytes:
    import weasyprint

    html = render_to_string("performance/minutes_pdf.html", _parts(minutes))
    return weasyprint.HTML(string=html).write_pdf()


def minutes_file(*, minutes_id: int):
    """Files issued minutes (their PDF) in the archives; filing again gives the one record."""
    from archives.services import FilingPackage, record_file

    minutes = Minutes.objects.select_related("meeting", "meeting__kind").get(pk=minutes_id)
    if minutes.status != Minutes.Status.ISSUED:
        return None
    meeting = minutes.meeting
    title = f"{meeting.title}纪要"
    with transaction.atomic():
        return record_file(
            package=FilingPackage(
                title=title,
                date=timezone.localdate(minutes.issued_at),
                files=[(f"{minutes.number}.pdf", minutes_pdf(minutes))],
                source_ref=source_ref(minutes),
                doc_number=minutes.number or "",
                department_id=(
                    Department.objects.filter(roles__code=OFFICE_ROLE)
                    .values_list("pk", flat=True)
                    .first()
                ),
                responsible=meeting.kind.name_zh,
                metadata={
                    "meeting": meeting.pk,
                    "decisions": meeting.decisions.count(),
                    "issued_at": minutes.issued_at.isoformat(),
                },
            )
        )


def enqueue_filing(minutes: Minutes) -> None:
    from performance import tasks

    pk = minutes.pk
    transaction.on_commit(lambda: tasks.file_minutes.delay(pk))
