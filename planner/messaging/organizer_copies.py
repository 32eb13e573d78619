"""The organizing coordinator's own calendar: a copy of every meeting she organises.

Partners get invitations that name the coordinator as ORGANIZER. Sent to herself, such an
invitation adds nothing: Outlook shows "As the meeting organizer, you do not need to respond"
and leaves the calendar alone, Gmail treats an invitation from its own owner alike, and a
METHOD:PUBLISH file is only imported by hand (and never follows a change). What every client
does act on is an invitation to an attendee. So her copy is an iTIP REQUEST with a UID of its
own (`organizer_copy_uid`), the planner's address as ORGANIZER and her as ATTENDEE with
ROLE=CHAIR, PARTSTAT=ACCEPTED and RSVP=FALSE: Outlook and Gmail put it in her calendar, move it
with every REQUEST of a higher SEQUENCE and take it out on a CANCEL, like any invitation. Its
UID differs from the partners' copies so that their answers, which reach her mailbox, are not
taken for changes to her own event, and an answer she gives to it is recognised and ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import force_locale, gettext
from sqlalchemy import select

from planner.domain.kinds import MailKind, MeetingStatus
from planner.domain.stale_mail import MailBasis, Says
from planner.ical.invites import Invitation, Method, Party, organizer_copy_uid, render_invitation
from planner.messaging.content import Block, Change, Content, digest_key, version_of, when
from planner.models import Collaboration, Meeting, OrganizerCopy, Person

if TYPE_CHECKING:
    from planner.messaging.composer import Composer


@dataclass(frozen=True)
class Copy:
    """One copy to send: the meeting, the method and the copy's SEQUENCE."""

    meeting: Meeting
    method: Method
    sequence: int
    updated: bool


def send_organizer_copies(
    composer: Composer,
    collab: Collaboration,
    organizer: Person | None,
    meetings: Sequence[Meeting],
    changes: Mapping[int, Change],
) -> int:
    """Bring the organizer's own calendar up to date with these meetings of her collaboration:
    a REQUEST for each new or changed one, a CANCEL for each cancelled one she has. Idempotent
    by the meeting's SEQUENCE. Returns the number of mails."""
    if organizer is None or _is_sender(composer, organizer):
        return 0
    copies = _copies(composer, organizer, meetings)
    wanted: list[Copy] = []
    for meeting in meetings:
        copy = copies.get(meeting.id)
        cancelled = meeting.status is MeetingStatus.CANCELLED
        if (
            copy is not None
            and copy.meeting_sequence >= meeting.sequence
            and not (copy.withdrawn and not cancelled)
        ):
            continue  # she has this version
        if cancelled:
            if copy is not None and not copy.withdrawn:
                wanted.append(Copy(meeting, Method.CANCEL, copy.sequence + 1, True))
        else:
            updated = copy is not None and not copy.withdrawn
            wanted.append(
                Copy(meeting, Method.REQUEST, 0 if copy is None else copy.sequence + 1, updated)
            )
    return _send(composer, collab, organizer, wanted, copies, changes, f"e{composer.event_id}")


def withdraw_organizer_copies(
    composer: Composer,
    collab: Collaboration,
    person: Person,
    meetings: Iterable[Meeting],
    tag: str,
) -> int:
    """Take these meetings out of the calendar of someone who no longer organises them (another
    coordinator does now, or she left). Returns the number of mails."""
    meetings = list(meetings)
    copies = _copies(composer, person, meetings)
    wanted = [
        Copy(meeting, Method.CANCEL, copies[meeting.id].sequence + 1, False)
        for meeting in meetings
        if meeting.id in copies and not copies[meeting.id].withdrawn
    ]
    return _send(composer, collab, person, wanted, copies, {}, tag)


def _copies(
    composer: Composer, person: Person, meetings: Sequence[Meeting]
) -> dict[int, OrganizerCopy]:
    return {
        copy.meeting_id: copy
        for copy in composer.session.scalars(
            select(OrganizerCopy).where(
                OrganizerCopy.person_id == person.id,
                OrganizerCopy.meeting_id.in_([meeting.id for meeting in meetings]),
            )
        )
    }


def _is_sender(composer: Composer, person: Person) -> bool:
    """The planner's own address organises: an invitation to it would go nowhere useful."""
    return composer.sender_email.lower() == person.email.lower()


