"""Demo visits: the reception standards of the four levels, and the provincial education
department's two-day study visit next week with a three-item itinerary (a meeting room booked
for the talks, the vice-president's lab tour on his schedule, and a working lunch). Loading
again adds nothing (the visit by its subject; items only while it has none)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import User
from reception import visits as vs
from reception.models import Leader, ReceptionStandard, Resource, Visit

STANDARDS = [
    (
        "minister",
        "工作餐，不安排宴请",
        150,
        "协议酒店套间",
        800,
        "商务车一辆、警卫车辆按规定",
        "校党委书记、校长陪同",
    ),
    ("bureau", "工作餐", 120, "协议酒店标准间", 450, "商务车一辆", "分管副校长陪同"),
    ("division", "工作餐", 80, "学校宾馆标准间", 300, "中巴或轿车一辆", "对口部门负责人陪同"),
    ("other", "食堂工作餐", 50, "学校宾馆", 240, "按需", "对口部门工作人员"),
]
TITLE = "省教育厅高教处本科教学专项调研"


def _at(day, hm: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(hm)))


@transaction.atomic
def seed_demo_visits() -> int:
    for level, meals, meal_cap, rooms, room_cap, car, accompany in STANDARDS:
        ReceptionStandard.objects.get_or_create(
            level=level,
            defaults={
                "meals": meals,
                "meal_cap": meal_cap,
                "accommodation": rooms,
                "room_cap": room_cap,
                "car": car,
                "accompany": accompany,
            },
        )
    clerk = User.objects.filter(username="president-office-reviewer1").first()
    if clerk is None or not vs.may_edit(clerk):
        return 0
    today = timezone.localdate()
    tuesday = today - timedelta(days=today.weekday()) + timedelta(days=8)
    visit = Visit.objects.filter(title=TITLE).first()
    if visit is None:
        visit = vs.visit_create(
            user=clerk,
            title=TITLE,
            organisation="浙江省教育厅高等教育处",
            guests="陈立新 高等教育处处长\n周敏 高等教育处副处长\n刘洋 高等教育处主任科员",
            level="bureau",
            purpose="了解本科教学改革与一流课程建设情况",
            starts_on=tuesday,
            ends_on=tuesday + timedelta(days=1),
            people=3,
        )
    if visit.items.exists():
        return 0
    room = Resource.objects.filter(code="room-301").first()
    vice = Leader.objects.filter(user__username="organization-head").first()
    items = [
        (
            tuesday,
            "09:00",
            "11:00",
            "行政楼301会议室",
            "座谈会：本科教学改革汇报",
            "分管副校长、教务处",
            room,
        ),
        (tuesday, "11:30", "12:30", "教工餐厅二楼", "工作午餐", "教务处", None),
        (
            tuesday + timedelta(days=1),
            "09:30",
            "11:00",
            "计算机学院实验中心",
            "参观一流课程建设实验室",
            "计算机学院",
            None,
        ),
    ]
    for day, start, end, place, activity, who, resource in items:
        try:
            vs.item_add(
                user=clerk,
                visit_id=visit.pk,
                starts_at=_at(day, start),
                ends_at=_at(day, end),
                place=place,
                activity=activity,
                participants=who,
                resource_id=resource.pk if resource else None,
                leader_id=vice.pk if vice and resource else None,
            )
        except vs.VisitError:
            # The room is taken in this demo week: the item is kept without the booking.
            vs.item_add(
                user=clerk,
                visit_id=visit.pk,
                starts_at=_at(day, start),
                ends_at=_at(day, end),
                place=place,
                activity=activity,
                participants=who,
            )
    return 1
