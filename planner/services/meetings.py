"""Change one meeting: alternatives, move, cancel, and what each does to the drift."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus
from planner.domain.kinds import MeetingStatus
from planner.domain.slots import localise
from planner.errors import N_, ConflictError, NotFoundError, ValidationError
from planner.events import (
    EventKind,
    MeetingCancelled,
    MeetingMoved,
    MeetingsMoved,
    append_event,
)
from planner.inputs import parse_id
from planner.models import Meeting
from planner.services.alternatives import (
    Alternative,
    GapSummary,
    meeting_context,
    neighbour_days,
    rank_days,
    summarise,
    window,
)
from planner.services.memberships import shown_reasons
from planner.services.plan_context import (
    ACTIVE,
    PlanContext,
    allowed_weekdays,
    check_notice,
    day_refused,
    find_candidates,
    zone_of,
)
from planner.text.formatting import format_day


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
    short_notice: bool = False,
    note: str | None = None,
) -> ChangeResult:
    """Move a meeting to another day (and optionally time); SEQUENCE goes up by one. `note`
    is what the coordinator tells the invitees (it goes into the update mail).

    A day inside the minimum notice is refused (ShortNotice) unless `short_notice` says the
    coordinator means it; the invitations then say it is at short notice.
    `announce=False` leaves the event to the caller (move_meetings announces a batch at once).
    """
    _require_changeable(meeting, now)
    note = change_note(note)
    _check_target(meeting, day, at, now, locale)
    ctx, _ = meeting_context(session, meeting, now, locale, None)
    collab = ctx.collab
    counter = ctx.counter()
    before = summarise(ctx, counter, *_around(ctx, meeting, meeting.day))
    taken = {m.day for m in ctx.meetings if m.id != meeting.id}
    if day in taken:
        raise ValidationError(
            N_("%(day)s already has a meeting of this collaboration."),
            day=format_day(day, locale),
        )
    short = check_notice(ctx, [day], now, short_notice=short_notice)
    duration = meeting.ends_at - meeting.starts_at
    start = _start_on(ctx, day, now, at, taken, locale)
    old = {"day": meeting.day.isoformat(), "starts_at": meeting.starts_at.isoformat()}
    meeting.day = day
    meeting.short_notice = short
    meeting.starts_at = start
    meeting.ends_at = start + duration
    meeting.sequence += 1
    meeting.conflict = None
    meeting.updated_at = now
    session.flush()
    if announce:
        _announce_move(session, meeting, collab.id, old, now, note)
    after = summarise(ctx, counter, *_around(ctx, meeting, day))
    return ChangeResult(meeting, before, after, [])


def _announce_move(
    session: Session,
    meeting: Meeting,
    collab_id: int,
    old: dict[str, str],
    now: datetime,
    note: str | None,
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
            note=note,
        ),
        now,
    )


# A coordinator's note to the invitees stays a note, not a letter.
NOTE_LENGTH = 500


def change_note(note: str | None) -> str | None:
    """The coordinator's note for a move or a cancellation, cleaned (None when empty)."""
    if note is None:
        return None
    text = " ".join(str(note).split())
    if len(text) > NOTE_LENGTH:
        raise ValidationError(
            N_("The note is too long: at most %(num)d characters."), num=NOTE_LENGTH
        )
    return text or None


def conflict_reason(meeting: Meeting) -> str | None:
    """Why a flagged meeting has to move, in the words of the scan ('Toetsweek — Groenendaal
    Lyceum'), for the update mail."""
    reasons = [r for r in (meeting.conflict or {}).get("reasons") or [] if r.get("label")]
    return "; ".join(shown_reasons(meeting.collaboration, reasons)) or None


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
    reasons = []
    for meeting, day, at in moves:
        befores.append({"day": meeting.day.isoformat(), "starts_at": meeting.starts_at.isoformat()})
        reasons.append(conflict_reason(meeting))
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
                    "reason": reason,
                }
                for result, before, reason in zip(results, befores, reasons, strict=True)
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
    candidates = find_candidates(ctx, day, day, now, taken=taken, notice=False)
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
    session: Session,
    meeting: Meeting,
    now: datetime,
    *,
    locale: str = "nl",
    note: str | None = None,
) -> ChangeResult:
    """Cancel a meeting (it stays, as cancelled); propose days to fill the gap it leaves.
    `note` is what the coordinator tells the invitees (it goes into the cancellation)."""
    _require_changeable(meeting, now)
    note = change_note(note)
    ctx, today = meeting_context(session, meeting, now, locale, None)
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
            note=note,
        ),
        now,
    )
    after = summarise(ctx, counter, prev_day, None, next_day)
    fill: list[Alternative] = []
    if after.status is not DriftStatus.ON_TRACK:
        first, last = window(ctx, meeting.day, prev_day, next_day, today)
        fill = rank_days(ctx, now, prev_day, next_day, first, last, current=meeting.day, limit=3)
    return ChangeResult(meeting, before, after, fill)
