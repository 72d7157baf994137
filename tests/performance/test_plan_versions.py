# ruff: noqa: F811 — the plans tests' ``setup`` fixture, imported by name
"""An approved plan's page proposes new weights through ``performance-plan-weights``, and
``/performance/plans/<id>/versions/`` lists every version with what changed."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hall.models import User
from performance import plans
from performance.models import TargetChange, WeightChange
from tests.performance.test_plans import _approved, setup  # noqa: F401 — the fixture
from workflows import services as engine
from workflows.models import ApprovalTask


def _post(plan, papers, energy, reason="节能任务加重"):
    ids = {line.indicator.name: line.pk for line in plan.lines.select_related("indicator")}
    return {
        f"weight-{ids['高水平论文']}": papers,
        f"weight-{ids['生均能耗']}": energy,
        "reason": reason,
    }


def _weights(plan):
    return sorted(plan.lines.values_list("weight", flat=True))


@pytest.mark.parametrize(
    ("papers", "energy", "reason", "message"),
    [
        (80, 30, "x", "The weights total 110"),
        (110, -10, "x", "Every weight is a whole number."),
        ("sixty", 40, "x", "Every weight is a whole number."),
        (70, 30, "x", "The weights are the same as now."),
        (60, 40, "  ", "Say why the weights change."),
    ],
    ids=["not-100", "negative", "not-a-number", "unchanged", "no-reason"],
)
def test_the_page_refuses_new_weights_with_the_message_and_saves_nothing(
    client, setup, papers, energy, reason, message
):
    plan = _approved(setup)
    client.force_login(setup["hank"])
    url = reverse("performance:plan-weights-change", args=[plan.pk])
    page = client.post(url, _post(plan, papers, energy, reason), follow=True)
    assert message in page.content.decode()
    assert not WeightChange.objects.exists()
    assert _weights(plan) == [30, 70]


def test_new_weights_wait_for_approval_then_the_versions_page_shows_old_and_new(client, setup):
    # given an approved plan whose page offers new weights
    plan = _approved(setup)
    client.force_login(setup["hank"])
    html = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="weights-change"' in html
    # when the head proposes 60/40
    page = client.post(
        reverse("performance:plan-weights-change", args=[plan.pk]),
        _post(plan, 60, 40),
        follow=True,
    )
    html = page.content.decode()
    # then it waits for its approval, the weights unchanged, the form not offered again
    assert "The new weights are sent for approval." in html
    assert "already waiting for approval" in html and 'id="weights-change"' not in html
    change = WeightChange.objects.get()
    assert change.status == WeightChange.Status.PENDING and _weights(plan) == [30, 70]
    versions = reverse("performance:plan-versions", args=[plan.pk])
    assert "高水平论文: 70 → 60" in client.get(versions).content.decode()
    # when the office approves it through the chain
    task = ApprovalTask.objects.get(request=change.request, status="pending")
    engine.task_decide(task_id=task.pk, user=setup["sam"], action="approve", comment="同意")
    assert _weights(plan) == [40, 60]
    # and a target change follows
    line = plan.lines.get(indicator__name="生均能耗")
    target = plans.target_change_request(
        line_id=line.pk, user=setup["hank"], new_target=Decimal(85), reason="经费调减"
    )
    task = ApprovalTask.objects.get(request=target.request, status="pending")
    engine.task_decide(task_id=task.pk, user=setup["sam"], action="approve", comment="同意")
    # then the versions page lists version 2 (the weights) and 3 (the target), old → new
    page = client.get(versions)
    rows = page.context["rows"]
    assert [(r["version"], str(r["what"])) for r in rows] == [(2, "Weights"), (3, "Target")]
    assert rows[0]["changes"] == [("高水平论文", 70, 60), ("生均能耗", 30, 40)]
    assert rows[1]["changes"] == [("生均能耗", Decimal("80.00"), Decimal("85.00"))]
    html = page.content.decode()
    assert "生均能耗: 80.00 → 85.00" in html and "Current version" in html


@pytest.mark.parametrize(
    ("who", "sees", "may_edit"),
    [
        ("sam", True, True),  # the office role
        ("hank", True, True),  # the unit's head
        ("alice", True, True),  # the unit's staff
        ("stu", False, False),  # a student of the unit
        ("charlie", False, False),  # another department
        ("lee", False, False),
    ],
)
def test_versions_and_the_weights_form_by_persona(client, setup, who, sees, may_edit):
    plan = _approved(setup)
    client.force_login(User.objects.get(username=who))
    versions = reverse("performance:plan-versions", args=[plan.pk])
    assert client.get(versions).status_code == (200 if sees else 404)
    post = client.post(
        reverse("performance:plan-weights-change", args=[plan.pk]), _post(plan, 60, 40)
    )
    assert post.status_code == (302 if sees else 404)
    assert WeightChange.objects.exists() is may_edit


def test_the_versions_page_costs_the_same_at_1_and_50_versions(
    client, setup, django_assert_num_queries
):
    plan = _approved(setup)
    line = plan.lines.get(indicator__name="高水平论文")
    old = {str(pk): w for pk, w in plan.lines.values_list("pk", "weight")}

    def version(n):
        if n % 2:
            TargetChange.objects.create(
                line=line, old_target=40, new_target=40 + n, reason=f"r{n}", version=n + 1,
                status=TargetChange.Status.APPROVED,
            )  # fmt: skip
        else:
            new = {pk: (w + 10 if pk == str(line.pk) else w - 10) for pk, w in old.items()}
            WeightChange.objects.create(
                plan=plan, old_weights=old, new_weights=new, reason=f"r{n}", version=n + 1,
                status=WeightChange.Status.APPROVED,
            )  # fmt: skip

    client.force_login(setup["hank"])
    url = reverse("performance:plan-versions", args=[plan.pk])
    version(1)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(url).context["rows"]) == 1
    for n in range(2, 51):
        version(n)
    with django_assert_num_queries(len(ctx.captured_queries)):
        page = client.get(url)
    assert len(page.context["rows"]) == 50
    assert [r["version"] for r in page.context["rows"]] == list(range(2, 52))


def test_bad_page_numbers_never_fail(client, setup):
    plan = _approved(setup)
    client.force_login(setup["hank"])
    url = reverse("performance:plan-versions", args=[plan.pk])
    for value in ("abc", "-1", "99999999999999999999", "%00"):
        assert client.get(url, {"page": value}).status_code == 200
