"""Reading a year calendar from a .csv list (comma, semicolon or tab separated; Dutch or
English column names; dates written the Dutch way or ISO)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from planner.calendar_nl.school_years import (
    iso_weeks_to_range,
)
from planner.calendar_nl.year_calendar.rows import (
    MAX_DETAIL,
    MAX_SUMMARY,
    SEVERITIES,
    CalendarRow,
    LineError,
    Rows,
    YearCalendar,
    clean,
    kind_of,
    line_error,
    physical_lines,
)
from planner.errors import N_, ValidationError
from planner.inputs import parse_weeks

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
    found = Rows(school_year)
    lines = physical_lines(text)
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
            raise line_error(
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
        raise line_error(
            line,
            N_(
                "The first line must name the columns, e.g. datum;tot;omschrijving. "
                "Add such a line above the dates."
            ),
        )
    raise line_error(
        line,
        N_(
            "No column with the date. Name it e.g. 'datum', 'van' or 'begin' "
            "(columns found: %(columns)s)."
        ),
        columns=clean(", ".join(cell.strip() for cell in header if cell.strip()), 120),
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
        raise line_error(
            line,
            N_("'%(value)s' is not a date; write e.g. 3-2-2027 or 2027-02-03."),
            value=clean(value, 40),
        ) from None


def _csv_row(
    cells: Sequence[str], columns: Mapping[str, int], line: int, school_year: str
) -> CalendarRow | None:
    summary = clean(_cell(cells, columns, "summary"), MAX_SUMMARY)
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
        raise line_error(line, N_("The date is missing."))
    if last < first:
        raise line_error(
            line,
            N_("The last day (%(last)s) is before the first day (%(first)s)."),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    severity_text = _cell(cells, columns, "severity").lower()
    severity = SEVERITIES.get(severity_text) if severity_text else None
    if severity_text and severity is None:
        raise line_error(
            line, N_("'%(value)s' is not hard or soft (zacht)."), value=clean(severity_text, 40)
        )
    detail = clean(_cell(cells, columns, "detail"), MAX_DETAIL) or None
    kind = kind_of(_cell(cells, columns, "kind"), summary)
    return CalendarRow(line, summary, first, last, kind, severity, detail)
