"""React to calendar changes: find future meetings that now fall on a blocked day (DESIGN §5).

Called from the CLI now and from the event worker later, after a busy period is added or
changed or holiday data is imported. Each affected meeting is flagged with the reasons and the
nearest good new date; the flag is cleared when the day is free again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.explain import Obstacle
from planner.domain.kinds import MeetingStatus
from planner.events import (
    EventKind,
    MeetingConflict,
    MeetingRef,
    append_event,
)
from planner.models import Meeting
from planner.services.alternatives import Alternative, neighbour_days, rank_days, window
from planner.services.collaborations import list_collaborations
from planner.services.explanations import obstacle_data
from planner.services.meetings import ChangeResult, apply_conflict_proposals
from planner.services.plan_context import CalendarCache, PlanContext, load_context, zone_of


@dataclass(frozen=True)
class ConflictReport:
    """A future meeting on a day that is now blocked, with the proposed new day."""

    meeting: Meeting
    obstacles: tuple[Obstacle, ...]
    proposal: Alternative | None
    new: bool  # flagged (or changed) by this scan


def scan_conflicts(
    session: Session,
    now: datetime,
    *,
    collaboration_ids: Iterable[int] | None = None,
    locale: str = "nl",
) -> tuple[list[ConflictReport], int]:
    """Flag every future confirmed meeting on a hard-blocked day; return (conflicts, cleared)."""
    query = select(Meeting).where(Meeting.status == MeetingStatus.CONFIRMED, Meeting.ends_at > now)
    if collaboration_ids is not None:
        query = query.where(Meeting.collaboration_id.in_(list(collaboration_ids)))
    future = list(session.scalars(query.order_by(Meeting.collaboration_id, Meeting.starts_at)))
    if not future:
        return [], 0
    by_collab: dict[int, list[Meeting]] = {}
    for meeting in future:
        by_collab.setdefault(meeting.collaboration_id, []).append(meeting)
    collabs = list_collaborations(session, by_collab)
    horizon = max(meeting.day for meeting in future)
    longest = max(collab.max_gap_weeks for collab in collabs) * 7
    first = min(meeting.day for meeting in future) - timedelta(days=longest + 7)
    last = horizon + timedelta(days=2 * longest)
    cache = CalendarCache(first, last)
    cache.fill(session, [m.organisation for c in collabs for m in c.members], locale)
    reports: list[ConflictReport] = []
    cleared = 0
    for collab in collabs:
        hard = [cache.hard_days(member.organisation_id) for member in collab.members]
        hit = [m for m in by_collab[collab.id] if any(m.day in days for days in hard)]
        for meeting in by_collab[collab.id]:
            if meeting.conflict is not None and meeting not in hit:
                meeting.conflict = None
                meeting.updated_at = now
                cleared += 1
                append_event(
                    session,
                    EventKind.MEETING_CONFLICT_CLEARED,
                    MeetingRef(meeting.id, collab.id),
                    now,
                )
        if not hit:
            continue
        # Only a collaboration with a hit needs its full context to propose new dates, and
        # only around the meetings hit: their neighbours lie within a maximum gap or two.
        reach = timedelta(days=collab.max_gap_weeks * 7 * 2)
        ctx = load_context(
            session,
            collab,
            max(first, min(m.day for m in hit) - reach),
            min(last, max(m.day for m in hit) + reach),
            locale,
            cache=cache,
            now=now,
        )
        for meeting in hit:
            obstacles = ctx.hard_obstacles(meeting.day)
            proposal = _proposal(ctx, meeting, now)
            flag = _flag(obstacles, proposal)
            new = meeting.conflict is None or _comparable(meeting.conflict) != _comparable(flag)
            if not new and meeting.conflict is not None and _without_time(meeting.conflict) != flag:
                # The same conflict in other words (a school agreed to show its notes, or
                # took that back): keep it current without telling anyone again.
                meeting.conflict = {**flag, "detected_at": meeting.conflict.get("detected_at")}
            if new:
                meeting.conflict = {**flag, "detected_at": now.isoformat()}
                meeting.updated_at = now
                append_event(
                    session,
                    EventKind.MEETING_CONFLICT,
                    MeetingConflict(meeting_id=meeting.id, collaboration_id=collab.id, **flag),
                    now,
                )
            reports.append(ConflictReport(meeting, obstacles, proposal, new))
    session.flush()
    return reports, cleared


def _proposal(ctx: PlanContext, meeting: Meeting, now: datetime) -> Alternative | None:
    previous, following = neighbour_days(ctx, meeting, meeting.day)
    today = now.astimezone(zone_of(ctx.collab)).date()
    first, last = window(ctx, meeting.day, previous, following, today)
    found = rank_days(ctx, now, previous, following, first, last, current=meeting.day, limit=1)
    return found[0] if found else None


def _flag(obstacles: tuple[Obstacle, ...], proposal: Alternative | None) -> dict[str, Any]:
    return {
        "reasons": [obstacle_data(obstacle) for obstacle in obstacles],
        "proposed_day": proposal.day.isoformat() if proposal else None,
        "proposed_start": proposal.starts_at.isoformat() if proposal else None,
    }


def _without_time(flag: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in flag.items() if key != "detected_at"}


def _comparable(flag: dict[str, Any]) -> dict[str, Any]:
    """A flag without its time and its words: what makes it a new conflict."""
    words = {"label", "withheld"}
    reasons = [
        {key: value for key, value in reason.items() if key not in words}
        for reason in flag.get("reasons", [])
    ]
    return {**_without_time(flag), "reasons": reasons}


def apply_proposals(
    session: Session,
    now: datetime,
    *,
    collaboration_ids: Iterable[int] | None = None,
    locale: str = "nl",
) -> list[ChangeResult]:
    """Scan again, then move every flagged meeting to its proposed day: one re-planning per
    collaboration, so each partner gets one mail for all of its changes. A meeting for which no
    good day was found stays flagged."""
    reports, _ = scan_conflicts(session, now, collaboration_ids=collaboration_ids, locale=locale)
    results: list[ChangeResult] = []
    for collab_id in sorted({report.meeting.collaboration_id for report in reports}):
        results += apply_conflict_proposals(session, collab_id, now, locale=locale)
    return results
