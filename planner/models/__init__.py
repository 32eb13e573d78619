"""Typed tables, by area. Importing this package registers every table with the metadata."""

from __future__ import annotations

from planner.database import Base
from planner.models.availability import PersonBusy, PersonCalendar, PersonLink
from planner.models.calendar import (
    BusyPeriod,
    CalendarCompletion,
    CalendarSource,
    ClosureDay,
    HolidayOverride,
    Organisation,
    SchoolHolidayRecord,
)
from planner.models.collaborations import (
    Attendance,
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Meeting,
    OrganizerCopy,
    RsvpToken,
    WithdrawnCopy,
)
from planner.models.feeds import Feed, FeedToken
from planner.models.outbox import Event, JobState, Mail
from planner.models.people import OrganisationAdmin, Person
from planner.models.polls import Poll, PollAnswer, PollDate, PollInvitee, PollLink, PollStatus

__all__ = [
    "Attendance",
    "Base",
    "BusyPeriod",
    "CalendarCompletion",
    "CalendarSource",
    "ClosureDay",
    "Collaboration",
    "CollaborationMember",
    "CollaborationPerson",
    "Event",
    "Feed",
    "FeedToken",
    "HolidayOverride",
    "JobState",
    "Mail",
    "Meeting",
    "Organisation",
    "OrganisationAdmin",
    "OrganizerCopy",
    "Person",
    "PersonBusy",
    "PersonCalendar",
    "PersonLink",
    "Poll",
    "PollAnswer",
    "PollDate",
    "PollInvitee",
    "PollLink",
    "PollStatus",
    "RsvpToken",
    "SchoolHolidayRecord",
    "WithdrawnCopy",
]
