"""Demo of the dashboards and the evaluation: the demo check-ins dated on time (one late), and
this year's mid-year evaluation in progress: self-scores computed, the reviewer's scores for
half the units, a bonus, and one veto (一票否决). Loading again changes nothing."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from hall.models import User
from performance import dashboards
from performance import evaluation as ev
from performance.models import CheckIn, Evaluation, Plan

NARRATIVE = "按计划推进，详见季度工作总结。"


def _date_check_ins(year: int) -> None:
    zone = timezone.get_current_timezone()
    for quarter in (1, 2):
        due = dashboards.checkin_due(year, quarter)
        on_time = datetime.combine(due - timedelta(days=5), time(10, 0), zone)
        CheckIn.objects.filter(line__plan__year=year, quarter=quarter, narrative=NARRATIVE).update(
            at=on_time
        )
    late = (
        CheckIn.objects.filter(line__plan__year=year, quarter=2, narrative=NARRATIVE)
        .order_by("pk")
        .first()
    )
    if late is not None:
        due = dashboards.checkin_due(year, 2)
        CheckIn.objects.filter(pk=late.pk).update(
            at=datetime.combine(due + timedelta(days=3), time(16, 0), zone)
        )


def seed_demo_evaluation() -> int:
    office = User.objects.filter(username="president-office-reviewer1").first()
    if office is None or not ev.is_office(office):
        return 0
    year = timezone.localdate().year
    _date_check_ins(year)
    if Evaluation.objects.filter(year=year, period=Evaluation.Period.MID_YEAR).exists():
        return 0
    if not Plan.objects.filter(year=year, status=Plan.Status.APPROVED).exists():
        return 0
    committee = list(
        User.objects.filter(username="president-office-head").values_list("pk", flat=True)
    )
    found = ev.evaluation_open(
        user=office, year=year, period=Evaluation.Period.MID_YEAR, quota=30, committee=committee
    )
    award, late = demo_score_items()
    entries = list(found.entries.select_related("unit").order_by("unit__code"))
    for n, entry in enumerate(entries):
        kwargs = {"user": office, "evaluation_id": found.pk, "entry_id": entry.pk}
        if n == 0:
            ev.entry_veto_set(
                veto=True, veto_reason="发生实验室安全责任事故，实行一票否决", **kwargs
            )
        elif n == 1:
            ev.entry_item_add(item_id=award.pk, note="获省级教学成果奖一等奖", **kwargs)
        elif n == 2:
            ev.entry_item_add(item_id=late.pk, note="第二季度进展逾期报送", **kwargs)
        if n % 3 != 2:  # the reviewer has scored two units in three so far
            ev.entry_review(score=Decimal(96 - 3 * n), **kwargs)
    return 1


def seed_demo_coordination() -> int:
    """A dispute between the School of CS and the assets office over rooms, with both
    positions, a coordination meeting and the office's proposal, waiting to be sent."""
    from hall.models import Department
    from performance import coordination as co
    from performance.models import Coordination

    office = User.objects.filter(username="president-office-reviewer1").first()
    leader = User.objects.filter(username="president-office-head").first()
    units = {d.code: d for d in Department.objects.filter(code__in=["school-cs", "assets"])}
    if office is None or leader is None or len(units) < 2:
        return 0
    title = "实验楼三层用房归属争议"
    if Coordination.objects.filter(title=title).exists():
        return 0
    case = co.case_open(
        user=office,
        title=title,
        matter="计算机科学与技术学院与国有资产管理处对实验楼三层东侧用房的使用权存在分歧，"
        "影响新建人工智能实验室的建设进度。",
        parties=[units["school-cs"], units["assets"]],
        coordinator=office,
        leader=leader,
    )
    for username, text in [
        ("school-cs-head", "该层用房自2019年起由学院实验中心使用，拟建人工智能实验室已获立项。"),
        ("assets-head", "按公用房管理办法，该层属学校统筹用房，应按定额重新核定后分配。"),
    ]:
        head = User.objects.filter(username=username).first()
        if head is not None:
            co.note_add(user=head, case_id=case.pk, kind="position", text=text)
    co.note_add(
        user=office,
        case_id=case.pk,
        kind="meeting",
        text="11月25日召开协调会，双方同意按实际使用需求与定额相结合的原则处理。",
    )
    co.proposal_set(
        user=office,
        case_id=case.pk,
        text="东侧4间由学院继续使用并纳入定额核算，西侧2间由资产处统筹，资产处于12月底前完成核定。",
    )
    return 1


def demo_score_items():
    """The catalogue's first items (the office edits it in admin)."""
    from performance.models import ScoreItem

    award, _ = ScoreItem.objects.get_or_create(
        name="获省级及以上教学、科研成果奖",
        defaults={"name_en": "Provincial or national award", "kind": "bonus", "points": 3},
    )
    ScoreItem.objects.get_or_create(
        name="承担学校临时性重大任务并圆满完成",
        defaults={
            "name_en": "A major ad-hoc task for the university done well",
            "kind": "bonus",
            "points": 2,
            "evidence_required": True,
        },
    )
    late, _ = ScoreItem.objects.get_or_create(
        name="进展填报逾期",
        defaults={"name_en": "Check-in reported late", "kind": "penalty", "points": 1},
    )
    ScoreItem.objects.get_or_create(
        name="被督查通报批评",
        defaults={
            "name_en": "Criticised in the supervision bulletin",
            "kind": "penalty",
            "points": 2,
            "evidence_required": True,
        },
    )
    return award, late
