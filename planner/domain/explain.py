"""Why a plan chose each day: the gap before it, the nearer days it could not use, and why."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from planner.domain.availability import days_between
from planner.domain.gaps import ONE_DAY, Gap, GapCounter
from planner.domain.planning import PlanProblem, SeriesPlan


@dataclass(frozen=True, slots=True)
class Obstacle:
    """One reason a day is not (or rather not) a meeting day, for someone."""

    label: str  # "Herfstvakantie zuid", "Toetsweek", "Overleg LOB 15:00–16:30"
    who: str  # the organisation or person it applies to
    hard: bool
    first_day: date | None = None  # the span of the period behind it, when there is one
    last_day: date | None = None
    # What stands in the way: "school_holiday", "test_week"… (a kind of day), "meeting" (a
    # participant's other meeting), "notice" (the minimum notice); "" when not known.
    kind: str = ""
    # The label without the school's note ("Toetsweek: bezet"), for a collaboration the school
    # has not agreed to show its notes to (kept with a stored explanation: consent may change).
    withheld: str | None = None


class CauseKind(StrEnum):
    """What makes a gap longer than the maximum."""

    PLANNING_START = "planning_start"  # planning can only start now: the time before has passed
    UNPLANNED = "unplanned"  # nothing is planned in a stretch before the horizon
    NOTICE = "notice"  # the minimum notice leaves the first days unusable
    CALENDAR = "calendar"  # a holiday or a busy period of a named school


@dataclass(frozen=True, slots=True)
class Cause:
    """One reason a gap is longer than the maximum, with the days it covers."""

    kind: CauseKind
    first_day: date
    last_day: date
    obstacle: Obstacle | None = None  # for CALENDAR: the holiday or busy period


@dataclass(frozen=True, slots=True)
class RejectedDay:
    """A day nearer the ideal date that the plan did not use, with its obstacles."""

    day: date
    obstacles: tuple[Obstacle, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """The story of one planned day."""

    day: date
    fixed: bool
    gap: Gap | None
    ideal_day: date | None
    rejected: tuple[RejectedDay, ...]
    more_rejected: int
    forced_by: tuple[Obstacle, ...]
    uncounted_days: int
    # Set when the gap began before the horizon: days before this one could not be used.
    planning_from: date | None = None
    # Why a gap is longer than the maximum, the main cause first (empty when it is not).
    causes: tuple[Cause, ...] = ()


def explain_plan(
    plan: SeriesPlan,
    problem: PlanProblem,
    obstacles: Mapping[date, tuple[Obstacle, ...]],
    weekdays: Collection[int],
    limit: int = 8,
) -> list[Explanation]:
    """Explain every day of a plan; `weekdays` are the allowed ones (Monday is 0)."""
    counter = problem.counter()
    used = {planned.day for planned in plan.days}
    result = []
    for planned in plan.days:
        result.append(
            explain_day(
                planned.day,
                planned.gap_before,
                problem,
                counter,
                obstacles,
                weekdays,
                fixed=planned.fixed,
                limit=limit,
                used=used,
            )
        )
    return result


def explain_day(
    day: date,
    gap: Gap | None,
    problem: PlanProblem,
    counter: GapCounter,
    obstacles: Mapping[date, tuple[Obstacle, ...]],
    weekdays: Collection[int],
    *,
    fixed: bool = False,
    limit: int = 8,
    used: Collection[date] = (),
) -> Explanation:
    """Explain one day: which days between the ideal date and it were unusable, and why.

    Days in `used` (other meetings of the same plan) are not called unusable.
    """
    target = problem.rhythm.target_days
    previous = gap.first if gap is not None else None
    if fixed:
        ideal = None
        between: list[date] = []
    else:
        ideal = problem.first_day if previous is None else counter.day_after(previous, target)
        ideal = max(ideal, problem.first_day)
        if ideal <= day:
            between = list(days_between(ideal, day - ONE_DAY))
        else:
            between = list(days_between(day + ONE_DAY, ideal))
    unusable = [
        other
        for other in between
        if other.weekday() in weekdays and other not in used and obstacles.get(other)
    ]
    if ideal is not None:
        # Keep the ones nearest the ideal date, shown in date order.
        unusable.sort(key=lambda other: abs((other - ideal).days))
    shown = [RejectedDay(other, obstacles[other]) for other in sorted(unusable[:limit])]
    forced: tuple[Obstacle, ...] = ()
    causes: tuple[Cause, ...] = ()
    if gap is not None and gap.excess_days > 0:
        forced = gap_obstacles(gap.first, gap.last, obstacles, weekdays)
        causes = gap_causes(gap, problem, counter, forced)
    return Explanation(
        day=day,
        fixed=fixed,
        gap=gap,
        ideal_day=ideal,
        rejected=tuple(shown),
        more_rejected=len(unusable) - len(shown),
        forced_by=forced,
        uncounted_days=counter.uncounted(previous, day) if previous is not None else 0,
        planning_from=problem.first_day
        if previous is not None and previous < problem.first_day
        else None,
        causes=causes,
    )


def gap_causes(
    gap: Gap, problem: PlanProblem, counter: GapCounter, forced: tuple[Obstacle, ...]
) -> tuple[Cause, ...]:
    """Blame the right thing for a gap above the maximum, the main cause first.

    A gap that began before the horizon is first of all the horizon's doing: when time has
    passed without a meeting (the horizon starts now) planning only starts now; when the
    horizon starts later, the stretch before it is simply not planned yet. If that stretch
    alone already reaches the maximum gap, nothing inside the horizon is to blame. After it come
    the days the minimum notice makes unusable, then the holidays and busy periods in the gap.
    """
    start = problem.first_day
    limit = problem.rhythm.max_gap_days
    causes: list[Cause] = []
    if gap.first < start:
        before = Cause(
            CauseKind.PLANNING_START
            if problem.today is None or start <= (problem.earliest or problem.today)
            else CauseKind.UNPLANNED,
            gap.first,
            start - ONE_DAY,
        )
        causes.append(before)
        if counter.counted(gap.first, start) >= limit:
            return tuple(causes)
    earliest = problem.earliest
    if earliest is not None and earliest > max(start, gap.first + ONE_DAY):
        causes.append(Cause(CauseKind.NOTICE, max(start, gap.first + ONE_DAY), earliest - ONE_DAY))
    for obstacle in forced:
        if obstacle.kind == "notice":
            continue
        causes.append(
            Cause(
                CauseKind.CALENDAR,
                obstacle.first_day or gap.first,
                obstacle.last_day or gap.last,
                obstacle,
            )
        )
    return tuple(causes)


def gap_obstacles(
    first: date,
    last: date,
    obstacles: Mapping[date, tuple[Obstacle, ...]],
    weekdays: Collection[int],
) -> tuple[Obstacle, ...]:
    """Return the hard obstacles on the allowed days strictly between two days, merged.

    Each obstacle appears once with the span it covers (its period's span when known).
    """
    spans: dict[tuple[str, str, str], tuple[date, date]] = {}
    for day in days_between(first + ONE_DAY, last - ONE_DAY):
        if day.weekday() not in weekdays:
            continue
        for obstacle in obstacles.get(day, ()):
            if not obstacle.hard:
                continue
            key = (obstacle.label, obstacle.who, obstacle.kind)
            start = obstacle.first_day or day
            end = obstacle.last_day or day
            if key in spans:
                known = spans[key]
                spans[key] = (min(known[0], start), max(known[1], end))
            else:
                spans[key] = (start, end)
    merged = [
        Obstacle(label, who, True, start, end, kind)
        for (label, who, kind), (start, end) in spans.items()
    ]
    merged.sort(key=lambda item: (item.first_day or first, item.who, item.label))
    return tuple(merged)
