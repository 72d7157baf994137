"""Demo data: areas, departments, people and the 168 published services of the catalogue.

``seed_demo()`` is idempotent: it keys every row by its code or user name, so running it again
updates the same rows and adds none.
"""

from django.db import transaction

from hall import services
from hall.demo_catalogue import SERVICES
from hall.models import Area, Department, Identity, Role, Service, ServiceField, ServiceStep, User

DEMO_PASSWORD = "hall-demo-2026"

AREAS = [
    (
        "party-admin",
        "党政事务",
        "Party affairs and administration",
        "干部管理、公文用印、会议与督办",
        "Cadres, documents and seals, meetings and supervision",
    ),
    (
        "finance-research",
        "财务科研",
        "Finance and research",
        "科研项目、经费报销、预算调整",
        "Research projects, claims, budgets",
    ),
    (
        "teaching",
        "教学教务",
        "Teaching affairs and registrar",
        "课程、考试、学籍、学位",
        "Courses, exams, student records, degrees",
    ),
    (
        "hr-assets",
        "人事资产",
        "Human resources and assets",
        "人事证明、职称、请假、资产与采购",
        "Certificates, titles, leave, assets and purchasing",
    ),
    (
        "info-services",
        "信息服务",
        "Information and services",
        "账号、网络、邮箱、软件与数据",
        "Accounts, network, e-mail, software and data",
    ),
    (
        "campus-life",
        "校园生活",
        "Campus life and services",
        "校园卡、宿舍、后勤、场地与活动",
        "Campus card, dormitories, facilities, venues and events",
    ),
]

# code, Chinese name, English name, kind, parent code
DEPARTMENTS = [
    ("president-office", "校长办公室", "President's Office", "functional", None),
    ("archives", "档案馆", "Archives Center", "unit", "president-office"),
    ("organization", "党委组织部", "Organization Department", "functional", None),
    ("propaganda", "党委宣传部", "Propaganda Division", "functional", None),
    ("personnel", "人事处", "Personnel Division", "functional", None),
    ("finance", "财务处", "Finance Division", "functional", None),
    ("research", "科学研究院", "Research Division", "functional", None),
    ("registrar", "教务处", "Registrar", "functional", None),
    ("graduate", "研究生院", "Graduate School", "functional", None),
    ("student-affairs", "学生工作处", "Student Affairs Division", "functional", None),
    ("international", "国际合作与交流处", "International Cooperation Office", "functional", None),
    ("assets", "国有资产管理处", "Assets Management Division", "functional", None),
    ("smart-campus", "智慧校园建设中心", "Smart Campus Construction Center", "unit", None),
    ("logistics", "后勤保障处", "Logistics Services Division", "functional", None),
    (
        "school-cs",
        "计算机科学与技术学院",
        "School of Computer Science and Technology",
        "unit",
        None,
    ),
]

# Every department has these roles; the chains of the demo services name them.
ROLES = [
    ("reviewer", "经办审核人", "Reviewer"),
    ("research-secretary", "科研秘书", "Research secretary"),
    ("counsellor", "辅导员 / 教学秘书", "Counsellor / academic secretary"),
    ("admin", "部门管理员", "Department admin"),
]
EXTRA_ROLES = {
    "president-office": [("leader", "校领导", "University leader")],
    "organization": [("cadre-officer", "干部科审核人", "Cadre officer")],
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "建国",
    "海燕",
    "志强",
    "秀英",
    "明",
    "静",
    "磊",
    "丽华",
    "伟",
    "敏",
    "晓东",
    "婷",
    "军",
    "红梅",
    "涛",
    "雪",
    "斌",
    "慧",
    "勇",
    "芳",
]

# username, full name, identity, department, title, staff/student number
APPLICANTS = [
    ("zhangwei", "张伟", Identity.STAFF, "school-cs", "教授", "T2008001"),
    ("lina", "李娜", Identity.UNDERGRADUATE, "school-cs", "2023级本科生", "S2023001"),
    ("wangfang", "王芳", Identity.GRADUATE, "school-cs", "2024级硕士研究生", "G2024001"),
]


