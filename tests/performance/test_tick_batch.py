"""The supervision tick sends a batch in bulk: its claims in one statement, its messages,
history steps and notice entries one insert each, in one transaction. Exactly once per window
still holds, a batch that fails half way sends nothing and loses nothing, and the tick's
queries do not grow with the number of items due."""

from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hall.models import Delivery, Notification
from performance import services
from performance.models import Item, NoticeEntry, Step
from tests.performance.conftest import at
from workflows.models import SentOnce
from workflows.reminders import once, once_many

pytestmark = pytest.mark.django_db


def tick(when: str) -> dict:
    with time_machine.travel(at(when), tick=False):
        return services.supervision_tick()


def test_once_many_claims_each_pair_once_and_agrees_with_once():
    pairs = [("t.a", "1"), ("t.a", "2"), ("t.b", "1"), ("t.a", "1")]
    assert once("t.a", "2")
    assert once_many(pairs) == {("t.a", "1"), ("t.b", "1")}
    assert once_many(pairs) == set()
    assert not once("t.b", "1")
    assert SentOnce.objects.filter(kind__startswith="t.").count() == 3
    assert once_many([]) == set()


def test_many_items_overdue_in_one_tick_each_urged_noticed_and_escalated_once(office, assign):
    # given 12 items of the school (hank heads it) and 3 of the research division (rita heads
    # it), all signed for and five working days long: due Mon 30 Nov 17:30
    items = [assign() for _ in range(12)]
    items += [assign(lead_unit=office["research"], co_units=[]) for _ in range(3)]
    for item in items:
        unit = office["hank"] if item.lead_unit_id == office["school"].pk else office["rita"]
        services.item_sign(item_id=item.pk, user=unit)
    # when one tick runs two working days after the deadline, and another a minute later
    sent = tick("2026-12-02 09:00")
    again = tick("2026-12-02 09:01")
    # then each item had its milestone-overdue, overdue, notice and escalation once
    assert sent["overdue"] == sent["notice"] == sent["escalation"] == 15
    assert sent["milestone_overdue"] == 15
    assert sum(again.values()) == 0
    assert Notification.objects.filter(recipient=office["hank"], kind="overdue").count() == 24
    assert Notification.objects.filter(recipient=office["rita"], kind="overdue").count() == 6
    assert Notification.objects.filter(recipient=office["lee"], kind="escalation").count() == 15
    assert NoticeEntry.objects.filter(period="2026-12").count() == 15
    for item in items:
        item.refresh_from_db()
        assert item.escalated_at == at("2026-12-02 09:00")
        assert item.remind_at is None
        assert list(
            item.steps.exclude(kind__in=["created", "signed"])
            .order_by("pk")
            .values_list("kind", flat=True)
        ) == ["milestone_overdue", "overdue", "notice", "escalated"]
    # and each escalation's step names the leader in charge
    assert set(Step.objects.filter(kind="escalated").values_list("text", flat=True).distinct()) == {
        str(office["lee"])
    }


def test_a_unit_without_heads_hears_through_its_staff(office, assign):
    # given the finance office, which has no head, leads an item; charlie works there
    finance = office["finance"]
    finance.heads.clear()
    item = assign(lead_unit=finance, co_units=[], milestones=())
    Item.objects.filter(pk=item.pk).update(status=Item.Status.IN_PROGRESS)
    # when it goes overdue
    assert tick("2026-12-01 09:00")["overdue"] == 1
    # then its staff were urged
    assert Notification.objects.filter(recipient=office["charlie"], kind="overdue").count() == 1


def _queries_of_a_tick(office, assign, n: int) -> int:
    items = [assign() for _ in range(n)]
    for item in items:
        services.item_sign(item_id=item.pk, user=office["hank"])
    with (
        time_machine.travel(at("2026-12-02 09:00"), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        sent = services.supervision_tick()
    assert sent["overdue"] == n
    return len(queries)


def test_the_ticks_queries_do_not_grow_with_the_items_due(office, assign):
    _queries_of_a_tick(office, assign, 2)  # the first fills what is cached
    Item.objects.all().delete()
    few = _queries_of_a_tick(office, assign, 2)
    Item.objects.all().delete()
    many = _queries_of_a_tick(office, assign, 20)
    assert many == few


def test_a_batch_that_fails_half_way_sends_nothing_and_the_next_tick_sends_it_once(office, assign):
    # given two overdue items
    items = [assign(), assign()]
    for item in items:
        services.item_sign(item_id=item.pk, user=office["hank"])
    due_before = {i.pk: Item.objects.get(pk=i.pk).remind_at for i in items}
    # when the tick fails after its claims and messages were written (the history insert)
    failing = mock.patch.object(Step.objects, "bulk_create", side_effect=RuntimeError("disk"))
    with failing, pytest.raises(RuntimeError):
        tick("2026-12-02 09:00")
    # then nothing of the batch stayed: no claim, no message, no delivery, no notice
    assert not SentOnce.objects.filter(kind__startswith="supervision.").exists()
    assert not Notification.objects.filter(kind__in=["overdue", "escalation"]).exists()
    assert not Delivery.objects.filter(notification__kind="overdue").exists()
    assert not NoticeEntry.objects.exists()
    assert {i.pk: Item.objects.get(pk=i.pk).remind_at for i in items} == due_before
    # and the next tick sends each once, the one after nothing
    assert tick("2026-12-02 09:05")["overdue"] == 2
    assert sum(tick("2026-12-02 09:06").values()) == 0
    urged = Notification.objects.filter(recipient=office["hank"], subject__startswith="催办")
    assert urged.count() == 2
