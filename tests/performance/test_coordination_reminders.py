"""The coordination cases on the hall's reminder tick: the parties before their positions are
due and before the coordination meeting, the leader when the decision waits too long, each
exactly once however many ticks run (two ticks in a row send one)."""

import pytest
import time_machine

from hall.models import Notification
from performance import coordination as co
from performance.models import Coordination
from tests.performance.conftest import at
from workflows import services as engine
from workflows.models import ApprovalTask
from workflows.reminders import app_ticks


@pytest.fixture
def case(office):
    # Monday 23 November; the positions are due on Thursday 26 November at 18:00
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        return co.case_open(
            user=office["sam"],
            title="实验楼用房归属争议",
            matter="计算机学院与科学研究院对实验楼三层用房的使用权存在争议。",
            parties=[office["school"], office["research"]],
            coordinator=office["sam"],
            leader=office["lee"],
            positions_due=at("2026-11-26 18:00"),
        )


def _sent(user, subject_start):
    return Notification.objects.filter(recipient=user, subject__startswith=subject_start).count()


def _tick(when):
    with time_machine.travel(at(when), tick=False):
        return co.coordination_tick()


def test_the_parties_without_a_position_are_reminded_once_before_it_is_due(office, case):
    # the school states its position; the research division does not
    co.note_add(user=office["hank"], case_id=case.pk, kind="position", text="该层为学院实验室")
    # a day and more before: nothing yet, the next moment is a day before the deadline
    assert _tick("2026-11-25 09:00")["positions"] == 0
    case.refresh_from_db()
    assert case.remind_at == at("2026-11-25 18:00")
    # within the day before: two ticks, one reminder, to the research division's staff only
    assert _tick("2026-11-25 19:00")["positions"] == 1
    assert _tick("2026-11-25 19:05")["positions"] == 0
    for who in ("rita", "ravi", "rose"):
        assert _sent(office[who], "请提交协调意见：实验楼用房归属争议") == 1
    assert _sent(office["hank"], "请提交协调意见") == 0  # the school has spoken
    assert _sent(office["gus"], "请提交协调意见") == 0  # a student, not the unit's staff
    case.refresh_from_db()
    assert case.remind_at is None  # nothing more to remind


def test_the_parties_and_the_coordinator_are_reminded_once_before_the_meeting(office, case):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        co.meeting_schedule(
            user=office["sam"], case_id=case.pk, at=at("2026-11-30 14:00"), place="行政楼305"
        )
    # told when called (the hank of the school hears for it), then reminded the day before
    assert _sent(office["hank"], "协调会：实验楼用房归属争议") == 1
    assert _tick("2026-11-28 09:00")["meeting"] == 0
    # the whole hall's tick, twice: one reminder each
    with time_machine.travel(at("2026-11-29 15:00"), tick=False):
        first, second = app_ticks(), app_ticks()
    assert (first["coordination.meeting"], second["coordination.meeting"]) == (1, 0)
    for who in ("hank", "rita", "sam"):
        assert _sent(office[who], "协调会临近：实验楼用房归属争议") == 1
    assert (
        Notification.objects.filter(subject__startswith="协调会临近")
        .get(recipient=office["sam"])
        .body
        == "2026-11-30 14:00 行政楼305"
    )


def test_a_meeting_is_called_by_the_coordinator_for_a_time_to_come(office, case):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        with pytest.raises(co.CoordinationError, match="Only the coordinator calls"):
            co.meeting_schedule(user=office["hank"], case_id=case.pk, at=at("2026-11-30 14:00"))
        with pytest.raises(co.CoordinationError, match="time to come"):
            co.meeting_schedule(user=office["sam"], case_id=case.pk, at=at("2026-11-20 14:00"))
    case.refresh_from_db()
    assert case.meeting_at is None


