"""The year picture as data: a school year's ISO weeks × member organisations (DESIGN §3, §6).

Each organisation's row says, per run of weekdays within one week, which kind of busy day it is
(the most important kind when several fall on a day) and whether it is hard or soft. The
meetings are numbered in order, and the gaps between consecutive meetings that are longer than
the maximum gap (in days that count, as the planner counts them) are given as spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from planner.domain.availability import OrgCalendar, Period
from planner.domain.gaps import GapCounter
from planner.domain.kinds import MeetingStatus, Severity

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)

# When several kinds fall on one day, the first of these is shown (the rest are in the tooltip).
KIND_ORDER = (
    "school_holiday",
    "public_holiday",
    "closure_day",
    "holiday",
    "exam_period",
    "test_week",
    "open_day",
    "study_day",
    "report_meetings",
    "other",
)
_RANK = {kind: index for index, kind in enumerate(KIND_ORDER)}
ACTIVE = (MeetingStatus.CONFIRMED, MeetingStatus.HELD)


@dataclass(frozen=True, slots=True)
class Week:
    """One ISO week column of the picture."""

    index: int
    year: int
    number: int
    monday: date

    @property
    def weekdays(self) -> tuple[date, ...]:
        """Return Monday to Friday of the week."""
        return tuple(self.monday + timedelta(days=offset) for offset in range(5))


@dataclass(frozen=True, slots=True)
class Mark:
    """A run of weekdays within one week with the same kind, severity and reasons for one row."""

    week_index: int
    first_day: date
    last_day: date
    kind: str
    hard: bool
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Row:
    """One member organisation: its marks and the periods they come from (for a text view)."""

    organisation_id: int
    name: str
    marks: tuple[Mark, ...]
    periods: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class MeetingInput:
    """A meeting of the collaboration as the grid needs it."""

    meeting_id: int
    day: date
    status: MeetingStatus
    conflict: bool = False
    new: bool = False  # a meeting of a plan being previewed (not stored yet)


@dataclass(frozen=True, slots=True)
class MeetingMark:
    """A meeting in the picture, numbered in order within the school year."""

    number: int
    meeting_id: int
    day: date
    week_index: int
    status: MeetingStatus
    conflict: bool
    new: bool = False


@dataclass(frozen=True, slots=True)
class GapSpan:
    """A gap above the maximum: from one meeting to the next (or, when open, to `last_day`)."""

    first_day: date
    last_day: date
    counted_days: int
    excess_days: int
    open: bool


@dataclass(frozen=True, slots=True)
class YearGrid:
    """Everything the year picture shows."""

    first_day: date
    last_day: date
    weeks: tuple[Week, ...]
    months: tuple[tuple[date, int], ...]  # the first weekday of each month and its week index
    rows: tuple[Row, ...]
    meetings: tuple[MeetingMark, ...]
    gaps: tuple[GapSpan, ...]
    max_gap_weeks: int

    def week_index(self, day: date) -> int:
        """Return the column of a day (may lie outside 0..len(weeks)-1)."""
        return week_offset(self.weeks[0].monday, day)


def week_offset(first_monday: date, day: date) -> int:
    """Return how many weeks after the week of `first_monday` the day's week starts."""
    monday = day - timedelta(days=day.weekday())
    return (monday - first_monday).days // 7


def school_year_weeks(first: date, last: date) -> tuple[Week, ...]:
    """Return the ISO weeks that have a weekday in [first, last], in order."""
    monday = first - timedelta(days=first.weekday())
    if first.weekday() >= 5:  # the week of a Saturday or Sunday has no weekday left in range
        monday += ONE_WEEK
    weeks: list[Week] = []
    while monday <= last:
        iso = monday.isocalendar()
        weeks.append(Week(len(weeks), iso.year, iso.week, monday))
        monday += ONE_WEEK
    return tuple(weeks)


def month_starts(weeks: Sequence[Week], first: date, last: date) -> tuple[tuple[date, int], ...]:
    """Return the first weekday in range of each month, with the index of its week."""
    found = []
    day = first
    while day <= last:
        start = day
        while start.weekday() >= 5:
            start += ONE_DAY
        if start <= last and start.month == day.month:
            found.append((start, week_offset(weeks[0].monday, start)))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return tuple(found)


