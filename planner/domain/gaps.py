"""Gaps between meetings: a collaboration's rhythm, and gap lengths counted without the days
that are a school holiday for every member."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Rhythm:
    """How often a collaboration meets: target interval and maximum gap, in days that count."""

    target_days: int
    max_gap_days: int

    @property
    def on_track_days(self) -> int:
        """Gaps up to 1.25 times the target are on track (DESIGN §6)."""
        return (self.target_days * 5) // 4


class GapCounter:
    """Counts the days of a gap, leaving out days that do not count (shared holiday weeks)."""

    def __init__(self, uncounted: Iterable[date], first: date, last: date) -> None:
        self.base = first
        size = (last - first).days + 2
        days = set(uncounted)
        prefix = [0] * (size + 1)
        for index in range(size):
            prefix[index + 1] = prefix[index] + (first + timedelta(days=index) in days)
        self._prefix = prefix
        self._size = size

    def _before(self, day: date) -> int:
        index = min(max((day - self.base).days, 0), self._size)
        return self._prefix[index]

    def counted(self, first: date, last: date) -> int:
        """Return the days from `first` to `last` that count, `first` included, `last` not."""
        return (last - first).days - (self._before(last) - self._before(first))

    def uncounted(self, first: date, last: date) -> int:
        """Return the days from `first` to `last` left out of the count."""
        return (last - first).days - self.counted(first, last)

    def day_after(self, first: date, counted_days: int) -> date:
        """Return the first day at least `counted_days` counted days after `first`."""
        day = first + timedelta(days=counted_days)
        while self.counted(first, day) < counted_days:
            day += ONE_DAY
        return day


@dataclass(frozen=True, slots=True)
class Gap:
    """The time between two meetings (or a meeting and the horizon's end)."""

    first: date
    last: date
    counted_days: int
    excess_days: int

    @property
    def calendar_days(self) -> int:
        """Return the gap in calendar days, holidays included."""
        return (self.last - self.first).days
