"""Plan a series of meetings as a shortest path over candidate days (DESIGN §5).

The planner sees a horizon of days, the days a meeting may fall on (candidates, each with a
soft cost), meetings that are already fixed, and the last meeting before the horizon (the
anchor). It chooses the days that minimise, in this order:

1. the total excess of gaps above the maximum gap (zero when the calendar allows it);
2. the sum of squared deviations of every gap from the target interval, plus a cost per soft
   reason on a chosen day;
3. ties are broken by a fixed visiting order, so the same input always gives the same plan.

Gaps are counted in days that count: days in weeks that are a school holiday for every member
school are left out unless the collaboration counts them (see `GapCounter`).

Why the search is small: excess is superadditive (max(0, a+b-M) >= max(0, a-M) + max(0, b-M)),
so taking every candidate gives the least total excess, and in every plan with that least excess
a gap above the maximum joins two *consecutive* candidates. The search therefore only follows
edges that are at most the maximum gap long, plus the edge to the very next candidate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
# Lexicographic weights: any excess day outweighs every possible deviation cost.
EXCESS_WEIGHT = 10**12
# One soft reason on a chosen day costs as much as a gap seven days off target.
SOFT_COST = 49


class NotEnoughDays(Exception):
    """The horizon holds fewer possible meeting days than the series asks for."""

    def __init__(self, available: int) -> None:
        super().__init__(available)
        self.available = available


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
class PlanProblem:
    """Everything the planner needs; all days are local dates."""

    first_day: date
    last_day: date
    rhythm: Rhythm
    candidates: Mapping[date, int]  # a day a meeting may fall on -> number of soft reasons
    fixed: frozenset[date] = frozenset()
    anchor: date | None = None
    uncounted: frozenset[date] = frozenset()
    count: int | None = None  # plan exactly this many new meetings; None: fill the horizon

    def counter(self) -> GapCounter:
        """Return the gap counter covering every day this problem mentions."""
        days = [self.first_day, self.last_day, *self.fixed]
        if self.anchor is not None:
            days.append(self.anchor)
        return GapCounter(self.uncounted, min(days), max(days) + ONE_DAY)

    def nodes(self) -> list[date]:
        """Return the days a plan can visit: candidates and fixed meetings in the horizon."""
        inside = {d for d in self.candidates if self.first_day <= d <= self.last_day}
        inside.update(d for d in self.fixed if self.first_day <= d <= self.last_day)
        return sorted(inside)


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


@dataclass(frozen=True, slots=True)
class PlannedDay:
    """One meeting day in a plan, new or fixed, with the gap before it."""

    day: date
    fixed: bool
    gap_before: Gap | None


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    """The chosen days and the objective they reach."""

    days: tuple[PlannedDay, ...]
    trailing: Gap | None
    cost: int
    largest_excess_days: int
    gaps: tuple[Gap, ...] = field(default=())

    @property
    def new_days(self) -> list[date]:
        """Return the days of the new meetings."""
        return [planned.day for planned in self.days if not planned.fixed]


def gap_cost(counted: int, rhythm: Rhythm) -> int:
    """Return the cost of a gap between two meetings (excess first, then squared deviation)."""
    excess = max(0, counted - rhythm.max_gap_days)
    deviation = counted - rhythm.target_days
    return excess * EXCESS_WEIGHT + deviation * deviation


def _trailing_cost(counted: int, rhythm: Rhythm) -> int:
    # The horizon's end is not a meeting: only a gap longer than the target costs.
    excess = max(0, counted - rhythm.max_gap_days)
    over = max(0, counted - rhythm.target_days)
    return excess * EXCESS_WEIGHT + over * over


def path_cost(problem: PlanProblem, days: Sequence[date]) -> int:
    """Return the objective of visiting exactly `days` (sorted, fixed ones included).

    This is the definition the search minimises; tests compare it with a brute-force search.
    """
    counter = problem.counter()
    rhythm = problem.rhythm
    total = 0
    previous = problem.anchor
    for day in days:
        if previous is None:
            total += counter.counted(problem.first_day, day)
        else:
            total += gap_cost(counter.counted(previous, day), rhythm)
        if day not in problem.fixed:
            total += SOFT_COST * problem.candidates.get(day, 0)
        previous = day
    if problem.count is None:
        if previous is not None:
            total += _trailing_cost(counter.counted(previous, problem.last_day + ONE_DAY), rhythm)
        else:
            total += counter.counted(problem.first_day, problem.last_day + ONE_DAY)
    return total


def plan_series(problem: PlanProblem) -> SeriesPlan:
    """Return the best series for the problem (see the module's docstring for "best")."""
    nodes = problem.nodes()
    counter = problem.counter()
    rhythm = problem.rhythm
    max_gap = rhythm.max_gap_days
    size = len(nodes)
    fixed = [day in problem.fixed for day in nodes]
    soft = [
        0 if day in problem.fixed else SOFT_COST * problem.candidates.get(day, 0) for day in nodes
    ]
    first_fixed = next((i for i in range(size) if fixed[i]), size)
    last_fixed = max((i for i in range(size) if fixed[i]), default=-1)
    end = problem.last_day + ONE_DAY
    anchor = problem.anchor
    wanted = problem.count
    layers = 1 if wanted is None else wanted + 1

    # cost[k][j]: cheapest path from the start to node j having placed k new meetings.
    inf = None
    cost: list[list[int | None]] = [[inf] * size for _ in range(layers)]
    back: list[list[tuple[int, int] | None]] = [[None] * size for _ in range(layers)]

    def new_count(k: int, j: int) -> int | None:
        if wanted is None:
            return 0
        k2 = k if fixed[j] else k + 1
        return k2 if k2 <= wanted else None

    for j in range(size):
        day = nodes[j]
        if j <= first_fixed:
            if anchor is None:
                start_gap = counter.counted(problem.first_day, day)
                start_cost = start_gap
            else:
                start_gap = counter.counted(anchor, day)
                start_cost = gap_cost(start_gap, rhythm)
            if start_gap <= max_gap or j == 0:
                k2 = new_count(0, j)
                if k2 is not None:
                    total = start_cost + soft[j]
                    current = cost[k2][j]
                    if current is None or total < current:
                        cost[k2][j] = total
                        back[k2][j] = (-1, 0)
        for i in range(j - 1, -1, -1):
            gap = counter.counted(nodes[i], day)
            if gap > max_gap and i != j - 1:
                break
            edge = gap_cost(gap, rhythm) + soft[j]
            for k in range(layers):
                before = cost[k][i]
                if before is None:
                    continue
                k2 = new_count(k, j)
                if k2 is None:
                    continue
                total = before + edge
                current = cost[k2][j]
                if current is None or total < current:
                    cost[k2][j] = total
                    back[k2][j] = (i, k)
            if fixed[i]:
                break

    # Close the path: at the horizon's end (fill mode) or after the last new meeting (count mode).
    best: tuple[int, int, int] | None = None  # (cost, last node or -1 for none, layer)
    final_layer = 0 if wanted is None else wanted
    if last_fixed < 0 and (wanted is None or wanted == 0):
        # Planning no meeting at all is an option when nothing is fixed.
        if wanted == 0:
            best = (0, -1, 0)
        elif anchor is None:
            best = (counter.counted(problem.first_day, end), -1, 0)
        elif counter.counted(anchor, end) <= max_gap or size == 0:
            best = (_trailing_cost(counter.counted(anchor, end), rhythm), -1, 0)
    for i in range(size - 1, max(last_fixed, 0) - 1, -1):
        before = cost[final_layer][i]
        if before is None:
            continue
        if wanted is None:
            gap = counter.counted(nodes[i], end)
            if gap > max_gap and i != size - 1:
                continue
            total = before + _trailing_cost(gap, rhythm)
        else:
            total = before
        if best is None or total < best[0] or (total == best[0] and best[1] < 0):
            best = (total, i, final_layer)
    if best is None:
        raise NotEnoughDays(sum(1 for flag in fixed if not flag))

    chosen: list[int] = []
    node, layer = best[1], best[2]
    while node >= 0:
        chosen.append(node)
        step = back[layer][node]
        assert step is not None
        node, layer = step
    chosen.reverse()
    return _result(problem, counter, [nodes[i] for i in chosen], best[0])


def plan_from_days(problem: PlanProblem, days: Sequence[date]) -> SeriesPlan:
    """Return the plan that visits the given days (and every fixed day in the horizon)."""
    inside = {day for day in problem.fixed if problem.first_day <= day <= problem.last_day}
    chosen = sorted(inside | set(days))
    return _result(problem, problem.counter(), chosen, path_cost(problem, chosen))


def _result(problem: PlanProblem, counter: GapCounter, days: list[date], total: int) -> SeriesPlan:
    rhythm = problem.rhythm
    planned: list[PlannedDay] = []
    gaps: list[Gap] = []
    previous = problem.anchor
    for day in days:
        gap = None
        if previous is not None:
            counted = counter.counted(previous, day)
            gap = Gap(previous, day, counted, max(0, counted - rhythm.max_gap_days))
            gaps.append(gap)
        planned.append(PlannedDay(day, day in problem.fixed, gap))
        previous = day
    trailing = None
    if problem.count is None and previous is not None:
        end = problem.last_day + ONE_DAY
        counted = counter.counted(previous, end)
        trailing = Gap(previous, end, counted, max(0, counted - rhythm.max_gap_days))
    excesses = [gap.excess_days for gap in gaps]
    if trailing is not None:
        excesses.append(trailing.excess_days)
    return SeriesPlan(
        days=tuple(planned),
        trailing=trailing,
        cost=total,
        largest_excess_days=max(excesses, default=0),
        gaps=tuple(gaps),
    )
