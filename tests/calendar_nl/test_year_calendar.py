"""Reading a school's own year calendar: .ics exports and .csv lists, errors by line."""

from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr

from planner.calendar_nl.year_calendar import (
    MAX_ROWS,
    CalendarRow,
    LineError,
    decode_text,
    detect_delimiter,
    guess_kind,
    parse_csv,
    parse_day,
    parse_ics,
    parse_year_calendar,
)
from planner.domain.kinds import BusyKind, Severity
from planner.errors import PlannerError, ValidationError

YEAR = "2026-2027"


def _english(message: str, **params: object) -> str:
    return message % params if params else message


def _message(error: PlannerError) -> str:
    return error.translate(_english)


def _spans(rows: tuple[CalendarRow, ...]) -> list[tuple[str, date, date, BusyKind]]:
    return [(row.summary, row.first_day, row.last_day, row.kind) for row in rows]


# --- Dates, kinds, delimiters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-02-03", date(2027, 2, 3)),
        ("3-2-2027", date(2027, 2, 3)),
        ("03-02-2027", date(2027, 2, 3)),
        ("3/2/2027", date(2027, 2, 3)),
        ("3.2.2027", date(2027, 2, 3)),
        (" 3-2-2027 ", date(2027, 2, 3)),
        ("3-2-2027 00:00:00", date(2027, 2, 3)),
        ("3-2-2027 9:30", date(2027, 2, 3)),
        ("2027-02-03T08:00", date(2027, 2, 3)),
        ("3 feb 2027", date(2027, 2, 3)),
        ("wo 3 feb 2027", date(2027, 2, 3)),
        ("woensdag 3 februari 2027", date(2027, 2, 3)),
        ("Wed 3 Feb 2027", date(2027, 2, 3)),
        ("17 mrt 2027", date(2027, 3, 17)),
        ("1 mei 2027", date(2027, 5, 1)),
        ("12 oktober 2026", date(2026, 10, 12)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "31-02-2027",
        "2027-02-30",
        "3-2-27",  # a two-digit year is ambiguous
        "2-3",
        "3 brumaire 2027",
        "13-13-2027",
        "3-2/2027",  # mixed separators
        "1-1-1999",
        "1-1-2101",
        "morgen",
        "45",
    ],
)
def test_parse_day_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("Toetsweek 1", BusyKind.TEST_WEEK),
        ("toetsweek klas 1-3", BusyKind.TEST_WEEK),
        ("Proefwerkweek havo/vwo", BusyKind.TEST_WEEK),
        ("PTA-week bovenbouw", BusyKind.TEST_WEEK),
        ("PTA week 2", BusyKind.TEST_WEEK),
        ("Toetsperiode 3", BusyKind.TEST_WEEK),
        ("SE-week 5 vwo", BusyKind.TEST_WEEK),
        ("Schoolexamenweek", BusyKind.TEST_WEEK),
        ("Tentamenweek", BusyKind.TEST_WEEK),
        ("Test week", BusyKind.TEST_WEEK),
        ("Centraal examen", BusyKind.EXAM_PERIOD),
        ("Eindexamens vmbo", BusyKind.EXAM_PERIOD),
        ("CE tijdvak 1", BusyKind.EXAM_PERIOD),
        ("Open dag", BusyKind.OPEN_DAY),
        ("OPEN DAG voor groep 8", BusyKind.OPEN_DAY),
        ("Opendag", BusyKind.OPEN_DAY),
        ("Open avond", BusyKind.OPEN_DAY),
        ("Open lesmiddag", BusyKind.OPEN_DAY),
        ("Meeloopdag groep 8", BusyKind.OPEN_DAY),
        ("Open day", BusyKind.OPEN_DAY),
        ("Studiedag", BusyKind.STUDY_DAY),
        ("Studiedag - leerlingen vrij", BusyKind.STUDY_DAY),
        ("Studiemiddag team", BusyKind.STUDY_DAY),
        ("Margedag", BusyKind.STUDY_DAY),
        ("Study day", BusyKind.STUDY_DAY),
        ("Rapportvergadering", BusyKind.REPORT_MEETINGS),
        ("Rapportvergaderingen onderbouw", BusyKind.REPORT_MEETINGS),
        ("Cijfervergadering", BusyKind.REPORT_MEETINGS),
        ("Herfstvakantie", BusyKind.HOLIDAY),
        ("Vrije dag", BusyKind.HOLIDAY),
        ("Leerlingen vrij", BusyKind.HOLIDAY),
        ("Lesvrij", BusyKind.HOLIDAY),
        ("Holiday", BusyKind.HOLIDAY),
        # Nothing recognisable, and words that only look alike.
        ("Sectieoverleg", BusyKind.OTHER),
        ("Schoolreis 2e klas", BusyKind.OTHER),
        ("Vrijdagmiddagborrel", BusyKind.OTHER),
        ("Opening schooljaar", BusyKind.OTHER),
        ("", BusyKind.OTHER),
    ],
)
def test_guess_kind(words: str, kind: BusyKind) -> None:
    assert guess_kind(words) is kind


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("datum;tot;omschrijving", ";"),
        ("Subject,Start Date,End Date", ","),
        ("datum\tomschrijving", "\t"),
        ('"Datum, van";omschrijving', ";"),  # a comma inside quotes does not count
        ("datum", ","),
    ],
)
def test_detect_delimiter(line: str, delimiter: str) -> None:
    assert detect_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbfdatum;wat", "datum;wat"),
        ("café".encode(), "café"),
        ("café".encode("cp1252"), "café"),
    ],
)
def test_decode_text(data: bytes, text: str) -> None:
    assert decode_text(data) == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n ", "The file is empty."),
        (b"PK\x03\x04\x00\x00", "This is not a text file"),
    ],
)
def test_decode_text_rejects(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        decode_text(data)
    assert _message(caught.value).startswith(message)


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Datum;Tot en met;Omschrijving\n2-11-2026;6-11-2026;Toetsweek 1\n3-2-2027;;Open dag\n",
            [
                ("Toetsweek 1", date(2026, 11, 2), date(2026, 11, 6), BusyKind.TEST_WEEK),
                ("Open dag", date(2027, 2, 3), date(2027, 2, 3), BusyKind.OPEN_DAY),
            ],
        ),
        (  # English headers, commas, a quoted comma, ISO dates
            'Start,End,Title\n2027-03-15,2027-03-19,"PTA-week, bovenbouw"\n',
            [("PTA-week, bovenbouw", date(2027, 3, 15), date(2027, 3, 19), BusyKind.TEST_WEEK)],
        ),
        (  # van/tot with tabs; blank lines and surrounding spaces are fine
            "van\ttot\twat\n\n 5-10-2026 \t\t Studiedag \n\n",
            [("Studiedag", date(2026, 10, 5), date(2026, 10, 5), BusyKind.STUDY_DAY)],
        ),
        (  # Outlook's export: the end date of an all-day event is the day after
            "Subject,Start Date,Start Time,End Date,End Time,All day event,Description\n"
            "Studiedag,5-10-2026,00:00:00,6-10-2026,00:00:00,True,tekst\n"
            "Open avond,10-2-2027,19:00:00,10-2-2027,21:30:00,False,\n"
            "Toetsweek,9-11-2026,00:00:00,14-11-2026,00:00:00,Waar,\n",
            [
                ("Studiedag", date(2026, 10, 5), date(2026, 10, 5), BusyKind.STUDY_DAY),
                ("Toetsweek", date(2026, 11, 9), date(2026, 11, 13), BusyKind.TEST_WEEK),
                ("Open avond", date(2027, 2, 10), date(2027, 2, 10), BusyKind.OPEN_DAY),
            ],
        ),
        (  # Week numbers of the school year instead of dates
            "week;omschrijving\n45-46;Toetsweek\n5;PTA\nweek 53;Kerst\n",
            [
                ("Toetsweek", date(2026, 11, 2), date(2026, 11, 13), BusyKind.TEST_WEEK),
                ("Kerst", date(2026, 12, 28), date(2027, 1, 1), BusyKind.OTHER),
                ("PTA", date(2027, 2, 1), date(2027, 2, 5), BusyKind.TEST_WEEK),
            ],
        ),
        (  # A kind column wins over the words of the summary
            "datum;omschrijving;soort\n1-3-2027;Dag van de leraar;studiedag\n"
            "2-3-2027;Toetsweek-achtige dag;overig\n3-3-2027;Iets;exam_period\n",
            [
                ("Dag van de leraar", date(2027, 3, 1), date(2027, 3, 1), BusyKind.STUDY_DAY),
                ("Toetsweek-achtige dag", date(2027, 3, 2), date(2027, 3, 2), BusyKind.OTHER),
                ("Iets", date(2027, 3, 3), date(2027, 3, 3), BusyKind.EXAM_PERIOD),
            ],
        ),
        (  # Rows outside the school year are left out
            "datum;wat\n31-7-2026;Oud\n1-8-2026;Nieuw\n31-7-2027;Laatste\n1-8-2027;Volgend\n",
            [
                ("Nieuw", date(2026, 8, 1), date(2026, 8, 1), BusyKind.OTHER),
                ("Laatste", date(2027, 7, 31), date(2027, 7, 31), BusyKind.OTHER),
            ],
        ),
        ("datum;omschrijving\n", []),  # only the header
    ],
)
def test_parse_csv(text: str, expected: list[tuple[str, date, date, BusyKind]]) -> None:
    assert _spans(parse_csv(text, YEAR).rows) == expected


