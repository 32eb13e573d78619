"""A school's calendar by its address: link it (with rules for the kinds), fetch it on a
schedule, and turn it into busy periods with source "sync".

One sync is one change: the periods it adds, changes and removes go through
planner.services.busy_periods, so the same BUSY_PERIOD_* events flag hit meetings and tell
coordinators as a change by hand. What fails (the fetch, a 404, garbage, a calendar that
suddenly holds nothing) never touches the last good state: the error is recorded with the
moment it began, and the first failure after a success appends `calendar_sync.failed`, on
which the worker mails the school's administrators once.

Fetching is planner.services.calendar_fetch; reading the .ics planner.calendar_nl.calendar_feed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from planner.calendar_nl import school_year_bounds, school_year_of
from planner.calendar_nl.calendar_feed import (
    Reading,
    SyncRule,
    Wanted,
    guess_rules,
    parse_feed,
    parse_rules,
    read_entries,
    wanted_periods,
)
from planner.domain.kinds import BusyKind, Severity
from planner.errors import N_, ConflictError, NotFoundError, PlannerError, ValidationError
from planner.events import CalendarSyncFailed, EventKind, append_event
from planner.inputs import parse_id, reject_unknown_fields
from planner.models import BusyPeriod, CalendarSource, Meeting, Organisation, PersonCalendar
from planner.services.busy_periods import (
    SOFT_BY_DEFAULT,
    create_busy_period,
    delete_busy_period,
    update_busy_period,
)
from planner.services.calendar_fetch import (
    Fetched,
    FetchError,
    FetchSettings,
    Validated,
    check_url,
    fetch_calendar,
)
from planner.services.calendar_hits import meetings_hit
from planner.services.calendar_import import usual_severity

SOURCE = "sync"
FIELDS = {"url", "rules"}
RETRY_AFTER_FAILURE = timedelta(hours=1)
MAX_EXAMPLES = 8
ZONE = ZoneInfo("Europe/Amsterdam")

# The calendars fetched by address: a school's linked calendar and a person's free/busy
# address share the fetch bookkeeping (validators, last fetch and success, error, next run).
Fetchable = TypeVar("Fetchable", CalendarSource, PersonCalendar)


@dataclass(frozen=True)
class SyncSettings:
    """How often to fetch, and how (the SYNC_* settings)."""

    interval: timedelta = timedelta(hours=6)
    fetch: FetchSettings = field(default_factory=FetchSettings)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SyncSettings:
        return cls(
            interval=timedelta(hours=float(config.get("SYNC_INTERVAL_HOURS", 6.0))),
            fetch=FetchSettings.from_config(config),
        )


@dataclass
class SyncOutcome:
    """What one sync did."""

    source: CalendarSource
    ok: bool
    not_modified: bool = False
    added: int = 0
    changed: int = 0
    removed: int = 0
    error: PlannerError | None = None
    hits: list[Meeting] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.added + self.changed + self.removed


# --- Linking ------------------------------------------------------------------------------------


def rules_of(source: CalendarSource) -> list[SyncRule]:
    """The stored rules, typed."""
    return parse_rules(source.rules or [])


def add_source(
    session: Session, org: Organisation, raw: Mapping[str, Any], now: datetime
) -> CalendarSource:
    """Link a calendar address to a school (fetched at the next round, or at once on request)."""
    reject_unknown_fields(raw, FIELDS)
    url = check_url(_text(raw.get("url")))
    rules = parse_rules(raw.get("rules"))
    _refuse_linked(session, org, url)
    source = CalendarSource(
        organisation_id=org.id,
        url=url,
        rules=[rule.to_json() for rule in rules],
        next_run_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(source)
    session.flush()
    return source


def _refuse_linked(session: Session, org: Organisation, url: str) -> None:
    if session.scalar(
        select(CalendarSource.id).where(
            CalendarSource.organisation_id == org.id, CalendarSource.url == url
        )
    ):
        raise ConflictError(N_("%(school)s already has this calendar address."), school=org.name)


def link_source(
    session: Session,
    org: Organisation,
    raw: Mapping[str, Any],
    now: datetime,
    settings: SyncSettings,
) -> SyncOutcome:
    """Link a calendar address and fetch it at once. Without rules (absent or null) it links
    with the rules guessed from the calendar, so one that cannot be read is not linked."""
    reject_unknown_fields(raw, FIELDS)
    if raw.get("rules") is not None:
        return sync_source(session, add_source(session, org, raw, now), now, settings)
    preview = preview_source(session, org, {"url": raw.get("url")}, now, settings)
    source = add_source(
        session, org, {"url": preview.url, "rules": [r.to_json() for r in preview.rules]}, now
    )
    return apply_fetch(session, source, preview.fetched, now, settings)


def update_source(
    session: Session, source: CalendarSource, raw: Mapping[str, Any], now: datetime
) -> CalendarSource:
    """Change the address or the rules; the next sync reads the whole calendar again."""
    reject_unknown_fields(raw, FIELDS)
    if "url" in raw:
        source.url = check_url(_text(raw.get("url")))
    if "rules" in raw:
        source.rules = [rule.to_json() for rule in parse_rules(raw.get("rules"))]
    source.etag = source.last_modified = source.content_hash = None
    source.next_run_at = now
    source.updated_at = now
    session.flush()
    return source


def remove_source(session: Session, source: CalendarSource, now: datetime) -> int:
    """Unlink a calendar and delete the busy periods it brought (as deletions, with events)."""
    periods = list(
        session.scalars(select(BusyPeriod).where(BusyPeriod.calendar_source_id == source.id))
    )
    for period in periods:
        delete_busy_period(session, period, now)
    session.delete(source)
    session.flush()
    return len(periods)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(N_("Give the calendar's address, starting with https://."))
    return value


def get_source(session: Session, ref: int | str) -> CalendarSource:
    """A linked calendar by id, or NotFoundError."""
    text = str(ref).strip()
    source = session.get(CalendarSource, parsed) if (parsed := parse_id(text)) else None
    if source is None:
        raise NotFoundError(N_("Unknown calendar address '%(ref)s'."), ref=text[:40])
    return source


def list_sources(session: Session, org: Organisation | None = None) -> list[CalendarSource]:
    """Linked calendars, of one school or all."""
    query = select(CalendarSource).order_by(CalendarSource.organisation_id, CalendarSource.id)
    if org is not None:
        query = query.where(CalendarSource.organisation_id == org.id)
    return list(session.scalars(query))


def due_sources(session: Session, now: datetime, limit: int) -> list[CalendarSource]:
    """The linked calendars whose next run has come, longest waiting first."""
    return due_for_fetch(session, CalendarSource, now, limit)


def due_for_fetch(
    session: Session, model: type[Fetchable], now: datetime, limit: int
) -> list[Fetchable]:
    """The calendars fetched by address (a school's or a person's) whose next fetch has
    come, longest waiting first."""
    return list(
        session.scalars(
            select(model)
            .where(model.next_run_at <= now)
            .order_by(model.next_run_at, model.id)
            .limit(limit)
        )
    )


def sync_window(now: datetime) -> tuple[date, date]:
    """The days a sync looks at: this school year and the next. Synced periods that ended
    before stay as they are (last year's test weeks are history, not a removal)."""
    this = school_year_of(now.astimezone(ZONE).date())
    first, _ = school_year_bounds(this)
    _, last = school_year_bounds(f"{first.year + 1}-{first.year + 2}")
    return first, last


# --- Before linking: what an address would give ------------------------------------------------


@dataclass(frozen=True)
class SourcePreview:
    """What a calendar address gives for this school year and the next, read by the rules
    given (else by the rules guessed from it); nothing of it is stored."""

    url: str
    first_day: date
    last_day: date
    guessed: tuple[SyncRule, ...]  # the rules guessed from this calendar
    rules: tuple[SyncRule, ...]  # the rules it was read by
    readings: tuple[Reading, ...]
    fetched: Fetched

    @property
    def periods(self) -> list[tuple[Reading, Wanted]]:
        """Each entry that becomes a busy period, with that period."""
        return [(r, r.wanted) for r in self.readings if r.wanted is not None]

    @property
    def left_out(self) -> list[Reading]:
        """The entries a rule leaves out."""
        return [r for r in self.readings if r.wanted is None]

    def groups(self) -> list[tuple[BusyKind, list[tuple[Reading, Wanted]]]]:
        """The busy periods by kind, in the kinds' order (test weeks first), kinds with none
        left out."""
        found = self.periods
        return [
            (kind, items)
            for kind in BusyKind
            if (items := [item for item in found if item[1].kind is kind])
        ]


def preview_source(
    session: Session,
    org: Organisation,
    raw: Mapping[str, Any],
    now: datetime,
    settings: SyncSettings,
) -> SourcePreview:
    """Fetch an address once (the same safe fetch as a sync) and read it as a sync would:
    {"url", "rules"?}; without rules (absent or null) by the rules guessed from the calendar.
    Stores nothing; what a sync refuses (unreachable, HTML, garbage, too large) is refused
    with the same message."""
    reject_unknown_fields(raw, FIELDS)
    url = check_url(_text(raw.get("url")))
    given = None if raw.get("rules") is None else parse_rules(raw.get("rules"))
    _refuse_linked(session, org, url)
    fetched = fetch_calendar(url, settings.fetch)
    if fetched.body is None:
        raise FetchError(N_("The server answered %(status)s instead of the calendar."), status=304)
    first, last = sync_window(now)
    entries = parse_feed(fetched.body, first, last)
    guessed = tuple(guess_rules(entries, usual_severity))
    rules = guessed if given is None else tuple(given)
    return SourcePreview(
        url=url,
        first_day=first,
        last_day=last,
        guessed=guessed,
        rules=rules,
        readings=tuple(read_entries(entries, rules)),
        fetched=fetched,
    )


def severity_of(wanted: Wanted) -> Severity:
    """The severity a busy period of the calendar gets: its rule's, else as usual for the kind."""
    return wanted.severity if wanted.severity is not None else usual_severity(wanted.kind)


# --- Syncing ------------------------------------------------------------------------------------


def sync_source(
    session: Session, source: CalendarSource, now: datetime, settings: SyncSettings
) -> SyncOutcome:
    """Fetch a linked calendar now and apply what it says (the page's "fetch now", the CLI)."""
    return apply_fetch(session, source, fetch_source(source, settings), now, settings)


def fetch_source(source: Validated, settings: SyncSettings) -> Fetched | PlannerError:
    """Fetch a linked calendar (a school's or a person's) conditionally; a failure is
    returned, not raised."""
    try:
        return fetch_calendar(
            source.url, settings.fetch, etag=source.etag, last_modified=source.last_modified
        )
    except PlannerError as error:
        return error


def record_not_modified(
    session: Session,
    model: type[Fetchable],
    ids: Sequence[int],
    now: datetime,
    settings: SyncSettings,
) -> None:
    """Mark calendars (a school's or a person's, by `model`) that answered 304 as fetched, in
    one statement (most rounds are this)."""
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(
                last_fetch_at=now,
                last_success_at=now,
                last_error=None,
                failing_since=None,
                next_run_at=now + settings.interval,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )


def apply_fetch(
    session: Session,
    source: CalendarSource,
    fetched: Fetched | PlannerError,
    now: datetime,
    settings: SyncSettings,
) -> SyncOutcome:
    """Turn a fetch into busy periods, or record why not (keeping the last good state)."""
    begin_applying(session, source, now)
    if isinstance(fetched, PlannerError):
        return _failed(session, source, fetched, now, settings)
    if fetched.body is None:
        return _succeeded(source, now, settings, SyncOutcome(source, True, not_modified=True))
    digest = hashlib.sha256(fetched.body).hexdigest()
    if digest == source.content_hash:  # a server without validators: same bytes, no work
        store_validators(source, fetched, digest)
        return _succeeded(source, now, settings, SyncOutcome(source, True, not_modified=True))
    window = sync_window(now)
    try:
        entries = parse_feed(fetched.body, *window)
        wanted = wanted_periods(entries, rules_of(source))
    except PlannerError as error:
        return _failed(session, source, error, now, settings)
    existing = _synced(session, source, window[0])
    if not wanted and existing:
        return _failed(
            session,
            source,
            ValidationError(
                N_(
                    "The calendar at the address holds no events for this school year and the"
                    " next any more; the busy periods it gave before are kept."
                )
            ),
            now,
            settings,
        )
    outcome = SyncOutcome(source, True)
    with session.no_autoflush:
        examples = _apply(session, source, wanted, existing, now, outcome)
    store_validators(source, fetched, digest)
    if outcome.changes:
        source.last_change = {
            "added": outcome.added,
            "changed": outcome.changed,
            "removed": outcome.removed,
            "examples": examples[:MAX_EXAMPLES],
        }
        source.last_change_at = now
    return _succeeded(source, now, settings, outcome)


def begin_applying(session: Session, target: Fetchable, now: datetime) -> None:
    """Lock a calendar (a school's or a person's) for applying a fetch and stamp the fetch.
    One fetch of a calendar is applied at a time (the worker's round, "fetch now"): the second
    waits here and then compares with what the first stored. SQLite has one writer anyway."""
    model = type(target)
    session.execute(select(model.id).where(model.id == target.id).with_for_update())
    target.last_fetch_at = now


def store_validators(source: Validated, fetched: Fetched, digest: str) -> None:
    """Keep what the next conditional GET sends (ETag, Last-Modified) and the body's hash."""
    source.etag = (fetched.etag or "")[:500] or None
    source.last_modified = (fetched.last_modified or "")[:100] or None
    source.content_hash = digest


def mark_succeeded(
    target: CalendarSource | PersonCalendar, now: datetime, settings: SyncSettings
) -> None:
    """Record a good fetch of a calendar (a school's or a person's): no error, next on schedule."""
    target.last_success_at = now
    target.last_error = None
    target.failing_since = None
    target.next_run_at = now + settings.interval
    target.updated_at = now


def mark_failed(
    target: CalendarSource | PersonCalendar,
    stored: dict[str, Any],
    now: datetime,
    settings: SyncSettings,
) -> None:
    """Record a failed fetch of a calendar (a school's or a person's): the error as stored,
    since when it fails, and a retry within the hour."""
    target.last_error = stored
    target.failing_since = target.failing_since or now
    target.next_run_at = now + min(settings.interval, RETRY_AFTER_FAILURE)
    target.updated_at = now


def _succeeded(
    source: CalendarSource, now: datetime, settings: SyncSettings, outcome: SyncOutcome
) -> SyncOutcome:
    mark_succeeded(source, now, settings)
    return outcome


def _failed(
    session: Session,
    source: CalendarSource,
    error: PlannerError,
    now: datetime,
    settings: SyncSettings,
) -> SyncOutcome:
    first = source.failing_since is None
    mark_failed(source, error_json(error), now, settings)
    session.flush()
    if first:
        append_event(
            session,
            EventKind.CALENDAR_SYNC_FAILED,
            CalendarSyncFailed(source.id, source.organisation_id, now.isoformat()),
            now,
        )
    return SyncOutcome(source, False, error=error)


def error_json(error: PlannerError) -> dict[str, Any]:
    """An error as stored ({"message": English msgid, "params": plain values})."""
    return {"message": error.message, "params": _plain(error.params)}


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, (int, float, str)) else str(value)
        for key, value in params.items()
    }


