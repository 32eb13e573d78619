"""What each kind of feed shows, as FeedItems: meetings, drift warnings, holidays, busy periods.

Texts are in the feed's own language (fixed when the feed was made), not the requester's.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.calendar_nl import display_name
from planner.domain.availability import Period
from planner.domain.kinds import FeedScope, LocationMode, MeetingStatus, Role, Severity
from planner.domain.planning import GapCounter, Rhythm
from planner.errors import N_
from planner.ical.items import AMSTERDAM, CalendarHead, FeedItem, ItemStatus
from planner.models import (
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Feed,
    Meeting,
    Organisation,
    Person,
)
from planner.services.availability import organisation_calendars
from planner.services.drift import SharedHolidays, fill_in_between
from planner.services.school_calendar import effective_school_holidays
from planner.text.formatting import format_day
from planner.text.labels import label

ONE_DAY = timedelta(days=1)
WARNING = "WARNING"


def _(message: str, **params: Any) -> str:
    return str(gettext(message, **params))


@dataclass(frozen=True, slots=True)
class Window:
    """The days a feed covers: meetings from `first` to `last`, calendars to `calendar_last`."""

    today: date
    first: date
    last: date
    calendar_last: date


def feed_window(today: date, past_days: int, future_days: int) -> Window:
    """A bounded window: some months back, some ahead; calendars to the end of that school year."""
    last = today + timedelta(days=future_days)
    calendar_last = date(last.year + (1 if last.month >= 9 else 0), 9, 30)
    return Window(today, today - timedelta(days=past_days), last, calendar_last)


@dataclass(frozen=True, slots=True)
class FeedContent:
    """A feed's header and its items, in order."""

    head: CalendarHead
    items: list[FeedItem]


# -- meetings -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CollabText:
    summary: str
    description: str
    categories: tuple[str, ...]
    online: str | None


def _names(items: Iterable[str]) -> str:
    return ", ".join(items)


def _collab_texts(collabs: Sequence[Collaboration], language: str) -> dict[int, _CollabText]:
    meeting_word = label("meeting", language)
    result = {}
    for collab in collabs:
        members = _names(member.organisation.name for member in collab.members)
        coordinators = _names(cp.person.name for cp in collab.people if cp.role is Role.COORDINATOR)
        lines = [_("Meeting of %(name)s.", name=collab.name)]
        if collab.ambition:
            lines.append(collab.ambition)
        lines.append(_("Members: %(names)s.", names=members))
        if coordinators:
            lines.append(_("Coordination: %(names)s.", names=coordinators))
        if collab.location_note:
            lines.append(collab.location_note)
        result[collab.id] = _CollabText(
            collab.name,
            "\n".join(lines),
            (meeting_word, collab.name),
            "Online" if collab.location_mode is LocationMode.ONLINE else None,
        )
    return result


_MEETING_COLUMNS = (
    Meeting.id,
    Meeting.collaboration_id,
    Meeting.uid,
    Meeting.status,
    Meeting.day,
    Meeting.starts_at,
    Meeting.ends_at,
    Meeting.timezone,
    Meeting.location,
    Meeting.sequence,
    Meeting.updated_at,
    Meeting.conflict,
)


