"""Drift for every collaboration in one query; follow-ups for held meetings (DESIGN §6)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, select, type_coerce
from sqlalchemy.orm import Session

from planner.calendar_nl import REGIONS
from planner.database import UTCDateTime
from planner.domain.availability import OrgCalendar, Period, shared_holiday_days
from planner.domain.drift import DriftStatus, drift_status
from planner.domain.kinds import MeetingStatus, Severity
from planner.domain.planning import GapCounter, Rhythm
from planner.events import append_event
from planner.models import Collaboration, CollaborationMember, Meeting, Organisation
from planner.services.collaborations import get_collaboration
from planner.services.meetings import Alternative, rank_days
from planner.services.planning import ACTIVE, CalendarCache, load_context
from planner.services.school_calendar import effective_school_holidays

# How far ahead a fill-in date is looked for when no next meeting is planned.
FILL_IN_LOOKAHEAD_GAPS = 2


@dataclass(frozen=True)
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


def drift_query(now: datetime, collaboration_ids: Iterable[int] | None = None):  # type: ignore[no-untyped-def]
    """Return the one query that gives every collaboration its last and next meeting."""
    held = and_(Meeting.status.in_(ACTIVE), Meeting.ends_at <= now)
    upcoming = and_(Meeting.status == MeetingStatus.CONFIRMED, Meeting.ends_at > now)
    starts = type_coerce(Meeting.starts_at, UTCDateTime())
    per_collab = (
        select(
            Meeting.collaboration_id.label("collaboration_id"),
            func.max(case((held, starts))).label("last_start"),
            func.min(case((upcoming, starts))).label("next_start"),
        )
        .group_by(Meeting.collaboration_id)
        .subquery()
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
    query = (
        select(
            Collaboration.id,
            Collaboration.name,
            Collaboration.target_weeks,
            Collaboration.max_gap_weeks,
            Collaboration.count_holidays,
            Collaboration.timezone,
            type_coerce(per_collab.c.last_start, UTCDateTime()),
            type_coerce(per_collab.c.next_start, UTCDateTime()),
            *region_flags,
        )
        .outerjoin(per_collab, per_collab.c.collaboration_id == Collaboration.id)
        .order_by(Collaboration.name, Collaboration.id)
    )
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
    rows = session.execute(drift_query(now, collaboration_ids)).all()
    zones: dict[str, ZoneInfo] = {}
    local_rows = []
    for row in rows:
        zone = zones.setdefault(row[5], ZoneInfo(row[5]))
        last_day = row[6].astimezone(zone).date() if row[6] else None
        next_day = row[7].astimezone(zone).date() if row[7] else None
        local_rows.append((row, zone, last_day, next_day))
    today = now.astimezone(zones.get("Europe/Amsterdam") or ZoneInfo("Europe/Amsterdam")).date()
    days = [d for _, _, a, b in local_rows for d in (a, b) if d] + [today]
    holidays = SharedHolidays(session, min(days), max(days) + timedelta(days=1))
    result = []
    for row, zone, last_day, next_day in local_rows:
        rhythm = Rhythm(row[2] * 7, row[3] * 7)
        regions = frozenset(region for region, flag in zip(REGIONS, row[8:], strict=True) if flag)
        local_today = now.astimezone(zone).date()
        counter = holidays.counter(frozenset() if row[4] else regions)
        start = last_day or local_today
        end = next_day or local_today
        gap = counter.counted(start, end) if end >= start else 0
        calendar = (end - start).days
        status = drift_status(gap if next_day else None, rhythm)
        result.append(
            DriftRow(
                collaboration_id=row[0],
                name=row[1],
                rhythm=rhythm,
                last_start=row[6],
                next_start=row[7],
                last_day=last_day,
                next_day=next_day,
                gap_days=gap,
                calendar_days=calendar,
                status=status,
            )
        )
    if fill_in:
        cache: CalendarCache | None = None
        for index, item in enumerate(result):
            if item.status is DriftStatus.ON_TRACK:
                continue
            proposal = best_fill_in(session, item, now, locale=locale, cache=cache)
            result[index] = DriftRow(**{**item.__dict__, "fill_in": proposal})
    return result


def best_fill_in(
    session: Session,
    row: DriftRow,
    now: datetime,
    *,
    locale: str = "nl",
    cache: CalendarCache | None = None,
) -> Alternative | None:
    """Return the best day between the last and the next meeting (or after the last)."""
    collab = get_collaboration(session, row.collaboration_id)
    zone = ZoneInfo(collab.timezone)
    today = now.astimezone(zone).date()
    span = timedelta(days=row.rhythm.max_gap_days * FILL_IN_LOOKAHEAD_GAPS)
    first = max(today, row.last_day + timedelta(days=1)) if row.last_day else today
    last = row.next_day - timedelta(days=1) if row.next_day else max(first, today) + span
    if last < first:
        return None
    ctx = load_context(
        session, collab, min(row.last_day or first, first), last + timedelta(days=1), locale
    )
    found = rank_days(ctx, now, row.last_day, row.next_day, first, last, limit=1)
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
            session,
            "meeting.held",
            {"meeting_id": meeting.id, "collaboration_id": meeting.collaboration_id},
            now,
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
            "followup.proposed",
            {
                "collaboration_id": collab_id,
                "after_meeting_id": meeting.id,
                "proposed_day": proposal.day.isoformat() if proposal else None,
                "proposed_start": proposal.starts_at.isoformat() if proposal else None,
            },
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
