"""The transactional outbox: what happened, as a kind and a typed payload.

A service appends an event in the same transaction as the change it describes; the worker
hands it to the handler registered for its kind (`planner.messaging.registry`). Each kind has
one payload class, stored as JSON; reading a payload back ignores fields it does not know, so
rows written by an older version still dispatch. A kind is either handled or listed in
`RECORD_ONLY` with the reason nothing needs to happen (tests/test_events.py checks both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from sqlalchemy.orm import Session

from planner.models import Event


class EventKind(StrEnum):
    """Every kind of event, by area."""

    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_CHANGED = "organisation.changed"
    ORGANISATION_DELETED = "organisation.deleted"
    PERSON_CREATED = "person.created"
    PERSON_CHANGED = "person.changed"
    ACCOUNT_OPENED = "account.opened"
    PASSWORD_LINK_REQUESTED = "password_link.requested"
    BUSY_PERIOD_CREATED = "busy_period.created"
    BUSY_PERIOD_CHANGED = "busy_period.changed"
    BUSY_PERIOD_DELETED = "busy_period.deleted"
    HOLIDAY_OVERRIDE_SET = "holiday_override.set"
    HOLIDAY_OVERRIDE_DELETED = "holiday_override.deleted"
    CLOSURE_DAYS_CHANGED = "closure_days.changed"
    SCHOOL_HOLIDAYS_IMPORTED = "school_holidays.imported"
    CALENDAR_MARKED_COMPLETE = "calendar.marked_complete"
    CALENDAR_MARK_REMOVED = "calendar.mark_removed"
    CALENDARS_MISSING = "calendars.missing"
    CALENDAR_SYNC_FAILED = "calendar_sync.failed"
    COLLABORATION_CREATED = "collaboration.created"
    COLLABORATION_CHANGED = "collaboration.changed"
    COLLABORATION_DELETED = "collaboration.deleted"
    MEMBERSHIP_ASKED = "membership.asked"
    MEMBERSHIP_ANSWERED = "membership.answered"
    MEETINGS_PLANNED = "meetings.planned"
    MEETING_MOVED = "meeting.moved"
    MEETINGS_MOVED = "meetings.moved"
    MEETING_CANCELLED = "meeting.cancelled"
    MEETING_HELD = "meeting.held"
    MEETING_CONFLICT = "meeting.conflict"
    MEETING_CONFLICT_CLEARED = "meeting.conflict_cleared"
    FOLLOWUP_PROPOSED = "followup.proposed"
    ATTENDANCE_ANSWERED = "attendance.answered"
    ATTENDANCE_ANSWERED_SERIES = "attendance.answered_series"
    REPLY_REFUSED = "reply.refused"
    MAIL_DROPPED = "mail.dropped"
    FEED_TOKEN_CREATED = "feed_token.created"
    FEED_TOKEN_REVOKED = "feed_token.revoked"
    POLL_STARTED = "poll.started"
    POLL_ANSWERED = "poll.answered"
    POLL_REMINDER_DUE = "poll.reminder_due"
    POLL_DEADLINE_PASSED = "poll.deadline_passed"
    POLL_CONFIRMED = "poll.confirmed"
    POLL_CANCELLED = "poll.cancelled"


@dataclass(frozen=True)
class Payload:
    """Base of every payload: plain JSON values only (ids, ISO dates, strings, lists)."""

    def to_json(self) -> dict[str, Any]:
        """The payload as stored in the event row."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored payload; fields it does not know are ignored."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


# --- organisations, people and accounts --------------------------------------------------


@dataclass(frozen=True)
class OrganisationCreated(Payload):
    organisation_id: int


@dataclass(frozen=True)
class OrganisationChanged(Payload):
    organisation_id: int
    fields: list[str]
    region_before: str | None = None


@dataclass(frozen=True)
class OrganisationDeleted(Payload):
    organisation_id: int
    name: str


@dataclass(frozen=True)
class PersonRef(Payload):
    person_id: int


