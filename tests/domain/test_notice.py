"""Minimum notice in school days: weekends and blocked days do not count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planner.domain.notice import earliest_day, is_short_notice, school_days_before


def _blocked(*spans: tuple[date, date]):  # type: ignore[no-untyped-def]
    """A school-day test: weekdays outside the given (inclusive) spans."""
    days = {
        first + timedelta(days=offset)
        for first, last in spans
        for offset in range((last - first).days + 1)
    }
    return lambda day: day.weekday() < 5 and day not in days


CHRISTMAS_2026 = (date(2026, 12, 19), date(2027, 1, 3))
AUTUMN_MIDDEN_2026 = (date(2026, 10, 17), date(2026, 10, 25))
EASTER_MONDAY_2027 = (date(2027, 3, 29), date(2027, 3, 29))


@pytest.mark.parametrize(
    ("today", "notice", "blocked", "earliest"),
    [
        # No notice: today itself (a meeting still cannot start in the past).
        (date(2026, 12, 2), 0, (), date(2026, 12, 2)),
        # Wednesday with five school days: Thu, Fri, Mon, Tue, Wed.
        (date(2026, 12, 2), 5, (), date(2026, 12, 9)),
        # Friday: the weekend does not count.
        (date(2026, 12, 4), 5, (), date(2026, 12, 11)),
        # Saturday and Sunday count from Monday.
        (date(2026, 12, 5), 5, (), date(2026, 12, 11)),
        (date(2026, 12, 6), 1, (), date(2026, 12, 7)),
        # A holiday inside the notice window stretches it: Christmas, then 4–8 Jan.
        (date(2026, 12, 18), 5, (CHRISTMAS_2026,), date(2027, 1, 8)),
        # The Saturday before the autumn DST Sunday, in the autumn holiday midden.
        (date(2026, 10, 24), 5, (AUTUMN_MIDDEN_2026,), date(2026, 10, 30)),
        # The Saturday before the spring DST Sunday, Easter Monday a public holiday.
        (date(2027, 3, 27), 5, (EASTER_MONDAY_2027,), date(2027, 4, 5)),
    ],
)
def test_the_earliest_day_counts_school_days_only(
    today: date, notice: int, blocked: tuple[tuple[date, date], ...], earliest: date
) -> None:
    school_day = _blocked(*blocked)
    assert earliest_day(today, notice, school_day) == earliest
    if notice:
        assert school_days_before(today, earliest, school_day) == notice
        assert is_short_notice(today, earliest - timedelta(days=1), notice, school_day)
    assert not is_short_notice(today, earliest, notice, school_day)


def test_a_calendar_blocked_for_a_year_still_ends_the_count() -> None:
    assert earliest_day(date(2026, 1, 1), 5, lambda day: False) <= date(2027, 2, 5)
