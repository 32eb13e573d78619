"""Series polls: ask the collaboration's people about a proposed plan before confirming it.

A poll holds the proposal's new dates and, per date, its nearest alternatives (ranked as the
plan wizard ranks them, planner.services.plan_choices). Everyone of the collaboration but the
coordinator who starts it gets one mail with a secret link (only its SHA-256 is stored) to mark
each date "kan" / "liever niet" / "kan niet", as often as she likes until the poll is confirmed;
an answer after that is kept as late and shown, never applied. The deadline lies at the latest
where confirming still gives the first proposed date its minimum notice; one reminder goes to
those who have not answered two days before it. The re-plan uses the answers; confirming it
stores the meetings through planning.confirm_plan, so the invitations go out as always.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from planner.calendar_nl import school_year_of
from planner.domain.kinds import PollChoice
from planner.domain.notice import earliest_day
from planner.domain.secrets import hash_secret, new_secret, plausible_secret
from planner.errors import N_, ConflictError, NotFoundError, PlannerError, ValidationError
from planner.events import EventKind, PollAnswered, PollRef, append_event
from planner.inputs import parse_date, parse_id
from planner.models import (
    Collaboration,
    Meeting,
    Organisation,
    Person,
    Poll,
    PollAnswer,
    PollDate,
    PollInvitee,
    PollLink,
    PollStatus,
)
from planner.services import planning
from planner.services.alternatives import Alternative
from planner.services.attendance import organizer_of
from planner.services.collaborations import get_collaboration
from planner.services.plan_choices import plan_alternatives
from planner.services.plan_context import ACTIVE, load_context, school_day_of, zone_of
from planner.text.formatting import format_day

# How many other dates a poll offers per proposed date.
ALTERNATIVES_PER_DATE = 2
# The deadline when the coordinator gives none (and the notice leaves room for it).
DEADLINE_DAYS = 7
# The one reminder goes this long before the deadline, to those who have not answered.
REMINDER_BEFORE = timedelta(days=2)

# Words for the choices, in both languages (the page and the API send the values).
CHOICE_WORDS: dict[str, PollChoice] = {
    "kan": PollChoice.YES,
    "ja": PollChoice.YES,
    "liever-niet": PollChoice.MAYBE,
    "misschien": PollChoice.MAYBE,
    "kan-niet": PollChoice.NO,
    "nee": PollChoice.NO,
}


# --- finding polls and links ---------------------------------------------------------------


def get_poll(session: Session, ref: str | int) -> Poll:
    """Return a poll by id, or raise NotFoundError."""
    poll_id = parse_id(ref)
    poll = session.get(Poll, poll_id) if poll_id else None
    if poll is None:
        raise NotFoundError(N_("There is no poll %(ref)s."), ref=str(ref).strip()[:40])
    return poll


def polls_of(session: Session, collab: Collaboration) -> list[Poll]:
    """Every poll of a collaboration, newest first."""
    return list(
        session.scalars(
            select(Poll).where(Poll.collaboration_id == collab.id).order_by(Poll.id.desc())
        )
    )


def open_poll(session: Session, collab: Collaboration, school_year: str) -> Poll | None:
    """The open poll of a collaboration for a school year, if any."""
    return session.scalar(
        select(Poll).where(
            Poll.collaboration_id == collab.id,
            Poll.school_year == school_year,
            Poll.status == PollStatus.OPEN,
        )
    )


@dataclass(frozen=True)
class PollAccess:
    """What a live poll link opens: the poll and the invitee it was mailed to."""

    link: PollLink
    invitee: PollInvitee
    poll: Poll
    person: Person


def resolve_link(session: Session, secret: str) -> PollAccess:
    """Return what a poll link opens, or raise NotFoundError (forged, mistyped, or the person
    was taken off the poll). Changes nothing."""
    link = (
        session.scalar(select(PollLink).where(PollLink.token_hash == hash_secret(secret)))
        if plausible_secret(secret)
        else None
    )
    invitee = session.get(PollInvitee, link.invitee_id) if link else None
    if invitee is not None and invitee.person_id not in {
        person.person_id for person in invitee.poll.collaboration.people
    }:
        invitee = None  # she left the collaboration: her link no longer answers for it
    if link is None or invitee is None:
        raise NotFoundError(
            N_(
                "This poll link is not valid. It may be incomplete or mistyped: ask the"
                " coordinator of the collaboration for a new one."
            )
        )
    return PollAccess(link, invitee, invitee.poll, invitee.person)


def issue_link(session: Session, invitee: PollInvitee, now: datetime) -> str:
    """Make a new answer-link secret for an invitee (one per mail); return the secret."""
    secret = new_secret()
    session.add(PollLink(token_hash=hash_secret(secret), invitee_id=invitee.id, created_at=now))
    return secret


# --- starting a poll -----------------------------------------------------------------------


def latest_deadline(
    session: Session, collab: Collaboration, first_day: date, today: date, locale: str = "nl"
) -> date | None:
    """The last day answers may be asked for: confirming at its end still gives a meeting on
    `first_day` the collaboration's minimum notice (None: no such day from today)."""
    ctx = load_context(session, collab, today, first_day + timedelta(days=1), locale)
    school_day = school_day_of(ctx)
    day = first_day - timedelta(days=1)
    while day >= today:
        if earliest_day(day, collab.notice_days, school_day) <= first_day:
            return day
        day -= timedelta(days=1)
    return None