def test_csv_severity_note_and_line_numbers() -> None:
    text = (
        "Datum;Omschrijving;Ernst;Opmerking\n"
        '1-3-2027;Schoolreis;zacht;"Bus om 8 uur;\nterug om 17 uur"\n'
        "\n"
        "2-3-2027;Sportdag;hard;\n"
        "3-3-2027;Excursie;;\n"
    )
    result = parse_csv(text, YEAR)
    assert [(r.line, r.summary, r.severity, r.detail) for r in result.rows] == [
        (2, "Schoolreis", Severity.SOFT, "Bus om 8 uur; terug om 17 uur"),
        (5, "Sportdag", Severity.HARD, None),
        (6, "Excursie", None, None),
    ]
    assert result.outside == 0 and result.format == "csv" and result.school_year == YEAR


def test_csv_counts_rows_outside_the_school_year() -> None:
    result = parse_csv("datum;wat\n1-9-2025;a\n1-9-2026;b\n1-9-2027;c\n", YEAR)
    assert [row.summary for row in result.rows] == ["b"] and result.outside == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("datum;omschrijving\n1-2-2027;a\n31-02-2027;b\n", "line 3: '31-02-2027' is not a date"),
        ("van;tot;wat\n1-2-2027;30-2-2027;a\n", "line 2: '30-2-2027' is not a date"),
        (
            "van;tot;wat\n5-2-2027;1-2-2027;a\n",
            "line 2: The last day (2027-02-01) is before the first day (2027-02-05).",
        ),
        ("datum;wat\n;Toetsweek\n", "line 2: The date is missing."),
        ("datum;wat;ernst\n1-2-2027;a;heel erg\n", "line 2: 'heel erg' is not hard or soft"),
        ("week;wat\n54;a\n", "line 2: Week 54 does not exist; use 1 to 53."),
        ("week;wat\nvolgende;a\n", "line 2: week: 'volgende' is not a week or week range"),
        ("week;wat\n46-45;a\n", "line 2: Week 45 comes before week 46"),
        ('datum;wat\n1-2-2027;"open\n2-2-2027;b\n', "line 2: The line cannot be read as CSV"),
        ("1-2-2027;Toetsweek\n", "line 1: The first line must name the columns"),
        (
            "\n\nwanneer;wat\n1-2-2027;a\n",
            "line 3: No column with the date. Name it e.g. 'datum', 'van' or 'begin' "
            "(columns found: wanneer, wat).",
        ),
    ],
)
def test_csv_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(LineError) as caught:
        parse_csv(text, YEAR)
    assert _message(caught.value).startswith(message)


