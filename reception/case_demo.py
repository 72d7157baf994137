"""Demo cases of the people's voices, one in each state of the loop, on every channel.

The office is the President's Office (its first reviewer holds ``case-office``); the units are
Logistics, Assets and Student Affairs. Loading again adds nothing (cases by subject).
"""

from django.db import transaction

from hall.models import Department, Role, User
from reception import case_services as cs
from reception.models import Case, CaseCategory

CATEGORIES = [
    ("logistics", None, "后勤服务", "Campus services"),
    ("dorm-repair", "logistics", "宿舍维修", "Dormitory repairs"),
    ("canteen", "logistics", "食堂餐饮", "Canteens"),
    ("environment", None, "校园环境", "Campus environment"),
    ("noise", "environment", "噪音", "Noise"),
    ("lighting", "environment", "道路照明", "Street lighting"),
    ("teaching", None, "教学管理", "Teaching"),
]

# subject, channel, kind, category, content, contact, anonymous, steps up to, unit
CASES = [
    (
        "宿舍楼热水器损坏",
        "phone",
        "urgent",
        "dorm-repair",
        "3号楼402热水器漏电，请尽快维修。",
        ("陈同学", "13900001111"),
        False,
        "new",
        None,
    ),
    (
        "咨询食堂营业时间",
        "mailbox",
        "enquiry",
        "canteen",
        "寒假期间第一食堂是否营业？",
        ("刘老师", "13900002222"),
        False,
        "not_accepted",
        None,
    ),
    (
        "东门路灯不亮",
        "online",
        "complaint",
        "lighting",
        "东门到图书馆的路灯一周未亮，夜间很危险。",
        ("", "13900003333"),
        True,
        "dispatched",
        "assets",
    ),
    (
        "实验楼夜间施工噪音",
        "phone",
        "complaint",
        "noise",
        "实验楼工地每晚施工到凌晨一点。",
        ("王先生", "13900004444"),
        False,
        "returned",
        "student-affairs",
    ),
    (
        "食堂菜价上涨",
        "online",
        "suggestion",
        "canteen",
        "建议第二食堂增加平价窗口。",
        ("赵同学", "13900005555"),
        False,
        "signed",
        "logistics",
    ),
    (
        "宿舍网络断线",
        "mailbox",
        "complaint",
        "dorm-repair",
        "5号楼晚上经常断网。",
        ("孙同学", "13900006666"),
        False,
        "replied",
        "logistics",
    ),
    (
        "图书馆空调温度",
        "online",
        "suggestion",
        "environment",
        "图书馆三楼空调太冷，建议调高。",
        ("周同学", "13900007777"),
        False,
        "done",
        "logistics",
    ),
    (
        "宿舍楼门禁故障",
        "petition",
        "complaint",
        "dorm-repair",
        "7号楼门禁坏了两周。",
        ("吴同学", "13900008888"),
        False,
        "reopened",
        "logistics",
    ),
]


@transaction.atomic
def seed_demo_cases() -> int:
    office_user = User.objects.filter(username="president-office-reviewer1").first()
    office_dept = Department.objects.filter(code="president-office").first()
    if office_user is None or office_dept is None:
        return 0
    role, _ = Role.objects.get_or_create(
        department=office_dept,
        code=cs.OFFICE_ROLE,
        defaults={"name_zh": "来信来访办理", "name_en": "Cases office"},
    )
    role.holders.add(office_user)
    cats = {}
    for order, (code, parent, zh, en) in enumerate(CATEGORIES):
        cats[code], _ = CaseCategory.objects.update_or_create(
            code=code,
            defaults={"parent": cats.get(parent), "name_zh": zh, "name_en": en, "order": order},
        )
    made = 0
    for title, channel, kind, cat, content, (name, phone), anon, until, unit in CASES:
        if Case.objects.filter(title=title).exists():
            continue
        dept = Department.objects.filter(code=unit).first() if unit else None
        staff = User.objects.filter(username=f"{unit}-reviewer1").first() if unit else None
        if unit and (dept is None or staff is None):
            continue
        case = cs.case_create(
            channel=channel,
            kind=kind,
            category=cats[cat],
            title=title,
            content=content,
            contact_name=name,
            contact_phone=phone,
            anonymous=anon,
            received_by=None if channel == "online" else office_user,
        )
        made += 1
        if until == "new":
            continue
        if until == "not_accepted":
            cs.case_not_accept(case=case, by=office_user, reason="请直接联系食堂。")
            continue
        case = cs.case_accept(case=case, by=office_user)
        if until == "returned":
            case = cs.case_dispatch(case=case, by=office_user, lead_unit=dept)
            cs.case_return(case=case, by=staff, reason="施工归基建部门管理，不属于学生工作处。")
            continue
        co = list(Department.objects.filter(code="smart-campus")) if cat == "dorm-repair" else []
        case = cs.case_dispatch(case=case, by=office_user, lead_unit=dept, co_units=co)
        if until == "dispatched":
            continue
        case = cs.case_sign(case=case, by=staff)
        if until == "signed":
            continue
        case = cs.case_reply(case=case, by=staff, reply="已安排维修人员处理，本周内完成。")
        if until == "replied":
            continue
        case = cs.case_close(case=case, by=office_user)
        satisfied = "dissatisfied" if until == "reopened" else "satisfied"
        cs.case_callback(case=case, by=office_user, satisfaction=satisfied, note="电话回访")
    return made
