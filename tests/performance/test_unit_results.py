# ruff: noqa: F811 — the plans tests' ``setup`` fixture, imported by name
"""A unit head sees their own unit's evaluation result (grade, rank, scores) once the evaluation
is approved — never another unit's — and the grades read right in each language."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from hall.models import User
from performance import evaluation as ev
from performance.models import Evaluation, EvaluationEntry, Grade, Plan
from tests.performance.test_plans import _approved, setup  # noqa: F401 — the fixture


@pytest.fixture
def results(setup):
    """The mid-year evaluation of two units: the school (hank heads it) and the maths school
    (mia heads it), reviewed — not yet approved."""
    plan = _approved(setup)
    mia = User.objects.create_user(
        "mia", password="pw", full_name="马雅", department=setup["other"]
    )
    setup["other"].heads.add(mia)
    Plan.objects.filter(unit=setup["other"]).update(status=Plan.Status.APPROVED)
    evaluation = ev.evaluation_open(user=setup["sam"], year=2026, period="mid", quota=50)
    for entry, score in zip(
        evaluation.entries.order_by("pk"), (Decimal(82), Decimal(91)), strict=True
    ):
        ev.entry_review(
            user=setup["sam"], evaluation_id=evaluation.pk, entry_id=entry.pk, score=score
        )
    school = evaluation.entries.get(unit=setup["school"])
    maths = evaluation.entries.get(unit=setup["other"])
    assert plan.unit == school.unit
    return {**setup, "mia": mia, "evaluation": evaluation, "school_entry": school, "maths": maths}


def _approve(results):
    Evaluation.objects.filter(pk=results["evaluation"].pk).update(status=Evaluation.Status.APPROVED)


def test_nothing_shows_before_approval(client, results):
    client.force_login(results["hank"])
    page = client.get(reverse("performance:unit-results"))
    assert page.status_code == 200 and page.context["table"] == []
    url = reverse("performance:unit-result", args=[results["school_entry"].pk])
    assert client.get(url).status_code == 404


def test_the_head_sees_their_units_grade_rank_and_scores_only(client, results):
    _approve(results)
    client.force_login(results["hank"])
    page = client.get(reverse("performance:unit-results"))
    rows = page.context["table"]
    assert len(rows) == 1  # not the maths school's
    url, year, period, unit, grade, code, rank, self_score, reviewer, *_rest = rows[0]
    assert (year, unit, code, rank, reviewer) == (
        2026,
        "School of Computer Science",
        Grade.GOOD,
        "2 / 2",
        "82.00",
    )
    assert (period, grade) == ("Mid-year", "Good")
    assert "数学学院" not in page.content.decode()
    detail = client.get(url).content.decode()
    assert "2 / 2" in detail and "82.00" in detail and "高水平论文" in detail
    client.force_login(results["mia"])
    rows = client.get(reverse("performance:unit-results")).context["table"]
    assert [(r[3], r[5], r[6]) for r in rows] == [("数学学院", Grade.EXCELLENT, "1 / 2")]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("hank", 200),  # the head of the unit
        ("mia", 404),  # the head of another unit
        ("alice", 404),  # staff of the unit, not its head
        ("stu", 404),  # a student of the unit
        ("sam", 404),  # the office reads the results on the evaluation's own page
        ("charlie", 404),  # an outsider
        (None, 302),  # anonymous: to the login page
    ],
)
def test_a_units_result_by_persona(client, results, who, status):
    _approve(results)
    if who:
        client.force_login(User.objects.get(username=who))
    url = reverse("performance:unit-result", args=[results["school_entry"].pk])
    response = client.get(url)
    assert response.status_code == status
    if who is None:
        assert "/login/" in response["Location"]
    listed = client.get(reverse("performance:unit-results"))
    heads = who in ("hank", "mia")
    assert listed.status_code == (200 if heads else 302 if who is None else 404)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Excellent", "Good", "Pass", "Fail"]),
        ("zh-hans", ["优秀", "良好", "合格", "不合格"]),
    ],
)
def test_the_grades_read_in_each_language(language, words):
    with translation.override(language):
        assert [str(label) for _value, label in Grade.choices] == words


def test_the_english_results_page_names_grades_in_english(client, results, settings):
    _approve(results)
    client.force_login(results["sam"])
    page = client.get(results["evaluation"].get_absolute_url()).content.decode()
    assert "Excellent" in page and "优秀" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(results["hank"])
    page = client.get(reverse("performance:unit-results")).content.decode()
    assert "良好" in page and "本单位考核结果" in page


def test_the_plans_list_links_a_heads_results(client, results):
    client.force_login(results["hank"])
    assert (
        reverse("performance:unit-results")
        in client.get(reverse("performance:plans")).content.decode()
    )
    client.force_login(results["alice"])
    assert (
        reverse("performance:unit-results")
        not in client.get(reverse("performance:plans")).content.decode()
    )


def test_the_results_list_costs_the_same_at_1_and_50_rows(
    client, results, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _approve(results)
    client.force_login(results["hank"])
    url = reverse("performance:unit-results")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(url).context["table"]) == 1
    plan = results["school_entry"].plan
    for n in range(49):
        other = Evaluation.objects.create(
            year=2027 + n, period="annual", status="approved", created_by=results["sam"]
        )
        EvaluationEntry.objects.create(
            evaluation=other, plan=plan, unit=results["school"], rank=1, grade="good"
        )
    with django_assert_num_queries(len(ctx.captured_queries)):
        page = client.get(url)
    assert len(page.context["table"]) == 50
