"""Change one meeting: alternatives, move, cancel, and what each does to the drift."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus, drift_status
from planner.domain.explain import Explanation, explain_day
from planner.domain.kinds import MeetingStatus
from planner.domain.planning import ONE_DAY, SOFT_COST, Gap, GapCounter, PlanProblem, gap_cost
from planner.domain.slots import localise
from planner.errors import N_, ConflictError, NotFoundError, ValidationError
from planner.events import (
    EventKind,
    MeetingCancelled,
    MeetingMoved,
    MeetingsMoved,
    append_event,
)
from planner.inputs import parse_id, parse_int
from planner.models import Meeting
from planner.services.collaborations import get_collaboration
from planner.services.planning import (
    ACTIVE,
    CalendarCache,
    PlanContext,
    allowed_weekdays,
    day_refused,
    find_candidates,
    load_context,
    zone_of,
)
from planner.text.formatting import format_day

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


@dataclass(frozen=True)
class ChangeResult:
    """What a move or cancellation did, and to the drift."""

    meeting: Meeting
    before: GapSummary
    after: GapSummary
    alternatives: list[Alternative]


def get_meeting(session: Session, ref: str | int) -> Meeting:
    """Return a meeting by id, or raise NotFoundError."""
    text = str(ref).strip()
    meeting = session.get(Meeting, parsed) if (parsed := parse_id(text)) else None
    if meeting is None:
        raise NotFoundError(N_("Unknown meeting '%(ref)s'."), ref=text)
    return meeting


def list_meetings(
    session: Session, collaboration_id: int, *, include_cancelled: bool = True
) -> list[Meeting]:
    """Return a collaboration's meetings by start."""
    query = select(Meeting).where(Meeting.collaboration_id == collaboration_id)
    if not include_cancelled:
        query = query.where(Meeting.status.in_(ACTIVE))
    return list(session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


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


def _meeting_context(
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
    ctx = load_context(session, collab, first, last, locale, cache=cache)
    return ctx, today


def alternatives(
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
    ctx, today = _meeting_context(session, meeting, now, locale, cache)
    previous, following = neighbour_days(ctx, meeting, meeting.day)
    current = summarise(ctx, ctx.counter(), previous, meeting.day, following)
    first, last = window(ctx, meeting.day, previous, following, today)
    found = rank_days(ctx, now, previous, following, first, last, current=meeting.day, limit=limit)
    return current, found


def change_refusal(meeting: Meeting, now: datetime) -> ConflictError | None:
    """Why the meeting cannot be moved or cancelled any more (None: it can)."""
    if meeting.status is MeetingStatus.CANCELLED:
        return ConflictError(
            N_("This meeting was cancelled; it cannot be moved or cancelled again.")
        )
    if meeting.status is MeetingStatus.PROPOSED:
        return ConflictError(N_("This meeting is only proposed; plan it first."))
    if meeting.status is MeetingStatus.HELD or meeting.ends_at <= now:
        return ConflictError(N_("This meeting has already taken place and cannot be changed."))
    return None


def _require_changeable(meeting: Meeting, now: datetime) -> None:
    refusal = change_refusal(meeting, now)
    if refusal is not None:
        raise refusal


def _check_target(meeting: Meeting, day: date, at: time | None, now: datetime, locale: str) -> None:
    """A move goes somewhere new and not into the past: moving a meeting to the moment it
    already has would send every invitee a changed invitation for nothing."""
    zone = ZoneInfo(meeting.timezone)
    if day < now.astimezone(zone).date():
        raise ValidationError(
            N_("%(day)s lies in the past; choose a later date."), day=format_day(day, locale)
        )
    start = meeting.starts_at.astimezone(zone)
    if day == meeting.day and (at is None or at.strftime("%H:%M") == start.strftime("%H:%M")):
        raise ValidationError(N_("The meeting already takes place then."))


def move_meeting(
    session: Session,
    meeting: Meeting,
    day: date,
    now: datetime,
    *,
    at: time | None = None,
    locale: str = "nl",
    announce: bool = True,
) -> ChangeResult:
    """Move a meeting to another day (and optionally time); SEQUENCE goes up by one.

    `announce=False` leaves the event to the caller (move_meetings announces a batch at once).
    """
    _require_changeable(meeting, now)
    _check_target(meeting, day, at, now, locale)
    ctx, _ = _meeting_context(session, meeting, now, locale, None)
    collab = ctx.collab
    counter = ctx.counter()
    before = summarise(ctx, counter, *_around(ctx, meeting, meeting.day))
    taken = {m.day for m in ctx.meetings if m.id != meeting.id}
    if day in taken:
        raise ValidationError(
            N_("%(day)s already has a meeting of this collaboration."),
            day=format_day(day, locale),
        )
    duration = meeting.ends_at - meeting.starts_at
    start = _start_on(ctx, day, now, at, taken, locale)
    old = {"day": meeting.day.isoformat(), "starts_at": meeting.starts_at.isoformat()}
    meeting.day = day
    meeting.starts_at = start
    meeting.ends_at = start + duration
    meeting.sequence += 1
    meeting.conflict = None
    meeting.updated_at = now
    session.flush()
    if announce:
        _announce_move(session, meeting, collab.id, old, now)
    after = summarise(ctx, counter, *_around(ctx, meeting, day))
    return ChangeResult(meeting, before, after, [])


def _announce_move(
    session: Session, meeting: Meeting, collab_id: int, old: dict[str, str], now: datetime
) -> None:
    append_event(
        session,
        EventKind.MEETING_MOVED,
        MeetingMoved(
            meeting_id=meeting.id,
            collaboration_id=collab_id,
            before=old,
            after={"day": meeting.day.isoformat(), "starts_at": meeting.starts_at.isoformat()},
            sequence=meeting.sequence,
        ),
        now,
    )


def move_meetings(
    session: Session,
    moves: Sequence[tuple[Meeting, date, time | None]],
    now: datetime,
    *,
    locale: str = "nl",
) -> list[ChangeResult]:
    """Move several meetings of one collaboration in one re-planning, announced as one event
    (`meetings.moved`), so each partner gets one mail that covers every change."""
    if not moves:
        return []
    collab_ids = {meeting.collaboration_id for meeting, _, _ in moves}
    if len(collab_ids) != 1:
        raise ValidationError(N_("One re-planning moves meetings of one collaboration only."))
    results = []
    befores = []
    for meeting, day, at in moves:
        befores.append({"day": meeting.day.isoformat(), "starts_at": meeting.starts_at.isoformat()})
        results.append(
            move_meeting(session, meeting, day, now, at=at, locale=locale, announce=False)
        )
    append_event(
        session,
        EventKind.MEETINGS_MOVED,
        MeetingsMoved(
            collaboration_id=collab_ids.pop(),
            meeting_ids=[result.meeting.id for result in results],
            moves=[
                {
                    "meeting_id": result.meeting.id,
                    "before": before,
                    "after": {
                        "day": result.meeting.day.isoformat(),
                        "starts_at": result.meeting.starts_at.isoformat(),
                    },
                    "sequence": result.meeting.sequence,
                }
                for result, before in zip(results, befores, strict=True)
            ],
        ),
        now,
    )
    return results


def apply_conflict_proposals(
    session: Session, collaboration_id: int, now: datetime, *, locale: str = "nl"
) -> list[ChangeResult]:
    """Move every flagged future meeting of a collaboration to its proposed day, as one
    re-planning. Meetings without a proposal stay flagged."""
    flagged = list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.collaboration_id == collaboration_id,
                Meeting.status == MeetingStatus.CONFIRMED,
                Meeting.ends_at > now,
                Meeting.conflict.is_not(None),
            )
            .order_by(Meeting.starts_at)
        )
    )
    moves: list[tuple[Meeting, date, time | None]] = []
    for meeting in flagged:
        proposed = (meeting.conflict or {}).get("proposed_day")
        if proposed:
            moves.append((meeting, date.fromisoformat(proposed), None))
    return move_meetings(session, moves, now, locale=locale)


