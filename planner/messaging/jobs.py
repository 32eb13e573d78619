"""The worker's periodic jobs: reminders (every minute), the daily round (drift, follow-ups,
conflicts, plan top-up), the weekly digest, reading REPLY mails from a mailbox folder, and
fetching the calendars schools linked by address and the people's own free/busy addresses."""

from __future__ import annotations

import logging
import mailbox
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.drift import URGENCY
from planner.domain.kinds import AttendanceStatus, MailKind, MeetingStatus
from planner.errors import N_, PlannerError
from planner.events import ReplyRefused
from planner.messaging.composer import Composer
from planner.messaging.content import Block, Content, digest_key, when
from planner.messaging.notices import check_drift
from planner.models import Attendance, CalendarSource, Collaboration, Meeting, PersonCalendar
from planner.presenters.dashboard import row_view
from planner.services import calendar_sync, person_calendars, polls
from planner.services.attendance import (
    apply_reply,
    invitees_of,
    record_refused_reply,
    refused_replies,
)
from planner.services.calendar_fetch import Fetched
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


def poll_deadlines(session: Session, now: datetime) -> dict[str, int]:
    """Series polls: start each due reminder (once) and tell the coordinators of each passed
    deadline (once); the event handlers (planner.messaging.poll_mails) write the mails."""
    done = polls.run_due(session, now)
    return {"reminders": done.reminders, "deadlines": done.deadlines}


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


Target = TypeVar("Target", CalendarSource, PersonCalendar)
Outcome = TypeVar("Outcome", calendar_sync.SyncOutcome, person_calendars.PersonSyncOutcome)


@dataclass
class RoundCounts(Generic[Outcome]):
    """What one round of fetching calendars by address did."""

    fetched: int = 0
    not_modified: int = 0
    changed: int = 0
    failed: int = 0
    outcomes: list[Outcome] = field(default_factory=list)


@dataclass
class SyncRound(RoundCounts[calendar_sync.SyncOutcome]):
    """What one round of calendar fetches did."""

    people: PersonRound | None = None  # the people's own addresses (not in a school's round)


@dataclass
class PersonRound(RoundCounts[person_calendars.PersonSyncOutcome]):
    """What one round of fetching people's own free/busy addresses did."""


def sync_calendars(
    session_factory: Callable[[], Any],
    config: Mapping[str, Any],
    now: datetime,
    *,
    organisation_id: int | None = None,
    everything: bool = False,
) -> SyncRound:
    """Fetch the linked calendars that are due (or all of them, or one school's), at most
    SYNC_CONCURRENCY at a time with no transaction open, then apply the answers: the 304s in
    one statement, every other answer in a transaction of its own."""
    settings = calendar_sync.SyncSettings.from_config(config)
    with session_factory() as session:
        if everything or organisation_id is not None:
            found = calendar_sync.list_sources(session)
            due = [s for s in found if organisation_id in (None, s.organisation_id)]
        else:
            due = calendar_sync.due_sources(session, now, int(config.get("SYNC_BATCH", 1000)))
    result = SyncRound()
    if organisation_id is None:
        try:  # the people's addresses on their own: a fault there never stops the schools'
            result.people = sync_person_calendars(
                session_factory, config, now, everything=everything
            )
        except Exception:
            log.exception("fetching the people's own calendars failed")
    _fetch_and_apply(
        session_factory,
        config,
        now,
        settings,
        due,
        result,
        model=CalendarSource,
        fetch=lambda source: calendar_sync.fetch_source(source, settings),
        apply=lambda session, source, answer: calendar_sync.apply_fetch(
            session, source, answer, now, settings
        ),
        changed=lambda outcome: bool(outcome.changes),
        threads="calendar-sync",
        what="calendar",
    )
    return result


def sync_person_calendars(
    session_factory: Callable[[], Any],
    config: Mapping[str, Any],
    now: datetime,
    *,
    everything: bool = False,
) -> PersonRound:
    """Fetch the people's own free/busy addresses that are due (or all), as the schools'
    calendars are fetched: concurrently with no transaction open, the 304s in one statement,
    every other answer in a transaction of its own. Logs ids only: an address is a secret."""
    settings = calendar_sync.SyncSettings.from_config(config)
    with session_factory() as session:
        due = (
            person_calendars.all_calendars(session)
            if everything
            else person_calendars.due_calendars(session, now, int(config.get("SYNC_BATCH", 1000)))
        )
    result = PersonRound()
    _fetch_and_apply(
        session_factory,
        config,
        now,
        settings,
        due,
        result,
        model=PersonCalendar,
        fetch=lambda calendar: calendar_sync.fetch_source(
            person_calendars.fetch_target(calendar, now), settings
        ),
        apply=lambda session, calendar, answer: person_calendars.apply_fetch(
            session, calendar, answer, now, settings
        ),
        changed=lambda outcome: outcome.changed,
        threads="person-sync",
        what="person calendar",
    )
    return result


def _fetch_and_apply(
    session_factory: Callable[[], Any],
    config: Mapping[str, Any],
    now: datetime,
    settings: calendar_sync.SyncSettings,
    due: Sequence[Target],
    result: RoundCounts[Outcome],
    *,
    model: type[Target],
    fetch: Callable[[Target], Fetched | PlannerError],
    apply: Callable[[Session, Target, Fetched | PlannerError], Outcome],
    changed: Callable[[Outcome], bool],
    threads: str,
    what: str,
) -> None:
    """One round over calendars fetched by address (a school's or a person's): fetch them
    SYNC_CONCURRENCY at a time with no transaction open, record the 304s in one statement,
    then apply every other answer in a transaction of its own, so one bad calendar never undoes
    another's change and the write lock is never held for the whole round. Logs ids only."""
    if not due:
        return
    workers = max(1, min(int(config.get("SYNC_CONCURRENCY", 8)), len(due)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=threads) as pool:
        answers = list(pool.map(fetch, due))
    result.fetched = len(due)
    unchanged = [
        target.id
        for target, answer in zip(due, answers, strict=True)
        if isinstance(answer, Fetched) and answer.not_modified
    ]
    result.not_modified = len(unchanged)
    rest = [
        (target.id, answer)
        for target, answer in zip(due, answers, strict=True)
        if target.id not in set(unchanged)
    ]
    with session_factory() as session:
        sqlite = session.get_bind().dialect.name == "sqlite"

        def begin() -> None:
            if sqlite:  # take the write lock first (see Worker._begin)
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")

        begin()
        calendar_sync.record_not_modified(session, model, unchanged, now, settings)
        session.commit()
        for target_id, answer in rest:
            try:
                begin()
                target = session.get(model, target_id)
                if target is None:
                    session.rollback()
                    continue  # removed meanwhile
                outcome = apply(session, target, answer)
                session.commit()
            except Exception as error:
                session.rollback()
                log.exception("applying %s %s failed", what, target_id)
                begin()
                target = session.get(model, target_id)
                if target is None:
                    session.rollback()
                    continue
                outcome = apply(
                    session,
                    target,
                    PlannerError(
                        N_("The calendar could not be read: %(error)s"),
                        error=type(error).__name__,
                    ),
                )
                session.commit()
            result.outcomes.append(outcome)
            if not outcome.ok:
                result.failed += 1
            elif changed(outcome):
                result.changed += 1
            elif outcome.not_modified:
                result.not_modified += 1