def deadline_instant(collab: Collaboration, day: date) -> datetime:
    """The end of a deadline day in the collaboration's zone, as an aware instant."""
    zone = zone_of(collab)
    return datetime.combine(day + timedelta(days=1), time(0, 0), zone)


def deadline_day(poll: Poll) -> date:
    """The last day of a poll's answers, in its collaboration's zone."""
    zone = zone_of(poll.collaboration)
    return (poll.deadline_at.astimezone(zone) - timedelta(days=1)).date()


def start_poll(
    session: Session,
    collab: Collaboration,
    now: datetime,
    *,
    by: Person | None = None,
    school_year: str | None = None,
    first: date | None = None,
    last: date | None = None,
    count: int | None = None,
    days: Sequence[date] | None = None,
    deadline: date | None = None,
    locale: str = "nl",
) -> Poll:
    """Start a poll on the plan `preview_plan` proposes (or on the chosen `days`): its new
    dates with their nearest alternatives, a deadline and one reminder; one mail per person
    follows (event poll.started)."""
    preview = planning.preview_plan(
        session,
        collab,
        now,
        school_year=school_year,
        first=first,
        last=last,
        count=count,
        days=days,
        locale=locale,
        short_notice=days is not None,
    )
    year = preview.school_year or school_year_of(preview.first_day)
    if open_poll(session, collab, year) is not None:
        raise ConflictError(
            N_(
                "%(name)s already has an open poll for school year %(year)s: confirm or cancel"
                " it first."
            ),
            name=collab.name,
            year=year,
        )
    new = preview.new_meetings
    if not new:
        raise ValidationError(N_("Nothing to ask: this period is planned already."))
    asked = _people_to_ask(collab, by)
    if not asked:
        raise ValidationError(
            N_("Nobody to ask: add participants to the collaboration first, then start a poll.")
        )
    today = now.astimezone(zone_of(collab)).date()
    chosen = _deadline_day(session, collab, new[0].day, today, deadline, locale)
    deadline_at = deadline_instant(collab, chosen)
    reminder_at = deadline_at - REMINDER_BEFORE
    poll = Poll(
        collaboration_id=collab.id,
        school_year=year,
        first_day=preview.first_day,
        last_day=preview.last_day,
        count=len(new),
        status=PollStatus.OPEN,
        deadline_at=deadline_at,
        reminder_at=reminder_at if reminder_at > now else None,
        created_by_id=by.id if by else None,
        created_at=now,
        updated_at=now,
    )
    session.add(poll)
    session.flush()
    alternatives = plan_alternatives(
        session, preview, now, locale=locale, limit=ALTERNATIVES_PER_DATE + len(new)
    )
    taken = {item.day for item in new}
    for slot, item in enumerate(new):
        session.add(_poll_date(poll, item, slot, proposed=True))
        offered = 0
        for alt in alternatives.get(item.day, []):
            if offered >= ALTERNATIVES_PER_DATE:
                break
            if alt.day in taken:
                continue
            taken.add(alt.day)
            offered += 1
            session.add(_poll_date(poll, alt, slot, proposed=False))
    for person in asked:
        session.add(PollInvitee(poll_id=poll.id, person_id=person.id, created_at=now))
    session.flush()
    session.refresh(poll)
    append_event(session, EventKind.POLL_STARTED, PollRef(poll.id, collab.id), now)
    return poll


