"""A person's free/busy addresses as her page, the API and the CLI show them: the host only
(the address is a secret), how many busy intervals, from when to when, and the fetch status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.models import PersonBusy, PersonCalendar
from planner.services.person_calendars import PersonSyncOutcome, host_of
from planner.text.formatting import format_moment


def error_text(calendar: PersonCalendar) -> str | None:
    """The last error in the reader's language, or None when the address works."""
    error = calendar.last_error
    if not error:
        return None
    return str(gettext(str(error.get("message", "")), **(error.get("params") or {})))


def spans(session: Session, ids: list[int]) -> dict[int, tuple[datetime, datetime]]:
    """Per address: the start of its first and the end of its last busy interval."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            PersonBusy.person_calendar_id,
            func.min(PersonBusy.starts_at),
            func.max(PersonBusy.ends_at),
        )
        .where(PersonBusy.person_calendar_id.in_(ids))
        .group_by(PersonBusy.person_calendar_id)
    )
    return {calendar_id: (first, last) for calendar_id, first, last in rows}


@dataclass(frozen=True)
class CalendarView:
    """One address on her page."""

    id: int
    host: str
    busy: int
    first: str
    last: str
    last_fetch: str
    last_success: str
    failing_since: str
    error: str | None
    next_run: str


def calendar_views(
    session: Session, calendars: list[PersonCalendar], locale: str
) -> list[CalendarView]:
    """Her addresses as her page shows them."""
    found = spans(session, [calendar.id for calendar in calendars])
    views = []
    for calendar in calendars:
        first, last = found.get(calendar.id, (None, None))
        views.append(
            CalendarView(
                id=calendar.id,
                host=host_of(calendar.url),
                busy=calendar.busy_count,
                first=format_moment(first, locale),
                last=format_moment(last, locale),
                last_fetch=format_moment(calendar.last_fetch_at, locale),
                last_success=format_moment(calendar.last_success_at, locale),
                failing_since=format_moment(calendar.failing_since, locale),
                error=error_text(calendar),
                next_run=format_moment(calendar.next_run_at, locale),
            )
        )
    return views


def calendar_json(
    calendar: PersonCalendar, span: tuple[datetime, datetime] | None = None
) -> dict[str, Any]:
    """An address for the API and the CLI: its host, never the address itself."""
    return {
        "id": calendar.id,
        "person_id": calendar.person_id,
        "host": host_of(calendar.url),
        "busy_intervals": calendar.busy_count,
        "first_busy_at": span[0].isoformat() if span else None,
        "last_busy_until": span[1].isoformat() if span else None,
        "last_fetch_at": _iso(calendar.last_fetch_at),
        "last_success_at": _iso(calendar.last_success_at),
        "failing_since": _iso(calendar.failing_since),
        "error": error_text(calendar),
        "next_run_at": _iso(calendar.next_run_at),
        "ok": calendar.failing_since is None,
    }


def outcome_json(outcome: PersonSyncOutcome, span: Any = None) -> dict[str, Any]:
    """What a fetch did, for the API and the CLI."""
    return {
        "calendar": calendar_json(outcome.calendar, span),
        "ok": outcome.ok,
        "not_modified": outcome.not_modified,
        "busy_intervals": outcome.busy,
        "empty": outcome.empty,
        "error": outcome.error.translate(gettext) if outcome.error else None,
    }


def outcome_text(outcome: PersonSyncOutcome) -> str:
    """One line on what a fetch did."""
    if outcome.error is not None:
        return str(
            gettext(
                "Fetching failed: %(error)s The busy times fetched before are kept.",
                error=outcome.error.translate(gettext),
            )
        )
    if outcome.empty:
        return str(
            gettext(
                "Fetched: the calendar holds no busy times from now to the end of next school year."
            )
        )
    if outcome.not_modified:
        return str(
            ngettext(
                "Fetched: unchanged, %(num)d busy time stored.",
                "Fetched: unchanged, %(num)d busy times stored.",
                outcome.busy,
            )
        )
    return str(
        ngettext(
            "Fetched: %(num)d busy time stored.",
            "Fetched: %(num)d busy times stored.",
            outcome.busy,
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
