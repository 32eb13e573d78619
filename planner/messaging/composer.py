"""Composing the mails the worker sends: invitations (iMIP), reminders, notices and digests.

Each mail is written in its recipient's language, rendered completely (headers, text, HTML and
iCalendar) and queued in the `mail` table in the transaction that decided to send it; the
sending loop (planner.worker) only delivers stored bytes, so a retry sends exactly the same
message with the same Message-ID.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy.orm import Session

from planner.config import link_base_url
from planner.domain.kinds import AttendanceStatus, MailKind, MeetingStatus
from planner.domain.stale_mail import MailBasis, Says
from planner.ical.imip import Envelope, build_mail, serialise
from planner.ical.invites import Invitation, Method, Party, render_invitation
from planner.messaging.content import Block, Change, Content, digest_key, version_of, when
from planner.messaging.organizer_copies import send_organizer_copies
from planner.models import Attendance, Collaboration, Meeting, Person
from planner.services.attendance import (
    attendance_for,
    copy_sequence,
    invitees_of,
    issue_rsvp_token,
    organizer_of,
    removal_sequence,
)
from planner.services.outbox import queue_mail
from planner.services.person_calendars import issue_availability_link
from planner.text.formatting import format_meeting_time


@dataclass
class _Letter:
    """The mails about a batch of meetings for one person: one per meeting (with its iTIP
    object), and for more than one an overview."""

    messages: list[tuple[Meeting, Content, Invitation]]
    overview: Content | None


class Composer:
    """Writes and queues mails inside the caller's transaction (an app context is needed)."""

    def __init__(self, session: Session, now: datetime, event_id: int | None = None) -> None:
        self.session = session
        self.now = now
        self.event_id = event_id
        config = current_app.config
        self.sender_address = str(config["MAIL_FROM"])
        # The bare address of MAIL_FROM, for iCalendar's mailto: values.
        self.sender_email = parseaddr(self.sender_address)[1]
        self.sender_name = str(config["MAIL_FROM_NAME"])
        self.domain = str(
            config.get("MAIL_MESSAGE_ID_DOMAIN") or self.sender_address.rpartition("@")[2]
        )
        self.valid_days_after = int(config["RSVP_VALID_DAYS_AFTER"])

    def meeting_url(self, meeting_id: int) -> str:
        """The meeting's page (move, cancel, answers), at the public address: mails leave
        requests."""
        return f"{self.base_url}/meetings/{meeting_id}"

    @property
    def base_url(self) -> str:
        """The address for the links of a mail (raises NoPublicUrl when there is none)."""
        return link_base_url()

    # --- queueing ---------------------------------------------------------------------------

    def queue(
        self,
        kind: MailKind,
        dedupe_key: str,
        person: Person,
        content: Content,
        *,
        calendar: bytes | None = None,
        method: Method | None = None,
        reply_to: str | None = None,
        basis: MailBasis | None = None,
    ) -> bool:
        """Render and queue one mail; return False when the dedupe key was used before.
        `basis` is what it says about meetings, checked again just before it is sent
        (planner.domain.stale_mail)."""
        message_id = f"<{uuid.uuid4().hex}@{self.domain}>"
        with force_locale(person.language):  # the footer too, not only the content
            text = render_template("mail/message.txt", c=content)
            html = render_template("mail/message.html", c=content, lang=person.language)
        message = build_mail(
            Envelope(
                sender=(self.sender_name, self.sender_address),
                recipient=(person.name, person.email),
                subject=content.subject,
                message_id=message_id,
                date=self.now,
                reply_to=reply_to,
            ),
            text,
            html,
            calendar,
            method.value if method else None,
            filename="cancel" if method is Method.CANCEL else "invite",
        )
        mail = queue_mail(
            self.session,
            kind=kind,
            dedupe_key=dedupe_key,
            message_id=message_id,
            recipient=person.email,
            subject=content.subject,
            raw=serialise(message),
            now=self.now,
            person_id=person.id,
            event_id=self.event_id,
            basis=basis,
        )
        return mail is not None

    # --- invitations ------------------------------------------------------------------------

    def invitations(
        self, meetings: Iterable[Meeting], changes: Mapping[int, Change] | None = None
    ) -> int:
        """Send every invitee what changed for them: a REQUEST for each new or moved meeting and
        a CANCEL for each cancelled one, a mail per meeting, with an overview when there are
        several (see _send_itip); and the organizer her own copies (organizer_copies).
        Idempotent: what a person was already sent (by SEQUENCE) is not sent again. Returns
        the number of mails."""
        by_collab: dict[int, list[Meeting]] = defaultdict(list)
        for meeting in meetings:
            if meeting.ends_at > self.now:
                by_collab[meeting.collaboration_id].append(meeting)
        count = 0
        for collab_id, items in by_collab.items():
            collab = self.session.get(Collaboration, collab_id)
            if collab is None:
                continue
            items.sort(key=lambda m: m.starts_at)
            organizer = organizer_of(collab)
            invitees = invitees_of(collab)
            rows = attendance_for(self.session, items, invitees, self.now)
            for person in invitees:
                count += self._invite_person(collab, organizer, person, items, rows, changes or {})
            count += send_organizer_copies(self, collab, organizer, items, changes or {})
        return count

    def _invite_person(
        self,
        collab: Collaboration,
        organizer: Person | None,
        person: Person,
        meetings: Sequence[Meeting],
        rows: dict[tuple[int, int], Attendance],
        changes: Mapping[int, Change],
    ) -> int:
        requests: list[Meeting] = []
        cancels: list[Meeting] = []
        for meeting in meetings:
            row = rows[(meeting.id, person.id)]
            if row.sent_sequence is not None and row.sent_sequence >= meeting.sequence:
                continue  # they already have this version
            if meeting.status is MeetingStatus.CANCELLED:
                if row.sent_sequence is not None:
                    cancels.append(meeting)
                else:
                    row.sent_sequence = meeting.sequence  # never invited: nothing to cancel
            else:
                requests.append(meeting)
        count = 0
        for method, chosen in ((Method.REQUEST, requests), (Method.CANCEL, cancels)):
            if chosen:
                count += self._send_itip(
                    collab, organizer, person, method, chosen, rows, changes=changes
                )
        return count

    def withdraw(
        self,
        collab: Collaboration,
        organizer: Person | None,
        person: Person,
        meetings: Sequence[Meeting],
        rows: Mapping[tuple[int, int], Any],
        tag: str,
        *,
        removed: bool,
        organises: bool = False,
    ) -> bool:
        """Send a person a CANCEL for meetings that go on without her (`removed`: she left the
        collaboration, or `organises` them now and gets her own copies instead; the CANCEL is
        one above her copy and says so) or that no longer exist (it was deleted). `tag` makes
        the dedupe key unique per occasion."""
        if not meetings:
            return False
        return (
            self._send_itip(
                collab,
                organizer,
                person,
                Method.CANCEL,
                meetings,
                rows,
                tag,
                removed=removed,
                organises=organises,
            )
            > 0
        )

    def _send_itip(
        self,
        collab: Collaboration,
        organizer: Person | None,
        person: Person,
        method: Method,
        chosen: Sequence[Meeting],
        rows: Mapping[tuple[int, int], Any],
        tag: str = "",
        *,
        changes: Mapping[int, Change] | None = None,
        removed: bool = False,
        organises: bool = False,
    ) -> int:
        """Queue one iMIP message per meeting (Outlook acts on the first VEVENT of a message
        only, Gmail on the text/calendar part only), numbered "(1/7) …" in a batch, and for a
        batch one overview mail without calendar parts that lists every date with its answer
        links. Returns the number of mails queued."""
        occasion = tag or f"e{self.event_id}"
        with force_locale(person.language):
            letter = self._letter(
                collab, organizer, person, chosen, rows, method, changes or {}, removed, organises
            )
        count = 0
        cancel = method is Method.CANCEL
        described = {
            meeting.id: version_of(meeting, invitation.sequence)
            for meeting, _, invitation in letter.messages
        }
        if letter.overview is not None:
            # The event in the key: someone who left and came back is told again (what a
            # person already has is skipped by `sent_sequence`, not by this key).
            key = digest_key(
                "itip-overview",
                method.value,
                occasion,
                person.id,
                *(f"{m.id}.{m.sequence}" for m in chosen),
            )
            count += self.queue(
                MailKind.NOTICE,
                key,
                person,
                letter.overview,
                basis=MailBasis(
                    Says.OVERVIEW_CANCEL if cancel else Says.OVERVIEW,
                    tuple(described[meeting.id] for meeting in chosen),
                ),
            )
        reply_to = organizer.email if organizer else None
        for meeting, content, invitation in letter.messages:
            key = digest_key(
                "itip", method.value, occasion, person.id, f"{meeting.id}.{meeting.sequence}"
            )
            count += self.queue(
                MailKind.INVITE,
                key,
                person,
                content,
                calendar=render_invitation(invitation, method, self.now),
                method=method,
                reply_to=reply_to,
                basis=MailBasis(Says.CANCEL if cancel else Says.REQUEST, (described[meeting.id],)),
            )
        for meeting in chosen:
            row = rows[(meeting.id, person.id)]
            if method is Method.REQUEST and row.sent_sequence is not None:
                # A new time needs a new answer (shared ICAL.md rule 17).
                row.status = AttendanceStatus.NEEDS_ACTION
            row.sent_sequence = meeting.sequence
            row.updated_at = self.now
        return count

    def _letter(
        self,
        collab: Collaboration,
        organizer: Person | None,
        person: Person,
        meetings: Sequence[Meeting],
        rows: Mapping[tuple[int, int], Any],
        method: Method,
        changes: Mapping[int, Change],
        removed: bool = False,
        organises: bool = False,
    ) -> _Letter:
        """What the person gets about these meetings: a mail per meeting, and an overview."""
        locale = person.language
        cancel = method is Method.CANCEL
        greeting = gettext("Dear %(name)s,", name=person.name)
        organizer_party = (
            Party(organizer.name, organizer.email)
            if organizer
            else Party(self.sender_name, self.sender_address)
        )
        outro = []
        if not cancel:
            outro.append(
                gettext(
                    "Answer with the links (no account needed) or with your calendar's"
                    " accept and decline buttons."
                )
            )
        if organizer:
            outro.append(
                gettext("Questions? Reply to this mail to reach %(name)s.", name=organizer.name)
            )
        total = len(meetings)
        # Her own availability page: one new link for this letter (links are stored hashed).
        own = [] if cancel or removed else [self._availability_block(person)]

        def subject_of(
            collab: Collaboration,
            meetings: Sequence[Meeting],
            locale: str,
            cancel: bool,
            updated: bool,
        ) -> tuple[str, list[str]]:
            if removed:
                return self._withdrawal_subject(collab, meetings, locale, organises=organises)
            return self._subject(collab, meetings, locale, cancel, updated)

        blocks: list[Block] = []
        messages: list[tuple[Meeting, Content, Invitation]] = []
        first_url: str | None = None
        for index, meeting in enumerate(meetings, start=1):
            row = rows[(meeting.id, person.id)]
            updated = row.sent_sequence is not None
            block, url = self._meeting_block(
                meeting, person, locale, cancel, updated, changes.get(meeting.id)
            )
            first_url = first_url or url
            blocks.append(block)
            subject, intro = subject_of(collab, [meeting], locale, cancel, updated)
            if total > 1:
                subject = f"({index}/{total}) {subject}"
                intro.append(
                    gettext(
                        "Meeting %(number)d of %(total)d: a separate mail lists them all.",
                        number=index,
                        total=total,
                    )
                )
            invitation = Invitation(
                uid=meeting.uid,
                sequence=removal_sequence(meeting, row) if removed else copy_sequence(meeting, row),
                summary=collab.name,
                start=meeting.starts_at,
                end=meeting.ends_at,
                zone=meeting.timezone,
                organizer=organizer_party,
                attendee=Party(person.name, person.email),
                description=collab.ambition,
                location=meeting.location,
                sent_by=self._sent_by(organizer_party),
                url=url,
            )
            messages.append(
                (
                    meeting,
                    Content(subject, greeting, intro, [block, *own], list(outro)),
                    invitation,
                )
            )
        overview = None
        if total > 1:
            updated = any(rows[(m.id, person.id)].sent_sequence is not None for m in meetings)
            subject, intro = subject_of(collab, meetings, locale, cancel, updated)
            intro.append(
                gettext(
                    "Each meeting also comes in a mail of its own, (1/%(total)d) to"
                    " (%(total)d/%(total)d), that your calendar can add with one click.",
                    total=total,
                )
            )
            closing = list(outro)
            if first_url is not None:
                blocks = [
                    Block(
                        gettext("All %(num)d meetings at once", num=total),
                        [],
                        [
                            (gettext("I will come to all"), f"{first_url}?all=accepted#all"),
                            (gettext("I will not come to any"), f"{first_url}?all=declined#all"),
                        ],
                    ),
                    *blocks,
                ]
                closing.insert(
                    0,
                    gettext(
                        "Put every meeting in your calendar at once, and follow every change by"
                        " itself: %(url)s",
                        url=f"{first_url}#calendar",
                    ),
                )
            overview = Content(subject, greeting, intro, [*blocks, *own], closing)
        return _Letter(messages, overview)

    def _availability_block(self, person: Person) -> Block:
        """A link to her own availability page ("Mijn beschikbaarheid"), new for this mail."""
        return availability_block(self.session, person, self.now, self.base_url)

    def _meeting_block(
        self,
        meeting: Meeting,
        person: Person,
        locale: str,
        cancel: bool,
        updated: bool,
        change: Change | None = None,
    ) -> tuple[Block, str | None]:
        """One meeting in a mail, with what changed and its answer links (not for a
        cancellation)."""
        block = Block(when(meeting, locale))
        if meeting.location:
            block.lines.append(gettext("Location: %(place)s", place=meeting.location))
        if change is not None:
            block.lines.extend(self.change_lines(meeting, locale, cancel, updated, change))
        if cancel:
            return block, None
        if updated:
            block.lines.append(gettext("Changed: please answer again."))
        secret = issue_rsvp_token(
            self.session, meeting, person, self.now, valid_days_after=self.valid_days_after
        )
        url = f"{self.base_url}/rsvp/{secret}"
        block.links = [
            (gettext("Accept"), f"{url}?answer=accepted"),
            (gettext("Maybe"), f"{url}?answer=tentative"),
            (gettext("Decline"), f"{url}?answer=declined"),
        ]
        return block, url

    def change_lines(
        self, meeting: Meeting, locale: str, cancel: bool, updated: bool, change: Change
    ) -> list[str]:
        """'Was: …', 'Why: …' and the coordinator's note."""
        lines = []
        if change.before is not None and updated and not cancel:
            zone = ZoneInfo(meeting.timezone)
            old = format_meeting_time(
                change.before, change.before + (meeting.ends_at - meeting.starts_at), zone, locale
            )
            lines.append(gettext("Was: %(when)s", when=old))
        if change.reason:
            lines.append(gettext("Why: %(reason)s", reason=change.reason))
        if change.note:
            lines.append(gettext("From the coordinator: %(note)s", note=change.note))
        return lines

    def _subject(
        self,
        collab: Collaboration,
        meetings: Sequence[Meeting],
        locale: str,
        cancel: bool,
        updated: bool,
    ) -> tuple[str, list[str]]:
        """The subject and the first lines of a mail about one meeting or several."""
        first = meetings[0]
        if cancel:
            subject = ngettext(
                "Cancelled: %(name)s, %(when)s",
                "Cancelled: %(num)d meetings of %(name)s",
                len(meetings),
                name=collab.name,
                when=when(first, locale),
            )
            intro = [
                gettext("This meeting does not take place:")
                if len(meetings) == 1
                else gettext("These meetings do not take place:")
            ]
        elif updated:
            subject = ngettext(
                "Changed: %(name)s, %(when)s",
                "New planning: %(num)d meetings of %(name)s",
                len(meetings),
                name=collab.name,
                when=when(first, locale),
            )
            intro = [gettext("The planning of %(name)s has changed.", name=collab.name)]
        else:
            subject = ngettext(
                "Invitation: %(name)s, %(when)s",
                "Invitation: %(num)d meetings of %(name)s",
                len(meetings),
                name=collab.name,
                when=when(first, locale),
            )
            intro = [gettext("You are invited to the meetings of %(name)s.", name=collab.name)]
        if not cancel and any(meeting.short_notice for meeting in meetings):
            subject = gettext("At short notice: %(subject)s", subject=subject)
            intro.insert(
                0,
                gettext(
                    "This is at short notice: your calendar may already be full. Let the"
                    " coordinator know if you cannot come."
                ),
            )
        if collab.ambition and not cancel:
            intro.append(collab.ambition)
        return str(subject), [str(line) for line in intro]

    def _withdrawal_subject(
        self,
        collab: Collaboration,
        meetings: Sequence[Meeting],
        locale: str,
        *,
        organises: bool,
    ) -> tuple[str, list[str]]:
        """The subject and first lines of a CANCEL for meetings that go on: for someone removed
        from the collaboration, or for a coordinator who now organises them (her own copies
        replace the invitations she had)."""
        count = len(meetings)
        words = {"name": collab.name, "when": when(meetings[0], locale)}
        if organises:
            subject = ngettext(
                "Replaced by your own copy: %(name)s, %(when)s",
                "Replaced by your own copies: %(num)d meetings of %(name)s",
                count,
                **words,
            )
            intro = ngettext(
                "You now organise this meeting: a copy of your own, in a mail of its own,"
                " replaces this invitation in your calendar.",
                "You now organise these meetings: copies of your own, in mails of their own,"
                " replace these invitations in your calendar.",
                count,
            )
        else:
            subject = ngettext(
                "No longer in your calendar: %(name)s, %(when)s",
                "No longer in your calendar: %(num)d meetings of %(name)s",
                count,
                **words,
            )
            intro = ngettext(
                "You were removed from this collaboration; this meeting is no longer in your"
                " calendar.",
                "You were removed from this collaboration; these meetings are no longer in your"
                " calendar.",
                count,
            )
        return str(subject), [str(intro)]

    def _sent_by(self, organizer: Party) -> str | None:
        """The planner's address sends for the coordinator (ORGANIZER;SENT-BY)."""
        same = self.sender_email.lower() == organizer.email.lower()
        return None if same else self.sender_email

    # --- reminders and notices --------------------------------------------------------------

    def reminder(self, meeting: Meeting, collab: Collaboration, person: Person) -> bool:
        """A reminder before a meeting, once per meeting, person and start time."""
        key = digest_key("reminder", meeting.id, person.id, meeting.starts_at.isoformat())
        with force_locale(person.language):
            locale = person.language
            block = Block(when(meeting, locale))
            if meeting.location:
                block.lines.append(gettext("Location: %(place)s", place=meeting.location))
            content = Content(
                gettext(
                    "Reminder: %(name)s, %(when)s", name=collab.name, when=when(meeting, locale)
                ),
                gettext("Dear %(name)s,", name=person.name),
                [gettext("A reminder of the next meeting of %(name)s.", name=collab.name)],
                [block],
            )
        return self.queue(
            MailKind.REMINDER,
            key,
            person,
            content,
            basis=MailBasis(Says.REMINDER, (version_of(meeting),)),
        )

    def notice(
        self, key: str, person: Person, content: Content, basis: MailBasis | None = None
    ) -> bool:
        """A notice to a coordinator (drift, a decline, a conflict, a follow-up proposal);
        `basis`: what it says about meetings, checked again just before it is sent."""
        return self.queue(MailKind.NOTICE, key, person, content, basis=basis)


def availability_block(session: Session, person: Person, now: datetime, base_url: str) -> Block:
    """A link to a person's own availability page ("Mijn beschikbaarheid"), new for this mail
    (links are stored hashed, so each mail carries one of its own)."""
    secret = issue_availability_link(session, person, now)
    return Block(
        gettext("Your own availability"),
        [
            gettext(
                "Give the address of your own calendar, so the planner avoids the times"
                " you are busy. Only when you are busy is stored: no titles, no"
                " descriptions, no attendees."
            )
        ],
        [(gettext("Give your availability"), f"{base_url}/availability/{secret}")],
    )
