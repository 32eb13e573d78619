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
edges that are at most the maximum gap long, plus the edge to the very next candidate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from planner.domain.gaps import ONE_DAY, Gap, GapCounter, Rhythm

# Lexicographic weights: a day more of the largest excess outweighs any total excess, and any
# excess day outweighs every possible deviation cost.
LARGEST_WEIGHT = 10**24


EXCESS_WEIGHT = 10**12


# One soft reason on a chosen day costs as much as a gap seven days off target.
SOFT_COST = 49


class NotEnoughDays(Exception):
    """The horizon holds fewer possible meeting days than the series asks for."""

    def __init__(self, available: int) -> None:
        super().__init__(available)
        self.available = available


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
    # Today, and the first day the minimum notice allows (for explanations only: candidates
    # before it are not offered in the first place).
    today: date | None = None
    earliest: date | None = None

    def counter(self) -> GapCounter:
        """Return the gap counter covering every day this problem mentions."""
        days = [self.first_day, self.last_day, *self.fixed, *self.uncounted]
        if self.anchor is not None:
            days.append(self.anchor)
        # Reach past the horizon so an ideal day just beyond it is found correctly too.
        reach = timedelta(days=self.rhythm.max_gap_days + 7)
        return GapCounter(self.uncounted, min(days), max(days) + reach)

    def nodes(self) -> list[date]:
        """Return the days a plan can visit: candidates and fixed meetings in the horizon."""
        inside = {d for d in self.candidates if self.first_day <= d <= self.last_day}
        inside.update(d for d in self.fixed if self.first_day <= d <= self.last_day)
        return sorted(inside)


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


def _gaps_of(problem: PlanProblem, counter: GapCounter, days: Sequence[date]) -> list[int]:
    """Return the counted gaps of a path: between meetings, and to the horizon's end in fill mode.

    With no anchor, the lead-in from the horizon's start to the first meeting counts as a gap.
    """
    gaps = []
    previous = problem.anchor
    for day in days:
        gaps.append(counter.counted(previous or problem.first_day, day))
        previous = day
    if problem.count is None:
        gaps.append(counter.counted(previous or problem.first_day, problem.last_day + ONE_DAY))
    return gaps


def _lead_cost(counted: int, rhythm: Rhythm) -> int:
    # From the horizon's start to a first meeting with none before it: sooner is better, and a
    # lead-in above the maximum gap is excess like any gap (else one late meeting would do).
    return max(0, counted - rhythm.max_gap_days) * EXCESS_WEIGHT + counted


def path_cost(problem: PlanProblem, days: Sequence[date]) -> int:
    """Return the objective of visiting exactly `days` (sorted, fixed ones included).

    In order: the largest excess above the maximum gap, the total excess, then the squared
    deviations from the target, the soft reasons and the lead-in. This is the definition the
    search minimises; tests compare it with a brute-force search.
    """
    counter = problem.counter()
    rhythm = problem.rhythm
    total = 0
    previous = problem.anchor
    for day in days:
        if previous is None:
            total += _lead_cost(counter.counted(problem.first_day, day), rhythm)
        else:
            total += gap_cost(counter.counted(previous, day), rhythm)
        if day not in problem.fixed:
            total += SOFT_COST * problem.candidates.get(day, 0)
        previous = day
    if problem.count is None:
        end = problem.last_day + ONE_DAY
        if previous is not None:
            total += _trailing_cost(counter.counted(previous, end), rhythm)
        else:
            whole = counter.counted(problem.first_day, end)
            total += whole + _trailing_cost(whole, rhythm)
    largest = max(
        (gap - rhythm.max_gap_days for gap in _gaps_of(problem, counter, days)), default=0
    )
    return max(largest, 0) * LARGEST_WEIGHT + total


