"""Reading a year calendar from an .ics export: every VEVENT a row; simple repeat rules
expanded within the school year, others listed to enter by hand.

The file is first checked line by line (structure, properties an event may hold once, nesting),
so that every refusal names its line; only the events and time zones are then handed to the
icalendar library. Dates must lie between 1900 and 2100, and the expansion of repeat rules is
bounded (at most MAX_ROWS occurrences asked for by one rule, at most _MAX_STEPS candidate days
worked out for the whole file), so no file makes the reader loop or overflow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar
from icalendar.parser import Contentline

from planner.calendar_nl.year_calendar.rows import (
    MAX_ROWS,
    MAX_SUMMARY,
    ZONE,
    CalendarRow,
    LineError,
    Rows,
    YearCalendar,
    clean,
    guess_kind,
    line_error,
    physical_lines,
)
from planner.errors import N_, ValidationError

_content_line: Callable[[str], Any] = Contentline  # icalendar's parser of one content line

# The dates an event may have: far wider than the planner's 2000-2100 (a birthday that repeats
# every year since 1975 is fine), narrow enough that no computation overflows.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

# Components that stand directly in the VCALENDAR; one inside another means a missing END.
_TOP_LEVEL = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}

# Properties an event holds at most once (RFC 5545 §3.6.1) that the reader uses: a second one
# would make the event ambiguous. RRULE "SHOULD NOT" occur twice; two rules are not guessed.
_ONCE = ("DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID", "UID", "SUMMARY", "STATUS")


@dataclass
class _Block:
    """A component as written in the file: where it starts and where each property is."""

    name: str
    line: int
    props: dict[str, tuple[int, str]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # a VTIMEZONE's own text


@dataclass
class _Scan:
    """What the line-by-line check found: the text to parse, and the events and time zones."""

    text: str
    events: list[_Block]
    zones: list[_Block]


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


def _not_icalendar() -> ValidationError:
    return ValidationError(
        N_(
            "The file does not start with BEGIN:VCALENDAR, so it is no iCalendar "
            "(.ics) file. Export the calendar again, or save it as .csv."
        )
    )


def _wanted(stack: list[tuple[str, int]]) -> bool:
    """Whether a line at this depth is parsed: the calendar's frame, a time zone (all of it),
    an event's own properties (not its alarms). Other components are not read at all."""
    if len(stack) == 1:
        return True
    top = stack[1][0]
    return top == "VTIMEZONE" or (top == "VEVENT" and len(stack) == 2)


def _scan_ics(text: str) -> _Scan:
    """Check the file line by line; return the calendar's text with its events and zones."""
    stack: list[tuple[str, int]] = []
    events: list[_Block] = []
    zones: list[_Block] = []
    kept: list[str] = []
    block: _Block | None = None
    last = 0
    for line, content in _content_lines(text):
        if not content.strip():
            continue
        last = line
        try:
            name, _params, value = _content_line(content).parts()
        except ValueError:
            raise line_error(
                line,
                N_("'%(text)s' is not an iCalendar line (NAME:value)."),
                text=clean(content, 60),
            ) from None
        name = name.upper()
        if not stack:
            if name == "BEGIN" and value.strip().upper() == "VCALENDAR":
                stack.append(("VCALENDAR", line))
                kept.append(content)
                continue
            if kept:
                break  # after END:VCALENDAR: nothing more of this calendar
            raise _not_icalendar()
        if name == "BEGIN":
            block = _begin(value.strip().upper(), line, stack, block, events, zones)
        elif name == "END":
            _end(value.strip().upper(), line, stack)
            if block is not None and len(stack) == 2:
                _check_block(block)
        elif len(stack) == 1:
            continue  # the calendar's own properties (PRODID, X-WR-…) are not needed
        elif block is not None and block.name == "VEVENT" and len(stack) == 2:
            _property(block, name, line, value)
        if _wanted(stack):
            kept.append(content)
            if block is not None and block.name == "VTIMEZONE":
                block.lines.append(content)
        if name == "END":
            stack.pop()
            if len(stack) == 1:
                block = None
            if not stack:
                break
    if stack:
        component, opened = stack[-1]
        raise LineError(
            last,
            ValidationError(
                N_("The file ends before END:%(name)s (opened on line %(line)s)."),
                name=component,
                line=opened,
            ),
        )
    return _Scan("\r\n".join(kept) + "\r\n", events, zones)


