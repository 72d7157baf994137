"""Bookings without views: the checks, buffers, blackouts, series and the approval chain."""

from datetime import date

import pytest

from reception import services
from reception.models import Blackout, Booking, Series
from reception.services import BookingError, SeriesConflict
from tests.reception.conftest import at
from workflows import services as engine
from workflows.models import ApprovalTask, ServiceRequest

Status = Booking.Status


@pytest.fixture(autouse=True)
def _december(time_machine):
    time_machine.move_to(at("2026-12-01", "09:00"), tick=False)


def book(resource, who, start, end, title="组会", **extra):
    day = extra.pop("day", "2026-12-07")
    return services.booking_create(
        resource_id=resource.pk,
        booker=who,
        title=title,
        starts_at=at(day, start),
        ends_at=at(day, end),
        **extra,
    )


def test_a_free_slot_is_booked_at_once(room, alice):
    booking = book(room, alice, "09:00", "10:00")
    assert booking.status == Status.CONFIRMED
    assert booking.blocked_from == at("2026-12-07", "08:45")
    assert booking.blocked_until == at("2026-12-07", "10:15")


def test_an_overlapping_booking_is_refused_naming_the_holder(room, alice, bob):
    # given
    book(room, alice, "09:00", "10:00", title="课题组会")
    # when
    with pytest.raises(BookingError) as refused:
        book(room, bob, "09:30", "10:30")
    # then
    assert "张爱丽" in refused.value.message
    assert "课题组会" in refused.value.message
    assert Booking.objects.filter(booker=bob).count() == 0


def test_the_buffers_refuse_a_booking_that_starts_during_clean_up(room, alice, bob):
    book(room, alice, "09:00", "10:00")
    with pytest.raises(BookingError, match="张爱丽"):
        book(room, bob, "10:20", "11:00")  # 10:15 clean-up end + 15 min set-up = 10:30
    assert book(room, bob, "10:30", "11:00").status == Status.CONFIRMED


def test_a_blackout_period_refuses_with_its_reason(room, alice):
    Blackout.objects.create(
        resource=room,
        starts_at=at("2026-12-07", "12:00"),
        ends_at=at("2026-12-07", "18:00"),
        reason="设备检修",
    )
    with pytest.raises(BookingError, match="设备检修"):
        book(room, alice, "13:00", "14:00")
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "start,end,extra,words",
    [
        ("07:00", "09:00", {}, "from 08:00 to 22:00"),
        ("21:00", "22:30", {}, "from 08:00 to 22:00"),
        ("10:00", "11:00", {"attendees": 21}, "at most 20 people"),
        ("10:00", "09:00", {}, "end must come after"),
        ("10:00", "11:00", {"day": "2026-11-30"}, "already passed"),
    ],
    ids=["before-opening", "after-closing", "too-many-people", "backwards", "past"],
)
def test_a_time_the_resource_cannot_take_is_refused(room, alice, start, end, extra, words):
    with pytest.raises(BookingError, match=words):
        book(room, alice, start, end, **extra)
    assert not Booking.objects.exists()


def test_a_cancelled_booking_frees_its_slot(room, alice, bob, charlie_user):
    booking = book(room, alice, "09:00", "10:00")
    with pytest.raises(BookingError, match="Only the person who booked"):
        services.booking_cancel(booking_id=booking.pk, user=charlie_user)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    services.booking_cancel(booking_id=booking.pk, user=alice)
    assert book(room, bob, "09:00", "10:00").status == Status.CONFIRMED
    with pytest.raises(BookingError, match="no longer active"):
        services.booking_cancel(booking_id=booking.pk, user=alice)


def test_a_manager_cancels_and_the_booker_is_told(room, alice, mona):
    from hall.models import Notification

    booking = book(room, alice, "09:00", "10:00")
    services.booking_cancel(booking_id=booking.pk, user=mona, reason="领导临时用会")
    assert Notification.objects.filter(recipient=alice, kind="booking").count() == 1


# --- series ---------------------------------------------------------------------------------


def weekly(room, who, **extra):
    values = {
        "resource_id": room.pk,
        "booker": who,
        "title": "每周例会",
        "first_start": at("2026-12-07", "14:00"),
        "minutes": 90,
        "freq": Series.Freq.WEEKLY,
        "weekdays": [0, 2],  # Mondays and Wednesdays
        "until": date(2026, 12, 23),
        **extra,
    }
    return services.series_create(**values)


def test_a_weekly_series_books_every_date_of_its_rule(room, alice):
    result = weekly(room, alice)
    days = [b.starts_at.date().isoformat() for b in result.made]
    assert result.series.rrule == "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261223T235959"
    assert [services.timezone.localtime(b.starts_at).day for b in result.made] == [
        7,
        9,
        14,
        16,
        21,
        23,
    ], days
    assert all(b.status == Status.CONFIRMED for b in result.made)


def test_a_series_reports_its_conflicting_dates_and_makes_nothing(room, alice, bob):
    # given
    book(room, bob, "15:00", "16:00", day="2026-12-09")
    book(room, bob, "13:00", "14:00", day="2026-12-16")
    # when
    with pytest.raises(SeriesConflict) as refused:
        weekly(room, alice)
    # then
    assert [d.isoformat() for d, _m in refused.value.conflicts] == ["2026-12-09", "2026-12-16"]
    assert "2026-12-09" in refused.value.message and "2026-12-16" in refused.value.message
    assert all("李博" in m for _d, m in refused.value.conflicts)
    assert not Series.objects.exists()
    assert Booking.objects.filter(booker=alice).count() == 0