def _f(
    key,
    zh,
    en,
    field_type,
    *,
    required=True,
    prefill="",
    options=None,
    validation=None,
    help_text="",
    help_text_en="",
):
    return {
        "key": key,
        "label_zh": zh,
        "label_en": en,
        "field_type": field_type,
        "required": required,
        "prefill": prefill,
        "options": options or [],
        "validation": validation or {},
        "help_text": help_text,
        "help_text_en": help_text_en,
    }


T = ServiceField.Type
P = ServiceField.Prefill
PROFILE = [
    _f("applicant_name", "姓名", "Name", T.TEXT, prefill=P.FULL_NAME),
    _f("applicant_number", "工号/学号", "Staff / student number", T.TEXT, prefill=P.NUMBER),
    _f("applicant_department", "所在单位", "Department", T.TEXT, prefill=P.DEPARTMENT),
    _f("applicant_phone", "联系电话", "Phone", T.TEXT, prefill=P.PHONE),
]
STAFF_PROFILE = [
    *PROFILE,
    _f(
        "applicant_title", "职务/职称", "Title or position", T.TEXT, prefill=P.TITLE, required=False
    ),
]
REASON = _f("reason", "事由说明", "Reason", T.LONG_TEXT, validation={"max_length": 2000})
ATTACHMENTS = _f("attachments", "附件材料", "Attachments", T.FILE, required=False)
AMOUNT = _f(
    "amount", "金额（元）", "Amount (yuan)", T.MONEY, validation={"min": 0.01, "max": 100000000}
)
PROJECT = [
    _f("project_number", "项目编号", "Project number", T.TEXT, validation={"max_length": 40}),
    _f("project_name", "项目名称", "Project name", T.TEXT),
]

