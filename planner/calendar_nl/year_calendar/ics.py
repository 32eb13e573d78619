"""Reading a year calendar from an .ics export: every VEVENT a row; simple repeat rules
expanded within the school year, others listed to enter by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar
from icalendar.parser import Contentline

from planner.calendar_nl.year_calendar.rows import (
    MAX_SUMMARY,
    ZONE,
    CalendarRow,
    Rows,
    YearCalendar,
    clean,
    guess_kind,
    line_error,
    physical_lines,
)
from planner.errors import N_, ValidationError

_content_line: Callable[[str], Any] = Contentline  # icalendar's parser of one content line


@dataclass
class _Block:
    """A VEVENT as written in the file: where it starts and where each property is."""

    line: int
    props: dict[str, tuple[int, str]] = field(default_factory=dict)


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfold the text (RFC 5545 §3.1) into content lines with the line each starts on."""
    start, parts = 0, list[str]()
    for number, raw in enumerate(physical_lines(text), 1):
        if raw[:1] in (" ", "\t") and parts:
            parts.append(raw[1:])
            continue
        if parts:
            yield start, "".join(parts)
        start, parts = number, [raw]
    if parts:
        yield start, "".join(parts)


def _scan_ics(text: str) -> tuple[str, list[_Block]]:
    """Check the file line by line; return the calendar's text and its VEVENTs' positions."""
    stack: list[tuple[str, int]] = []
    blocks: list[_Block] = []
    kept: list[str] = []
    block: _Block | None = None
    for line, content in _content_lines(text):
        if not content.strip():
            continue
        try:
            name, _params, value = _content_line(content).parts()
        except ValueError:
            raise line_error(
                line,
                N_("'%(text)s' is not an iCalendar line (NAME:value)."),
                text=clean(content, 60),
            ) from None
        name = name.upper()
        if not stack and not (name == "BEGIN" and value.strip().upper() == "VCALENDAR"):
            if kept:
                break  # after END:VCALENDAR: nothing more of this calendar
            raise ValidationError(
                N_(
                    "The file does not start with BEGIN:VCALENDAR, so it is no iCalendar "
                    "(.ics) file. Export the calendar again, or save it as .csv."
                )
            )
        kept.append(content)
        if name == "BEGIN":
            component = value.strip().upper()
            stack.append((component, line))
            if component == "VEVENT" and len(stack) == 2:
                block = _Block(line)
                blocks.append(block)
        elif name == "END":
            component = value.strip().upper()
            if not stack or stack[-1][0] != component:
                raise line_error(
                    line,
                    N_("END:%(found)s does not close BEGIN:%(open)s."),
                    found=component,
                    open=stack[-1][0] if stack else "",
                )
            stack.pop()
            if len(stack) == 1:
                block = None
            if not stack:
                break
        elif block is not None and len(stack) == 2:
            block.props.setdefault(name, (line, value))
    if stack:
        component, opened = stack[-1]
        raise ValidationError(
            N_("The file ends before END:%(name)s (opened on line %(line)s)."),
            name=component,
            line=opened,
        )
    return "\r\n".join(kept) + "\r\n", blocks


_DATE_PROPERTIES = {"DTSTART", "DTEND", "DURATION", "EXDATE", "RECURRENCE-ID"}


def parse_ics(text: str, school_year: str) -> YearCalendar:
    """Read the events of an iCalendar file that touch a school year."""
    found = Rows(school_year)
    calendar_text, blocks = _scan_ics(text)
    try:
        calendar = Calendar.from_ical(calendar_text)
    except (ValueError, IndexError, KeyError):
        raise ValidationError(
            N_("The calendar file cannot be read; export it again from the calendar program.")
        ) from None
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if len(events) != len(blocks):  # cannot happen after the scan; no line numbers then
        blocks = [_Block(0) for _ in events]
    moved: set[tuple[str, date]] = set()
    readable = []
    for event, block in zip(events, blocks, strict=True):
        _check_event(event, block)
        readable.append((event, block))
        if event.get("RECURRENCE-ID") is not None:
            moved.add((str(event.get("UID", "")), _wall_day(event.decoded("RECURRENCE-ID"))))
    for event, block in readable:
        if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
            found.cancelled += 1
            continue
        for row in _event_rows(event, block, found.bounds, moved):
            found.add(row)
    return found.result("ics")