def test_line_errors_translate_prefix_and_problem() -> None:
    dutch = {
        "line %(line)s: %(problem)s": "regel %(line)s: %(problem)s",
        "'%(value)s' is not a date; write e.g. 3-2-2027 or 2027-02-03.": (
            "'%(value)s' is geen datum; schrijf bijvoorbeeld 3-2-2027 of 2027-02-03."
        ),
    }

    def gettext(message: str, **params: object) -> str:
        return dutch.get(message, message) % params

    with pytest.raises(LineError) as caught:
        parse_csv("datum;wat\n1-2-2027;a\n\n\n\n\n31-02-2027;b\n", YEAR)
    assert caught.value.line == 7
    assert caught.value.translate(gettext) == (
        "regel 7: '31-02-2027' is geen datum; schrijf bijvoorbeeld 3-2-2027 of 2027-02-03."
    )


def test_csv_with_too_many_rows_is_refused() -> None:
    days = (date(2026, 8, 1) + timedelta(days=n % 365) for n in range(MAX_ROWS + 1))
    rows = "".join(f"{day.isoformat()};x\n" for day in days)
    with pytest.raises(ValidationError) as caught:
        parse_csv("datum;wat\n" + rows, YEAR)
    assert "more than 500 entries" in _message(caught.value)