FORMS = {
    "basic": [*PROFILE, REASON, ATTACHMENTS],
    "leave": [
        *STAFF_PROFILE,
        _f(
            "leave_type",
            "类型",
            "Type",
            T.CHOICE,
            options=[
                ["going-out", "因公外出", "Going out on duty"],
                ["personal", "因私请假", "Leave for personal reasons"],
            ],
        ),
        _f("period", "起止日期", "Dates", T.DATE_RANGE),
        _f("destination", "前往地点", "Destination", T.TEXT),
        _f("deputy", "工作代理人", "Deputy while away", T.PERSON, required=False),
        REASON,
    ],
    "abroad": [
        *STAFF_PROFILE,
        _f("countries", "前往国家（地区）", "Countries or regions", T.TEXT),
        _f("period", "出访日期", "Dates", T.DATE_RANGE),
        _f("purpose", "出访事由", "Purpose", T.LONG_TEXT),
        _f(
            "funding",
            "经费来源",
            "Funding",
            T.CHOICE,
            options=[
                ["self", "自费", "Own expense"],
                ["project", "科研经费", "Research funds"],
                ["host", "邀请方资助", "Paid by the host"],
            ],
        ),
        _f("invitation", "邀请函", "Invitation letter", T.FILE),
    ],
    "visa": [
        *STAFF_PROFILE,
        _f(
            "document",
            "证件类型",
            "Document",
            T.CHOICE,
            options=[
                ["passport", "普通护照", "Passport"],
                ["hk-macau", "往来港澳通行证", "Hong Kong and Macao permit"],
                ["taiwan", "往来台湾通行证", "Taiwan permit"],
            ],
        ),
        _f("destination", "前往国家（地区）", "Destination", T.TEXT),
        _f("travel_date", "预计出行日期", "Planned travel date", T.DATE),
        REASON,
    ],
    "finance_claim": [
        *PROFILE,
        *PROJECT,
        AMOUNT,
        _f(
            "receipts",
            "票据张数",
            "Number of receipts",
            T.NUMBER,
            validation={"min": 1, "max": 500},
        ),
        _f("invoices", "发票及附件", "Invoices", T.FILE),
        _f("description", "报销说明", "Description", T.LONG_TEXT),
    ],
    "budget_adjust": [
        *PROFILE,
        *PROJECT,
        _f(
            "original_budget",
            "原预算（元）",
            "Original budget (yuan)",
            T.MONEY,
            validation={"min": 0},
        ),
        AMOUNT,
        REASON,
        ATTACHMENTS,
    ],
    "fund_transfer": [
        *PROFILE,
        *PROJECT,
        AMOUNT,
        _f("to_department", "转入单位", "Receiving department", T.DEPARTMENT),
        REASON,
    ],
    "report_submit": [
        *STAFF_PROFILE,
        _f("year", "年度", "Year", T.NUMBER, validation={"min": 2000, "max": 2100}),
        _f("summary", "内容摘要", "Summary", T.LONG_TEXT),
        _f("report", "报告文件", "Report file", T.FILE),
    ],
    "certificate": [
        *PROFILE,
        _f(
            "purpose",
            "用途",
            "Purpose",
            T.CHOICE,
            options=[
                ["visa", "签证", "Visa"],
                ["loan", "贷款", "Loan"],
                ["study", "升学", "Further study"],
                ["other", "其他", "Other"],
            ],
        ),
        _f("copies", "份数", "Copies", T.NUMBER, validation={"min": 1, "max": 10}),
        _f(
            "language",
            "语言",
            "Language",
            T.MULTI_CHOICE,
            options=[["zh", "中文", "Chinese"], ["en", "英文", "English"]],
        ),
    ],
    "it_service": [
        *PROFILE,
        _f(
            "category",
            "服务类别",
            "Category",
            T.CHOICE,
            options=[
                ["account", "账号", "Account"],
                ["network", "网络", "Network"],
                ["mail", "邮箱", "E-mail"],
                ["software", "软件", "Software"],
            ],
        ),
        _f("description", "需求描述", "Description", T.LONG_TEXT),
        _f("location", "所在位置", "Location", T.TEXT, required=False),
    ],
    "room_booking": [
        *PROFILE,
        _f(
            "room",
            "场地",
            "Room",
            T.CHOICE,
            options=[
                ["a101", "行政楼A101会议室", "Admin building A101"],
                ["b203", "图书馆B203报告厅", "Library hall B203"],
                ["c310", "学术交流中心310", "Academic centre 310"],
            ],
        ),
        _f("date", "使用日期", "Date", T.DATE),
        _f("attendees", "参加人数", "Attendees", T.NUMBER, validation={"min": 1, "max": 500}),
        REASON,
    ],
    "student_request": [*PROFILE, REASON, ATTACHMENTS],
    # Keys read by the archives when the chain ends: codes, purpose, scope, due_on, use.
    "archives_loan": [
        *STAFF_PROFILE,
        _f(
            "codes",
            "档号（每行一个）",
            "Archival codes (one per line)",
            T.LONG_TEXT,
            validation={"max_length": 2000},
            help_text="如 Z001-WS·2026-D30-XZB-0001",
            help_text_en="e.g. Z001-WS·2026-D30-XZB-0001",
        ),
        _f("purpose", "借阅用途", "Purpose", T.TEXT, validation={"max_length": 300}),
        _f("scope", "利用范围", "Scope", T.TEXT, required=False, validation={"max_length": 300}),
        _f("due_on", "归还日期", "Due date", T.DATE),
        _f(
            "use",
            "利用方式",
            "Use",
            T.CHOICE,
            options=[
                ["online", "在线查阅电子档案", "Read online"],
                ["originals", "借出纸质原件", "Take out the paper originals"],
            ],
        ),
    ],
    "inquiry": [
        *PROFILE,
        _f("project_number", "项目编号", "Project number", T.TEXT, required=False),
        _f("period", "查询期间", "Period", T.DATE_RANGE),
    ],
    "repair": [
        *PROFILE,
        _f("location", "报修地点", "Location", T.TEXT),
        _f(
            "category",
            "报修类别",
            "Category",
            T.CHOICE,
            options=[
                ["water", "水", "Water"],
                ["power", "电", "Power"],
                ["furniture", "家具", "Furniture"],
                ["other", "其他", "Other"],
            ],
        ),
        _f("description", "问题描述", "Description", T.LONG_TEXT),
        _f("photo", "现场照片", "Photo", T.FILE, required=False),
    ],
    "event": [
        *PROFILE,
        _f("title", "活动/稿件标题", "Title", T.TEXT),
        _f("date", "日期", "Date", T.DATE),
        _f("content", "内容", "Content", T.LONG_TEXT),
        ATTACHMENTS,
    ],
    "purchase": [
        *PROFILE,
        _f("items", "物品清单", "Items", T.LONG_TEXT),
        AMOUNT,
        _f(
            "budget_source",
            "经费来源",
            "Budget source",
            T.CHOICE,
            options=[
                ["department", "部门经费", "Department budget"],
                ["project", "项目经费", "Project funds"],
            ],
        ),
        ATTACHMENTS,
    ],
}