def _check_event(event: Any, block: _Block) -> None:
    """Refuse an event with an unreadable date, a missing start or an end before its start."""
    for prop, _message in event.errors:
        if prop in _DATE_PROPERTIES:
            line, value = block.props.get(prop, (block.line, ""))
            raise line_error(
                line, N_("'%(value)s' is not a valid date or time."), value=clean(value, 40)
            )
        if prop == "RRULE":
            line, value = block.props.get(prop, (block.line, ""))
            raise line_error(
                line, N_("The repeat rule '%(value)s' cannot be read."), value=clean(value, 80)
            )
    if event.get("DTSTART") is None:
        raise line_error(block.line, N_("This event has no start (DTSTART)."))
    start = event.decoded("DTSTART")
    end = _end_of(event, start)
    if _sort_key(end) < _sort_key(start):
        line = block.props.get("DTEND", block.props.get("DURATION", (block.line, "")))[0]
        raise line_error(line, N_("The event ends before it starts."))


def _sort_key(value: date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(ZONE) if value.tzinfo else value.replace(tzinfo=ZONE)
    return datetime(value.year, value.month, value.day, tzinfo=ZONE)


def _end_of(event: Any, start: date) -> date:
    if event.get("DTEND") is not None:
        end: date = event.decoded("DTEND")
        return end
    if event.get("DURATION") is not None:
        duration: timedelta = event.decoded("DURATION")
        return start + duration
    return start


def _local_day(value: date) -> date:
    """The Amsterdam date of an instant; a date, or a floating time, as written."""
    if isinstance(value, datetime):
        return value.astimezone(ZONE).date() if value.tzinfo else value.date()
    return value


def _wall_day(value: date) -> date:
    """The date as written in the event's own zone (for matching EXDATE and RECURRENCE-ID)."""
    return value.date() if isinstance(value, datetime) else value


def _days(start: date, end: date) -> tuple[date, date]:
    """Inclusive local first and last day of an event from its start and (exclusive) end."""
    first = _local_day(start)
    if isinstance(start, datetime):
        longer = _sort_key(end) > _sort_key(start)
        last = _local_day(_sort_key(end) - timedelta(microseconds=1)) if longer else first
    else:
        last = _local_day(end) - timedelta(days=1) if _local_day(end) > first else first
    return first, max(first, last)


def _event_rows(
    event: Any, block: _Block, bounds: tuple[date, date], moved: set[tuple[str, date]]
) -> Iterator[CalendarRow]:
    summary = clean(str(event.get("SUMMARY", "")), MAX_SUMMARY)
    categories = event.get("CATEGORIES")
    category_text = ""
    if categories is not None:
        items = categories if isinstance(categories, list) else [categories]
        category_text = " ".join(str(c) for item in items for c in getattr(item, "cats", [item]))
    kind = guess_kind(summary, category_text)
    start: date = event.decoded("DTSTART")
    length = _sort_key(_end_of(event, start)) - _sort_key(start)
    rule = event.get("RRULE")
    if rule is None or event.get("RECURRENCE-ID") is not None:
        first, last = _days(start, _end_of(event, start))
        yield CalendarRow(block.line, summary, first, last, kind)
        return
    plain = _plain_rule(rule, start, event)
    if plain is None:
        first, last = _days(start, _end_of(event, start))
        if first <= bounds[1]:  # it may repeat into the school year: the user must look
            raw = block.props.get("RRULE", (0, rule.to_ical().decode()))[1]
            yield CalendarRow(block.line, summary, first, last, kind, repeats=clean(raw, 120))
        return
    uid = str(event.get("UID", ""))
    excluded = {_wall_day(value) for value in _exdates(event, start)}
    for occurrence in _occurrences(start, plain, bounds[1]):
        day = _wall_day(occurrence)
        if day in excluded or (uid, day) in moved:
            continue
        first, last = _days(occurrence, occurrence + length)
        yield CalendarRow(block.line, summary, first, last, kind)


def _exdates(event: Any, start: date) -> Iterator[date]:
    values = event.get("EXDATE")
    if values is None:
        return
    for item in values if isinstance(values, list) else [values]:
        for value in item.dts:
            day: date = value.dt
            if isinstance(day, datetime) and isinstance(start, datetime) and start.tzinfo:
                day = day.astimezone(start.tzinfo) if day.tzinfo else day.replace(tzinfo=None)
            yield day


@dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int
    count: int | None
    until: date | None
    weekdays: tuple[int, ...]  # 0 = Monday; only for WEEKLY


_WEEKDAY_CODES = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


_SUPPORTED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}


