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
- Bytes: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
  Windows-1252. NUL bytes mean no text file; another control character is refused naming its
  line. Cells that look like spreadsheet formulas (=…, +…, @…) are text like any other.
- Bounded: at most MAX_BYTES, MAX_ROWS rows in the school year; .ics dates between 1900 and
  2100; a repeat rule asking for more than MAX_ROWS occurrences (COUNT) is refused, not cut
  short; old rules skip to the school year by arithmetic, and the occurrences a whole file
  needs worked out are capped (ics._MAX_STEPS). Every refusal names its line where it has one.
"""

from __future__ import annotations

from planner.calendar_nl.year_calendar.csv import detect_delimiter, parse_csv, parse_day
from planner.calendar_nl.year_calendar.ics import parse_ics
from planner.calendar_nl.year_calendar.rows import (
    MAX_BYTES,
    MAX_ROWS,
    CalendarRow,
    LineError,
    YearCalendar,
    decode_text,
    guess_kind,
    is_icalendar,
)
from planner.errors import N_, ValidationError

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "CalendarRow",
    "LineError",
    "YearCalendar",
    "decode_text",
    "detect_delimiter",
    "guess_kind",
    "parse_csv",
    "parse_day",
    "parse_ics",
    "parse_year_calendar",
]


def parse_year_calendar(data: bytes, school_year: str, filename: str = "") -> YearCalendar:
    """Read an uploaded .ics or .csv (told apart by content, then name) for a school year.

    Bounded in size (MAX_BYTES) and rows (MAX_ROWS); a date no calendar can hold is refused
    like any other error, naming its line, and nothing is read.
    """
    if len(data) > MAX_BYTES:
        raise ValidationError(N_("The file is larger than 1 MB; import the school year in parts."))
    try:
        return _parse_year_calendar(data, school_year, filename)
    except OverflowError:  # not expected after the readers' own checks; never a crash
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
