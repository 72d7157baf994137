"""Demo rooms, halls, cars and equipment with a week of bookings: single ones, a recurring
series, one waiting for approval, and one refused because another was approved first.

Dates are counted from next Monday, so the grid shows them whenever the demo is loaded; loading
again adds nothing (resources by code, bookings by resource and title).
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Department, Role, User
from reception import services
from reception.models import Blackout, Booking, Resource, Series
from workflows import services as engine
from workflows.models import ApprovalTask, TaskCandidate

# code, Chinese, English, kind, location, capacity, features, hours, buffers, needs approval
RESOURCES = [
    (
        "room-301",
        "行政楼301会议室",
        "Admin Building Room 301",
        "room",
        "行政楼3楼",
        20,
        "投影仪, 视频会议, 白板",
        (8, 22),
        (15, 15),
        False,
    ),
    (
        "room-512",
        "图书馆512研讨室",
        "Library Seminar Room 512",
        "room",
        "图书馆5楼",
        8,
        "电视屏, 白板",
        (8, 22),
        (0, 10),
        False,
    ),
    (
        "room-201",
        "学院楼201会议室",
        "School Building Room 201",
        "room",
        "计算机学院楼2楼",
        30,
        "投影仪, 扩音",
        (8, 21),
        (10, 10),
        False,
    ),
    (
        "hall-lecture",
        "学术报告厅",
        "Lecture Hall",
        "hall",
        "图书馆1楼",
        300,
        "舞台, 音响, 同传间, 直播",
        (8, 22),
        (60, 30),
        True,
    ),
    (
        "hall-multi",
        "多功能厅",
        "Multi-purpose Hall",
        "hall",
        "学生活动中心",
        150,
        "舞台, 音响",
        (8, 22),
        (30, 30),
        True,
    ),
    (
        "car-coaster",
        "考斯特（浙A·D1234）",
        "Coaster minibus",
        "car",
        "车队",
        20,
        "司机",
        None,
        (0, 30),
        False,
    ),
    (
        "car-sedan",
        "红旗轿车（浙A·D5678）",
        "Hongqi sedan",
        "car",
        "车队",
        4,
        "司机",
        None,
        (0, 15),
        False,
    ),
    (
        "equip-projector",
        "便携投影仪1号",
        "Portable projector 1",
        "equipment",
        "后勤保障处",
        None,
        "1080p, HDMI",
        (8, 18),
        (0, 0),
        False,
    ),
]


def _next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _approve(booking: Booking) -> None:
    task = ApprovalTask.objects.filter(request_id=booking.request_id, status="pending").first()
    if task is None:
        return
    user = task.assignee
    if user is None:
        candidate = TaskCandidate.objects.filter(task=task).select_related("user").first()
        user = candidate.user
        engine.task_claim(task_id=task.pk, user=user)
    engine.task_decide(task_id=task.pk, user=user, action="approve", comment="同意")


@transaction.atomic
def seed_demo_reception() -> int:
    logistics = Department.objects.filter(code="logistics").first()
    names = ("zhangwei", "lina", "wangfang", "logistics-reviewer1")
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    if logistics is None or len(people) < len(names):
        return 0
    manager, _ = Role.objects.get_or_create(
        department=logistics,
        code=services.MANAGER_ROLE,
        defaults={"name_zh": "资源管理员", "name_en": "Resource manager"},
    )
    manager.holders.add(people["logistics-reviewer1"])
    res = {}
    for order, (code, zh, en, kind, place, cap, feats, hours, buf, approval) in enumerate(
        RESOURCES
    ):
        res[code], _ = Resource.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "kind": kind,
                "location": place,
                "capacity": cap,
                "features": feats,
                "opens_at": time(hours[0]) if hours else None,
                "closes_at": time(hours[1]) if hours else None,
                "setup_minutes": buf[0],
                "cleanup_minutes": buf[1],
                "needs_approval": approval,
                "department": logistics,
                "order": order,
            },
        )
    monday = _next_monday()
    if not Blackout.objects.filter(resource=res["room-512"]).exists():
        Blackout.objects.create(
            resource=res["room-512"],
            starts_at=_at(monday + timedelta(days=3), 8),
            ends_at=_at(monday + timedelta(days=3), 12),
            reason="空调检修",
        )
    made = 0

    def once(resource, who, title, day, start, end, attendees=1):
        nonlocal made
        if Booking.objects.filter(resource=resource, title=title).exists():
            return None
        made += 1
        return services.booking_create(
            resource_id=resource.pk,
            booker=people[who],
            title=title,
            starts_at=_at(day, *start),
            ends_at=_at(day, *end),
            attendees=attendees,
        )

    once(res["room-301"], "zhangwei", "计算机学院党政联席会", monday, (9, 0), (10, 30), 12)
    once(res["room-301"], "wangfang", "研究生学位论文开题", monday, (14, 0), (17, 0), 15)
    once(
        res["room-201"],
        "zhangwei",
        "本科教学工作研讨",
        monday + timedelta(days=1),
        (10, 0),
        (11, 30),
        25,
    )
    once(
        res["car-coaster"],
        "zhangwei",
        "赴之江实验室调研",
        monday + timedelta(days=2),
        (8, 0),
        (18, 0),
        16,
    )
    once(
        res["car-sedan"],
        "zhangwei",
        "接送来访专家（萧山机场）",
        monday + timedelta(days=3),
        (13, 0),
        (16, 0),
        2,
    )
    once(
        res["equip-projector"],
        "lina",
        "学生会招新宣讲",
        monday + timedelta(days=2),
        (13, 0),
        (17, 0),
    )
    if not Series.objects.filter(title="机器学习课题组周会").exists():
        result = services.series_create(
            resource_id=res["room-512"].pk,
            booker=people["wangfang"],
            title="机器学习课题组周会",
            first_start=_at(monday, 10),
            minutes=90,
            freq=Series.Freq.WEEKLY,
            weekdays=[0, 3],
            count=8,
            attendees=6,
            skip_conflicts=True,  # the Thursday of the air-conditioning repair is skipped
        )
        made += len(result.made)
    # Waiting for the resource manager's approval.
    once(
        res["hall-lecture"],
        "zhangwei",
        "人工智能前沿讲座",
        monday + timedelta(days=4),
        (14, 0),
        (17, 0),
        260,
    )
    # Two societies ask for the same evening; the first approved, the other refused with its
    # holder named.
    winner = once(
        res["hall-multi"],
        "wangfang",
        "研究生迎新晚会",
        monday + timedelta(days=1),
        (18, 30),
        (21, 0),
        140,
    )
    loser = once(
        res["hall-multi"],
        "lina",
        "社团文艺汇演彩排",
        monday + timedelta(days=1),
        (19, 0),
        (21, 30),
        80,
    )
    if winner is not None and loser is not None:
        _approve(winner)
    return made