def _synced(session: Session, source: CalendarSource, first: date) -> dict[str, BusyPeriod]:
    periods = session.scalars(
        select(BusyPeriod).where(
            BusyPeriod.calendar_source_id == source.id, BusyPeriod.last_on >= first
        )
    )
    return {period.sync_key or f"#{period.id}": period for period in periods}


def _severity(wanted: Wanted) -> Severity:
    if wanted.severity is not None:
        return wanted.severity
    return Severity.SOFT if wanted.kind in SOFT_BY_DEFAULT else Severity.HARD


def _example(sign: str, kind: BusyKind, first: date, last: date, note: str | None) -> list[Any]:
    return [sign, kind.value, first.isoformat(), last.isoformat(), (note or "")[:80]]


def _apply(
    session: Session,
    source: CalendarSource,
    wanted: Sequence[Wanted],
    existing: dict[str, BusyPeriod],
    now: datetime,
    outcome: SyncOutcome,
) -> list[list[Any]]:
    """Add, change and remove periods so the source's periods are what it says now."""
    examples: list[list[Any]] = []
    hard_spans: list[tuple[date, date]] = []
    seen: set[str] = set()
    for item in wanted:
        if item.key in seen:
            continue
        seen.add(item.key)
        severity = _severity(item)
        period = existing.get(item.key)
        if period is None:
            created = create_busy_period(
                session,
                {
                    "organisation": source.organisation_id,
                    "kind": item.kind.value,
                    "first_day": item.first_day.isoformat(),
                    "last_day": item.last_day.isoformat(),
                    "severity": severity.value,
                    "note": item.note,
                },
                now,
                source=SOURCE,
            )
            created.calendar_source_id = source.id
            created.sync_key = item.key
            outcome.added += 1
            examples.append(_example("+", item.kind, item.first_day, item.last_day, item.note))
        elif (period.kind, period.first_on, period.last_on, period.severity, period.note) != (
            item.kind,
            item.first_day,
            item.last_day,
            severity,
            item.note,
        ):
            update_busy_period(
                session,
                period,
                {
                    "kind": item.kind.value,
                    "first_day": item.first_day.isoformat(),
                    "last_day": item.last_day.isoformat(),
                    "severity": severity.value,
                    "note": item.note,
                },
                now,
            )
            outcome.changed += 1
            examples.append(_example("~", item.kind, item.first_day, item.last_day, item.note))
        else:
            continue
        if severity is Severity.HARD:
            hard_spans.append((item.first_day, item.last_day))
    for key, period in existing.items():
        if key not in seen:
            examples.append(
                _example("-", period.kind, period.first_on, period.last_on, period.note)
            )
            delete_busy_period(session, period, now)
            outcome.removed += 1
    session.flush()
    if hard_spans:
        org = session.get(Organisation, source.organisation_id)
        outcome.hits = meetings_hit(session, hard_spans, now, organisation=org)
    return examples