R = ServiceStep.Rule
M = ServiceStep.Mode


def _step(zh, en, rule, *, department=None, role_code="", mode=M.SINGLE, days=2, condition=None):
    step = {"name_zh": zh, "name_en": en, "rule": rule, "mode": mode, "time_limit_days": days}
    if department:
        step["department"] = department
    if role_code:
        step["role_code"] = role_code
    if condition:
        step["condition_field"], step["condition_operator"], step["condition_value"] = condition
    return step


def _chain(name: str, owner: str, has_amount: bool) -> list[dict]:
    head = _step("所在单位负责人审批", "Head of the applicant's department", R.APPLICANT_HEAD)
    review = _step(
        "主管部门审核",
        "Review by the office in charge",
        R.DEPARTMENT_ROLE,
        department=owner,
        role_code="reviewer",
    )
    leader = _step(
        "校领导审批",
        "Approval by a university leader",
        R.DEPARTMENT_ROLE,
        department="president-office",
        role_code="leader",
        days=3,
    )
    chains = {
        "owner": [review],
        "head": [head],
        "head_owner": [head, review],
        "head_owner_leader": [head, review, leader],
        "cadre": [
            head,
            _step(
                "组织部审核",
                "Organization Department review",
                R.DEPARTMENT_ROLE,
                department="organization",
                role_code="cadre-officer",
            ),
            leader,
        ],
        "research_finance": [
            _step(
                "科研秘书审核",
                "Research secretary of the department",
                R.APPLICANT_ROLE,
                role_code="research-secretary",
                days=1,
            ),
            _step(
                "科研院审核",
                "Research Division review",
                R.DEPARTMENT_ROLE,
                department="research",
                role_code="reviewer",
            ),
            _step(
                "财务处审核",
                "Finance Division review",
                R.DEPARTMENT_ROLE,
                department="finance",
                role_code="reviewer",
            ),
            *(
                [
                    {
                        **leader,
                        "condition_field": "amount",
                        "condition_operator": "gt",
                        "condition_value": "50000",
                    }
                ]
                if has_amount
                else []
            ),
        ],
        "countersign": [
            head,
            _step(
                "主管部门会签",
                "Countersigned by the office in charge",
                R.DEPARTMENT_ROLE,
                department=owner,
                role_code="reviewer",
                mode=M.ALL,
                days=3,
            ),
        ],
        "student": [
            _step(
                "辅导员/教学秘书审核",
                "Counsellor or academic secretary",
                R.APPLICANT_ROLE,
                role_code="counsellor",
                days=1,
            ),
            review,
        ],
    }
    return chains[name]


