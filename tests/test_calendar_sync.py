"""A school's calendar by address (issue 17, part 1): realistic Google, Outlook and Zermelo
exports served by a real HTTP server on loopback; conditional GET, the safe fetch, keeping the
last good state, the event flow, and the three front doors."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.calendar_nl.calendar_feed import (
    FeedEntry,
    guess_rules,
    parse_feed,
    parse_rules,
    read_entries,
)
from planner.calendar_nl.year_calendar.rows import guess_kind
from planner.domain.kinds import BusyKind
from planner.errors import ConflictError, PlannerError, ValidationError
from planner.messaging.jobs import sync_calendars
from planner.models import BusyPeriod, CalendarSource, Event, Mail, Meeting, Organisation
from planner.presenters.calendar_sync import rule_text
from planner.services import calendar_fetch, calendar_sync
from planner.services import organisations as orgs
from planner.services.calendar_fetch import FetchError, FetchSettings, check_url, fetch_calendar
from planner.services.calendar_import import usual_severity
from tests.factories import confirm_days, events_of_kind, noord_zuid_collaboration
from tests.helpers import CLI, count_rows, dispatch
from tests.test_web_accessibility import accessibility_problems
from tests.web import login, make_account, post, text_of

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)

GOOGLE = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Jaarkalender Noord College
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
DTSTART;VALUE=DATE:{toets_first}
DTEND;VALUE=DATE:{toets_end}
DTSTAMP:20260825T101500Z
UID:0f3k2toetsweek1@google.com
CREATED:20260601T080000Z
DESCRIPTION:Geen lessen na het 5e uur.
LAST-MODIFIED:20260825T101500Z
SEQUENCE:1
STATUS:CONFIRMED
SUMMARY:Toetsweek 1
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261007
DTEND;VALUE=DATE:20261008
RRULE:FREQ=WEEKLY;INTERVAL=4;COUNT=4
EXDATE;VALUE=DATE:20261104
DTSTAMP:20260825T101500Z
UID:7hs9studiemiddag@google.com
STATUS:CONFIRMED
SUMMARY:Studiemiddag team
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20270130T100000
DTEND;TZID=Europe/Amsterdam:20270130T140000
DTSTAMP:20260825T101500Z
UID:2kq8opendag@google.com
SUMMARY:Open dag groep 8
LOCATION:Aula
STATUS:CONFIRMED
TRANSP:OPAQUE
END:VEVENT
{extra}END:VCALENDAR
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
SUMMARY:Rapportvergadering
DTSTART;TZID=W. Europe Standard Time:20261117T153000
DTEND;TZID=W. Europe Standard Time:20261117T180000
RRULE:FREQ=WEEKLY;UNTIL=20261201T143000Z;INTERVAL=1;BYDAY=TU;WKST=MO
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:20260901T080000Z
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:0
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000D0C6F1A2B3C4D401000000000000000010000000AB
RECURRENCE-ID;TZID=W. Europe Standard Time:20261124T153000
SUMMARY:Geannuleerd: Rapportvergadering
DTSTART;TZID=W. Europe Standard Time:20261124T153000
DTEND;TZID=W. Europe Standard Time:20261124T180000
DTSTAMP:20260901T080000Z
STATUS:CANCELLED
SEQUENCE:1
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000E1D7F2B3C4D5E501000000000000000010000000CD
SUMMARY:Ouderavond
DTSTART;TZID=W. Europe Standard Time:20261008T190000
DTEND;TZID=W. Europe Standard Time:20261008T213000
DTSTAMP:20260901T080000Z
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000F2E8A3C4D5E6F601000000000000000010000000EF
SUMMARY:Examentraining (tot na middernacht)
DTSTART;TZID=W. Europe Standard Time:20270325T200000
DTEND;TZID=W. Europe Standard Time:20270326T010000
DTSTAMP:20260901T080000Z
END:VEVENT
END:VCALENDAR
"""

ZERMELO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Zermelo//Zermelo Portal//NL
CALSCALE:GREGORIAN
BEGIN:VEVENT
UID:zermelo-appointment-88123@noordcollege.zportal.nl
DTSTAMP:20260901T050000Z
DTSTART:20261012T063000Z
DTEND:20261012T144500Z
SUMMARY:Studiedag (leerlingen vrij)
END:VEVENT
BEGIN:VEVENT
UID:zermelo-appointment-88124@noordcollege.zportal.nl
DTSTAMP:20260901T050000Z
DTSTART:20270315T070000Z
DTEND:20270319T150000Z
SUMMARY:PTA-week 3
CATEGORIES:toetsen
END:VEVENT
BEGIN:VEVENT
UID:zermelo-appointment-88125@noordcollege.zportal.nl
DTSTAMP:20260901T050000Z
DTSTART:20260202T080000Z
DTEND:20260202T090000Z
SUMMARY:Toets wiskunde (vorig schooljaar)
END:VEVENT
END:VCALENDAR
"""


def google(toets: tuple[str, str] = ("20261102", "20261107"), extra: str = "") -> bytes:
    text = GOOGLE.format(toets_first=toets[0], toets_end=toets[1], extra=extra)
    return text.replace("\n", "\r\n").encode()


EMPTY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar//EN\r\n" + (
    b"END:VCALENDAR\r\n"
)


# --- A real HTTP server on loopback --------------------------------------------------------------


@dataclass
class Route:
    """What a path answers: a body with an ETag (If-None-Match gives 304), or a behaviour."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    stream: int = 0  # bytes to stream without Content-Length
    location: str | None = None