@dataclass(frozen=True)
class AccountOpened(Payload):
    person_id: int
    welcome_mail: bool = True


# --- the school calendar -----------------------------------------------------------------


@dataclass(frozen=True)
class BusyPeriodChange(Payload):
    busy_period_id: int
    organisation_id: int | None
    region: str | None
    first_day: str
    last_day: str
    severity: str
    before: dict[str, Any] | None = None  # busy_period.changed: the dates and severity before


@dataclass(frozen=True)
class HolidayOverrideChange(Payload):
    organisation_id: int
    holiday_override_id: int
    school_year: str
    holiday: str
    official: dict[str, Any] | None = None  # holiday_override.set: the official dates
    first_day: str | None = None  # holiday_override.set: the school's own dates
    last_day: str | None = None


@dataclass(frozen=True)
class ClosureDaysChanged(Payload):
    organisation_id: int
    before: list[str]
    after: list[str]


@dataclass(frozen=True)
class SchoolHolidaysImported(Payload):
    source: str
    changes: list[dict[str, Any]]


# --- collaborations and meetings ---------------------------------------------------------


@dataclass(frozen=True)
class CollaborationRef(Payload):
    collaboration_id: int


@dataclass(frozen=True)
class MembershipRef(Payload):
    """A school was added to a collaboration: its administrators are asked whether the
    collaboration may read its busy periods' notes."""

    collaboration_id: int
    organisation_id: int


@dataclass(frozen=True)
class MembershipAnswered(Payload):
    """A school agreed or declined (`consent`: a MemberConsent value)."""

    collaboration_id: int
    organisation_id: int
    consent: str


@dataclass(frozen=True)
class CollaborationDeleted(Payload):
    """Everything needed to cancel the deleted collaboration's meetings in every calendar."""

    collaboration_id: int
    name: str
    organizer_id: int | None
    meetings: list[dict[str, Any]]  # id, uid, sequence, starts_at, ends_at, timezone, location
    # [person_id, meeting_id, sequence_offset] of every invitation sent (older events: pairs)
    invited: list[list[int]]
    # [person_id, meeting_id, sequence] of every organizer's copy in a calendar
    organizer_copies: list[list[int]] = field(default_factory=list)


@dataclass(frozen=True)
class CalendarMark(Payload):
    """A school administrator said the school's calendar of a school year is complete (or took
    that back)."""

    organisation_id: int
    school_year: str
    person_id: int | None


@dataclass(frozen=True)
class CalendarsMissing(Payload):
    """Meetings were planned in a school year for which member schools had not entered their
    busy periods: their administrators are asked to."""

    collaboration_id: int
    school_year: str
    organisation_ids: list[int]


@dataclass(frozen=True)
class MeetingsPlanned(Payload):
    collaboration_id: int
    plan_key: str
    meeting_ids: list[int]
    days: list[str]


@dataclass(frozen=True)
class MeetingMoved(Payload):
    meeting_id: int
    collaboration_id: int
    before: dict[str, str]  # day, starts_at
    after: dict[str, str]
    sequence: int
    note: str | None = None  # what the coordinator wrote to the invitees
    reason: str | None = None  # why it moved, when the planner knows (a school's test week)


@dataclass(frozen=True)
class MeetingsMoved(Payload):
    """One re-planning of several meetings: each partner gets one mail for all of it."""

    collaboration_id: int
    meeting_ids: list[int]
    moves: list[dict[str, Any]]  # meeting_id, before, after, sequence, reason


@dataclass(frozen=True)
class MeetingCancelled(Payload):
    meeting_id: int
    collaboration_id: int
    day: str
    sequence: int
    note: str | None = None  # what the coordinator wrote to the invitees


@dataclass(frozen=True)
class MeetingRef(Payload):
    meeting_id: int
    collaboration_id: int


@dataclass(frozen=True)
class MeetingConflict(Payload):
    meeting_id: int
    collaboration_id: int
    reasons: list[dict[str, Any]]
    proposed_day: str | None = None
    proposed_start: str | None = None


