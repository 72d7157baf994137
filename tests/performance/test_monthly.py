# ruff: noqa: F811 — the tests take the plans tests' ``setup`` fixture, imported by name
"""Monthly check-ins: a plan (and its template) is checked in quarterly or monthly, and the
periods, deadlines, reminders, late flags, the light and the dashboards follow the plan's."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from hall.models import Department, Notification
from performance import dashboards, plans
from performance.models import CheckIn, CheckInPeriod, Indicator, Plan, PlanLine
from tests.performance.conftest import at
from tests.performance.test_dashboards import _queries
from tests.performance.test_plans import _approved, setup  # noqa: F401 — the fixture

MONTHLY, QUARTERLY = CheckInPeriod.MONTHLY, CheckInPeriod.QUARTERLY


def test_a_month_expects_the_straight_line_between_the_quarters_milestones():
    indicator = Indicator(name="x", baseline=0, target=1, milestones="30,50,80")
    months = [plans.expected_at(indicator, m, MONTHLY) for m in range(1, 13)]
    assert months[2::3] == [Decimal(30), Decimal(50), Decimal(80), Decimal(100)]
    assert months[0] == Decimal("10.00") and months[3] == Decimal("36.67")
    assert months == sorted(months)
    assert [plans.expected_at(indicator, q) for q in (1, 2, 3, 4)] == months[2::3]


def test_a_months_check_in_is_due_fifteen_days_after_the_month_ends():
    assert dashboards.checkin_due(2026, 1, MONTHLY) == date(2026, 2, 15)
    assert dashboards.checkin_due(2026, 2, MONTHLY) == date(2026, 3, 15)
    assert dashboards.checkin_due(2026, 12, MONTHLY) == date(2027, 1, 15)
    assert dashboards.checkin_due(2026, 1, QUARTERLY) == date(2026, 4, 15)
    assert dashboards.last_due(2026, date(2026, 4, 16), MONTHLY) == 3
    assert dashboards.last_due(2026, date(2026, 4, 15), MONTHLY) == 2
    assert dashboards.last_due(2026, date(2026, 4, 16), QUARTERLY) == 1
    assert plans.periods_of(MONTHLY) == tuple(range(1, 13))
    assert plans.periods_of(QUARTERLY) == (1, 2, 3, 4)


def test_plans_made_before_months_came_stay_quarterly(setup):
    plan = Plan.objects.create(unit=setup["school"], year=2025)
    assert plan.period == QUARTERLY
    assert setup["template"].period == QUARTERLY


@pytest.fixture
def monthly(setup):
    setup["template"].period = MONTHLY
    setup["template"].save()
    return _approved(setup)


def _record(setup, plan, name, n, value, when="2026-03-01 10:00", **kw):
    line = plan.lines.get(indicator__name=name)
    with time_machine.travel(at(when), tick=False):
        return plans.checkin_record(
            line_id=line.pk, user=setup["hank"], quarter=n, value=Decimal(value), **kw
        )


def test_a_monthly_templates_plans_take_twelve_check_ins_lit_against_the_month(setup, monthly):
    assert monthly.period == MONTHLY
    assert set(Plan.objects.values_list("period", flat=True)) == {MONTHLY}
    # papers 20 → 40: 22 is 10 %; January expects 8.33 % (on track), April 33.33 % (behind)
    assert _record(setup, monthly, "高水平论文", 1, 22).light == plans.Light.GREEN
    assert _record(setup, monthly, "高水平论文", 4, 22).light == plans.Light.YELLOW
    for m in (2, 3, 5, 6, 7, 8, 9, 10, 11, 12):
        _record(setup, monthly, "高水平论文", m, 30)
    assert CheckIn.objects.filter(line__plan=monthly).count() == 12
    with pytest.raises(plans.PlanError, match="A month is 1 to 12"):
        _record(setup, monthly, "高水平论文", 13, 30)
    with pytest.raises(plans.PlanError, match="This month is already reported"):
        _record(setup, monthly, "高水平论文", 12, 30)
    assert CheckIn.objects.filter(line__plan=monthly).count() == 12


def test_a_quarterly_plan_still_refuses_a_fifth_period(setup):
    plan = _approved(setup)
    with pytest.raises(plans.PlanError, match="A quarter is 1 to 4"):
        _record(setup, plan, "高水平论文", 5, 30)
    assert not CheckIn.objects.exists()


def test_a_draft_plans_period_is_set_and_an_approved_ones_refused(setup, monthly):
    draft = Plan.objects.get(unit=setup["other"])
    plans.plan_period_set(plan_id=draft.pk, user=setup["sam"], period=QUARTERLY)
    draft.refresh_from_db()
    assert draft.period == QUARTERLY
    with pytest.raises(plans.PlanError, match="Choose quarterly or monthly"):
        plans.plan_period_set(plan_id=draft.pk, user=setup["sam"], period="weekly")
    with pytest.raises(plans.PlanError, match="changes only through its approval"):
        plans.plan_period_set(plan_id=monthly.pk, user=setup["hank"], period=QUARTERLY)
    monthly.refresh_from_db()
    assert monthly.period == MONTHLY


def _notices(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_the_tick_reminds_a_monthly_plan_every_month_once_and_a_quarterly_one_by_quarter(
    setup, monthly
):
    # given the school's plan is monthly and the maths school's is quarterly, both approved
    maths = Plan.objects.get(unit=setup["other"])
    Plan.objects.filter(pk=maths.pk).update(status=Plan.Status.APPROVED, period=QUARTERLY)
    setup["other"].heads.add(setup["rita"])
    plans.changed()
    # when the tick runs twice five days before January's deadline (15 February)
    assert dashboards.checkin_tick(now=at("2026-02-10 09:00")) == {"due": 1, "late": 0}
    assert dashboards.checkin_tick(now=at("2026-02-10 09:01")) == {"due": 0, "late": 0}
    # then only the monthly plan's head is reminded, once
    assert _notices(Notification.Kind.REMINDER) == ["hank"]
    subject = Notification.objects.get(kind=Notification.Kind.REMINDER).subject
    assert "月度进展填报即将截止" in subject and "2026年1月" in subject
    # after the deadline: one late notice however many ticks
    assert dashboards.checkin_tick(now=at("2026-02-16 09:00")) == {"due": 0, "late": 1}
    assert dashboards.checkin_tick(now=at("2026-02-16 09:01")) == {"due": 0, "late": 0}
    assert _notices(Notification.Kind.OVERDUE) == ["hank"]
    # February is reminded in its turn; March's window (10–15 April) meets Q1's, and
    # February's late notice
    assert dashboards.checkin_tick(now=at("2026-03-12 09:00")) == {"due": 1, "late": 0}
    assert dashboards.checkin_tick(now=at("2026-04-12 09:00")) == {"due": 2, "late": 1}
    assert dashboards.checkin_tick(now=at("2026-04-12 09:01")) == {"due": 0, "late": 0}
    assert _notices(Notification.Kind.REMINDER) == ["hank", "hank", "hank", "rita"]


def test_a_monthly_plan_that_reported_its_month_is_not_reminded(setup, monthly):
    for line in monthly.lines.all():
        CheckIn.objects.create(
            line=line, quarter=1, value=1, progress=1, light="red", author=setup["hank"]
        )
    assert dashboards.checkin_tick(now=at("2026-02-10 09:00")) == {"due": 0, "late": 0}


def test_the_unit_dashboard_of_a_monthly_plan_has_twelve_months(client, setup, monthly):
    # given January on time, February late (after 15 March), nothing else
    _record(setup, monthly, "高水平论文", 1, 22, when="2026-02-10 10:00")
    _record(setup, monthly, "高水平论文", 2, 23, when="2026-03-20 10:00")
    client.force_login(setup["hank"])
    # when the head opens the dashboard on 16 April (January to March due)
    with time_machine.travel(at("2026-04-16 10:00"), tick=False):
        page = client.get(reverse("performance:plan-dashboard", args=[monthly.pk]))
    board = page.context["board"]
    # then twelve columns, one late mark, March missing for papers, all three for energy
    assert page.context["quarters"] == [f"M{m}" for m in range(1, 13)]
    assert len(board.quarters) == 12 and len(board.rows[0]["cells"]) == 12
    assert (board.late, board.missing) == (1, 4)
    assert [q["score"] for q in board.quarters][:3] == [Decimal("7.0"), Decimal("10.5"), None]
    html = page.content.decode()
    assert "Weighted score per month" in html and "M12" in html


def test_the_unit_dashboard_of_a_monthly_plan_costs_the_same_at_1_and_50_indicators(
    client, setup, monthly, django_assert_num_queries
):
    client.force_login(setup["hank"])
    url = reverse("performance:plan-dashboard", args=[monthly.pk])
    PlanLine.objects.filter(plan=monthly).exclude(indicator__name="高水平论文").delete()
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        client.get(url)
        one = _queries(client, url)
        indicator = Indicator.objects.first()
        for _ in range(49):
            line = PlanLine.objects.create(
                plan=monthly, indicator=indicator, kind="core", weight=0, baseline=0, target=10
            )
            for m in (1, 2, 3):
                CheckIn.objects.create(
                    line=line, quarter=m, value=5, progress=50, light="green", author=setup["hank"]
                )
        plans.changed()
        with django_assert_num_queries(one):
            page = client.get(url)
    assert len(page.context["board"].rows) == 50


def test_the_institution_dashboard_counts_each_plan_by_its_own_period(client, setup, monthly):
    # given the monthly school reported January to March, the quarterly maths school nothing
    maths = Plan.objects.get(unit=setup["other"])
    Plan.objects.filter(pk=maths.pk).update(status=Plan.Status.APPROVED, period=QUARTERLY)
    for m in (1, 2, 3):
        _record(setup, monthly, "高水平论文", m, 20 + 2 * m, when="2026-02-01 10:00")
    client.force_login(setup["sam"])
    url = reverse("performance:plans-dashboard") + "?year=2026"
    # when the office looks on 16 April (the school: March due; maths: Q1 due)
    with time_machine.travel(at("2026-04-16 10:00"), tick=False):
        page = client.get(url)
    rows = {r[1]: r for r in page.context["table"]}
    # then the school misses energy's March only, maths both Q1 check-ins
    assert rows["School of Computer Science"][10] == 1
    assert rows[Department.objects.get(pk=setup["other"].pk).name_zh][10] == 2
    # and the school's March counts as its first quarter in the lights per quarter
    first = page.context["quarters"][0][1]
    assert (first["green"] + first["yellow"] + first["red"]) == 1


def test_the_plan_page_of_a_monthly_plan_asks_for_the_month(client, setup, monthly):
    _record(setup, monthly, "高水平论文", 7, 30)
    client.force_login(setup["hank"])
    html = client.get(monthly.get_absolute_url()).content.decode()
    assert "M7: 30" in html and 'max="12"' in html and "Monthly" in html
    # a draft plan's page offers the period; a POST on an approved one is refused
    response = client.post(
        reverse("performance:plan-period", args=[monthly.pk]), {"period": "quarterly"}, follow=True
    )
    assert "changes only through its approval" in response.content.decode()
    monthly.refresh_from_db()
    assert monthly.period == MONTHLY


def test_the_institution_chart_rolls_a_monthly_plans_quarter_up_from_its_latest_months(
    client, setup, monthly
):
    # given the monthly school reported papers in April and May, energy in April only (June,
    # the quarter's third month, not yet)
    papers = monthly.lines.get(indicator__name="高水平论文")
    energy = monthly.lines.get(indicator__name="生均能耗")
    for line, month, progress, light in (
        (papers, 4, 10, "red"),
        (papers, 5, 30, "yellow"),
        (energy, 4, 50, "green"),
    ):
        CheckIn.objects.create(
            line=line, quarter=month, value=1, progress=progress, light=light, author=setup["hank"]
        )
    plans.changed()
    client.force_login(setup["sam"])
    # when the office opens the institution dashboard in June
    with time_machine.travel(at("2026-06-20 10:00"), tick=False):
        page = client.get(reverse("performance:plans-dashboard") + "?year=2026")
    quarters = dict(page.context["quarters"])
    # then the second quarter counts each indicator once, by its latest month: papers' May
    # (30 %, behind) and energy's April (50 %, on track) — not April's papers, not nothing
    second = quarters["Q2"]
    assert (second["green"], second["yellow"], second["red"]) == (1, 1, 0)
    assert second["average"] == Decimal("40.0")
    assert quarters["Q1"]["average"] is None
    html = page.content.decode()
    assert "latest month reported in that quarter" in html
    # and a quarterly-only year carries no such note
    Plan.objects.update(period=QUARTERLY)
    CheckIn.objects.all().delete()
    plans.changed()
    with time_machine.travel(at("2026-06-20 10:00"), tick=False):
        html = client.get(reverse("performance:plans-dashboard") + "?year=2026").content.decode()
    assert "latest month reported in that quarter" not in html
