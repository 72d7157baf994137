"""Unit plans: templates, weights that total 100, the approval chain, check-ins whose progress is
computed (hypothesis properties) and lit, and the pages' visibility and query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from hall.models import Department, User
from performance import plans
from performance.models import CheckIn, Indicator, Plan, PlanLine, PlanTemplate, TemplateLine
from tests.files import real_pdf
from workflows import services as engine
from workflows.models import ApprovalTask

D = st.decimals(min_value=-10000, max_value=10000, places=2, allow_nan=False, allow_infinity=False)


@given(baseline=D, target=D, value=D)
def test_progress_is_capped_zero_at_the_baseline_full_at_the_target(baseline, target, value):
    if baseline == target:
        return
    assert plans.progress_of(baseline=baseline, target=target, value=baseline) == 0
    assert plans.progress_of(baseline=baseline, target=target, value=target) == 100
    assert 0 <= plans.progress_of(baseline=baseline, target=target, value=value) <= 100


@given(baseline=D, target=D, a=D, b=D)
def test_progress_moves_with_the_value_the_way_the_direction_says(baseline, target, a, b):
    if baseline == target:
        return
    low, high = sorted((a, b))
    p_low = plans.progress_of(baseline=baseline, target=target, value=low)
    p_high = plans.progress_of(baseline=baseline, target=target, value=high)
    if target > baseline:  # higher is better
        assert p_low <= p_high
    else:  # lower is better
        assert p_low >= p_high


def test_lower_is_better_example():
    # Energy per student from 100 down to 80: 90 is half way.
    assert plans.progress_of(baseline=Decimal(100), target=Decimal(80), value=Decimal(90)) == 50


def test_light_from_progress_against_time():
    assert plans.light_of(Decimal(45), Decimal(50)) == plans.Light.GREEN
    assert plans.light_of(Decimal(30), Decimal(50)) == plans.Light.YELLOW
    assert plans.light_of(Decimal(10), Decimal(50)) == plans.Light.RED


@pytest.fixture
def setup(office):
    other = Department.objects.create(code="school-math", name_zh="数学学院", kind="unit")
    papers = Indicator.objects.create(
        name="高水平论文", baseline=Decimal(20), target=Decimal(40), measure="篇"
    )
    energy = Indicator.objects.create(
        name="生均能耗", baseline=Decimal(100), target=Decimal(80), evidence_required=True
    )
    template = PlanTemplate.objects.create(name="学院模板", unit_kind="unit")
    TemplateLine.objects.create(template=template, indicator=papers, kind="core", weight=70)
    TemplateLine.objects.create(template=template, indicator=energy, kind="routine", weight=30)
    student = User.objects.create_user(
        "stu", password="pw", department=office["school"], identity="undergraduate"
    )
    return {**office, "other": other, "template": template, "student": student}


def _apply(setup, year=2026):
    return plans.plans_from_template(user=setup["sam"], template_id=setup["template"].pk, year=year)


def test_a_template_gives_every_unit_of_its_kind_a_plan_once(setup):
    assert _apply(setup) == 2
    assert _apply(setup) == 0  # applying again changes nothing
    assert Plan.objects.count() == 2
    assert PlanLine.objects.count() == 4
    with pytest.raises(plans.PlanError, match="Only the office"):
        plans.plans_from_template(user=setup["hank"], template_id=setup["template"].pk, year=2027)


def test_weights_not_totalling_100_are_refused_and_nothing_saved(setup):
    _apply(setup)
    plan = Plan.objects.get(unit=setup["school"])
    lines = list(plan.lines.order_by("pk"))
    with pytest.raises(plans.PlanError, match="total 110; core and routine indicators must total"):
        plans.plan_weights_set(
            plan_id=plan.pk, user=setup["hank"], weights={lines[0].pk: 80, lines[1].pk: 30}
        )
    assert sorted(plan.lines.values_list("weight", flat=True)) == [30, 70]
    plans.plan_weights_set(
        plan_id=plan.pk, user=setup["hank"], weights={lines[0].pk: 60, lines[1].pk: 40}
    )
    assert sorted(plan.lines.values_list("weight", flat=True)) == [40, 60]


def _approved(setup) -> Plan:
    _apply(setup)
    plan = Plan.objects.get(unit=setup["school"])
    plans.plan_submit(plan_id=plan.pk, user=setup["hank"])
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED
    task = ApprovalTask.objects.get(status="pending")
    assert task.assignee_id == setup["sam"].pk
    engine.task_decide(task_id=task.pk, user=setup["sam"], action="approve", comment="同意")
    plan.refresh_from_db()
    return plan


def test_a_plan_is_approved_through_the_chain_and_then_locked(setup):
    plan = _approved(setup)
    assert plan.status == Plan.Status.APPROVED
    line = plan.lines.first()
    with pytest.raises(plans.PlanError, match="changes only through its approval"):
        plans.plan_weights_set(plan_id=plan.pk, user=setup["hank"], weights={line.pk: 100})


def test_check_ins_compute_progress_and_light(setup):
    plan = _approved(setup)
    papers = plan.lines.get(indicator__name="高水平论文")
    checkin = plans.checkin_record(
        line_id=papers.pk, user=setup["hank"], quarter=2, value=Decimal(24), narrative="6篇在审"
    )
    assert checkin.progress == 20  # 4 of the 20 papers; half the year expects 50
    assert checkin.light == plans.Light.RED
    papers.refresh_from_db()
    assert (papers.progress, papers.light) == (Decimal(20), plans.Light.RED)
    energy = plan.lines.get(indicator__name="生均能耗")
    with pytest.raises(plans.PlanError, match="needs an evidence file"):
        plans.checkin_record(line_id=energy.pk, user=setup["hank"], quarter=1, value=Decimal(95))
    pdf = SimpleUploadedFile("e.pdf", real_pdf(), content_type="application/pdf")
    done = plans.checkin_record(
        line_id=energy.pk, user=setup["hank"], quarter=1, value=Decimal(95), evidence=pdf
    )
    assert (done.progress, done.light) == (Decimal(25), plans.Light.GREEN)
    with pytest.raises(plans.PlanError, match="already reported"):
        plans.checkin_record(line_id=energy.pk, user=setup["hank"], quarter=1, value=Decimal(90))
    with pytest.raises(plans.PlanError, match="cannot report"):
        plans.checkin_record(line_id=energy.pk, user=setup["charlie"], quarter=2, value=Decimal(9))
    assert CheckIn.objects.count() == 2


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("sam", True),  # the office role: everything
        ("hank", True),  # the unit's head
        ("alice", True),  # the unit's staff
        ("stu", False),  # a student of the unit
        ("charlie", False),  # another department
        ("lee", False),
    ],
)
def test_plan_pages_by_persona(client, setup, who, sees):
    plan = _approved(setup)
    papers = plan.lines.get(indicator__name="高水平论文")
    pdf = SimpleUploadedFile("e.pdf", real_pdf(), content_type="application/pdf")
    energy = plan.lines.get(indicator__name="生均能耗")
    checkin = plans.checkin_record(
        line_id=energy.pk, user=setup["hank"], quarter=1, value=Decimal(95), evidence=pdf
    )
    client.force_login(User.objects.get(username=who))
    urls = [
        plan.get_absolute_url(),
        reverse("performance:plan-evidence", args=[plan.pk, checkin.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == (200 if sees else 404), url
    listing = client.get(reverse("performance:plans")).content.decode()
    assert (plan.get_absolute_url() in listing) is sees
    post = client.post(
        reverse("performance:plan-checkin", args=[plan.pk, papers.pk]),
        {"quarter": 1, "value": "30"},
    )
    assert post.status_code == (302 if sees else 404)
    assert CheckIn.objects.filter(line=papers).exists() is (sees and who != "stu")


def test_the_page_refuses_weights_with_the_message(client, setup):
    _apply(setup)
    plan = Plan.objects.get(unit=setup["school"])
    client.force_login(setup["hank"])
    data = {f"weight-{line.pk}": 50 for line in plan.lines.all()}
    data[f"weight-{plan.lines.first().pk}"] = 20
    page = client.post(reverse("performance:plan-weights", args=[plan.pk]), data, follow=True)
    assert "The weights total 70" in page.content.decode()
    assert sorted(plan.lines.values_list("weight", flat=True)) == [30, 70]


@pytest.mark.parametrize("who", ["sam", "hank"])
def test_the_list_has_constant_queries(client, setup, django_assert_num_queries, who):
    client.force_login(setup[who])
    _apply(setup)
    client.get(reverse("performance:plans"))  # warm the session and the role caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("performance:plans")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(50):
        unit = Department.objects.create(code=f"u{n}", name_zh=f"单位{n}", kind="unit")
        if who == "hank":
            unit.heads.add(setup["hank"])
    _apply(setup, year=2026)
    assert Plan.objects.count() == 52
    with django_assert_num_queries(one):
        client.get(reverse("performance:plans"))


def test_a_target_change_after_approval_waits_for_its_approval_and_keeps_the_old(setup):
    from performance.models import TargetChange

    plan = _approved(setup)
    line = plan.lines.get(indicator__name="高水平论文")
    change = plans.target_change_request(
        line_id=line.pk, user=setup["hank"], new_target=Decimal(35), reason="经费调减"
    )
    line.refresh_from_db()
    assert line.target == 40 and change.status == TargetChange.Status.PENDING
    with pytest.raises(plans.PlanError, match="already waiting"):
        plans.target_change_request(
            line_id=line.pk, user=setup["hank"], new_target=Decimal(30), reason="再调"
        )
    task = ApprovalTask.objects.get(request=change.request, status="pending")
    assert task.assignee_id == setup["sam"].pk
    engine.task_decide(task_id=task.pk, user=setup["sam"], action="approve", comment="同意")
    line.refresh_from_db()
    plan.refresh_from_db()
    change.refresh_from_db()
    assert line.target == 35 and plan.version == 2
    assert (change.old_target, change.new_target, change.version) == (40, 35, 2)


def test_the_page_asks_for_a_new_target_and_shows_the_versions(client, setup):
    from performance.models import TargetChange

    plan = _approved(setup)
    line = plan.lines.get(indicator__name="高水平论文")
    client.force_login(setup["hank"])
    url = reverse("performance:plan-target", args=[plan.pk, line.pk])
    page = client.post(url, {"new_target": "abc", "reason": "x"}, follow=True)
    assert "Give the new target as a number." in page.content.decode()
    page = client.post(url, {"new_target": "36", "reason": "经费调减"}, follow=True)
    assert "Target 40.00 → 36.00" in page.content.decode()
    assert TargetChange.objects.get().status == TargetChange.Status.PENDING
    client.force_login(setup["charlie"])
    assert client.post(url, {"new_target": "30", "reason": "x"}).status_code == 404
    assert TargetChange.objects.count() == 1


def test_a_check_in_row_labels_its_progress_and_light_for_a_phone(client, setup):
    # given a quarter's check-in on an approved plan
    plan = _approved(setup)
    papers = plan.lines.get(indicator__name="高水平论文")
    plans.checkin_record(
        line_id=papers.pk, user=setup["hank"], quarter=2, value=Decimal(24), narrative="6篇在审"
    )
    client.force_login(setup["hank"])
    # when the unit's head opens the plan
    page = client.get(reverse("performance:plan", args=[plan.pk])).content.decode()
    # then the check-in's stacked cells say which is the progress and which the light
    row = page.split('<tr class="checkin">')[1].split("</tr>")[0]
    assert 'data-label="Progress">20' in row
    assert 'data-label="Light"><span' in row
