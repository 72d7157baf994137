"""Demo visits: the reception standards of the four levels (caps per person a day), the
provincial education department's two-day study visit next week with a three-item itinerary (a
meeting room booked for the talks, the vice-president's lab tour on his schedule, and a working
lunch) and four service tasks for the units; and last week's inspection by the municipal
science bureau, its over-standard plan approved by the office's head and the vice-president
(the role ``visit-approver``), its costs entered and the visit filed. Loading again adds nothing
(the visits by their subjects; items and tasks only while there are none)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Department, Role, User
from reception import visit_plans as plans
from reception import visits as vs
from reception.models import ActivityTask, Leader, ReceptionStandard, Resource, Visit

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
# per person a day: cars, gifts (no gifts: the eight-point rules)
CAPS = {"minister": (200, 0), "bureau": (150, 0), "division": (100, 0), "other": (60, 0)}
TITLE = "省教育厅高教处本科教学专项调研"
PAST_TITLE = "市科技局科技成果转化工作检查"


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
        car_cap, gift_cap = CAPS[level]
        ReceptionStandard.objects.filter(level=level, car_cap__isnull=True).update(
            car_cap=car_cap, gift_cap=gift_cap
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
    _tasks(clerk, visit, tuesday)
    made = _past_visit(clerk, today)
    if visit.items.exists():
        return made
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
        moment = (clerk, visit, day, start, end, place, activity, who)
        try:
            _item(
                *moment,
                resource_id=resource.pk if resource else None,
                leader_id=vice.pk if vice and resource else None,
            )
        except vs.VisitError:
            # The room is taken in this demo week: the item is kept without the booking.
            _item(*moment)
    return made + 1


def _item(clerk, visit, day, start, end, place, activity, who, **kwargs) -> None:
    vs.item_add(
        user=clerk,
        visit_id=visit.pk,
        starts_at=_at(day, start),
        ends_at=_at(day, end),
        place=place,
        activity=activity,
        participants=who,
        **kwargs,
    )


def _tasks(clerk: User, visit: Visit, tuesday) -> None:
    units = {d.code: d for d in Department.objects.filter(code__in=["logistics", "assets"])}
    if visit.tasks.exists() or len(units) < 2:
        return
    eve = _at(tuesday - timedelta(days=1), "17:00")
    for kind, title, unit in (
        (ActivityTask.Kind.CATERING, "两天工作餐（3人），教工餐厅二楼包间", "logistics"),
        (ActivityTask.Kind.ROOMS, "协议酒店标准间3间（一晚）", "logistics"),
        (ActivityTask.Kind.CARS, "商务车一辆，高铁站接送", "assets"),
        (ActivityTask.Kind.BADGES, "来宾证3张、桌签", "logistics"),
    ):
        plans.task_add(
            user=clerk,
            visit_id=visit.pk,
            kind=kind,
            title=title,
            department=units[unit],
            due_at=eve,
        )


def _approve_all(visit: Visit) -> None:
    from workflows import services as engine
    from workflows.models import ApprovalTask, TaskCandidate

    for _step in range(3):
        task = ApprovalTask.objects.filter(request_id=visit.request_id, status="pending").first()
        if task is None:
            return
        user = task.assignee
        if user is None:
            candidate = TaskCandidate.objects.filter(task=task).select_related("user").first()
            if candidate is None:
                return
            user = candidate.user
            engine.task_claim(task_id=task.pk, user=user)
        engine.task_decide(task_id=task.pk, user=user, action="approve", comment="同意")


def _past_visit(clerk: User, today) -> int:
    """Last week's inspection: over the standard in meals with a reason, approved by both,
    settled and filed."""
    if Visit.objects.filter(title=PAST_TITLE).exists():
        return 0
    office = clerk.department
    vice = User.objects.filter(username="organization-head").first()
    if office is None or vice is None:
        return 0
    Role.objects.get_or_create(
        department=office,
        code=plans.HIGHER_ROLE,
        defaults={"name_zh": "分管接待的校领导", "name_en": "Leader in charge of receptions"},
    )[0].holders.add(vice)
    tuesday = today - timedelta(days=today.weekday()) - timedelta(days=6)
    visit = vs.visit_create(
        user=clerk,
        title=PAST_TITLE,
        organisation="市科学技术局",
        guests="赵刚 副局长\n孙丽 成果转化处处长\n钱伟 科员\n李娜 科员",
        level="division",
        purpose="检查科技成果转化政策落实情况",
        starts_on=tuesday,
        ends_on=tuesday + timedelta(days=1),
        people=4,
    )
    for day, start, end, place, activity, who in (
        (tuesday, "09:00", "11:30", "科技园报告厅", "听取成果转化工作汇报", "科研院、技术转移中心"),
        (tuesday, "12:00", "13:00", "学校宾馆餐厅", "工作午餐", "科研院"),
        (
            tuesday + timedelta(days=1),
            "09:00",
            "11:00",
            "国家大学科技园",
            "实地查看转化项目",
            "科技园",
        ),
    ):
        _item(clerk, visit, day, start, end, place, activity, who)
    # caps for 4 people × 2 days (division): meals 640, rooms 2400, cars 800, gifts 0
    try:
        plans.plan_submit(
            user=clerk,
            visit_id=visit.pk,
            meals=760,
            rooms=1200,
            cars=400,
            reason="检查组与市属三所高校联合座谈，增加一次工作晚餐",
        )
    except vs.VisitError:
        return 1
    visit.refresh_from_db()
    _approve_all(visit)
    visit.refresh_from_db()
    if visit.status == Visit.Status.APPROVED:
        plans.visit_close(
            user=clerk,
            visit_id=visit.pk,
            meals=712,
            rooms=1120,
            cars=360,
            summary="检查组充分肯定我校成果转化工作，建议加强专业化转移机构建设。"
            "接待按标准执行，餐费因联合座谈超出标准72元，已按审批意见列支。",
        )
    return 1
