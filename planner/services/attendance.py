"""Who is invited to a meeting, their answers, and the answer links partners get by mail.

Partners have no account: each invitation mail carries, per meeting, a link with a random
secret (192 bits; only its SHA-256 is stored) that lets that one person answer for that one
meeting. A link stops working when it expires (a week after the meeting by default) or is revoked
(the person left the collaboration, or an administrator withdrew it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from planner.domain.kinds import AttendanceStatus, MeetingStatus, Role
from planner.domain.secrets import hash_secret, new_secret, plausible_secret
from planner.errors import N_, PlannerError, ValidationError
from planner.events import (
    AttendanceAnswered,
    EventKind,
    ReplyRefused,
    SeriesAnswered,
    append_event,
)
from planner.ical.invites import ORGANIZER_COPY_PREFIX
from planner.ical.replies import ReplyFormatError, ReplyItem, address, parse_reply
from planner.models import (
    Attendance,
    Collaboration,
    Event,
    Meeting,
    Person,
    PersonLink,
    RsvpToken,
    WithdrawnCopy,
)


def organizer_of(collab: Collaboration) -> Person | None:
    """The coordinator who organises the meetings: the first one."""
    for link in collab.people:
        if link.role is Role.COORDINATOR:
            return link.person
    return None


def invitees_of(collab: Collaboration) -> list[Person]:
    """Everyone who gets invitations: the collaboration's people except the organizer."""
    organizer = organizer_of(collab)
    return [
        link.person for link in collab.people if organizer is None or link.person_id != organizer.id
    ]