def _begin(
    component: str,
    line: int,
    stack: list[tuple[str, int]],
    block: _Block | None,
    events: list[_Block],
    zones: list[_Block],
) -> _Block | None:
    """Open a component; a new block when it stands directly in the calendar."""
    if not component:
        raise line_error(line, N_("BEGIN names no component; write e.g. BEGIN:VEVENT."))
    if component == "VCALENDAR" or (component in _TOP_LEVEL and len(stack) > 1):
        open_, opened = stack[-1]
        raise line_error(
            line,
            N_(
                "BEGIN:%(name)s inside BEGIN:%(open)s of line %(opened)s; is an"
                " END:%(open)s missing?"
            ),
            name=component,
            open=open_,
            opened=opened,
        )
    stack.append((component, line))
    if len(stack) != 2:
        return block
    block = _Block(component, line)
    if component == "VEVENT":
        events.append(block)
    elif component == "VTIMEZONE":
        zones.append(block)
    return block


def _end(component: str, line: int, stack: list[tuple[str, int]]) -> None:
    """Refuse an END that does not close the component opened last."""
    open_, opened = stack[-1]
    if component != open_:
        raise line_error(
            line,
            N_("END:%(found)s does not close BEGIN:%(open)s of line %(opened)s."),
            found=component,
            open=open_,
            opened=opened,
        )


def _property(block: _Block, name: str, line: int, value: str) -> None:
    """Record where an event's property is; refuse a second one of those it holds once."""
    if name not in block.props:
        block.props[name] = (line, value)
    elif name in _ONCE:
        raise line_error(
            line,
            N_("%(name)s appears twice in this event (also on line %(first)s); keep one."),
            name=name,
            first=block.props[name][0],
        )


def _check_block(block: _Block) -> None:
    """Refuse an event with both an end and a duration (RFC 5545 allows one of them)."""
    if block.name == "VEVENT" and "DTEND" in block.props and "DURATION" in block.props:
        raise line_error(
            max(block.props["DTEND"][0], block.props["DURATION"][0]),
            N_("This event has both DTEND and DURATION; an event has one or the other."),
        )


def _read_calendar(scan: _Scan) -> Any:
    """The parsed calendar; a time zone the library cannot read is named by its line."""
    try:
        return Calendar.from_ical(scan.text)
    except _UNREADABLE:
        pass
    for zone in scan.zones:
        try:
            Calendar.from_ical(
                "BEGIN:VCALENDAR\r\n" + "\r\n".join(zone.lines) + "\r\nEND:VCALENDAR"
            )
        except _UNREADABLE:
            raise line_error(
                zone.line,
                N_(
                    "The time zone definition (VTIMEZONE) that starts here cannot be read;"
                    " export the calendar again from the calendar program."
                ),
            ) from None
    raise ValidationError(
        N_("The calendar file cannot be read; export it again from the calendar program.")
    )


# What the icalendar library and the time zones it builds raise for input they cannot use.
_UNREADABLE = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


_DATE_PROPERTIES = {"DTSTART", "DTEND", "DURATION", "EXDATE", "RECURRENCE-ID"}


@dataclass
class _Budget:
    """How many more candidate days the repeat rules of one file may work out."""

    steps: int

    def spend(self, line: int) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise line_error(
                line,
                N_(
                    "The repeat rules of this file have too many occurrences to work out (the"
                    " planner stopped at this event); split the file, or enter long repeats as"
                    " one period."
                ),
            )


def parse_ics(text: str, school_year: str) -> YearCalendar:
    """Read the events of an iCalendar file that touch a school year."""
    found = Rows(school_year)
    scan = _scan_ics(text)
    calendar = _read_calendar(scan)
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    blocks = scan.events
    if len(events) != len(blocks):  # cannot happen after the scan; no line numbers then
        blocks = [_Block("VEVENT", 0) for _ in events]
    moved: set[tuple[str, date]] = set()
    readable = []
    for event, block in zip(events, blocks, strict=True):
        with _dates_of(block):
            _check_event(event, block)
            if event.get("RECURRENCE-ID") is not None:
                moved.add((str(event.get("UID", "")), _wall_day(event.decoded("RECURRENCE-ID"))))
        readable.append((event, block))
    budget = _Budget(_MAX_STEPS)
    for event, block in readable:
        if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
            found.cancelled += 1
            continue
        with _dates_of(block):
            for row in _event_rows(event, block, found.bounds, moved, budget):
                found.add(row)
    return found.result("ics")


@contextmanager
def _dates_of(block: _Block) -> Iterator[None]:
    """Working out an event's dates: what the time zone library cannot do names the event."""
    try:
        yield
    except _UNREADABLE:
        raise line_error(
            block.line,
            N_(
                "The dates of this event cannot be worked out (check its time zone and dates);"
                " export the calendar again."
            ),
        ) from None


