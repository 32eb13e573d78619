"""A person's own calendar (.ics at a secret address) read into the times she is busy.

Pure: bytes and a window in, sorted and merged busy intervals (aware UTC) out, or a
ValidationError. Only when she is busy is read: no title, description, place or attendee
leaves this module. What counts as busy:

- every VEVENT occurrence in the window (repeats expanded by recurring-ical-events: RRULE,
  RDATE, EXDATE, moved and cancelled occurrences; Windows zone names; UTC without VTIMEZONE;
  a floating time is Amsterdam time), except those marked free (TRANSP:TRANSPARENT, Outlook's
  X-MICROSOFT-CDO-BUSYSTATUS:FREE) or cancelled (STATUS:CANCELLED, also one occurrence of a
  series); an all-day event makes the whole Amsterdam day(s) busy;
- every FREEBUSY period of a VFREEBUSY (CalDAV free/busy) of type BUSY, BUSY-TENTATIVE or
  BUSY-UNAVAILABLE (the default), written as start/end or start/duration; FREE is not busy.

Reading the bytes is planner.calendar_nl.calendar_feed.read_calendar, as for a school's feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar

from planner.calendar_nl.calendar_feed import READ_ERRORS, read_calendar, unreadable
from planner.calendar_nl.year_calendar.rows import ZONE
from planner.domain.people_costs import Interval, merged
from planner.errors import N_, ValidationError

# Occurrences one calendar may have in the window (two school years of a busy working week
# are a few thousand); more is a calendar the planner does not read.
MAX_OCCURRENCES = 20_000
BUSY_TYPES = {"BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"}
TOO_OFTEN = {
    "SECONDLY": N_(
        "An appointment in the calendar repeats every second; the planner does not read such"
        " a calendar."
    ),
    "MINUTELY": N_(
        "An appointment in the calendar repeats every minute; the planner does not read such"
        " a calendar."
    ),
}
CHUNK = timedelta(days=31)
FREE_STATUS = {"FREE"}  # X-MICROSOFT-CDO-BUSYSTATUS values that are not busy


def busy_intervals(data: bytes, start: datetime, end: datetime) -> tuple[Interval, ...]:
    """The busy times of the calendar within [start, end), merged where they overlap or touch,
    sorted, in aware UTC."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the window must be aware")
    calendar = read_calendar(data)
    found: list[Interval] = []
    try:
        found.extend(_events(calendar, start, end))
        found.extend(_free_busy(calendar))
    except ValidationError:
        raise
    except READ_ERRORS:
        raise unreadable() from None
    return merge(found, start, end)


def merge(intervals: Iterable[Interval], start: datetime, end: datetime) -> tuple[Interval, ...]:
    """Intervals cut to [start, end), overlapping and touching ones joined, sorted, in UTC."""
    return tuple(
        merged(
            (max(a, start).astimezone(UTC), min(b, end).astimezone(UTC))
            for a, b in intervals
            if b > start and a < end and b > a
        )
    )


def _events(calendar: Calendar, start: datetime, end: datetime) -> Iterator[Interval]:
    # A month at a time: a rule that repeats too often is refused after one month's worth
    # (MAX_OCCURRENCES), not expanded for two years first; recurring-ical-events' own lazy
    # after() asks ever smaller windows of a busy rule, which costs minutes for such a one.
    _check_rules(calendar)
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    seen = 0
    cursor = start
    while cursor < end:
        until = min(cursor + CHUNK, end)
        for event in query.between(cursor, until):
            seen += 1  # free ones too
            if seen > MAX_OCCURRENCES:
                raise ValidationError(
                    N_(
                        "The calendar holds more than %(max)s appointments before the end of"
                        " next school year; the planner does not read a calendar that large."
                    ),
                    max=MAX_OCCURRENCES,
                )
            interval = _event_interval(event)
            if interval is not None:
                yield interval  # one across the month's end comes twice: merge() joins them
        cursor = until


def _check_rules(calendar: Calendar) -> None:
    """No appointment repeats every second or minute: such a rule is refused before it is
    expanded (its occurrences would be millions)."""
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            freq = str((rule.get("FREQ") or [""])[0]).upper()
            if freq in TOO_OFTEN:
                raise ValidationError(TOO_OFTEN[freq])


def _event_interval(event: Any) -> Interval | None:
    """When an occurrence makes her busy (None: it does not)."""
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    if str(event.get("TRANSP", "")).strip().upper() == "TRANSPARENT":
        return None
    if str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper() in FREE_STATUS:
        return None
    if event.get("DTSTART") is None:
        return None
    first: date = event.get("DTSTART").dt
    if event.get("DTEND") is not None:
        last: date = event.get("DTEND").dt
    elif event.get("DURATION") is not None:
        last = first + event.get("DURATION").dt
    elif isinstance(first, datetime):
        return None  # a moment without length (RFC 5545: it ends where it starts)
    else:
        last = first + timedelta(days=1)  # an all-day event without end is one day
    a, b = _instant(first), _instant(last)
    return (a, b) if b > a else None


def _instant(value: date) -> datetime:
    """A DATE is the start of that Amsterdam day; a floating time is Amsterdam time."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=ZONE)
    else:
        moment = datetime.combine(value, time(0), tzinfo=ZONE)
    return moment.astimezone(UTC)


def _free_busy(calendar: Calendar) -> Iterator[Interval]:
    for component in calendar.walk("VFREEBUSY"):
        values = component.get("FREEBUSY")
        if values is None:
            continue
        for period in values if isinstance(values, list) else [values]:
            kind = str(period.params.get("FBTYPE", "BUSY")).strip().upper()
            if kind not in BUSY_TYPES:
                continue
            begins, until = period.dt
            a = _instant(begins)
            b = a + until if isinstance(until, timedelta) else _instant(until)
            if b > a:
                yield a, b