@dataclass(frozen=True)
class FollowupProposed(Payload):
    collaboration_id: int
    after_meeting_id: int
    proposed_day: str | None = None
    proposed_start: str | None = None


@dataclass(frozen=True)
class AttendanceAnswered(Payload):
    meeting_id: int
    collaboration_id: int
    person_id: int
    status: str
    previous: str
    via: str


@dataclass(frozen=True)
class SeriesAnswered(Payload):
    """One answer for every coming meeting of a collaboration a person was invited to."""

    collaboration_id: int
    person_id: int
    status: str
    meeting_ids: list[int]
    via: str


@dataclass(frozen=True)
class ReplyRefused(Payload):
    """A mailed calendar answer the planner could not take, with the reason (an English msgid
    and its parameters, said in each reader's language)."""

    sender: str
    message: str
    params: dict[str, Any]
    collaboration_id: int | None = None
    meeting_id: int | None = None


@dataclass(frozen=True)
class MailDropped(Payload):
    """An invitation was out of date when it was to be sent (the meeting moved or was
    cancelled, the person left…): the worker makes sure the right one is queued instead."""

    mail_id: int
    meeting_id: int
    collaboration_id: int
    person_id: int | None
    reason: str  # planner.domain.stale_mail.DropReason


# --- feeds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedTokenChange(Payload):
    token_id: int
    feed_id: int
    scope: str | None = None


@dataclass(frozen=True)
class CalendarSyncFailed(Payload):
    """A linked calendar could not be fetched or read (first failure after a success)."""

    calendar_source_id: int
    organisation_id: int
    failing_since: str  # ISO instant


# --- series polls ------------------------------------------------------------------------


@dataclass(frozen=True)
class PollRef(Payload):
    """A poll started, was confirmed or cancelled, its reminder or its deadline is due."""

    poll_id: int
    collaboration_id: int


@dataclass(frozen=True)
class PollAnswered(Payload):
    """A person marked dates of a poll (`late`: after the confirmation, not applied)."""

    poll_id: int
    collaboration_id: int
    person_id: int
    days: list[str]
    late: bool = False


PAYLOADS: dict[EventKind, type[Payload]] = {
    EventKind.CALENDAR_SYNC_FAILED: CalendarSyncFailed,
    EventKind.ORGANISATION_CREATED: OrganisationCreated,
    EventKind.ORGANISATION_CHANGED: OrganisationChanged,
    EventKind.ORGANISATION_DELETED: OrganisationDeleted,
    EventKind.PERSON_CREATED: PersonRef,
    EventKind.PERSON_CHANGED: PersonRef,
    EventKind.ACCOUNT_OPENED: AccountOpened,
    EventKind.PASSWORD_LINK_REQUESTED: PersonRef,
    EventKind.BUSY_PERIOD_CREATED: BusyPeriodChange,
    EventKind.BUSY_PERIOD_CHANGED: BusyPeriodChange,
    EventKind.BUSY_PERIOD_DELETED: BusyPeriodChange,
    EventKind.HOLIDAY_OVERRIDE_SET: HolidayOverrideChange,
    EventKind.HOLIDAY_OVERRIDE_DELETED: HolidayOverrideChange,
    EventKind.CLOSURE_DAYS_CHANGED: ClosureDaysChanged,
    EventKind.SCHOOL_HOLIDAYS_IMPORTED: SchoolHolidaysImported,
    EventKind.COLLABORATION_CREATED: CollaborationRef,
    EventKind.COLLABORATION_CHANGED: CollaborationRef,
    EventKind.COLLABORATION_DELETED: CollaborationDeleted,
    EventKind.CALENDAR_MARKED_COMPLETE: CalendarMark,
    EventKind.CALENDAR_MARK_REMOVED: CalendarMark,
    EventKind.CALENDARS_MISSING: CalendarsMissing,
    EventKind.MEMBERSHIP_ASKED: MembershipRef,
    EventKind.MEMBERSHIP_ANSWERED: MembershipAnswered,
    EventKind.MEETINGS_PLANNED: MeetingsPlanned,
    EventKind.MEETING_MOVED: MeetingMoved,
    EventKind.MEETINGS_MOVED: MeetingsMoved,
    EventKind.MEETING_CANCELLED: MeetingCancelled,
    EventKind.MEETING_HELD: MeetingRef,
    EventKind.MEETING_CONFLICT: MeetingConflict,
    EventKind.MEETING_CONFLICT_CLEARED: MeetingRef,
    EventKind.FOLLOWUP_PROPOSED: FollowupProposed,
    EventKind.ATTENDANCE_ANSWERED: AttendanceAnswered,
    EventKind.ATTENDANCE_ANSWERED_SERIES: SeriesAnswered,
    EventKind.REPLY_REFUSED: ReplyRefused,
    EventKind.MAIL_DROPPED: MailDropped,
    EventKind.FEED_TOKEN_CREATED: FeedTokenChange,
    EventKind.FEED_TOKEN_REVOKED: FeedTokenChange,
    EventKind.POLL_STARTED: PollRef,
    EventKind.POLL_ANSWERED: PollAnswered,
    EventKind.POLL_REMINDER_DUE: PollRef,
    EventKind.POLL_DEADLINE_PASSED: PollRef,
    EventKind.POLL_CONFIRMED: PollRef,
    EventKind.POLL_CANCELLED: PollRef,
}

