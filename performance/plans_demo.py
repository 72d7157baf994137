"""Demo unit plans: an indicator library, two templates (colleges, functional departments), this
year's plans approved through the chain for every unit with a head, and two quarters of check-ins
(some behind, one off track). Keyed by names: loading again adds nothing."""

from decimal import Decimal

from django.utils import timezone

from hall.models import Department, User
from performance import plans
from performance.models import (
    CheckIn,
    CheckInPeriod,
    Indicator,
    Plan,
    PlanTemplate,
    TemplateLine,
)
from workflows import services as engine
from workflows.models import ApprovalTask

# name, measure, baseline, target, evidence required, definition
INDICATORS = [
    ("高水平论文", "篇", 20, 40, False, "本年度发表的中科院一区及以上论文"),
    ("国家级科研项目立项", "项", 5, 10, True, "国家自然科学基金、社科基金等立项数"),
    ("本科生就业率", "%", 90, 96, False, "截至年底的毕业去向落实率"),
    ("生均能耗", "千瓦时", 1200, 1000, False, "全年用电量除以在校生人数（越低越好）"),
    ("网上办事事项", "项", 10, 50, True, "在一站式服务大厅上线的事项数"),
    ("办件平均时长", "工作日", 8, 3, False, "受理到办结的平均工作日（越低越好）"),
]
TEMPLATES = {
    "二级学院年度绩效计划模板": (
        Department.Kind.UNIT,
        [
            ("高水平论文", "core", 40),
            ("国家级科研项目立项", "core", 30),
            ("本科生就业率", "routine", 20),
            ("生均能耗", "routine", 10),
        ],
    ),
    "职能部门年度工作计划模板": (
        Department.Kind.FUNCTIONAL,
        [("网上办事事项", "core", 60), ("办件平均时长", "routine", 40)],
    ),
}
# The share of the way reached in Q1, Q2 by the n-th plan (cycled): on track, behind, off track.
SHARES = [(30, 55), (20, 30), (10, 15), (25, 50)]


def _periods(plan: Plan, q1: int, q2: int) -> list[tuple[int, Decimal]]:
    """The periods reported and the share of the way reached at each: Q1 and Q2, or for a
    monthly plan January to June, each month on the straight line between the quarters'."""
    if plan.period != CheckInPeriod.MONTHLY:
        return [(1, Decimal(q1)), (2, Decimal(q2))]
    return [(m, Decimal(q1) * m / 3) for m in (1, 2, 3)] + [
        (m, Decimal(q1) + Decimal(q2 - q1) * (m - 3) / 3) for m in (4, 5, 6)
    ]


def seed_demo_plans() -> int:
    supervisor = User.objects.filter(username="president-office-reviewer1").first()
    if supervisor is None or not plans.is_office(supervisor):
        return 0
    library = {}
    for name, measure, base, target, evidence, definition in INDICATORS:
        library[name], _ = Indicator.objects.get_or_create(
            name=name,
            defaults={
                "measure": measure,
                "baseline": Decimal(base),
                "target": Decimal(target),
                "evidence_required": evidence,
                "definition": definition,
                "data_source": "单位填报，绩效办核验",
            },
        )
    year = timezone.localdate().year
    for title, (kind, rows) in TEMPLATES.items():
        template, made = PlanTemplate.objects.get_or_create(name=title, unit_kind=kind)
        if made:
            for name, line_kind, weight in rows:
                TemplateLine.objects.create(
                    template=template, indicator=library[name], kind=line_kind, weight=weight
                )
        plans.plans_from_template(user=supervisor, template_id=template.pk, year=year)
    chosen = (
        Plan.objects.filter(year=year, unit__heads__isnull=False)
        .select_related("unit")
        .distinct()
        .order_by("unit__code")
    )
    # The first college's plan is checked in monthly (set while it is still a draft: the first
    # load; later loads find it approved and leave it).
    monthly = next((p for p in chosen if p.unit.kind == Department.Kind.UNIT), None)
    if monthly is not None and monthly.status == Plan.Status.DRAFT:
        plans.plan_period_set(plan_id=monthly.pk, user=supervisor, period=CheckInPeriod.MONTHLY)
    for n, plan in enumerate(chosen):
        head = plan.unit.heads.order_by("pk").first()
        if plan.status == Plan.Status.DRAFT:
            plans.plan_submit(plan_id=plan.pk, user=head)
        task = ApprovalTask.objects.filter(
            request__form_data__plan=str(plan.pk), status="pending"
        ).first()
        if task is not None:
            engine.task_decide(
                task_id=task.pk, user=task.assignee, action="approve", comment="同意"
            )
        plan.refresh_from_db()
        if plan.status != Plan.Status.APPROVED or CheckIn.objects.filter(line__plan=plan).exists():
            continue
        q1, q2 = SHARES[n % len(SHARES)]
        for line in plan.lines.select_related("indicator"):
            if line.indicator.evidence_required:
                continue  # left for the unit to report with its evidence
            for quarter, share in _periods(plan, q1, q2):
                value = line.baseline + (line.target - line.baseline) * share / 100
                plans.checkin_record(
                    line_id=line.pk,
                    user=head,
                    quarter=quarter,
                    value=value.quantize(Decimal("0.01")),
                    narrative="按计划推进，详见季度工作总结。",
                )
    return Plan.objects.filter(year=year).count()
