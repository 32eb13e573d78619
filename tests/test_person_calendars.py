"""A person's own availability (issue 17, part 2): realistic Google (secret iCal address),
Outlook (published calendar, Windows zone names) and CalDAV free/busy answers served by a real
HTTP server on loopback, read into busy intervals only; the page through a secret link, the
API and the CLI; removal deletes everything; no title or description is ever stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from planner.calendar_nl.free_busy import busy_intervals
from planner.domain.people_costs import local_span, merged
from planner.errors import ConflictError, ValidationError
from planner.messaging.jobs import sync_calendars
from planner.models import Person, PersonBusy, PersonCalendar, PersonLink
from planner.services import people
from planner.services import person_calendars as pc
from planner.services.attendance import LinkError, LinkProblem
from planner.services.calendar_sync import SyncSettings
from tests.helpers import CLI, count_rows
from tests.test_calendar_sync import Route, Server
from tests.test_calendar_sync import server as loopback_server  # noqa: F401  (a fixture)
from tests.test_web_accessibility import accessibility_problems
from tests.web import text_of

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
WINDOW = (NOW, datetime(2028, 7, 31, 22, 0, tzinfo=UTC))
AMS = "Europe/Amsterdam"

# Words that appear only in titles, descriptions, places and attendees of the calendars below:
# none of them may end up in the database.
SECRET_WORDS = (
    "Tandarts",
    "Verjaardag",
    "Oma",
    "Sollicitatie",
    "Kamer 2.14",
    "vertrouwelijk",
    "jan.devries",
    "Teamoverleg",
    "Huisarts",
    "Geannuleerd",
    "Pianoles",
)

GOOGLE = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:esra.yilmaz@gmail.com
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
X-LIC-LOCATION:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20260915T140000
DTEND;TZID=Europe/Amsterdam:20260915T153000
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU
EXDATE;TZID=Europe/Amsterdam:20260922T140000
DTSTAMP:20260830T120000Z
UID:5t0pianoles@google.com
CREATED:20260801T090000Z
DESCRIPTION:Pianoles bij meneer Jansen\\, vertrouwelijk
LOCATION:Kamer 2.14
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Pianoles
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
UID:5t0pianoles@google.com
RECURRENCE-ID;TZID=Europe/Amsterdam:20260929T140000
DTSTART;TZID=Europe/Amsterdam:20260929T140000
DTEND;TZID=Europe/Amsterdam:20260929T153000
DTSTAMP:20260830T120000Z
SUMMARY:Pianoles
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261012
DTEND;VALUE=DATE:20261014
DTSTAMP:20260830T120000Z
UID:9xy2sollicitatie@google.com
SUMMARY:Sollicitatie Utrecht
ATTENDEE;CN=jan.devries@example.com;PARTSTAT=ACCEPTED:mailto:jan.devries@example.com
STATUS:CONFIRMED
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261020
DTEND;VALUE=DATE:20261021
RRULE:FREQ=YEARLY
DTSTAMP:20260830T120000Z
UID:bday-oma@google.com
SUMMARY:Verjaardag Oma
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART:20261103T120000Z
DTEND:20261103T130000Z
DTSTAMP:20260830T120000Z
UID:1ab3tandarts@google.com
SUMMARY:Tandarts
STATUS:CONFIRMED
END:VEVENT
BEGIN:VEVENT
DTSTART:20261103T124500Z
DTEND:20261103T140000Z
DTSTAMP:20260830T120000Z
UID:1ab4huisarts@google.com
SUMMARY:Huisarts
END:VEVENT
END:VCALENDAR
"""

OUTLOOK = """BEGIN:VCALENDAR
METHOD:PUBLISH
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
X-WR-CALNAME:Agenda
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000D0C6F1A2B3C4D401000000000000000010000000AB
SUMMARY:Teamoverleg
DTSTART;TZID=W. Europe Standard Time:20261020T153000
DTEND;TZID=W. Europe Standard Time:20261020T170000
RRULE:FREQ=WEEKLY;UNTIL=20261110T143000Z;INTERVAL=1;BYDAY=TU;WKST=MO
CLASS:PUBLIC
DTSTAMP:20260901T080000Z
TRANSP:OPAQUE
STATUS:CONFIRMED
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000D0C6F1A2B3C4D401000000000000000010000000AB
RECURRENCE-ID;TZID=W. Europe Standard Time:20261027T153000
SUMMARY:Geannuleerd: Teamoverleg
DTSTART;TZID=W. Europe Standard Time:20261027T153000
DTEND;TZID=W. Europe Standard Time:20261027T170000
DTSTAMP:20260901T080000Z
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000E1D7F2B3C4D5E501000000000000000010000000CD
SUMMARY:Lunch (vrij)
DTSTART;TZID=W. Europe Standard Time:20261021T120000
DTEND;TZID=W. Europe Standard Time:20261021T130000
DTSTAMP:20260901T080000Z
TRANSP:TRANSPARENT
X-MICROSOFT-CDO-BUSYSTATUS:FREE
END:VEVENT
END:VCALENDAR
"""

