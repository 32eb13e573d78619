"""The year picture's grid: weeks of a school year, marks per row, meetings and long gaps."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from planner.domain.availability import OrgCalendar, Period
from planner.domain.gaps import GapCounter
from planner.domain.kinds import MeetingStatus, Severity
from planner.domain.year_grid import (
    GapSpan,
    Mark,
    MeetingInput,
    build_year_grid,
    gap_spans,
    month_starts,
    row_marks,
    school_year_weeks,
)

HARD, SOFT = Severity.HARD, Severity.SOFT
CONFIRMED, HELD, CANCELLED = MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.CANCELLED


def d(text: str) -> date:
    return date.fromisoformat(text)


def period(first: str, last: str, kind: str, text: str = "", severity: Severity = HARD) -> Period:
    return Period(d(first), d(last), kind, text or kind, severity, "test")


@pytest.mark.parametrize(
    ("first", "last", "first_week", "last_week", "count"),
    [
        # 1 Aug 2026 is a Saturday: its week has no school day in the year, so week 32 opens.
        ("2026-08-01", "2027-07-31", (2026, 32), (2027, 30), 52),
        # 1 Aug 2025 is a Friday (week 31); 31 Jul 2026 a Friday too (week 31 of 2026).
        ("2025-08-01", "2026-07-31", (2025, 31), (2026, 31), 53),
        # A year whose December has ISO week 53 (2026: 28 Dec is in week 53).
        ("2026-12-21", "2027-01-08", (2026, 52), (2027, 1), 3),
        ("2026-10-19", "2026-10-19", (2026, 43), (2026, 43), 1),
    ],
)
def test_school_year_weeks(
    first: str, last: str, first_week: tuple[int, int], last_week: tuple[int, int], count: int
) -> None:
    weeks = school_year_weeks(d(first), d(last))
    assert (weeks[0].year, weeks[0].number) == first_week
    assert (weeks[-1].year, weeks[-1].number) == last_week
    assert len(weeks) == count
    assert [week.index for week in weeks] == list(range(count))
    assert all(b.monday.toordinal() - a.monday.toordinal() == 7 for a, b in pairwise(weeks))
    assert all(week.monday.weekday() == 0 for week in weeks)


def test_week_53_is_its_own_column() -> None:
    weeks = school_year_weeks(d("2026-08-01"), d("2027-07-31"))
    numbers = [week.number for week in weeks]
    assert numbers[numbers.index(52) + 1] == 53
    assert numbers[numbers.index(53) + 1] == 1


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            "2026-08-01",
            "2026-12-31",
            # Aug 1 is a Saturday and Nov 1 a Sunday: the month starts on its first weekday.
            [("2026-08-03", 0), ("2026-09-01", 4), ("2026-10-01", 8), ("2026-11-02", 13),
             ("2026-12-01", 17)],
        ),
        ("2027-05-01", "2027-07-31", [("2027-05-03", 0), ("2027-06-01", 4), ("2027-07-01", 8)]),
    ],
)  # fmt: skip
def test_month_starts(first: str, last: str, expected: list[tuple[str, int]]) -> None:
    weeks = school_year_weeks(d(first), d(last))
    assert month_starts(weeks, d(first), d(last)) == tuple((d(day), i) for day, i in expected)


WEEK_43 = ("2026-10-19", "2026-10-23")


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        # A holiday from Saturday to Sunday: Monday to Friday of the week between.
        (
            [period("2026-10-17", "2026-10-25", "school_holiday", "Herfst")],
            [Mark(0, d(WEEK_43[0]), d(WEEK_43[1]), "school_holiday", True, ("Herfst",))],
        ),
        # A study day in a test week: the test week is shown, both reasons are kept, and the
        # run splits where the reasons change.
        (
            [
                period("2026-10-19", "2026-10-23", "test_week", "Toetsweek"),
                period("2026-10-21", "2026-10-21", "study_day", "Studiedag"),
            ],
            [
                Mark(0, d("2026-10-19"), d("2026-10-20"), "test_week", True, ("Toetsweek",)),
                Mark(0, d("2026-10-21"), d("2026-10-21"), "test_week", True,
                     ("Toetsweek", "Studiedag")),
                Mark(0, d("2026-10-22"), d("2026-10-23"), "test_week", True, ("Toetsweek",)),
            ],
        ),
        # A public holiday outranks a test week; a soft period stays soft.
        (
            [
                period("2026-10-19", "2026-10-19", "public_holiday", "Feestdag"),
                period("2026-10-19", "2026-10-20", "test_week", "Toetsweek"),
                period("2026-10-22", "2026-10-22", "other", "Audit", SOFT),
            ],
            [
                Mark(0, d("2026-10-19"), d("2026-10-19"), "public_holiday", True,
                     ("Feestdag", "Toetsweek")),
                Mark(0, d("2026-10-20"), d("2026-10-20"), "test_week", True, ("Toetsweek",)),
                Mark(0, d("2026-10-22"), d("2026-10-22"), "other", False, ("Audit",)),
            ],
        ),
        # Hard and soft of the same kind on one day: hard.
        (
            [
                period("2026-10-20", "2026-10-20", "other", "A", SOFT),
                period("2026-10-20", "2026-10-20", "other", "B", HARD),
            ],
            [Mark(0, d("2026-10-20"), d("2026-10-20"), "other", True, ("A", "B"))],
        ),
        # An unknown kind is drawn as other; a weekend-only period is not drawn at all.
        (
            [
                period("2026-10-23", "2026-10-23", "mystery", "?"),
                period("2026-10-24", "2026-10-25", "open_day", "Zaterdag open"),
            ],
            [Mark(0, d("2026-10-23"), d("2026-10-23"), "other", True, ("?",))],
        ),
        # Clipped to the range.
        (
            [period("2026-10-01", "2026-10-20", "exam_period", "Examens")],
            [Mark(0, d("2026-10-19"), d("2026-10-20"), "exam_period", True, ("Examens",))],
        ),
    ],
)  # fmt: skip
def test_row_marks(periods: list[Period], expected: list[Mark]) -> None:
    weeks = school_year_weeks(d(WEEK_43[0]), d("2026-10-25"))
    row = row_marks(OrgCalendar(7, "School", tuple(periods)), weeks, d(WEEK_43[0]), d("2026-10-25"))
    assert list(row.marks) == expected
    assert (row.organisation_id, row.name) == (7, "School")
    shown = {p.label for p in row.periods}
    assert "Zaterdag open" not in shown


def test_row_periods_are_in_calendar_order() -> None:
    weeks = school_year_weeks(d("2026-08-01"), d("2027-07-31"))
    calendar = OrgCalendar(
        1,
        "School",
        (
            period("2027-02-01", "2027-02-05", "test_week"),
            period("2026-10-17", "2026-10-25", "school_holiday"),
            period("2025-10-17", "2025-10-25", "school_holiday"),  # another year
        ),
    )
    row = row_marks(calendar, weeks, d("2026-08-01"), d("2027-07-31"))
    assert [p.first_day for p in row.periods] == [d("2026-10-17"), d("2027-02-01")]
    assert [(m.week_index, m.kind) for m in row.marks] == [
        (11, "school_holiday"),
        (26, "test_week"),
    ]


def counter(uncounted: tuple[str, ...] = ()) -> GapCounter:
    return GapCounter({d(day) for day in uncounted}, d("2026-01-01"), d("2028-01-01"))


def meeting(day: str, status: MeetingStatus = CONFIRMED, meeting_id: int = 0) -> MeetingInput:
    return MeetingInput(meeting_id, d(day), status)


XMAS = tuple(f"2026-12-{day}" for day in range(21, 32)) + tuple(
    f"2027-01-0{d}" for d in range(1, 4)
)


@pytest.mark.parametrize(
    ("meetings", "max_gap", "uncounted", "open_until", "expected"),
    [
        # Within the maximum: nothing.
        ([meeting("2026-09-01"), meeting("2026-10-27")], 56, (), None, []),
        # One day above the maximum.
        (
            [meeting("2026-09-01"), meeting("2026-10-28")],
            56,
            (),
            None,
            [GapSpan(d("2026-09-01"), d("2026-10-28"), 57, 1, False)],
        ),
        # Shared holiday weeks do not count: 9 Sep – 26 Jan is 139 days, 125 counted.
        (
            [meeting("2026-09-09", HELD), meeting("2027-01-26")],
            56,
            XMAS,
            None,
            [GapSpan(d("2026-09-09"), d("2027-01-26"), 125, 69, False)],
        ),
        # A cancelled meeting does not close a gap; order of input does not matter.
        (
            [meeting("2026-11-10"), meeting("2026-10-06", CANCELLED), meeting("2026-09-01")],
            42,
            (),
            None,
            [GapSpan(d("2026-09-01"), d("2026-11-10"), 70, 28, False)],
        ),
        # Nothing planned after the last meeting: open up to the given day.
        (
            [meeting("2026-09-16", HELD)],
            56,
            (),
            d("2027-07-31"),
            [GapSpan(d("2026-09-16"), d("2027-07-31"), 318, 262, True)],
        ),
        ([meeting("2027-07-01")], 56, (), d("2027-07-31"), []),
        ([], 56, (), d("2027-07-31"), []),
    ],
)
def test_gap_spans(
    meetings: list[MeetingInput],
    max_gap: int,
    uncounted: tuple[str, ...],
    open_until: date | None,
    expected: list[GapSpan],
) -> None:
    assert list(gap_spans(meetings, max_gap, counter(uncounted), open_until=open_until)) == expected


def test_build_year_grid_numbers_meetings_inside_and_uses_the_ones_outside_for_gaps() -> None:
    calendars = [
        OrgCalendar(1, "Minnaert", (period("2026-10-17", "2026-10-25", "school_holiday"),)),
        OrgCalendar(2, "Partner", ()),
    ]
    meetings = [
        MeetingInput(10, d("2026-06-30"), HELD),  # the school year before
        MeetingInput(12, d("2026-10-06"), CANCELLED),
        MeetingInput(11, d("2026-09-29"), CONFIRMED, conflict=True),
        MeetingInput(13, d("2027-09-14"), CONFIRMED),  # the school year after
    ]
    grid = build_year_grid(
        d("2026-08-01"), d("2027-07-31"), calendars, meetings, 8, open_until=d("2027-07-31")
    )
    assert [row.name for row in grid.rows] == ["Minnaert", "Partner"]
    assert [(m.number, m.meeting_id, m.week_index) for m in grid.meetings] == [
        (1, 11, 8),
        (2, 12, 9),
    ]
    assert grid.meetings[0].conflict and grid.meetings[1].status is CANCELLED
    # 30 Jun → 29 Sep and 29 Sep → 14 Sep next year are both too long; the cancelled one
    # does not count, and no gap is open since a meeting follows.
    assert [(g.first_day, g.last_day, g.open) for g in grid.gaps] == [
        (d("2026-06-30"), d("2026-09-29"), False),
        (d("2026-09-29"), d("2027-09-14"), False),
    ]
    assert grid.week_index(d("2026-08-03")) == 0
    assert grid.months[0] == (d("2026-08-03"), 0)


def test_build_year_grid_leaves_out_gaps_outside_the_year() -> None:
    meetings = [meeting("2025-01-07"), meeting("2026-06-30"), meeting("2026-08-11")]
    grid = build_year_grid(d("2026-08-01"), d("2027-07-31"), [], meetings, 6)
    assert [(g.first_day, g.last_day) for g in grid.gaps] == []
    assert len(grid.meetings) == 1
