"""Deadlines in working days on the official calendar: the Spring Festival, make-up days and the
institution's own closures."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hall.calendar import add_working_days, is_workday, working_days_between
from hall.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        pytest.param("2026-02-13", 1, "2026-02-14", id="saturday-make-up-day-counts"),
        pytest.param("2026-02-13", 2, "2026-02-24", id="jumps-the-spring-festival"),
        pytest.param("2026-02-16", 0, "2026-02-24", id="started-in-the-holiday"),
        pytest.param("2026-02-26", 2, "2026-02-28", id="second-make-up-saturday"),
        pytest.param("2026-11-20", 1, "2026-11-23", id="ordinary-weekend"),
        pytest.param("2026-09-30", 1, "2026-10-08", id="national-day-week"),
        pytest.param("2027-03-05", 1, "2027-03-08", id="year-not-published-yet-weekdays"),
    ],
)
def test_deadlines_count_official_working_days(db, start, days, due):
    assert add_working_days(at(start), days) == datetime.fromisoformat(due).replace(
        hour=17, minute=30, tzinfo=SH
    )


def test_the_institutions_closures_and_extra_days_win(db):
    CalendarDay.objects.create(date=date(2026, 11, 24), is_workday=False, note="校庆")
    CalendarDay.objects.create(date=date(2026, 11, 28), is_workday=True, note="补班")
    assert not is_workday(date(2026, 11, 24))
    assert add_working_days(at("2026-11-23"), 1).date() == date(2026, 11, 25)
    assert add_working_days(at("2026-11-27"), 1).date() == date(2026, 11, 28)


def test_working_days_between_skips_the_festival(db):
    assert working_days_between(at("2026-02-13"), at("2026-02-25")) == 3  # 14, 24, 25
    assert working_days_between(at("2026-02-25"), at("2026-02-13")) == 0


def test_the_overrides_are_read_once_per_year_and_again_after_a_change(
    db, django_assert_num_queries
):
    start = datetime(2026, 11, 2, 10, 0, tzinfo=SH)  # a Monday; every window ends in 2026
    with django_assert_num_queries(1):  # the year read once, for this and every later due date
        assert add_working_days(start, 1).day == 3
    with django_assert_num_queries(0):
        assert add_working_days(start, 1).day == 3
        assert add_working_days(start, 3).day == 5
    # An admin closes the 3rd: the next due date knows at once.
    closure = CalendarDay.objects.create(date=date(2026, 11, 3), is_workday=False, note="校庆")
    with django_assert_num_queries(1):
        assert add_working_days(start, 1).day == 4
    closure.is_workday = True
    closure.save()
    assert add_working_days(start, 1).day == 3
    closure.delete()
    CalendarDay.objects.create(date=date(2026, 11, 7), is_workday=True, note="补班")  # a Saturday
    assert add_working_days(datetime(2026, 11, 6, 10, 0, tzinfo=SH), 1).day == 7


def test_a_window_over_the_new_year_reads_both_years_in_one_query(db, django_assert_num_queries):
    closures = [
        CalendarDay.objects.create(date=date(2026, 12, 31), is_workday=False, note="闭馆"),
        CalendarDay.objects.create(date=date(2027, 1, 4), is_workday=False, note="闭馆"),
    ]
    window = datetime(2026, 12, 29, 10, 0, tzinfo=SH), datetime(2027, 1, 6, 10, 0, tzinfo=SH)
    with django_assert_num_queries(1):
        found = working_days_between(*window)
    with django_assert_num_queries(0):
        again = working_days_between(*window)
    for closure in closures:
        closure.delete()
    # Both closures count, whichever way the package knows 2027's New Year.
    assert found == again == working_days_between(*window) - 2


def test_without_the_cache_the_rows_decide(db, monkeypatch):
    from hall import calendar

    def away(*args, **kwargs):
        raise ConnectionError("cache away")

    monkeypatch.setattr(calendar.cache, "get", away)
    CalendarDay.objects.create(date=date(2026, 11, 24), is_workday=False, note="校庆")
    assert add_working_days(datetime(2026, 11, 23, 10, 0, tzinfo=SH), 1).day == 25