class _Search:
    """The shared state of one search: nodes, costs per node, and gap counting."""

    def __init__(self, problem: PlanProblem) -> None:
        self.problem = problem
        self.nodes = problem.nodes()
        self.counter = problem.counter()
        self.rhythm = problem.rhythm
        self.size = len(self.nodes)
        self.fixed = [day in problem.fixed for day in self.nodes]
        self.soft = [
            0 if day in problem.fixed else SOFT_COST * problem.candidates.get(day, 0)
            for day in self.nodes
        ]
        self.first_fixed = next((i for i in range(self.size) if self.fixed[i]), self.size)
        self.last_fixed = max((i for i in range(self.size) if self.fixed[i]), default=-1)
        self.end = problem.last_day + ONE_DAY

    def gap(self, i: int, j: int) -> int:
        return self.counter.counted(self.nodes[i], self.nodes[j])

    def start_edge(self, j: int) -> tuple[int, int] | None:
        """Return (cost, counted gap or lead-in) of starting the path at node j."""
        if j > self.first_fixed:
            return None
        anchor = self.problem.anchor
        if anchor is None:
            lead = self.counter.counted(self.problem.first_day, self.nodes[j])
            return _lead_cost(lead, self.rhythm) + self.soft[j], lead
        gap = self.counter.counted(anchor, self.nodes[j])
        return gap_cost(gap, self.rhythm) + self.soft[j], gap

    def path(self, back: list[list[tuple[int, int] | None]], node: int, layer: int) -> list[date]:
        chosen: list[int] = []
        while node >= 0:
            chosen.append(node)
            step = back[layer][node]
            assert step is not None
            node, layer = step
        return [self.nodes[i] for i in reversed(chosen)]


def plan_series(problem: PlanProblem) -> SeriesPlan:
    """Return the best series for the problem (see `path_cost` for "best")."""
    search = _Search(problem)
    days = _fill(search) if problem.count is None else _count(search, problem.count)
    return _result(problem, search.counter, days, path_cost(problem, days))


def _fill(search: _Search) -> list[date]:
    """Fill the horizon: any candidate may be used, so only short edges need following.

    Inserting a meeting into a gap above the maximum that spans two stretches of counted days
    always lowers the total excess (excess is superadditive), so in a best plan every gap above
    the maximum spans at most one stretch between neighbouring nodes. Least total excess then
    also gives the least largest excess (taking every node reaches both).
    """
    problem, counter, rhythm = search.problem, search.counter, search.rhythm
    nodes, size, fixed, soft = search.nodes, search.size, search.fixed, search.soft
    max_gap = rhythm.max_gap_days
    anchor = problem.anchor
    # pieces[k]: stretches of counted days between node 0 and node k.
    pieces = [0] * max(size, 1)
    for k in range(1, size):
        pieces[k] = pieces[k - 1] + (search.gap(k - 1, k) > 0)
    origin = anchor or problem.first_day
    anchor_piece = int(size > 0 and counter.counted(origin, nodes[0]) > 0)
    cost: list[int | None] = [None] * size
    back: list[list[tuple[int, int] | None]] = [[None] * size]
    for j in range(size):
        start = search.start_edge(j)
        if start is not None and (start[1] <= max_gap or anchor_piece + pieces[j] <= 1):
            cost[j] = start[0]
            back[0][j] = (-1, 0)
        for i in range(j - 1, -1, -1):
            gap = search.gap(i, j)
            if gap > max_gap and pieces[j] - pieces[i] > 1:
                break
            before = cost[i]
            if before is not None:
                total = before + gap_cost(gap, rhythm) + soft[j]
                current = cost[j]
                if current is None or total < current:
                    cost[j] = total
                    back[0][j] = (i, 0)
            if fixed[i]:
                break
    end = search.end
    best: tuple[int, int] | None = None  # (cost, last node or -1 for no meeting at all)
    if search.last_fixed < 0:
        if anchor is None:
            whole = counter.counted(problem.first_day, end)
            best = (whole + _trailing_cost(whole, rhythm), -1)
        else:
            best = (_trailing_cost(counter.counted(anchor, end), rhythm), -1)
    end_piece = int(size > 0 and counter.counted(nodes[-1], end) > 0)
    for i in range(size - 1, max(search.last_fixed, 0) - 1, -1):
        before = cost[i]
        if before is None:
            continue
        gap = counter.counted(nodes[i], end)
        if gap > max_gap and pieces[size - 1] - pieces[i] + end_piece > 1:
            continue
        total = before + _trailing_cost(gap, rhythm)
        if best is None or total < best[0] or (total == best[0] and best[1] < 0):
            best = (total, i)
    assert best is not None, "a path through every node always exists"
    return search.path(back, best[1], 0)


