"""Meetings: a calendar, topics submitted by units and accepted by the office, attendees and
observers with their replies, minutes drafted, reviewed and issued with a number, decisions
pointing to their paragraph, and a decision made a supervision item in one action.

Writes (keyword-only, atomic) and the reads that decide who may see a meeting.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Department, Identity, User
from performance import services
from performance.models import (
    Attendance,
    Decision,
    Item,
    Meeting,
    MeetingType,
    Minutes,
    SourceKind,
    Topic,
)
from performance.services import Source, SupervisionError


def _office(user: User, what: str) -> None:
    if not services.is_office(user):
        raise SupervisionError(what)


@transaction.atomic
def meeting_create(
    *,
    user: User,
    kind: MeetingType,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    chair: User | None = None,
) -> Meeting:
    _office(user, _("Only the office schedules meetings."))
    title = (title or "").strip()
    if not title:
        raise SupervisionError(_("Give the meeting a title."))
    if ends_at <= starts_at:
        raise SupervisionError(_("A meeting ends after it starts."))
    return Meeting.objects.create(
        kind=kind,
        title=title[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place[:200],
        chair=chair,
        created_by=user,
    )


@transaction.atomic
def topic_submit(*, meeting_id: int, user: User, title: str, summary: str = "") -> Topic:
    """A unit submits a topic (议题申报) for a planned meeting."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if user.department_id is None:
        raise SupervisionError(_("Only a member of a unit submits topics."))
    if meeting.status != Meeting.Status.PLANNED:
        raise SupervisionError(_("Topics are submitted before the meeting is held."))
    title = (title or "").strip()
    if not title:
        raise SupervisionError(_("Give the topic a title."))
    return Topic.objects.create(
        meeting=meeting,
        title=title[:200],
        summary=summary,
        unit_id=user.department_id,
        submitted_by=user,
        order=meeting.topics.count() + 1,
    )


@transaction.atomic
def topic_decide(*, topic_id: int, user: User, accept: bool) -> Topic:
    _office(user, _("Only the office accepts topics."))
    topic = Topic.objects.select_for_update().get(pk=topic_id)
    if topic.status != Topic.Status.SUBMITTED:
        raise SupervisionError(_("This topic was already decided."))
    topic.status = Topic.Status.ACCEPTED if accept else Topic.Status.DECLINED
    topic.save(update_fields=["status"])
    return topic


@transaction.atomic
def attendees_add(*, meeting_id: int, user: User, people: list[User], role: str) -> int:
    _office(user, _("Only the office invites attendees."))
    if role not in Attendance.Role.values:
        raise SupervisionError(_("Choose attendee or observer."))
    made = Attendance.objects.bulk_create(
        [Attendance(meeting_id=meeting_id, user=p, role=role) for p in people],
        ignore_conflicts=True,
    )
    return len(made)


@transaction.atomic
def attendance_reply(*, meeting_id: int, user: User, reply: str, note: str = "") -> Attendance:
    attendance = (
        Attendance.objects.select_for_update().filter(meeting_id=meeting_id, user=user).first()
    )
    if attendance is None:
        raise SupervisionError(_("You are not invited to this meeting."))
    if Minutes.objects.filter(meeting_id=meeting_id, status=Minutes.Status.ISSUED).exists():
        # The issued 纪要 names who was present and who on leave: a later reply would differ.
        raise SupervisionError(_("The minutes are issued: replies are closed."))
    if reply not in Attendance.Reply.values or reply == Attendance.Reply.PENDING:
        raise SupervisionError(_("Say whether you will attend."))
    note = (note or "").strip()
    if reply == Attendance.Reply.NO and not note:
        raise SupervisionError(_("Say why you cannot attend."))
    if reply == Attendance.Reply.DEPUTY and not note:
        raise SupervisionError(_("Name the deputy you send."))
    attendance.reply, attendance.note = reply, note[:200]
    attendance.save(update_fields=["reply", "note"])
    return attendance


# --- minutes and decisions -------------------------------------------------------------------


