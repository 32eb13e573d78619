"""The send-time check: does a queued mail still say what is true? (The rules are in
planner.domain.stale_mail; this module gathers the facts they need and drops a stale mail.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import Role
from planner.domain.stale_mail import (
    REPLACEABLE,
    DropReason,
    Facts,
    MailBasis,
    MeetingNow,
    PersonNow,
    Says,
    stale_reason,
)
from planner.events import EventKind, MailDropped, append_event
from planner.models import (
    Attendance,
    Collaboration,
    Mail,
    Meeting,
    Organisation,
    OrganizerCopy,
)
from planner.services.attendance import copy_sequence
from planner.services.completeness import calendar_states
from planner.services.outbox import drop_mail

# A CANCEL gives way only to a newer REQUEST of the same object: a partner's to a partner's,
# the organizer's copy to her copy.
_NEWER = {Says.CANCEL: Says.REQUEST, Says.COPY_CANCEL: Says.COPY_REQUEST}


def basis_of(mail: Mail) -> MailBasis | None:
    """What a mail says about meetings (None: nothing to check, e.g. a digest)."""
    return MailBasis.from_json(mail.basis) if mail.basis else None


def facts_for(session: Session, mail: Mail, basis: MailBasis) -> Facts:
    """What the database says now about everything the mail depends on."""
    if basis.says is Says.OVERVIEW_CANCEL:
        return Facts()  # never stale: nothing to look up
    if basis.says is Says.CALENDAR_NUDGE:
        return Facts(calendar_complete=_calendar_complete(session, basis))
    if basis.says in _NEWER:
        return Facts(newer_request=_newer_request(session, mail, basis))
    ids = [version.meeting_id for version in basis.meetings]
    meetings = {
        meeting.id: meeting
        for meeting in session.scalars(select(Meeting).where(Meeting.id.in_(ids)))
    }
    collabs: dict[int, Collaboration] = {}
    recipient: dict[int, PersonNow] = {}
    about: dict[int, PersonNow] = {}
    for meeting in meetings.values():
        collab = collabs.get(meeting.collaboration_id) or meeting.collaboration
        collabs[collab.id] = collab
        if mail.person_id is not None:
            recipient[meeting.id] = _person(session, collab, meeting, mail.person_id)
        if basis.about is not None:
            about[meeting.id] = _person(session, collab, meeting, basis.about)
    return Facts(
        meetings={
            meeting.id: MeetingNow(
                meeting.status,
                meeting.sequence,
                meeting.starts_at,
                meeting.ends_at,
                meeting.conflict is not None,
            )
            for meeting in meetings.values()
        },
        recipient=recipient,
        about=about,
    )


def _person(session: Session, collab: Collaboration, meeting: Meeting, person_id: int) -> PersonNow:
    # As organizer_of and invitees_of say, from the links alone (no person rows needed).
    links = collab.people
    organizer = next((link.person_id for link in links if link.role is Role.COORDINATOR), None)
    row = session.get(Attendance, (meeting.id, person_id))
    copy = session.get(OrganizerCopy, (meeting.id, person_id))
    return PersonNow(
        invited=person_id != organizer and any(link.person_id == person_id for link in links),
        organizes=organizer == person_id,
        sequence=copy_sequence(meeting, row) if row is not None else None,
        answer=row.status if row is not None else None,
        copy_sequence=copy.sequence if copy is not None else None,
        copy_withdrawn=bool(copy.withdrawn) if copy is not None else False,
    )


def _newer_request(session: Session, mail: Mail, basis: MailBasis) -> bool:
    """Whether a REQUEST of the same object, newer than this CANCEL, waits or went to the same
    person."""
    (version,) = basis.meetings
    if mail.person_id is None or version.copy is None:
        return False
    wanted = _NEWER[basis.says]
    for other in session.scalars(
        select(Mail).where(
            Mail.meeting_id == version.meeting_id,
            Mail.person_id == mail.person_id,
            Mail.id != mail.id,
            Mail.dropped_at.is_(None),
            Mail.dead_at.is_(None),
        )
    ):
        theirs = basis_of(other)
        if theirs is None or theirs.says is not wanted:
            continue
        copy = theirs.meetings[0].copy
        if copy is not None and copy > version.copy:
            return True
    return False


def _calendar_complete(session: Session, basis: MailBasis) -> bool:
    org = session.get(Organisation, basis.organisation) if basis.organisation else None
    if org is None or basis.school_year is None:
        return True  # nobody left to ask
    states = calendar_states(session, [org], [basis.school_year])
    return all(state.complete for state in states)


def check_mail(session: Session, mail: Mail, now: datetime) -> DropReason | None:
    """Why the mail is out of date now (None: it may be sent)."""
    basis = basis_of(mail)
    if basis is None:
        return None
    return stale_reason(basis, facts_for(session, mail, basis), now)


def drop_if_stale(session: Session, mail_id: int, now: datetime) -> DropReason | None:
    """Just before sending: drop the mail if it is out of date, and return why.

    When an invitation is dropped because its meeting or the person's place in it changed, the
    change itself has queued what replaces it (an update, a CANCEL); event `mail.dropped` makes
    sure of it, after any change still waiting for the worker (events go in order)."""
    mail = session.get(Mail, mail_id)
    if mail is None or mail.sent_at is not None or mail.dropped_at is not None:
        return None
    reason = check_mail(session, mail, now)
    if reason is None:
        return None
    drop_mail(mail, reason, now)
    basis = basis_of(mail)
    if basis is not None and basis.says in (Says.REQUEST, Says.COPY_REQUEST):
        meeting = session.get(Meeting, basis.meetings[0].meeting_id)
        if meeting is not None and reason in REPLACEABLE:
            append_event(
                session,
                EventKind.MAIL_DROPPED,
                MailDropped(
                    mail_id=mail.id,
                    meeting_id=meeting.id,
                    collaboration_id=meeting.collaboration_id,
                    person_id=mail.person_id,
                    reason=reason.value,
                ),
                now,
            )
    session.flush()
    return reason
