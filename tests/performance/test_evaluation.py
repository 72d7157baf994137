# ruff: noqa: F811 — the tests take the plans tests' ``setup`` fixture, imported by name
"""Evaluation: scores by the indicators' rules within their bounds (hypothesis), the veto's cap,
the excellent quota, reviewer and committee scores, the approval chain, Excel and the archives,
and the pages by persona with their query counts."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from archives.models import Record
from hall.models import Department, User
from performance import evaluation as ev
from performance import plans
from performance.models import (
    Evaluation,
    EvaluationEntry,
    Grade,
    Indicator,
    Plan,
    PlanLine,
    ScoreItem,
)
from tests.performance.test_plans import _approved, setup  # noqa: F401 — the fixture
from workflows import services as engine
from workflows.models import ApprovalTask

SHARE = st.decimals(min_value=-50, max_value=200, places=2, allow_nan=False, allow_infinity=False)
SCORE = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
RULES = st.sampled_from(Indicator.Rule.values)
MARKS = [Decimal(25), Decimal(50), Decimal(75), Decimal(100)]


@given(rule=RULES, weight=st.integers(0, 100), reached=SHARE)
def test_an_indicators_marks_stay_within_zero_and_its_weight(rule, weight, reached):
    score = ev.line_score(rule=rule, weight=weight, reached=reached, marks=MARKS)
    assert 0 <= score <= weight
    full = ev.line_score(rule=rule, weight=weight, reached=Decimal(100), marks=MARKS)
    assert full == weight  # every rule gives the whole weight at the target


@given(rule=RULES, weight=st.integers(0, 100), a=SHARE, b=SHARE)
def test_more_reached_never_scores_less(rule, weight, a, b):
    low, high = sorted((a, b))
    assert ev.line_score(rule=rule, weight=weight, reached=low, marks=MARKS) <= ev.line_score(
        rule=rule, weight=weight, reached=high, marks=MARKS
    )


@given(parts=st.lists(SCORE, max_size=8), bonus=SCORE, penalty=SCORE)
def test_a_total_score_stays_within_0_and_100(parts, bonus, penalty):
    assert 0 <= ev.total_score(parts, bonus, penalty) <= 100


@given(score=SCORE)
def test_a_veto_caps_the_grade(score):
    assert ev.grade_of(score, veto=True) == Grade.FAIL
    assert ev.ORDER.index(ev.grade_of(score, veto=True)) >= ev.ORDER.index(ev.grade_of(score))


@given(
    scores=st.lists(st.tuples(SCORE, st.booleans()), min_size=0, max_size=40),
    quota=st.integers(0, 100),
)
def test_the_excellent_quota_holds_and_ranks_follow_the_scores(scores, quota):
    rows = [(n, s, veto) for n, (s, veto) in enumerate(scores)]
    ranked = ev.rank_and_grade(rows, quota)
    excellent = [k for k, r in ranked.items() if r.grade == Grade.EXCELLENT]
    assert len(excellent) <= ev.quota_of(len(rows), quota)
    for key, score, veto in rows:
        if veto:
            assert ranked[key].grade == Grade.FAIL
        for other, other_score, other_veto in rows:
            if (veto, -score) < (other_veto, -other_score):  # a veto ranks after all others
                assert ranked[key].rank < ranked[other].rank


def test_the_rules_by_example():
    assert ev.line_score(rule="linear", weight=40, reached=Decimal(50), marks=MARKS) == 20
    assert ev.line_score(rule="threshold", weight=40, reached=Decimal(99), marks=MARKS) == 0
    assert ev.line_score(rule="milestones", weight=40, reached=Decimal(60), marks=MARKS) == 20
    assert ev.line_score(rule="grade_map", weight=40, reached=Decimal(80), marks=MARKS) == 32
    # mid-year: 30 % of the way where 50 % is expected is 60 % of what was due
    assert ev.attainment(Decimal(30), Decimal(50)) == 60


# --- the service, step by step ------------------------------------------------------------------


@pytest.fixture
def evaluation(setup):
    plan = _approved(setup)
    papers = plan.lines.get(indicator__name="高水平论文")  # weight 70, 20 → 40
    plans.checkin_record(line_id=papers.pk, user=setup["hank"], quarter=2, value=Decimal(26))
    return ev.evaluation_open(
        user=setup["sam"], year=2026, period="mid", quota=30, committee=[setup["lee"].pk]
    )


def test_opening_computes_each_units_self_score_from_its_indicators(setup, evaluation):
    # papers: 30 % of the way, 50 % expected by mid-year → 60 % of 70 = 42; energy: nothing
    entry = evaluation.entries.get()
    assert entry.self_score == Decimal("42.00")
    assert (entry.final_score, entry.grade, entry.rank) == (Decimal("42.00"), Grade.FAIL, 1)
    assert evaluation.entries.count() == 1  # the maths school's draft plan is not evaluated
    with pytest.raises(ev.EvaluationError, match="already open"):
        ev.evaluation_open(user=setup["sam"], year=2026, period="mid")
    with pytest.raises(ev.EvaluationError, match="Only the office"):
        ev.evaluation_open(user=setup["hank"], year=2026, period="annual")
    assert Evaluation.objects.count() == 1


def test_items_veto_reviewer_and_committee_scores(setup, evaluation):
    entry = evaluation.entries.get()
    kwargs = {"evaluation_id": evaluation.pk, "entry_id": entry.pk}
    award = ScoreItem.objects.create(name="获奖", kind="bonus", points=Decimal(5))
    late = ScoreItem.objects.create(name="逾期", kind="penalty", points=Decimal(2))
    ev.entry_item_add(user=setup["sam"], item_id=award.pk, note="省级奖", **kwargs)
    ev.entry_item_add(user=setup["sam"], item_id=late.pk, note="Q2 逾期", **kwargs)
    done = EvaluationEntry.objects.get()
    assert done.self_score == Decimal("45.00")
    with pytest.raises(ev.EvaluationError, match="Say which veto item applies"):
        ev.entry_veto_set(user=setup["sam"], veto=True, **kwargs)
    assert EvaluationEntry.objects.get().self_score == Decimal("45.00")  # refusals kept it
    done = ev.entry_review(user=setup["sam"], score=Decimal(96), **kwargs)
    assert (done.final_score, done.grade) == (Decimal(96), Grade.GOOD)  # 1 unit: no excellent
    with pytest.raises(ev.EvaluationError, match="Only the committee"):
        ev.entry_committee(user=setup["sam"], score=Decimal(80), **kwargs)
    with pytest.raises(ev.EvaluationError, match="score from 0 to 100"):
        ev.entry_committee(user=setup["lee"], score=Decimal(101), **kwargs)
    done = ev.entry_committee(user=setup["lee"], score=Decimal(70), **kwargs)
    assert (done.final_score, done.grade) == (Decimal(70), Grade.PASS)
    done = ev.entry_veto_set(
        user=setup["sam"], veto=True, veto_reason="发生重大安全责任事故", **kwargs
    )
    assert (done.final_score, done.grade) == (Decimal(70), Grade.FAIL)


def test_the_quota_rates_the_units_beyond_it_good_and_the_page_says_so(client, setup):
    # given ten approved plans whose units all score 95
    indicator = Indicator.objects.first()
    for n in range(10):
        unit = Department.objects.create(code=f"u{n}", name_zh=f"单位{n}", kind="unit")
        plan = Plan.objects.create(unit=unit, year=2026, status=Plan.Status.APPROVED)
        PlanLine.objects.create(
            plan=plan,
            indicator=indicator,
            kind="core",
            weight=100,
            baseline=0,
            target=10,
            progress=95,
            light="green",
        )
    # when the annual evaluation opens with a 30 % quota
    found = ev.evaluation_open(user=setup["sam"], year=2026, period="annual", quota=30)
    # then three are excellent and seven good, all ranked first
    grades = list(found.entries.values_list("grade", flat=True))
    assert (grades.count(Grade.EXCELLENT), grades.count(Grade.GOOD)) == (3, 7)
    assert set(found.entries.values_list("rank", flat=True)) == {1}
    client.force_login(setup["sam"])
    page = client.get(found.get_absolute_url()).content.decode()
    assert "7 units scored excellent but are rated good by the quota." in page
    assert "At most 30 % of the units may be rated excellent: 3 here." in page


def _approve(setup, evaluation):
    task = ApprovalTask.objects.get(
        status="pending", request__form_data__evaluation=str(evaluation.pk)
    )
    assert task.assignee_id == setup["lee"].pk  # a university leader
    engine.task_decide(task_id=task.pk, user=setup["lee"], action="approve", comment="同意")


def test_the_results_go_through_the_chain_and_are_filed_once(
    setup, evaluation, django_capture_on_commit_callbacks, celery_eager
):
    entry = evaluation.entries.get()
    # refused while a reviewer's score is missing, nothing changed
    with pytest.raises(ev.EvaluationError, match="1 missing"):
        ev.evaluation_submit(user=setup["sam"], evaluation_id=evaluation.pk)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SCORING and evaluation.request is None
    ev.entry_review(
        user=setup["sam"], evaluation_id=evaluation.pk, entry_id=entry.pk, score=Decimal(88)
    )
    ev.evaluation_submit(user=setup["sam"], evaluation_id=evaluation.pk)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    with pytest.raises(ev.EvaluationError, match="no longer open for scoring"):
        ev.entry_review(
            user=setup["sam"], evaluation_id=evaluation.pk, entry_id=entry.pk, score=Decimal(99)
        )
    with django_capture_on_commit_callbacks(execute=True):
        _approve(setup, evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.APPROVED
    record = Record.objects.get(source_ref=f"performance.evaluation:{evaluation.pk}")
    assert evaluation.archive_code == record.code
    assert ev.evaluation_file(evaluation_id=evaluation.pk) == record  # filing again: one record
    assert Record.objects.filter(source_ref=record.source_ref).count() == 1


def test_a_rejection_opens_the_results_again(setup, evaluation):
    entry = evaluation.entries.get()
    ev.entry_review(
        user=setup["sam"], evaluation_id=evaluation.pk, entry_id=entry.pk, score=Decimal(88)
    )
    ev.evaluation_submit(user=setup["sam"], evaluation_id=evaluation.pk)
    task = ApprovalTask.objects.get(
        status="pending", request__form_data__evaluation=str(evaluation.pk)
    )
    engine.task_decide(task_id=task.pk, user=setup["lee"], action="reject", comment="重新评分")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SCORING


def test_the_excel_export_lists_the_ranked_results(client, setup, evaluation):
    client.force_login(setup["sam"])
    response = client.get(reverse("performance:evaluation-export", args=[evaluation.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "单位", "自评分")
    assert rows[1][:3] == (1, "计算机学院", 42.0)


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("sam", True),  # the office
        ("lee", True),  # a member of the committee
        ("hank", False),  # a unit's head
        ("stu", False),  # a student
        ("charlie", False),  # an outsider
        (None, False),  # anonymous: to the login page
    ],
)
def test_evaluation_pages_by_persona(client, setup, evaluation, who, sees):
    entry = evaluation.entries.get()
    if who:
        client.force_login(User.objects.get(username=who))
    urls = [
        reverse("performance:evaluations"),
        evaluation.get_absolute_url(),
        reverse("performance:evaluation-entry", args=[evaluation.pk, entry.pk]),
        reverse("performance:evaluation-export", args=[evaluation.pk]),
    ]
    for url in urls:
        expected = 200 if sees else (302 if who is None else 404)
        assert client.get(url).status_code == expected, url
    # a score posted by someone who may not give it changes nothing
    post = client.post(urls[2], {"action": "review", "score": "99"})
    assert post.status_code == (302 if who in ("sam", None) else 404)
    assert EvaluationEntry.objects.get().reviewer_score == (Decimal(99) if who == "sam" else None)


def test_the_committee_scores_through_the_page(client, setup, evaluation):
    entry = evaluation.entries.get()
    client.force_login(setup["lee"])
    url = reverse("performance:evaluation-entry", args=[evaluation.pk, entry.pk])
    page = client.post(url, {"action": "committee", "score": "abc"}, follow=True)
    assert "A score is a number from 0 to 100." in page.content.decode()
    client.post(url, {"action": "committee", "score": "81.5"})
    assert EvaluationEntry.objects.get().committee_score == Decimal("81.5")


def test_the_office_opens_an_evaluation_through_the_page(client, setup):
    _approved(setup)
    client.force_login(setup["sam"])
    url = reverse("performance:evaluation-open")
    page = client.post(url, {"year": "x", "quota": "30", "period": "annual"}, follow=True)
    assert "Give the year and the excellent quota." in page.content.decode()
    assert not Evaluation.objects.exists()
    client.post(url, {"year": "2026", "quota": "20", "period": "annual"})
    assert Evaluation.objects.get().quota_excellent == 20
    client.force_login(setup["hank"])
    assert client.post(url, {"year": "2026", "quota": "20", "period": "mid"}).status_code == 404


def test_the_committee_is_named_with_the_people_picker(client, setup):
    # given
    _approved(setup)
    client.force_login(setup["sam"])
    url = reverse("performance:evaluation-open")
    listing = client.get(reverse("performance:evaluations")).content.decode()
    assert 'name="committee"' in listing and 'data-people="/people/search/"' in listing
    # when: an unknown person, then a known one by user name (as without JavaScript)
    data = {"year": "2026", "quota": "20", "period": "annual", "committee": "nobody"}
    page = client.post(url, data, follow=True)
    # then
    assert "No such people: nobody" in page.content.decode()
    assert not Evaluation.objects.exists()
    client.post(url, {**data, "committee": setup["lee"].username})
    assert list(Evaluation.objects.get().committee.all()) == [setup["lee"]]


def test_the_results_page_costs_the_same_at_1_and_50_units(
    client, setup, evaluation, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(setup["sam"])
    url = evaluation.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    plan = Plan.objects.get(unit=setup["school"])
    for n in range(49):
        unit = Department.objects.create(code=f"u{n}", name_zh=f"单位{n}", kind="unit")
        EvaluationEntry.objects.create(evaluation=evaluation, plan=plan, unit=unit, rank=n + 2)
    with django_assert_num_queries(len(ctx.captured_queries)):
        page = client.get(url)
    assert len(page.context["table"]) == 50


def test_the_open_form_reads_its_quota_label_in_chinese(client, setup, settings):
    # given the office reading the hall in Chinese
    client.force_login(setup["sam"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    # when it opens the evaluations (a template looks a literal "%" up as "%%")
    page = client.get(reverse("performance:evaluations")).content.decode()
    # then the quota's label is Chinese
    assert "优秀比例上限（%）" in page
    assert "Excellent quota" not in page
