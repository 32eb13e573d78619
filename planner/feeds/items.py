"""The items of a feed: its window of days, meetings (cancelled ones marked) and busy periods,
each as a FeedItem that planner.ical.render writes."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.availability import Period
from planner.domain.kinds import LocationMode, MeetingStatus, Role, Severity
from planner.errors import N_
from planner.ical.items import AMSTERDAM, FeedItem, ItemStatus
from planner.models import (
    Collaboration,
    Meeting,
    Organisation,
)
from planner.services.availability import organisation_calendars
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
class CollabText:
    summary: str
    description: str
    categories: tuple[str, ...]
    online: str | None


def _names(items: Iterable[str]) -> str:
    return ", ".join(items)


def collab_texts(collabs: Sequence[Collaboration], language: str) -> dict[int, CollabText]:
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
        result[collab.id] = CollabText(
            collab.name,
            "\n".join(lines),
            (meeting_word, collab.name),
            "Online" if collab.location_mode is LocationMode.ONLINE else None,
        )
    return result


MEETING_COLUMNS = (
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


def meeting_rows(session: Session, collab_ids: Sequence[int], window: Window) -> list[Any]:
    if not collab_ids:
        return []
    return list(
        session.execute(
            select(*MEETING_COLUMNS)
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
    rows: Sequence[Any], texts: dict[int, CollabText], window: Window, language: str
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


def merged_periods(
    session: Session,
    orgs: Sequence[Organisation],
    first: date,
    last: date,
    language: str,
    *,
    withheld: Collection[int] = (),
) -> list[tuple[Period, list[str]]]:
    """Each distinct period once, with the schools it holds for (public holidays: for all);
    `withheld` schools' busy periods without their notes."""
    by_period: dict[tuple[Any, ...], tuple[Period, list[str]]] = {}
    for calendar in organisation_calendars(session, orgs, first, last, language, withheld=withheld):
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


def local_midnight(day: date, zone: str = AMSTERDAM) -> datetime:
    """The instant a local day starts, in UTC."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
