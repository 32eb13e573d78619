"""Which planned meetings a calendar change hits: the page, the API and the CLI say so right
away, and the worker flags them and tells their coordinators (services.conflicts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.calendar_nl import closure_day_dates
from planner.domain.kinds import MeetingStatus, Severity
from planner.models import BusyPeriod, CollaborationMember, Meeting, Organisation
from planner.services.school_calendar import closure_kinds

# Closure days are checked this far ahead (they repeat every year).
CLOSURE_LOOKAHEAD = timedelta(days=2 * 366)


def meetings_hit(
    session: Session,
    spans: Iterable[tuple[date, date]],
    now: datetime,
    *,
    organisation: Organisation | None = None,
    region: str | None = None,
) -> list[Meeting]:
    """Confirmed future meetings on a day of any span (inclusive), by start: of the
    collaborations with `organisation` as a member, with a member in `region`, or (neither
    given) of every collaboration."""
    found: dict[int, Meeting] = {}
    for first, last in spans:
        query = (
            select(Meeting)
            .options(selectinload(Meeting.collaboration))
            .where(
                Meeting.status == MeetingStatus.CONFIRMED,
                Meeting.ends_at > now,
                Meeting.day >= first,
                Meeting.day <= last,
            )
        )
        if organisation is not None or region is not None:
            members = select(CollaborationMember.collaboration_id)
            if organisation is not None:
                members = members.where(CollaborationMember.organisation_id == organisation.id)
            else:
                members = members.join(
                    Organisation, Organisation.id == CollaborationMember.organisation_id
                ).where(Organisation.region == region)
            query = query.where(Meeting.collaboration_id.in_(members))
        for meeting in session.scalars(query):
            found[meeting.id] = meeting
    return sorted(found.values(), key=lambda meeting: (meeting.starts_at, meeting.id))


def busy_period_hits(session: Session, period: BusyPeriod, now: datetime) -> list[Meeting]:
    """The meetings a hard busy period falls on (a soft one blocks nothing)."""
    if period.severity is not Severity.HARD:
        return []
    return meetings_hit(
        session,
        [(period.first_on, period.last_on)],
        now,
        organisation=period.organisation,
        region=None if period.organisation else period.region,
    )


def closure_day_hits(session: Session, org: Organisation, now: datetime) -> list[Meeting]:
    """The meetings on one of the school's chosen closure days (the next two years)."""
    first = now.date()
    last = first + CLOSURE_LOOKAHEAD
    years = range(first.year, last.year + 1)
    days = [
        day
        for kind in closure_kinds(org)
        for day in closure_day_dates(kind, years)
        if first <= day <= last
    ]
    return meetings_hit(session, [(day, day) for day in days], now, organisation=org)
