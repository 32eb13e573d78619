"""The worker's periodic jobs: reminders (every minute), the daily round (drift, follow-ups,
conflicts, plan top-up), the weekly digest, and reading REPLY mails from a mailbox folder."""

from __future__ import annotations

import logging
import mailbox
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.drift import URGENCY
from planner.domain.kinds import AttendanceStatus, MailKind, MeetingStatus
from planner.errors import PlannerError
from planner.events import ReplyRefused
from planner.messaging.composer import Composer
from planner.messaging.content import Block, Content, digest_key, when
from planner.messaging.notices import check_drift
from planner.models import Attendance, Collaboration, Meeting
from planner.presenters.dashboard import row_view
from planner.services.attendance import (
    apply_reply,
    invitees_of,
    record_refused_reply,
    refused_replies,
)
from planner.services.collaborations import coordinators, list_collaborations
from planner.services.conflicts import scan_conflicts
from planner.services.dashboard import DashboardRow, overview_rows
from planner.services.drift import settle_held_meetings
from planner.services.planning import confirm_plan, preview_plan
from planner.text.formatting import format_moment

log = logging.getLogger(__name__)


def send_reminders(session: Session, now: datetime) -> int:
    """Queue the reminders that are due: before each confirmed future meeting, to every invitee
    who has not declined, once per meeting, person and start (a moved meeting gets a new one)."""
    default = int(current_app.config["REMINDER_HOURS"])
    longest = max(default, session.scalar(select(func.max(Collaboration.reminder_hours))) or 0)
    if longest <= 0:
        return 0
    meetings = session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(hours=longest),
        )
        .order_by(Meeting.starts_at)
    )
    composer = Composer(session, now)
    collabs: dict[int, Collaboration] = {}
    count = 0
    for meeting in meetings:
        collab = collabs.get(meeting.collaboration_id) or session.get(
            Collaboration, meeting.collaboration_id
        )
        if collab is None:
            continue
        collabs[collab.id] = collab
        lead = default if collab.reminder_hours is None else collab.reminder_hours
        if lead <= 0 or meeting.starts_at - timedelta(hours=lead) > now:
            continue
        declined = set(
            session.scalars(
                select(Attendance.person_id).where(
                    Attendance.meeting_id == meeting.id,
                    Attendance.status == AttendanceStatus.DECLINED,
                )
            )
        )
        for person in invitees_of(collab):
            if person.id in declined:
                continue
            try:
                with session.begin_nested():
                    count += composer.reminder(meeting, collab, person)
            except Exception:
                log.exception("reminder of meeting %s for person %s failed", meeting.id, person.id)
    return count


def settle(session: Session, now: datetime) -> int:
    """Mark ended meetings held (the follow-up rule proposes a next date where none is planned)."""
    return len(settle_held_meetings(session, now))


def daily(session: Session, now: datetime) -> dict[str, int]:
    """The daily round: follow-ups, conflicts (a safety net behind the event handlers), plan
    top-up for collaborations that keep a horizon, and drift notices."""
    result = {"held": settle(session, now)}
    conflicts, _ = scan_conflicts(session, now)
    result["conflicts"] = sum(1 for report in conflicts if report.new)
    result["topped_up"] = top_up(session, now)
    result["drift_notices"] = check_drift(session, now, None, Composer(session, now))
    return result


def top_up(session: Session, now: datetime) -> int:
    """Plan the next meetings of collaborations that keep meetings planned N weeks ahead."""
    collabs = session.scalars(
        select(Collaboration).where(Collaboration.keep_planned_weeks.is_not(None))
    )
    planned = 0
    for collab in list(collabs):
        zone = ZoneInfo(collab.timezone)
        today = now.astimezone(zone).date()
        until = today + timedelta(weeks=collab.keep_planned_weeks or 0)
        last = session.scalar(
            select(func.max(Meeting.day)).where(
                Meeting.collaboration_id == collab.id,
                Meeting.status.in_((MeetingStatus.CONFIRMED, MeetingStatus.HELD)),
            )
        )
        if last is not None and last + timedelta(weeks=collab.target_weeks) > until:
            continue
        first = max(today, last + timedelta(days=1)) if last else today
        try:
            with session.begin_nested():
                preview = preview_plan(session, collab, now, first=first, last=until)
                if preview.new_meetings:
                    planned += len(confirm_plan(session, preview, now))
        except PlannerError as error:
            log.info("top-up of collaboration %s: %s", collab.id, error)
    return planned