def _around(ctx: PlanContext, meeting: Meeting, day: date) -> tuple[date | None, date, date | None]:
    previous, following = neighbour_days(ctx, meeting, day)
    return previous, day, following


def _start_on(
    ctx: PlanContext,
    day: date,
    now: datetime,
    at: time | None,
    taken: set[date],
    locale: str,
) -> datetime:
    collab = ctx.collab
    text = format_day(day, locale)
    candidates = find_candidates(ctx, day, day, now, taken=taken)
    if at is None:
        if day in candidates.starts:
            return candidates.starts[day]
    else:
        blocked = ctx.blocked.get(day)
        start = localise(day, at, zone_of(collab))
        if start is None or start < now:
            raise ValidationError(
                N_("%(day)s %(time)s is in the past or does not exist."),
                day=text,
                time=at.strftime("%H:%M"),
            )
        end = start + timedelta(minutes=collab.duration_minutes)
        clashes = [o for s, e, o in ctx.busy.get(day, []) if not (end <= s or start >= e)]
        if (
            day.weekday() in allowed_weekdays(collab)
            and not (blocked and blocked.hard)
            and not clashes
        ):
            return start
        if clashes:
            raise day_refused(day, clashes, locale)
    raise day_refused(day, candidates.obstacles.get(day, ()), locale)


def cancel_meeting(
    session: Session, meeting: Meeting, now: datetime, *, locale: str = "nl"
) -> ChangeResult:
    """Cancel a meeting (it stays, as cancelled); propose days to fill the gap it leaves."""
    _require_changeable(meeting, now)
    ctx, today = _meeting_context(session, meeting, now, locale, None)
    counter = ctx.counter()
    prev_day, next_day = neighbour_days(ctx, meeting, meeting.day)
    before = summarise(ctx, counter, prev_day, meeting.day, next_day)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.conflict = None
    meeting.updated_at = now
    session.flush()
    append_event(
        session,
        EventKind.MEETING_CANCELLED,
        MeetingCancelled(
            meeting_id=meeting.id,
            collaboration_id=meeting.collaboration_id,
            day=meeting.day.isoformat(),
            sequence=meeting.sequence,
        ),
        now,
    )
    after = summarise(ctx, counter, prev_day, None, next_day)
    fill: list[Alternative] = []
    if after.status is not DriftStatus.ON_TRACK:
        first, last = window(ctx, meeting.day, prev_day, next_day, today)
        fill = rank_days(ctx, now, prev_day, next_day, first, last, current=meeting.day, limit=3)
    return ChangeResult(meeting, before, after, fill)
