"""A person's own availability: the free/busy addresses she gives (a Google Calendar secret iCal
address, an Outlook published calendar, a CalDAV free/busy URL), fetched at once and then on
the schedule of the schools' calendars, and the busy intervals read from them.

Only when she is busy is stored (planner.calendar_nl.free_busy reads nothing else): no titles,
descriptions, places or attendees. The address is itself a secret (whoever holds it reads her
calendar), so it is shown only as its host and never logged. She removes an address and all it
brought at any time. What fails (the fetch, a 404, garbage) keeps the last good intervals and
records the error and since when; a calendar that holds nothing is plausible for a person (an
empty week), so it is stored as such and the page says so.

Fetching is planner.services.calendar_fetch through planner.services.calendar_sync, as for a
school's calendar. The page opens with a secret link (person_link, stored hashed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from planner.calendar_nl.free_busy import busy_intervals
from planner.domain.people_costs import split_at_midnights
from planner.domain.secrets import hash_secret, new_secret
from planner.errors import N_, ConflictError, NotFoundError, PlannerError, ValidationError
from planner.inputs import parse_id
from planner.models import Person, PersonBusy, PersonCalendar, PersonLink
from planner.services.attendance import LinkError, LinkProblem, live_link
from planner.services.calendar_fetch import Fetched, Validated, check_url
from planner.services.calendar_sync import (
    ZONE,
    SyncSettings,
    begin_applying,
    due_for_fetch,
    error_json,
    fetch_source,
    mark_failed,
    mark_succeeded,
    store_validators,
    sync_window,
)

MAX_CALENDARS = 5  # addresses one person may give
LINK_DAYS = 180  # how long a link in a mail opens her page


@dataclass
class PersonSyncOutcome:
    """What one fetch of a person's address did."""

    calendar: PersonCalendar
    ok: bool
    not_modified: bool = False
    changed: bool = False
    busy: int = 0  # intervals stored now
    error: PlannerError | None = None

    @property
    def empty(self) -> bool:
        """The calendar gave no busy time in the window (not an error for a person)."""
        return self.ok and self.busy == 0


def host_of(url: str) -> str:
    """All of a secret address that is shown: its host."""
    return (urlsplit(url).hostname or "?").lower()


def busy_window(now: datetime) -> tuple[datetime, datetime]:
    """The time her busy intervals are kept for: from now to the end of next school year
    (the same school years a school's calendar is read for), in UTC."""
    _, last = sync_window(now)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=ZONE)
    return now, end.astimezone(UTC)


# --- Addresses ----------------------------------------------------------------------------------


def calendars_of(session: Session, person: Person) -> list[PersonCalendar]:
    """Her addresses, oldest first."""
    return list(
        session.scalars(
            select(PersonCalendar)
            .where(PersonCalendar.person_id == person.id)
            .order_by(PersonCalendar.id)
        )
    )


def get_calendar(session: Session, ref: int | str, person: Person | None = None) -> PersonCalendar:
    """An address by id (of this person, when given), or NotFoundError."""
    text = str(ref).strip()
    found = session.get(PersonCalendar, parsed) if (parsed := parse_id(text)) else None
    if found is None or (person is not None and found.person_id != person.id):
        raise NotFoundError(N_("Unknown free/busy address '%(ref)s'."), ref=text[:40])
    return found


def add_calendar(
    session: Session, person: Person, url: object, now: datetime, settings: SyncSettings
) -> PersonSyncOutcome:
    """Give a free/busy address: it is checked and fetched at once; an address that does not
    give a readable calendar is refused and nothing is stored."""
    if not isinstance(url, str):
        raise ValidationError(N_("Give the calendar's address, starting with https://."))
    checked = check_url(url)
    existing = calendars_of(session, person)
    if any(calendar.url == checked for calendar in existing):
        raise ConflictError(N_("You gave this address already."))
    if len(existing) >= MAX_CALENDARS:
        raise ValidationError(
            N_("At most %(max)s free/busy addresses per person; remove one first."),
            max=MAX_CALENDARS,
        )
    calendar = PersonCalendar(
        person_id=person.id, url=checked, next_run_at=now, created_at=now, updated_at=now
    )
    fetched = fetch_source(calendar, settings)
    if isinstance(fetched, PlannerError):
        raise fetched
    if fetched.body is None:  # a 304 to a GET without validators
        raise ValidationError(N_("The server answered 304 instead of the calendar."))
    intervals = busy_intervals(fetched.body, *busy_window(now))  # raises on garbage
    session.add(calendar)
    session.flush()
    return _store(session, calendar, fetched, intervals, now, settings)


def remove_calendar(session: Session, calendar: PersonCalendar) -> int:
    """Remove an address and every busy interval it gave; return how many intervals (as the
    page counted them: rows are the intervals cut at local midnights)."""
    removed = calendar.busy_count
    session.execute(
        delete(PersonBusy)
        .where(PersonBusy.person_calendar_id == calendar.id)
        .execution_options(synchronize_session=False)
    )
    session.delete(calendar)
    session.flush()
    return int(removed or 0)


def due_calendars(session: Session, now: datetime, limit: int) -> list[PersonCalendar]:
    """The addresses whose next fetch has come, longest waiting first."""
    return due_for_fetch(session, PersonCalendar, now, limit)


def all_calendars(session: Session) -> list[PersonCalendar]:
    """Every person's addresses."""
    return list(session.scalars(select(PersonCalendar).order_by(PersonCalendar.id)))


# --- Fetching -----------------------------------------------------------------------------------


