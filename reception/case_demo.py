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
    made += seed_demo_cases_more()
    return made


# --- part 2: an overdue case, a merged pair, a 信访 case with its notices and an extension, an
# NPC suggestion and a CPPCC proposal with their graded replies. Again adds nothing (by subject).


def _decide_extension(extension, office_user) -> None:
    from workflows import services as engine
    from workflows.models import ApprovalTask

    task = ApprovalTask.objects.filter(request=extension.request, status="pending").first()
    if task is not None:
        engine.task_decide(
            task_id=task.pk, user=office_user, action="approve", comment="同意延期，请抓紧办理。"
        )


def seed_demo_cases_more() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from reception import case_clock, proposals
    from reception.case_merging import case_merge, proposal_create, proposal_grade

    office_user = User.objects.filter(username="president-office-reviewer1").first()
    logistics = Department.objects.filter(code="logistics").first()
    assets = Department.objects.filter(code="assets").first()
    staff = User.objects.filter(username="logistics-reviewer1").first()
    cats = {c.code: c for c in CaseCategory.objects.all()}
    if not (office_user and logistics and assets and staff and "noise" in cats):
        return 0
    made = 0
    # An overdue case: accepted three weeks ago and not yet answered; the tick escalates it.
    title = "体育馆周边夜间照明不足"
    if not Case.objects.filter(title=title).exists():
        case = cs.case_create(
            channel="phone",
            kind="complaint",
            category=cats["lighting"],
            title=title,
            content="体育馆东侧小路晚上没有路灯，学生夜跑摔倒过。",
            place="体育馆东侧",
            contact_name="郑同学",
            contact_phone="13900009999",
            received_by=office_user,
        )
        case = cs.case_accept(case=case, by=office_user)
        case = cs.case_dispatch(case=case, by=office_user, lead_unit=logistics)
        cs.case_sign(case=case, by=staff)
        late = timezone.now() - timedelta(days=7)
        Case.objects.filter(pk=case.pk).update(due_at=late, remind_at=late)
        case_clock.cases_tick()
        made += 1
    # A merged pair: two calls on the same noise from two people.
    first_title, second_title = "北门外工地夜间施工噪音", "北门工地晚上施工噪音扰民"
    if not Case.objects.filter(title=first_title).exists():
        first = cs.case_create(
            channel="phone",
            kind="complaint",
            category=cats["noise"],
            title=first_title,
            content="北门外工地每天晚上十一点后还在打桩，宿舍无法休息。",
            place="北门",
            contact_name="钱同学",
            contact_phone="13900001212",
            received_by=office_user,
        )
        second = cs.case_create(
            channel="online",
            kind="complaint",
            category=cats["noise"],
            title=second_title,
            content="北门外工地晚上十一点后还在打桩，影响休息。",
            place="北门",
            contact_name="冯老师",
            contact_phone="13900003434",
        )
        case_merge(case=second, into=first, by=office_user, note="同一工地夜间施工")
        first = cs.case_accept(case=first, by=office_user)
        cs.case_dispatch(case=first, by=office_user, lead_unit=assets)
        made += 2
    # A 信访 letter: accepted with its notice, extended by 30 days with approval, replied.
    title = "关于宿舍楼改造拖延的来信"
    if not Case.objects.filter(title=title).exists():
        case = cs.case_create(
            channel="petition",
            kind="complaint",
            category=cats["dorm-repair"],
            title=title,
            content="8号宿舍楼改造原定暑假完成，至今仍未完工，请求说明原因并尽快完成。",
            place="8号宿舍楼",
            contact_name="褚先生",
            contact_phone="13900005656",
            received_by=office_user,
        )
        case = cs.case_accept(case=case, by=office_user)
        case = cs.case_dispatch(case=case, by=office_user, lead_unit=logistics)
        case = cs.case_sign(case=case, by=staff)
        new_day = timezone.localtime(case.due_at).date() + timedelta(days=30)
        try:
            extension = case_clock.extension_request(
                case_id=case.pk, user=staff, new_day=new_day, reason="涉及施工单位合同调整"
            )
        except case_clock.ClockError:
            extension = None
        if extension is not None:
            _decide_extension(extension, office_user)
        case.refresh_from_db()
        case = cs.case_reply(
            case=case, by=staff, reply="改造工程因材料供应延误，已督促施工单位于下月底前完工。"
        )
        cs.case_close(case=case, by=office_user)
        made += 1
    # An NPC deputy's suggestion graded A and a CPPCC proposal graded B.
    for channel, number, proposer, title, grade, reply in (
        (
            "npc",
            "0087",
            "周代表",
            "关于校园周边增设公交站点的建议",
            "A",
            "已与公交公司协调，南门站点下月启用。",
        ),
        (
            "cppcc",
            "0142",
            "吴委员",
            "关于加强校园食品安全监管的提案",
            "B",
            "已列入明年食堂改造计划，分步实施。",
        ),
    ):
        if Case.objects.filter(title=title).exists():
            continue
        case = proposal_create(
            channel=channel,
            category=cats["canteen" if channel == "cppcc" else "logistics"],
            title=title,
            content=f"{title}，具体意见见附件。",
            term=14,
            session=3,
            proposal_number=number,
            first_proposer=proposer,
            co_signers="郑代表、王代表" if channel == "npc" else "李委员",
            contact_phone="13700008888",
            received_by=office_user,
        )
        case = cs.case_accept(case=case, by=office_user)
        case = cs.case_dispatch(case=case, by=office_user, lead_unit=logistics, co_units=[assets])
        case = cs.case_sign(case=case, by=staff)
        assets_staff = User.objects.filter(username="assets-reviewer1").first()
        if assets_staff is not None:
            proposals.opinion_give(
                case=case, by=assets_staff, text="资产处同意主办单位意见，配合落实所需场地。"
            )
        proposal_grade(case=case, by=staff, grade=grade)
        case = cs.case_reply(case=case, by=staff, reply=reply)
        case = cs.case_close(case=case, by=office_user)
        cs.case_callback(case=case, by=office_user, satisfaction="satisfied", note="代表满意")
        made += 1
    return made
