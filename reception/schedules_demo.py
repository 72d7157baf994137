"""Demo leaders' schedules: two leaders with a week of entries (this week, so that the office's
page 本周领导活动安排 shows them whenever the demo is loaded), one of them taken from a booking.
Loading again adds nothing (leaders by person, entries by leader, title and start)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Department, Role, User
from reception.models import Booking, Leader, ScheduleEntry
from reception.schedules import OFFICE_ROLE

LEADERS = [
    ("president-office-head", "校长", "President"),
    ("organization-head", "副校长", "Vice-president"),
]
# leader index, weekday, start, end, activity, place, participants
ENTRIES = [
    (0, 0, "08:30", "10:00", "校长办公会", "行政楼第一会议室", "校领导、各部门负责人"),
    (1, 0, "10:30", "11:30", "干部任免工作会", "行政楼305会议室", "组织部"),
    (0, 1, "09:00", "11:30", "接待兄弟院校来访", "行政楼贵宾室", "校长办公室、对外合作处"),
    (1, 1, "14:30", "16:30", "专题调研：学生宿舍改造", "东区学生公寓", "后勤处、学生处"),
    (0, 2, "14:00", "17:00", "省教育厅工作会议", "省教育厅（杭州）", ""),
    (1, 3, "09:00", "10:30", "听课：本科生公共课", "第一教学楼201", "教务处"),
    (0, 3, "15:00", "16:00", "会见来访企业代表", "行政楼贵宾室", "科研院"),
    (0, 4, "09:00", "12:00", "党委理论学习中心组学习", "行政楼第一会议室", "校领导"),
    (1, 4, "14:00", "15:30", "学科建设推进会", "计算机学院楼2楼", "相关学院"),
]


def _at(day, hm: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(hm)))


@transaction.atomic
def seed_demo_schedules() -> int:
    office = Department.objects.filter(code="president-office").first()
    if office is None:
        return 0
    role, _made = Role.objects.get_or_create(
        department=office,
        code=OFFICE_ROLE,
        defaults={"name_zh": "领导日程秘书", "name_en": "Leaders' schedule clerk"},
    )
    clerk = User.objects.filter(username="president-office-reviewer1").first()
    if clerk is not None:
        role.holders.add(clerk)
    leaders = []
    for order, (username, zh, en) in enumerate(LEADERS):
        user = User.objects.filter(username=username).first()
        if user is None:
            return 0
        leader, _made = Leader.objects.get_or_create(
            user=user, defaults={"position_zh": zh, "position_en": en, "order": order}
        )
        leaders.append(leader)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    made = 0
    for index, weekday, start, end, title, place, who in ENTRIES:
        day = monday + timedelta(days=weekday)
        _entry, created = ScheduleEntry.objects.get_or_create(
            leader=leaders[index],
            title=title,
            starts_at=_at(day, start),
            defaults={
                "ends_at": _at(day, end),
                "place": place,
                "participants": who,
                "created_by": clerk,
            },
        )
        made += created
    # One entry from a booking of the demo: the vice-president attends a confirmed booking.
    booking = (
        Booking.objects.filter(status=Booking.Status.CONFIRMED, resource__code="room-301")
        .select_related("resource")
        .order_by("starts_at")
        .first()
    )
    if booking is not None:
        _entry, created = ScheduleEntry.objects.get_or_create(
            leader=leaders[1],
            source=f"reception.booking:{booking.pk}",
            defaults={
                "title": booking.title,
                "starts_at": booking.starts_at,
                "ends_at": booking.ends_at,
                "place": booking.resource.location or booking.resource.name_zh,
                "source_title": booking.title,
                "source_url": booking.get_absolute_url(),
                "created_by": clerk,
            },
        )
        made += created
    return made


def seed_demo_duty() -> int:
    """Six weeks of duty roster from ten days back (so the watch has a past to hand over); left
    alone once it exists."""
    from reception import duty
    from reception.models import DutyShift

    clerk = User.objects.filter(username="president-office-reviewer1").first()
    leaders = list(
        User.objects.filter(username__in=[u for u, _zh, _en in LEADERS]).order_by("username")
    )
    staff = list(
        User.objects.filter(
            username__in=["president-office-reviewer1", "president-office-reviewer2"]
        ).order_by("username")
    )
    if clerk is None or len(leaders) < 2 or len(staff) < 2:
        return 0
    first = timezone.localdate() - timedelta(days=10)
    last = first + timedelta(days=40)
    if DutyShift.objects.filter(day__range=(first, last)).exists():
        return 0
    return duty.roster_generate(
        user=clerk,
        first=first,
        last=last,
        leader_ids=[u.pk for u in leaders],
        staff_ids=[u.pk for u in staff],
    )


def seed_demo_watch() -> int:
    """The month's watch: a handover for each past shift but one (a missed handover), the
    latest acknowledged, and a swap of two coming shifts approved through its chain; left alone
    once there are handovers."""
    from django.db import transaction

    from reception import watch
    from reception.models import DutyShift, DutySwap, Handover
    from workflows import services as engine
    from workflows.models import ApprovalTask, TaskCandidate

    if Handover.objects.exists() or DutySwap.objects.exists():
        return 0
    now = timezone.now()
    past = list(
        DutyShift.objects.filter(ends_at__lte=now, ends_at__gte=now - timedelta(days=10))
        .select_related("person")
        .order_by("starts_at")
    )
    made = 0
    with transaction.atomic():
        for i, shift in enumerate(past):
            if i == 2:
                continue  # the missed handover the duty page flags
            events = (
                "夜间巡查正常，无突发事件。"
                if i % 3
                else "22:40 学生公寓报修停电，已通知后勤值班电工处理。"
            )
            Handover.objects.create(
                shift=shift,
                written_by=shift.person,
                events=events,
                pending="" if i % 2 else "明早 8:30 前向办公室主任报告夜间情况。",
                acknowledged_by=(watch.next_shift(shift) or shift).person
                if i < len(past) - 1
                else None,
                acknowledged_at=shift.ends_at if i < len(past) - 1 else None,
            )
            made += 1
    coming = list(
        DutyShift.objects.filter(
            post=DutyShift.Post.STAFF, starts_at__gt=now + timedelta(days=2)
        ).order_by("starts_at")[:2]
    )
    if len(coming) == 2 and coming[0].person_id != coming[1].person_id:
        asker = coming[0].person
        swap = watch.swap_request(
            user=asker,
            shift_id=coming[0].pk,
            other_shift_id=coming[1].pk,
            reason="家中有事，与同事换班。",
        )
        for _step in range(2):
            task = ApprovalTask.objects.filter(request_id=swap.request_id, status="pending").first()
            if task is None:
                break
            user = task.assignee
            if user is None:
                user = TaskCandidate.objects.filter(task=task).select_related("user").first().user
                engine.task_claim(task_id=task.pk, user=user)
            engine.task_decide(task_id=task.pk, user=user, action="approve", comment="同意")
        made += 1
    return made
