# ruff: noqa: F811 — the tests take the plans tests' ``setup`` fixture, imported by name
"""The plans' dashboards (a unit's, the institution's), check-in deadlines, reminders and late
notices on the tick, and the pages' visibility and query counts."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hall.models import Department, Notification, User
from performance import dashboards, plans
from performance.models import CheckIn, Indicator, Plan, PlanLine
from tests.performance.conftest import at
from tests.performance.test_plans import _approved, setup  # noqa: F401 — the fixture


def test_a_quarters_check_in_is_due_fifteen_days_after_it_ends():
    assert dashboards.checkin_due(2026, 1) == date(2026, 4, 15)
    assert dashboards.checkin_due(2026, 2) == date(2026, 7, 15)
    assert dashboards.checkin_due(2026, 4) == date(2027, 1, 15)
    assert dashboards.last_due_quarter(2026, date(2026, 4, 15)) == 0
    assert dashboards.last_due_quarter(2026, date(2026, 4, 16)) == 1
    assert dashboards.last_due_quarter(2026, date(2026, 12, 1)) == 3


def _check_in(setup, plan, name, quarter, value, when):
    line = plan.lines.get(indicator__name=name)
    with time_machine.travel(at(when), tick=False):
        return plans.checkin_record(
            line_id=line.pk, user=setup["hank"], quarter=quarter, value=Decimal(value)
        )


@pytest.fixture
def approved(setup):
    plan = _approved(setup)
    # Papers 20 → 40: Q1 on time, 25 % (on track); Q2 late, 30 % where 50 % is expected (behind).
    _check_in(setup, plan, "高水平论文", 1, 25, "2026-04-10 10:00")
    _check_in(setup, plan, "高水平论文", 2, 26, "2026-07-20 10:00")
    return plan


def test_the_unit_dashboard_puts_the_weakest_first_and_flags_late_and_missing(
    client, setup, approved
):
    # given the energy indicator has no check-in, Q1 and Q2 past their deadlines
    client.force_login(setup["hank"])
    # when the head opens the dashboard in September
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        page = client.get(reverse("performance:plan-dashboard", args=[approved.pk]))
    # then: behind (papers) before not reported (energy); Q2's late mark; two missing quarters
    assert page.status_code == 200
    board = page.context["board"]
    assert [row["name"] for row in board.rows] == ["高水平论文", "生均能耗"]
    assert (board.late, board.missing) == (1, 2)
    assert board.counts[plans.Light.YELLOW] == 1
    # weighted score: 70 × 30 % = 21 of 100
    assert board.score == Decimal("21.0")
    html = page.content.decode()
    assert "late" in html and "missing" in html and "<svg" in html
    assert [q["score"] for q in board.quarters] == [Decimal("17.5"), Decimal("21.0"), None, None]


def test_the_dashboard_follows_a_new_check_in_at_once(client, setup, approved):
    client.force_login(setup["hank"])
    url = reverse("performance:plan-dashboard", args=[approved.pk])
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        assert client.get(url).context["board"].counts[plans.Light.RED] == 0
        energy = approved.lines.get(indicator__name="生均能耗")
        CheckIn.objects.create(
            line=energy, quarter=1, value=99, progress=5, light="red", author=setup["hank"]
        )
        PlanLine.objects.filter(pk=energy.pk).update(progress=5, light="red")
        # a write behind the services' back is not seen (cached) …
        assert client.get(url).context["board"].counts[plans.Light.RED] == 0
        plans.changed()  # … the services bump the version
        assert client.get(url).context["board"].counts[plans.Light.RED] == 1


def test_the_institution_dashboard_ranks_the_units_weakest_first_by_kind(client, setup, approved):
    # given the maths school's plan is a draft with nothing reported, and a functional plan
    office = Department.objects.create(code="logistics", name_zh="后勤处", kind="functional")
    Plan.objects.create(unit=office, year=2026, status=Plan.Status.APPROVED)
    client.force_login(setup["sam"])
    url = reverse("performance:plans-dashboard")
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        page = client.get(url, {"year": 2026, "kind": "unit"})
        everything = client.get(url, {"year": 2026})
    rows = page.context["table"]
    assert [r[1] for r in rows] == ["数学学院", "School of Computer Science"]  # 0 before 21
    assert rows[1][4] == Decimal("21.0") and rows[1][7] == 1  # score, behind
    assert rows[1][10] == 1  # energy: Q2's check-in is missing
    assert page.context["totals"]["yellow"] == 1
    assert len(everything.context["table"]) == 3


def test_bad_dashboard_parameters_are_left_out_with_a_message(client, setup):
    client.force_login(setup["sam"])
    page = client.get(reverse("performance:plans-dashboard"), {"year": "abc", "kind": "zzz"})
    assert page.status_code == 200
    assert "was left out" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "unit", "institution"),
    [
        ("sam", 200, 200),  # the office
        ("hank", 200, 404),  # the unit's head
        ("alice", 200, 404),  # the unit's staff
        ("stu", 404, 404),  # a student of the unit
        ("charlie", 404, 404),  # another department
        (None, 302, 302),  # anonymous: to the login page
    ],
)
def test_dashboards_by_persona(client, setup, who, unit, institution):
    plan = _approved(setup)
    if who:
        client.force_login(User.objects.get(username=who))
    assert client.get(reverse("performance:plan-dashboard", args=[plan.pk])).status_code == unit
    assert client.get(reverse("performance:plans-dashboard")).status_code == institution


def _queries(client, url) -> int:
    plans.changed()  # the cold page: what the first reader after a write pays
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_institution_dashboard_costs_the_same_at_1_and_50_units(
    client, setup, django_assert_num_queries
):
    client.force_login(setup["sam"])
    indicator = Indicator.objects.first()
    url = reverse("performance:plans-dashboard") + "?year=2026"

    def plan_for(unit):
        plan = Plan.objects.create(unit=unit, year=2026, status=Plan.Status.APPROVED)
        line = PlanLine.objects.create(
            plan=plan, indicator=indicator, kind="core", weight=100, baseline=0, target=10
        )
        CheckIn.objects.create(
            line=line, quarter=1, value=5, progress=50, light="green", author=setup["sam"]
        )

    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        plan_for(setup["school"])
        client.get(url)
        one = _queries(client, url)
        for n in range(49):
            plan_for(Department.objects.create(code=f"u{n}", name_zh=f"单位{n}", kind="unit"))
        plans.changed()
        with django_assert_num_queries(one):
            page = client.get(url)
    assert len(page.context["table"]) == 50


def test_the_unit_dashboard_costs_the_same_at_1_and_50_indicators(
    client, setup, django_assert_num_queries
):
    plan = _approved(setup)
    client.force_login(setup["hank"])
    url = reverse("performance:plan-dashboard", args=[plan.pk])
    PlanLine.objects.filter(plan=plan).exclude(indicator__name="高水平论文").delete()
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        client.get(url)
        one = _queries(client, url)
        indicator = Indicator.objects.first()
        for _ in range(49):
            line = PlanLine.objects.create(
                plan=plan, indicator=indicator, kind="core", weight=0, baseline=0, target=10
            )
            CheckIn.objects.create(
                line=line, quarter=1, value=5, progress=50, light="green", author=setup["hank"]
            )
        plans.changed()
        with django_assert_num_queries(one):
            page = client.get(url)
    assert len(page.context["board"].rows) == 50


# --- reminders before the deadline, late notices after, each once --------------------------


def _notices(kind):
    return list(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_the_tick_reminds_before_the_deadline_and_flags_late_once(setup):
    # given an approved plan with nothing reported for Q3 (due 15 October)
    _approved(setup)
    # when the tick runs twice five days before the deadline
    first = dashboards.checkin_tick(now=at("2026-10-10 09:00"))
    sent = dashboards.checkin_tick(now=at("2026-10-10 09:01"))
    # then the unit's head is reminded once
    assert _notices(Notification.Kind.REMINDER) == ["hank"]
    assert (first, sent) == ({"due": 1, "late": 0}, {"due": 0, "late": 0})
    # and after the deadline, one late notice, however many ticks
    assert dashboards.checkin_tick(now=at("2026-10-16 09:00")) == {"due": 0, "late": 1}
    assert dashboards.checkin_tick(now=at("2026-10-17 09:00")) == {"due": 0, "late": 0}
    assert _notices(Notification.Kind.OVERDUE) == ["hank"]


def test_the_tick_reminds_nobody_who_has_reported_or_outside_the_windows(setup):
    plan = _approved(setup)
    assert dashboards.checkin_tick(now=at("2026-09-01 09:00")) == {"due": 0, "late": 0}
    for line in plan.lines.all():
        CheckIn.objects.create(
            line=line, quarter=3, value=1, progress=1, light="red", author=setup["hank"]
        )
    assert dashboards.checkin_tick(now=at("2026-10-10 09:00")) == {"due": 0, "late": 0}
    assert not Notification.objects.filter(kind=Notification.Kind.REMINDER).exists()


def test_the_hall_tick_runs_the_plans_pass():
    from workflows.reminders import _APP_TICKS

    assert _APP_TICKS["plans"] is dashboards.checkin_tick


def test_the_offices_menu_links_the_plans(client, setup):
    client.force_login(setup["hank"])
    page = client.get(reverse("performance:plans")).content.decode()
    assert f'href="{reverse("performance:plans")}"' in page


def test_a_plan_approved_after_a_pass_is_reminded_at_the_next_tick(setup):
    # given a pass in the window that reminded the school's head
    _approved(setup)
    assert dashboards.checkin_tick(now=at("2026-10-10 09:00")) == {"due": 1, "late": 0}
    assert dashboards.checkin_tick(now=at("2026-10-10 09:01")) == {"due": 0, "late": 0}
    # when the maths school's plan is approved
    maths = Plan.objects.get(unit=setup["other"])
    Plan.objects.filter(pk=maths.pk).update(status=Plan.Status.APPROVED)
    setup["other"].heads.add(setup["rita"])
    plans.changed()  # as every plan write does
    # then the next tick reminds its head, once
    assert dashboards.checkin_tick(now=at("2026-10-10 09:02")) == {"due": 1, "late": 0}
    assert sorted(_notices(Notification.Kind.REMINDER)) == ["hank", "rita"]


def test_after_a_check_in_the_institution_page_counts_only_that_plan_again(client, setup, approved):
    # given the institution page read once, and another plan's line lit behind the services
    other = Plan.objects.get(unit=setup["other"])
    client.force_login(setup["sam"])
    url = reverse("performance:plans-dashboard") + "?year=2026"
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        client.get(url)
        PlanLine.objects.filter(plan=other).update(light="red")
        # when the school's head records a check-in (the services bump that plan only)
        _check_in(setup, approved, "高水平论文", 3, 36, "2026-09-01 10:00")
        rows = {r[1]: r for r in client.get(url).context["table"]}
    # then the school's figures are counted again, the other plan's come from the cache
    assert rows["School of Computer Science"][6:8] == (1, 0)  # papers: behind → on track
    assert rows["数学学院"][8] == 0  # its lit line is not counted: nothing bumped it
    plans.changed()  # a write without a plan: every plan's figures again
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        rows = {r[1]: r for r in client.get(url).context["table"]}
    assert rows["数学学院"][8] == 2


def test_the_plan_page_flags_a_late_check_in_as_the_dashboard_does(client, setup, approved):
    # given Q1 was reported on time and Q2 after its deadline (the fixture)
    client.force_login(setup["hank"])
    with time_machine.travel(at("2026-09-01 10:00"), tick=False):
        page = client.get(reverse("performance:plan", args=[approved.pk]))
    rows = [r for r in page.content.decode().split("<tr") if 'class="checkin"' in r]
    assert len(rows) == 2
    assert "dash-late" not in rows[0] and "dash-late" in rows[1]
