"""A school's own year calendar, read from an .ics export or a .csv list, as rows to import.

Pure: bytes in, frozen rows out, or a ValidationError that names the line that is wrong.

- .ics: every VEVENT becomes a row. An all-day event's DTEND is exclusive (the last day is the
  day before); a timed event covers the local dates (Europe/Amsterdam) it touches. Simple
  repeat rules (RRULE with FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, COUNT, UNTIL, and BYDAY
  with plain weekdays for WEEKLY; EXDATE and RECURRENCE-ID respected) are expanded within the
  school year. Any other rule (BYMONTHDAY, "first Tuesday", RDATE…) is listed as one row the
  user must enter by hand: a calendar must never be guessed.
- .csv: comma, semicolon or tab separated; the first line names the columns in Dutch or
  English (datum/van/begin, tot/eind, omschrijving/onderwerp, soort, ernst, opmerking, week,
  hele dag); dates as 2027-02-03, 3-2-2027, 03-02-2027 or 3 feb 2027. Outlook's export writes
  an all-day event's end date exclusive (like .ics): with a true "hele dag" column the end
  date is taken as the day after the last day.
- The kind of each row is guessed from its words (toetsweek, PTA-week, open dag, studiedag,
  examen, rapportvergadering, vakantie…); anything else is "other".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar.parser import Contentline

from planner.calendar_nl.school_years import (
    iso_weeks_to_range,
    parse_school_year,
    school_year_bounds,
)
from planner.domain.kinds import BUSY_KIND_WORDS, BusyKind, Severity
from planner.errors import N_, PlannerError, ValidationError
from planner.inputs import parse_weeks

MAX_ROWS = 500  # rows (after expanding repeats) one import may hold
MAX_BYTES = 1_000_000  # a school year's calendar is far smaller
MAX_SUMMARY = 200
MAX_DETAIL = 300
ZONE = ZoneInfo("Europe/Amsterdam")


class LineError(ValidationError):
    """A problem on one line of an uploaded file: "line 7: '31-02-2027' is not a date…"."""

    def __init__(self, line: int, problem: PlannerError) -> None:
        super().__init__(N_("line %(line)s: %(problem)s"), line=line, problem=str(problem))
        self.line = line
        self.problem = problem

    def translate(self, gettext: Callable[..., str]) -> str:
        """Translate the problem, then the line prefix around it."""
        return gettext(self.message, line=self.line, problem=self.problem.translate(gettext))


def _line_error(line: int, message: str, **params: Any) -> LineError:
    return LineError(line, ValidationError(message, **params))


@dataclass(frozen=True)
class CalendarRow:
    """One entry of the year calendar: inclusive first and last day, with a guessed kind."""

    line: int  # where the entry starts in the file
    summary: str
    first_day: date
    last_day: date
    kind: BusyKind
    severity: Severity | None = None  # from the file; None: as usual for the kind
    detail: str | None = None  # a note column's text
    repeats: str | None = None  # a repeat rule that cannot be expanded: enter by hand


@dataclass(frozen=True)
class YearCalendar:
    """What a file holds for one school year."""

    format: str  # "ics" or "csv"
    school_year: str
    rows: tuple[CalendarRow, ...]
    outside: int = 0  # entries outside the school year, left out
    cancelled: int = 0  # cancelled events, left out


# --- Guessing the kind -------------------------------------------------------------------------

# In this order: "studiedag (leerlingen vrij)" is a study day, "schoolexamenweek" a test week.
_KIND_PATTERNS: tuple[tuple[BusyKind, re.Pattern[str]], ...] = (
    (
        BusyKind.TEST_WEEK,
        re.compile(
            r"toets|proefwerk|\bpta\b|tentamen|schoolexamen|\bse ?(week|weken|periode)\b"
            r"|\btest ?(week|weeks|period)\b"
        ),
    ),
    (BusyKind.EXAM_PERIOD, re.compile(r"examen|\bce\b|tijdvak|\bexams?\b|examination")),
    (
        BusyKind.OPEN_DAY,
        re.compile(
            r"\bopen ?(dag|dagen|huis|avond|middag|ochtend|les\w*)\b|meeloop|kijk(dag|middag|avond)"
            r"|\bopen (day|evening|house)\b"
        ),
    ),
    (
        BusyKind.STUDY_DAY,
        re.compile(r"studie ?(dag|middag|ochtend)|teamdag|margedag|\bstudy day|\binset\b"),
    ),
    (
        BusyKind.REPORT_MEETINGS,
        re.compile(r"rapport|cijfervergadering|overgangsvergadering|\breport meeting"),
    ),
    (
        BusyKind.HOLIDAY,
        re.compile(r"vakantie|\bvrije dag|\bvrij\b|lesvrij|feestdag|holiday|\bday off\b"),
    ),
)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-zà-ÿ]+", " ", text.lower()).split())


def guess_kind(*texts: str) -> BusyKind:
    """Guess a busy kind from an entry's words (Dutch or English); "other" when unsure."""
    words = _words(" ".join(texts))
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(words):
            return kind
    return BusyKind.OTHER