@dataclass
class _Unconditional:
    """An address to fetch without validators (Validated, for calendar_sync.fetch_source)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


def window_moved(calendar: PersonCalendar, now: datetime) -> bool:
    """Whether the school years read changed since the last good fetch (a new school year
    began): then the calendar is read again even if it did not change."""
    return calendar.last_success_at is not None and sync_window(
        calendar.last_success_at
    ) != sync_window(now)


def fetch_target(calendar: PersonCalendar, now: datetime) -> Validated:
    """What to fetch: the address with its validators, or without them when the window moved."""
    return _Unconditional(calendar.url) if window_moved(calendar, now) else calendar


def sync_calendar(
    session: Session, calendar: PersonCalendar, now: datetime, settings: SyncSettings
) -> PersonSyncOutcome:
    """Fetch an address now and store what it says (the page's "fetch now", the CLI)."""
    fetched = fetch_source(fetch_target(calendar, now), settings)
    return apply_fetch(session, calendar, fetched, now, settings)


def apply_fetch(
    session: Session,
    calendar: PersonCalendar,
    fetched: Fetched | PlannerError,
    now: datetime,
    settings: SyncSettings,
) -> PersonSyncOutcome:
    """Store the busy intervals a fetch gave, or record why not (keeping the last good ones)."""
    begin_applying(session, calendar, now)
    if isinstance(fetched, PlannerError):
        return _failed(calendar, fetched, now, settings)
    same = (
        fetched.body is not None
        and hashlib.sha256(fetched.body).hexdigest() == calendar.content_hash
        and not window_moved(calendar, now)
    )
    if fetched.body is None or same:
        if fetched.body is not None:
            store_validators(calendar, fetched, calendar.content_hash or "")
        mark_succeeded(calendar, now, settings)
        return PersonSyncOutcome(calendar, True, not_modified=True, busy=calendar.busy_count)
    try:
        intervals = busy_intervals(fetched.body, *busy_window(now))
    except PlannerError as error:
        return _failed(calendar, error, now, settings)
    return _store(session, calendar, fetched, intervals, now, settings)


def _store(
    session: Session,
    calendar: PersonCalendar,
    fetched: Fetched,
    intervals: Sequence[tuple[datetime, datetime]],
    now: datetime,
    settings: SyncSettings,
) -> PersonSyncOutcome:
    """Replace the address's intervals by these (start and end only, cut at local midnights)."""
    session.execute(
        delete(PersonBusy)
        .where(PersonBusy.person_calendar_id == calendar.id)
        .execution_options(synchronize_session=False)
    )
    if intervals:
        session.execute(
            insert(PersonBusy),
            [
                {
                    "person_calendar_id": calendar.id,
                    "person_id": calendar.person_id,
                    "starts_at": start,
                    "ends_at": end,
                }
                # Cut at every local midnight: the planner reads a day's busy time by its
                # day and minutes (PersonBusy.day); busy_count stays the number of intervals.
                for start, end in split_at_midnights(intervals)
            ],
        )
    store_validators(calendar, fetched, hashlib.sha256(fetched.body or b"").hexdigest())
    calendar.busy_count = len(intervals)
    calendar.last_fetch_at = now
    mark_succeeded(calendar, now, settings)
    session.flush()
    return PersonSyncOutcome(calendar, True, changed=True, busy=len(intervals))


def _failed(
    calendar: PersonCalendar, error: PlannerError, now: datetime, settings: SyncSettings
) -> PersonSyncOutcome:
    stored = error_json(error)
    if "url" in stored["params"]:  # a redirect's address may carry the secret: its host only
        stored["params"]["url"] = host_of(str(stored["params"]["url"]))
    mark_failed(calendar, stored, now, settings)
    return PersonSyncOutcome(calendar, False, busy=calendar.busy_count, error=error)


# --- What others see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """Whether a person gave free/busy addresses: how many, how many busy intervals, when last
    fetched. Never her busy times themselves."""

    calendars: int
    busy: int
    last_success_at: datetime | None
    failing: bool


def availability_of(session: Session, person_ids: Iterable[int]) -> dict[int, Availability]:
    """Per person who gave an address: the summary above."""
    wanted = list(person_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(
            PersonCalendar.person_id,
            func.count(PersonCalendar.id),
            func.sum(PersonCalendar.busy_count),
            func.max(PersonCalendar.last_success_at),
            func.count(PersonCalendar.failing_since),
        )
        .where(PersonCalendar.person_id.in_(wanted))
        .group_by(PersonCalendar.person_id)
    )
    return {
        person_id: Availability(int(count), int(busy or 0), last, bool(failing))
        for person_id, count, busy, last, failing in rows
    }


# --- Links --------------------------------------------------------------------------------------


def issue_availability_link(session: Session, person: Person, now: datetime) -> str:
    """A new secret that opens her availability page (for a mail or the answer page). Secrets
    are stored hashed, so an earlier one cannot be given again: every mail gets its own."""
    secret = new_secret()
    session.add(
        PersonLink(
            token_hash=hash_secret(secret),
            person_id=person.id,
            created_at=now,
            expires_at=now + timedelta(days=LINK_DAYS),
        )
    )
    session.flush()
    return secret


def resolve_availability_link(
    session: Session, secret: str, now: datetime, *, use: bool = False
) -> Person:
    """The person a link opens the page of, or LinkError. Changes nothing unless `use` (a POST
    through the link), which stamps when it was last used."""
    link = live_link(session, PersonLink, secret, now)
    person = session.get(Person, link.person_id)
    if person is None:
        raise LinkError(LinkProblem.UNKNOWN)
    if use:
        link.last_used_at = now
    return person