def _count(search: _Search, wanted: int) -> list[date]:
    """Place exactly `wanted` new meetings: first the least largest excess, then the cheapest.

    Not every candidate is used, so no edge can be ruled out in advance: a bottleneck pass finds
    the least possible largest excess, then a cost pass searches the edges within it.
    """
    rhythm, size, fixed = search.rhythm, search.size, search.fixed
    max_gap = rhythm.max_gap_days
    layers = wanted + 1
    free = sum(1 for flag in fixed if not flag)
    if free < wanted:
        raise NotEnoughDays(free)

    def edges(j: int) -> list[tuple[int, int]]:
        found = []
        for i in range(j - 1, -1, -1):
            found.append((i, search.gap(i, j)))
            if fixed[i]:
                break
        return found

    incoming = [edges(j) for j in range(size)]
    starts = [search.start_edge(j) for j in range(size)]

    def layer_of(k: int, j: int) -> int | None:
        k2 = k if fixed[j] else k + 1
        return k2 if k2 < layers else None

    # Pass 1: the least largest excess that reaches each (layer, node).
    worst: list[list[int | None]] = [[None] * size for _ in range(layers)]
    for j in range(size):
        start = starts[j]
        if start is not None and (k2 := layer_of(0, j)) is not None:
            worst[k2][j] = max(0, start[1] - max_gap)
        for i, gap in incoming[j]:
            excess = max(0, gap - max_gap)
            for k in range(layers):
                before = worst[k][i]
                if before is None or (k2 := layer_of(k, j)) is None:
                    continue
                value = max(before, excess)
                current = worst[k2][j]
                if current is None or value < current:
                    worst[k2][j] = value
    finals = [
        worst[wanted][i]
        for i in range(max(search.last_fixed, 0), size)
        if worst[wanted][i] is not None
    ]
    if wanted == 0 and search.last_fixed < 0:
        return []
    if not finals:
        raise NotEnoughDays(free)
    limit = max_gap + min(value for value in finals if value is not None)

    # Pass 2: the cheapest path using only gaps within that limit.
    cost: list[list[int | None]] = [[None] * size for _ in range(layers)]
    back: list[list[tuple[int, int] | None]] = [[None] * size for _ in range(layers)]
    for j in range(size):
        start = starts[j]
        if start is not None and start[1] <= limit and (k2 := layer_of(0, j)) is not None:
            cost[k2][j] = start[0]
            back[k2][j] = (-1, 0)
        for i, gap in incoming[j]:
            if gap > limit:
                continue
            edge = gap_cost(gap, rhythm) + search.soft[j]
            for k in range(layers):
                before = cost[k][i]
                if before is None or (k2 := layer_of(k, j)) is None:
                    continue
                total = before + edge
                current = cost[k2][j]
                if current is None or total < current:
                    cost[k2][j] = total
                    back[k2][j] = (i, k)
    best: tuple[int, int] | None = None
    for i in range(size - 1, max(search.last_fixed, 0) - 1, -1):
        final = cost[wanted][i]
        if final is not None and (best is None or final < best[0]):
            best = (final, i)
    if best is None:
        raise NotEnoughDays(free)
    return search.path(back, best[1], wanted)


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
    if problem.count is None:
        # With no meeting at all and no anchor, the whole horizon is the trailing gap.
        start = previous or problem.first_day
        end = problem.last_day + ONE_DAY
        counted = counter.counted(start, end)
        trailing = Gap(start, end, counted, max(0, counted - rhythm.max_gap_days))
    excesses = [gap.excess_days for gap in gaps]
    if problem.anchor is None and days:
        lead = counter.counted(problem.first_day, days[0])
        excesses.append(max(0, lead - rhythm.max_gap_days))
    if trailing is not None:
        excesses.append(trailing.excess_days)
    return SeriesPlan(
        days=tuple(planned),
        trailing=trailing,
        cost=total,
        largest_excess_days=max(excesses, default=0),
        gaps=tuple(gaps),
    )
