"""Other days for a meeting: the nearest good ones between its neighbours, ranked, with what
each does to the gaps and the drift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus, drift_status
from planner.domain.explain import Explanation, explain_day
from planner.domain.gaps import ONE_DAY, Gap, GapCounter
from planner.domain.planning import SOFT_COST, PlanProblem, gap_cost
from planner.inputs import parse_int
from planner.models import Meeting
from planner.services.collaborations import get_collaboration
from planner.services.plan_context import (
    ACTIVE,
    CalendarCache,
    PlanContext,
    allowed_weekdays,
    find_candidates,
    load_context,
    zone_of,
)

# The most other days one request for alternatives may ask for.
MAX_ALTERNATIVES = 20


@dataclass(frozen=True)
class GapSummary:
    """The gaps around one meeting day and the drift status they give."""

    before: Gap | None
    after: Gap | None
    status: DriftStatus

    @property
    def largest_days(self) -> int:
        """Return the largest of the gaps in counted days (0 when there is none)."""
        return max((gap.counted_days for gap in (self.before, self.after) if gap), default=0)


@dataclass(frozen=True)
class Alternative:
    """A possible day for a meeting, with its start, explanation and drift effect."""

    day: date
    starts_at: datetime
    ends_at: datetime
    explanation: Explanation
    effect: GapSummary
    soft_reasons: int


def neighbour_days(
    ctx: PlanContext, meeting: Meeting | None, day: date
) -> tuple[date | None, date | None]:
    """Return the days of the active meetings just before and just after `day`, but `meeting`."""
    others = [m.day for m in ctx.meetings if meeting is None or m.id != meeting.id]
    before = [other for other in others if other < day]
    after = [other for other in others if other > day]
    return (before[-1] if before else None, after[0] if after else None)


def window(
    ctx: PlanContext, day: date, previous: date | None, following: date | None, today: date
) -> tuple[date, date]:
    """Return the days another date for a meeting on `day` may take: between its neighbours
    (or a maximum gap either side), never before today, never past the context's range."""
    span = timedelta(days=ctx.rhythm.max_gap_days)
    first = max(today, previous + ONE_DAY if previous else day - span)
    last = min(ctx.last, following - ONE_DAY if following else day + span)
    return first, last


def summarise(
    ctx: PlanContext, counter: GapCounter, before: date | None, day: date | None, after: date | None
) -> GapSummary:
    """Return the gaps before and after `day` (or between the neighbours when day is None)."""
    rhythm = ctx.rhythm
    if day is None:
        gap = _gap(counter, before, after, rhythm.max_gap_days)
        status = drift_status(gap.counted_days if gap else None, rhythm)
        return GapSummary(gap, None, status)
    first = _gap(counter, before, day, rhythm.max_gap_days)
    second = _gap(counter, day, after, rhythm.max_gap_days)
    largest = max((gap.counted_days for gap in (first, second) if gap), default=0)
    return GapSummary(first, second, drift_status(largest, rhythm))


def _gap(counter: GapCounter, first: date | None, last: date | None, max_gap: int) -> Gap | None:
    if first is None or last is None:
        return None
    counted = counter.counted(first, last)
    return Gap(first, last, counted, max(0, counted - max_gap))


def rank_days(
    ctx: PlanContext,
    now: datetime,
    previous: date | None,
    following: date | None,
    first: date,
    last: date,
    *,
    current: date | None = None,
    limit: int = 5,
) -> list[Alternative]:
    """Return the best days in [first, last] between two meetings, best first.

    Best means: least excess above the maximum gap, then gaps nearest the target (soft reasons
    count as a cost), then nearest the current day, then earliest.
    """
    if first > last:
        return []
    collab = ctx.collab
    rhythm = ctx.rhythm
    taken = {m.day for m in ctx.meetings}
    if current is not None:
        taken.add(current)
    candidates = find_candidates(ctx, first, last, now, taken=taken)
    counter = ctx.counter()
    problem = PlanProblem(first, last, rhythm, candidates.soft, uncounted=ctx.uncounted)
    weekdays = allowed_weekdays(collab)
    scored = []
    for day, soft in candidates.soft.items():
        cost = SOFT_COST * soft
        excess = 0
        if previous is not None:
            gap = counter.counted(previous, day)
            cost += gap_cost(gap, rhythm)
            excess = max(excess, gap - rhythm.max_gap_days)
        if following is not None:
            gap = counter.counted(day, following)
            cost += gap_cost(gap, rhythm)
            excess = max(excess, gap - rhythm.max_gap_days)
        if previous is None and following is None:
            cost += (day - first).days
        distance = abs((day - current).days) if current else 0
        scored.append(((max(excess, 0), cost, distance, day), day, soft))
    scored.sort()
    duration = timedelta(minutes=collab.duration_minutes)
    result = []
    for _, day, soft in scored[:limit]:
        before_gap = _gap(counter, previous, day, rhythm.max_gap_days)
        explanation = explain_day(day, before_gap, problem, counter, candidates.obstacles, weekdays)
        start = candidates.starts[day]
        result.append(
            Alternative(
                day,
                start,
                start + duration,
                explanation,
                summarise(ctx, counter, previous, day, following),
                soft,
            )
        )
    return result


def meeting_context(
    session: Session, meeting: Meeting, now: datetime, locale: str, cache: CalendarCache | None
) -> tuple[PlanContext, date]:
    collab = get_collaboration(session, meeting.collaboration_id)
    zone = zone_of(collab)
    today = now.astimezone(zone).date()
    max_gap = timedelta(days=collab.max_gap_weeks * 7)
    previous_day = session.scalar(
        select(func.max(Meeting.day)).where(
            Meeting.collaboration_id == collab.id,
            Meeting.status.in_(ACTIVE),
            Meeting.day < meeting.day,
            Meeting.id != meeting.id,
        )
    )
    first = min(previous_day or meeting.day, today) - max_gap
    last = max(meeting.day, today) + 2 * max_gap
    ctx = load_context(session, collab, first, last, locale, cache=cache, now=now)
    return ctx, today


def other_days(
    session: Session,
    meeting: Meeting,
    now: datetime,
    *,
    locale: str = "nl",
    limit: int = 5,
    cache: CalendarCache | None = None,
) -> tuple[GapSummary, list[Alternative]]:
    """Return the meeting's current gaps and the nearest good other days for it (at most
    MAX_ALTERNATIVES)."""
    limit = parse_int(limit, "limit", 1, MAX_ALTERNATIVES)
    ctx, today = meeting_context(session, meeting, now, locale, cache)
    previous, following = neighbour_days(ctx, meeting, meeting.day)
    current = summarise(ctx, ctx.counter(), previous, meeting.day, following)
    first, last = window(ctx, meeting.day, previous, following, today)
    found = rank_days(ctx, now, previous, following, first, last, current=meeting.day, limit=limit)
    return current, found