# --- iCalendar -------------------------------------------------------------------------------


def _ics(*events: str, extra: str = "") -> str:
    body = "".join(
        f"BEGIN:VEVENT\nUID:{n}@test\n{event.strip()}\nEND:VEVENT\n"
        for n, event in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//NL\n{extra}{body}END:VCALENDAR\n"


@pytest.mark.parametrize(
    ("event", "first", "last"),
    [
        # All day: DTEND is the day after the last day.
        (
            "DTSTART;VALUE=DATE:20261109\nDTEND;VALUE=DATE:20261114",
            date(2026, 11, 9),
            date(2026, 11, 13),
        ),
        (
            "DTSTART;VALUE=DATE:20261109\nDTEND;VALUE=DATE:20261110",
            date(2026, 11, 9),
            date(2026, 11, 9),
        ),
        # A single day without DTEND, or with DTEND equal to DTSTART (some exporters).
        ("DTSTART;VALUE=DATE:20261109", date(2026, 11, 9), date(2026, 11, 9)),
        (
            "DTSTART;VALUE=DATE:20261109\nDTEND;VALUE=DATE:20261109",
            date(2026, 11, 9),
            date(2026, 11, 9),
        ),
        ("DTSTART;VALUE=DATE:20261109\nDURATION:P5D", date(2026, 11, 9), date(2026, 11, 13)),
        # Timed: the dates in Amsterdam. 23:30 UTC in winter is 00:30 the next day there…
        (
            "DTSTART:20261109T233000Z\nDTEND:20261110T003000Z",
            date(2026, 11, 10),
            date(2026, 11, 10),
        ),
        # …and 22:30 UTC in summer time too (UTC+2).
        ("DTSTART:20270609T223000Z\nDTEND:20270609T233000Z", date(2027, 6, 10), date(2027, 6, 10)),
        ("DTSTART:20270609T213000Z\nDTEND:20270609T223000Z", date(2027, 6, 9), date(2027, 6, 10)),
        (
            "DTSTART;TZID=Europe/Amsterdam:20270210T190000\nDTEND;TZID=Europe/Amsterdam:20270210T213000",
            date(2027, 2, 10),
            date(2027, 2, 10),
        ),
        # Ending exactly at midnight stays on the day; past midnight takes the next day too.
        (
            "DTSTART;TZID=Europe/Amsterdam:20270210T190000\nDTEND;TZID=Europe/Amsterdam:20270211T000000",
            date(2027, 2, 10),
            date(2027, 2, 10),
        ),
        (
            "DTSTART;TZID=Europe/Amsterdam:20270210T190000\nDTEND;TZID=Europe/Amsterdam:20270211T010000",
            date(2027, 2, 10),
            date(2027, 2, 11),
        ),
        (
            "DTSTART;TZID=Europe/Amsterdam:20270210T190000\nDURATION:PT2H",
            date(2027, 2, 10),
            date(2027, 2, 10),
        ),
        ("DTSTART;TZID=America/New_York:20270210T200000", date(2027, 2, 11), date(2027, 2, 11)),
        # Floating times are taken as local.
        ("DTSTART:20270210T233000\nDTEND:20270210T235900", date(2027, 2, 10), date(2027, 2, 10)),
        # A timed event over the night the clocks go back (25 October 2026).
        (
            "DTSTART;TZID=Europe/Amsterdam:20261024T220000\nDTEND;TZID=Europe/Amsterdam:20261025T020000",
            date(2026, 10, 24),
            date(2026, 10, 25),
        ),
    ],
)
def test_ics_days(event: str, first: date, last: date) -> None:
    [row] = parse_ics(_ics(f"SUMMARY:x\n{event}"), YEAR).rows
    assert (row.first_day, row.last_day) == (first, last)


@pytest.mark.parametrize(
    ("event", "days"),
    [
        (  # every week, four times
            "DTSTART;VALUE=DATE:20260908\nRRULE:FREQ=WEEKLY;COUNT=4",
            ["2026-09-08", "2026-09-15", "2026-09-22", "2026-09-29"],
        ),
        (  # every other Monday and Wednesday until a date (UNTIL inclusive), one left out
            "DTSTART;VALUE=DATE:20260907\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261005\n"
            "EXDATE;VALUE=DATE:20260923",
            ["2026-09-07", "2026-09-09", "2026-09-21", "2026-10-05"],
        ),
        (  # daily with an end time in UTC
            "DTSTART;TZID=Europe/Amsterdam:20261214T090000\nDTEND;TZID=Europe/Amsterdam:20261214T100000\n"
            "RRULE:FREQ=DAILY;UNTIL=20261216T080000Z",
            ["2026-12-14", "2026-12-15", "2026-12-16"],
        ),
        (  # monthly on the 31st: months without one are skipped (RFC 5545)
            "DTSTART;VALUE=DATE:20260831\nRRULE:FREQ=MONTHLY;COUNT=4",
            ["2026-08-31", "2026-10-31", "2026-12-31", "2027-01-31"],
        ),
        (  # yearly, expanded only within the school year
            "DTSTART;VALUE=DATE:20200915\nRRULE:FREQ=YEARLY",
            ["2026-09-15"],
        ),
        (  # timed, with EXDATE in the event's own zone
            "DTSTART;TZID=Europe/Amsterdam:20260908T153000\nDTEND;TZID=Europe/Amsterdam:20260908T170000\n"
            "RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE;TZID=Europe/Amsterdam:20260915T153000",
            ["2026-09-08", "2026-09-22"],
        ),
        (  # a multi-day event repeats with its length
            "DTSTART;VALUE=DATE:20261102\nDTEND;VALUE=DATE:20261107\nRRULE:FREQ=WEEKLY;INTERVAL=13;COUNT=2",
            ["2026-11-02", "2027-02-01"],
        ),
    ],
)
def test_ics_simple_repeats_are_expanded(event: str, days: list[str]) -> None:
    rows = parse_ics(_ics(f"SUMMARY:Herhaling\n{event}"), YEAR).rows
    assert [row.first_day.isoformat() for row in rows] == days
    assert all(row.repeats is None for row in rows)


def test_ics_repeated_multi_day_events_keep_their_length() -> None:
    event = (
        "DTSTART;VALUE=DATE:20261102\nDTEND;VALUE=DATE:20261107\n"
        "RRULE:FREQ=WEEKLY;INTERVAL=13;COUNT=2"
    )
    rows = parse_ics(_ics(f"SUMMARY:Toetsweek\n{event}"), YEAR).rows
    assert [(r.first_day, r.last_day) for r in rows] == [
        (date(2026, 11, 2), date(2026, 11, 6)),
        (date(2027, 2, 1), date(2027, 2, 5)),
    ]


def test_ics_a_moved_occurrence_replaces_the_original() -> None:
    master = "SUMMARY:Overleg\nDTSTART;VALUE=DATE:20260908\nRRULE:FREQ=WEEKLY;COUNT=3"
    moved = (
        "SUMMARY:Overleg (verzet)\nDTSTART;VALUE=DATE:20260917\nRECURRENCE-ID;VALUE=DATE:20260915"
    )
    text = _ics(master, moved).replace("UID:1@test", "UID:0@test")
    rows = parse_ics(text, YEAR).rows
    assert [(r.summary, r.first_day) for r in rows] == [
        ("Overleg", date(2026, 9, 8)),
        ("Overleg (verzet)", date(2026, 9, 17)),
        ("Overleg", date(2026, 9, 22)),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=MONTHLY;BYDAY=1TU",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15",
        "RRULE:FREQ=YEARLY;BYMONTH=3",
        "RRULE:FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO",
        "RRULE:FREQ=HOURLY;COUNT=3",
        "RRULE:FREQ=WEEKLY\nRDATE;VALUE=DATE:20261201",
    ],
)
def test_ics_other_repeats_are_listed_for_entering_by_hand(rule: str) -> None:
    [row] = parse_ics(_ics(f"SUMMARY:Ouderavond\nDTSTART;VALUE=DATE:20260908\n{rule}"), YEAR).rows
    assert row.repeats is not None and row.repeats.startswith("FREQ=")
    assert (row.summary, row.first_day) == ("Ouderavond", date(2026, 9, 8))


