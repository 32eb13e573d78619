"""The data of a collaboration's year picture: every member's blocked and soft days, the
meetings and the gaps above the maximum, for one school year."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.calendar_nl import school_year_bounds
from planner.domain.availability import shared_holiday_days
from planner.domain.kinds import MeetingStatus
from planner.domain.year_grid import (
    MeetingInput,
    YearGrid,
    build_year_grid,
)
from planner.models import Collaboration, Meeting
from planner.services.availability import organisation_calendars
from planner.services.collaborations import member_organisations
from planner.services.memberships import withheld_organisations
from planner.services.plan_context import ACTIVE


def load_year_grid(
    session: Session,
    collab: Collaboration,
    school_year: str,
    locale: str = "nl",
    *,
    proposed: Sequence[date] | None = None,
) -> YearGrid:
    """Gather the members' calendars and the meetings of one school year into a grid.

    With `proposed` (the new days of a plan preview) the picture is of the plan: the stored
    meetings that stay, and the new ones marked as new; cancelled meetings are left out."""
    first, last = school_year_bounds(school_year)
    before = session.scalar(
        select(Meeting)
        .where(
            Meeting.collaboration_id == collab.id,
            Meeting.status.in_(ACTIVE),
            Meeting.day < first,
        )
        .order_by(Meeting.day.desc(), Meeting.id.desc())
        .limit(1)
    )
    after = session.scalar(
        select(Meeting)
        .where(
            Meeting.collaboration_id == collab.id,
            Meeting.status.in_(ACTIVE),
            Meeting.day > last,
        )
        .order_by(Meeting.day, Meeting.id)
        .limit(1)
    )
    inside = list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.collaboration_id == collab.id,
                Meeting.day >= first,
                Meeting.day <= last,
            )
            .order_by(Meeting.day, Meeting.id)
        )
    )
    if proposed is not None:
        inside = [m for m in inside if m.status in ACTIVE]
    meetings = [m for m in (before, *inside, after) if m is not None]
    # Gaps at the edges count holiday weeks outside the school year too: load what they span.
    reach_first = min([before.day if before else first, *(proposed or ())])
    reach_last = max([after.day if after else last, *(proposed or ())])
    members = member_organisations(collab)
    calendars = organisation_calendars(
        session,
        members,
        reach_first,
        reach_last,
        locale,
        withheld=withheld_organisations(collab),
    )
    schools = [cal for org, cal in zip(members, calendars, strict=True) if org.region]
    uncounted = (
        frozenset()
        if collab.count_holidays
        else shared_holiday_days(schools, reach_first, reach_last)
    )
    inputs = [MeetingInput(m.id, m.day, m.status, m.conflict is not None) for m in meetings]
    inputs += [
        MeetingInput(-number, day, MeetingStatus.CONFIRMED, new=True)
        for number, day in enumerate(proposed or (), 1)
    ]
    return build_year_grid(
        first,
        last,
        calendars,
        inputs,
        collab.max_gap_weeks,
        uncounted,
        open_until=last,
    )
