"""Out of office and satisfaction: delegation windows, decisions on behalf, ratings followed up."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from hall.models import Role
from tests.chains import HEAD
from workflows import people as people_services
from workflows import services
from workflows.models import ApprovalRecord, ApprovalTask, Delegation, Rating


@pytest.fixture
def away(people):
    return Delegation.objects.create(
        user=people["hank"],
        delegate=people["lee"],
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 3),
    )


@pytest.mark.parametrize(
    ("day", "handler"),
    [
        pytest.param("2026-11-30 18:00", "hank", id="evening-before"),
        pytest.param("2026-12-01 08:00", "lee", id="first-morning"),
        pytest.param("2026-12-03 23:30", "lee", id="last-night"),
        pytest.param("2026-12-04 00:01", "hank", id="day-after"),
    ],
)
def test_tasks_that_start_in_the_window_go_to_the_delegate(away, make_chain, submit, day, handler):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    with time_machine.travel(datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Asia/Shanghai"))):
        req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    assert task.assignee.username == handler
    assert (task.on_behalf_of is not None) == (handler == "lee")


def test_the_delegate_decides_on_behalf_and_the_delegator_sees_it(
    client, away, make_chain, submit, people
):
    with time_machine.travel("2026-12-02 10:00 +0800"):
        req = submit(make_chain([HEAD]))
        task = ApprovalTask.objects.get(request=req)
        services.task_decide(task_id=task.pk, user=people["lee"], action="approve")
    record = ApprovalRecord.objects.get(request=req, action="approve")
    assert record.actor == people["lee"] and record.on_behalf_of == people["hank"]
    client.force_login(people["hank"])
    assert client.get(req.get_absolute_url()).status_code == 200
    page = client.get(reverse("workflows:delegation"))
    assert [t.pk for t in page.context["page"].object_list] == [task.pk]


def test_no_chains_of_delegation(away, people):
    from django.utils import translation

    with time_machine.travel("2026-11-20 10:00 +0800"), translation.override("en"):
        with pytest.raises(services.RequestError, match="do not chain"):
            people_services.delegation_set(
                user=people["lee"],
                delegate=people["fay"],
                starts_on=date(2026, 12, 2),
                ends_on=date(2026, 12, 5),
            )
        with pytest.raises(services.RequestError, match="do not chain"):
            people_services.delegation_set(
                user=people["fay"],
                delegate=people["hank"],
                starts_on=date(2026, 12, 3),
                ends_on=date(2026, 12, 4),
            )
        with pytest.raises(services.RequestError):
            people_services.delegation_set(
                user=people["fay"],
                delegate=people["fay"],
                starts_on=date(2026, 12, 3),
                ends_on=date(2026, 12, 4),
            )
        with pytest.raises(services.RequestError):
            people_services.delegation_set(
                user=people["fay"],
                delegate=people["rita"],
                starts_on=date(2026, 12, 5),
                ends_on=date(2026, 12, 4),
            )
    assert Delegation.objects.count() == 1


def test_the_delegation_page_sets_and_ends_one(client, people):
    client.force_login(people["fay"])
    with time_machine.travel("2026-11-23 10:00 +0800"):
        client.post(
            reverse("workflows:delegation"),
            {
                "delegate": people["rita"].number,
                "starts_on": "2026-11-23",
                "ends_on": "2026-11-30",
            },
        )
        delegation = Delegation.objects.get(user=people["fay"])
        bad = client.post(
            reverse("workflows:delegation"),
            {
                "delegate": "nobody",
                "starts_on": "2026-11-23",
                "ends_on": "2026-11-30",
            },
        )
        assert bad.status_code == 200 and Delegation.objects.count() == 1
        client.post(reverse("workflows:delegation"), {"end": delegation.pk})
    delegation.refresh_from_db()
    assert delegation.ends_on == date(2026, 11, 23)


@pytest.fixture
def finished(make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=req)
    return services.task_decide(task_id=task.pk, user=people["hank"], action="approve")


def test_the_applicant_rates_a_finished_request_once(client, finished, people):
    client.force_login(people["alice"])
    url = reverse("workflows:request-rate", args=[finished.pk])
    client.post(url, {"score": "2", "comment": "太慢"})
    client.post(url, {"score": "5"})
    assert Rating.objects.get(request=finished).score == 2
    client.force_login(people["hank"])
    assert client.post(url, {"score": "5"}).status_code == 302
    assert Rating.objects.count() == 1


def test_a_request_still_running_cannot_be_rated(make_chain, submit, people):
    req = submit(make_chain([HEAD]))
    with pytest.raises(services.RequestError):
        people_services.rating_submit(request_id=req.pk, user=people["alice"], score=3)


def test_low_ratings_reach_the_services_department_admins(client, finished, people, research_dept):
    people_services.rating_submit(
        request_id=finished.pk, user=people["alice"], score=1, comment="材料要求不清楚"
    )
    client.force_login(people["rose"])
    assert list(client.get(reverse("workflows:follow-up")).context["page"].object_list) == []
    Role.objects.create(department=research_dept, code="admin", name_zh="管理员").holders.add(
        people["rose"]
    )
    page = client.get(reverse("workflows:follow-up"))
    rating = page.context["page"].object_list[0]
    client.post(reverse("workflows:follow-up"), {"rating": rating.pk, "response": "已补充材料清单"})
    rating.refresh_from_db()
    assert rating.response == "已补充材料清单" and rating.responded_by == people["rose"]
    client.force_login(people["charlie"])
    client.post(reverse("workflows:follow-up"), {"rating": rating.pk, "response": "篡改"})
    rating.refresh_from_db()
    assert rating.response == "已补充材料清单"