@transaction.atomic
def minutes_save(*, meeting_id: int, user: User, body: str) -> Minutes:
    _office(user, _("Only the office drafts the minutes."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.status == Minutes.Status.ISSUED:
        raise SupervisionError(_("Issued minutes are not changed."))
    if not (body or "").strip():
        raise SupervisionError(_("Write the minutes."))
    if minutes is None:
        minutes = Minutes(meeting=meeting)
    minutes.body = body
    minutes.status = Minutes.Status.DRAFT
    minutes.save()
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    return minutes


@transaction.atomic
def minutes_submit(*, meeting_id: int, user: User) -> Minutes:
    _office(user, _("Only the office sends the minutes for review."))
    minutes = Minutes.objects.select_for_update().filter(meeting_id=meeting_id).first()
    if minutes is None or minutes.status != Minutes.Status.DRAFT:
        raise SupervisionError(_("Only drafted minutes are sent for review."))
    minutes.status = Minutes.Status.REVIEW
    minutes.save(update_fields=["status", "updated_at"])
    return minutes


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _present(attendance: Attendance) -> str:
    """Who sits at the table: the person invited, or their deputy for them (代)."""
    if attendance.reply == Attendance.Reply.DEPUTY:
        return f"{attendance.note}（代{_name(attendance.user)}）"
    return _name(attendance.user)


def people_at(attendances: list[Attendance]) -> tuple[list[str], list[str], list[str]]:
    """The minutes' people by name: present (出席), attending as observers (列席), each with
    their deputy where one was sent, and on leave (请假): those who said they cannot come,
    whether attendee or observer."""
    coming = [a for a in attendances if a.reply != Attendance.Reply.NO]
    present = [_present(a) for a in coming if a.role == Attendance.Role.ATTENDEE]
    attending = [_present(a) for a in coming if a.role == Attendance.Role.OBSERVER]
    absent = [_name(a.user) for a in attendances if a.reply == Attendance.Reply.NO]
    return present, attending, absent


@transaction.atomic
def minutes_issue(*, meeting_id: int, user: User, now: datetime | None = None) -> Minutes:
    """The chair (or the office) issues reviewed minutes as a 纪要 of the Administrative
    Center: a registered document with the next number of the meeting type's 代字 and year
    (the documents' gap-free counter), for the meeting's people, filed once this commits."""
    from documents import services as documents

    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__kind", "meeting__created_by")
        .filter(meeting_id=meeting_id)
        .first()
    )
    if minutes is not None and minutes.status == Minutes.Status.ISSUED:
        raise SupervisionError(
            _("These minutes were already issued as %(number)s.") % {"number": minutes.number}
        )
    if minutes is None or minutes.status != Minutes.Status.REVIEW:
        raise SupervisionError(_("Only reviewed minutes are issued."))
    meeting = minutes.meeting
    if user.pk != meeting.chair_id and not services.is_office(user):
        raise SupervisionError(_("The chair of the meeting issues its minutes."))
    now = now or timezone.now()
    attendances = list(meeting.attendances.select_related("user").order_by("role", "pk"))
    present, attending, absent = people_at(attendances)
    topics = meeting.topics.filter(status=Topic.Status.ACCEPTED)
    units = Department.objects.filter(pk__in=topics.values("unit_id")).order_by("order", "code")
    readers = [a.user for a in attendances]
    readers += list(User.objects.filter(pk__in=[meeting.chair_id]))
    readers += [t.submitted_by for t in topics.select_related("submitted_by") if t.submitted_by]
    drafter = meeting.created_by or user
    office = (
        drafter.department_id
        or Department.objects.filter(roles__code=services.OFFICE_ROLE)
        .values_list("pk", flat=True)
        .first()
    )
    try:
        authority = documents.minutes_authority(
            prefix=meeting.kind.prefix, name=meeting.kind.name_zh, department_id=office
        )
        document = documents.minutes_issue(
            user=user,
            authority=authority,
            minutes=documents.MinutesText(
                title=meeting.title,
                paragraphs=minutes.paragraphs,
                present=present,
                attending=attending,
                absent=absent,
            ),
            readers=readers,
            to_departments=list(units),
            drafter=drafter,
            at=now,
        )
    except documents.DocumentError as exc:
        raise SupervisionError(exc.message) from exc
    minutes.number, minutes.document = document.number, document
    minutes.status = Minutes.Status.ISSUED
    minutes.issued_at, minutes.reviewed_by = now, user
    minutes.save(
        update_fields=["number", "document", "status", "issued_at", "reviewed_by", "updated_at"]
    )
    return minutes


@transaction.atomic
def decision_add(
    *, meeting_id: int, user: User, paragraph: int, text: str, topic_id: int | None = None
) -> Decision:
    _office(user, _("Only the office records decisions."))
    minutes = Minutes.objects.filter(meeting_id=meeting_id).first()
    if minutes is None:
        raise SupervisionError(_("Draft the minutes before recording their decisions."))
    if not 1 <= paragraph <= len(minutes.paragraphs):
        raise SupervisionError(
            _("The minutes have paragraphs 1 to %(n)d; a decision points to one of them.")
            % {"n": len(minutes.paragraphs)}
        )
    text = (text or "").strip() or minutes.paragraphs[paragraph - 1]
    topic = None
    if topic_id is not None:
        topic = Topic.objects.filter(meeting_id=meeting_id, pk=topic_id).first()
        if topic is None:
            raise SupervisionError(_("No such topic of this meeting."))
    return Decision.objects.create(
        meeting_id=meeting_id, topic=topic, paragraph=paragraph, text=text
    )


@transaction.atomic
def decision_supervise(
    *,
    decision_id: int,
    user: User,
    leader: User,
    lead_unit: Department,
    days: int,
    criteria: str,
    co_units: list[Department] = (),
    now: datetime | None = None,
) -> Item:
    """The decision becomes a supervision item in one action (once)."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=decision_id)
    )
    if decision.item_id is not None:
        raise SupervisionError(_("This decision is already supervised."))
    meeting = decision.meeting
    item = services.item_create(
        user=user,
        title=decision.text[:200],
        source=Source(
            kind=SourceKind.DECISION,
            ref=f"performance.decision:{decision.pk}",
            title=f"{meeting.title}（第{decision.paragraph}段）",
            url=decision.get_absolute_url(),
        ),
        criteria=criteria,
        requirement=decision.text,
        leader=leader,
        lead_unit=lead_unit,
        co_units=co_units,
        days=days,
        now=now,
    )
    decision.item = item
    decision.save(update_fields=["item"])
    return item


# --- reads ------------------------------------------------------------------------------------


def visible_meetings(user: User) -> QuerySet[Meeting]:
    """The office sees every meeting; the chair, the invited (attendees and observers) and the
    units that submitted a topic see theirs; everyone else nothing (404)."""
    meetings = Meeting.objects.all()
    if not user.is_authenticated:
        return meetings.none()
    if services.is_office(user):
        return meetings
    invited = Exists(Attendance.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk))
    mine = Q(chair_id=user.pk) | invited
    # A unit's topic is for its staff: a student of the school does not see the meeting.
    if user.department_id is not None and user.identity == Identity.STAFF:
        mine |= Exists(Topic.objects.filter(meeting_id=OuterRef("pk"), unit_id=user.department_id))
    return meetings.filter(mine)


def meeting_for(user: User, pk: int) -> Meeting | None:
    return visible_meetings(user).select_related("kind", "chair").filter(pk=pk).first()
