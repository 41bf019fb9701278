"""Calendar arithmetic for monthly and weekly periods (a period is named by its first day; weeks
start on Monday)."""

import datetime as dt

from veracity.forecasting.models import Frequency

SEASON = {Frequency.MONTH: 12, Frequency.WEEK: 52}
DEFAULT_HORIZON = {Frequency.MONTH: 12, Frequency.WEEK: 13}
MAX_HORIZON = {Frequency.MONTH: 36, Frequency.WEEK: 104}


def period_start(day: dt.date, freq: str) -> dt.date:
    if freq == Frequency.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_shift(start: dt.date, freq: str, steps: int) -> dt.date:
    if freq == Frequency.WEEK:
        return start + dt.timedelta(weeks=steps)
    months = start.year * 12 + start.month - 1 + steps
    return dt.date(months // 12, months % 12 + 1, 1)


def period_end(start: dt.date, freq: str) -> dt.date:
    """The last day of the period that starts on `start`."""
    return period_shift(start, freq, 1) - dt.timedelta(days=1)


def last_complete_period(today: dt.date, freq: str) -> dt.date:
    return period_shift(period_start(today, freq), freq, -1)


def period_range(first: dt.date, last: dt.date, freq: str) -> list[dt.date]:
    periods, current = [], first
    while current <= last:
        periods.append(current)
        current = period_shift(current, freq, 1)
    return periods
