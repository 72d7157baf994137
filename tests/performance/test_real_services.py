"""Two reminder ticks at once on Postgres: each item's 催办, notice and escalation happen once."""

import threading

import pytest
import time_machine
from django.db import connection, connections

from hall.models import Notification
from performance import services
from performance.models import NoticeEntry
from tests.performance.conftest import at
from tests.real_parts import require
from workflows.models import SentOnce


@pytest.fixture
def postgres():
    require(connection.vendor == "postgresql", "needs Postgres (set DATABASE_URL)")


def test_two_ticks_at_once_urge_notice_and_escalate_each_item_once(
    transactional_db, postgres, office
):
    from workflows.reminders import reminders_tick

    # given: 30 items due on Monday 30 Nov 2026, signed for
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        for n in range(30):
            item = services.item_create(
                user=office["sam"],
                title=f"督办事项{n}",
                source=services.Source(kind="assigned"),
                criteria="按期完成",
                leader=office["lee"],
                lead_unit=office["school"],
                days=5,
            )
            services.item_sign(item_id=item.pk, user=office["hank"])
    later = at("2026-12-09 09:00")  # overdue and past the escalation moment
    barrier = threading.Barrier(2)
    results = []

    def tick():
        barrier.wait()
        try:
            results.append(reminders_tick(now=later))
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sum(r["supervision.overdue"] for r in results) == 30
    assert sum(r["supervision.escalation"] for r in results) == 30
    assert NoticeEntry.objects.filter(period="2026-12").count() == 30
    assert SentOnce.objects.filter(kind="supervision.overdue").count() == 30
    assert Notification.objects.filter(recipient=office["hank"], kind="overdue").count() == 30
    assert Notification.objects.filter(recipient=office["lee"], kind="escalation").count() == 30
    again = reminders_tick(now=later)
    assert sum(v for k, v in again.items() if k.startswith("supervision.")) == 0