AUDIENCE_TEXT = {
    "staff": "在职教职工",
    "undergraduate": "全日制本科生",
    "graduate": "在读研究生",
}
ONLINE_PROCEDURE = (
    "1. 登录网上办事大厅，阅读本指南，点击“在线申请”。\n"
    "2. 填写表单（个人信息已自动带出），上传所需材料后提交。\n"
    "3. 按审批流程逐级审批，可在“我的申请”中实时查看进度与当前办理人。\n"
    "4. 办结后系统通知申请人，审批单自动归档，可下载 PDF。"
)
OFFLINE_PROCEDURE = (
    "1. 按本指南准备材料。\n"
    "2. 工作时间内携带材料到下方联系人办公室现场办理。\n"
    "3. 经办人审核后当场或在承诺时限内办结。"
)
FAQ = (
    "问：提交后可以修改吗？\n答：审批人退回修改后可编辑再提交；未办结前也可撤回。\n"
    "问：如何知道办到哪一步？\n答：在“我的申请”中查看进度条，显示当前办理人、联系方式和截止时间。"
)
HOURS = "工作日 8:30–11:30，14:30–17:30"

AUDIENCE_TEXT_EN = {
    "staff": "Faculty and staff in post",
    "undergraduate": "full-time undergraduates",
    "graduate": "enrolled graduate students",
}
ONLINE_PROCEDURE_EN = (
    "1. Sign in to the online hall, read this guide and click “Apply online”.\n"
    "2. Fill in the form (your personal details are filled in for you), upload the materials "
    "and submit.\n"
    "3. The request goes through each step of approval; follow its progress and see who "
    "handles it now under “My requests”.\n"
    "4. When it is finished you are notified, the approval form is archived and you can "
    "download it as a PDF."
)
OFFLINE_PROCEDURE_EN = (
    "1. Prepare the materials listed in this guide.\n"
    "2. Bring them during office hours to the office of the contact below.\n"
    "3. The staff in charge checks them and finishes the matter on the spot or within the "
    "promised time limit."
)
FAQ_EN = (
    "Q: Can I change my request after submitting it?\n"
    "A: If an approver returns it for revision you can edit and resubmit it; until it is "
    "finished you can also withdraw it.\n"
    "Q: How do I know which step it has reached?\n"
    "A: The progress bar under “My requests” shows who handles it now, how to reach them "
    "and the deadline."
)
HOURS_EN = "Working days 8:30–11:30 and 14:30–17:30"
FEES_EN = {
    "免费": "Free",
    "免费（人为损坏按价赔偿）": "Free (damage caused by the user is paid for at cost)",
    "免费（每学期前5份免费，超出部分每份2元）": (
        "Free for the first 5 copies a semester, then CNY 2 a copy"
    ),
    "免费（证件费用由出入境管理部门收取）": (
        "Free (the document fee is charged by the exit-entry administration)"
    ),
    "免费（超出免费流量部分按校园网资费标准收费）": (
        "Free (traffic beyond the free allowance is charged at the campus network's rates)"
    ),
    "复印费每页0.5元": "Copies CNY 0.50 a page",
    "工本费10元": "CNY 10 for the card",
    "工本费20元": "CNY 20 for the card",
    "按体育场馆开放收费标准": "At the sports venues' published rates",
    "按大型仪器共享收费标准": "At the shared large-instrument rates",
    "按学术交流中心客房价格收费": "At the academic exchange centre's room rates",
    "按学校公务用车标准内部结算": "Charged internally at the university's official vehicle rates",
    "按学校周转公寓租金标准收取": "At the university's rent for short-stay apartments",
    "按学校数据中心托管收费标准": "At the university data centre's hosting rates",
    "按学院计算平台机时收费标准": "At the school computing platform's machine-hour rates",
    "按实际用量计费": "Charged by actual use",
    "按物价部门核定标准收取学费、住宿费": (
        "Tuition and accommodation at the rates approved by the price authority"
    ),
    "按辅修专业学分学费标准收取": "At the minor programme's tuition rate per credit",
    "教职工免费；校外车辆按停车收费标准": (
        "Free for faculty and staff; visitors' vehicles at the parking rates"
    ),
    "证件费由出入境管理部门收取": "The document fee is charged by the exit-entry administration",
}
# What each kind of form asks people to bring, for the services whose English materials were
# not written by hand: built from the service's English name, so each guide reads as its own.
MATERIALS_EN = {
    "abroad": (
        "The reason for the trip and its itinerary",
        "A copy of the passport or travel document",
    ),
    "archives_loan": ("The borrowing request", "What you need the records for"),
    "basic": ("The {name} form, filled in online", "Supporting documents (PDF), if any"),
    "budget_adjust": ("The adjustment request", "The reasons, and the original budget"),
    "certificate": (
        "The {name} request, filled in online",
        "Your campus card or ID card when you collect the document",
    ),
    "event": ("The plan of the event", "The safety plan", "The adviser's opinion, if any"),
    "finance_claim": (
        "The original invoices and proofs of payment",
        "The claim form, signed by the person responsible for the budget",
    ),
    "fund_transfer": ("The receipt of the transfer", "The contract the funds belong to"),
    "inquiry": ("Your question or message, with a way to reach you",),
    "it_service": ("The {name} request, filled in online", "A screenshot of the problem, if any"),
    "leave": ("The reason and the first and last day", "For sick leave, a hospital certificate"),
    "purchase": ("The purchase request with the budget", "Quotations or the tender documents"),
    "repair": ("Where it is and what is broken", "A photo of the damage, if you can"),
    "report_submit": ("The {name} document (PDF or Word)", "Any annexes it refers to"),
    "room_booking": ("The date, time and purpose of the booking", "The number of people"),
    "student_request": (
        "The {name} form, filled in online",
        "Supporting documents (PDF), if any",
    ),
    "visa": ("A copy of the passport or travel document", "The reason for the trip"),
}


