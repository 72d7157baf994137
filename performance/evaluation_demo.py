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
    entries = list(found.entries.select_related("unit").order_by("unit__code"))
    for n, entry in enumerate(entries):
        kwargs = {"user": office, "evaluation_id": found.pk, "entry_id": entry.pk}
        if n == 0:
            ev.entry_items_set(
                bonus=Decimal(0),
                penalty=Decimal(0),
                veto=True,
                veto_reason="发生实验室安全责任事故，实行一票否决",
                **kwargs,
            )
        elif n == 1:
            ev.entry_items_set(
                bonus=Decimal(3), penalty=Decimal(0), note="获省级教学成果奖 +3", **kwargs
            )
        if n % 3 != 2:  # the reviewer has scored two units in three so far
            ev.entry_review(score=Decimal(96 - 3 * n), **kwargs)
    return 1
