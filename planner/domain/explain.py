"""Why a plan chose each day: the gap before it, the nearer days it could not use, and why."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

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
    if gap is not None and gap.excess_days > 0:
        forced = gap_obstacles(gap.first, gap.last, obstacles, weekdays)
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
    )


def gap_obstacles(
    first: date,
    last: date,
    obstacles: Mapping[date, tuple[Obstacle, ...]],
    weekdays: Collection[int],
) -> tuple[Obstacle, ...]:
    """Return the hard obstacles on the allowed days strictly between two days, merged.

    Each obstacle appears once with the span it covers (its period's span when known).
    """
    spans: dict[tuple[str, str], tuple[date, date]] = {}
    for day in days_between(first + ONE_DAY, last - ONE_DAY):
        if day.weekday() not in weekdays:
            continue
        for obstacle in obstacles.get(day, ()):
            if not obstacle.hard:
                continue
            key = (obstacle.label, obstacle.who)
            start = obstacle.first_day or day
            end = obstacle.last_day or day
            if key in spans:
                known = spans[key]
                spans[key] = (min(known[0], start), max(known[1], end))
            else:
                spans[key] = (start, end)
    merged = [
        Obstacle(label, who, True, start, end) for (label, who), (start, end) in spans.items()
    ]
    merged.sort(key=lambda item: (item.first_day or first, item.who, item.label))
    return tuple(merged)
