"""Blocked days for a union of organisations (pure domain)."""

from __future__ import annotations

from datetime import date

import pytest

from planner.domain.availability import OrgCalendar, Period, blocked_days, hard_blocked_set
from planner.domain.kinds import Severity

HARD, SOFT = Severity.HARD, Severity.SOFT


def period(first: str, last: str, label: str, severity: Severity = HARD) -> Period:
    return Period(
        date.fromisoformat(first), date.fromisoformat(last), "test_week", label, severity, "manual"
    )


A = OrgCalendar(1, "Alfa College", (period("2026-11-02", "2026-11-06", "Toetsweek"),))
B = OrgCalendar(
    2,
    "Beta Lyceum",
    (
        period("2026-11-05", "2026-11-10", "Studiedagen"),
        period("2026-11-04", "2026-11-04", "Rapportvergadering", SOFT),
    ),
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-02", [("Alfa College", "Toetsweek", True)]),
        (
            "2026-11-04",
            [("Alfa College", "Toetsweek", True), ("Beta Lyceum", "Rapportvergadering", False)],
        ),
        (
            "2026-11-05",
            [("Alfa College", "Toetsweek", True), ("Beta Lyceum", "Studiedagen", True)],
        ),
        ("2026-11-09", [("Beta Lyceum", "Studiedagen", True)]),
    ],
)
def test_union_lists_every_reason_per_day(day: str, expected: list[tuple[str, str, bool]]) -> None:
    result = {
        item.day: item for item in blocked_days([A, B], date(2026, 11, 1), date(2026, 11, 30))
    }
    reasons = result[date.fromisoformat(day)].reasons
    assert [(r.organisation_name, r.period.label, r.hard) for r in reasons] == expected


def test_weekends_are_not_listed_and_range_is_clipped() -> None:
    result = blocked_days([A, B], date(2026, 11, 4), date(2026, 11, 9))
    assert [item.day for item in result] == [
        date(2026, 11, 4),
        date(2026, 11, 5),
        date(2026, 11, 6),
        date(2026, 11, 9),
    ]


def test_soft_only_day_is_not_hard_blocked() -> None:
    only_soft = OrgCalendar(3, "Gamma", (period("2026-11-11", "2026-11-11", "Overleg", SOFT),))
    result = blocked_days([only_soft], date(2026, 11, 9), date(2026, 11, 13))
    assert len(result) == 1 and not result[0].hard
    assert hard_blocked_set(result) == frozenset()


def test_nothing_blocked_gives_empty_list() -> None:
    assert blocked_days([A], date(2026, 12, 1), date(2026, 12, 31)) == []