def _poll_date(
    poll: Poll, when: planning.ProposedMeeting | Alternative, slot: int, *, proposed: bool
) -> PollDate:
    """A date asked about: a slot's proposed meeting, or one of its alternatives."""
    return PollDate(
        poll_id=poll.id,
        day=when.day,
        starts_at=when.starts_at,
        ends_at=when.ends_at,
        slot=slot,
        proposed=proposed,
    )


def _people_to_ask(collab: Collaboration, by: Person | None) -> list[Person]:
    """The collaboration's participants and coordinators, but the one who starts the poll (or,
    from the CLI and API, the organizer)."""
    starter = by or organizer_of(collab)
    found: dict[int, Person] = {}
    for link in collab.people:
        if starter is None or link.person_id != starter.id:
            found.setdefault(link.person_id, link.person)
    return list(found.values())


def _deadline_day(
    session: Session,
    collab: Collaboration,
    first_day: date,
    today: date,
    asked: date | None,
    locale: str,
) -> date:
    latest = latest_deadline(session, collab, first_day, today, locale)
    if latest is None:
        raise ValidationError(
            N_(
                "The first proposed date, %(day)s, is too soon to ask first: there would be no"
                " time left for the minimum notice of %(notice)s school days. Confirm the plan"
                " directly, or plan from a later date."
            ),
            day=format_day(first_day, locale),
            notice=collab.notice_days,
        )
    if asked is None:
        return min(today + timedelta(days=DEADLINE_DAYS), latest)
    if asked < today:
        raise ValidationError(
            N_("The deadline %(day)s is in the past."), day=format_day(asked, locale)
        )
    if asked > latest:
        raise ValidationError(
            N_(
                "The deadline can be %(latest)s at the latest: a later one leaves the first"
                " proposed date, %(day)s, less than the minimum notice of %(notice)s school"
                " days."
            ),
            latest=format_day(latest, locale),
            day=format_day(first_day, locale),
            notice=collab.notice_days,
        )
    return asked


# --- answering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """What an answer did: how many dates were marked, and whether it came too late to count."""

    poll: Poll
    person: Person
    count: int
    late: bool


def parse_choice(value: object) -> PollChoice:
    """A choice given as yes/maybe/no or as kan / liever niet / kan niet."""
    text = str(value or "").strip().lower().replace("_", "-").replace(" ", "-")
    for member in PollChoice:
        if text == member.value:
            return member
    if text in CHOICE_WORDS:
        return CHOICE_WORDS[text]
    raise ValidationError(
        N_("'%(value)s' is not an answer: choose kan (yes), liever niet (maybe) or kan niet (no)."),
        value=str(value)[:40],
    )