def test_a_series_is_made_without_its_conflicts_and_a_skipped_date_added_later(room, alice, bob):
    # given
    held = book(room, bob, "15:00", "16:00", day="2026-12-09")
    # when
    result = weekly(room, alice, skip_conflicts=True)
    # then
    assert len(result.made) == 5
    assert result.series.skipped == ["2026-12-09"]
    with pytest.raises(BookingError, match="李博"):
        services.series_add_date(series_id=result.series.pk, user=alice, day=date(2026, 12, 9))
    services.booking_cancel(booking_id=held.pk, user=bob)
    added = services.series_add_date(series_id=result.series.pk, user=alice, day=date(2026, 12, 9))
    result.series.refresh_from_db()
    assert added.series_id == result.series.pk
    assert services.timezone.localtime(added.starts_at).hour == 14
    assert result.series.skipped == []
    assert result.series.bookings.count() == 6


def test_a_series_without_an_end_is_refused(room, alice):
    with pytest.raises(BookingError, match="End the series"):
        weekly(room, alice, until=None)
    assert not Series.objects.exists()


def test_a_daily_series_counts_its_dates(room, alice):
    result = weekly(room, alice, freq="DAILY", weekdays=[], until=None, count=3)
    assert result.series.rrule == "FREQ=DAILY;COUNT=3"
    assert len(result.made) == 3


# --- approval through the chain ---------------------------------------------------------------


def decide(booking, user, action="approve", comment="同意"):
    task = ApprovalTask.objects.get(request_id=booking.request_id, status="pending")
    return engine.task_decide(task_id=task.pk, user=user, action=action, comment=comment)


def test_a_hall_booking_waits_for_its_chain_and_is_confirmed(hall_room, alice, mona, areas):
    # when
    booking = book(hall_room, alice, "14:00", "17:00", title="学术报告")
    booking.refresh_from_db()
    # then
    assert booking.status == Status.PENDING
    assert booking.request.service.code == "reception-booking"
    assert not booking.request.service.is_published
    decide(booking, mona)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert booking.request.status == ServiceRequest.Status.APPROVED


def test_approving_one_pending_booking_refuses_the_ones_it_overlaps(
    hall_room, alice, bob, mona, areas
):
    from hall.models import Notification

    # given: two pending bookings of the same afternoon, and one of another day
    first = book(hall_room, alice, "14:00", "17:00", title="学术报告")
    second = book(hall_room, bob, "16:00", "18:00", title="社团活动")
    other = book(hall_room, bob, "16:00", "18:00", title="另一天", day="2026-12-08")
    # when
    decide(first, mona)
    # then
    for b in (first, second, other):
        b.refresh_from_db()
    assert first.status == Status.CONFIRMED
    assert second.status == Status.REFUSED
    assert "张爱丽" in second.note and "学术报告" in second.note
    assert second.request.status == ServiceRequest.Status.WITHDRAWN
    assert not ApprovalTask.objects.filter(request=second.request, status="pending").exists()
    assert other.status == Status.PENDING
    told = Notification.objects.get(recipient=bob, kind="booking")
    assert "张爱丽" in told.body


def test_a_rejected_booking_is_refused(hall_room, alice, mona, areas):
    booking = book(hall_room, alice, "14:00", "17:00")
    decide(booking, mona, action="reject", comment="当天有校级活动")
    booking.refresh_from_db()
    assert booking.status == Status.REFUSED


def test_a_pending_booking_cannot_overlap_a_confirmed_one(hall_room, alice, bob, mona, areas):
    first = book(hall_room, alice, "14:00", "17:00", title="学术报告")
    decide(first, mona)
    with pytest.raises(BookingError, match="张爱丽"):
        book(hall_room, bob, "16:00", "18:00")


def test_cancelling_a_pending_booking_withdraws_its_request(hall_room, alice, areas, mona):
    booking = book(hall_room, alice, "14:00", "17:00")
    services.booking_cancel(booking_id=booking.pk, user=alice)
    booking.refresh_from_db()
    assert booking.request.status == ServiceRequest.Status.WITHDRAWN


def test_a_series_of_the_hall_runs_one_chain_and_approval_confirms_every_date(
    hall_room, alice, bob, mona, areas
):
    # given: bob waits for one Wednesday afternoon; alice asks for four Wednesdays
    single = book(hall_room, bob, "15:00", "16:00", title="社团活动", day="2026-12-16")
    result = services.series_create(
        resource_id=hall_room.pk,
        booker=alice,
        title="系列讲座",
        first_start=at("2026-12-09", "14:00"),
        minutes=120,
        freq=Series.Freq.WEEKLY,
        weekdays=[2],
        count=4,
    )
    assert {b.status for b in result.made} == {Status.PENDING}
    assert len({b.request_id for b in result.made}) == 1
    # when
    decide(result.made[0], mona)
    # then
    statuses = set(Booking.objects.filter(series=result.series).values_list("status", flat=True))
    assert statuses == {Status.CONFIRMED}
    single.refresh_from_db()
    assert single.status == Status.REFUSED
    assert "张爱丽" in single.note


def test_the_approver_reads_a_series_in_words(hall_room, alice, areas):
    result = services.series_create(
        resource_id=hall_room.pk,
        booker=alice,
        title="系列讲座",
        first_start=at("2026-12-09", "14:00"),
        minutes=120,
        freq=Series.Freq.WEEKLY,
        weekdays=[2],
        count=4,
    )
    when = result.made[0].request.form_data["when"]
    assert "FREQ=" not in when
    assert when.endswith("（每周星期三，共 4 次；本次预订 4 次）")
