"""Whether a queued mail still says what is true: the rules of the send-time check.

A mail is composed when an event is handled and sent later, perhaps much later (the mail server
was down, the recipient's server deferred it). What it says about meetings is recorded with it
when it is composed (`MailBasis`: which meetings, the SEQUENCE and start it describes, whom a
notice is about). Just before sending, the worker compares that with the database
(`Facts`, gathered by planner.services.stale_mail) and `stale_reason` says whether the mail is
out of date, and why. A stale mail is dropped: not sent, not retried.

The rules, per kind of mail:

- An invitation (iTIP REQUEST, a partner's or the organizer's own copy) is stale when its
  meeting is gone, cancelled, over, moved (the meeting's SEQUENCE went up) or has a newer copy
  for the person (a higher SEQUENCE was queued: a return after a removal), or when the person is
  no longer invited (or no longer organises it). The mail that replaces it (an update, a
  CANCEL) is queued by the change itself; the worker makes sure of it (event `mail.dropped`).
  An older REQUEST arriving after a newer one is ignored by Outlook, Gmail and Apple Calendar
  by its SEQUENCE (RFC 5546 §2.1.5), but it still shows up in the inbox with the old date:
  there is no reason to send it.
- A CANCEL is never dropped in favour of nothing: only when a newer REQUEST of the same object
  to the same person waits or went out (she was invited again after a removal).
- The overview of a batch of invitations lists dates with answer links: it is stale when any
  of its meetings' invitations is. The overview of a batch of CANCELs never is.
- A reminder is about one start: stale when the meeting is gone, cancelled, moved (the start
  differs: the reminders job sends one for the new start when it is due), has begun, or the
  person is no longer invited or declined meanwhile.
- A coordinator's notice that someone declined is stale when that answer no longer stands for
  any of its meetings (gone, cancelled, over, moved, the person left or answered otherwise).
- A notice that a calendar change hits a meeting is stale when the meeting is gone, cancelled,
  over, moved, or no longer hit.
- A nudge to fill in a school's calendar is stale once the school has filled it in.

Mails without a basis (digests, drift notices, password links) depend on no meeting and are
never checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from planner.domain.kinds import AttendanceStatus, MeetingStatus


class Says(StrEnum):
    """What a mail is, as far as the send-time check is concerned."""

    REQUEST = "request"  # a partner's invitation or update of one meeting (iTIP REQUEST)
    CANCEL = "cancel"  # a partner's CANCEL of one meeting (cancelled, removed, deleted)
    OVERVIEW = "overview"  # the overview of a batch of REQUESTs
    OVERVIEW_CANCEL = "overview_cancel"  # the overview of a batch of CANCELs
    COPY_REQUEST = "copy_request"  # the organizer's own copy of one meeting (REQUEST)
    COPY_CANCEL = "copy_cancel"  # her copy taken out (CANCEL)
    REMINDER = "reminder"
    DECLINED = "declined"  # a coordinator is told someone declined (one meeting or a series)
    CONFLICT = "conflict"  # a coordinator is told a calendar change hits a meeting
    CALENDAR_NUDGE = "calendar_nudge"  # a school administrator is asked to fill in a year


class DropReason(StrEnum):
    """Why a mail was dropped at send time (stored in `mail.dropped_reason`)."""

    GONE = "gone"  # the meeting no longer exists
    CANCELLED = "cancelled"
    MOVED = "moved"  # the meeting is at another time now
    SUPERSEDED = "superseded"  # a newer mail about the meeting replaces it
    PAST = "past"  # the meeting has begun or is over
    NOT_INVITED = "not_invited"  # the person is no longer invited
    NOT_ORGANIZER = "not_organizer"  # the person no longer organises the meeting
    DECLINED = "declined"  # the person declined meanwhile (a reminder)
    ANSWER_CHANGED = "answer_changed"  # the answer a notice reports no longer stands
    RESOLVED = "resolved"  # the calendar change no longer hits the meeting
    CALENDAR_FILLED = "calendar_filled"  # the school filled in its calendar meanwhile


# The drops after which the person might be left without the right invitation: the worker
# makes sure the current one is queued (an idempotent pass over the meeting's invitations).
REPLACEABLE = frozenset(
    {
        DropReason.CANCELLED,
        DropReason.MOVED,
        DropReason.SUPERSEDED,
        DropReason.NOT_INVITED,
        DropReason.NOT_ORGANIZER,
    }
)


@dataclass(frozen=True)
class Version:
    """One meeting as a mail describes it."""

    meeting_id: int
    sequence: int  # the meeting's SEQUENCE
    starts_at: datetime
    copy: int | None = None  # the SEQUENCE of the recipient's iTIP object (her copy)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.meeting_id,
            "sequence": self.sequence,
            "starts_at": self.starts_at.isoformat(),
            "copy": self.copy,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        copy = data.get("copy")
        return cls(
            int(data["id"]),
            int(data["sequence"]),
            datetime.fromisoformat(str(data["starts_at"])),
            None if copy is None else int(copy),
        )


@dataclass(frozen=True)
class MailBasis:
    """What a mail says, recorded when it is composed (`mail.basis`)."""

    says: Says
    meetings: tuple[Version, ...] = ()
    about: int | None = None  # the person a notice is about (who declined)
    organisation: int | None = None  # a calendar nudge: the school
    school_year: str | None = None  # … and the school year

    @property
    def meeting_id(self) -> int | None:
        """The one meeting of a mail about one meeting (`mail.meeting_id`)."""
        return self.meetings[0].meeting_id if len(self.meetings) == 1 else None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "says": self.says.value,
            "meetings": [version.to_json() for version in self.meetings],
        }
        for key in ("about", "organisation", "school_year"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            Says(data["says"]),
            tuple(Version.from_json(item) for item in data.get("meetings") or ()),
            data.get("about"),
            data.get("organisation"),
            data.get("school_year"),
        )


@dataclass(frozen=True)
class MeetingNow:
    """A meeting as the database has it now."""

    status: MeetingStatus
    sequence: int
    starts_at: datetime
    ends_at: datetime
    conflict: bool = False  # a calendar change hits it


@dataclass(frozen=True)
class PersonNow:
    """A person toward one meeting, now."""

    invited: bool = False  # an invitee of the meeting's collaboration
    organizes: bool = False  # its organizing coordinator
    # The SEQUENCE her copy would carry now (meeting + offset); None: no attendance row.
    sequence: int | None = None
    answer: AttendanceStatus | None = None
    copy_sequence: int | None = None  # her organizer's copy, if she has one
    copy_withdrawn: bool = False


@dataclass(frozen=True)
class Facts:
    """What the send-time check knows: the meetings of the mail (missing: gone), the recipient
    and the person a notice is about, per meeting."""

    meetings: Mapping[int, MeetingNow] = field(default_factory=dict)
    recipient: Mapping[int, PersonNow] = field(default_factory=dict)
    about: Mapping[int, PersonNow] = field(default_factory=dict)
    # A newer REQUEST of the same object to the same person waits or went (for a CANCEL).
    newer_request: bool = False
    calendar_complete: bool = False


def stale_reason(basis: MailBasis, facts: Facts, now: datetime) -> DropReason | None:
    """Why the mail no longer says what is true (None: send it)."""
    says = basis.says
    if says in (Says.CANCEL, Says.COPY_CANCEL):
        return DropReason.SUPERSEDED if facts.newer_request else None
    if says is Says.OVERVIEW_CANCEL:
        return None
    if says is Says.CALENDAR_NUDGE:
        return DropReason.CALENDAR_FILLED if facts.calendar_complete else None
    reasons = [_reason(says, version, facts, now) for version in basis.meetings]
    if not reasons:
        return None
    if says is Says.DECLINED:
        # Still worth telling while the answer stands for any of its meetings.
        return reasons[0] if all(reasons) else None
    return next((reason for reason in reasons if reason is not None), None)


def _reason(says: Says, version: Version, facts: Facts, now: datetime) -> DropReason | None:
    meeting = facts.meetings.get(version.meeting_id)
    if meeting is None:
        return DropReason.GONE
    if meeting.status is MeetingStatus.CANCELLED:
        return DropReason.CANCELLED
    if says in (Says.REQUEST, Says.OVERVIEW, Says.COPY_REQUEST):
        person = facts.recipient.get(version.meeting_id, PersonNow())
        return _invitation(says, version, meeting, person, now)
    if says is Says.REMINDER:
        person = facts.recipient.get(version.meeting_id, PersonNow())
        return _reminder(version, meeting, person, now)
    if meeting.ends_at <= now:
        return DropReason.PAST
    if meeting.starts_at != version.starts_at:
        return DropReason.MOVED
    if says is Says.DECLINED:
        person = facts.about.get(version.meeting_id, PersonNow())
        if not person.invited:
            return DropReason.NOT_INVITED
        if person.answer is not AttendanceStatus.DECLINED:
            return DropReason.ANSWER_CHANGED
        return None
    if says is Says.CONFLICT and not meeting.conflict:
        return DropReason.RESOLVED
    return None


def _invitation(
    says: Says, version: Version, meeting: MeetingNow, person: PersonNow, now: datetime
) -> DropReason | None:
    if meeting.ends_at <= now:
        return DropReason.PAST
    if says is Says.COPY_REQUEST:
        if not person.organizes:
            return DropReason.NOT_ORGANIZER
    elif not person.invited:
        return DropReason.NOT_INVITED
    if meeting.sequence > version.sequence:
        return DropReason.MOVED if meeting.starts_at != version.starts_at else DropReason.SUPERSEDED
    if says is Says.COPY_REQUEST:
        newer = person.copy_withdrawn or (
            person.copy_sequence is not None
            and version.copy is not None
            and person.copy_sequence > version.copy
        )
    else:
        # No attendance row while invited: she was removed and is back, and her return is
        # invited above the CANCEL she got.
        newer = person.sequence is None or (
            version.copy is not None and person.sequence > version.copy
        )
    return DropReason.SUPERSEDED if newer else None


def _reminder(
    version: Version, meeting: MeetingNow, person: PersonNow, now: datetime
) -> DropReason | None:
    if meeting.starts_at != version.starts_at:
        return DropReason.MOVED
    if meeting.starts_at <= now:
        return DropReason.PAST
    if not person.invited:
        return DropReason.NOT_INVITED
    if person.answer is AttendanceStatus.DECLINED:
        return DropReason.DECLINED
    return None
