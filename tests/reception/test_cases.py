"""The case loop as flow logic, without views: every step, every refusal with its message and
nothing changed, the clocks in working days across the holidays, masking."""

import pytest
import time_machine
from django.utils import timezone

from reception import case_services as cs
from reception.models import Case, CaseClock, CaseEvent

from .conftest import at, new_case

S = Case.Status


def snapshot(case):
    case.refresh_from_db()
    return (
        case.status,
        case.lead_unit_id,
        case.reply,
        case.satisfaction,
        case.due_at,
        case.reopened,
        CaseEvent.objects.filter(case=case).count(),
    )


def refused(step, case, message, **kw):
    before = snapshot(case)
    with pytest.raises(cs.CaseError) as error:
        step(case=case, **kw)
    assert message in error.value.message
    assert snapshot(case) == before


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_the_whole_loop_with_a_return_a_send_back_and_a_dissatisfied_callback(
    office, ron, pat, roads, parks, noise
):
    case = new_case(noise, received_by=office)
    assert case.number == f"GD2026{case.pk:07d}" and len(case.verification_code) == 6
    assert case.status == S.NEW
    case = cs.case_accept(case=case, by=office)
    assert case.status == S.ACCEPTED and case.due_at is not None
    case = cs.case_dispatch(case=case, by=office, lead_unit=parks, co_units=[roads])
    assert case.status == S.DISPATCHED
    case = cs.case_return(case=case, by=pat, reason="不属于园林处")
    assert case.status == S.RETURNED
    case = cs.case_dispatch(case=case, by=office, lead_unit=roads, co_units=[parks])
    assert case.lead_unit == roads and list(case.co_units.all()) == [parks]
    case = cs.case_sign(case=case, by=ron)
    assert case.status == S.SIGNED
    case = cs.case_reply(case=case, by=ron, reply="已联系")
    case = cs.case_send_back(case=case, by=office, reason="没有说明处理结果")
    assert case.status == S.SIGNED
    case = cs.case_reply(case=case, by=ron, reply="已责令停工，22点后不得施工。")
    assert case.public_reply == case.reply
    case = cs.case_close(case=case, by=office)
    assert case.status == S.CLOSED
    case = cs.case_callback(case=case, by=office, satisfaction="dissatisfied")
    assert case.status == S.SIGNED and case.reopened == 1
    case = cs.case_reply(case=case, by=ron, reply="复查：已停工。")
    case = cs.case_close(case=case, by=office)
    case = cs.case_callback(case=case, by=office, satisfaction="satisfied")
    assert case.status == S.DONE and case.satisfaction == "satisfied"
    assert list(case.events.values_list("action", flat=True)) == [
        "created",
        "accepted",
        "dispatched",
        "returned",
        "dispatched",
        "signed",
        "replied",
        "sent_back",
        "replied",
        "closed",
        "callback",
        "reopened",
        "replied",
        "closed",
        "callback",
    ]
    # A second callback is refused, with its message, and changes nothing.
    refused(cs.case_callback, case, "already been called back", by=office, satisfaction="satisfied")


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_not_accepted_needs_a_reason(office, noise):
    case = new_case(noise)
    refused(cs.case_not_accept, case, "why the case is not accepted", by=office, reason="  ")
    case = cs.case_not_accept(case=case, by=office, reason="不属于本单位职责")
    assert case.status == S.NOT_ACCEPTED and case.not_accepted_reason == "不属于本单位职责"
    refused(cs.case_accept, case, "not possible now", by=office)


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_refusals_change_nothing(office, ron, pat, roads, noise):
    case = new_case(noise)
    refused(cs.case_accept, case, "Only the office", by=ron)
    refused(cs.case_dispatch, case, "not possible now", by=office, lead_unit=roads)
    case = cs.case_accept(case=case, by=office)
    refused(cs.case_dispatch, case, "Choose the lead unit", by=office, lead_unit=None)
    refused(cs.case_dispatch, case, "Only the office", by=ron, lead_unit=roads)
    refused(cs.case_close, case, "only after a reply", by=office)
    case = cs.case_dispatch(case=case, by=office, lead_unit=roads)
    refused(cs.case_sign, case, "lead unit's staff", by=pat)
    refused(cs.case_return, case, "why the case is returned", by=ron, reason="")
    refused(cs.case_reply, case, "not possible now", by=ron, reply="x")
    case = cs.case_sign(case=case, by=ron)
    refused(cs.case_reply, case, "Write the reply", by=ron, reply=" ")
    refused(cs.case_reply, case, "lead unit's staff", by=pat, reply="x")
    refused(cs.case_callback, case, "not possible now", by=office, satisfaction="satisfied")
    case = cs.case_reply(case=case, by=ron, reply="ok")
    refused(cs.case_send_back, case, "what the reply is missing", by=office, reason="")
    refused(cs.case_close, case, "Only the office", by=ron)
    case = cs.case_close(case=case, by=office)
    refused(cs.case_callback, case, "how satisfied", by=office, satisfaction="meh")