def answer(
    session: Session,
    secret: str,
    choices: Mapping[str, object],
    now: datetime,
    locale: str = "nl",
) -> Answered:
    """Record an invitee's choices (ISO day -> choice) through her link. Every date is checked
    before anything is stored; after the confirmation the answer is stored as late."""
    access = resolve_link(session, secret)
    poll = access.poll
    if poll.status is PollStatus.CANCELLED:
        raise ConflictError(N_("This poll was cancelled: no answer is needed any more."))
    if not choices:
        raise ValidationError(N_("Mark at least one date."))
    offered = {item.day for item in poll.dates}
    parsed: dict[date, PollChoice] = {}
    for key, value in choices.items():
        day = parse_date(key, "day")
        if day not in offered:
            raise ValidationError(
                N_("%(day)s is not one of the dates of this poll."), day=format_day(day, locale)
            )
        parsed[day] = parse_choice(value)
    late = poll.status is PollStatus.CONFIRMED
    invitee = access.invitee
    stored = {
        row.day: row
        for row in session.scalars(
            select(PollAnswer).where(PollAnswer.invitee_id == invitee.id, PollAnswer.late == late)
        )
    }
    for day, choice in parsed.items():
        row = stored.get(day)
        if row is None:
            session.add(
                PollAnswer(
                    invitee_id=invitee.id, day=day, choice=choice, late=late, answered_at=now
                )
            )
        elif row.choice is not choice:
            row.choice = choice
            row.answered_at = now
    if not late:
        invitee.answered_at = now
    access.link.last_used_at = now
    session.flush()
    append_event(
        session,
        EventKind.POLL_ANSWERED,
        PollAnswered(
            poll.id,
            poll.collaboration_id,
            access.person.id,
            [day.isoformat() for day in sorted(parsed)],
            late,
        ),
        now,
    )
    return Answered(poll, access.person, len(parsed), late)


def answers_of(session: Session, invitee: PollInvitee) -> dict[date, PollChoice]:
    """An invitee's choices as they count (late ones are not among them)."""
    rows = session.scalars(
        select(PollAnswer).where(PollAnswer.invitee_id == invitee.id, PollAnswer.late.is_(False))
    )
    return {row.day: row.choice for row in rows}


def answer_map(session: Session, poll: Poll) -> dict[date, dict[int, PollChoice]]:
    """The answers that count, as the planner takes them: every date of the poll -> person id
    -> choice (an empty mapping for a date nobody answered yet)."""
    found: dict[date, dict[int, PollChoice]] = {item.day: {} for item in poll.dates}
    people = {invitee.id: invitee.person_id for invitee in poll.invitees}
    rows = session.scalars(
        select(PollAnswer).where(
            PollAnswer.invitee_id.in_(list(people)), PollAnswer.late.is_(False)
        )
    )
    for row in rows:
        found.setdefault(row.day, {})[people[row.invitee_id]] = row.choice
    return found


# --- the tally and the re-plan -------------------------------------------------------------


@dataclass
class DateTally:
    """The answers for one date of a poll."""

    date: PollDate
    yes: list[Person] = field(default_factory=list)
    maybe: list[Person] = field(default_factory=list)
    no: list[Person] = field(default_factory=list)
    pending: list[Person] = field(default_factory=list)
    # Member schools with someone who can (or would rather not, but can) come.
    schools: list[Organisation] = field(default_factory=list)
    missing_schools: list[Organisation] = field(default_factory=list)


@dataclass(frozen=True)
class LateAnswer:
    """An answer given after the confirmation: shown to the coordinator, not applied."""

    person: Person
    day: date
    choice: PollChoice
    answered_at: datetime


@dataclass
class PollTally:
    """Every date's answers, by meeting slot, and the late answers."""

    poll: Poll
    dates: list[DateTally]
    late: list[LateAnswer]
    asked: int
    answered: int

    def slots(self) -> list[list[DateTally]]:
        """The dates grouped by the meeting they would be, the proposed date first."""
        groups: dict[int, list[DateTally]] = {}
        for item in self.dates:
            groups.setdefault(item.date.slot, []).append(item)
        return [
            sorted(group, key=lambda row: (not row.date.proposed, row.date.day))
            for _, group in sorted(groups.items())
        ]


