"""Drift for every collaboration in one query; follow-ups for held meetings (DESIGN §6)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, text, type_coerce
from sqlalchemy.orm import Session

from planner.calendar_nl import REGIONS
from planner.database import UTCDateTime
from planner.domain.availability import OrgCalendar, Period, shared_holiday_days
from planner.domain.drift import DriftStatus, drift_status
from planner.domain.gaps import GapCounter, Rhythm
from planner.domain.kinds import MeetingStatus, Severity
from planner.events import (
    EventKind,
    FollowupProposed,
    MeetingRef,
    append_event,
)
from planner.models import Collaboration, CollaborationMember, Meeting, Organisation
from planner.services.alternatives import Alternative, rank_days
from planner.services.collaborations import get_collaboration
from planner.services.plan_context import ACTIVE, load_context
from planner.services.school_calendar import effective_school_holidays

# How far ahead a fill-in date is looked for when no next meeting is planned.
FILL_IN_LOOKAHEAD_GAPS = 2


@dataclass(slots=True)
class DriftRow:
    """One collaboration's rhythm now."""

    collaboration_id: int
    name: str
    rhythm: Rhythm
    last_start: datetime | None
    next_start: datetime | None
    last_day: date | None
    next_day: date | None
    gap_days: int | None  # counted days from the last to the next meeting (or to today)
    calendar_days: int | None
    status: DriftStatus
    fill_in: Alternative | None = None
    # The holiday regions whose shared holiday weeks the gap leaves out (none: all count).
    regions: frozenset[str] = frozenset()