def _kind_of(value: str, summary: str) -> BusyKind:
    """A kind column's value (toetsweek, test_week…), else a guess from it and the summary."""
    text = value.strip().lower()
    if text:
        key = text.replace(" ", "_")
        for member in BusyKind:
            if key == member.value:
                return member
        word = text.replace(" ", "-")
        found = BUSY_KIND_WORDS.get(word) or BUSY_KIND_WORDS.get(word.replace("-", ""))
        if found is not None:
            return found
    return guess_kind(value, summary)


_SEVERITIES = {"hard": Severity.HARD, "zacht": Severity.SOFT, "soft": Severity.SOFT}


# --- Reading the bytes -------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode an upload: UTF-8 (with or without BOM), else Windows-1252 (older Excel)."""
    if not data.strip():
        raise ValidationError(N_("The file is empty."))
    if b"\x00" in data:
        raise ValidationError(
            N_("This is not a text file; save the year calendar as .ics or as .csv.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def is_icalendar(text: str) -> bool:
    """Whether the text looks like an iCalendar file (it starts with BEGIN:VCALENDAR)."""
    return text.lstrip().upper().startswith("BEGIN:VCALENDAR")


def parse_year_calendar(data: bytes, school_year: str, filename: str = "") -> YearCalendar:
    """Read an uploaded .ics or .csv (told apart by content, then name) for a school year.

    Bounded in size (MAX_BYTES) and rows (MAX_ROWS); a date no calendar can hold is refused
    like any other error, with a message and nothing read.
    """
    if len(data) > MAX_BYTES:
        raise ValidationError(N_("The file is larger than 1 MB; import the school year in parts."))
    try:
        return _parse_year_calendar(data, school_year, filename)
    except OverflowError:  # e.g. DURATION:P9999999D or a time in the year 9999
        raise ValidationError(
            N_(
                "The file holds a date the planner cannot work with (far in the past or the"
                " future); check the dates and export it again."
            )
        ) from None


def _parse_year_calendar(data: bytes, school_year: str, filename: str) -> YearCalendar:
    text = decode_text(data)
    if is_icalendar(text):
        return parse_ics(text, school_year)
    if filename.lower().endswith((".ics", ".ical", ".ifb", ".icalendar")):
        raise ValidationError(
            N_(
                "The file does not start with BEGIN:VCALENDAR, so it is no iCalendar (.ics) "
                "file. Export the calendar again, or save it as .csv."
            )
        )
    return parse_csv(text, school_year)


def _physical_lines(text: str) -> list[str]:
    # Not str.splitlines: it also splits on form feeds and Unicode separators inside values.
    return re.split(r"\r\n|\n|\r", text)


def _in_year(first: date, last: date, bounds: tuple[date, date]) -> bool:
    return last >= bounds[0] and first <= bounds[1]


class _Rows:
    """Rows found so far, with the school year's bounds and the cap on their number."""

    def __init__(self, school_year: str) -> None:
        self.school_year = parse_school_year(school_year)
        self.bounds = school_year_bounds(self.school_year)
        self.rows: list[CalendarRow] = []
        self.outside = 0
        self.cancelled = 0

    def add(self, row: CalendarRow) -> None:
        if not _in_year(row.first_day, row.last_day, self.bounds):
            self.outside += 1
            return
        if len(self.rows) >= MAX_ROWS:
            raise ValidationError(
                N_(
                    "The file has more than %(max)s entries for this school year; split it and "
                    "import the parts one after the other."
                ),
                max=MAX_ROWS,
            )
        self.rows.append(row)

    def result(self, format_: str) -> YearCalendar:
        rows = sorted(self.rows, key=lambda r: (r.first_day, r.last_day, r.line))
        return YearCalendar(
            format=format_,
            school_year=self.school_year,
            rows=tuple(rows),
            outside=self.outside,
            cancelled=self.cancelled,
        )


def _clean(text: str, limit: int) -> str:
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- .ics --------------------------------------------------------------------------------------


_content_line: Callable[[str], Any] = Contentline  # icalendar's parser of one content line


@dataclass
class _Block:
    """A VEVENT as written in the file: where it starts and where each property is."""

    line: int
    props: dict[str, tuple[int, str]] = field(default_factory=dict)


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfold the text (RFC 5545 §3.1) into content lines with the line each starts on."""
    start, parts = 0, list[str]()
    for number, raw in enumerate(_physical_lines(text), 1):
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
            raise _line_error(
                line,
                N_("'%(text)s' is not an iCalendar line (NAME:value)."),
                text=_clean(content, 60),
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
                raise _line_error(
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
    found = _Rows(school_year)
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
            raise _line_error(
                line, N_("'%(value)s' is not a valid date or time."), value=_clean(value, 40)
            )
        if prop == "RRULE":
            line, value = block.props.get(prop, (block.line, ""))
            raise _line_error(
                line, N_("The repeat rule '%(value)s' cannot be read."), value=_clean(value, 80)
            )
    if event.get("DTSTART") is None:
        raise _line_error(block.line, N_("This event has no start (DTSTART)."))
    start = event.decoded("DTSTART")
    end = _end_of(event, start)
    if _sort_key(end) < _sort_key(start):
        line = block.props.get("DTEND", block.props.get("DURATION", (block.line, "")))[0]
        raise _line_error(line, N_("The event ends before it starts."))


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
    summary = _clean(str(event.get("SUMMARY", "")), MAX_SUMMARY)
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
            yield CalendarRow(block.line, summary, first, last, kind, repeats=_clean(raw, 120))
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


# --- .csv --------------------------------------------------------------------------------------

_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "first": (
        "datum",
        "date",
        "van",
        "vanaf",
        "begin",
        "begindatum",
        "startdatum",
        "start",
        "startdate",
        "eerstedag",
        "firstday",
        "from",
        "datumvan",
        "dag",
        "day",
    ),
    "last": (
        "tot",
        "totenmet",
        "tm",
        "eind",
        "einde",
        "einddatum",
        "end",
        "enddate",
        "laatstedag",
        "lastday",
        "to",
        "until",
        "datumtot",
        "tot en met",
    ),
    "summary": (
        "omschrijving",
        "onderwerp",
        "titel",
        "naam",
        "activiteit",
        "wat",
        "gebeurtenis",
        "summary",
        "subject",
        "title",
        "name",
        "event",
        "activity",
        "beschrijving",
        "description",
    ),
    "kind": ("soort", "type", "kind", "categorie", "category", "categorieen", "categories"),
    "severity": ("ernst", "zwaarte", "severity", "hardzacht"),
    "detail": (
        "opmerking",
        "opmerkingen",
        "notitie",
        "notities",
        "toelichting",
        "note",
        "notes",
        "remark",
        "remarks",
        "comment",
        "comments",
    ),
    "weeks": ("week", "weken", "weeks", "weeknummer", "weeknummers", "weeknr", "lesweek"),
    "all_day": ("heledag", "heledaggebeurtenis", "alldayevent", "allday"),
}


def _header_key(cell: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", cell.strip().lower().replace("\ufeff", ""))


def _find_columns(header: Sequence[str]) -> dict[str, int]:
    keys = [_header_key(cell) for cell in header]
    found: dict[str, int] = {}
    for role, names in _COLUMNS.items():
        for name in names:  # the first name in the list wins: "onderwerp" before "beschrijving"
            key = _header_key(name)
            if key in keys and keys.index(key) not in found.values():
                found[role] = keys.index(key)
                break
    return found


def detect_delimiter(line: str) -> str:
    """The delimiter of a CSV header line: the most frequent of ; , and tab (outside quotes)."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: outside.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januari", "january"),
            ("feb", "februari", "february"),
            ("mrt", "maart", "mar", "march"),
            ("apr", "april"),
            ("mei", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "augustus", "august"),
            ("sep", "sept", "september"),
            ("okt", "oktober", "oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_WEEKDAY_PREFIX = re.compile(
    r"^(ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
    r"|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+",
    re.I,
)
_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}[:.]\d{2}(?:[:.]\d{2})?$")