def test_ics_a_daily_repeat_without_end_stops_at_the_end_of_the_school_year() -> None:
    rows = parse_ics(_ics("SUMMARY:x\nDTSTART;VALUE=DATE:20260801\nRRULE:FREQ=DAILY"), YEAR).rows
    assert len(rows) == 365 and rows[-1].first_day == date(2027, 7, 31)


@pytest.mark.parametrize(
    ("start", "rule"),
    [
        ("19500101", "FREQ=DAILY"),
        ("19991231", "FREQ=DAILY;INTERVAL=3;UNTIL=20270101"),
        ("20230904", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=500"),
        ("20190305", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=400"),
        ("19800331", "FREQ=MONTHLY;COUNT=500"),
        ("19900115", "FREQ=MONTHLY;INTERVAL=5"),
        ("19030315", "FREQ=YEARLY;INTERVAL=4"),
        ("19000301", "FREQ=YEARLY;COUNT=200"),
    ],
)
def test_ics_old_repeats_skip_to_the_school_year_by_arithmetic(start: str, rule: str) -> None:
    """A rule that started long ago gives exactly the occurrences a day-by-day expansion gives
    (dateutil's), without working out the decades before the school year one by one."""
    text = _ics(f"SUMMARY:x\nDTSTART;VALUE=DATE:{start}\nRRULE:{rule}")
    days = [row.first_day for row in parse_ics(text, YEAR).rows]
    expected = [
        moment.date()
        for moment in rrulestr(rule, dtstart=datetime.strptime(start, "%Y%m%d")).between(
            datetime(2026, 8, 1), datetime(2027, 7, 31), inc=True
        )
    ]
    assert days == expected and days


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;COUNT=501", "line 7: The repeat rule repeats the event 501 times (COUNT)"),
        ("FREQ=WEEKLY;INTERVAL=0", "line 7: The repeat rule 'FREQ=WEEKLY;INTERVAL=0' cannot"),
        ("COUNT=3", "line 7: The repeat rule 'COUNT=3' cannot be read."),
        ("FREQ=DAILY;UNTIL=20260901", "line 7: The repeat rule ends (UNTIL 2026-09-01) before"),
    ],
)
def test_ics_broken_or_endless_counts_are_refused_naming_the_rule(rule: str, message: str) -> None:
    text = _ics(f"DTSTART;VALUE=DATE:20260908\nRRULE:{rule}\nSUMMARY:x")
    with pytest.raises(ValidationError) as caught:
        parse_ics(text, YEAR)
    assert _message(caught.value).startswith(message)