def tally(session: Session, poll: Poll) -> PollTally:
    """Count the answers per date: kan, liever niet, kan niet, not answered yet, and which
    member schools are represented."""
    invitees = list(poll.invitees)
    by_id = {invitee.id: invitee for invitee in invitees}
    members = [member.organisation for member in poll.collaboration.members]
    rows = list(
        session.scalars(
            select(PollAnswer)
            .where(PollAnswer.invitee_id.in_(list(by_id)))
            .order_by(PollAnswer.answered_at, PollAnswer.id)
        )
    )
    counted = {(row.invitee_id, row.day): row.choice for row in rows if not row.late}
    dates: list[DateTally] = []
    for item in poll.dates:
        row = DateTally(item)
        for invitee in invitees:
            choice = counted.get((invitee.id, item.day))
            target = {
                PollChoice.YES: row.yes,
                PollChoice.MAYBE: row.maybe,
                PollChoice.NO: row.no,
                None: row.pending,
            }[choice]
            target.append(invitee.person)
        present = {person.organisation_id for person in row.yes + row.maybe}
        row.schools = [org for org in members if org.id in present]
        row.missing_schools = [org for org in members if org.id not in present]
        dates.append(row)
    late = [
        LateAnswer(by_id[row.invitee_id].person, row.day, row.choice, row.answered_at)
        for row in rows
        if row.late
    ]
    answered = sum(1 for invitee in invitees if invitee.answered_at is not None)
    return PollTally(poll, dates, late, len(invitees), answered)


def replan(session: Session, poll: Poll, now: datetime, locale: str = "nl") -> planning.PlanPreview:
    """The plan with the answers (what confirming the poll would store): the planner weighs
    "kan niet" and "liever niet", prefers the dates that were asked about, and every member
    school represented."""
    return planning.preview_plan(
        session,
        poll.collaboration,
        now,
        first=poll.first_day,
        last=poll.last_day,
        count=poll.count,
        locale=locale,
        answers=answer_map(session, poll),
    )


@dataclass
class PollReport:
    """A poll as its coordinator sees it: the tally and, while it is open, the re-plan (or why
    there is none)."""

    poll: Poll
    tally: PollTally
    replan: planning.PlanPreview | None = None
    refusal: PlannerError | None = None


def report(session: Session, poll: Poll, now: datetime, locale: str = "nl") -> PollReport:
    """The tally beside the re-plan; reads only."""
    counted = tally(session, poll)
    if poll.status is not PollStatus.OPEN:
        return PollReport(poll, counted)
    try:
        return PollReport(poll, counted, replan(session, poll, now, locale))
    except PlannerError as error:  # e.g. the period filled up since: shown, not raised
        return PollReport(poll, counted, refusal=error)


# --- closing -------------------------------------------------------------------------------


def _close(session: Session, poll: Poll, status: PollStatus, now: datetime) -> None:
    """Close an open poll, once: the status flips only where it is still open, so of two
    confirmations (two tabs, the page and the CLI) one wins and the other is refused. The
    caller's transaction holds the rest of the change (it all rolls back on a refusal)."""
    flipped = session.execute(
        update(Poll)
        .where(Poll.id == poll.id, Poll.status == PollStatus.OPEN)
        .values(status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(poll)
    if getattr(flipped, "rowcount", 0) != 1:
        _require_open(poll)
        raise ConflictError(N_("This poll is closed."))


def _require_open(poll: Poll) -> None:
    if poll.status is PollStatus.CONFIRMED:
        raise ConflictError(N_("This poll is confirmed already: its meetings are planned."))
    if poll.status is PollStatus.CANCELLED:
        raise ConflictError(N_("This poll was cancelled."))


def confirm_poll(
    session: Session,
    poll: Poll,
    now: datetime,
    *,
    seen: Sequence[date] | None = None,
    locale: str = "nl",
) -> list[Meeting]:
    """Store the re-plan as confirmed meetings (invitations follow as for every plan) and close
    the poll. `seen`: the new days the coordinator looked at; new answers since then change
    the re-plan, and she must look again."""
    _close(session, poll, PollStatus.CONFIRMED, now)
    added = session.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.collaboration_id == poll.collaboration_id,
            Meeting.status.in_(ACTIVE),
            Meeting.day >= poll.first_day,
            Meeting.day <= poll.last_day,
            or_(Meeting.created_at > poll.created_at, Meeting.updated_at > poll.created_at),
        )
    )
    if added:
        raise ConflictError(
            N_(
                "Meetings were planned or moved into these dates since the poll started: its"
                " dates no longer fit. Cancel the poll, or plan again from the preview."
            )
        )
    preview = replan(session, poll, now, locale)
    if seen is not None and sorted(seen) != [item.day for item in preview.new_meetings]:
        raise ConflictError(
            N_("New answers changed the re-plan since you looked at it: check it, then confirm.")
        )
    created = planning.confirm_plan(session, preview, now)
    poll.confirmed_at = now
    poll.plan_key = created[0].plan_key if created else None
    session.flush()
    append_event(session, EventKind.POLL_CONFIRMED, PollRef(poll.id, poll.collaboration_id), now)
    return created


