"""The research funds demo: 40 projects of the demo faculty (张伟 leads twelve; 王芳 works on
some), their budgets and a year of ledger entries, brought in through the same import the
offices' files go through; the claim services' forms with the project picker and the budget
category; a pre-borrowed invoice waiting for its receipt claim, a claim in approval (frozen),
a claim refused for exceeding its balance.

Keyed by project numbers, entry ids and fixed submit tokens: loading again changes nothing.
"""

import random
import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hall.models import Service, ServiceField, User
from workflows import services as approvals
from workflows.demo import _approve_all
from workflows.models import ApprovalTask, ServiceRequest
from workflows.research import services
from workflows.research.handoffs import (
    ADJUSTMENT_SERVICE,
    CATEGORY_FIELD,
    CLAIM_SERVICES,
    INVOICE_CLAIM_SERVICE,
    TARGET_FIELD,
    TO_CATEGORY_FIELD,
    TRANSFERENCE_SERVICE,
)
from workflows.research.models import ImportRun, Project

NAMESPACE = uuid.UUID("3c1d7a52-9f0e-4b8e-a0c4-7e5b2f1d9a61")
TOPICS = [
    "图神经网络的可解释性",
    "大规模分布式存储系统",
    "智慧校园数据治理",
    "面向边缘计算的轻量模型",
    "多模态知识图谱构建",
    "隐私保护联邦学习",
    "软件供应链安全",
    "高性能数值计算",
    "智能教育评测",
    "低碳数据中心调度",
]
CATEGORY_CHOICES = [
    [code, label_zh, label_en]
    for code, label_zh, label_en in [
        ("equipment", "设备费", "Equipment"),
        ("materials", "材料费", "Materials"),
        ("travel", "差旅费", "Travel"),
        ("conference", "会议费", "Conferences"),
        ("publication", "出版费", "Publication"),
        ("labour", "劳务费", "Labour"),
        ("management", "管理费", "Management fee"),
    ]
]


def _people() -> tuple[User, User | None, list[User]]:
    pi = User.objects.get(username="zhangwei")
    student = User.objects.filter(username="wangfang").first()
    others = list(
        User.objects.filter(username__endswith="-head").exclude(number="").order_by("username")
    )
    return pi, student, others


def _rows(pi, student, others):
    rng = random.Random(2026)
    today = timezone.localdate()
    projects, budgets, movements = [], [], []
    for i in range(40):
        lead = pi if i < 12 or not others else others[i % len(others)]
        vertical = i % 3 != 2
        number = f"{'NSFC' if vertical else 'HX'}-{2024 + i % 3}-{i + 1:03d}"
        if lead == pi:
            members = [student] if student and i % 2 == 0 else []
        else:
            members = [
                u for u in (pi if i % 3 == 0 else None, student if i % 4 == 0 else None) if u
            ]
        start = today.replace(month=1, day=1) - timedelta(days=365 * (i % 2))
        projects.append(
            {
                "number": number,
                "title": f"{TOPICS[i % len(TOPICS)]}研究（{i + 1}）",
                "kind": "vertical" if vertical else "horizontal",
                "pi": lead.number,
                "members": ";".join(u.number for u in members),
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=365 * 3)).isoformat(),
                "status": "active" if i != 39 else "closed",
            }
        )
        lines = {
            "equipment": 200000 + 10000 * (i % 5),
            "materials": 60000,
            "travel": 30000 + 1000 * (i % 7),
            "conference": 15000,
            "publication": 12000,
            "labour": 80000,
            "management": 20000,
        }
        if i == 0:
            lines["materials"] = 8000  # the demo's claim that exceeds its balance
        for category, budget in lines.items():
            budgets.append({"project": number, "category": category, "budget": str(budget)})
        for n in range(24):
            category = rng.choice(list(lines))
            amount = round(rng.uniform(200, lines[category] / 40), 2)
            booked = today - timedelta(days=rng.randint(0, 364))
            movements.append(
                {
                    "id": f"PZ-{number}-{n:03d}",
                    "project": number,
                    "category": category,
                    "date": booked.isoformat(),
                    "amount": f"{amount:.2f}",
                    "description": rng.choice(
                        [
                            "服务器采购",
                            "实验耗材",
                            "学术会议差旅",
                            "论文版面费",
                            "学生劳务",
                            "测试平台租用",
                        ]
                    ),
                }
            )
    return projects, budgets, movements