def _send(
    composer: Composer,
    collab: Collaboration,
    person: Person,
    wanted: Sequence[Copy],
    copies: dict[int, OrganizerCopy],
    changes: Mapping[int, Change],
    occasion: str,
    *,
    store: bool = True,
) -> int:
    """Queue a mail per copy, numbered in a batch, and remember what her calendar holds."""
    count = 0
    total = len(wanted)
    for index, item in enumerate(wanted, start=1):
        meeting = item.meeting
        with force_locale(person.language):
            content, url = _content(composer, collab, person, item, changes.get(meeting.id))
            if total > 1:
                content.subject = f"({index}/{total}) {content.subject}"
        invitation = Invitation(
            uid=organizer_copy_uid(meeting.uid),
            sequence=item.sequence,
            summary=collab.name,
            start=meeting.starts_at,
            end=meeting.ends_at,
            zone=meeting.timezone,
            organizer=Party(composer.sender_name, composer.sender_email),
            attendee=Party(person.name, person.email),
            description=collab.ambition,
            location=meeting.location,
            partstat="ACCEPTED",
            url=url,
            role="CHAIR",
            rsvp=False,
        )
        key = digest_key(
            "itip-organizer", item.method.value, occasion, person.id, meeting.id, item.sequence
        )
        count += composer.queue(
            MailKind.INVITE,
            key,
            person,
            content,
            calendar=render_invitation(invitation, item.method, composer.now),
            method=item.method,
            basis=MailBasis(
                Says.COPY_CANCEL if item.method is Method.CANCEL else Says.COPY_REQUEST,
                (version_of(meeting, item.sequence),),
            ),
        )
        if not store:
            continue
        copy = copies.get(meeting.id)
        if copy is None:
            copy = OrganizerCopy(meeting_id=meeting.id, person_id=person.id)
            composer.session.add(copy)
            copies[meeting.id] = copy
        copy.sequence = item.sequence
        copy.meeting_sequence = meeting.sequence
        copy.withdrawn = item.method is Method.CANCEL
        copy.updated_at = composer.now
    return count


def _content(
    composer: Composer,
    collab: Collaboration,
    person: Person,
    item: Copy,
    change: Change | None,
) -> tuple[Content, str]:
    """The mail of one copy, in the organizer's language, and the meeting page's address."""
    meeting = item.meeting
    locale = person.language
    url = composer.meeting_url(meeting.id)
    moment = when(meeting, locale)
    cancel = item.method is Method.CANCEL
    if not cancel:
        subject = (
            gettext("Changed in your calendar: %(name)s, %(when)s", name=collab.name, when=moment)
            if item.updated
            else gettext("In your calendar: %(name)s, %(when)s", name=collab.name, when=moment)
        )
        intro = [
            gettext(
                "You organise this meeting. This mail puts it in your own calendar and keeps it"
                " up to date; there is no need to answer it."
            )
        ]
    elif meeting.status is MeetingStatus.CANCELLED:
        subject = gettext("Cancelled: %(name)s, %(when)s", name=collab.name, when=moment)
        intro = [gettext("This meeting does not take place; it is taken out of your calendar.")]
    else:
        subject = gettext("Out of your calendar: %(name)s, %(when)s", name=collab.name, when=moment)
        intro = [
            gettext(
                "You no longer organise this meeting; it goes on, but no longer in your calendar."
            )
        ]
    block = Block(moment)
    if meeting.location:
        block.lines.append(gettext("Location: %(place)s", place=meeting.location))
    if change is not None:
        block.lines.extend(composer.change_lines(meeting, locale, cancel, item.updated, change))
    block.links.append((gettext("Open the meeting and its answers"), url))
    return (
        Content(
            subject,
            gettext("Dear %(name)s,", name=person.name),
            intro,
            [block],
        ),
        url,
    )


def cancel_deleted_copies(
    composer: Composer,
    collab: Collaboration,
    person: Person,
    copies: Sequence[tuple[Meeting, int]],
) -> int:
    """Take the meetings of a deleted collaboration out of its organizer's calendar: each
    (meeting, her copy's SEQUENCE) rebuilt from the event, since the rows are gone."""
    wanted = [
        Copy(meeting, Method.CANCEL, sequence + 1, False)
        for meeting, sequence in sorted(copies, key=lambda item: item[0].starts_at)
    ]
    return _send(
        composer, collab, person, wanted, {}, {}, f"deleted{composer.event_id}", store=False
    )
