"""Working days on the official Chinese calendar, with the institution's own overrides.

The State Council's holidays and make-up working days come from the ``chinesecalendar``
package; office admins add closures (or extra working days) as ``CalendarDay`` rows, which win.
Years the package does not know yet fall back to Monday–Friday until their calendar is
published (admins can enter it as overrides meanwhile).
"""

import contextlib
from datetime import date, datetime, timedelta

import chinese_calendar
from django.core.cache import cache
from django.utils import timezone

from hall import caching

# Deadlines fall due at the end of the working day, not at midnight.
END_OF_DAY = (17, 30)

# Every due date (each task an approval opens, each case clock) reads the overrides of its
# window; they change a few times a year. So they are read once per year and calendar version
# and cached; calendar_changed() (hall/apps.py, on every save or delete of a CalendarDay) starts
# a new version, and what was cached under the old one is never read again.
VERSION_KEY = "hall:calendar:version"
YEAR_TTL = 24 * 3600


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _official_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _read_overrides(start: date, end: date) -> dict[date, bool]:
    from hall.models import CalendarDay

    return dict(
        CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
    )


def calendar_version() -> str:
    return caching.version(VERSION_KEY)


def calendar_changed() -> None:
    """A new calendar version: the next due date reads the overrides again."""
    caching.new_version(VERSION_KEY)


def overrides_between(start: date, end: date) -> dict[date, bool]:
    """The admins' overrides from start to end (inclusive): from the cache, by whole years of
    the current calendar version; the years not cached yet in one query."""
    if end < start:
        return {}
    years = range(start.year, end.year + 1)
    try:
        version = calendar_version()
        keys = {year: f"hall:calendar:{version}:{year}" for year in years}
        cached = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 - the cache is a shortcut: without it, read the rows
        return _read_overrides(start, end)
    by_year = {year: cached[key] for year, key in keys.items() if key in cached}
    missing = [year for year in years if year not in by_year]
    if missing:
        read = _read_overrides(date(missing[0], 1, 1), date(missing[-1], 12, 31))
        for year in missing:
            by_year[year] = {d: w for d, w in read.items() if d.year == year}
        with contextlib.suppress(Exception):
            cache.set_many({keys[year]: by_year[year] for year in missing}, YEAR_TTL)
    return {
        day: workday
        for overrides in by_year.values()
        for day, workday in overrides.items()
        if start <= day <= end
    }


def window_of(start: datetime, days: int) -> tuple[date, date]:
    """The calendar days ``add_working_days(start, days)`` may look at."""
    first = _local(start).date()
    return first, first + timedelta(days=max(days, 0) * 3 + 30)


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    if overrides is not None and day in overrides:
        return overrides[day]
    if overrides is None:
        found = overrides_between(day, day)
        if day in found:
            return found[day]
    return _official_workday(day)


def add_working_days(
    start: datetime, days: int, overrides: dict[date, bool] | None = None
) -> datetime:
    """The end of the ``days``-th working day after ``start`` (in the hall's time zone).

    Zero days means the end of today if today is a working day, else of the next one.
    ``overrides``: the calendar's days already read (``overrides_between``) over a window that
    covers ``window_of(start, days)``, for a caller that adds to many dates (a tick's batch).
    """
    days = max(days, 0)
    # Days are counted on the institution's calendar, not in UTC.
    start = _local(start)
    first = start.date()
    if overrides is None:
        # One query for the whole window: weeks of holidays (Spring Festival) fit many times.
        overrides = overrides_between(*window_of(start, days))
    day, left = first, days
    if not is_workday(day, overrides):
        left += 1
    while left:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            left -= 1
    hour, minute = END_OF_DAY
    return start.replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=hour,
        minute=minute,
        second=0,
        microsecond=0,
    )


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from start's day (exclusive) to end's day (inclusive)."""
    if end <= start:
        return 0
    first, last = _local(start).date(), _local(end).date()
    overrides = overrides_between(first, last)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count