def cancel_poll(session: Session, poll: Poll, now: datetime) -> Poll:
    """Close a poll without planning anything; its links then say it was cancelled."""
    _close(session, poll, PollStatus.CANCELLED, now)
    poll.cancelled_at = now
    session.flush()
    append_event(session, EventKind.POLL_CANCELLED, PollRef(poll.id, poll.collaboration_id), now)
    return poll


# --- the reminder and the deadline ---------------------------------------------------------


@dataclass(frozen=True)
class DueDone:
    """What the periodic check started: reminders and deadline notices (events)."""

    reminders: int
    deadlines: int


def run_due(session: Session, now: datetime) -> DueDone:
    """Start the reminder of each open poll whose moment came (once), and tell the coordinators
    of each open poll whose deadline passed (once)."""
    reminders = list(
        session.scalars(
            select(Poll).where(
                Poll.status == PollStatus.OPEN,
                Poll.reminder_at <= now,
                Poll.reminded_at.is_(None),
                Poll.deadline_at > now,
            )
        )
    )
    for poll in reminders:
        poll.reminded_at = now
        append_event(
            session, EventKind.POLL_REMINDER_DUE, PollRef(poll.id, poll.collaboration_id), now
        )
    deadlines = list(
        session.scalars(
            select(Poll).where(
                Poll.status == PollStatus.OPEN,
                Poll.deadline_at <= now,
                Poll.deadline_told_at.is_(None),
            )
        )
    )
    for poll in deadlines:
        poll.deadline_told_at = now
        append_event(
            session, EventKind.POLL_DEADLINE_PASSED, PollRef(poll.id, poll.collaboration_id), now
        )
    session.flush()
    return DueDone(len(reminders), len(deadlines))


def to_mail(poll: Poll) -> list[PollInvitee]:
    """The invitees who have not had the poll's mail yet (none once it is closed)."""
    if poll.status is not PollStatus.OPEN:
        return []
    return [invitee for invitee in poll.invitees if invitee.mailed_at is None]


def to_remind(poll: Poll) -> list[PollInvitee]:
    """The invitees the reminder is for: mailed, not answered, not reminded yet."""
    if poll.status is not PollStatus.OPEN:
        return []
    return [
        invitee
        for invitee in poll.invitees
        if invitee.mailed_at is not None
        and invitee.answered_at is None
        and invitee.reminded_at is None
    ]


def poll_of_collaboration(session: Session, collab_ref: str | int, poll_ref: str | int) -> Poll:
    """A poll that belongs to the collaboration, or NotFoundError (never another's)."""
    collab = get_collaboration(session, collab_ref)
    poll = get_poll(session, poll_ref)
    if poll.collaboration_id != collab.id:
        raise NotFoundError(N_("There is no poll %(ref)s."), ref=str(poll_ref).strip()[:40])
    return poll


def parse_seen(values: Iterable[object]) -> list[date]:
    """The days a coordinator saw in the re-plan, as sent back by a form or the API."""
    return sorted(parse_date(value, "days") for value in values)