# Kinds the worker has nothing to do for, and why: they are kept as the record of what happened.
RECORD_ONLY: dict[EventKind, str] = {
    EventKind.REPLY_REFUSED: (
        "the record is what counts: the coordinator reads it in the weekly digest, the"
        " platform administrator in the queue page"
    ),
    EventKind.ORGANISATION_CREATED: "a new organisation is in no collaboration yet",
    EventKind.ORGANISATION_DELETED: (
        "only an organisation that is in no collaboration can be deleted: no meeting or"
        " coordinator depends on it"
    ),
    EventKind.PERSON_CREATED: "people are invited when they join a collaboration",
    EventKind.PERSON_CHANGED: (
        "the next mail uses the new name, address or language; calendars keep the invitation"
    ),
    EventKind.COLLABORATION_CREATED: "it has no meetings yet; invitations follow the plan",
    EventKind.MEETING_CONFLICT_CLEARED: (
        "the warning goes from the pages and feeds; nobody needs a mail about a problem that"
        " went away"
    ),
    EventKind.CALENDAR_MARKED_COMPLETE: (
        "a mark only stops the warnings and nudges about the year; it blocks no day"
    ),
    EventKind.CALENDAR_MARK_REMOVED: (
        "the next plan in that year warns again and asks the administrators once"
    ),
    EventKind.FEED_TOKEN_CREATED: "feeds are invalidated in the same commit, not by the worker",
    EventKind.FEED_TOKEN_REVOKED: "feeds are invalidated in the same commit, not by the worker",
    EventKind.POLL_ANSWERED: "the coordinator reads the answers on the poll page, as they come",
    EventKind.POLL_CONFIRMED: (
        "the confirmation's own meetings.planned event sends the invitations; answer pages say"
        " the poll is closed"
    ),
    EventKind.POLL_CANCELLED: "the answer pages say the poll was cancelled; no meeting changed",
}


def append_event(session: Session, kind: EventKind, payload: Payload, now: datetime) -> Event:
    """Append an event row to the outbox; it is committed with the change that caused it."""
    expected = PAYLOADS[kind]
    if type(payload) is not expected:
        raise TypeError(f"{kind} carries {expected.__name__}, not {type(payload).__name__}")
    event = Event(
        kind=kind.value, payload=payload.to_json(), created_at=now, available_at=now, attempts=0
    )
    session.add(event)
    return event


def payload_of(event: Event) -> Payload:
    """The typed payload of a stored event."""
    return PAYLOADS[EventKind(event.kind)].from_json(event.payload or {})