def test_ics_the_repeats_of_a_file_are_worked_out_within_a_budget() -> None:
    """Rules that each need many steps (monthly on the 31st, counted month by month from 1900)
    stop at a fixed budget for the whole file, naming the event where it ran out."""
    events = ["DTSTART;VALUE=DATE:19000131\nRRULE:FREQ=MONTHLY;COUNT=500"] * 150
    with pytest.raises(ValidationError) as caught:
        parse_ics(_ics(*events), YEAR)
    assert _message(caught.value).startswith("line 294: The repeat rules of this file have too")


def test_ics_too_many_entries_are_refused() -> None:
    events = [
        f"SUMMARY:x\nDTSTART;VALUE=DATE:20260801\nRRULE:FREQ=DAILY;INTERVAL={n}" for n in (1, 2)
    ]
    with pytest.raises(ValidationError) as caught:
        parse_ics(_ics(*events), YEAR)
    assert "more than 500 entries" in _message(caught.value)


def test_ics_reads_a_real_looking_export() -> None:
    text = _ics(
        # Folded lines, escaped commas, an alarm inside the event, categories.
        "SUMMARY:Proefwerkweek havo/vwo\\, klas\n  4 en 5\nDTSTART;VALUE=DATE:20270125\n"
        "DTEND;VALUE=DATE:20270130\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\n"
        "DESCRIPTION:Herinnering\nEND:VALARM",
        "SUMMARY:Dag 1\nCATEGORIES:Studiedag,Team\nDTSTART;VALUE=DATE:20261130",
        "SUMMARY:Afgelast\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20261201",
        "SUMMARY:Vorig jaar\nDTSTART;VALUE=DATE:20260301",
        extra="BEGIN:VTODO\nUID:todo@test\nSUMMARY:Toetsweek plannen\nEND:VTODO\n",
    )
    result = parse_year_calendar(text.replace("\n", "\r\n").encode(), YEAR, "export.ics")
    assert result.format == "ics"
    assert _spans(result.rows) == [
        ("Dag 1", date(2026, 11, 30), date(2026, 11, 30), BusyKind.STUDY_DAY),
        (
            "Proefwerkweek havo/vwo, klas 4 en 5",
            date(2027, 1, 25),
            date(2027, 1, 29),
            BusyKind.TEST_WEEK,
        ),
    ]
    assert (result.outside, result.cancelled) == (1, 1)