def test_the_leader_is_reminded_once_when_the_decision_waits_too_long(office, case, settings):
    settings.HALL_COORDINATION_DECIDE_DAYS = 3
    co.proposal_set(user=office["sam"], case_id=case.pk, text="三层东侧归学院，西侧归研究院")
    # sent to the leader on Monday 23 November
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        co.case_submit(user=office["sam"], case_id=case.pk)
    case.refresh_from_db()
    assert case.status == Coordination.Status.SUBMITTED
    # three working days later, Thursday from midnight: once, however many ticks
    assert _tick("2026-11-25 23:59")["pending"] == 0
    assert _tick("2026-11-26 08:00")["pending"] == 1
    assert _tick("2026-11-26 08:05")["pending"] == 0
    assert _tick("2026-11-27 08:00")["pending"] == 0
    assert _sent(office["lee"], "协调事项待决定：实验楼用房归属争议") == 1
    # no reminders to the parties for their positions once the case is with the leader
    assert _sent(office["rita"], "请提交协调意见") == 0
    # decided: nothing more
    task = ApprovalTask.objects.get(status="pending", request=case.request)
    engine.task_decide(task_id=task.pk, user=office["lee"], action="approve", comment="同意")
    case.refresh_from_db()
    assert case.status == Coordination.Status.DECIDED and case.remind_at is None


def test_a_case_opened_with_a_past_deadline_is_refused(office):
    with (
        time_machine.travel(at("2026-11-27 09:00"), tick=False),
        pytest.raises(co.CoordinationError, match="due after today"),
    ):
        co.case_open(
            user=office["sam"],
            title="争议",
            matter="用房",
            parties=[office["school"], office["research"]],
            coordinator=office["sam"],
            leader=office["lee"],
            positions_due=at("2026-11-26 18:00"),
        )
    assert not Coordination.objects.exists()


def test_the_pages_take_the_deadline_and_the_meeting(client, office):
    from django.urls import reverse

    client.force_login(office["sam"])
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        response = client.post(
            reverse("performance:coordination-create"),
            {
                "title": "用房争议",
                "matter": "三层用房",
                "parties": [office["school"].pk, office["research"].pk],
                "coordinator": office["sam"].username,
                "leader": office["lee"].username,
                "positions_due": "2026-11-26",
            },
        )
        case = Coordination.objects.get()
        assert response["Location"] == case.get_absolute_url()
        assert case.positions_due == at("2026-11-26 18:00")
        url = reverse("performance:coordination-action", args=[case.pk, "meeting"])
        client.post(url, {"at": "2026-11-30T14:00", "place": "行政楼305"})
        case.refresh_from_db()
        assert (case.meeting_at, case.meeting_place) == (at("2026-11-30 14:00"), "行政楼305")
        page = client.get(case.get_absolute_url()).content.decode()
        assert "2026-11-26 18:00" in page and "2026-11-30 14:00" in page
        # an outsider cannot call it: the case is not theirs (404), nothing changes
        client.force_login(office["charlie"])
        assert client.post(url, {"at": "2026-12-01T14:00"}).status_code == 404
        # a party cannot either: refused with the message
        client.force_login(office["hank"])
        client.post(url, {"at": "2026-12-01T14:00"})
    case.refresh_from_db()
    assert case.meeting_at == at("2026-11-30 14:00")


def test_the_leaders_task_names_the_case_and_the_leader(client, office, case):
    from django.urls import reverse

    co.proposal_set(user=office["sam"], case_id=case.pk, text="三层东侧归学院，西侧归研究院")
    co.case_submit(user=office["sam"], case_id=case.pk)
    case.refresh_from_db()
    assert case.request.form_data["leader"] == {"id": office["lee"].pk, "name": "李领导"}
    task = ApprovalTask.objects.get(status="pending", request=case.request)
    assert task.assignee_id == office["lee"].pk
    client.force_login(office["lee"])
    page = client.get(reverse("workflows:task-detail", args=[task.pk])).content.decode()
    assert f'href="{case.get_absolute_url()}"' in page and "李领导" in page


def test_the_lead_party_chosen_when_opening_leads_the_item(office):
    values = {
        "user": office["sam"],
        "title": "用房争议",
        "matter": "三层用房",
        "parties": [office["school"], office["research"]],
        "coordinator": office["sam"],
        "leader": office["lee"],
    }
    with pytest.raises(co.CoordinationError, match="one of the parties"):
        co.case_open(lead_party=office["finance"], **values)
    assert not Coordination.objects.exists()
    case = co.case_open(lead_party=office["research"], **values)
    co.proposal_set(user=office["sam"], case_id=case.pk, text="西侧归研究院")
    co.case_submit(user=office["sam"], case_id=case.pk)
    task = ApprovalTask.objects.get(status="pending", request__form_data__case__id=case.pk)
    engine.task_decide(task_id=task.pk, user=office["lee"], action="approve", comment="")
    case.refresh_from_db()
    assert case.item.lead_unit == office["research"]
    assert list(case.item.co_units.all()) == [office["school"]]