def _forms() -> None:
    """The claim services pick the project and the category; the receipt claim with a
    pre-borrowed invoice picks the invoice (its project, category and amount come with it)."""
    for code in (*CLAIM_SERVICES, INVOICE_CLAIM_SERVICE, TRANSFERENCE_SERVICE):
        service = Service.objects.filter(code=code).first()
        if service is None:
            continue
        invoice_claim = code == INVOICE_CLAIM_SERVICE
        ServiceField.objects.filter(service=service, key="project_number").update(
            field_type="text" if invoice_claim else ServiceField.Type.PROJECT,
            required=not invoice_claim,
        )
        # The title comes from the system of record with the picked project (or invoice).
        ServiceField.objects.filter(service=service, key="project_name").update(
            required=False,
            help_text="提交时按所选项目自动填写",
            help_text_en="Filled in from the project you pick",
        )
        ServiceField.objects.filter(service=service, key="amount").update(
            required=not invoice_claim
        )
        order = service.fields.filter(key="project_name").values_list("order", flat=True).first()
        ServiceField.objects.update_or_create(
            service=service,
            key=CATEGORY_FIELD,
            defaults={
                "order": (order or 0) + 1,
                "label_zh": "预算科目",
                "label_en": "Budget category",
                "field_type": ServiceField.Type.CHOICE,
                "options": CATEGORY_CHOICES,
                "required": not invoice_claim,
            },
        )
        if code == TRANSFERENCE_SERVICE:
            # Between two projects of the same PI: the target is picked like the source.
            ServiceField.objects.update_or_create(
                service=service,
                key=TARGET_FIELD,
                defaults={
                    "order": (order or 0) + 2,
                    "label_zh": "转入项目",
                    "label_en": "Project it goes to",
                    "field_type": ServiceField.Type.PROJECT,
                    "required": True,
                },
            )
            ServiceField.objects.filter(service=service, key="to_department").update(required=False)
        if invoice_claim:
            ServiceField.objects.update_or_create(
                service=service,
                key="invoice",
                defaults={
                    "order": 0,
                    "label_zh": "预借发票",
                    "label_en": "Pre-borrowed invoice",
                    "field_type": ServiceField.Type.INVOICE,
                    "required": True,
                },
            )


def _adjustment_form() -> None:
    """The budget adjustment picks the project and the two categories; the research office's
    step is taken only when the rules say so (its condition reads what the hall decided)."""
    from hall.models import ServiceStep
    from workflows.research.adjustments import REVIEW_FIELD
    from workflows.research.models import AdjustmentRule

    AdjustmentRule.objects.update_or_create(
        category="management", defaults={"may_increase": False, "review_above_percent": None}
    )
    AdjustmentRule.objects.update_or_create(
        category="equipment", defaults={"may_increase": True, "review_above_percent": 10}
    )
    service = Service.objects.filter(code=ADJUSTMENT_SERVICE).first()
    if service is None:
        return
    ServiceField.objects.filter(service=service, key="project_number").update(
        field_type=ServiceField.Type.PROJECT
    )
    ServiceField.objects.filter(
        service=service, key__in=["project_name", "original_budget"]
    ).update(required=False)
    order = service.fields.filter(key="project_name").values_list("order", flat=True).first() or 0
    for offset, key, zh, en in (
        (1, CATEGORY_FIELD, "调减科目", "Category decreased"),
        (2, TO_CATEGORY_FIELD, "调增科目", "Category increased"),
    ):
        ServiceField.objects.update_or_create(
            service=service,
            key=key,
            defaults={
                "order": order + offset,
                "label_zh": zh,
                "label_en": en,
                "field_type": ServiceField.Type.CHOICE,
                "options": CATEGORY_CHOICES,
                "required": True,
            },
        )
    ServiceStep.objects.filter(
        service=service, department__code="research", role_code="reviewer"
    ).update(condition_field=REVIEW_FIELD, condition_operator="eq", condition_value="yes")


def _finance_target() -> None:
    """The demo's claim, transference and adjustment services send their approved requests to
    the local finance receiver `make run` starts (``manage.py finance_receiver``); with the
    receiver switched off, the targets are inactive and nothing is sent."""
    from django.conf import settings

    from workflows.research.models import TransferTarget

    url = f"http://127.0.0.1:{settings.FINANCE_RECEIVER_PORT}/receive/"
    codes = (*CLAIM_SERVICES, INVOICE_CLAIM_SERVICE, TRANSFERENCE_SERVICE, ADJUSTMENT_SERVICE)
    for service in Service.objects.filter(code__in=codes):
        TransferTarget.objects.update_or_create(
            service=service,
            defaults={
                "url": url,
                "token": settings.FINANCE_RECEIVER_SECRET,
                "is_active": settings.FINANCE_RECEIVER_ENABLED,
            },
        )


