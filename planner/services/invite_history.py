"""What a coordinator sees of one meeting's invitations: who answered what, and the mails sent.

Invitation mails are not linked to meetings by a column: one mail may cover several meetings
(a plan, a re-planning). Its dedupe key names them, as `itip:<METHOD>:<tag>:<person id>:` then
`<meeting id>.<sequence>` per meeting (see `planner.mails.Composer._send_itip`); a key too long
for its column is shortened with a hash, and then the iTIP objects in the stored message itself
tell which meetings (UID) and versions (SEQUENCE) it carries.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from planner.domain.kinds import AttendanceStatus, MailKind
from planner.events import EventKind
from planner.models import Attendance, Event, Mail, Meeting, Person
from planner.services.attendance import invitees_of, organizer_of

# The events whose handlers send invitations (planner.messaging.invitations).
INVITING_EVENTS = (
    EventKind.MEETINGS_PLANNED,
    EventKind.MEETINGS_MOVED,
    EventKind.MEETING_MOVED,
    EventKind.MEETING_CANCELLED,
    EventKind.COLLABORATION_CHANGED,
    EventKind.MAIL_DROPPED,
)
_UID = re.compile(r"^UID:(.+?)\r?$", re.M)
_SEQUENCE = re.compile(r"^SEQUENCE:(\d+)\r?$", re.M)


@dataclass(frozen=True)
class Answer:
    """One invitee of a meeting and their answer (needs-action when they have not answered)."""

    person: Person
    status: AttendanceStatus
    row: Attendance | None

    @property
    def invited(self) -> bool:
        """Whether this person was sent the meeting at all (any version)."""
        return self.row is not None and self.row.sent_sequence is not None


@dataclass(frozen=True)
class SentInvite:
    """One invitation mail that concerns the meeting: to whom, which method and version."""

    mail: Mail
    method: str  # REQUEST or CANCEL
    sequence: int | None
    person: Person | None

    @property
    def state(self) -> str:
        """pending, failed (will be retried), dead (given up), dropped (out of date when it was
        to be sent) or sent."""
        if self.mail.sent_at is not None:
            return "sent"
        if self.mail.dropped_at is not None:
            return "dropped"
        if self.mail.dead_at is not None:
            return "dead"
        return "failed" if self.mail.last_error else "pending"


def answers_of(session: Session, meeting: Meeting) -> list[Answer]:
    """Every invitee of the meeting's collaboration with their answer, by name; people who left
    but answered are kept (their answer still counts for who comes)."""
    collab = meeting.collaboration
    rows = {
        row.person_id: row
        for row in session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }
    people = {person.id: person for person in invitees_of(collab)}
    organizer = organizer_of(collab)
    organizer_id = organizer.id if organizer else None
    missing = [pid for pid in rows if pid not in people and pid != organizer_id]
    if missing:
        people.update(
            {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(missing)))}
        )
    answers = [
        Answer(
            person,
            rows[pid].status if pid in rows else AttendanceStatus.NEEDS_ACTION,
            rows.get(pid),
        )
        for pid, person in people.items()
    ]
    return sorted(answers, key=lambda answer: (answer.person.name.lower(), answer.person.id))


def invite_history(session: Session, meeting: Meeting) -> list[SentInvite]:
    """The invitation mails (REQUEST and CANCEL) that carry this meeting, oldest first."""
    # A shortened key is read from its message: only for the people who had the meeting.
    people_ids = {a.person.id for a in answers_of(session, meeting)}
    candidates = session.scalars(
        select(Mail)
        .where(
            Mail.kind == MailKind.INVITE,
            Mail.created_at >= meeting.created_at,
            or_(
                Mail.dedupe_key.like(f"%:{meeting.id}.%"),
                and_(Mail.dedupe_key.like("%#%"), Mail.person_id.in_(people_ids)),
            ),
        )
        .order_by(Mail.created_at, Mail.id)
    )
    found: list[tuple[Mail, str, int | None]] = []
    for mail in candidates:
        parsed = _from_key(mail.dedupe_key, meeting.id)
        if parsed is None:
            parsed = _from_message(mail.raw, meeting.uid)
        if parsed is not None:
            found.append((mail, *parsed))
    ids = {mail.person_id for mail, _, _ in found if mail.person_id is not None}
    people = (
        {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}
    )
    return [
        SentInvite(mail, method, sequence, people.get(mail.person_id or 0))
        for mail, method, sequence in found
    ]


def _from_key(key: str, meeting_id: int) -> tuple[str, int | None] | None:
    """(method, sequence) when a full dedupe key names the meeting; None when it is shortened
    or names other meetings only."""
    if "#" in key or not key.startswith("itip:"):
        return None
    parts = key.split(":")
    if len(parts) < 5:
        return None
    for item in parts[4:]:
        number, _, sequence = item.partition(".")
        if number == str(meeting_id) and sequence.isascii() and sequence.isdigit():
            return parts[1], int(sequence)
    return None


def _from_message(raw: str, uid: str) -> tuple[str, int | None] | None:
    """(method, sequence) from the iTIP objects of a stored message that carries `uid`."""
    message = email.message_from_string(raw)
    for part in _calendar_parts(message):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        text = payload.decode("utf-8", "replace")
        if any(found.strip() == uid for found in _UID.findall(text)):
            method = re.search(r"^METHOD:(\w+)", text, re.M)
            sequence = _SEQUENCE.search(text)
            return (
                method.group(1) if method else "REQUEST",
                int(sequence.group(1)) if sequence else None,
            )
    return None


def _calendar_parts(message: Message) -> Iterable[Message]:
    for part in message.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            yield part


def invitations_waiting(session: Session, meeting: Meeting) -> bool:
    """Whether an event that will send (new) invitations for this meeting awaits the worker."""
    events = session.scalars(
        select(Event).where(
            Event.kind.in_([kind.value for kind in INVITING_EVENTS]),
            Event.done_at.is_(None),
            Event.dead_at.is_(None),
        )
    )
    for event in events:
        payload = event.payload or {}
        if payload.get("meeting_id") == meeting.id or meeting.id in payload.get("meeting_ids", []):
            return True
        if event.kind == EventKind.COLLABORATION_CHANGED and (
            payload.get("collaboration_id") == meeting.collaboration_id
        ):
            return True
    return False
