"""A gap longer than the maximum is blamed on what causes it, the main cause first.

The cases are shared with tests/test_explanation_words.py, which checks the words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from planner.domain.explain import Cause, CauseKind, Obstacle, gap_causes
from planner.domain.gaps import Gap, GapCounter, Rhythm
from planner.domain.planning import PlanProblem

RHYTHM = Rhythm(6 * 7, 8 * 7)  # target six weeks, at most eight
SUMMER = Obstacle(
    "Zomervakantie midden", "Minnaert College", True, date(2027, 7, 17), date(2027, 8, 29),
    "school_holiday",
)  # fmt: skip
TEST_WEEK = Obstacle(
    "Toetsweek", "Groenendaal Lyceum", True, date(2027, 3, 8), date(2027, 3, 12), "test_week"
)


@dataclass(frozen=True)
class Case:
    name: str
    gap: tuple[date, date]
    horizon_first: date
    today: date
    earliest: date
    forced: tuple[Obstacle, ...]
    kinds: tuple[CauseKind, ...]
    words: tuple[str, ...]  # what the Dutch explanation names


CASES = [
    Case(
        "time passed without a meeting: planning starts now",
        (date(2026, 9, 16), date(2026, 12, 14)),
        date(2026, 12, 2),
        date(2026, 12, 2),
        date(2026, 12, 2),
        (),
        (CauseKind.PLANNING_START,),
        ("er wordt pas gepland vanaf wo 2 dec 2026",),
    ),
    Case(
        # The case: planning 2027-2028 with nothing planned from January to July 2027
        # is the fault of that empty half year, not of the summer holiday.
        "an unplanned half year before the horizon, not the summer",
        (date(2027, 1, 19), date(2027, 9, 7)),
        date(2027, 8, 1),
        date(2026, 12, 2),
        date(2026, 12, 9),
        (SUMMER,),
        (CauseKind.UNPLANNED,),
        ("van di 19 jan 2027 tot za 31 jul 2027 is nog niets gepland",),
    ),
    Case(
        "a short unplanned stretch, then the summer holiday",
        (date(2027, 7, 13), date(2027, 9, 21)),
        date(2027, 7, 20),
        date(2026, 12, 2),
        date(2026, 12, 9),
        (SUMMER,),
        (CauseKind.UNPLANNED, CauseKind.CALENDAR),
        ("is nog niets gepland", "Zomervakantie midden (za 17 jul 2027 – zo 29 aug 2027)"),
    ),
    Case(
        "the minimum notice leaves the first days unusable",
        (date(2026, 10, 14), date(2026, 12, 16)),
        date(2026, 12, 2),
        date(2026, 12, 2),
        date(2026, 12, 9),
        (),
        (CauseKind.PLANNING_START, CauseKind.NOTICE),
        ("de minimale aankondigingstermijn: geen overleg vóór wo 9 dec 2026",),
    ),
    Case(
        "a busy period of a named school",
        (date(2027, 1, 12), date(2027, 3, 16)),
        date(2027, 1, 4),
        date(2026, 12, 2),
        date(2026, 12, 9),
        (TEST_WEEK,),
        (CauseKind.CALENDAR,),
        ("Toetsweek (ma 8 mrt 2027 – vr 12 mrt 2027) — Groenendaal Lyceum",),
    ),
    Case(
        "a holiday inside the horizon",
        (date(2027, 7, 6), date(2027, 9, 14)),
        date(2026, 12, 2),
        date(2026, 12, 2),
        date(2026, 12, 9),
        (SUMMER,),
        (CauseKind.CALENDAR,),
        ("Zomervakantie midden",),
    ),
]


def _causes(case: Case) -> tuple[Cause, ...]:
    first, last = case.gap
    counter = GapCounter((), date(2026, 1, 1), date(2028, 12, 31))
    counted = counter.counted(first, last)
    gap = Gap(first, last, counted, max(0, counted - RHYTHM.max_gap_days))
    assert gap.excess_days > 0, "the case must describe a gap above the maximum"
    problem = PlanProblem(
        first_day=case.horizon_first,
        last_day=date(2028, 7, 31),
        rhythm=RHYTHM,
        candidates={},
        today=case.today,
        earliest=case.earliest,
    )
    return gap_causes(gap, problem, counter, case.forced)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_long_gap_is_blamed_on_its_cause(case: Case) -> None:
    causes = _causes(case)
    assert tuple(cause.kind for cause in causes) == case.kinds
    if CauseKind.CALENDAR not in case.kinds:
        assert all(cause.obstacle is None for cause in causes)
