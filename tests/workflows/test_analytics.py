"""Analytics for office admins: lead times, on-time rates, returns, reminders, ratings."""

from datetime import UTC, date, datetime, timedelta

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


def test_no_prediction_from_fewer_than_five_finished_requests(history, submit):
    # given: three finished requests of the service
    service, _ = history
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False):
        req = submit(service)
        # when / then
        assert predicted_finish(req) is None


@pytest.fixture
def five_finished(make_chain, submit, people):
    """Five approved requests: the head took 1, 2, 3, 4 and 5 hours, finance 2 hours each."""
    service = make_chain([HEAD, FINANCE], name_zh="出国申请", time_limit_days=9)
    for hours in (1, 2, 3, 4, 5):
        with time_machine.travel("2026-11-02 09:00 +0800", tick=False) as clock:
            req = submit(service)
            clock.shift(timedelta(hours=hours))
            run(req, people, ("hank", "approve"))
            clock.shift(timedelta(hours=2))
            run(req, people, ("fay", "approve"))
    return service


def test_a_prediction_rests_on_five_finished_requests_and_says_so(five_finished, submit):
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False):
        req = submit(five_finished)
        predicted = predicted_finish(req)
    # the head's median (3 h) and finance's (2 h)
    assert predicted.at == req.submitted_at + timedelta(hours=5)
    assert predicted.based_on == 5


def test_a_prediction_counts_how_long_the_open_step_has_already_taken(five_finished, submit):
    # given: the head's step has been open for 3.5 hours
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False) as clock:
        req = submit(five_finished)
        clock.shift(timedelta(hours=3.5))
        req.refresh_from_db()
        # when
        predicted = predicted_finish(req)
    # then: of the head steps longer than that (4 h, 5 h) the median rest is 1 h, then finance
    assert predicted.at == req.submitted_at + timedelta(hours=3.5 + 1 + 2)


def test_no_prediction_once_the_open_step_is_slower_than_every_past_one(five_finished, submit):
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False) as clock:
        req = submit(five_finished)
        clock.shift(timedelta(hours=6))
        req.refresh_from_db()
        assert predicted_finish(req) is None


def test_no_prediction_when_a_step_ahead_has_no_history(five_finished, submit, make_chain):
    from hall.models import ServiceStep

    ServiceStep.objects.create(
        service=five_finished, order=3, name_zh="校领导", rule="applicant_head"
    )
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False):
        req = submit(five_finished)
        assert predicted_finish(req) is None


def test_the_step_history_is_read_once_per_ten_minutes(five_finished, submit, people):
    from workflows.selectors import PREDICTION_REFRESH_SECONDS

    # given a prediction made at the start of a 10-minute period
    start = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    assert int(start.timestamp()) % PREDICTION_REFRESH_SECONDS == 0
    with time_machine.travel(start, tick=False):
        req = submit(five_finished)
        first = predicted_finish(req)
        # when a sixth request of the service finishes (the head took 9 hours)
        other = submit(five_finished)
    with time_machine.travel(start + timedelta(hours=9), tick=False):
        run(other, people, ("hank", "approve"), ("fay", "approve"))
    # then a prediction in the same period still rests on the five it read
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert predicted_finish(req).based_on == first.based_on == 5
    # and the next period reads the six
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert predicted_finish(req).based_on == 6


@pytest.mark.parametrize(
    ("language", "label"),
    [("zh-hans", "依据已办结的5件申请估算"), ("en", "based on 5 finished requests")],
)
def test_the_request_page_labels_the_prediction_with_its_history(
    client, five_finished, submit, people, language, label
):
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False):
        req = submit(five_finished)
        client.force_login(people["alice"])
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get(req.get_absolute_url()).content.decode()
    assert "2026-11-10 14:00" in html and label in html


@pytest.mark.parametrize("count", [1, 50], ids=["1-service", "50-services"])
def test_the_analytics_page_has_a_constant_query_count(
    client, django_assert_num_queries, make_chain, submit, people, olivia, count
):
    for n in range(count):
        req = submit(make_chain([HEAD], name_zh=f"事项{n}"))
        run(req, people, ("hank", "approve"))
    client.force_login(olivia)
    # user, bell; services: counts, lead times, returns, reminders, ratings;
    # steps: counts, lead times
    with django_assert_num_queries(9):
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
