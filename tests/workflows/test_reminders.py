"""Reminders with a frozen clock: approaching, overdue, escalation, urgent repeats, nudges."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from hall.models import Notification
from tests.chains import FINANCE, HEAD
from workflows import services
from workflows.models import ApprovalTask, ReminderLog
from workflows.reminders import reminders_tick, request_nudge, working_hours_between

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def submitted_monday(make_chain, people):
    """A request submitted Monday 2026-11-23 09:00; the head's step has 2 working days."""
    service = make_chain([{**HEAD, "time_limit_days": 2}, FINANCE])
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        return services.request_submit(
            service=service,
            applicant=people["alice"],
            form_data={},
            files={},
            urgent=False,
            urgent_reason="",
            submit_token=uuid.uuid4(),
        )


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


def test_the_task_is_due_after_its_working_days(submitted_monday):
    task = ApprovalTask.objects.get(request=submitted_monday)
    assert task.due_at == at("2026-11-25 17:30")


def test_approaching_then_overdue_then_escalation_each_once(submitted_monday, people, school):
    school.parent = people["office"]
    school.save()
    people["office"].heads.add(people["lee"])
    hank = people["hank"]
    with time_machine.travel(at("2026-11-23 10:00"), tick=False):
        assert not any(reminders_tick().values())
    with time_machine.travel(at("2026-11-25 09:00"), tick=False):
        assert reminders_tick()["approaching"] == 1
        assert reminders_tick()["approaching"] == 0
    with time_machine.travel(at("2026-11-25 18:00"), tick=False):
        assert reminders_tick()["overdue"] == 1
        assert reminders_tick()["overdue"] == 0
    with time_machine.travel(at("2026-11-27 18:00"), tick=False):  # 2 working days overdue
        result = reminders_tick()
        assert result["escalation"] == 1 and result["overdue"] == 0
    assert kinds_for(hank) == ["task_arrived", "reminder", "overdue"]
    # the head is the late one: the escalation goes a level up
    assert kinds_for(people["lee"]) == ["escalation"]


def test_urgent_requests_are_reminded_every_few_working_hours(make_chain, people):
    service = make_chain([{**HEAD, "time_limit_days": 10}])
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        services.request_submit(
            service=service,
            applicant=people["alice"],
            form_data={},
            files={},
            urgent=True,
            urgent_reason="出访在即",
            submit_token=uuid.uuid4(),
        )
    with time_machine.travel(at("2026-11-23 12:59"), tick=False):
        assert reminders_tick()["urgent"] == 0
    with time_machine.travel(at("2026-11-23 13:00"), tick=False):
        assert reminders_tick()["urgent"] == 1
        assert reminders_tick()["urgent"] == 0
    with time_machine.travel(at("2026-11-23 16:59"), tick=False):  # 7.98 working hours
        assert reminders_tick()["urgent"] == 0
    with time_machine.travel(at("2026-11-23 20:00"), tick=False):  # 8.5 working hours: round 2
        assert reminders_tick()["urgent"] == 1
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):  # the night does not count
        assert reminders_tick()["urgent"] == 0
    with time_machine.travel(at("2026-11-24 12:30"), tick=False):  # 12.5 working hours: round 3
        assert reminders_tick()["urgent"] == 1
    assert kinds_for(people["hank"]).count("urgent") == 3


def test_working_hours_skip_nights_weekends_and_holidays(db):
    assert working_hours_between(at("2026-11-20 17:00"), at("2026-11-23 09:30")) == 1.5
    # Fri half an hour, the make-up Saturday 14 Feb in full, Tue 24 Feb one hour
    assert working_hours_between(at("2026-02-13 17:00"), at("2026-02-24 09:30")) == 10.5


def test_a_nudge_once_per_step_per_working_day(submitted_monday, people):
    alice, hank = people["alice"], people["hank"]
    with time_machine.travel(at("2026-11-24 10:00"), tick=False), translation.override("en"):
        assert request_nudge(request_id=submitted_monday.pk, user=alice) == 1
        with pytest.raises(services.RequestError, match="already sent a reminder"):
            request_nudge(request_id=submitted_monday.pk, user=alice)
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        assert request_nudge(request_id=submitted_monday.pk, user=alice) == 1
    assert kinds_for(hank).count("nudge") == 2
    with pytest.raises(services.RequestError):
        request_nudge(request_id=submitted_monday.pk, user=hank)


def test_no_nudge_on_a_holiday(submitted_monday, people):
    with (
        time_machine.travel(at("2026-11-28 10:00"), tick=False),
        pytest.raises(services.RequestError),
    ):
        request_nudge(request_id=submitted_monday.pk, user=people["alice"])
    assert not ReminderLog.objects.exists()


def test_the_nudge_button_on_the_request_page(client, submitted_monday, people):
    from django.urls import reverse

    client.force_login(people["alice"])
    url = reverse("workflows:request-nudge", args=[submitted_monday.pk])
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        client.post(url)
        second = client.post(url, follow=True)
    assert ReminderLog.objects.filter(kind="nudge").count() == 1
    assert second.status_code == 200


def test_ticks_move_on_past_a_full_batch(make_chain, people, submit, monkeypatch):
    from workflows import reminders

    monkeypatch.setattr(reminders, "BATCH", 5)
    service = make_chain([{**HEAD, "time_limit_days": 1}])
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        for _ in range(12):
            submit(service)
    with time_machine.travel(at("2026-11-24 18:00"), tick=False):
        sent = [reminders_tick()["overdue"] for _ in range(4)]
    assert sent == [5, 5, 2, 0]
    assert ReminderLog.objects.filter(kind="overdue").count() == 12


@pytest.mark.django_db
def test_once_claims_a_kind_and_key_the_first_time_only():
    # given
    from workflows.models import SentOnce
    from workflows.reminders import once

    # when
    first = [once("documents.read", "7:2026-12-02"), once("documents.read", "7:2026-12-02")]
    other = [once("documents.read", "8:2026-12-02"), once("supervision.read", "7:2026-12-02")]
    # then
    assert first == [True, False]
    assert other == [True, True]
    assert SentOnce.objects.count() == 3