def _claim(
    story,
    service_code,
    user,
    project,
    category,
    amount,
    description,
    target=None,
    to_category="",
):
    token = uuid.uuid5(NAMESPACE, story)
    existing = ServiceRequest.objects.filter(submit_token=token).first()
    if existing is not None:
        return existing, False
    service = Service.objects.get(code=service_code)
    form_data = {
        "full_name": user.get_full_name(),
        "name": user.get_full_name(),
        "number": user.number,
        "department": user.department.name_zh if user.department else "",
        "project_number": project.number,
        "project_name": project.title,
        CATEGORY_FIELD: category,
        TARGET_FIELD: target.number if target else "",
        TO_CATEGORY_FIELD: to_category,
        "amount": amount,
        "receipts": 3,
        "description": description,
    }
    keys = set(service.fields.values_list("key", flat=True))
    request = approvals.request_submit(
        service=service,
        applicant=user,
        form_data={k: v for k, v in form_data.items() if k in keys},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=token,
    )
    return request, True


def _stories(pi) -> int:
    made = 0
    projects = list(Project.objects.filter(pi=pi).order_by("number")[:3])
    if len(projects) < 3:
        return 0
    # A pre-borrowed invoice approved, waiting for its receipt claim.
    invoice, new = _claim(
        "invoice-waiting",
        CLAIM_SERVICES[1],
        pi,
        projects[1],
        "conference",
        "6800.00",
        "会议注册费预借发票",
    )
    if new:
        _approve_all(invoice)
        made += 1
    # A claim in approval: its amount shows as frozen.
    _, new = _claim(
        "claim-frozen", CLAIM_SERVICES[0], pi, projects[2], "travel", "2350.00", "赴京学术会议差旅"
    )
    made += new
    # A claim refused for exceeding its balance: the finance office's check at the desk (the
    # hall refuses it at submission; this one was filed before the budget fell).
    rejected, new = _claim(
        "claim-over-balance",
        CLAIM_SERVICES[2],
        pi,
        projects[0],
        "materials",
        "1800.00",
        "实验耗材",
    )
    if new:
        task = ApprovalTask.objects.filter(request=rejected, status="pending").first()
        if task.assignee_id is None:
            approvals.task_claim(task_id=task.pk, user=task.candidates.order_by("pk").first())
            task.refresh_from_db()
        approvals.task_decide(
            task_id=task.pk,
            user=task.assignee,
            action="reject",
            comment="超出材料费预算余额，请调整预算后再报销",
        )
        made += 1
    # A transference between two of his projects, approved: the budget moved.
    transfer, new = _claim(
        "transfer-between-projects",
        TRANSFERENCE_SERVICE,
        pi,
        projects[0],
        "labour",
        "5000.00",
        "劳务费调剂至同负责人的另一项目",
        target=projects[1],
    )
    if new:
        _approve_all(transfer)
        made += 1
    # A budget adjustment that needed the research office: equipment up by 13 % (above 10 %).
    fourth = Project.objects.filter(pi=pi).order_by("number")[3:4].first()
    if fourth is not None:
        adjustment, new = _claim(
            "adjustment-research-office",
            ADJUSTMENT_SERVICE,
            pi,
            fourth,
            "labour",
            "30000.00",
            "采购高性能计算节点，劳务费调剂至设备费",
            to_category="equipment",
        )
        if new:
            _approve_all(adjustment)
            made += 1
    return made


def _with_settled_transference(budgets: list[dict]) -> None:
    """The finance system has taken in the demo's approved transference (the hall sent it): its
    export carries the moved budget, so loading the demo again changes nothing."""
    from workflows.research.models import Freeze

    freeze = (
        Freeze.objects.filter(
            request__submit_token=uuid.uuid5(NAMESPACE, "transfer-between-projects"),
            state=Freeze.State.SPENT,
        )
        .select_related("request", "line")
        .first()
    )
    if freeze is not None:
        data = freeze.request.form_data
        moves = {data.get("project_number"): -freeze.amount, data.get(TARGET_FIELD): freeze.amount}
        for row in budgets:
            if row["category"] == freeze.line.category and row["project"] in moves:
                row["budget"] = str(Decimal(row["budget"]) + moves[row["project"]])
    # Likewise the approved budget adjustment (between two categories of one project).
    adjusted = (
        Freeze.objects.filter(
            request__submit_token=uuid.uuid5(NAMESPACE, "adjustment-research-office"),
            state=Freeze.State.SPENT,
        )
        .select_related("request", "line__project")
        .first()
    )
    if adjusted is not None:
        data = adjusted.request.form_data
        moves = {
            adjusted.line.category: -adjusted.amount,
            data.get(TO_CATEGORY_FIELD): adjusted.amount,
        }
        for row in budgets:
            if row["project"] == adjusted.line.project.number and row["category"] in moves:
                row["budget"] = str(Decimal(row["budget"]) + moves[row["category"]])


