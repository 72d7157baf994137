"""A demo large activity: the school's anniversary evening, with three bookings (the lecture
hall, which waits for approval, a rehearsal room and the coach) and four service tasks, one
done. Next Saturday, so the grid shows it; loading again adds nothing (the activity by title)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Department, Role, User
from reception import activities as act
from reception.models import Activity, Resource


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def seed_demo_activities() -> int:
    title = "计算机学院建院四十周年庆典晚会"
    if Activity.objects.filter(title=title).exists():
        return 0
    zhangwei = User.objects.filter(username="zhangwei").first()
    office = User.objects.filter(username="president-office-reviewer1").first()
    res = {
        r.code: r
        for r in Resource.objects.filter(code__in=["hall-lecture", "room-301", "car-coaster"])
    }
    units = {
        d.code: d
        for d in Department.objects.filter(code__in=["logistics", "assets", "smart-campus"])
    }
    if zhangwei is None or office is None or len(res) < 3 or len(units) < 3:
        return 0
    Role.objects.get_or_create(
        department=office.department,
        code=act.OFFICE_ROLE,
        defaults={"name_zh": "服务中心活动办", "name_en": "Service Center activities"},
    )[0].holders.add(office)
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    activity = act.activity_create(
        organiser=zhangwei,
        title=title,
        starts_on=saturday,
        ends_on=saturday,
        attendance=280,
        place="学术报告厅",
        description="院庆晚会：校友致辞、师生文艺演出。需音响灯光、会场保洁、安保和茶歇。",
    )
    for code, title_, start, end, people in (
        ("room-301", "晚会节目彩排", 9, 12, 20),
        ("car-coaster", "接送返校校友", 13, 15, 18),
        ("hall-lecture", "院庆晚会", 18, 21, 280),
    ):
        act.activity_book(
            activity_id=activity.pk,
            user=zhangwei,
            resource_id=res[code].pk,
            starts_at=_at(saturday, start),
            ends_at=_at(saturday, end),
            attendees=people,
            title=title_,
        )
    tasks = []
    for kind, what, unit, hour in (
        ("sound", "报告厅音响、灯光和投屏调试", "smart-campus", 16),
        ("cleaning", "晚会前后会场保洁", "logistics", 17),
        ("security", "入场安检与停车引导", "assets", 17),
        ("catering", "嘉宾茶歇（80人）", "logistics", 18),
    ):
        tasks.append(
            act.task_add(
                activity_id=activity.pk,
                user=zhangwei,
                kind=kind,
                title=what,
                department=units[unit],
                due_at=_at(saturday, hour),
            )
        )
    act.task_done(task_id=tasks[1].pk, user=zhangwei)
    return 1