@dataclass
class Server:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append(
                {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
            )
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.delay:
                time.sleep(route.delay)
            if route.location:
                self.send_response(route.status)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            if route.stream:
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * 1000 + b"\r\n"
                sent = 0
                try:
                    while sent < route.stream:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

    class Quiet(ThreadingHTTPServer):
        request_queue_size = 64  # the default 5 makes concurrent connects wait a second

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that stops reading (the size limit) is what the test wants

    httpd = Quiet(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sync_app(app: Flask) -> Flask:
    app.config.update(
        SYNC_ALLOW_PRIVATE_ADDRESSES=True,
        SYNC_TIMEOUT=1.0,
        SYNC_MAX_BYTES=100_000,
        FROZEN_NOW="2026-09-01T06:00:00Z",
        # English: the words are checked before the Dutch catalogue has the new messages.
        DEFAULT_LOCALE="en",
    )
    return app


def _school(session: Session) -> Organisation:
    org = orgs.create_organisation(
        session, {"name": "Noord College", "brin": "01AA", "region": "noord"}, NOW
    )
    session.commit()
    return org


def _link(session: Session, org: Organisation, url: str, rules: Any = None) -> CalendarSource:
    source = calendar_sync.add_source(session, org, {"url": url, "rules": rules or []}, NOW)
    session.commit()
    return source


def _round(app: Flask, now: datetime = NOW, **kw: Any) -> Any:
    return sync_calendars(app.extensions["planner.db"].session, app.config, now, **kw)


def _periods(session: Session) -> list[tuple[str, str, str, str, str | None]]:
    session.expire_all()
    rows = session.scalars(
        select(BusyPeriod).where(BusyPeriod.source == "sync").order_by(BusyPeriod.first_on)
    )
    return [
        (p.kind.value, p.first_on.isoformat(), p.last_on.isoformat(), p.severity.value, p.note)
        for p in rows
    ]


# --- Reading the exports -------------------------------------------------------------------------


def test_google_export_all_day_timed_and_a_weekly_repeat_with_exdate() -> None:
    entries = parse_feed(google(), date(2026, 8, 1), date(2028, 7, 31))
    assert [(e.summary, e.first_day, e.last_day) for e in entries] == [
        ("Studiemiddag team", date(2026, 10, 7), date(2026, 10, 7)),
        ("Toetsweek 1", date(2026, 11, 2), date(2026, 11, 6)),  # DTEND is exclusive
        ("Studiemiddag team", date(2026, 12, 2), date(2026, 12, 2)),  # 4 Nov: EXDATE
        ("Studiemiddag team", date(2026, 12, 30), date(2026, 12, 30)),
        ("Open dag groep 8", date(2027, 1, 30), date(2027, 1, 30)),
    ]
    assert len({e.key for e in entries}) == 5


def test_outlook_export_windows_zone_cancelled_occurrence_and_cancelled_event() -> None:
    entries = parse_feed(OUTLOOK.encode(), date(2026, 8, 1), date(2028, 7, 31))
    assert [(e.summary, e.first_day, e.last_day) for e in entries] == [
        ("Rapportvergadering", date(2026, 11, 17), date(2026, 11, 17)),
        # 24 Nov is cancelled; the cancelled "Ouderavond" is left out altogether
        ("Rapportvergadering", date(2026, 12, 1), date(2026, 12, 1)),
        # across midnight in W. Europe Standard Time: two local days
        ("Examentraining (tot na middernacht)", date(2027, 3, 25), date(2027, 3, 26)),
    ]


def test_zermelo_export_in_utc_without_vtimezone() -> None:
    entries = parse_feed(ZERMELO.encode(), date(2026, 8, 1), date(2028, 7, 31))
    assert [(e.summary, e.first_day, e.last_day, e.categories) for e in entries] == [
        ("Studiedag (leerlingen vrij)", date(2026, 10, 12), date(2026, 10, 12), ""),
        ("PTA-week 3", date(2027, 3, 15), date(2027, 3, 19), "toetsen"),
    ]  # the test of last school year is outside the window


def test_html_and_garbage_are_refused() -> None:
    with pytest.raises(ValidationError, match="BEGIN:VCALENDAR"):
        parse_feed(b"<!doctype html><html><body>Inloggen</body></html>", NOW.date(), NOW.date())
    with pytest.raises(ValidationError):
        parse_feed(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:zzz\r\n", NOW.date(), NOW.date())


def test_rules_as_text_and_json() -> None:
    rules = parse_rules(
        "toets = toetsweek, hard\nouderavond = overslaan\nmiddag -> studiedag; zacht"
    )
    assert [r.to_json() for r in rules] == [
        {"contains": "toets", "kind": "test_week", "severity": "hard"},
        {"contains": "ouderavond", "kind": None, "severity": None},
        {"contains": "middag", "kind": "study_day", "severity": "soft"},
    ]
    assert parse_rules([{"contains": "dag", "kind": "open_day"}])[0].kind is BusyKind.OPEN_DAY
    for bad in ("toets", "toets = vergadering", [{"contains": "", "kind": "other"}], {"a": 1}):
        with pytest.raises(ValidationError):
            parse_rules(bad)


# --- Syncing -------------------------------------------------------------------------------------


def test_three_exports_become_busy_periods_with_source_sync(
    sync_app: Flask, session: Session, server: Server
) -> None:
    org = _school(session)
    server.routes["/google.ics"] = Route(google(), etag='"g1"')
    server.routes["/outlook.ics"] = Route(
        OUTLOOK.encode(), last_modified="Tue, 01 Sep 2026 08:00:00 GMT"
    )
    server.routes["/zermelo.ics"] = Route(ZERMELO.encode())
    _link(session, org, server.url("/google.ics"), "studiemiddag = studiedag, zacht")
    _link(session, org, server.url("/outlook.ics"))
    _link(session, org, server.url("/zermelo.ics"))
    done = _round(sync_app)
    assert (done.fetched, done.changed, done.failed) == (3, 3, 0)
    assert _periods(session) == [
        ("study_day", "2026-10-07", "2026-10-07", "soft", "Studiemiddag team"),
        ("study_day", "2026-10-12", "2026-10-12", "hard", "Studiedag (leerlingen vrij)"),
        ("test_week", "2026-11-02", "2026-11-06", "hard", "Toetsweek 1"),
        ("report_meetings", "2026-11-17", "2026-11-17", "soft", "Rapportvergadering"),
        ("report_meetings", "2026-12-01", "2026-12-01", "soft", "Rapportvergadering"),
        ("study_day", "2026-12-02", "2026-12-02", "soft", "Studiemiddag team"),
        ("study_day", "2026-12-30", "2026-12-30", "soft", "Studiemiddag team"),
        ("open_day", "2027-01-30", "2027-01-30", "hard", "Open dag groep 8"),
        ("test_week", "2027-03-15", "2027-03-19", "hard", "PTA-week 3"),
        ("exam_period", "2027-03-25", "2027-03-26", "hard", "Examentraining (tot na middernacht)"),
    ]
    assert len(events_of_kind(session, "busy_period.created")) == 10
    source = session.scalars(select(CalendarSource).order_by(CalendarSource.id)).first()
    assert source is not None and source.etag == '"g1"' and source.last_change is not None
    assert source.last_change["added"] == 5
    assert source.next_run_at == NOW + timedelta(hours=6)


def test_unchanged_calendars_answer_304_and_nothing_is_written(
    sync_app: Flask, session: Session, server: Server
) -> None:
    org = _school(session)
    server.routes["/google.ics"] = Route(google(), etag='"g1"')
    server.routes["/outlook.ics"] = Route(
        OUTLOOK.encode(), last_modified="Tue, 01 Sep 2026 08:00:00 GMT"
    )
    _link(session, org, server.url("/google.ics"))
    _link(session, org, server.url("/outlook.ics"))
    _round(sync_app)
    events = len(events_of_kind(session, "busy_period.created"))
    later = NOW + timedelta(hours=7)  # due again after six hours
    server.seen.clear()
    done = _round(sync_app, later)
    assert (done.fetched, done.not_modified, done.changed, done.failed) == (2, 2, 0, 0)
    headers = {seen["path"]: seen for seen in server.seen}
    assert headers["/google.ics"]["if-none-match"] == '"g1"'
    assert headers["/outlook.ics"]["if-modified-since"] == "Tue, 01 Sep 2026 08:00:00 GMT"
    assert len(events_of_kind(session, "busy_period.created", fresh=True)) == events
    session.expire_all()
    for source in session.scalars(select(CalendarSource)):
        assert source.last_success_at == later
        assert source.next_run_at == later + timedelta(hours=6)


def test_a_change_at_the_source_adds_changes_and_removes_as_one_change_and_flags_a_meeting(
    sync_app: Flask, session: Session, server: Server
) -> None:
    collab = noord_zuid_collaboration(session, NOW)
    org = session.scalars(select(Organisation).where(Organisation.brin == "01AA")).one()
    (meeting,) = confirm_days(session, collab, NOW, date(2026, 11, 12))  # a Thursday
    server.routes["/google.ics"] = Route(google(), etag='"g1"')
    source = _link(session, org, server.url("/google.ics"))
    _round(sync_app)
    dispatch(sync_app)
    session.expire_all()
    assert session.get(Meeting, meeting.id).conflict is None  # type: ignore[union-attr]
    # The school moves its test week onto the meeting, drops a study afternoon, adds a day.
    extra = (
        "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270614\nDTEND;VALUE=DATE:20270615\n"
        "UID:nieuw-studiedag@google.com\nSUMMARY:Studiedag\nEND:VEVENT\n"
    )
    body = google(("20261109", "20261114"), extra).replace(b"COUNT=4", b"COUNT=3")
    server.routes["/google.ics"] = Route(body, etag='"g2"')
    done = _round(sync_app, everything=True)
    outcome = done.outcomes[0]
    assert outcome.ok, outcome.error
    assert (outcome.added, outcome.changed, outcome.removed) == (1, 1, 1)
    assert [m.id for m in outcome.hits] == [meeting.id]
    assert len(events_of_kind(session, "busy_period.changed", fresh=True)) == 1
    assert len(events_of_kind(session, "busy_period.deleted", fresh=True)) == 1
    assert ("test_week", "2026-11-09", "2026-11-13", "hard", "Toetsweek 1") in _periods(session)
    session.expire_all()
    stored = session.get(CalendarSource, source.id)
    assert stored is not None and stored.last_change is not None
    assert {k: stored.last_change[k] for k in ("added", "changed", "removed")} == {
        "added": 1,
        "changed": 1,
        "removed": 1,
    }
    dispatch(sync_app)
    session.expire_all()
    assert session.get(Meeting, meeting.id).conflict is not None  # type: ignore[union-attr]


def test_failures_keep_the_last_good_state_and_mail_the_administrator_once(
    sync_app: Flask, session: Session, server: Server
) -> None:
    org = _school(session)
    make_account(session, "roosters@noord.example", schools=(org,))
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    source = _link(session, org, server.url("/cal.ics"))
    _round(sync_app)
    good = _periods(session)
    assert len(good) == 5
    failures = [
        ("404", Route(b"Not found", status=404, content_type="text/plain"), "404"),
        (
            "html",
            Route(b"<!DOCTYPE html><html><body>Log in</body></html>", content_type="text/html"),
            "BEGIN:VCALENDAR",
        ),
        ("empty", Route(EMPTY, etag='"e"'), "holds no events"),
        ("timeout", Route(google(), delay=2.5), "in time"),
        ("too big", Route(stream=400_000), "larger than"),
        ("garbage", Route(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nope\r\n\x01"), ""),
    ]
    began = None
    for step, (name, route, words) in enumerate(failures):
        server.routes["/cal.ics"] = route
        now = NOW + timedelta(hours=1 + step)
        done = _round(sync_app, now, everything=True)
        assert done.failed == 1, name
        assert _periods(session) == good, name
        session.expire_all()
        stored = session.get(CalendarSource, source.id)
        assert stored is not None and stored.last_error is not None
        assert words in stored.last_error["message"] % stored.last_error["params"], name
        began = began or stored.failing_since
        assert stored.failing_since == began == NOW + timedelta(hours=1)
        assert stored.next_run_at == now + timedelta(hours=1)
    assert len(events_of_kind(session, "calendar_sync.failed", fresh=True)) == 1
    sync_app.config["FROZEN_NOW"] = (NOW + timedelta(hours=8)).isoformat()
    dispatch(sync_app)
    mails = session.scalars(select(Mail).where(Mail.recipient == "roosters@noord.example")).all()
    assert len(mails) == 1
    assert "Noord College" in mails[0].subject
    # It works again: the error is cleared; a later failure is a new one, mailed again.
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    assert _round(sync_app, NOW + timedelta(hours=10), everything=True).failed == 0
    session.expire_all()
    stored = session.get(CalendarSource, source.id)
    assert stored is not None and stored.failing_since is None and stored.last_error is None
    server.routes["/cal.ics"] = Route(b"", status=500)
    _round(sync_app, NOW + timedelta(hours=11), everything=True)
    assert len(events_of_kind(session, "calendar_sync.failed", fresh=True)) == 2


def test_an_empty_calendar_at_the_first_fetch_is_fine(
    sync_app: Flask, session: Session, server: Server
) -> None:
    org = _school(session)
    server.routes["/empty.ics"] = Route(EMPTY)
    _link(session, org, server.url("/empty.ics"))
    done = _round(sync_app)
    assert (done.failed, done.changed) == (0, 0)


def test_rules_skip_and_correct_kinds(sync_app: Flask, session: Session, server: Server) -> None:
    org = _school(session)
    server.routes["/cal.ics"] = Route(google())
    _link(
        session, org, server.url("/cal.ics"), "studiemiddag = overslaan\nopen dag = anders, zacht"
    )
    _round(sync_app)
    assert [(k, s) for k, _, _, s, _ in _periods(session)] == [
        ("test_week", "hard"),
        ("other", "soft"),
    ]


# --- The safe fetch ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/cal.ics",
        "http://localhost/cal.ics",
        "http://[::1]/cal.ics",
        "http://10.1.2.3/cal.ics",
        "http://192.168.1.10/cal.ics",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/cal.ics",
        "http://0.0.0.0/cal.ics",
    ],
)
def test_private_and_loopback_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="private or local"):
        fetch_calendar(url, FetchSettings(timeout=1.0))


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/cal.ics", "file:///etc/passwd", "javascript:alert(1)", "", "https://"],
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(ValidationError):
        check_url(url)


def test_webcal_is_https() -> None:
    assert check_url("webcal://calendar.google.com/x.ics") == "https://calendar.google.com/x.ics"


def test_a_redirect_to_a_private_address_is_not_followed(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 127.0.0.1 stands for a public server here; 127.0.0.2 for the private network behind it.
    monkeypatch.setattr(calendar_fetch, "_public", lambda address: address == "127.0.0.1")
    server.routes["/cal.ics"] = Route(status=302, location=f"http://127.0.0.2:{server.port}/x")
    server.routes["/ok.ics"] = Route(status=301, location="/cal2.ics")
    server.routes["/cal2.ics"] = Route(google())
    with pytest.raises(FetchError, match="private or local"):
        fetch_calendar(server.url("/cal.ics"), FetchSettings(timeout=2.0))
    assert fetch_calendar(server.url("/ok.ics"), FetchSettings(timeout=2.0)).body == google()
    assert [seen["path"] for seen in server.seen] == ["/cal.ics", "/ok.ics", "/cal2.ics"]


def test_timeout_and_size_limit_of_the_fetch(server: Server) -> None:
    settings = FetchSettings(timeout=0.5, max_bytes=50_000, allow_private=True)
    server.routes["/slow.ics"] = Route(google(), delay=1.5)
    server.routes["/big.ics"] = Route(stream=200_000)
    server.routes["/declared.ics"] = Route(b"x" * 60_000)
    started = time.monotonic()
    with pytest.raises(FetchError, match="in time"):
        fetch_calendar(server.url("/slow.ics"), settings)
    assert time.monotonic() - started < 1.4
    for path in ("/big.ics", "/declared.ics"):
        with pytest.raises(FetchError, match="larger than"):
            fetch_calendar(server.url(path), settings)


# --- The front doors -----------------------------------------------------------------------------


def test_cli_add_url_sync_and_list(
    sync_app: Flask, cli: CLI, session: Session, server: Server
) -> None:
    _school(session)
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    out = cli.ok(
        "calendars", "add-url", "--org", "01AA", "--rule", "studiemiddag = studiedag, zacht",
        server.url("/cal.ics"),
    )  # fmt: skip
    assert "linked to Noord College" in out
    out = cli.ok("calendars", "sync", "--org", "01AA")
    assert "5 added" in out
    listed = json.loads(cli.ok("calendars", "urls", "--org", "01AA", "--json"))
    assert listed[0]["url"] == server.url("/cal.ics") and listed[0]["ok"] is True
    assert listed[0]["rules"] == [
        {"contains": "studiemiddag", "kind": "study_day", "severity": "soft"}
    ]
    out = cli.ok("calendars", "sync")
    assert "1 fetched: 1 unchanged" in out
    refused = cli("calendars", "add-url", "--org", "01AA", "ftp://example.org/x.ics")
    assert refused.exit_code == 1 and "http" in refused.output
    out = cli.ok("calendars", "remove-url", str(listed[0]["id"]))
    assert "5" in out and _periods(session) == []


def test_api_add_sync_change_and_delete(
    sync_app: Flask, client: FlaskClient, session: Session, server: Server
) -> None:
    _school(session)
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    answer = client.post(
        "/api/v1/organisations/01AA/calendar-sources?sync=true",
        json={
            "url": server.url("/cal.ics"),
            "rules": [{"contains": "open dag", "kind": "overslaan"}],
        },
    )
    assert answer.status_code == 201, answer.json
    assert answer.json is not None and answer.json["added"] == 4
    source_id = answer.json["source"]["id"]
    assert client.get(f"/api/v1/calendar-sources/{source_id}").json["last_change"]["added"] == 4  # type: ignore[index]
    again = client.post(f"/api/v1/calendar-sources/{source_id}/sync")
    assert again.json is not None and again.json["not_modified"] is True
    changed = client.patch(f"/api/v1/calendar-sources/{source_id}", json={"rules": []})
    assert changed.status_code == 200 and changed.json["rules"] == []  # type: ignore[index]
    rounds = client.post("/api/v1/calendar-sources/sync")
    assert rounds.json is not None and rounds.json["changed"] == 1  # the open day is back
    listed = client.get("/api/v1/organisations/01AA/calendar-sources").json
    assert [item["id"] for item in listed] == [source_id]  # type: ignore[union-attr]
    bad = client.post(
        "/api/v1/organisations/01AA/calendar-sources", json={"url": server.url("/cal.ics"), "x": 1}
    )
    assert bad.status_code == 400
    duplicate = client.post(
        "/api/v1/organisations/01AA/calendar-sources", json={"url": server.url("/cal.ics")}
    )
    assert duplicate.status_code == 409
    gone = client.delete(f"/api/v1/calendar-sources/{source_id}")
    assert gone.json == {"removed_busy_periods": 5}
    assert client.get(f"/api/v1/calendar-sources/{source_id}").status_code == 404


def test_school_page_links_a_calendar_shows_its_state_and_fetches_now(
    sync_app: Flask, browser: FlaskClient, session: Session, server: Server
) -> None:
    org = _school(session)
    login(browser, make_account(session, "roosters@noord.example", schools=(org,)))
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    page = browser.get(f"/schools/{org.id}")
    assert "Calendar by address" in text_of(page)
    linked = post(
        browser,
        f"/schools/{org.id}/calendar-url",
        {"url": server.url("/cal.ics"), "rules": "studiemiddag = studiedag, zacht"},
        follow_redirects=True,
    )
    text = text_of(linked)
    assert "Fetched: 5 changes" in text
    assert "Last fetched successfully" in text and "Next fetch" in text
    assert accessibility_problems(browser.get(f"/schools/{org.id}")) == []
    assert "linked" in text  # the periods' tag
    source = session.scalars(select(CalendarSource)).one()
    server.routes["/cal.ics"] = Route(b"Not found", status=404)
    fetched = post(
        browser, f"/schools/{org.id}/calendar-url/{source.id}/sync", follow_redirects=True
    )
    text = text_of(fetched)
    assert "Fetching failed" in text and "Failing since" in text
    assert len(_periods(session)) == 5
    other = orgs.create_organisation(
        session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, NOW
    )
    session.commit()
    assert (
        post(
            browser, f"/schools/{other.id}/calendar-url", {"url": "https://x.nl/a.ics"}
        ).status_code
        == 403
    )
    assert post(browser, f"/schools/{org.id}/calendar-url/{source.id + 99}/sync").status_code == 404
    removed = post(
        browser, f"/schools/{org.id}/calendar-url/{source.id}/delete", follow_redirects=True
    )
    assert removed.status_code == 200 and _periods(session) == []


def test_the_worker_fetches_due_calendars_in_a_job_of_its_own(
    sync_app: Flask, session: Session, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner.messaging.worker import Worker

    org = _school(session)
    server.routes["/cal.ics"] = Route(google())
    _link(session, org, server.url("/cal.ics"))
    done = Worker(sync_app, "tests").calendars()
    assert done["calendars"] == {"fetched": 1, "not_modified": 0, "changed": 1, "failed": 0}
    assert len(_periods(session)) == 5


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_rules_written_by_the_page_read_back_as_the_same_rules(locale: str) -> None:
    from planner.presenters.calendar_sync import rule_text

    rules = [
        {"contains": kind.value, "kind": kind.value, "severity": severity}
        for kind in BusyKind
        for severity in (None, "hard", "soft")
    ] + [{"contains": "ouderavond", "kind": None, "severity": None}]
    text = "\n".join(rule_text(rule, locale) for rule in rules)
    assert [rule.to_json() for rule in parse_rules(text)] == rules


def test_by_default_a_loopback_calendar_is_refused_and_never_fetched(
    app: Flask, session: Session, server: Server
) -> None:
    assert app.config["SYNC_ALLOW_PRIVATE_ADDRESSES"] is False
    org = _school(session)
    server.routes["/cal.ics"] = Route(google())
    source = _link(session, org, server.url("/cal.ics"))
    done = _round(app)
    assert done.failed == 1 and server.seen == []
    session.expire_all()
    stored = session.get(CalendarSource, source.id)
    assert stored is not None and stored.last_error is not None
    assert "private or local" in stored.last_error["message"]
    assert _periods(session) == []


# --- Before linking: the preview with guessed rules ----------------------------------------------


def _entries(*titles: str) -> list[FeedEntry]:
    day = date(2026, 10, 1)
    return [FeedEntry(str(i), title, "", day, day) for i, title in enumerate(titles)]


def test_the_guessed_rules_name_the_words_that_made_the_guess() -> None:
    entries = _entries(
        "Toetsweek 1", "Toetsweek 2", "SE-week 3", "PTA-week", "Kerstvakantie", "Meivakantie",
        "Centraal examen tijdvak 1", "Schoolexamen week", "Open dag groep 8", "Open dagen",
        "Studiedag (leerlingen vrij)", "Rapportvergadering", "Lesvrij", "Goede vrijdag",
        "Sportdag", "Examentraining",
    )  # fmt: skip
    rules = guess_rules(entries, usual_severity)
    lines = {rule_text(rule.to_json(), "nl") for rule in rules}
    assert {
        "toets = toetsweek, hard",
        "se week = toetsweek, hard",
        "pta week = toetsweek, hard",  # "pta" alone is in too many words
        "schoolexamen = toetsweek, hard",  # not "examen": that is an exam period
        "open dag = opendag, hard",
        "studiedag = studiedag, hard",
        "tijdvak = examenperiode, hard",
        "rapport = rapportvergaderingen, zacht",
        "vakantie = vakantie, hard",
        "lesvrij = vakantie, hard",  # not "vrij": "Goede vrijdag" is no holiday
    } <= lines, lines
    assert not any("sportdag" in line or "vrijdag" in line for line in lines)
    # The guessed rules say what the guess does: no title changes kind by them.
    for reading in read_entries(entries, rules):
        assert reading.wanted is not None
        assert reading.wanted.kind is guess_kind(reading.entry.summary), reading.entry.summary
    assert [r.to_json() for r in parse_rules("\n".join(sorted(lines)))]  # they read back


def test_a_rule_finds_its_words_however_the_calendar_writes_them() -> None:
    rules = parse_rules("se week = toetsweek, hard\nopen dag = overslaan")
    readings = read_entries(_entries("SE-week 2", "Open-dag", "Opendag"), rules)
    assert [r.wanted.kind if r.wanted else None for r in readings] == [
        BusyKind.TEST_WEEK,
        None,
        BusyKind.OPEN_DAY,  # "opendag" does not contain "open dag": guessed
    ]
    assert [r.rule.contains if r.rule else None for r in readings] == ["se week", "open dag", None]


def _nothing_stored(app: Flask) -> tuple[int, int, int]:
    return (count_rows(app, CalendarSource), count_rows(app, BusyPeriod), count_rows(app, Event))


def test_the_preview_guesses_rules_reads_corrections_and_stores_nothing(
    sync_app: Flask, session: Session, server: Server
) -> None:
    org = _school(session)
    before = _nothing_stored(sync_app)
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    settings = calendar_sync.SyncSettings.from_config(sync_app.config)
    url = server.url("/cal.ics")
    preview = calendar_sync.preview_source(session, org, {"url": url}, NOW, settings)
    assert [rule_text(r.to_json(), "nl") for r in preview.rules] == [
        "toets = toetsweek, hard",
        "open dag = opendag, hard",
        "studiemiddag = studiedag, hard",
    ]
    assert preview.rules == preview.guessed
    assert [(kind, len(items)) for kind, items in preview.groups()] == [
        (BusyKind.TEST_WEEK, 1),
        (BusyKind.OPEN_DAY, 1),
        (BusyKind.STUDY_DAY, 3),
    ]
    (test_week,) = preview.groups()[0][1]
    assert (test_week[1].first_day, test_week[1].last_day) == (date(2026, 11, 2), date(2026, 11, 6))
    assert (preview.first_day, preview.last_day) == (date(2026, 8, 1), date(2028, 7, 31))
    corrected = calendar_sync.preview_source(
        session,
        org,
        {"url": url, "rules": "toets = toetsweek, hard\nstudiemiddag = overslaan"},
        NOW,
        settings,
    )
    assert [kind for kind, _ in corrected.groups()] == [BusyKind.TEST_WEEK, BusyKind.OPEN_DAY]
    assert [r.entry.summary for r in corrected.left_out] == ["Studiemiddag team"] * 3
    assert corrected.guessed == preview.guessed
    session.rollback()
    assert _nothing_stored(sync_app) == before
    assert [seen.get("if-none-match") for seen in server.seen] == [None, None]


def test_the_preview_refuses_what_a_sync_refuses_with_the_same_message(
    sync_app: Flask, session: Session, server: Server
) -> None:
    org = _school(session)
    settings = calendar_sync.SyncSettings.from_config(sync_app.config)
    bad = {
        "/404.ics": Route(b"Not found", status=404, content_type="text/plain"),
        "/html.ics": Route(b"<!DOCTYPE html><html><body>Log in</body></html>"),
        "/slow.ics": Route(google(), delay=2.5),
        "/big.ics": Route(stream=400_000),
        "/garbage.ics": Route(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nope\r\n\x01"),
    }
    server.routes.update(bad)
    for path in bad:
        with pytest.raises(PlannerError) as refused:
            calendar_sync.preview_source(session, org, {"url": server.url(path)}, NOW, settings)
        session.rollback()
        source = _link(session, org, server.url(path))
        calendar_sync.sync_source(session, source, NOW, settings)
        assert source.last_error is not None, path
        assert refused.value.message == source.last_error["message"], path
        assert refused.value.params == source.last_error["params"], path
        session.rollback()
        session.delete(source)
        session.commit()
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{sock.getsockname()[1]}/cal.ics"
    with pytest.raises(PlannerError):
        calendar_sync.preview_source(session, org, {"url": unreachable}, NOW, settings)
    session.rollback()
    server.routes["/cal.ics"] = Route(google())
    with pytest.raises(ValidationError, match="has no '='"):  # before any fetch
        calendar_sync.preview_source(
            session, org, {"url": server.url("/cal.ics"), "rules": "toets"}, NOW, settings
        )
    assert "/cal.ics" not in [seen["path"] for seen in server.seen]
    _link(session, org, server.url("/cal.ics"))
    with pytest.raises(ConflictError):
        calendar_sync.preview_source(session, org, {"url": server.url("/cal.ics")}, NOW, settings)


def test_api_preview_guesses_and_stores_nothing(
    sync_app: Flask, client: FlaskClient, session: Session, server: Server
) -> None:
    _school(session)
    server.routes["/cal.ics"] = Route(google())
    before = _nothing_stored(sync_app)
    answer = client.post(
        "/api/v1/organisations/01AA/calendar-sources/preview", json={"url": server.url("/cal.ics")}
    )
    assert answer.status_code == 200, answer.json
    data = answer.json
    assert data is not None
    assert data["guessed_rules"][0] == {
        "contains": "toets",
        "kind": "test_week",
        "severity": "hard",
    }
    assert data["rules"] == data["guessed_rules"]
    toetsweek = {"kind": "test_week", "severity": "hard", "first_day": "2026-11-02",
                 "last_day": "2026-11-06", "summary": "Toetsweek 1", "rule": "toets"}  # fmt: skip
    assert toetsweek in data["periods"]
    corrected = client.post(
        "/api/v1/organisations/01AA/calendar-sources/preview",
        json={
            "url": server.url("/cal.ics"),
            "rules": [{"contains": "studiemiddag", "kind": "study_day", "severity": "soft"}],
        },
    ).json
    assert corrected is not None
    assert {p["severity"] for p in corrected["periods"] if p["kind"] == "study_day"} == {"soft"}
    assert corrected["guessed_rules"] == data["guessed_rules"]
    server.routes["/html.ics"] = Route(b"<html><body>Inloggen</body></html>")
    refused = client.post(
        "/api/v1/organisations/01AA/calendar-sources/preview", json={"url": server.url("/html.ics")}
    )
    assert refused.status_code in (400, 422) and "BEGIN:VCALENDAR" in str(refused.json)
    assert _nothing_stored(sync_app) == before
    # Linked with the rules the preview gave (as corrected), the calendar says the same.
    linked = client.post(
        "/api/v1/organisations/01AA/calendar-sources?sync=true",
        json={"url": server.url("/cal.ics"), "rules": corrected["rules"]},
    )
    assert linked.status_code == 201 and linked.json["added"] == len(corrected["periods"])  # type: ignore[index]


def test_cli_add_url_preview_links_nothing_and_without_rules_links_the_guessed_ones(
    sync_app: Flask, cli: CLI, session: Session, server: Server
) -> None:
    _school(session)
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    before = _nothing_stored(sync_app)
    out = cli.ok("calendars", "add-url", "--org", "01AA", "--preview", server.url("/cal.ics"))
    assert "toets = test week, hard" in out and "Toetsweek 1" in out, out
    assert "Nothing was linked" in out
    out = cli.ok(
        "calendars", "add-url", "--org", "01AA", "--preview", "--rule", "studiemiddag = overslaan",
        "--json", server.url("/cal.ics"),
    )  # fmt: skip
    data = json.loads(out)
    assert [p["summary"] for p in data["left_out"]] == ["Studiemiddag team"] * 3
    assert _nothing_stored(sync_app) == before
    refused = cli("calendars", "add-url", "--org", "01AA", "--preview", server.url("/gone.ics"))
    assert refused.exit_code == 1 and "404" in refused.output
    out = cli.ok("calendars", "add-url", "--org", "01AA", server.url("/cal.ics"))
    assert "linked to Noord College" in out and "Fetched: 5 changes" in out, out
    listed = json.loads(cli.ok("calendars", "urls", "--org", "01AA", "--json"))
    assert listed[0]["rules"] == [
        {"contains": "toets", "kind": "test_week", "severity": "hard"},
        {"contains": "open dag", "kind": "open_day", "severity": "hard"},
        {"contains": "studiemiddag", "kind": "study_day", "severity": "hard"},
    ]
    assert len(_periods(session)) == 5
    server.routes["/html.ics"] = Route(b"<html><body>Inloggen</body></html>")
    refused = cli("calendars", "add-url", "--org", "01AA", server.url("/html.ics"))
    assert refused.exit_code == 1 and "BEGIN:VCALENDAR" in refused.output
    assert count_rows(sync_app, CalendarSource) == 1  # the HTML page is not linked


def test_school_page_previews_the_guessed_rules_and_links_them_as_corrected(
    sync_app: Flask, browser: FlaskClient, session: Session, server: Server
) -> None:
    org = _school(session)
    login(browser, make_account(session, "roosters@noord.example", schools=(org,)))
    server.routes["/cal.ics"] = Route(google(), etag='"g1"')
    url = server.url("/cal.ics")
    before = _nothing_stored(sync_app)
    page = browser.get(f"/schools/{org.id}")
    assert f'action="/schools/{org.id}/calendar-url/preview' in page.get_data(as_text=True)
    shown = post(browser, f"/schools/{org.id}/calendar-url/preview", {"url": url})
    assert shown.status_code == 200
    text = text_of(shown)
    assert "Nothing is stored yet" in text
    html = shown.get_data(as_text=True)
    assert "toets = test week, hard" in html and "studiemiddag = study day, hard" in html
    assert "Toetsweek 1" in text and "rule 'toets'" in text
    assert accessibility_problems(shown) == []
    assert _nothing_stored(sync_app) == before
    rules = "toets = test week, hard\nopen dag = open day, hard\nstudiemiddag = study day, soft"
    again = post(
        browser,
        f"/schools/{org.id}/calendar-url/preview",
        {"url": url, "rules": rules, "action": "preview"},
    )
    assert again.status_code == 200
    assert "The rules the planner guessed" in text_of(again)  # corrected: the guess is kept
    assert "study day, soft" in again.get_data(as_text=True)
    guessed_again = post(
        browser,
        f"/schools/{org.id}/calendar-url/preview",
        {"url": url, "rules": rules, "action": "guess"},
    )
    assert "studiemiddag = study day, hard" in guessed_again.get_data(as_text=True)
    bad_rule = post(
        browser,
        f"/schools/{org.id}/calendar-url/preview",
        {"url": url, "rules": "toets", "action": "preview"},
    )
    assert bad_rule.status_code == 422 and "has no" in text_of(bad_rule)
    assert accessibility_problems(bad_rule) == []
    assert _nothing_stored(sync_app) == before
    linked = post(
        browser,
        f"/schools/{org.id}/calendar-url/preview",
        {"url": url, "rules": rules, "action": "link"},
        follow_redirects=True,
    )
    assert "Fetched: 5 changes" in text_of(linked)
    source = session.scalars(select(CalendarSource)).one()
    assert source.rules[-1] == {"contains": "studiemiddag", "kind": "study_day", "severity": "soft"}
    assert [s for k, _, _, s, _ in _periods(session) if k == "study_day"] == ["soft"] * 3
    # Bad input: the page says why, keeps what was typed, and nothing more is stored.
    server.routes["/html.ics"] = Route(b"<!DOCTYPE html><html><body>Log in</body></html>")
    for fields in (
        {"url": server.url("/html.ics")},
        {"url": "ftp://example.org/x.ics"},
        {"url": server.url("/html.ics"), "rules": "toets", "action": "link"},
        {"url": url},  # already linked
    ):
        refused = post(browser, f"/schools/{org.id}/calendar-url/preview", fields)
        assert refused.status_code == 422, fields
        assert "cannot be linked yet" in text_of(refused)
        assert fields["url"] in refused.get_data(as_text=True)
    assert count_rows(sync_app, CalendarSource) == 1
    other = orgs.create_organisation(
        session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, NOW
    )
    session.commit()
    assert (
        post(browser, f"/schools/{other.id}/calendar-url/preview", {"url": url}).status_code == 403
    )
