"""Reminders, overdue and escalation of cases through the hall's one tick, exactly once per
deadline; extensions through the catalogue chain; the 信访 15/60+30-day and the NPC/CPPCC
month clocks with their notices and grades (time-machine throughout)."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from hall.models import Notification, User
from reception import case_clock
from reception import case_services as cs
from reception.case_merging import proposal_create, proposal_grade
from reception.models import Case, CaseClock, CaseExtension, CaseNotice
from workflows import services as engine
from workflows.models import ApprovalTask, SentOnce
from workflows.reminders import app_ticks

from .conftest import at, new_case


@pytest.fixture
def boss(office):
    """The office's leader: the head of the office's department."""
    boss = User.objects.create_user("boss", password="pw", full_name="包主任")
    office.department.heads.add(boss)
    return boss


def dispatched(office, unit, category, **kw):
    case = cs.case_accept(case=new_case(category, **kw), by=office)
    return cs.case_dispatch(case=case, by=office, lead_unit=unit)


def tick(day, hm):
    with time_machine.travel(at(day, hm), tick=False):
        sent = app_ticks()
    return {k.removeprefix("cases."): v for k, v in sent.items() if k.startswith("cases.")}


def notes(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_a_case_is_reminded_then_overdue_then_escalated_each_exactly_once(
    office, ron, roads, noise, boss
):
    # given: an enquiry of 3 working days accepted on Monday 7 Dec 2026: due Thu 10 Dec 17:30
    CaseClock.objects.create(kind="enquiry", working_days=3)
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = dispatched(office, roads, noise, kind="enquiry")
    assert timezone.localtime(case.due_at) == at("2026-12-10", "17:30")
    # when / then: nothing before the working day ahead of the deadline
    assert tick("2026-12-08", "16:00") == {"approaching": 0, "overdue": 0, "escalation": 0}
    # the day before: the unit is reminded, once however often the tick runs
    assert tick("2026-12-09", "09:00")["approaching"] == 1
    assert tick("2026-12-09", "09:01")["approaching"] == 0
    assert notes(ron, "reminder") == 1
    # past the deadline: overdue, to the unit and the office, once
    assert tick("2026-12-10", "18:00")["overdue"] == 1
    assert tick("2026-12-11", "09:00") == {"approaching": 0, "overdue": 0, "escalation": 0}
    assert notes(ron, "overdue") == 1 and notes(office, "overdue") == 1
    # two working days late (Mon 14 Dec): the office's leader, once
    assert tick("2026-12-14", "08:00")["escalation"] == 1
    assert tick("2026-12-15", "08:00")["escalation"] == 0
    assert notes(boss, "escalation") == 1
    case.refresh_from_db()
    assert case.remind_at is None
    assert list(case.events.values_list("action", flat=True))[-3:] == [
        "reminder",
        "overdue",
        "escalated",
    ]
    assert SentOnce.objects.filter(kind__startswith="cases.").count() == 3


def test_the_lead_in_working_days_is_a_setting_and_skips_the_weekend(
    settings, office, ron, roads, noise
):
    # given: two working days ahead; due Monday 14 Dec, so the reminder comes on Thursday 10th
    settings.RECEPTION_CASE_REMIND_DAYS = 2
    CaseClock.objects.create(kind="enquiry", working_days=3)
    with time_machine.travel(at("2026-12-09", "09:00"), tick=False):
        case = dispatched(office, roads, noise, kind="enquiry")
    assert timezone.localtime(case.due_at) == at("2026-12-14", "17:30")
    assert timezone.localtime(case.remind_at) == at("2026-12-10", "00:00")
    assert tick("2026-12-09", "23:59")["approaching"] == 0
    assert tick("2026-12-10", "00:00")["approaching"] == 1


def test_a_closed_case_is_not_reminded(office, ron, roads, noise):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = dispatched(office, roads, noise, kind="urgent")
        case = cs.case_sign(case=case, by=ron)
        case = cs.case_reply(case=case, by=ron, reply="已处理")
        case = cs.case_close(case=case, by=office)
    assert case.remind_at is None and case.closed_at is not None
    assert tick("2026-12-20", "09:00") == {"approaching": 0, "overdue": 0, "escalation": 0}


# --- extensions ------------------------------------------------------------------------------


@pytest.fixture
def catalogue(areas):
    return areas


def _decide(office, extension, action):
    task = ApprovalTask.objects.get(request=extension.request, status="pending")
    engine.task_decide(task_id=task.pk, user=office, action=action, comment="同意")


def test_an_extension_moves_the_deadline_only_when_the_office_approves(
    office, ron, pat, roads, noise, catalogue
):
    # given: a complaint due in 13 working days, signed for
    CaseClock.objects.create(kind="complaint", working_days=3)
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = cs.case_sign(case=dispatched(office, roads, noise), by=ron)
        old_due = case.due_at
        # refusals: not the lead unit, an earlier date, no date
        for user, day, message in [
            (pat, date(2026, 12, 18), "Only the lead unit's staff"),
            (ron, date(2026, 12, 9), "later than the present one"),
            (ron, None, "Give the new deadline"),
        ]:
            with pytest.raises(case_clock.ClockError, match=message):
                case_clock.extension_request(case_id=case.pk, user=user, new_day=day, reason="x")
        assert CaseExtension.objects.count() == 0
        # when
        extension = case_clock.extension_request(
            case_id=case.pk, user=ron, new_day=date(2026, 12, 18), reason="需要协调施工单位"
        )
        # then: asked, through the internal service, and nothing moves yet
        assert extension.request.service.code == case_clock.EXTENSION_SERVICE
        case.refresh_from_db()
        assert case.due_at == old_due
        with pytest.raises(case_clock.ClockError, match="already waiting"):
            case_clock.extension_request(
                case_id=case.pk, user=ron, new_day=date(2026, 12, 21), reason="再延"
            )
        # the office decides in its inbox
        _decide(office, extension, "approve")
    case.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == CaseExtension.Status.APPROVED
    assert timezone.localtime(case.due_at) == at("2026-12-18", "17:30")
    assert "extended" in case.events.values_list("action", flat=True)
    # the reminders start again for the new deadline
    assert tick("2026-12-17", "09:00")["approaching"] == 1


def test_a_rejected_extension_leaves_the_deadline(office, ron, roads, noise, catalogue):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = cs.case_sign(case=dispatched(office, roads, noise), by=ron)
        before = case.due_at
        extension = case_clock.extension_request(
            case_id=case.pk, user=ron, new_day=date(2026, 12, 31), reason="设备未到"
        )
        _decide(office, extension, "reject")
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.status == CaseExtension.Status.REFUSED and case.due_at == before
    assert "extension_refused" in case.events.values_list("action", flat=True)


# --- 信访 -------------------------------------------------------------------------------------


def test_a_petition_has_15_days_to_accept_60_to_handle_and_one_extension_of_30(
    office, ron, roads, noise, catalogue
):
    # given: a letter received on Monday 7 Dec 2026
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = new_case(noise, channel="petition", received_by=office)
    # the notice of acceptance is due within 15 days (calendar days, as the 条例 counts)
    assert timezone.localtime(case.due_at) == at("2026-12-22", "17:30")
    assert tick("2026-12-23", "09:00")["overdue"] == 1
    # when: accepted on 10 Dec: 60 days, across the Spring Festival that makes no difference
    with time_machine.travel(at("2026-12-10", "10:00"), tick=False):
        case = cs.case_accept(case=case, by=office)
    assert timezone.localtime(case.due_at) == at("2027-02-08", "17:30")
    notice = CaseNotice.objects.get(case=case)
    assert notice.kind == "accepted" and "2027年02月08日" in notice.text
    assert notice.addressee == "王小明" and case.verification_code in notice.text
    # an extension of at most 30 days, approved, with a notice to the petitioner
    with time_machine.travel(at("2026-12-11", "10:00"), tick=False):
        case = cs.case_sign(case=cs.case_dispatch(case=case, by=office, lead_unit=roads), by=ron)
        with pytest.raises(case_clock.ClockError, match="2027-03-10 at the latest"):
            case_clock.extension_request(
                case_id=case.pk, user=ron, new_day=date(2027, 3, 11), reason="情况复杂"
            )
        extension = case_clock.extension_request(
            case_id=case.pk, user=ron, new_day=date(2027, 3, 10), reason="情况复杂"
        )
        _decide(office, extension, "approve")
        case.refresh_from_db()
        assert timezone.localtime(case.due_at) == at("2027-03-10", "17:30")
        assert CaseNotice.objects.filter(case=case, kind="extended").count() == 1
        # only once
        with pytest.raises(case_clock.ClockError, match="only once"):
            case_clock.extension_request(
                case_id=case.pk, user=ron, new_day=date(2027, 3, 10), reason="再延"
            )
        # the reply closes it with a written reply to the petitioner
        case = cs.case_reply(case=case, by=ron, reply="经核查，已督促整改。")
        cs.case_close(case=case, by=office)
    reply = CaseNotice.objects.get(case=case, kind="reply")
    assert "经核查，已督促整改。" in reply.text


def test_a_petition_not_accepted_gets_a_written_notice_with_the_reason(office, noise):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = new_case(noise, channel="petition")
        cs.case_not_accept(case=case, by=office, reason="已进入诉讼程序")
    notice = CaseNotice.objects.get(case=case)
    assert notice.kind == "not_accepted" and "已进入诉讼程序" in notice.text
    case.refresh_from_db()
    assert case.remind_at is None


# --- NPC / CPPCC -----------------------------------------------------------------------------


def proposal(noise, office, **kw):
    values = dict(
        channel=Case.Channel.NPC,
        category=noise,
        title="关于治理夜间施工噪音的建议",
        content="建议加强夜间施工审批。",
        term=14,
        session=3,
        proposal_number="0123",
        first_proposer="李代表",
        co_signers="王代表、张代表",
        contact_phone="13700001111",
        received_by=office,
    )
    values.update(kw)
    return proposal_create(**values)


@pytest.mark.parametrize(
    ("extra", "due"),
    [
        ({}, at("2027-03-10", "17:30")),
        ({"urgent": True}, at("2027-01-10", "17:30")),
        ({"is_complex": True}, at("2027-06-10", "17:30")),
    ],
    ids=["three-months", "urgent-one-month", "complex-six-months"],
)
def test_a_proposal_is_answered_in_months(office, noise, extra, due):
    with time_machine.travel(at("2026-12-10", "10:00"), tick=False):
        case = cs.case_accept(case=proposal(noise, office, **extra), by=office)
    assert timezone.localtime(case.due_at) == due
    assert timezone.localtime(case.proposal.co_due_at) == at("2027-01-10", "17:30")


def test_a_proposal_closes_only_graded_and_a_dissatisfied_proposer_gets_three_months(
    office, ron, pat, roads, parks, noise
):
    with time_machine.travel(at("2026-12-10", "10:00"), tick=False):
        case = cs.case_accept(case=proposal(noise, office, channel="cppcc"), by=office)
        case = cs.case_dispatch(case=case, by=office, lead_unit=roads, co_units=[parks])
        case = cs.case_sign(case=case, by=ron)
        with pytest.raises(cs.CaseError, match="Choose the grade"):
            proposal_grade(case=case, by=ron, grade="D")
        with pytest.raises(cs.CaseError, match="lead unit's staff"):
            proposal_grade(case=case, by=pat, grade="A")
        case = cs.case_reply(case=case, by=ron, reply="已纳入明年计划。")
        with pytest.raises(cs.CaseError, match="Grade the reply"):
            cs.case_close(case=case, by=office)
        assert Case.objects.get(pk=case.pk).status == Case.Status.REPLIED
        proposal_grade(case=case, by=ron, grade="B")
        case = cs.case_close(case=case, by=office)
    with time_machine.travel(at("2027-01-05", "10:00"), tick=False):
        case = cs.case_callback(case=case, by=office, satisfaction="dissatisfied")
    assert case.status == Case.Status.SIGNED
    assert timezone.localtime(case.due_at) == at("2027-04-05", "17:30")
    assert case.proposal.grade == "B"


def test_a_proposal_number_is_recorded_once_per_session(office, noise):
    proposal(noise, office)
    with pytest.raises(cs.CaseError, match="already recorded"):
        proposal(noise, office, title="另一件")
    proposal(noise, office, session=4)
    assert Case.objects.filter(channel="npc").count() == 2
