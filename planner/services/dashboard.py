"""The coordinator's dashboard: each own collaboration's health, and planning its fill-in date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus
from planner.domain.kinds import MeetingStatus
from planner.errors import N_, ConflictError, ValidationError
from planner.models import Collaboration, Meeting, Person
from planner.services.accounts import coordinated_collaborations
from planner.services.drift import DriftRow, best_fill_in, drift_report
from planner.services.plan_context import zone_of
from planner.services.planning import confirm_plan, preview_plan
from planner.text.formatting import format_day

# Fill-in dates are searched for this many collaborations at most per page view (a platform
# administrator sees every collaboration); the others link to their own page for a proposal.
FILL_IN_LIMIT = 60
# The most urgent first.
URGENCY = {
    DriftStatus.NO_NEXT_MEETING: 0,
    DriftStatus.AT_RISK: 1,
    DriftStatus.ATTENTION: 2,
    DriftStatus.ON_TRACK: 3,
}


@dataclass(frozen=True)
class DashboardRow:
    """One collaboration on the dashboard: its drift and its next meeting."""

    collaboration: Collaboration
    drift: DriftRow
    next_meeting: Meeting | None
    fill_in_searched: bool


def dashboard_rows(
    session: Session,
    person: Person,
    now: datetime,
    *,
    locale: str = "nl",
    fill_in_limit: int = FILL_IN_LIMIT,
) -> list[DashboardRow]:
    """Return the collaborations a person coordinates (all for an admin) with their health,
    the most urgent first, with a fill-in date for those that need one."""
    collabs = {collab.id: collab for collab in coordinated_collaborations(session, person)}
    if not collabs:
        return []
    report = drift_report(
        session, now, collaboration_ids=list(collabs), fill_in=False, locale=locale
    )
    report.sort(key=lambda row: (URGENCY[row.status], row.name.lower(), row.collaboration_id))
    searched: set[int] = set()
    for row in report:
        if row.status is DriftStatus.ON_TRACK or len(searched) >= fill_in_limit:
            continue
        row.fill_in = best_fill_in(session, row, now, locale=locale)
        searched.add(row.collaboration_id)
    upcoming: dict[int, Meeting] = {}
    for meeting in session.scalars(
        select(Meeting)
        .where(
            Meeting.collaboration_id.in_(list(collabs)),
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.ends_at > now,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ):
        upcoming.setdefault(meeting.collaboration_id, meeting)
    return [
        DashboardRow(
            collabs[row.collaboration_id],
            row,
            upcoming.get(row.collaboration_id),
            row.collaboration_id in searched,
        )
        for row in report
    ]


def plan_fill_in(
    session: Session,
    collab: Collaboration,
    day: date,
    at: time,
    now: datetime,
    *,
    locale: str = "nl",
) -> Meeting:
    """Plan and confirm one meeting on a proposed fill-in day, if that day is still right.

    The day must still fill the gap (after the last meeting, before the next one), still be
    free for every member and participant, and still start at `at`; otherwise nothing changes.
    The confirmation appends the usual `meetings.planned` event, so invitations go out.
    """
    zone = zone_of(collab)
    today = now.astimezone(zone).date()
    text = format_day(day, locale)
    if day < today:
        raise ValidationError(N_("%(day)s %(time)s is in the past or does not exist."), day=text,
                              time=at.strftime("%H:%M"))  # fmt: skip
    row = drift_report(session, now, collaboration_ids=[collab.id], fill_in=False, locale=locale)[0]
    if row.status is DriftStatus.ON_TRACK:
        raise ConflictError(
            N_("%(name)s is on track again: no fill-in meeting is needed. Nothing was planned."),
            name=collab.name,
        )
    if (row.last_day is not None and day <= row.last_day) or (
        row.next_day is not None and day >= row.next_day
    ):
        raise ConflictError(
            N_(
                "%(day)s no longer lies between the last and the next meeting. Nothing was "
                "planned; see the new proposal."
            ),
            day=text,
        )
    preview = preview_plan(session, collab, now, first=day, last=day, days=[day], locale=locale)
    new = preview.new_meetings
    if len(new) != 1 or new[0].starts_at.astimezone(zone).time() != at:
        raise ConflictError(
            N_("%(day)s at %(time)s is no longer free. Nothing was planned; see the new proposal."),
            day=text,
            time=at.strftime("%H:%M"),
        )
    return confirm_plan(session, preview, now)[0]