def _meeting_rows(session: Session, collab_ids: Sequence[int], window: Window) -> list[Any]:
    if not collab_ids:
        return []
    return list(
        session.execute(
            select(*_MEETING_COLUMNS)
            .where(
                Meeting.collaboration_id.in_(collab_ids),
                Meeting.day >= window.first,
                Meeting.day <= window.last,
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


_STATUS = {
    MeetingStatus.PROPOSED: ItemStatus.TENTATIVE,
    MeetingStatus.CONFIRMED: ItemStatus.CONFIRMED,
    MeetingStatus.HELD: ItemStatus.CONFIRMED,
    MeetingStatus.CANCELLED: ItemStatus.CANCELLED,
}


def _conflict_text(conflict: dict[str, Any], language: str) -> str:
    proposed = conflict.get("proposed_day")
    if proposed:
        return _(
            "Note: this day is now blocked for a member school; proposed new date: %(day)s.",
            day=format_day(date.fromisoformat(proposed), language),
        )
    return _("Note: this day is now blocked for a member school.")


def meeting_items(
    rows: Sequence[Any], texts: dict[int, _CollabText], window: Window, language: str
) -> list[FeedItem]:
    """One item per meeting; a cancelled one stays, marked, until its day has passed."""
    cancelled_prefix = _("CANCELLED: ")
    items = []
    for row in rows:
        status = _STATUS[row.status]
        cancelled = status is ItemStatus.CANCELLED
        if cancelled and row.day < window.today:
            continue
        text = texts[row.collaboration_id]
        description = text.description
        if row.conflict and not cancelled:
            description = f"{description}\n\n{_conflict_text(row.conflict, language)}"
        items.append(
            FeedItem(
                uid=row.uid,
                summary=cancelled_prefix + text.summary if cancelled else text.summary,
                stamp=row.updated_at,
                start=row.starts_at,
                end=row.ends_at,
                zone=row.timezone,  # rendered as UTC unless it is Europe/Amsterdam
                status=status,
                transparent=cancelled,
                sequence=row.sequence,
                categories=text.categories,
                description=description,
                location=row.location or text.online,
            )
        )
    return items


# -- drift warnings -------------------------------------------------------------------------


def _counter(collab: Collaboration, holidays: SharedHolidays) -> GapCounter:
    if collab.count_holidays:
        return GapCounter((), holidays.first, holidays.last)
    regions = frozenset(m.organisation.region for m in collab.members if m.organisation.region)
    return holidays.counter(regions)


def _last_held(session: Session, collab_id: int, now: datetime) -> Any | None:
    return session.execute(
        select(*_MEETING_COLUMNS)
        .where(
            Meeting.collaboration_id == collab_id,
            Meeting.status.in_((MeetingStatus.CONFIRMED, MeetingStatus.HELD)),
            Meeting.ends_at <= now,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    ).first()


def _shared_holidays(session: Session, window: Window, earliest: date | None) -> SharedHolidays:
    first = min(window.first, earliest or window.first) - timedelta(days=7)
    return SharedHolidays(session, first, window.calendar_last + timedelta(days=400))


def warning_items(
    session: Session,
    collab: Collaboration,
    rows: Sequence[Any],
    now: datetime,
    window: Window,
    language: str,
    *,
    with_name: bool = False,
) -> list[FeedItem]:
    """All-day warnings on each day the maximum gap is crossed, from the last held meeting on.

    A gap still open (the next meeting lies beyond the maximum gap, or nothing follows) gets a
    transparent all-day item with category WARNING, the meetings around it and the best date
    to fill it. Gaps already closed by a held meeting are history and get none.
    """
    rhythm = Rhythm(collab.target_weeks * 7, collab.max_gap_weeks * 7)
    active = [
        row
        for row in rows
        if row.collaboration_id == collab.id and row.status is not MeetingStatus.CANCELLED
    ]
    coming = [row for row in active if row.ends_at > now]
    held = [row for row in active if row.ends_at <= now]
    anchor = held[-1] if held else _last_held(session, collab.id, now)
    counter = _counter(collab, _shared_holidays(session, window, anchor.day if anchor else None))
    chain: list[Any | None] = [anchor, *coming]
    suffix = f" ({collab.name})" if with_name else ""
    items = []
    for previous, following in zip(chain, [*chain[1:], None], strict=True):
        previous_day = previous.day if previous is not None else None
        following_day = following.day if following is not None else None
        if previous_day is None and following_day is None:
            crossing = window.today  # never met, nothing planned
        else:
            base = previous_day if previous_day is not None else window.today
            crossing = counter.day_after(base, rhythm.max_gap_days + 1)
        if following_day is not None and following_day < crossing:
            continue
        if crossing > window.last:
            continue
        items.append(
            _warning(
                session,
                collab,
                rhythm,
                (previous, following),
                crossing,
                now,
                window,
                language,
                suffix,
            )
        )
    return items


def _warning(
    session: Session,
    collab: Collaboration,
    rhythm: Rhythm,
    around: tuple[Any | None, Any | None],
    crossing: date,
    now: datetime,
    window: Window,
    language: str,
    suffix: str,
) -> FeedItem:
    """The warning for one open gap, on its crossing day.

    A gap crossed before the window began and still open is shown today instead, where it can
    be seen; its UID stays that of the crossing day, its SEQUENCE rises with each day.
    """
    previous, following = around
    shown = crossing if crossing >= window.first else window.today
    previous_day = previous.day if previous is not None else None
    following_day = following.day if following is not None else None
    if following is None:
        summary = _("⚠ No follow-up meeting yet — focus may slip away")
    else:
        summary = _("⚠ Long gap until the next meeting — focus may slip away")
    lines = [collab.name]
    if previous_day is not None:
        lines.append(_("Last meeting: %(day)s.", day=format_day(previous_day, language)))
    if following_day is not None:
        lines.append(_("Next meeting: %(day)s.", day=format_day(following_day, language)))
    else:
        lines.append(_("No next meeting is planned."))
    if shown == crossing:
        lines.append(
            _(
                "From this day the gap is longer than the maximum of %(weeks)s weeks.",
                weeks=collab.max_gap_weeks,
            )
        )
    else:
        lines.append(
            _(
                "The gap has been longer than the maximum of %(weeks)s weeks since %(day)s.",
                weeks=collab.max_gap_weeks,
                day=format_day(crossing, language),
            )
        )
    proposal = fill_in_between(session, collab, rhythm, previous_day, following_day, now, language)
    if proposal is not None:
        start = proposal.starts_at.astimezone(ZoneInfo(collab.timezone))
        lines.append(
            _(
                "Best date to fill the gap: %(day)s at %(time)s.",
                day=format_day(proposal.day, language),
                time=start.strftime("%H:%M"),
            )
        )
    else:
        lines.append(_("No free date was found to fill the gap."))
    stamps = [row.updated_at for row in (previous, following) if row is not None]
    return FeedItem(
        uid=f"drift-{collab.id}-{crossing:%Y%m%d}@planner",
        summary=summary + suffix,
        stamp=max(stamps) if stamps else collab.updated_at,
        start=shown,
        end=shown + ONE_DAY,
        sequence=(shown - crossing).days,
        transparent=True,
        categories=(WARNING, collab.name),
        description="\n".join(lines),
    )


# -- calendars: holidays, busy periods, blocked days -----------------------------------------

_SEVERITY_TEXT = {
    Severity.HARD: N_("No meetings are planned on these days."),
    Severity.SOFT: N_("Meetings are planned on these days only when nothing better is free."),
}


def _period_uid(prefix: str, period: Period) -> str:
    if period.period_id is not None:
        return f"busy-{period.period_id}@planner"
    digest = zlib.crc32(f"{period.kind}|{period.label}".encode()) & 0xFFFFFFFF
    span = f"{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    return f"{prefix}-{period.kind}-{span}-{digest:08x}@planner"


def period_items(
    periods: Iterable[tuple[Period, Sequence[str]]], prefix: str, stamp: datetime, language: str
) -> list[FeedItem]:
    """One transparent all-day item per period, naming the schools it holds for."""
    items = []
    for period, schools in periods:
        kind_text = label(period.kind, language)
        lines = [_(_SEVERITY_TEXT[period.severity])]
        if schools:
            lines.insert(0, _names(schools))
        items.append(
            FeedItem(
                uid=_period_uid(prefix, period),
                summary=f"{period.label} — {_names(schools)}" if schools else period.label,
                stamp=stamp,
                start=period.first_day,
                end=period.last_day + ONE_DAY,
                transparent=True,
                categories=(kind_text, *schools),
                description="\n".join(lines),
            )
        )
    items.sort(key=lambda item: (item.start, item.uid))
    return items


def _merged_periods(
    session: Session, orgs: Sequence[Organisation], first: date, last: date, language: str
) -> list[tuple[Period, list[str]]]:
    """Each distinct period once, with the schools it holds for (public holidays: for all)."""
    by_period: dict[tuple[Any, ...], tuple[Period, list[str]]] = {}
    for calendar in organisation_calendars(session, orgs, first, last, language):
        for period in calendar.periods:
            key = (period.first_day, period.last_day, period.kind, period.label, period.period_id)
            entry = by_period.setdefault(key, (period, []))
            entry[1].append(calendar.organisation_name)
    everyone = len(orgs)
    result = []
    for period, schools in by_period.values():
        if period.kind == "public_holiday" and len(schools) == everyone:
            schools = []
        result.append((period, schools))
    return result


# -- the four kinds of feed -----------------------------------------------------------------


def _load_collabs(session: Session, ids: Iterable[int]) -> list[Collaboration]:
    return list(
        session.scalars(
            select(Collaboration)
            .where(Collaboration.id.in_(list(ids)))
            .order_by(Collaboration.id)
            .options(
                selectinload(Collaboration.members).selectinload(CollaborationMember.organisation),
                selectinload(Collaboration.people).selectinload(CollaborationPerson.person),
            )
        )
    )


def _collaboration_feed(
    session: Session, feed: Feed, now: datetime, window: Window, language: str
) -> FeedContent:
    assert feed.collaboration_id is not None
    collabs = _load_collabs(session, [feed.collaboration_id])
    collab = collabs[0]
    rows = _meeting_rows(session, [collab.id], window)
    items = meeting_items(rows, _collab_texts(collabs, language), window, language)
    items += warning_items(session, collab, rows, now, window, language)
    if feed.blocked_days:
        orgs = [member.organisation for member in collab.members]
        periods = _merged_periods(session, orgs, window.first, window.last, language)
        items += period_items(periods, f"blocked-{collab.id}", feed.changed_at, language)
    head = CalendarHead(
        _("%(name)s — meetings", name=collab.name),
        _(
            "The meetings of %(name)s, with a warning when the next meeting is too far away.",
            name=collab.name,
        ),
        language,
    )
    return FeedContent(head, items)


def _person_feed(
    session: Session, feed: Feed, now: datetime, window: Window, language: str
) -> FeedContent:
    person = session.get(Person, feed.person_id)
    assert person is not None
    roles: dict[int, Role] = {
        collab_id: role
        for collab_id, role in session.execute(
            select(CollaborationPerson.collaboration_id, CollaborationPerson.role).where(
                CollaborationPerson.person_id == person.id
            )
        )
    }
    collabs = _load_collabs(session, roles)
    rows = _meeting_rows(session, [c.id for c in collabs], window)
    items = meeting_items(rows, _collab_texts(collabs, language), window, language)
    by_collab: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_collab[row.collaboration_id].append(row)
    for collab in collabs:
        if roles[collab.id] is Role.COORDINATOR:
            items += warning_items(
                session, collab, by_collab[collab.id], now, window, language, with_name=True
            )
    head = CalendarHead(
        _("Meetings of %(name)s", name=person.name),
        _("Every meeting of the collaborations %(name)s takes part in.", name=person.name),
        language,
    )
    return FeedContent(head, items)


def _organisation_feed(session: Session, feed: Feed, window: Window, language: str) -> FeedContent:
    org = session.scalars(
        select(Organisation)
        .where(Organisation.id == feed.organisation_id)
        .options(selectinload(Organisation.holiday_overrides))
    ).one()
    calendar = organisation_calendars(session, [org], window.first, window.calendar_last, language)
    items = period_items(
        ((period, []) for period in calendar[0].periods),
        f"org-{org.id}",
        feed.changed_at,
        language,
    )
    head = CalendarHead(
        _("%(name)s — holidays and busy periods", name=org.name),
        _(
            "School holidays, public holidays and busy periods of %(name)s.",
            name=org.name,
        ),
        language,
    )
    return FeedContent(head, items)


def _region_feed(session: Session, feed: Feed, window: Window, language: str) -> FeedContent:
    region = feed.region
    assert region is not None
    items = []
    source = _("Source: Rijksoverheid, school holidays.")
    for holiday in effective_school_holidays(session):
        if holiday.region != region:
            continue
        if holiday.last_day < window.first or holiday.first_day > window.calendar_last:
            continue
        if holiday.compulsory:
            rule = _("The dates are fixed for every school in the region.")
        else:
            rule = _("Advisory dates: a school may choose its own dates.")
        items.append(
            FeedItem(
                uid=f"schoolholiday-{region}-{holiday.school_year}-{holiday.name}@planner",
                summary=f"{display_name(holiday.name, language)} {region}",
                stamp=feed.changed_at,
                start=holiday.first_day,
                end=holiday.last_day + ONE_DAY,
                transparent=True,
                categories=(label("school_holiday", language), region),
                description=f"{rule}\n{source}",
            )
        )
    items.sort(key=lambda item: (item.start, item.uid))
    head = CalendarHead(
        _("School holidays region %(region)s", region=region),
        _("The school holidays of region %(region)s.", region=region),
        language,
    )
    return FeedContent(head, items)


def feed_content(session: Session, feed: Feed, now: datetime, window: Window) -> FeedContent:
    """Build what `feed` shows on `window.today`, in the feed's language."""
    language = feed.language
    with force_locale(language):
        if feed.scope is FeedScope.COLLABORATION:
            return _collaboration_feed(session, feed, now, window, language)
        if feed.scope is FeedScope.PERSON:
            return _person_feed(session, feed, now, window, language)
        if feed.scope is FeedScope.ORGANISATION:
            return _organisation_feed(session, feed, window, language)
        return _region_feed(session, feed, window, language)


def local_midnight(day: date, zone: str = AMSTERDAM) -> datetime:
    """The instant a local day starts, in UTC."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