# A CalDAV server's free/busy answer (Nextcloud, SOGo, Apple): no events, only periods.
CALDAV = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Sabre//Sabre VObject 4.5.4//EN
CALSCALE:GREGORIAN
METHOD:REPLY
BEGIN:VFREEBUSY
DTSTART:20260901T000000Z
DTEND:20261201T000000Z
DTSTAMP:20260901T060000Z
FREEBUSY;FBTYPE=BUSY:20261005T080000Z/20261005T100000Z,20261006T120000Z/PT1H30M
FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261007T080000Z/PT1H
FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20261008T160000Z/20261008T230000Z
FREEBUSY;FBTYPE=FREE:20261009T080000Z/20261009T170000Z
FREEBUSY:20261005T094500Z/20261005T110000Z
END:VFREEBUSY
END:VCALENDAR
"""

# An export without VTIMEZONE, all in UTC (Fastmail, many CalDAV exports).
UTC_ONLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Fastmail/2020.5/EN
BEGIN:VEVENT
UID:f1@fastmail
DTSTAMP:20260901T050000Z
DTSTART:20261201T131500Z
DTEND:20261201T144500Z
SUMMARY:Tandarts
END:VEVENT
BEGIN:VEVENT
UID:f2@fastmail
DTSTAMP:20260901T050000Z
DTSTART:20260810T080000Z
DTEND:20260810T090000Z
SUMMARY:Tandarts (verleden)
END:VEVENT
BEGIN:VEVENT
UID:f3@fastmail
DTSTAMP:20260901T050000Z
DTSTART:20261202T080000Z
DURATION:PT45M
SUMMARY:Huisarts
END:VEVENT
END:VCALENDAR
"""

EMPTY = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar//EN\nEND:VCALENDAR\n"


def ics(text_: str) -> bytes:
    return text_.replace("\n", "\r\n").encode()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Reading the calendars -----------------------------------------------------------------------


def test_google_secret_address_timed_repeat_exdate_all_day_birthday_and_cancelled() -> None:
    found = busy_intervals(ics(GOOGLE), *WINDOW)
    assert found == (
        # Piano lessons on Tuesdays 14:00-15:30 Amsterdam (CEST: 12:00 UTC): 15 Sep; 22 Sep is
        # an EXDATE, 29 Sep cancelled; 6 Oct is the fourth.
        (at(2026, 9, 15, 12), at(2026, 9, 15, 13, 30)),
        (at(2026, 10, 6, 12), at(2026, 10, 6, 13, 30)),
        # Two all-day days: the Amsterdam days 12 and 13 Oct, midnight to midnight.
        (at(2026, 10, 11, 22), at(2026, 10, 13, 22)),
        # The dentist and the doctor overlap: one interval. The birthday is TRANSPARENT.
        (at(2026, 11, 3, 12), at(2026, 11, 3, 14)),
    )
    assert all(start.tzinfo is UTC for start, _ in found)


def test_outlook_published_calendar_with_windows_zone_and_cancelled_occurrence() -> None:
    found = busy_intervals(ics(OUTLOOK), *WINDOW)
    # Tuesdays 15:30-17:00 Amsterdam: 20 Oct (CEST), 27 Oct cancelled, 3 and 10 Nov (CET); the
    # free lunch is left out.
    assert found == (
        (at(2026, 10, 20, 13, 30), at(2026, 10, 20, 15)),
        (at(2026, 11, 3, 14, 30), at(2026, 11, 3, 16)),
        (at(2026, 11, 10, 14, 30), at(2026, 11, 10, 16)),
    )


def test_caldav_free_busy_periods_with_end_and_with_duration() -> None:
    found = busy_intervals(ics(CALDAV), *WINDOW)
    assert found == (
        (at(2026, 10, 5, 8), at(2026, 10, 5, 11)),  # two overlapping BUSY periods, merged
        (at(2026, 10, 6, 12), at(2026, 10, 6, 13, 30)),  # start/duration
        (at(2026, 10, 7, 8), at(2026, 10, 7, 9)),  # tentative counts
        (at(2026, 10, 8, 16), at(2026, 10, 8, 23)),  # unavailable counts; FREE does not
    )


def test_utc_without_vtimezone_duration_and_the_window() -> None:
    found = busy_intervals(ics(UTC_ONLY), *WINDOW)
    assert found == (
        (at(2026, 12, 1, 13, 15), at(2026, 12, 1, 14, 45)),
        (at(2026, 12, 2, 8), at(2026, 12, 2, 8, 45)),
    )  # August (before now) is outside the window
    clipped = busy_intervals(ics(UTC_ONLY), NOW, at(2026, 12, 1, 14))
    assert clipped == ((at(2026, 12, 1, 13, 15), at(2026, 12, 1, 14)),)