def test_a_calendar_is_recognised_by_its_content_not_its_name() -> None:
    text = _ics("SUMMARY:Open dag\nDTSTART;VALUE=DATE:20270130")
    assert parse_year_calendar(text.encode(), YEAR, "agenda.txt").format == "ics"
    csv_text = "datum;wat\n30-1-2027;Open dag\n"
    assert parse_year_calendar(csv_text.encode(), YEAR, "agenda.TXT").format == "csv"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _ics("SUMMARY:a\nDTSTART;VALUE=DATE:20270231"),
            "line 7: '20270231' is not a valid date or time.",
        ),
        (
            _ics("SUMMARY:a\nDTSTART;VALUE=DATE:20270201\nDTEND;VALUE=DATE:2027-02-03"),
            "line 8: '2027-02-03' is not a valid date or time.",
        ),
        (
            _ics("SUMMARY:a\nDTSTART:20270201T250000"),
            "line 7: '20270201T250000' is not a valid date or time.",
        ),
        (_ics("SUMMARY:a"), "line 4: This event has no start (DTSTART)."),
        (
            _ics("SUMMARY:a\nDTSTART;VALUE=DATE:20270205\nDTEND;VALUE=DATE:20270201"),
            "line 8: The event ends before it starts.",
        ),
        (
            _ics("SUMMARY:a\nDTSTART;VALUE=DATE:20270205\nRRULE:FREQ=SOMETIMES"),
            "line 8: The repeat rule 'FREQ=SOMETIMES' cannot be read.",
        ),
        (
            _ics("SUMMARY a\nDTSTART;VALUE=DATE:20270205"),
            "line 6: 'SUMMARY a' is not an iCalendar line (NAME:value).",
        ),
        (
            _ics("SUMMARY:a\nDTSTART;VALUE=DATE:20270205").replace("END:VEVENT", "END:VTODO"),
            "line 8: END:VTODO does not close BEGIN:VEVENT of line 4.",
        ),
        (
            _ics("SUMMARY:a\nDTSTART;VALUE=DATE:20270205").replace("END:VCALENDAR\n", ""),
            "line 8: The file ends before END:VCALENDAR (opened on line 1).",
        ),
        (
            "BEGIN:VEVENT\nEND:VEVENT\n",
            "The file does not start with BEGIN:VCALENDAR",
        ),
    ],
)
def test_ics_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_ics(text, YEAR)
    assert _message(caught.value).startswith(message)


def test_an_ics_name_with_other_content_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_year_calendar(b"datum;wat\n1-2-2027;a\n", YEAR, "jaarplanning.ics")
    assert "is no iCalendar (.ics) file" in _message(caught.value)