def parse_day(text: str) -> date:
    """Parse a date as schools write it: 2027-02-03, 3-2-2027, 03/02/2027, 3 feb 2027.

    A leading weekday ("wo 3 feb 2027") and a trailing time ("3-2-2027 00:00") are allowed.
    Raise ValueError for anything else, or a date outside 2000-2100.
    """
    value = _TIME_SUFFIX.sub("", _WEEKDAY_PREFIX.sub("", text.strip()))
    day: date | None = None
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value):
        day = date(int(match[1]), int(match[2]), int(match[3]))
    elif match := re.fullmatch(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})", value):
        day = date(int(match[4]), int(match[3]), int(match[1]))
    elif match := re.fullmatch(r"(\d{1,2})\.?\s+([a-z]+)\.?\s+(\d{4})", value.lower()):
        if match[2] not in _MONTHS:
            raise ValueError(text)
        day = date(int(match[3]), _MONTHS[match[2]], int(match[1]))
    if day is None or not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValueError(text)
    return day


_TRUE = {"1", "true", "waar", "ja", "yes", "y", "j", "x", "on"}


def parse_csv(text: str, school_year: str) -> YearCalendar:
    """Read a CSV list of the school year's busy days; the first line names the columns."""
    found = _Rows(school_year)
    lines = _physical_lines(text)
    header_at = next((n for n, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise ValidationError(N_("The file is empty."))
    delimiter = detect_delimiter(lines[header_at])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: dict[str, int] | None = None
    read_up_to = 0
    while True:
        line = read_up_to + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise _line_error(
                line, N_("The line cannot be read as CSV; check its quotes.")
            ) from None
        read_up_to = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns = _csv_columns(cells, line)
            continue
        row = _csv_row(cells, columns, line, found.school_year)
        if row is not None:
            found.add(row)
    return found.result("csv")


def _csv_columns(header: Sequence[str], line: int) -> dict[str, int]:
    columns = _find_columns(header)
    if "first" in columns or "weeks" in columns:
        return columns
    try:
        parse_day(header[0])
    except ValueError:
        pass
    else:
        raise _line_error(
            line,
            N_(
                "The first line must name the columns, e.g. datum;tot;omschrijving. "
                "Add such a line above the dates."
            ),
        )
    raise _line_error(
        line,
        N_(
            "No column with the date. Name it e.g. 'datum', 'van' or 'begin' "
            "(columns found: %(columns)s)."
        ),
        columns=_clean(", ".join(cell.strip() for cell in header if cell.strip()), 120),
    )


def _cell(cells: Sequence[str], columns: Mapping[str, int], role: str) -> str:
    index = columns.get(role)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _csv_day(value: str, line: int) -> date:
    try:
        return parse_day(value)
    except ValueError:
        raise _line_error(
            line,
            N_("'%(value)s' is not a date; write e.g. 3-2-2027 or 2027-02-03."),
            value=_clean(value, 40),
        ) from None


def _csv_row(
    cells: Sequence[str], columns: Mapping[str, int], line: int, school_year: str
) -> CalendarRow | None:
    summary = _clean(_cell(cells, columns, "summary"), MAX_SUMMARY)
    first_text = _cell(cells, columns, "first")
    last_text = _cell(cells, columns, "last")
    weeks_text = _cell(cells, columns, "weeks")
    if first_text:
        first = _csv_day(first_text, line)
        last = _csv_day(last_text, line) if last_text else first
        if last > first and _cell(cells, columns, "all_day").lower() in _TRUE:
            last -= timedelta(days=1)  # Outlook writes the day after an all-day event
    elif weeks_text:
        try:
            first, last = iso_weeks_to_range(school_year, *parse_weeks(weeks_text, "week"))
        except ValidationError as error:
            raise LineError(line, error) from None
    else:
        raise _line_error(line, N_("The date is missing."))
    if last < first:
        raise _line_error(
            line,
            N_("The last day (%(last)s) is before the first day (%(first)s)."),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    severity_text = _cell(cells, columns, "severity").lower()
    severity = _SEVERITIES.get(severity_text) if severity_text else None
    if severity_text and severity is None:
        raise _line_error(
            line, N_("'%(value)s' is not hard or soft (zacht)."), value=_clean(severity_text, 40)
        )
    detail = _clean(_cell(cells, columns, "detail"), MAX_DETAIL) or None
    kind = _kind_of(_cell(cells, columns, "kind"), summary)
    return CalendarRow(line, summary, first, last, kind, severity, detail)