def test_an_endless_daily_rule_is_read_only_within_the_window() -> None:
    endless = GOOGLE.replace("RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU", "RRULE:FREQ=DAILY")
    found = busy_intervals(ics(endless), NOW, at(2026, 10, 1))
    assert len([i for i in found if i[0].hour == 12]) == 14  # 15-30 Sep but the EXDATE, 29th


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<!doctype html><html><body>Sign in</body></html>", "iCalendar"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026XX01\r\n", "cannot be read"),
    ],
)
def test_html_empty_binary_and_garbage_are_refused_clearly(body: bytes, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        busy_intervals(body, *WINDOW)


# --- Fetching and storing ------------------------------------------------------------------------


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Server:
    """The loopback HTTP server of tests/test_calendar_sync.py."""
    found: Server = request.getfixturevalue("loopback_server")
    return found


@pytest.fixture
def fb_app(app: Flask) -> Flask:
    app.config.update(
        SYNC_ALLOW_PRIVATE_ADDRESSES=True,
        SYNC_TIMEOUT=1.0,
        SYNC_MAX_BYTES=100_000,
        FROZEN_NOW="2026-09-01T06:00:00Z",
        DEFAULT_LOCALE="en",
    )
    return app


def settings(app: Flask) -> SyncSettings:
    return SyncSettings.from_config(app.config)


def partner(session: Session, email: str = "esra@partner.example") -> Person:
    person = people.create_person(
        session, {"name": "Esra Yilmaz", "email": email, "language": "en"}, NOW
    )
    session.commit()
    return person


def stored(session: Session, person: Person | None = None) -> list[tuple[datetime, datetime]]:
    """The busy intervals stored, per address as given: the rows are cut at every Amsterdam
    midnight (each lies on its own local day), so the pieces of one interval are joined again."""
    session.expire_all()
    query = select(PersonBusy).order_by(PersonBusy.starts_at)
    if person is not None:
        query = query.where(PersonBusy.person_id == person.id)
    rows = list(session.scalars(query))
    for row in rows:
        assert local_span(row.starts_at, row.ends_at) == (
            row.day,
            row.start_minute,
            row.end_minute,
        )
        assert row.ends_at - row.starts_at <= timedelta(hours=25)
    per_calendar: dict[int, list[tuple[datetime, datetime]]] = {}
    for row in rows:
        per_calendar.setdefault(row.person_calendar_id, []).append((row.starts_at, row.ends_at))
    return sorted(piece for spans in per_calendar.values() for piece in merged(spans))


def every_stored_text(app: Flask) -> str:
    """Every value of every column of person_calendar and person_busy, as text."""
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        rows = [
            *conn.execute(text("SELECT * FROM person_calendar")),
            *conn.execute(text("SELECT * FROM person_busy")),
        ]
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def test_three_calendars_of_one_person_store_busy_intervals_and_nothing_else(
    fb_app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    server.routes["/g/private-0a1b2c/basic.ics"] = Route(ics(GOOGLE), etag='"g1"')
    server.routes["/owa/calendar.ics"] = Route(
        ics(OUTLOOK), last_modified="Tue, 01 Sep 2026 05:00:00 GMT"
    )
    server.routes["/dav/freebusy"] = Route(ics(CALDAV))
    for path, count in (("/g/private-0a1b2c/basic.ics", 4), ("/owa/calendar.ics", 3)):
        done = pc.add_calendar(session, person, server.url(path), NOW, settings(fb_app))
        session.commit()
        assert done.ok and done.busy == count
    pc.add_calendar(session, person, server.url("/dav/freebusy"), NOW, settings(fb_app))
    session.commit()
    found = stored(session, person)
    assert len(found) == 11 and all(start < end for start, end in found)
    assert (at(2026, 11, 3, 12), at(2026, 11, 3, 14)) in found
    everything = every_stored_text(fb_app)
    for word in SECRET_WORDS:
        assert word.lower() not in everything.lower(), word
    calendars = pc.calendars_of(session, person)
    assert [c.busy_count for c in calendars] == [4, 3, 4]
    assert calendars[0].etag == '"g1"' and calendars[1].last_modified is not None


def test_the_next_round_sends_the_validators_and_a_304_keeps_everything(
    fb_app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    server.routes["/cal.ics"] = Route(ics(GOOGLE), etag='"g1"')
    pc.add_calendar(session, person, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    before = stored(session)
    later = NOW + timedelta(hours=7)
    done = sync_calendars(fb_app.extensions["planner.db"].session, fb_app.config, later)
    assert done.people is not None
    assert (done.people.fetched, done.people.not_modified) == (1, 1)
    assert server.seen[-1]["if-none-match"] == '"g1"'
    assert stored(session) == before
    calendar = session.scalars(select(PersonCalendar)).one()
    assert calendar.last_success_at == later and calendar.next_run_at == later + timedelta(hours=6)
    # Not due yet: nothing is fetched.
    again = sync_calendars(fb_app.extensions["planner.db"].session, fb_app.config, later)
    assert again.people is not None and again.people.fetched == 0


def test_a_new_school_year_reads_the_calendar_again_even_if_it_did_not_change(
    fb_app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    # A lesson on Tuesdays until 2029: the window ends 31 Jul 2028 this school year.
    weekly = UTC_ONLY.replace(
        "DURATION:PT45M", "DURATION:PT45M\nRRULE:FREQ=WEEKLY;UNTIL=20290101T000000Z"
    )
    server.routes["/cal.ics"] = Route(ics(weekly), etag='"w1"')
    pc.add_calendar(session, person, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    assert stored(session)[-1][1] < at(2028, 8, 1)
    calendar = session.scalars(select(PersonCalendar)).one()
    later = at(2027, 8, 10, 6)  # school year 2027-2028: the window reaches July 2029
    done = pc.sync_calendar(session, calendar, later, settings(fb_app))
    session.commit()
    assert "if-none-match" not in server.seen[-1]  # asked without the validators
    assert done.changed and stored(session)[-1][1] > at(2028, 8, 1)


def test_a_change_at_the_source_replaces_the_intervals(
    fb_app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    server.routes["/cal.ics"] = Route(ics(UTC_ONLY), etag='"u1"')
    pc.add_calendar(session, person, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    server.routes["/cal.ics"] = Route(
        ics(UTC_ONLY.replace("20261201T144500Z", "20261201T160000Z")), etag='"u2"'
    )
    calendar = session.scalars(select(PersonCalendar)).one()
    done = pc.sync_calendar(session, calendar, NOW + timedelta(hours=1), settings(fb_app))
    session.commit()
    assert done.changed and done.busy == 2
    assert stored(session)[0] == (at(2026, 12, 1, 13, 15), at(2026, 12, 1, 16))


@pytest.mark.parametrize(
    ("route", "words"),
    [
        (Route(b"<html><body>Log in to Outlook</body></html>", content_type="text/html"), "iCal"),
        (Route(b"Not found", status=404), "404"),
        (Route(ics(GOOGLE), delay=1.5), "in time"),
        (Route(stream=200_000), "larger than"),
    ],
    ids=["html", "404", "timeout", "too-large"],
)
def test_failures_keep_the_last_good_intervals_and_say_since_when(
    fb_app: Flask, session: Session, server: Server, route: Route, words: str
) -> None:
    person = partner(session)
    server.routes["/cal.ics"] = Route(ics(GOOGLE))
    pc.add_calendar(session, person, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    before = stored(session)
    server.routes["/cal.ics"] = route
    calendar = session.scalars(select(PersonCalendar)).one()
    first = NOW + timedelta(hours=6)
    done = pc.sync_calendar(session, calendar, first, settings(fb_app))
    session.commit()
    assert not done.ok and done.error is not None and words in str(done.error)
    pc.sync_calendar(session, calendar, first + timedelta(hours=1), settings(fb_app))
    session.commit()
    session.expire_all()
    calendar = session.scalars(select(PersonCalendar)).one()
    assert calendar.failing_since == first and calendar.last_error is not None
    assert calendar.next_run_at == first + timedelta(hours=2)  # retried after an hour
    assert stored(session) == before and calendar.busy_count == 4


def test_a_calendar_that_suddenly_holds_nothing_is_stored_as_empty_not_an_error(
    fb_app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    server.routes["/cal.ics"] = Route(ics(GOOGLE))
    pc.add_calendar(session, person, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    server.routes["/cal.ics"] = Route(ics(EMPTY))
    calendar = session.scalars(select(PersonCalendar)).one()
    done = pc.sync_calendar(session, calendar, NOW + timedelta(hours=6), settings(fb_app))
    session.commit()
    assert done.ok and done.empty and calendar.failing_since is None
    assert stored(session) == [] and calendar.busy_count == 0


@pytest.mark.parametrize(
    ("path", "route", "words"),
    [
        ("/page", Route(b"<html>Sign in</html>", content_type="text/html"), "iCalendar"),
        ("/missing", None, "404"),
        ("/slow", Route(ics(GOOGLE), delay=1.5), "in time"),
        ("/big", Route(stream=200_000), "larger than"),
    ],
)
def test_an_address_that_gives_no_calendar_is_refused_and_nothing_stored(
    fb_app: Flask, session: Session, server: Server, path: str, route: Route | None, words: str
) -> None:
    person = partner(session)
    if route is not None:
        server.routes[path] = route
    with pytest.raises(ValidationError, match=words):
        pc.add_calendar(session, person, server.url(path), NOW, settings(fb_app))
    session.rollback()
    assert count_rows(fb_app, PersonCalendar) == 0 and count_rows(fb_app, PersonBusy) == 0


def test_by_default_a_loopback_address_is_refused(
    app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    server.routes["/cal.ics"] = Route(ics(GOOGLE))
    with pytest.raises(ValidationError, match="private or local"):
        pc.add_calendar(
            session, person, server.url("/cal.ics"), NOW, SyncSettings.from_config(app.config)
        )
    assert server.seen == []
    for bad in ("ftp://x.nl/a.ics", "not an address", "https://user:pw@x.nl/a.ics"):
        with pytest.raises(ValidationError):
            pc.add_calendar(session, person, bad, NOW, SyncSettings.from_config(app.config))


def test_removal_deletes_the_address_and_its_intervals_only(
    fb_app: Flask, session: Session, server: Server
) -> None:
    esra = partner(session)
    tom = partner(session, "tom@partner.example")
    server.routes["/a.ics"] = Route(ics(GOOGLE))
    server.routes["/b.ics"] = Route(ics(OUTLOOK))
    mine = pc.add_calendar(session, esra, server.url("/a.ics"), NOW, settings(fb_app))
    pc.add_calendar(session, esra, server.url("/b.ics"), NOW, settings(fb_app))
    pc.add_calendar(session, tom, server.url("/a.ics"), NOW, settings(fb_app))
    session.commit()
    with pytest.raises(ConflictError, match="already"):
        pc.add_calendar(session, esra, server.url("/a.ics"), NOW, settings(fb_app))
    session.rollback()
    assert pc.remove_calendar(session, mine.calendar) == 4
    session.commit()
    assert len(stored(session, esra)) == 3 and len(stored(session, tom)) == 4
    assert count_rows(fb_app, PersonCalendar) == 2


def test_a_redirect_to_a_refused_address_is_stored_by_its_host_only(
    fb_app: Flask, session: Session, server: Server
) -> None:
    person = partner(session)
    server.routes["/cal.ics"] = Route(ics(GOOGLE))
    pc.add_calendar(session, person, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    server.routes["/cal.ics"] = Route(
        status=302, location="ftp://files.example.org/private-77xq/basic.ics"
    )
    calendar = session.scalars(select(PersonCalendar)).one()
    done = pc.sync_calendar(session, calendar, NOW + timedelta(hours=6), settings(fb_app))
    session.commit()
    assert not done.ok and "private-77xq" not in every_stored_text(fb_app)
    assert calendar.last_error is not None
    assert calendar.last_error["params"]["url"] == "files.example.org"


def test_a_secret_address_is_never_logged(
    fb_app: Flask, session: Session, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    person = partner(session)
    server.routes["/private-77xq/basic.ics"] = Route(ics(GOOGLE))
    pc.add_calendar(session, person, server.url("/private-77xq/basic.ics"), NOW, settings(fb_app))
    session.commit()
    server.routes["/private-77xq/basic.ics"] = Route(b"gone", status=500)
    with caplog.at_level("DEBUG"):
        sync_calendars(
            fb_app.extensions["planner.db"].session,
            fb_app.config,
            NOW + timedelta(hours=7),
        )
    assert "private-77xq" not in caplog.text


def test_links_open_the_page_of_their_person_until_they_expire(session: Session) -> None:
    person = partner(session)
    secret = pc.issue_availability_link(session, person, NOW)
    session.commit()
    assert pc.resolve_availability_link(session, secret, NOW + timedelta(days=179)) == person
    link = session.scalars(select(PersonLink)).one()
    assert link.token_hash != secret and secret not in link.token_hash
    for bad, problem in (
        (secret, LinkProblem.EXPIRED),
        (secret[:-2] + "xx", LinkProblem.UNKNOWN),
        ("short", LinkProblem.UNKNOWN),
    ):
        with pytest.raises(LinkError) as raised:
            pc.resolve_availability_link(session, bad, NOW + timedelta(days=181))
        assert raised.value.problem is problem


def test_a_rule_repeating_every_minute_or_too_often_is_refused_not_read() -> None:
    flood = UTC_ONLY.replace("DURATION:PT45M", "DURATION:PT1M\nRRULE:FREQ=MINUTELY")
    with pytest.raises(ValidationError, match="repeats every minute"):
        busy_intervals(ics(flood), *WINDOW)
    quarters = UTC_ONLY.replace(
        "DURATION:PT45M", "DURATION:PT5M\nRRULE:FREQ=HOURLY;BYMINUTE=0,15,30,45"
    )
    with pytest.raises(ValidationError, match="more than 20000"):
        busy_intervals(ics(quarters), *WINDOW)


# --- The page through the link -------------------------------------------------------------------


def page_of(client: FlaskClient, secret: str, path: str = "", **kw: Any) -> Any:
    return client.post(f"/availability/{secret}{path}", **kw)


def test_the_page_adds_shows_fetches_and_removes_through_the_link(
    fb_app: Flask, browser: FlaskClient, session: Session, server: Server
) -> None:
    person = partner(session)
    secret = pc.issue_availability_link(session, person, NOW)
    session.commit()
    server.routes["/calendar/ical/esra%40gmail.com/private-9f8e/basic.ics"] = Route(ics(GOOGLE))
    url = server.url("/calendar/ical/esra%40gmail.com/private-9f8e/basic.ics")
    page = browser.get(f"/availability/{secret}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    words = text_of(page)
    assert "My availability" in words and "Hello Esra Yilmaz" in words
    assert "No titles, no descriptions, no places and no attendees are stored." in words
    assert "You have not given a calendar address yet." in words
    added = page_of(browser, secret, data={"url": url})
    words = text_of(added)
    assert added.status_code == 200 and "Fetched: 4 busy times stored." in words
    assert "4 busy times stored, from Tue 15 Sep 2026 14:00 to Tue 3 Nov 2026 15:00." in words
    assert "127.0.0.1" in words and "private-9f8e" not in added.get_data(as_text=True)
    assert "Last fetched:" in words and "Next fetch:" in words
    assert accessibility_problems(browser.get(f"/availability/{secret}")) == []
    calendar = session.scalars(select(PersonCalendar)).one()
    server.routes["/calendar/ical/esra%40gmail.com/private-9f8e/basic.ics"] = Route(b"", status=503)
    failing = page_of(browser, secret, f"/{calendar.id}/sync")
    words = text_of(failing)
    assert "Fetching fails since" in words and "503" in words
    assert "The busy times fetched before are kept." in words and len(stored(session)) == 4
    removed = page_of(browser, secret, f"/{calendar.id}/delete")
    words = text_of(removed)
    assert "Removed: the address at 127.0.0.1 and its 4 busy times are deleted." in words
    assert stored(session) == [] and count_rows(fb_app, PersonCalendar) == 0
    link = session.scalars(select(PersonLink)).one()
    session.refresh(link)
    assert link.last_used_at == NOW


def test_the_page_refuses_a_wrong_address_clearly_and_keeps_what_was_typed(
    fb_app: Flask, browser: FlaskClient, session: Session, server: Server
) -> None:
    person = partner(session)
    secret = pc.issue_availability_link(session, person, NOW)
    session.commit()
    server.routes["/outlook"] = Route(b"<html>Sign in</html>", content_type="text/html")
    refused = page_of(browser, secret, data={"url": server.url("/outlook")})
    assert refused.status_code == 400
    assert "does not give an iCalendar" in text_of(refused)
    assert 'value="http://127.0.0.1' in refused.get_data(as_text=True)
    assert count_rows(fb_app, PersonCalendar) == 0


def test_the_page_speaks_dutch_by_default(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    person = people.create_person(
        session, {"name": "Esra Yilmaz", "email": "esra@partner.example"}, NOW
    )
    secret = pc.issue_availability_link(session, person, NOW)
    session.commit()
    page = browser.get(f"/availability/{secret}")
    assert '<html lang="nl">' in page.get_data(as_text=True)


def test_forged_expired_and_other_peoples_links_change_nothing(
    fb_app: Flask, browser: FlaskClient, session: Session, server: Server
) -> None:
    esra = partner(session)
    tom = partner(session, "tom@partner.example")
    server.routes["/cal.ics"] = Route(ics(GOOGLE))
    theirs = pc.add_calendar(session, tom, server.url("/cal.ics"), NOW, settings(fb_app))
    mine = pc.issue_availability_link(session, esra, NOW)
    old = pc.issue_availability_link(session, esra, NOW - timedelta(days=200))
    session.commit()
    forged = "A" * 32
    for secret, status, words in (
        (forged, 404, "This link is not valid"),
        ("x", 404, "This link is not valid"),
        (old, 410, "This link has expired"),
    ):
        for response in (
            browser.get(f"/availability/{secret}"),
            page_of(browser, secret, data={"url": server.url("/cal.ics")}),
            page_of(browser, secret, f"/{theirs.calendar.id}/delete"),
        ):
            assert response.status_code == status and words in text_of(response)
            assert "Esra" not in text_of(response)
    # Her own link cannot remove someone else's address.
    other = page_of(browser, mine, f"/{theirs.calendar.id}/delete")
    assert other.status_code == 404 and "Unknown free/busy address" in text_of(other)
    assert count_rows(fb_app, PersonCalendar) == 1 and len(stored(session)) == 4
    assert server.seen and len(server.seen) == 1  # only Tom's own first fetch


def test_the_answer_page_and_the_invitation_mails_link_to_the_page(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    from email import message_from_string, policy

    from planner.models import Mail
    from tests.factories import PARTNER, plan_with_partners

    app.config["FROZEN_NOW"] = "2026-11-21T10:00:00Z"
    now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    planned = plan_with_partners(app, session, now, date(2026, 12, 1), date(2026, 12, 10))
    mails = [m for m in session.scalars(select(Mail)) if m.recipient == PARTNER]
    assert mails
    for mail in mails:
        message = message_from_string(mail.raw, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found = body.get_content()  # type: ignore[attr-defined]
        assert "/availability/" in found  # under "Geef uw beschikbaarheid door"
        secret = found.split("/availability/")[1].split()[0]
        page = browser.get(f"/availability/{secret}?lang=en")
        assert page.status_code == 200 and "Esra Yilmaz" in text_of(page)
    answer = browser.get(f"/rsvp/{planned.secret}?lang=en")
    assert f'action="/rsvp/{planned.secret}/availability?lang=en"' in answer.get_data(as_text=True)
    links = count_rows(app, PersonLink)
    opened = browser.post(f"/rsvp/{planned.secret}/availability?lang=en")
    assert opened.status_code == 303 and "/availability/" in opened.headers["Location"]
    assert count_rows(app, PersonLink) == links + 1
    page = browser.get(opened.headers["Location"])
    assert "My availability" in text_of(page) and "Esra Yilmaz" in text_of(page)
    # A GET of the answer page issues no link.
    browser.get(f"/rsvp/{planned.secret}")
    assert count_rows(app, PersonLink) == links + 1


# --- API and CLI ---------------------------------------------------------------------------------


def test_api_lists_adds_syncs_and_deletes_by_host_only(
    fb_app: Flask, client: FlaskClient, session: Session, server: Server
) -> None:
    partner(session)
    server.routes["/dav/fb"] = Route(ics(CALDAV), etag='"c1"')
    added = client.post(
        "/api/v1/people/esra@partner.example/calendars", json={"url": server.url("/dav/fb")}
    )
    assert added.status_code == 201, added.json
    data = added.json
    assert data is not None and data["busy_intervals"] == 4
    calendar = data["calendar"]
    assert calendar["host"] == "127.0.0.1" and "url" not in calendar
    assert calendar["first_busy_at"] == "2026-10-05T08:00:00+00:00"
    assert "/dav/fb" not in json.dumps(data)
    listed = client.get("/api/v1/people/esra@partner.example/calendars").json
    assert [item["id"] for item in listed] == [calendar["id"]]  # type: ignore[union-attr]
    again = client.post(f"/api/v1/person-calendars/{calendar['id']}/sync")
    assert again.json is not None and again.json["not_modified"] is True
    for bad in ({"url": "ftp://x.nl/a"}, {"url": server.url("/dav/fb"), "x": 1}, {}):
        assert (
            client.post("/api/v1/people/esra@partner.example/calendars", json=bad).status_code
            == 400
        )
    duplicate = client.post(
        "/api/v1/people/esra@partner.example/calendars", json={"url": server.url("/dav/fb")}
    )
    assert duplicate.status_code == 409
    gone = client.delete(f"/api/v1/person-calendars/{calendar['id']}")
    assert gone.json == {"removed_busy_intervals": 4}
    assert client.delete(f"/api/v1/person-calendars/{calendar['id']}").status_code == 404
    assert client.get("/api/v1/people/nobody@x.nl/calendars").status_code == 404


def test_cli_adds_lists_syncs_and_removes(
    fb_app: Flask, cli: CLI, session: Session, server: Server
) -> None:
    partner(session)
    server.routes["/owa/calendar.ics"] = Route(ics(OUTLOOK), etag='"o1"')
    out = cli.ok(
        "people",
        "add-calendar",
        "--person",
        "esra@partner.example",
        server.url("/owa/calendar.ics"),
    )
    assert "127.0.0.1" in out and "3 busy times stored" in out and "/owa/" not in out
    listed = json.loads(cli.ok("people", "calendars", "--person", "esra@partner.example", "--json"))
    assert listed[0]["busy_intervals"] == 3 and listed[0]["host"] == "127.0.0.1"
    table = cli.ok("people", "calendars", "--person", "esra@partner.example")
    assert "127.0.0.1" in table and "/owa/" not in table
    out = cli.ok("calendars", "sync")
    assert "People's own free/busy addresses: 1 fetched, 1 unchanged" in out
    refused = cli("people", "add-calendar", "--person", "esra@partner.example", "ftp://x.nl/a")
    assert refused.exit_code == 1 and "http" in refused.output
    out = cli.ok("people", "remove-calendar", str(listed[0]["id"]))
    assert "3 busy times" in out and stored(session) == []


# --- Essential participants and what coordinators see --------------------------------------------


def test_essential_through_page_api_and_cli_and_the_people_list_shows_who_gave_an_address(
    fb_app: Flask,
    browser: FlaskClient,
    client: FlaskClient,
    cli: CLI,
    session: Session,
    server: Server,
) -> None:
    from planner.services import collaborations
    from tests.factories import noord_zuid_collaboration
    from tests.web import login, make_account, post

    collab = noord_zuid_collaboration(session, NOW)
    esra = partner(session)
    collaborations.update_collaboration(
        session, collab, {"participants": ["esra@partner.example"]}, NOW
    )
    session.commit()
    server.routes["/cal.ics"] = Route(ics(GOOGLE))
    pc.add_calendar(session, esra, server.url("/cal.ics"), NOW, settings(fb_app))
    session.commit()
    login(browser, make_account(session, "co@example.org"))
    page = browser.get(f"/collaborations/{collab.id}")
    words = text_of(page)
    assert "yes: 4 busy times" in words and "co@example.org no" in words
    assert "di 15 sep" not in words  # her busy times are never shown to others
    assert accessibility_problems(page) == []
    marked = post(
        browser,
        f"/collaborations/{collab.id}/people/{esra.id}/essential",
        {"essential": "on"},
        follow_redirects=True,
    )
    assert "Esra Yilmaz is essential" in text_of(marked)

    def flags() -> dict[str, bool]:
        session.expire_all()
        return {link.person.email: link.essential for link in collab.people}

    assert flags() == {"co@example.org": False, "esra@partner.example": True}
    # The coordinator opens her own availability page from the collaboration.
    own = post(browser, f"/collaborations/{collab.id}/my-availability")
    assert own.status_code == 303 and "/availability/" in own.headers["Location"]
    # In her own language (Dutch, the default for a new account).
    assert "Hallo Co." in text_of(browser.get(own.headers["Location"]))
    # Without the form's token nothing changes.
    forged = browser.post(f"/collaborations/{collab.id}/people/{esra.id}/essential", data={})
    assert forged.status_code in (302, 400) and flags()["esra@partner.example"] is True
    answer = client.put(
        f"/api/v1/collaborations/{collab.id}/people/esra@partner.example/essential",
        json={"essential": False},
    )
    assert answer.status_code == 200
    assert answer.json["participants"][0]["essential"] is False  # type: ignore[index]
    bad = client.put(
        f"/api/v1/collaborations/{collab.id}/people/esra@partner.example/essential",
        json={"essential": "yes"},
    )
    assert bad.status_code == 400
    outsider = client.put(
        f"/api/v1/collaborations/{collab.id}/people/nobody@x.nl/essential",
        json={"essential": True},
    )
    assert outsider.status_code == 404
    out = cli.ok(
        "collaborations",
        "essential",
        "--collab",
        str(collab.id),
        "--person",
        "esra@partner.example",
    )
    assert "is essential" in out and flags()["esra@partner.example"] is True
    # Changing the people keeps the flag of who stays.
    collaborations.update_collaboration(
        session,
        collab,
        {"participants": ["esra@partner.example", "Tom <tom@partner.example>"]},
        NOW,
    )
    session.commit()
    assert flags()["esra@partner.example"] is True
    cli.ok(
        "collaborations", "essential", "--collab", str(collab.id), "--person",
        "esra@partner.example", "--off",
    )  # fmt: skip
    assert flags()["esra@partner.example"] is False


BUSY_AFTERNOONS = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20260915T130000
DTEND;TZID=Europe/Amsterdam:20260915T173000
RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231T230000Z
DTSTAMP:20260830T120000Z
UID:spreekuur@google.com
SUMMARY:Spreekuur wijkteam
END:VEVENT
END:VCALENDAR
"""


def test_a_partners_free_busy_address_makes_the_next_plan_avoid_her_busy_afternoons(
    fb_app: Flask, session: Session, server: Server
) -> None:
    """The issue's "done when": she adds the address, the planner fetches it, and the next
    plan of her collaboration leaves her busy Tuesday afternoons alone."""
    from planner.services import collaborations, organisations, planning

    ids = [
        organisations.create_organisation(
            session, {"name": name, "region": "midden", "sector": "vo"}, NOW
        ).id
        for name in ("Minnaert", "Cals")
    ]
    collab = collaborations.create_collaboration(
        session,
        {
            "name": "Samen plannen",
            "members": ids,
            "coordinators": ["Co <co@example.org>"],
            "participants": ["Esra Yilmaz <esra@partner.example>"],
            "weekdays": "di,do",
            "start_time": "14:00",
            "target_weeks": 1,
            "max_gap_weeks": 2,
        },
        NOW,
    )
    session.commit()

    def planned() -> list[tuple[int, datetime]]:
        preview = planning.preview_plan(
            session, collab, NOW, first=date(2026, 9, 14), last=date(2026, 12, 18)
        )
        return [(item.day.weekday(), item.starts_at) for item in preview.new_meetings]

    assert 1 in {weekday for weekday, _ in planned()}  # Tuesdays, while she is free
    server.routes["/cal/basic.ics"] = Route(ics(BUSY_AFTERNOONS))
    person = session.scalars(select(Person).where(Person.email == "esra@partner.example")).one()
    done = pc.add_calendar(session, person, server.url("/cal/basic.ics"), NOW, settings(fb_app))
    session.commit()
    assert done.ok and done.busy == 16  # every Tuesday from 15 Sep to 29 Dec
    after = planned()
    assert after and {weekday for weekday, _ in after} == {3}  # Thursdays only