def _check_event(event: Any, block: _Block) -> None:
    """Refuse an event with an unreadable or impossible date, an unknown time zone, a missing
    start, an end before its start, or a repeat rule that is broken or far too long."""
    for prop, _message in event.errors:
        if prop in _DATE_PROPERTIES:
            _refuse_date(block, prop)
        if prop == "RRULE":
            _refuse_rule(block)
    if event.get("DTSTART") is None:
        raise line_error(block.line, N_("This event has no start (DTSTART)."))
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        if event.get(prop) is not None:
            _check_date(event, block, prop)
    start = event.decoded("DTSTART")
    end = _checked_end(event, block, start)
    if _sort_key(end) < _sort_key(start):
        line = block.props.get("DTEND", block.props.get("DURATION", (block.line, "")))[0]
        raise line_error(line, N_("The event ends before it starts."))
    rule = event.get("RRULE")
    if rule is not None:
        _check_rule(rule, block, start)


def _at(block: _Block, prop: str) -> tuple[int, str]:
    """The line and raw value of a property (the event's first line if unknown)."""
    return block.props.get(prop, (block.line, ""))


def _refuse_date(block: _Block, prop: str) -> None:
    line, value = _at(block, prop)
    raise line_error(line, N_("'%(value)s' is not a valid date or time."), value=clean(value, 40))


def _refuse_rule(block: _Block) -> None:
    line, value = _at(block, "RRULE")
    raise line_error(
        line, N_("The repeat rule '%(value)s' cannot be read."), value=clean(value, 80)
    )


def _check_date(event: Any, block: _Block, prop: str) -> None:
    """A date or date-time between 1900 and 2100, in a time zone the planner knows."""
    value = event.decoded(prop)
    if not isinstance(value, date):  # e.g. VALUE=PERIOD or VALUE=TEXT
        _refuse_date(block, prop)
    line, raw = _at(block, prop)
    if not EARLIEST <= _wall_day(value) <= LATEST:
        raise line_error(
            line,
            N_(
                "'%(value)s' is not a date the planner can work with; it takes dates from 1900"
                " to 2100."
            ),
            value=clean(raw, 40),
        )
    zone = event[prop].params.get("TZID")
    if zone and isinstance(value, datetime) and value.tzinfo is None:
        raise line_error(
            line,
            N_(
                "The time zone '%(zone)s' is unknown and the file does not describe it"
                " (VTIMEZONE); export the calendar again, or use a zone such as"
                " Europe/Amsterdam."
            ),
            zone=clean(str(zone), 60),
        )


def _checked_end(event: Any, block: _Block, start: date) -> date:
    """The event's end, refused when its duration makes it end after 2100."""
    if event.get("DURATION") is None or event.get("DTEND") is not None:
        return _end_of(event, start)
    duration = event.decoded("DURATION")
    if not isinstance(duration, timedelta):
        _refuse_date(block, "DURATION")
    if duration < timedelta(0):
        raise line_error(_at(block, "DURATION")[0], N_("The event ends before it starts."))
    try:
        end = _end_of(event, start)
    except OverflowError:
        end = None
    if end is None or _wall_day(end) > LATEST:
        line, raw = _at(block, "DURATION")
        raise line_error(
            line,
            N_("The duration '%(value)s' makes the event end after 2100."),
            value=clean(raw, 40),
        )
    return end


_FREQUENCIES = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


def _check_rule(rule: Any, block: _Block, start: date) -> None:
    """A repeat rule must be readable (RFC 5545: a known FREQ, a positive INTERVAL and COUNT),
    end after the event starts, and ask for no more occurrences than an import may hold."""
    if isinstance(rule, list):  # the scan refuses a second RRULE; never guess between them
        _refuse_rule(block)
    parts: Mapping[str, list[Any]] = rule
    freq = str(parts.get("FREQ", [""])[0]).upper()
    interval = parts.get("INTERVAL", [1])[0]
    count = parts.get("COUNT", [None])[0]
    if (
        freq not in _FREQUENCIES
        or not isinstance(interval, int)
        or interval < 1
        or (count is not None and (not isinstance(count, int) or count < 1))
    ):
        _refuse_rule(block)
    line = _at(block, "RRULE")[0]
    if count is not None and count > MAX_ROWS:
        raise line_error(
            line,
            N_(
                "The repeat rule repeats the event %(count)s times (COUNT); the planner expands"
                " at most %(max)s. Enter the period as one event, or shorten the rule."
            ),
            count=count,
            max=MAX_ROWS,
        )
    until = parts.get("UNTIL", [None])[0]
    if isinstance(until, date) and _after_until(start, until):
        raise line_error(
            line,
            N_("The repeat rule ends (UNTIL %(until)s) before the event starts."),
            until=_wall_day(until).isoformat(),
        )


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
    event: Any,
    block: _Block,
    bounds: tuple[date, date],
    moved: set[tuple[str, date]],
    budget: _Budget,
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
            raw = block.props["RRULE"][1] if "RRULE" in block.props else rule.to_ical().decode()
            yield CalendarRow(block.line, summary, first, last, kind, repeats=clean(raw, 120))
        return
    uid = str(event.get("UID", ""))
    excluded = {_wall_day(value) for value in _exdates(event, start)}
    spread = _Spread(bounds, length, block.line, budget)
    for occurrence in _occurrences(start, plain, spread):
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


