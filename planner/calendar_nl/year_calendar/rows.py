"""What a year calendar is read into (rows, limits, line errors), and what both readers share:
guessing the kind of a row from its words, decoding the bytes, collecting rows."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from planner.calendar_nl.school_years import (
    parse_school_year,
    school_year_bounds,
)
from planner.domain.kinds import BUSY_KIND_WORDS, BusyKind, Severity
from planner.errors import N_, PlannerError, ValidationError
from planner.inputs import FIRST_DATE, LAST_DATE

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


def line_error(line: int, message: str, **params: Any) -> LineError:
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


def kind_of(value: str, summary: str) -> BusyKind:
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


SEVERITIES = {"hard": Severity.HARD, "zacht": Severity.SOFT, "soft": Severity.SOFT}


def decode_text(data: bytes) -> str:
    """Decode an upload: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode
    text"), else Windows-1252 (older Excel). Binary data (NUL bytes) is refused; so is a line
    with another control character, naming it."""
    if not data.strip():
        raise ValidationError(N_("The file is empty."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_text() from None
    elif b"\x00" in data:
        raise _not_text()
    else:
        text = _decode_8bit(data)
    text = text.removesuffix("\x1a")  # the end-of-file mark of old DOS programs
    if not text.strip():
        raise ValidationError(N_("The file is empty."))
    check_characters(text)
    return text


def _not_text() -> ValidationError:
    return ValidationError(
        N_("This is not a text file; save the year calendar as .ics or as .csv.")
    )


def _decode_8bit(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


# Control characters no calendar export writes (tab, line breaks, vertical tab and form feed
# do occur); C1 controls are what binary bytes become in Latin-1.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def check_characters(text: str) -> None:
    """Refuse text with a control character, naming its line (a damaged or binary file)."""
    found = _CONTROL.search(text)
    if found is None:
        return
    line = len(physical_lines(text[: found.start()]))
    raise line_error(
        line,
        N_(
            "This line holds a character that is not text (U+%(code)s); the file is damaged or"
            " no text file. Save the year calendar again as .ics or .csv."
        ),
        code=f"{ord(found.group()):04X}",
    )


def is_icalendar(text: str) -> bool:
    """Whether the text looks like an iCalendar file (it starts with BEGIN:VCALENDAR)."""
    return text.lstrip().upper().startswith("BEGIN:VCALENDAR")


def physical_lines(text: str) -> list[str]:
    # Not str.splitlines: it also splits on form feeds and Unicode separators inside values.
    return re.split(r"\r\n|\n|\r", text)


def in_year(first: date, last: date, bounds: tuple[date, date]) -> bool:
    return last >= bounds[0] and first <= bounds[1]


class Rows:
    """Rows found so far, with the school year's bounds and the cap on their number."""

    def __init__(self, school_year: str) -> None:
        self.school_year = parse_school_year(school_year)
        self.bounds = school_year_bounds(self.school_year)
        if self.bounds[0] < FIRST_DATE or self.bounds[1] > LAST_DATE:
            raise ValidationError(
                N_("School year %(value)s is not between 2000 and 2100."), value=self.school_year
            )
        self.rows: list[CalendarRow] = []
        self.outside = 0
        self.cancelled = 0

    def add(self, row: CalendarRow) -> None:
        if not in_year(row.first_day, row.last_day, self.bounds):
            self.outside += 1
            return
        if len(self.rows) >= MAX_ROWS:
            raise line_error(
                row.line,
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


def clean(text: str, limit: int) -> str:
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
