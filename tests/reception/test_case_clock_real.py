"""Two reminder ticks at once on Postgres: each case is reminded, overdue and escalated once."""

import threading

import pytest
import time_machine
from django.db import connection, connections

from hall.models import Notification, User
from reception import case_services as cs
from reception.models import CaseClock
from tests.real_parts import require
from workflows.models import SentOnce

from .conftest import at, new_case


@pytest.fixture
def postgres():
    require(connection.vendor == "postgresql", "needs Postgres (set DATABASE_URL)")


def test_two_ticks_at_once_send_each_case_reminder_once(
    transactional_db, postgres, office, ron, roads, noise
):
    from workflows.reminders import reminders_tick

    # given: 30 enquiries of 3 working days dispatched on Monday 7 Dec 2026 (due Thu 10 Dec)
    boss = User.objects.create_user("boss", password="pw")
    office.department.heads.add(boss)
    CaseClock.objects.create(kind="enquiry", working_days=3)
    mine = []
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        for n in range(30):
            case = cs.case_accept(case=new_case(noise, kind="enquiry", title=f"咨询{n}"), by=office)
            mine.append(cs.case_dispatch(case=case, by=office, lead_unit=roads).pk)
    later = at("2026-12-15", "09:00")  # overdue and past the escalation moment (Mon 14 Dec)
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
    # (only this test's cases are counted: rows another test left behind may be due too)
    assert len(results) == 2
    for kind in ("cases.overdue", "cases.escalation"):
        keys = SentOnce.objects.filter(kind=kind).values_list("key", flat=True)
        sent = sorted(int(key.split(":", 1)[0]) for key in keys)
        assert [pk for pk in sent if pk in mine] == sorted(mine), kind
    assert Notification.objects.filter(recipient=ron, kind="overdue").count() == 30
    assert Notification.objects.filter(recipient=boss, kind="escalation").count() == 30
    before = SentOnce.objects.filter(kind__startswith="cases.").count()
    reminders_tick(now=later)
    assert SentOnce.objects.filter(kind__startswith="cases.").count() == before