# Candidate days the repeat rules of one file may work out. Rules skip ahead to the school year
# by arithmetic, so an honest file needs about one step per occurrence it lists.
_MAX_STEPS = 50_000


@dataclass(frozen=True)
class _Spread:
    """Where a rule's occurrences are wanted: the school year (an occurrence of this length
    may start a little before it), and the file's budget, charged to the event's line."""

    bounds: tuple[date, date]
    length: timedelta
    line: int
    budget: _Budget

    @property
    def from_day(self) -> date:
        """No occurrence starting before this day reaches the school year."""
        return self.bounds[0] - timedelta(days=max(self.length.days, 0) + 2)


def _occurrences(start: date, rule: _Rule, spread: _Spread) -> Iterator[date]:
    """Starts of a simple rule's occurrences that may touch the school year, in order."""
    zone = start.tzinfo if isinstance(start, datetime) else None
    wall: date = start.replace(tzinfo=None) if isinstance(start, datetime) else start
    period, produced = _skip(wall, rule, spread.from_day)
    if rule.count is not None and produced >= rule.count:
        return
    horizon = spread.bounds[1]
    for candidate in _candidates(wall, rule, period, horizon + timedelta(days=1)):
        spread.budget.spend(spread.line)
        if candidate is None:
            continue
        occurrence: date = (
            candidate.replace(tzinfo=zone) if isinstance(candidate, datetime) else candidate
        )
        if rule.until is not None and _after_until(occurrence, rule.until):
            return
        if _local_day(occurrence) > horizon:
            return
        yield occurrence
        produced += 1
        if rule.count is not None and produced >= rule.count:
            return


def _skip(wall: date, rule: _Rule, target: date) -> tuple[int, int]:
    """The period (day, week or month step) to start at so that no occurrence before `target`
    is worked out one by one, and how many occurrences (DTSTART included) come before it."""
    day = _wall_day(wall)
    gap = (target - day).days
    if gap <= 0:
        return 0, 0
    if rule.freq == "DAILY":
        period = gap // rule.interval
        return period, period
    if rule.freq == "WEEKLY":
        weekdays = rule.weekdays or (day.weekday(),)
        week = gap // (7 * rule.interval)
        if week < 1:
            return 0, 0
        first_week = 1 + sum(1 for weekday in weekdays if weekday > day.weekday())
        return week, first_week + (week - 1) * len(weekdays)
    if rule.count is not None and day.day > 28:
        return 0, 0  # not every month has this day: such rules are counted one by one
    months = rule.interval * (12 if rule.freq == "YEARLY" else 1)
    period = ((target.year - day.year) * 12 + target.month - day.month) // months - 1
    return (period, period) if period >= 1 else (0, 0)


def _after_until(occurrence: date, until: date) -> bool:
    if isinstance(until, datetime) and isinstance(occurrence, datetime):
        if until.tzinfo and occurrence.tzinfo:
            return occurrence > until
        return occurrence.replace(tzinfo=None) > until.replace(tzinfo=None)
    return _wall_day(occurrence) > _wall_day(until)


def _candidates(wall: date, rule: _Rule, period: int, last: date) -> Iterator[date | None]:
    """Wall-clock candidates in order from a period on, up to the day `last`; DTSTART itself
    comes first when starting at period 0. None stands for a month without the day."""
    day = _wall_day(wall)
    room = (last - day).days  # candidates further than this are not wanted
    if period == 0:
        yield wall
    if rule.freq == "DAILY":
        step = max(period, 1)
        while rule.interval * step <= room:
            yield wall + timedelta(days=rule.interval * step)
            step += 1
        return
    if rule.freq == "WEEKLY":
        weekdays = rule.weekdays or (day.weekday(),)
        monday = wall - timedelta(days=day.weekday())
        week = period
        while 7 * rule.interval * week - day.weekday() <= room:
            for weekday in weekdays:
                candidate = monday + timedelta(days=7 * rule.interval * week + weekday)
                if candidate > wall:
                    yield candidate
            week += 1
        return
    months = rule.interval * (12 if rule.freq == "YEARLY" else 1)
    step = max(period, 1)
    while True:
        total = wall.month - 1 + months * step
        year, month = wall.year + total // 12, total % 12 + 1
        step += 1
        if (year, month) > (last.year, last.month):
            return
        try:
            candidate = wall.replace(year=year, month=month)
        except ValueError:  # 31 April, 29 February: no occurrence that month (RFC 5545)
            yield None
        else:
            yield candidate
