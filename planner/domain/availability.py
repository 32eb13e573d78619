"""Which days are blocked for a group of organisations, and why."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from planner.domain.kinds import Severity

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """A range of days on which an organisation is unavailable, with the reason."""

    first_day: date
    last_day: date
    kind: str  # a BusyKind value, or school_holiday, public_holiday, closure_day
    label: str
    severity: Severity
    source: str
    period_id: int | None = None
    # An organisation's own busy period with a note: the label without the note, for a
    # collaboration the organisation did not agree to show its notes to.
    withheld_label: str | None = None


@dataclass(frozen=True, slots=True)
class OrgCalendar:
    """Everything that makes days unavailable for one organisation."""

    organisation_id: int
    organisation_name: str
    periods: tuple[Period, ...]


def withhold_notes(calendar: OrgCalendar) -> OrgCalendar:
    """The calendar with the notes of the organisation's own busy periods left out: the days
    and kinds stay (they are still avoided), the words are the organisation's."""
    periods = tuple(
        replace(period, label=period.withheld_label, withheld_label=None)
        if period.withheld_label is not None
        else period
        for period in calendar.periods
    )
    return replace(calendar, periods=periods)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why one organisation cannot (hard) or would rather not (soft) meet on a day."""

    organisation_id: int
    organisation_name: str
    period: Period

    @property
    def hard(self) -> bool:
        """Return whether this reason forbids planning outright."""
        return self.period.severity is Severity.HARD


@dataclass(frozen=True, slots=True)
class BlockedDay:
    """A weekday with at least one reason not to meet."""

    day: date
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def hard(self) -> bool:
        """Return whether any reason forbids planning on this day."""
        return any(reason.hard for reason in self.reasons)


def days_between(first: date, last: date) -> Iterator[date]:
    """Yield every date from first to last inclusive."""
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def is_weekend(day: date) -> bool:
    """Return whether the day is a Saturday or Sunday."""
    return day.weekday() >= 5


def blocked_days(
    calendars: Iterable[OrgCalendar], first: date, last: date, *, weekends: bool = False
) -> list[BlockedDay]:
    """Return the days in [first, last] blocked for the union of the calendars, with reasons.

    Reasons are ordered by organisation, then hard before soft, then by label.
    """
    found: dict[int, list[Reason]] = {}
    first_ordinal = first.toordinal()
    last_ordinal = last.toordinal()
    # Visit organisations and their periods in reason order, so each day's list comes out
    # sorted without sorting it.
    ordered = sorted(
        calendars, key=lambda cal: (cal.organisation_name.lower(), cal.organisation_id)
    )
    for calendar in ordered:
        periods = sorted(
            calendar.periods,
            key=lambda p: (p.severity is not Severity.HARD, p.label, p.first_day),
        )
        for period in periods:
            start = max(period.first_day.toordinal(), first_ordinal)
            end = min(period.last_day.toordinal(), last_ordinal)
            if start > end:
                continue
            reason = Reason(calendar.organisation_id, calendar.organisation_name, period)
            for ordinal in range(start, end + 1):
                # Ordinal 1 (1 Jan of year 1) is a Monday: (ordinal - 1) % 7 is the weekday.
                if weekends or (ordinal - 1) % 7 < 5:
                    found.setdefault(ordinal, []).append(reason)
    return [
        BlockedDay(date.fromordinal(ordinal), tuple(reasons))
        for ordinal, reasons in sorted(found.items())
    ]


def hard_blocked_set(blocked: Sequence[BlockedDay]) -> frozenset[date]:
    """Return the set of days on which planning is forbidden."""
    return frozenset(item.day for item in blocked if item.hard)


def shared_holiday_days(
    calendars: Sequence[OrgCalendar], first: date, last: date
) -> frozenset[date]:
    """Return the days of the Monday–Sunday weeks that are a school holiday for every calendar.

    A week counts when each calendar has a school holiday on all five weekdays; its weekend
    goes with it. No calendars (a collaboration of partners only) means no such weeks.
    """
    if not calendars:
        return frozenset()
    holiday_days = []
    for calendar in calendars:
        days: set[date] = set()
        for period in calendar.periods:
            if period.kind == "school_holiday":
                days.update(days_between(max(period.first_day, first), min(period.last_day, last)))
        holiday_days.append(days)
    found: set[date] = set()
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        week = [monday + timedelta(days=offset) for offset in range(7)]
        if all(all(day in days for day in week[:5]) for days in holiday_days):
            found.update(week)
        monday += timedelta(days=7)
    return frozenset(found)
