"""Minimum notice: how soon a meeting may take place, counted in school days.

A school day is a weekday that is a working day for every member: a weekend, a week of
autumn holiday, a public holiday or a closure day of any member school gives its people no
time to read the invitation and rearrange their calendars. A test week, an open day or a study
day does not stop the count: the staff are at work and read their mail (those days are
avoided for the meeting itself, not for the notice). So twenty schools with busy calendars
still get a notice of about a week, not of months.
With a notice of N school days the first possible meeting day is the N-th school day after
today; with no notice, today itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
# However blocked the calendar, the notice ends within this many days.
LONGEST_COUNT = 400

SchoolDay = Callable[[date], bool]

# The kinds of blocked day on which a member's people are off work (Period.kind values).
DAYS_OFF = frozenset({"school_holiday", "public_holiday", "closure_day", "holiday"})


def is_day_off(kinds: Iterable[str]) -> bool:
    """Whether a day blocked for these reasons (hard ones) is a day off for someone."""
    return any(kind in DAYS_OFF for kind in kinds)


def weekday_only(day: date) -> bool:
    """A school day by the weekday alone (when nothing is known of the calendar)."""
    return day.weekday() < 5


def earliest_day(today: date, notice_days: int, is_school_day: SchoolDay = weekday_only) -> date:
    """The first day a meeting may be on when it needs `notice_days` school days of notice."""
    day = today
    counted = 0
    while counted < notice_days and (day - today).days < LONGEST_COUNT:
        day += ONE_DAY
        if is_school_day(day):
            counted += 1
    return day


def school_days_before(today: date, day: date, is_school_day: SchoolDay = weekday_only) -> int:
    """How many school days of notice a meeting on `day` gets: the school days after today up
    to and including the day itself (0 for today or earlier)."""
    count = 0
    current = today
    while current < day and (current - today).days < LONGEST_COUNT:
        current += ONE_DAY
        if is_school_day(current):
            count += 1
    return count


def is_short_notice(
    today: date, day: date, notice_days: int, is_school_day: SchoolDay = weekday_only
) -> bool:
    """Whether a meeting on `day` would get less notice than the collaboration asks for."""
    return day < earliest_day(today, notice_days, is_school_day)