def test_creating_needs_content_and_a_contact_unless_anonymous(noise):
    with pytest.raises(cs.CaseError, match="what the case is about"):
        new_case(noise, content=" ")
    with pytest.raises(cs.CaseError, match="leave the message anonymously"):
        new_case(noise, contact_phone="")
    case = new_case(noise, channel="online", anonymous=True, contact_phone="")
    assert case.anonymous and case.contact_name == ""
    assert Case.objects.count() == 1


def test_online_messages_are_rate_limited_per_address(noise):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        for _ in range(cs.ONLINE_LIMIT):
            new_case(noise, channel="online", source_address="10.0.0.9")
        with pytest.raises(cs.CaseError, match="Too many messages"):
            new_case(noise, channel="online", source_address="10.0.0.9")
        new_case(noise, channel="online", source_address="10.0.0.10")
        # The phone channel is typed by the operator: no limit by address.
        new_case(noise, channel="phone", source_address="10.0.0.9")
    with time_machine.travel(at("2026-12-07", "10:01"), tick=False):
        new_case(noise, channel="online", source_address="10.0.0.9")
    assert Case.objects.filter(source_address="10.0.0.9").count() == cs.ONLINE_LIMIT + 1


@pytest.mark.parametrize(
    ("kind", "received", "due"),
    [
        # Urgent: the end of the same working day.
        ("urgent", at("2026-12-07", "09:00"), at("2026-12-07", "17:30")),
        # Enquiry, 3 working days from a Friday: Wed.
        ("enquiry", at("2026-12-04", "09:00"), at("2026-12-09", "17:30")),
        # Complaint before National Day 2026 (Oct 1–7 off, Sat Oct 10 worked): Sep 30, Oct 8,
        # 9, 10, 12–16, 19–22 are the 13 working days.
        ("complaint", at("2026-09-29", "09:00"), at("2026-10-22", "17:30")),
        # Suggestion across the Spring Festival 2026 (Feb 15–23 off, Sat Feb 14 and 28 worked):
        # Feb 13, 14, 24–28, Mar 2–6, 9.
        ("suggestion", at("2026-02-12", "09:00"), at("2026-03-09", "17:30")),
    ],
)
def test_clocks_in_working_days_on_the_hall_calendar(office, noise, kind, received, due):
    with time_machine.travel(received, tick=False):
        case = cs.case_accept(case=new_case(noise, kind=kind), by=office)
    assert timezone.localtime(case.due_at) == due


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_a_clock_edited_in_admin_wins(office, noise):
    CaseClock.objects.create(kind="enquiry", working_days=1)
    case = cs.case_accept(case=new_case(noise, kind="enquiry"), by=office)
    assert timezone.localtime(case.due_at) == at("2026-12-08", "17:30")


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_who_sees_the_contact(office, ron, pat, roads, parks, noise, charlie_user):
    case = cs.case_accept(case=new_case(noise), by=office)
    case = cs.case_dispatch(case=case, by=office, lead_unit=roads, co_units=[parks])
    assert cs.may_see_contact(office, case)
    assert cs.may_see_contact(ron, case)
    assert cs.may_see_contact(pat, case)
    assert not cs.may_see_contact(charlie_user, case)
    case.anonymous = True
    assert cs.may_see_contact(office, case) and not cs.may_see_contact(ron, case)
    assert cs.mask_phone("13812345678") == "138****5678"
    assert cs.mask_name("王小明") == "王**"
    assert cs.mask_email("wang@example.com") == "w***@example.com"