def attendance_for(
    session: Session, meetings: Sequence[Meeting], people: Iterable[Person], now: datetime
) -> dict[tuple[int, int], Attendance]:
    """The attendance rows of these meetings × people, created (needs-action) where missing."""
    wanted = [(meeting, person) for meeting in meetings for person in people]
    ids = [meeting.id for meeting in meetings]
    rows = {
        (row.meeting_id, row.person_id): row
        for row in session.scalars(select(Attendance).where(Attendance.meeting_id.in_(ids)))
    }
    missing = [
        (meeting, person) for meeting, person in wanted if (meeting.id, person.id) not in rows
    ]
    if not missing:
        return rows
    # Someone who was removed and comes back: her copy goes on above the CANCEL she got.
    withdrawn = {
        (copy.meeting_id, copy.person_id): copy.sequence
        for copy in session.scalars(
            select(WithdrawnCopy).where(
                WithdrawnCopy.meeting_id.in_(ids),
                WithdrawnCopy.person_id.in_({person.id for _, person in missing}),
            )
        )
    }
    for meeting, person in missing:
        cancelled_at = withdrawn.get((meeting.id, person.id))
        row = Attendance(
            meeting_id=meeting.id,
            person_id=person.id,
            status=AttendanceStatus.NEEDS_ACTION,
            sequence_offset=0
            if cancelled_at is None
            else max(0, cancelled_at + 1 - meeting.sequence),
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        rows[(meeting.id, person.id)] = row
    return rows


def copy_sequence(meeting: Meeting, row: Attendance | Any) -> int:
    """The SEQUENCE of a person's copy of the meeting: the meeting's, raised for someone who was
    once removed (see removal_sequence)."""
    return meeting.sequence + int(row.sequence_offset)


def removal_sequence(meeting: Meeting, row: Attendance | Any) -> int:
    """The SEQUENCE of the CANCEL that takes a meeting out of the calendar of someone removed
    from its collaboration: one above her copy (RFC 5546 §3.2.5; shared ICAL.md rule 17)."""
    return copy_sequence(meeting, row) + 1


def record_withdrawn(
    session: Session, rows: Iterable[tuple[Meeting, Attendance]], now: datetime
) -> None:
    """Remember the removal CANCELs sent, so a return is invited above them."""
    for meeting, row in rows:
        copy = session.get(WithdrawnCopy, (meeting.id, row.person_id))
        if copy is None:
            copy = WithdrawnCopy(meeting_id=meeting.id, person_id=row.person_id, created_at=now)
            session.add(copy)
        copy.sequence = removal_sequence(meeting, row)


def answer_refusal(meeting: Meeting, now: datetime) -> ValidationError | None:
    """Why no answer can be given for the meeting any more (None: it can)."""
    if meeting.status is MeetingStatus.CANCELLED:
        return ValidationError(N_("This meeting has been cancelled; no answer is needed."))
    if meeting.ends_at <= now:
        return ValidationError(N_("This meeting has already taken place."))
    return None


def upcoming_invitations(
    session: Session,
    person: Person,
    collaboration_id: int,
    now: datetime,
    *,
    exclude: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Meeting, Attendance]]:
    """The person's next meetings of a collaboration that they were invited to, with their
    answers, by start (`exclude`: a meeting to leave out, e.g. the one being answered)."""
    query = (
        select(Meeting, Attendance)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(
            Meeting.collaboration_id == collaboration_id,
            Meeting.ends_at > now,
            Attendance.person_id == person.id,
            Attendance.sent_sequence.is_not(None),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if exclude is not None:
        query = query.where(Meeting.id != exclude)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [(meeting, row) for meeting, row in session.execute(query)]


def record_answer(
    session: Session,
    meeting: Meeting,
    person: Person,
    status: AttendanceStatus,
    now: datetime,
    *,
    via: str,
    stamp: datetime | None = None,
    announce: bool = True,
    given_at: datetime | None = None,
) -> bool:
    """Store a person's answer; append `attendance.answered` if it changed (returns whether).
    `given_at` is when the answer was given (a mailed reply: its reply time or mail date; now
    when not given). `announce=False` leaves the event to the caller (a series at once)."""
    refusal = answer_refusal(meeting, now)
    if refusal is not None:
        raise refusal
    row = attendance_for(session, [meeting], [person], now)[(meeting.id, person.id)]
    if stamp is not None:
        row.reply_stamp = stamp
    if row.status is status:
        return False
    previous = row.status
    row.status = status
    row.answered_at = given_at or now
    row.answered_via = via
    row.updated_at = now
    session.flush()
    if not announce:
        return True
    append_event(
        session,
        EventKind.ATTENDANCE_ANSWERED,
        AttendanceAnswered(
            meeting_id=meeting.id,
            collaboration_id=meeting.collaboration_id,
            person_id=person.id,
            status=status.value,
            previous=previous.value,
            via=via,
        ),
        now,
    )
    return True


# --- answer links ---------------------------------------------------------------------------


def issue_rsvp_token(
    session: Session, meeting: Meeting, person: Person, now: datetime, *, valid_days_after: int
) -> str:
    """Make a new answer link secret for this person and meeting; return the secret."""
    secret = new_secret()
    expires_at = max(meeting.ends_at, now) + timedelta(days=valid_days_after)
    # Links in earlier mails about this meeting keep working as long as the newest one: the
    # page always shows the meeting as it is now.
    session.execute(
        update(RsvpToken)
        .where(
            RsvpToken.meeting_id == meeting.id,
            RsvpToken.person_id == person.id,
            RsvpToken.revoked_at.is_(None),
        )
        .values(expires_at=expires_at)
        .execution_options(synchronize_session=False)
    )
    session.add(
        RsvpToken(
            token_hash=hash_secret(secret),
            meeting_id=meeting.id,
            person_id=person.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return secret


class LinkProblem(StrEnum):
    """Why an answer link does not work."""

    UNKNOWN = "unknown"  # never issued, mistyped or forged
    EXPIRED = "expired"
    REVOKED = "revoked"


class LinkError(Exception):
    """An answer link that cannot be used."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RsvpLink:
    """What a live answer link opens."""

    token: RsvpToken
    meeting: Meeting
    person: Person
    attendance: Attendance | None


_Link = TypeVar("_Link", RsvpToken, PersonLink)


def live_link(session: Session, model: type[_Link], secret: str, now: datetime) -> _Link:
    """The stored link a secret belongs to (an answer link, an own-availability link), or
    LinkError: unknown (never issued, mistyped or forged), revoked or expired. Changes nothing."""
    if not plausible_secret(secret):
        raise LinkError(LinkProblem.UNKNOWN)
    link = session.scalar(select(model).where(model.token_hash == hash_secret(secret)))
    if link is None:
        raise LinkError(LinkProblem.UNKNOWN)
    if link.revoked_at is not None:
        raise LinkError(LinkProblem.REVOKED)
    if link.expires_at <= now:
        raise LinkError(LinkProblem.EXPIRED)
    return link


def resolve_rsvp(session: Session, secret: str, now: datetime) -> RsvpLink:
    """Return what a link opens, or raise LinkError. Changes nothing."""
    token = live_link(session, RsvpToken, secret, now)
    meeting = session.get(Meeting, token.meeting_id)
    person = session.get(Person, token.person_id)
    if meeting is None or person is None:
        raise LinkError(LinkProblem.UNKNOWN)
    attendance = session.get(Attendance, (meeting.id, person.id))
    return RsvpLink(token, meeting, person, attendance)


def answer_by_link(
    session: Session, secret: str | RsvpLink, status: AttendanceStatus, now: datetime
) -> RsvpLink:
    """Record an answer given through a link (its secret, or the link it resolved to); raise
    LinkError or ValidationError otherwise."""
    link = secret if isinstance(secret, RsvpLink) else resolve_rsvp(session, secret, now)
    # Stamped now, so an older REPLY from a calendar that arrives later cannot overwrite it.
    record_answer(session, link.meeting, link.person, status, now, via="link", stamp=now)
    link.token.last_used_at = now
    return RsvpLink(
        link.token,
        link.meeting,
        link.person,
        session.get(Attendance, (link.meeting.id, link.person.id)),
    )


# The answers a person can give for a whole series at once.
SERIES_ANSWERS = (AttendanceStatus.ACCEPTED, AttendanceStatus.DECLINED)


@dataclass(frozen=True, slots=True)
class SeriesAnswer:
    """What one answer for a whole series did: the meetings it answers, and those it changed."""

    meetings: list[Meeting]
    changed: list[Meeting]


def answer_series_by_link(
    session: Session, secret: str | RsvpLink, status: AttendanceStatus, now: datetime
) -> SeriesAnswer:
    """Give one answer for every coming meeting of the link's collaboration that the person
    was invited to (cancelled ones need none). One `attendance.answered_series` event tells
    the coordinators once, not once per meeting."""
    if status not in SERIES_ANSWERS:
        raise ValidationError(N_("Choose whether you come to all meetings or to none."))
    link = secret if isinstance(secret, RsvpLink) else resolve_rsvp(session, secret, now)
    meetings = [
        meeting
        for meeting, _ in upcoming_invitations(
            session, link.person, link.meeting.collaboration_id, now
        )
        if meeting.status is MeetingStatus.CONFIRMED
    ]
    changed = [
        meeting
        for meeting in meetings
        if record_answer(
            session, meeting, link.person, status, now, via="link", stamp=now, announce=False
        )
    ]
    link.token.last_used_at = now
    if changed:
        append_event(
            session,
            EventKind.ATTENDANCE_ANSWERED_SERIES,
            SeriesAnswered(
                collaboration_id=link.meeting.collaboration_id,
                person_id=link.person.id,
                status=status.value,
                meeting_ids=[meeting.id for meeting in changed],
                via="link",
            ),
            now,
        )
    return SeriesAnswer(meetings, changed)


def revoke_rsvp_tokens(
    session: Session,
    now: datetime,
    *,
    person_id: int,
    collaboration_id: int | None = None,
    meeting_id: int | None = None,
) -> int:
    """Withdraw a person's live answer links (for one collaboration or meeting); return how many."""
    query = update(RsvpToken).where(
        RsvpToken.person_id == person_id, RsvpToken.revoked_at.is_(None)
    )
    if meeting_id is not None:
        query = query.where(RsvpToken.meeting_id == meeting_id)
    if collaboration_id is not None:
        query = query.where(
            RsvpToken.meeting_id.in_(
                select(Meeting.id).where(Meeting.collaboration_id == collaboration_id)
            )
        )
    result = session.execute(
        query.values(revoked_at=now).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_departed(session: Session, collab: Collaboration, now: datetime) -> int:
    """Withdraw the links of people no longer invited: who left the collaboration, and the
    coordinator who now organises it (her own copies need no answer)."""
    present = {person.id for person in invitees_of(collab)}
    departed = session.scalars(
        select(RsvpToken.person_id)
        .join(Meeting, Meeting.id == RsvpToken.meeting_id)
        .where(Meeting.collaboration_id == collab.id, RsvpToken.revoked_at.is_(None))
        .distinct()
    )
    return sum(
        revoke_rsvp_tokens(session, now, person_id=person_id, collaboration_id=collab.id)
        for person_id in list(departed)
        if person_id not in present
    )


# --- iTIP REPLY -----------------------------------------------------------------------------

PARTSTAT_STATUS = {
    "ACCEPTED": AttendanceStatus.ACCEPTED,
    "TENTATIVE": AttendanceStatus.TENTATIVE,
    "DECLINED": AttendanceStatus.DECLINED,
    "NEEDS-ACTION": AttendanceStatus.NEEDS_ACTION,
}

REPLY_FORMAT_MESSAGES = {
    "empty": N_("The file is empty."),
    "not_icalendar": N_("The file is not an iCalendar (.ics) file."),
    "not_reply": N_("The file is not an answer to an invitation (METHOD:REPLY is missing)."),
    "no_event": N_("The file contains no event."),
    "no_uid": N_("The answer names no meeting (UID is missing)."),
    "no_attendee": N_("The answer names no attendee."),
    "several_attendees": N_("The answer names more than one attendee."),
    "bad_partstat": N_("The answer has no valid PARTSTAT (accepted, tentative or declined)."),
    "no_dtstamp": N_("The answer has no valid DTSTAMP."),
}


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """What one answer in a REPLY did."""

    meeting: Meeting
    person: Person
    status: AttendanceStatus
    changed: bool


def apply_reply(
    session: Session,
    data: bytes | str,
    now: datetime,
    *,
    sender: str | None = None,
    received: datetime | None = None,
) -> list[ReplyOutcome]:
    """Apply an iTIP REPLY (shared ICAL.md rule 18). All or nothing: any bad answer raises.

    `sender` is the mail's From (an address or 'Name <address>') when the reply came by mail:
    it must be the attendee or the attendee's SENT-BY. `received` is when the reply was sent
    or arrived (the mail's Date; now when not given).

    A reply is judged by its SEQUENCE first (it must answer the latest invitation), then by
    when it was given: Outlook's X-MICROSOFT-CDO-REPLYTIME when present, else when it was
    received. Its DTSTAMP tells only between two replies of the same calendar: Outlook for Mac
    copies the organizer's, so a changed answer keeps the DTSTAMP of the first.
    """
    try:
        items = parse_reply(data)
    except ReplyFormatError as error:
        raise ValidationError(REPLY_FORMAT_MESSAGES[error.reason]) from error
    given_by = address(parseaddr(sender)[1] or sender) if sender else None
    outcomes = []
    for item in items:
        if item.uid.startswith(ORGANIZER_COPY_PREFIX):
            continue  # the coordinator answered her own copy: nothing to record
        meeting, person, row = _reply_target(session, item)
        if (refusal := answer_refusal(meeting, now)) is not None:  # what the answer page says
            raise refusal
        if given_by is not None and given_by not in {item.attendee, item.sent_by}:
            raise ValidationError(
                N_("The answer for %(email)s was sent by someone else (%(sender)s)."),
                email=item.attendee,
                sender=sender,
            )
        current = copy_sequence(meeting, row)
        if item.sequence < current:
            raise ValidationError(
                N_(
                    "The answer is about an older version of the meeting (%(got)s, now"
                    " %(current)s); the attendee should answer the latest invitation."
                ),
                got=item.sequence,
                current=current,
            )
        if item.sequence > current:
            raise ValidationError(
                N_(
                    "The answer is about a version of the meeting the planner never sent"
                    " (%(got)s, the latest is %(current)s)."
                ),
                got=item.sequence,
                current=current,
            )
        status = PARTSTAT_STATUS[item.partstat]
        if status is AttendanceStatus.NEEDS_ACTION:
            raise ValidationError(N_("The answer gives no decision (NEEDS-ACTION)."))
        moment = item.reply_time or received or now
        if row.reply_stamp is not None and item.stamp == row.reply_stamp and status is row.status:
            # The same reply again (mailed twice, uploaded twice): nothing to do.
            outcomes.append(ReplyOutcome(meeting, person, status, False))
            continue
        if _older(row, item, moment):
            raise ValidationError(
                N_("A newer answer from %(email)s is already stored."), email=item.attendee
            )
        changed = record_answer(
            session, meeting, person, status, now, via="reply", stamp=item.stamp, given_at=moment
        )
        outcomes.append(ReplyOutcome(meeting, person, status, changed))
    session.flush()
    return outcomes


def _older(row: Attendance, item: ReplyItem, moment: datetime) -> bool:
    """Whether the stored answer is newer than this reply. Two replies of a calendar are
    ordered by their DTSTAMPs where those differ; otherwise (the same DTSTAMP, as Outlook for
    Mac sends, or an answer given by link) by when each was given."""
    if row.answered_at is None:
        return False
    if (
        row.answered_via == "reply"
        and row.reply_stamp is not None
        and item.reply_time is None
        and item.stamp != row.reply_stamp
    ):
        return item.stamp < row.reply_stamp
    return moment <= row.answered_at


def record_refused_reply(
    session: Session, data: bytes | str, sender: str, error: PlannerError, now: datetime
) -> None:
    """Keep a mailed reply that was refused, with the reason, so the coordinator hears of it
    (weekly digest) and the administrator sees it (queue page)."""
    meeting = None
    try:
        items = parse_reply(data)
    except ReplyFormatError:
        items = []
    if items:
        meeting = session.scalar(select(Meeting).where(Meeting.uid == items[0].uid))
    append_event(
        session,
        EventKind.REPLY_REFUSED,
        ReplyRefused(
            sender=sender,
            message=error.message,
            params={key: str(value) for key, value in error.params.items()},
            collaboration_id=meeting.collaboration_id if meeting else None,
            meeting_id=meeting.id if meeting else None,
        ),
        now,
    )


def refused_replies(
    session: Session, since: datetime, collaboration_ids: Iterable[int] | None = None
) -> list[tuple[Event, ReplyRefused]]:
    """The mailed replies refused since then (of these collaborations), oldest first."""
    query = (
        select(Event)
        .where(Event.kind == EventKind.REPLY_REFUSED.value, Event.created_at >= since)
        .order_by(Event.created_at, Event.id)
    )
    wanted = set(collaboration_ids) if collaboration_ids is not None else None
    found = []
    for event in session.scalars(query):
        payload = ReplyRefused.from_json(event.payload or {})
        if wanted is None or payload.collaboration_id in wanted:
            found.append((event, payload))
    return found


def _reply_target(session: Session, item: ReplyItem) -> tuple[Meeting, Person, Attendance]:
    meeting = session.scalar(select(Meeting).where(Meeting.uid == item.uid))
    if meeting is None:
        # A content error of the reply (400), not a missing page.
        raise ValidationError(N_("The answer is about a meeting the planner does not know."))
    person = session.scalar(select(Person).where(Person.email == item.attendee))
    row = session.get(Attendance, (meeting.id, person.id)) if person else None
    if person is None or row is None or row.sent_sequence is None:
        raise ValidationError(N_("%(email)s was not invited to this meeting."), email=item.attendee)
    return meeting, person, row