def drift_query(now: datetime, collaboration_ids: Iterable[int] | None = None):  # type: ignore[no-untyped-def]
    """Return the one query that gives every collaboration its last and next meeting.

    Each is a correlated lookup on the (collaboration_id, starts_at) index that stops at the
    first row it needs, so the cost grows with collaborations, not with meetings.
    """
    # A meeting lasts at most 600 minutes (a check constraint): this bounds the index ranges.
    longest = timedelta(minutes=600)
    last_held = (
        select(Meeting.starts_at)
        .where(
            Meeting.collaboration_id == Collaboration.id,
            Meeting.status.in_(ACTIVE),
            Meeting.starts_at <= now,
            Meeting.ends_at <= now,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    next_planned = (
        select(Meeting.starts_at)
        .where(
            Meeting.collaboration_id == Collaboration.id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > now - longest,
            Meeting.ends_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
        .scalar_subquery()
    )
    region_flags = [
        exists()
        .where(
            CollaborationMember.collaboration_id == Collaboration.id,
            CollaborationMember.organisation_id == Organisation.id,
            Organisation.region == region,
        )
        .label(region)
        for region in REGIONS
    ]
    query = select(
        Collaboration.id,
        Collaboration.name,
        Collaboration.target_weeks,
        Collaboration.max_gap_weeks,
        Collaboration.count_holidays,
        Collaboration.timezone,
        type_coerce(last_held, UTCDateTime()),
        type_coerce(next_planned, UTCDateTime()),
        *region_flags,
    ).order_by(Collaboration.id)
    if collaboration_ids is not None:
        query = query.where(Collaboration.id.in_(list(collaboration_ids)))
    return query


class SharedHolidays:
    """Shared school holiday weeks per set of regions, computed once per set."""

    def __init__(self, session: Session, first: date, last: date) -> None:
        self.first = first
        self.last = last
        self._holidays = effective_school_holidays(session)
        self._counters: dict[frozenset[str], GapCounter] = {}

    def counter(self, regions: frozenset[str]) -> GapCounter:
        """Return a gap counter leaving out the weeks every region has a school holiday."""
        if regions not in self._counters:
            calendars = [
                OrgCalendar(
                    0,
                    region,
                    tuple(
                        Period(h.first_day, h.last_day, "school_holiday", h.name, Severity.HARD, "")
                        for h in self._holidays
                        if h.region == region
                        and h.last_day >= self.first
                        and h.first_day <= self.last
                    ),
                )
                for region in sorted(regions)
            ]
            uncounted = shared_holiday_days(calendars, self.first, self.last)
            self._counters[regions] = GapCounter(uncounted, self.first, self.last)
        return self._counters[regions]


def drift_report(
    session: Session,
    now: datetime,
    *,
    collaboration_ids: Iterable[int] | None = None,
    fill_in: bool = True,
    locale: str = "nl",
) -> list[DriftRow]:
    """Return every collaboration's drift; with `fill_in`, the best date to fill each gap."""
    if session.get_bind().dialect.name == "postgresql":
        # The planner's cost estimate for 50,000 index lookups crosses the JIT threshold, and
        # compiling takes longer than the query itself: switch JIT off for this transaction.
        session.execute(text("SET LOCAL jit = off"))
    rows = list(session.execute(drift_query(now, collaboration_ids)).all())
    rows.sort(key=lambda row: (row[1], row[0]))
    zones: dict[str, tuple[ZoneInfo, date]] = {}
    local_rows = []
    first = last = now.date()
    for row in rows:
        if row[5] not in zones:
            zone = ZoneInfo(row[5])
            zones[row[5]] = (zone, now.astimezone(zone).date())
        zone = zones[row[5]][0]
        last_day = row[6].astimezone(zone).date() if row[6] else None
        next_day = row[7].astimezone(zone).date() if row[7] else None
        if last_day is not None and last_day < first:
            first = last_day
        if next_day is not None and next_day > last:
            last = next_day
        local_rows.append((row, last_day, next_day))
    holidays = SharedHolidays(session, first - timedelta(days=7), last + timedelta(days=7))
    rhythms: dict[tuple[int, int], Rhythm] = {}
    region_sets: dict[tuple[bool, ...], frozenset[str]] = {}
    result = []
    for row, last_day, next_day in local_rows:
        rhythm = rhythms.get((row[2], row[3])) or rhythms.setdefault(
            (row[2], row[3]), Rhythm(row[2] * 7, row[3] * 7)
        )
        flags = (False, False, False) if row[4] else tuple(row[8:11])
        regions = region_sets.get(flags)
        if regions is None:
            regions = frozenset(r for r, flag in zip(REGIONS, flags, strict=True) if flag)
            region_sets[flags] = regions
        local_today = zones[row[5]][1]
        start = last_day or local_today
        end = next_day or local_today
        gap = holidays.counter(regions).counted(start, end) if end >= start else 0
        result.append(
            DriftRow(
                row[0],
                row[1],
                rhythm,
                row[6],
                row[7],
                last_day,
                next_day,
                gap,
                (end - start).days,
                drift_status(gap if next_day else None, rhythm),
                regions=regions,
            )
        )
    if fill_in:
        for item in result:
            if item.status is DriftStatus.ON_TRACK:
                continue
            proposal = best_fill_in(session, item, now, locale=locale)
            item.fill_in = proposal
    return result


def best_fill_in(
    session: Session,
    row: DriftRow,
    now: datetime,
    *,
    locale: str = "nl",
) -> Alternative | None:
    """Return the best day between the last and the next meeting (or after the last)."""
    collab = get_collaboration(session, row.collaboration_id)
    return fill_in_between(session, collab, row.rhythm, row.last_day, row.next_day, now, locale)


def fill_in_between(
    session: Session,
    collab: Collaboration,
    rhythm: Rhythm,
    last_day: date | None,
    next_day: date | None,
    now: datetime,
    locale: str = "nl",
) -> Alternative | None:
    """Return the best day from tomorrow after `last_day` to before `next_day` (or some gaps on)."""
    zone = ZoneInfo(collab.timezone)
    today = now.astimezone(zone).date()
    span = timedelta(days=rhythm.max_gap_days * FILL_IN_LOOKAHEAD_GAPS)
    first = max(today, last_day + timedelta(days=1)) if last_day else today
    last = next_day - timedelta(days=1) if next_day else max(first, today) + span
    if last < first:
        return None
    ctx = load_context(
        session, collab, min(last_day or first, first), last + timedelta(days=1), locale, now=now
    )
    found = rank_days(ctx, now, last_day, next_day, first, last, limit=1)
    return found[0] if found else None


@dataclass(frozen=True)
class FollowUp:
    """A meeting that has been held, and the proposal for the next one when none is planned."""

    meeting: Meeting
    proposal: Alternative | None
    next_planned: bool


def settle_held_meetings(session: Session, now: datetime, *, locale: str = "nl") -> list[FollowUp]:
    """Mark confirmed meetings whose end has passed as held; propose a follow-up where needed.

    Each meeting turns held once, so each follow-up proposal is made (and announced) once.
    """
    ended = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.CONFIRMED, Meeting.ends_at <= now)
            .order_by(Meeting.collaboration_id, Meeting.starts_at)
        )
    )
    latest: dict[int, Meeting] = {}
    for meeting in ended:
        meeting.status = MeetingStatus.HELD
        meeting.updated_at = now
        latest[meeting.collaboration_id] = meeting
        append_event(
            session, EventKind.MEETING_HELD, MeetingRef(meeting.id, meeting.collaboration_id), now
        )
    session.flush()
    result: list[FollowUp] = []
    if not latest:
        return result
    rows = {
        row.collaboration_id: row
        for row in drift_report(
            session, now, collaboration_ids=list(latest), fill_in=False, locale=locale
        )
    }
    for collab_id, meeting in latest.items():
        row = rows[collab_id]
        if row.next_day is not None:
            result.append(FollowUp(meeting, None, True))
            continue
        proposal = best_fill_in(session, row, now, locale=locale)
        append_event(
            session,
            EventKind.FOLLOWUP_PROPOSED,
            FollowupProposed(
                collaboration_id=collab_id,
                after_meeting_id=meeting.id,
                proposed_day=proposal.day.isoformat() if proposal else None,
                proposed_start=proposal.starts_at.isoformat() if proposal else None,
            ),
            now,
        )
        result.append(FollowUp(meeting, proposal, False))
    return result


def drift_of(
    session: Session, collaboration_id: int, now: datetime, locale: str = "nl"
) -> DriftRow:
    """Return one collaboration's drift with its fill-in proposal."""
    get_collaboration(session, collaboration_id)
    return drift_report(session, now, collaboration_ids=[collaboration_id], locale=locale)[0]


def statuses(rows: Sequence[DriftRow]) -> dict[str, int]:
    """Count collaborations per status."""
    counts = {status.value: 0 for status in DriftStatus}
    for row in rows:
        counts[row.status.value] += 1
    return counts
