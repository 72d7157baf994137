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