def _rank(kind: str) -> int:
    return _RANK.get(kind, _RANK["other"])


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def row_marks(calendar: OrgCalendar, weeks: Sequence[Week], first: date, last: date) -> Row:
    """Return one organisation's row: its weekdays in [first, last] grouped into marks."""
    on_day: dict[date, list[Period]] = {}
    periods = []
    for period in calendar.periods:
        start = max(period.first_day, first)
        end = min(period.last_day, last)
        weekday_seen = False
        day = start
        while day <= end:
            if day.weekday() < 5:
                on_day.setdefault(day, []).append(period)
                weekday_seen = True
            day += ONE_DAY
        if weekday_seen:
            periods.append(period)
    marks: list[Mark] = []
    for week in weeks:
        run: tuple[str, bool, tuple[str, ...]] | None = None
        run_first = run_last = week.monday
        for day in week.weekdays:
            found = on_day.get(day) if first <= day <= last else None
            key = None
            if found:
                top = min(_rank(p.kind) for p in found)
                kind = KIND_ORDER[top]
                hard = any(p.severity is Severity.HARD for p in found if _rank(p.kind) == top)
                key = (kind, hard, _unique(p.label for p in found))
            if key != run:
                if run is not None:
                    marks.append(Mark(week.index, run_first, run_last, *run))
                run = key
                run_first = day
            run_last = day
        if run is not None:
            marks.append(Mark(week.index, run_first, run_last, *run))
    ordered = tuple(sorted(periods, key=lambda p: (p.first_day, _rank(p.kind), p.label)))
    return Row(calendar.organisation_id, calendar.organisation_name, tuple(marks), ordered)


def gap_spans(
    meetings: Sequence[MeetingInput],
    max_gap_days: int,
    counter: GapCounter,
    *,
    open_until: date | None = None,
) -> tuple[GapSpan, ...]:
    """Return the gaps between consecutive held or confirmed meetings above the maximum.

    With `open_until`, the time after the last meeting up to that day is a gap too when it is
    longer than the maximum (no next meeting is planned).
    """
    days = sorted({m.day for m in meetings if m.status in ACTIVE})
    spans = []
    for before, after in pairwise(days):
        counted = counter.counted(before, after)
        if counted > max_gap_days:
            spans.append(GapSpan(before, after, counted, counted - max_gap_days, False))
    if days and open_until is not None and open_until > days[-1]:
        counted = counter.counted(days[-1], open_until)
        if counted > max_gap_days:
            spans.append(GapSpan(days[-1], open_until, counted, counted - max_gap_days, True))
    return tuple(spans)


def build_year_grid(
    first: date,
    last: date,
    calendars: Sequence[OrgCalendar],
    meetings: Sequence[MeetingInput],
    max_gap_weeks: int,
    uncounted: Iterable[date] = (),
    *,
    open_until: date | None = None,
) -> YearGrid:
    """Build the picture of [first, last] (a school year).

    `meetings` may reach outside the range (the last one before, the first one after) so the
    gaps at the edges are right; only those inside are marked. `uncounted` are the days a gap
    does not count (shared holiday weeks), as the planner leaves them out.
    """
    weeks = school_year_weeks(first, last)
    rows = tuple(row_marks(calendar, weeks, first, last) for calendar in calendars)
    inside = sorted(
        (m for m in meetings if first <= m.day <= last), key=lambda m: (m.day, m.meeting_id)
    )
    marks = tuple(
        MeetingMark(
            number,
            m.meeting_id,
            m.day,
            week_offset(weeks[0].monday, m.day),
            m.status,
            m.conflict,
            m.new,
        )
        for number, m in enumerate(inside, 1)
    )
    all_days = [m.day for m in meetings] + [first, last]
    counter = GapCounter(uncounted, min(all_days), max(all_days) + ONE_DAY)
    gaps = gap_spans(meetings, max_gap_weeks * 7, counter, open_until=open_until)
    visible = tuple(g for g in gaps if g.last_day >= first and g.first_day <= last)
    return YearGrid(
        first_day=first,
        last_day=last,
        weeks=weeks,
        months=month_starts(weeks, first, last),
        rows=rows,
        meetings=marks,
        gaps=visible,
        max_gap_weeks=max_gap_weeks,
    )