def english_materials(item: dict) -> str:
    """The English materials of a demo service: written by hand where the catalogue has them,
    otherwise from its form's kind and its English name."""
    if item.get("materials_en"):
        return item["materials_en"]
    name = item["name_en"]
    lines = MATERIALS_EN[item["form"]]
    if not item["online"]:  # handled at the office: the request is not an online form
        lines = [line.replace(", filled in online", "") for line in lines]
    return "\n".join(f"{n}. {line.format(name=name)}" for n, line in enumerate(lines, start=1))


def english_applicants(audiences: list[str]) -> str:
    text = ", ".join(AUDIENCE_TEXT_EN[a] for a in audiences)
    return text[:1].upper() + text[1:]


def _person(
    username,
    full_name,
    *,
    department,
    identity=Identity.STAFF,
    title="",
    number=None,
    phone="",
    office="",
    is_staff=False,
    is_superuser=False,
) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "department": department,
            "identity": identity,
            "title": title,
            "number": number,
            "phone": phone,
            "office": office,
            "is_staff": is_staff,
            "is_superuser": is_superuser,
            "email": f"{username}@hall.example.edu.cn",
        },
    )
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _phone(seed: int) -> str:
    return f"0571-8809{seed:04d}"


@transaction.atomic
def seed_demo() -> dict[str, int]:
    for order, (code, zh, en, dzh, den) in enumerate(AREAS):
        Area.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "description_zh": dzh,
                "description_en": den,
                "order": order,
            },
        )
    areas = {a.code: a for a in Area.objects.all()}

    departments = {}
    for order, (code, zh, en, kind, parent) in enumerate(DEPARTMENTS):
        departments[code], _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "kind": kind,
                "order": order,
                "parent": departments.get(parent),
            },
        )

    _person(
        "admin",
        "系统管理员",
        department=departments["president-office"],
        title="办公室管理员",
        is_staff=True,
        is_superuser=True,
        number="A0001",
        phone=_phone(9000),
        office="行政楼101室",
    )
    for n, (username, name, identity, dept, title, number) in enumerate(APPLICANTS, start=1):
        _person(
            username,
            name,
            department=departments[dept],
            identity=identity,
            title=title,
            number=number,
            phone=_phone(9000 + n),
            office="计算机楼" if n == 1 else "",
        )

    # Each department: a head and two reviewers, who also hold the department's roles.
    contacts = {}
    for index, (code, *_rest) in enumerate(DEPARTMENTS):
        dept = departments[code]
        office = f"行政楼{(index % 5) + 1}{index:02d}室"
        office_en = f"Room {(index % 5) + 1}{index:02d}, Administration Building"
        head = _person(
            f"{code}-head",
            SURNAMES[index] + GIVEN[index % len(GIVEN)],
            department=dept,
            title="负责人",
            number=f"H{index + 1:04d}",
            phone=_phone(index * 10),
            office=office,
        )
        reviewers = [
            _person(
                f"{code}-reviewer{n}",
                SURNAMES[(index + 15 * n) % len(SURNAMES)] + GIVEN[(index + 7 * n) % 20],
                department=dept,
                title="经办人",
                number=f"R{index + 1:02d}{n}",
                phone=_phone(index * 10 + n),
                office=office,
            )
            for n in (1, 2)
        ]
        dept.heads.set([head])
        for role_code, zh, en in ROLES + EXTRA_ROLES.get(code, []):
            role, _ = Role.objects.update_or_create(
                department=dept, code=role_code, defaults={"name_zh": zh, "name_en": en}
            )
            # The head leads and sees the department's requests; the reviewers do the rest.
            role.holders.set([head] if role_code in ("leader", "admin") else reviewers)
        first = reviewers[0]
        contacts[code] = [
            {
                "name": first.full_name,
                "phone": first.phone,
                "email": first.email,
                "office": office,
                "office_en": office_en,
                "hours": HOURS,
                "hours_en": HOURS_EN,
            }
        ]

    for order, item in enumerate(SERVICES):
        form = FORMS[item["form"]]
        has_amount = any(f["key"] == "amount" for f in form)
        audiences = item["audiences"]
        values = {
            "name_zh": item["name_zh"],
            "name_en": item["name_en"],
            "area": areas[item["area"]],
            "department": departments[item["department"]],
            "for_staff": "staff" in audiences,
            "for_undergraduates": "undergraduate" in audiences,
            "for_graduates": "graduate" in audiences,
            "keywords": item["keywords"],
            "synonyms": item["synonyms"],
            "applicant_range": "、".join(AUDIENCE_TEXT[a] for a in audiences),
            "applicant_range_en": english_applicants(audiences),
            "materials": item["materials"],
            "materials_en": english_materials(item),
            "procedure": ONLINE_PROCEDURE if item["online"] else OFFLINE_PROCEDURE,
            "procedure_en": ONLINE_PROCEDURE_EN if item["online"] else OFFLINE_PROCEDURE_EN,
            "fees": item["fees"],
            "fees_en": FEES_EN[item["fees"]],
            "faq": FAQ,
            "faq_en": FAQ_EN,
            "time_limit_days": item["time_limit"],
            "is_online": item["online"],
            "is_published": True,
        }
        service, _ = Service.objects.update_or_create(
            code=item["code"],
            defaults=values,
            # A starting popularity so "popular services" is not empty on day one; views add to it.
            create_defaults={**values, "popularity": (len(SERVICES) - order) * 7 % 500},
        )
        services.service_parts_replace(
            service=service,
            fields=form if item["online"] else [],
            steps=_chain(item["chain"], item["department"], has_amount) if item["online"] else [],
            contacts=contacts[item["department"]],
        )
    return {
        "areas": Area.objects.count(),
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "services": Service.objects.filter(is_published=True).count(),
    }
