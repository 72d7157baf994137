"""Working days. Weekends only for now; the official holiday calendar replaces this (issue 4)."""

from datetime import datetime, timedelta


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start`` (same time of day)."""
    moment, left = start, max(days, 0)
    while left:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment
