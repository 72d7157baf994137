"""Analytics for office admins: lead times, on-time rates, returns, reminders, ratings."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.chains import FINANCE, HEAD
from workflows import people as people_services
from workflows import services
from workflows.analytics import predicted_finish, service_table, step_table
from workflows.models import ApprovalTask


def run(req, people, *steps):
    for username, action in steps:
        task = ApprovalTask.objects.get(request=req, status="pending")
        services.task_decide(
            task_id=task.pk,
            user=people[username],
            action=action,
            comment="请修改" if action != "approve" else "",
        )


@pytest.fixture
def history(make_chain, submit, people):
    """Three requests of one service: 2 h, 4 h and 30 h from submission to approval, one return."""
    # promised the same working day: the 30-hour one comes in late
    service = make_chain(
        [HEAD, FINANCE], name_zh="出国申请", name_en="Going abroad", time_limit_days=0
    )
    made = []
    for hours, returned in ((2, False), (4, True), (30, False)):
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False) as clock:
            req = submit(service)
            clock.shift(timedelta(hours=hours / 2))
            run(req, people, ("hank", "approve"))
            if returned:
                run(req, people, ("fay", "return"))
                services.request_resubmit(
                    request_id=req.pk, user=people["alice"], form_data={}, files={}
                )
                run(req, people, ("hank", "approve"))
            clock.shift(timedelta(hours=hours / 2))
            run(req, people, ("fay", "approve"))
        made.append(req)
    people_services.rating_submit(request_id=made[0].pk, user=people["alice"], score=4)
    return service, made


def test_service_table_has_counts_percentiles_and_rates(history):
    service, _ = history
    [row] = service_table(date(2026, 11, 1), date(2026, 11, 30))
    assert (row.count, row.finished, row.returns, row.ratings) == (3, 3, 1, 1)
    assert row.median == timedelta(hours=4)
    assert timedelta(hours=4) < row.p90 <= timedelta(hours=30)
    assert row.on_time == pytest.approx(2 / 3)
    assert row.rating == 4


def test_step_table_has_one_row_per_step(history):
    service, _ = history
    rows = step_table(date(2026, 11, 1), date(2026, 11, 30), service_id=service.pk)
    assert [r.name for r in rows] == ["1", "2"]
    assert rows[0].count == 4 and rows[1].count == 4 and rows[1].returns == 1


def test_the_period_filters(history):
    assert service_table(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_prediction_from_step_medians(history, make_chain, submit, people):
    service, _ = history
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False):
        req = submit(service)
        predicted = predicted_finish(req)
    assert predicted is not None and predicted > req.submitted_at


@pytest.mark.parametrize("count", [1, 50], ids=["1-service", "50-services"])
def test_the_analytics_page_has_a_constant_query_count(
    client, django_assert_num_queries, make_chain, submit, people, olivia, count
):
    for n in range(count):
        req = submit(make_chain([HEAD], name_zh=f"事项{n}"))
        run(req, people, ("hank", "approve"))
    client.force_login(olivia)
    # session, user, bell; services: counts, lead times, returns, reminders, ratings;
    # steps: counts, lead times
    with django_assert_num_queries(10):
        response = client.get(reverse("workflows:analytics"))
    assert len(response.context["services"]) == count


def test_analytics_is_for_office_admins_and_exports_csv(client, history, people, olivia):
    client.force_login(people["alice"])
    assert client.get(reverse("workflows:analytics")).status_code == 404
    client.force_login(olivia)
    csv = client.get(reverse("workflows:analytics") + "?date_from=2026-11-01&format=csv")
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv") and "出国申请,3,3" in text
    bad = client.get(reverse("workflows:analytics") + "?date_from=2026-12-01&date_to=2026-11-01")
    assert bad.status_code == 200 and bad.context["form"].errors