def weekly_digest(session: Session, now: datetime) -> int:
    """One mail per coordinator with every collaboration they coordinate, once per ISO week:
    the dashboard's rows (services.dashboard), in the coordinator's language."""
    year, week, _ = now.astimezone(ZoneInfo("Europe/Amsterdam")).isocalendar()
    collabs = list_collaborations(session)
    # No fill-in search here: the mail links to the dashboard, which proposes the dates.
    rows = {
        row.collaboration.id: row for row in overview_rows(session, collabs, now, fill_in_limit=0)
    }
    by_person: dict[int, list[Collaboration]] = defaultdict(list)
    people = {}
    for collab in collabs:
        for person in coordinators(collab):
            by_person[person.id].append(collab)
            people[person.id] = person
    composer = Composer(session, now)
    refused = refused_replies(session, now - timedelta(days=7))
    count = 0
    for person_id, mine in by_person.items():
        person = people[person_id]
        with force_locale(person.language):
            locale = person.language
            ordered = sorted(mine, key=lambda collab: URGENCY[rows[collab.id].health])
            blocks = [_digest_block(rows[collab.id], locale) for collab in ordered]
            ids = {collab.id for collab in mine}
            theirs = [item for item in refused if item[1].collaboration_id in ids]
            if theirs:
                blocks.append(_refused_block(theirs, locale))
            content = Content(
                ngettext(
                    "Weekly overview: %(num)d collaboration",
                    "Weekly overview: %(num)d collaborations",
                    len(mine),
                ),
                gettext("Dear %(name)s,", name=person.name),
                [gettext("How your collaborations are doing this week, the most urgent first.")],
                blocks,
            )
        if composer.queue(
            MailKind.DIGEST, digest_key("digest", person.id, f"{year}-W{week:02d}"), person, content
        ):
            count += 1
    return count


def _refused_block(refused: list[tuple[Any, ReplyRefused]], locale: str) -> Block:
    """The calendar answers of the week the planner could not take, and why."""
    return Block(
        gettext("Answers the planner could not take"),
        [
            gettext(
                "%(when)s, from %(sender)s: %(reason)s",
                when=format_moment(event.created_at, locale),
                sender=payload.sender,
                reason=gettext(payload.message, **payload.params),
            )
            for event, payload in refused
        ]
        + [gettext("Ask them to answer again with the link in the invitation mail.")],
    )


def _digest_block(row: DashboardRow, locale: str) -> Block:
    """One collaboration in the digest: the dashboard row's words."""
    view = row_view(row, locale)
    block = Block(row.collaboration.name)
    block.lines.append(gettext("Status: %(status)s", status=view.word))
    meeting = row.next_meeting
    if meeting is not None:
        block.lines.append(gettext("Next meeting: %(day)s", day=when(meeting, locale)))
        if view.answers_text:
            block.lines.append(
                gettext(
                    "Answers for %(when)s: %(answers)s",
                    when=when(meeting, locale),
                    answers=view.answers_text,
                )
            )
    for line in (view.gap_text, view.worst_text, view.conflicts_text):
        if line:
            block.lines.append(line)
    return block


def calendar_parts(message: Message) -> list[bytes]:
    """The iCalendar parts of a mail: text/calendar bodies and .ics attachments."""
    found = []
    for part in message.walk():
        filename = (part.get_filename() or "").lower()
        if part.get_content_type() in {"text/calendar", "application/ics"} or filename.endswith(
            ".ics"
        ):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload not in found:
                found.append(payload)
    return found


def _mail_date(message: Message, now: datetime) -> datetime:
    """When a mailed reply was sent: its Date header (never later than now), else now."""
    try:
        sent = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return now
    if sent is None or sent.tzinfo is None:
        return now
    return min(sent.astimezone(UTC), now)


def read_reply_mailbox(session_factory, path: str, now: datetime) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Apply the iTIP REPLYs in a Maildir's new mail; file each message under `.processed` or
    `.rejected`. Returns (applied, rejected)."""
    box = mailbox.Maildir(path, create=False)
    folders = box.list_folders()
    processed, rejected = (
        box.get_folder(name) if name in folders else box.add_folder(name)
        for name in ("processed", "rejected")
    )
    applied = refused = 0
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        sender = parseaddr(str(message.get("From", "")))[1]
        received = _mail_date(message, now)
        parts = calendar_parts(message)
        ok = False
        with session_factory() as session:
            try:
                for part in parts:
                    apply_reply(session, part, now, sender=sender, received=received)
                ok = bool(parts)
                session.commit()
            except PlannerError as error:
                session.rollback()
                log.warning("reply from %s refused: %s", sender, error)
                if parts:  # an error is only raised for a mail with a calendar part
                    record_refused_reply(session, parts[0], sender, error, now)
                session.commit()
        (processed if ok else rejected).add(message)
        box.remove(key)
        if ok:
            applied += 1
        else:
            refused += 1
    return applied, refused
