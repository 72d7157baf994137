"""The supervision item as flow logic, without views: every step, every refusal, the deadline on
the hall's calendar and the tick's reminders, 催办, escalation and public notice."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from hall.models import Notification
from performance import services
from performance.models import Extension, Item, NoticeEntry, Step
from performance.services import Source, SupervisionError
from tests.files import real_pdf
from tests.performance.conftest import at, snapshot
from workflows import services as engine
from workflows.models import ApprovalTask, SentOnce, ServiceRequest

Status = Item.Status


def history(item) -> list[str]:
    return list(item.steps.order_by("pk").values_list("kind", flat=True))


def refused(call, message: str, item) -> None:
    before = snapshot(item)
    with pytest.raises(SupervisionError) as caught:
        call()
    assert caught.value.message == message
    assert snapshot(item) == before


# --- deadlines on the calendar ---------------------------------------------------------------


def test_the_deadline_counts_working_days_over_national_day(assign):
    # given: assigned on Wednesday 30 September 2026, three working days, 1–7 October off
    item = assign(days=3, milestones=(("方案", 1),), when="2026-09-30 10:00")
    # then: 8, 9 and 10 October (a make-up Saturday) are the three working days
    assert item.deadline == at("2026-10-10 17:30")
    assert item.milestones.get().due == at("2026-10-08 17:30")


def test_an_item_assigned_on_a_holiday_starts_counting_on_the_next_working_day(assign):
    item = assign(days=1, milestones=(), when="2026-10-03 10:00")
    assert item.deadline == at("2026-10-09 17:30")


# --- the path of an item ---------------------------------------------------------------------


def test_an_item_is_signed_for_reported_on_completed_verified_and_closed(office, assign):
    # given
    item = assign()
    assert item.status == Status.ASSIGNED
    assert Notification.objects.filter(recipient=office["hank"], kind="task_arrived").exists()
    # when
    services.item_sign(item_id=item.pk, user=office["hank"])
    milestone = item.milestones.get()
    evidence = SimpleUploadedFile("方案.pdf", real_pdf(), content_type="application/pdf")
    services.item_report(
        item_id=item.pk,
        user=office["alice"],
        text="方案已制定",
        milestone_id=milestone.pk,
        evidence=evidence,
    )
    services.item_complete(item_id=item.pk, user=office["hank"], text="已上线62项服务")
    item.refresh_from_db()
    assert item.status == Status.REPORTED
    assert item.remind_at is None
    services.item_close(item_id=item.pk, user=office["sam"], comment="核验属实")
    # then
    item.refresh_from_db()
    milestone.refresh_from_db()
    assert item.status == Status.CLOSED
    assert item.closed_at is not None
    assert milestone.reached_at is not None
    assert item.reports.get(kind="progress").evidence.name.endswith(".pdf")
    assert history(item) == ["created", "signed", "progress", "completion", "closed"]
    assert Notification.objects.filter(recipient=office["lee"], kind="request_finished").exists()


def test_the_office_sends_a_completion_back_and_the_unit_works_on(office, assign):
    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    services.item_complete(item_id=item.pk, user=office["hank"], text="已完成")
    # when
    services.item_send_back(item_id=item.pk, user=office["sam"], reason="缺少上线清单")
    # then
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert item.remind_at is not None
    assert history(item)[-1] == "sent_back"
    assert item.steps.get(kind="sent_back").text == "缺少上线清单"


def test_a_returned_item_is_assigned_again_to_another_unit(office, assign):
    item = assign()
    services.item_return(item_id=item.pk, user=office["hank"], reason="不属于本单位职责")
    item.refresh_from_db()
    assert item.status == Status.RETURNED
    assert Notification.objects.filter(recipient=office["sam"], kind="returned").exists()
    # when
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        services.item_reassign(item_id=item.pk, user=office["sam"], lead_unit=office["finance"])
    # then
    item.refresh_from_db()
    assert item.status == Status.ASSIGNED
    assert item.lead_unit == office["finance"]
    assert item.deadline == at("2026-12-01 17:30")
    assert history(item) == ["created", "returned", "reassigned"]


# --- refusals: a message, and nothing changed -------------------------------------------------


def test_closing_without_verification_is_refused(office, assign):
    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    refused(
        lambda: services.item_close(item_id=item.pk, user=office["sam"]),
        "An item is closed only after the office verified its completion report.",
        item,
    )


def test_reporting_on_a_returned_item_is_refused(office, assign):
    item = assign()
    services.item_return(item_id=item.pk, user=office["hank"], reason="不属于本单位职责")
    for call in (services.item_report, services.item_complete):
        refused(
            lambda call=call: call(item_id=item.pk, user=office["hank"], text="进展"),
            "This item was returned to the office; it takes no reports.",
            item,
        )


def test_an_extension_past_the_year_is_refused(office, assign):
    from datetime import date

    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    refused(
        lambda: services.extension_request(
            item_id=item.pk, user=office["hank"], new_deadline=date(2027, 1, 15), reason="设备未到"
        ),
        "An extension cannot go past the end of the year 2026; the leader may assign the work "
        "again next year.",
        item,
    )
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("who", "action", "message"),
    [
        ("charlie", "sign", "Only the lead unit signs for an item."),
        ("rita", "sign", "Only the lead unit signs for an item."),
        ("lina", "sign", "Only the lead unit signs for an item."),
        ("hank", "return-empty", "Say why the item goes back to the office."),
        ("hank", "report-unsigned", "Sign for the item before reporting on it."),
        ("hank", "complete-unsigned", "Only an item in progress can be reported complete."),
        ("hank", "close", "Only the supervision office closes items."),
        ("sam", "send-back", "Only a reported completion can be sent back."),
        ("sam", "reassign", "Only a returned item is assigned again."),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_a_step_out_of_turn_or_by_the_wrong_person_is_refused(office, assign, who, action, message):
    item = assign()
    user = office[who]
    calls = {
        "sign": lambda: services.item_sign(item_id=item.pk, user=user),
        "return-empty": lambda: services.item_return(item_id=item.pk, user=user, reason=" "),
        "report-unsigned": lambda: services.item_report(item_id=item.pk, user=user, text="x"),
        "complete-unsigned": lambda: services.item_complete(item_id=item.pk, user=user, text="x"),
        "close": lambda: services.item_close(item_id=item.pk, user=user),
        "send-back": lambda: services.item_send_back(item_id=item.pk, user=user, reason="x"),
        "reassign": lambda: services.item_reassign(
            item_id=item.pk, user=user, lead_unit=office["finance"]
        ),
    }
    refused(calls[action], message, item)


def test_only_the_office_assigns_and_a_source_must_be_a_reference(office, assign):
    with pytest.raises(SupervisionError, match="Only the supervision office assigns items."):
        assign(user=office["hank"])
    with pytest.raises(SupervisionError, match="app.model:number"):
        assign(source=Source(kind="instruction", ref="批示12"))
    with pytest.raises(SupervisionError, match="within the time limit"):
        assign(days=3, milestones=(("方案", 4),))
    assert not Item.objects.exists()


def test_work_assigned_by_a_leader_needs_no_source_reference(assign):
    item = assign(source=Source(kind="assigned", title="校长交办"))
    assert item.source_ref == ""


# --- extensions through the catalogue chain --------------------------------------------------


def _leader_decides(office, extension, action):
    task = ApprovalTask.objects.get(request=extension.request, status="pending")
    engine.task_decide(task_id=task.pk, user=office["lee"], action=action, comment="同意")


def test_an_extension_is_decided_by_the_leader_through_the_chain(office, assign):
    from datetime import date

    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        extension = services.extension_request(
            item_id=item.pk, user=office["hank"], new_deadline=date(2026, 12, 18), reason="设备未到"
        )
    assert extension.status == Extension.Status.PENDING
    assert extension.request.service.code == "performance-extension"
    # a second one waits for the first
    refused(
        lambda: services.extension_request(
            item_id=item.pk, user=office["hank"], new_deadline=date(2026, 12, 20), reason="再延"
        ),
        "An extension of this item is already waiting for approval.",
        item,
    )
    # when: the leader in charge approves it in their inbox
    _leader_decides(office, extension, "approve")
    # then
    item.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert item.deadline == at("2026-12-18 17:30")
    assert history(item)[-2:] == ["extension_asked", "extension_approved"]


def test_a_rejected_extension_leaves_the_deadline(office, assign):
    from datetime import date

    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    deadline = item.deadline
    extension = services.extension_request(
        item_id=item.pk, user=office["hank"], new_deadline=date(2026, 12, 18), reason="设备未到"
    )
    _leader_decides(office, extension, "reject")
    item.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REFUSED
    assert item.deadline == deadline
    assert history(item)[-1] == "extension_refused"


# --- the tick --------------------------------------------------------------------------------


def tick(when: str) -> dict:
    from workflows.reminders import reminders_tick

    with time_machine.travel(at(when), tick=False):
        return {k: v for k, v in reminders_tick().items() if k.startswith("supervision.")}


def test_the_tick_reminds_urges_notices_and_escalates_each_once(office, assign):
    # given: assigned Monday 23 Nov 09:00, five working days (due Mon 30 Nov 17:30), a
    # milestone after two (Wed 25 Nov 17:30); signed for
    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    assert item.deadline == at("2026-11-30 17:30")
    # nothing is due yet
    assert sum(tick("2026-11-23 10:00").values()) == 0
    # a day before the milestone
    assert tick("2026-11-24 18:00")["supervision.milestone"] == 1
    assert tick("2026-11-24 18:05")["supervision.milestone"] == 0
    # the milestone passes without a report: its own overdue notice, once
    assert tick("2026-11-25 17:30")["supervision.milestone_overdue"] == 1
    assert tick("2026-11-25 17:31")["supervision.milestone_overdue"] == 0
    # a day before the deadline
    assert tick("2026-11-29 18:00")["supervision.approaching"] == 1
    assert tick("2026-11-29 18:30")["supervision.approaching"] == 0
    # past it: 催办 to the unit, and the item is on the public notice of December
    sent = tick("2026-12-01 09:00")
    assert sent["supervision.overdue"] == 1
    assert sent["supervision.notice"] == 1
    assert sent["supervision.escalation"] == 0
    assert NoticeEntry.objects.get(item=item).period == "2026-12"
    # two working days late: escalated to the leader in charge, once
    assert tick("2026-12-02 00:30")["supervision.escalation"] == 1
    assert sum(tick("2026-12-03 09:00").values()) == 0
    # then
    item.refresh_from_db()
    assert item.escalated_at is not None
    assert item.remind_at is None
    assert Notification.objects.filter(recipient=office["hank"], kind="overdue").count() == 2
    assert Notification.objects.filter(recipient=office["lee"], kind="escalation").count() == 1
    assert (
        SentOnce.objects.filter(
            kind__startswith="supervision.", key__startswith=f"{item.pk}:"
        ).count()
        == 5
    )
    assert list(
        item.steps.filter(
            kind__in=["reminder", "milestone_overdue", "overdue", "notice", "escalated"]
        )
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["reminder", "milestone_overdue", "reminder", "overdue", "notice", "escalated"]


def test_a_milestone_past_its_date_without_a_report_is_noticed_once_to_the_lead_unit(
    office, assign
):
    # given two milestones (Tue 24 and Wed 25 Nov, 17:30), the first reported in time
    item = assign(milestones=(("调研", 1), ("制定方案", 2)))
    services.item_sign(item_id=item.pk, user=office["hank"])
    first, second = item.milestones.order_by("n")
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        services.item_report(
            item_id=item.pk, user=office["hank"], text="调研完成", milestone_id=first.pk
        )
    # when two ticks run at once after the second's date, and again the next day
    assert tick("2026-11-25 18:00")["supervision.milestone_overdue"] == 1
    assert tick("2026-11-25 18:00")["supervision.milestone_overdue"] == 0
    assert tick("2026-11-26 09:00")["supervision.milestone_overdue"] == 0
    # then the lead unit's head has one overdue notice naming the second milestone, no more
    notices = Notification.objects.filter(recipient=office["hank"], kind="overdue")
    assert [n.subject for n in notices] == [f"节点逾期未报：{item.title}"]
    assert list(item.steps.filter(kind="milestone_overdue").values_list("text", flat=True)) == [
        "制定方案"
    ]
    assert (
        not Notification.objects.filter(recipient=office["lee"]).exclude(kind="reminder").exists()
    )


def test_the_tick_wakes_at_a_milestones_date(office, assign):
    # given the milestone reminder sent a day before
    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    assert tick("2026-11-24 18:00")["supervision.milestone"] == 1
    item.refresh_from_db()
    # then the next moment the tick looks at the item is the milestone's date
    assert item.remind_at == item.milestones.get().due


def test_a_completion_report_stops_the_reminders(office, assign):
    item = assign()
    services.item_sign(item_id=item.pk, user=office["hank"])
    services.item_complete(item_id=item.pk, user=office["hank"], text="已完成")
    assert sum(tick("2026-12-10 09:00").values()) == 0
    assert not Step.objects.filter(item=item, kind="overdue").exists()


def test_an_approved_extension_gives_a_new_window(office, assign):
    from datetime import date

    item = assign(milestones=())
    services.item_sign(item_id=item.pk, user=office["hank"])
    assert tick("2026-12-01 09:00")["supervision.overdue"] == 1
    extension = services.extension_request(
        item_id=item.pk, user=office["hank"], new_deadline=date(2026, 12, 18), reason="设备未到"
    )
    _leader_decides(office, extension, "approve")
    assert tick("2026-12-17 18:00")["supervision.approaching"] == 1
    assert tick("2026-12-21 09:00")["supervision.overdue"] == 1