def _plain_rule(rule: Any, start: date, event: Any) -> _Rule | None:
    """The rule, if it is one this module expands; None for anything else."""
    if isinstance(rule, list) or event.get("RDATE") is not None:
        return None
    parts: Mapping[str, list[Any]] = rule
    if set(parts) - _SUPPORTED_PARTS:
        return None
    freq = str(parts.get("FREQ", [""])[0]).upper()
    if freq not in {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}:
        return None
    byday = [str(day).upper() for day in parts.get("BYDAY", [])]
    if byday and (freq != "WEEKLY" or any(day not in _WEEKDAY_CODES for day in byday)):
        return None
    interval = int(parts.get("INTERVAL", [1])[0])
    count = int(parts["COUNT"][0]) if "COUNT" in parts else None
    until: date | None = parts["UNTIL"][0] if "UNTIL" in parts else None
    if interval < 1 or (count is not None and count < 1):
        return None
    weekdays = tuple(sorted({_WEEKDAY_CODES[day] for day in byday}))
    return _Rule(freq, interval, count, until, weekdays)


_MAX_STEPS = 20_000  # a daily rule without end, read from 2000: still bounded


def _occurrences(start: date, rule: _Rule, horizon: date) -> Iterator[date]:
    """Starts of a simple rule's occurrences, DTSTART first, up to the horizon (a local date)."""
    zone = start.tzinfo if isinstance(start, datetime) else None
    wall: date = start.replace(tzinfo=None) if isinstance(start, datetime) else start
    for step, candidate in enumerate(_candidates(wall, rule)):
        if step > _MAX_STEPS:
            return
        occurrence: date = (
            candidate.replace(tzinfo=zone) if isinstance(candidate, datetime) else candidate
        )
        if rule.until is not None and _after_until(occurrence, rule.until):
            return
        if _local_day(occurrence) > horizon:
            return
        yield occurrence
        if rule.count is not None and step + 1 >= rule.count:
            return


def _after_until(occurrence: date, until: date) -> bool:
    if isinstance(until, datetime) and isinstance(occurrence, datetime):
        if until.tzinfo and occurrence.tzinfo:
            return occurrence > until
        return occurrence.replace(tzinfo=None) > until.replace(tzinfo=None)
    return _wall_day(occurrence) > _wall_day(until)


def _candidates(wall: date, rule: _Rule) -> Iterator[date]:
    """Wall-clock candidates in order; DTSTART itself always comes first."""
    yield wall
    if rule.freq == "DAILY":
        step = 1
        while True:
            yield wall + timedelta(days=rule.interval * step)
            step += 1
    if rule.freq == "WEEKLY":
        weekdays = rule.weekdays or (wall.weekday(),)
        monday = wall - timedelta(days=wall.weekday())
        week = 0
        while True:
            for weekday in weekdays:
                candidate = monday + timedelta(days=7 * rule.interval * week + weekday)
                if candidate > wall:
                    yield candidate
            week += 1
    months = rule.interval * (12 if rule.freq == "YEARLY" else 1)
    step = 1
    while True:
        total = wall.month - 1 + months * step
        year, month = wall.year + total // 12, total % 12 + 1
        step += 1
        if year > 9999:
            return
        try:
            yield wall.replace(year=year, month=month)
        except ValueError:  # 31 April, 29 February: no occurrence that month (RFC 5545)
            continue
