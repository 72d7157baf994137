"""Request numbers: SQ + the day + seven digits from a counter per day, with no gaps.

A submission that rolls back gives its number back, so office staff never see a gap they would
read as a missing file. (Two submissions at once on Postgres: tests/workflows/test_real_services.)
"""

import pytest
import time_machine
from django.db import IntegrityError

from tests.chains import HEAD
from workflows import handoffs, services
from workflows.models import RequestCounter, ServiceRequest

DAY = "2026-11-17 10:00 +0800"


@pytest.fixture
def service(make_chain):
    return make_chain([HEAD])


def test_submissions_of_one_day_get_consecutive_numbers(service, submit):
    with time_machine.travel(DAY, tick=False):
        numbers = [submit(service).number for _ in range(3)]
    assert numbers == ["SQ202611170000001", "SQ202611170000002", "SQ202611170000003"]


def test_the_counter_starts_again_the_next_day(service, submit):
    with time_machine.travel(DAY, tick=False) as clock:
        submit(service)
        clock.shift(86400)
        assert submit(service).number == "SQ202611180000001"


def test_a_draft_has_no_number_and_uses_none(service, people, submit):
    with time_machine.travel(DAY, tick=False):
        draft = services.request_save_draft(
            service=service,
            applicant=people["alice"],
            form_data={},
            files={},
            urgent=False,
            urgent_reason="",
        )
        assert draft.number is None
        assert submit(service).number == "SQ202611170000001"


def test_a_submission_refused_by_its_handoff_leaves_no_gap(service, submit, monkeypatch):
    # given: one request numbered, then a back office that refuses the next submission
    with time_machine.travel(DAY, tick=False):
        first = submit(service)

        def refuse(request):
            raise handoffs.HandoffError("档案已借出")

        monkeypatch.setattr(handoffs, "submitted", refuse)
        # when
        with pytest.raises(services.RequestError):
            submit(service)
        monkeypatch.undo()
        after = submit(service)
    # then: nothing of the refused one was kept, and the next number follows on
    assert (first.number, after.number) == ("SQ202611170000001", "SQ202611170000002")
    assert ServiceRequest.objects.count() == 2
    assert RequestCounter.objects.get().last == 2


def test_a_clash_inside_the_submission_gives_its_number_back(service, submit, monkeypatch):
    # given: a database clash after the number was taken (a double click racing, say)
    real_record = services._record

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    with time_machine.travel(DAY, tick=False):
        monkeypatch.setattr(services, "_record", clash)
        with pytest.raises(IntegrityError):
            submit(service)
        monkeypatch.setattr(services, "_record", real_record)
        # when
        numbers = [submit(service).number for _ in range(2)]
    # then
    assert numbers == ["SQ202611170000001", "SQ202611170000002"]


def test_numbers_given_before_the_counter_stay_and_the_counter_goes_on_after_them(service, submit):
    # given: a request of today numbered the old way, from its row id, before the counter existed
    with time_machine.travel(DAY, tick=False):
        old = submit(service)
        ServiceRequest.objects.filter(pk=old.pk).update(number="SQ202611170000042")
        RequestCounter.objects.all().delete()
        # when
        new = submit(service)
    # then
    old.refresh_from_db()
    assert old.number == "SQ202611170000042"
    assert new.number == "SQ202611170000043"