def _party_rate(base: Decimal) -> Decimal:
    for top, rate in ((3000, "0.5"), (5000, "1"), (10000, "1.5")):
        if base <= top:
            return Decimal(rate)
    return Decimal(2)


def _party_fee_rows(pi, student, others) -> list[dict]:
    """A year of Party fees up to last month: staff pay 0.5–2 % of their monthly base by its
    band; a student pays 0.20 a month; 张伟 has not yet paid last month's."""
    first = timezone.localdate().replace(day=1)
    months = []
    for back in range(12, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append((year, month + 1))
    rows = []
    staff = [(pi, Decimal("18650.00"))] + [
        (head, Decimal(9000 + 700 * n)) for n, head in enumerate(others[:6])
    ]
    for year, month in months:
        last = (year, month) == months[-1]
        for person, base in staff:
            rate = _party_rate(base)
            due = (base * rate / 100).quantize(Decimal("0.01"))
            unpaid = last and person == pi
            rows.append(
                {
                    "member": person.number,
                    "month": f"{year}-{month:02d}",
                    "base": str(base),
                    "rate": str(rate),
                    "due": str(due),
                    "paid": "0" if unpaid else str(due),
                    "paid_on": "" if unpaid else f"{year}-{month:02d}-15",
                }
            )
        if student is not None:
            rows.append(
                {
                    "member": student.number,
                    "month": f"{year}-{month:02d}",
                    "base": "0",
                    "rate": "0",
                    "due": "0.20",
                    "paid": "0.20",
                    "paid_on": f"{year}-{month:02d}-10",
                }
            )
    return rows


@transaction.atomic
def seed_demo_research() -> str:
    if not User.objects.filter(username="zhangwei").exists():
        return "no research demo (no demo people)"
    pi, student, others = _people()
    projects, budgets, movements = _rows(pi, student, others)
    _with_settled_transference(budgets)
    runs = [
        services.mirror_import(
            kind=kind, rows=rows, origin=ImportRun.Origin.FILE, source=f"demo-{kind}.xlsx"
        )
        for kind, rows in (
            ("projects", projects),
            ("budgets", budgets),
            ("movements", movements),
            ("party_fees", _party_fee_rows(pi, student, others)),
        )
    ]
    refused = [r for r in runs if not r.ok]
    if refused:
        raise RuntimeError(f"the research demo's import was refused: {refused[0].report[:3]}")
    _forms()
    _adjustment_form()
    _finance_target()
    stories = _stories(pi)
    return f"{Project.objects.count()} research projects, {stories} research demo requests"


def sample_form(service: Service, form_data: dict) -> tuple[dict, User]:
    """A form the research claim services accept (a real project of 张伟 with money left, or
    his open pre-borrowed invoice), for the catalogue-wide check that every demo service can be
    applied for and approved."""
    from workflows.research.fields import open_invoices
    from workflows.research.models import BudgetLine

    pi = User.objects.select_related("department").get(username="zhangwei")
    data = dict(form_data)
    if service.code == INVOICE_CLAIM_SERVICE:
        invoice = open_invoices(pi).first()
        data["invoice"] = str(invoice.pk) if invoice else ""
        return data, pi
    if service.code == ADJUSTMENT_SERVICE:
        project = Project.objects.filter(pi=pi, status=Project.Status.ACTIVE).order_by("number")[0]
        data.update(
            {
                "project_number": project.number,
                CATEGORY_FIELD: "travel",
                TO_CATEGORY_FIELD: "conference",
                "amount": "100.00",
            }
        )
        return data, pi
    if service.code == TRANSFERENCE_SERVICE:
        a, b = Project.objects.filter(pi=pi, status=Project.Status.ACTIVE).order_by("number")[:2]
        data.update(
            {
                "project_number": a.number,
                TARGET_FIELD: b.number,
                CATEGORY_FIELD: "travel",
                "amount": "100.00",
            }
        )
        return data, pi
    line = (
        BudgetLine.objects.filter(project__pi=pi, project__status=Project.Status.ACTIVE)
        .select_related("project")
        .order_by("project__number", "category")
        .first()
    )
    data.update(
        {"project_number": line.project.number, CATEGORY_FIELD: line.category, "amount": "100.00"}
    )
    return data, pi
