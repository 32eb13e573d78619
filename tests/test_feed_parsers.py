"""Every kind of feed read back by four independent iCalendar parsers, and the feed rules.

The feeds are fetched through the test client on Thursday 1 Oct 2026 (FROZEN_NOW) and parsed by
icalendar, ical (allenporter), vobject and recurring-ical-events. What each parser sees (the
number of events and, per event, its UID, start and end as a UTC instant or a date, the all-day
flag and the status) must equal what the others see and what this module expects from the data
it stored. The expectations are computed here without the planner: meeting instants are written
out in UTC, school holidays come from the shipped JSON file, public holidays are listed by hand.

The data: Noorderlicht College (region noord), Middenveld Lyceum (midden), Zuiderzon School
(zuid). "Avondoverleg" (Noorderlicht + Middenveld, 19:00 Amsterdam time, at most two weeks apart,
holidays counted) meets nearly every week, also on the Saturday, Sunday and Monday around both
changes of summer time (Sun 25 Oct 2026 and Sun 28 Mar 2027). One of its meetings is cancelled,
one is moved, one was held before the feed window begins, and two gaps are too long (drift
warnings). "Middagoverleg" (Middenveld + Zuiderzon, 15:30) meets twice, then nothing more. Cora
coordinates both, so her feed has the meetings and the warnings of both. Noorderlicht has its own
dates for the advisory spring holiday and a test week; there is a study day for region noord and
a national week of report meetings.

The rule checks follow ICAL.md (the shared notes on what calendar clients need), section Feeds:
one small test per rule, each over every feed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from flask import Flask
from flask.testing import FlaskClient
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import MeetingStatus
from planner.feeds import tokens as feeds
from planner.models import Collaboration, Meeting
from planner.services import busy_periods, collaborations, meetings, school_calendar
from planner.services import organisations as orgs
from planner.services.planning import new_uid

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # Thursday, 10:00 in Amsterdam
FROZEN_NOW = "2026-10-01T08:00:00Z"
CREATED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)  # when the meetings were stored
REPO = Path(__file__).resolve().parents[1]
HOLIDAY_DATA = REPO / "planner" / "calendar_nl" / "data" / "nl-schoolvakanties.json"

# The feed window on 1 Oct 2026 with the default settings (92 days back, 548 ahead): meetings
# and blocked days from 1 Jul 2026 to 1 Apr 2028, holidays to the end of that school year.
WINDOW_FIRST = date(2026, 7, 1)
WINDOW_LAST = date(2028, 4, 1)
CALENDAR_LAST = date(2028, 9, 30)


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Avondoverleg at 19:00 in Amsterdam, 90 minutes: each day and its start in UTC. Summer time
# (UTC+2) ends on Sun 25 Oct 2026 at 03:00 and begins again on Sun 28 Mar 2027 at 02:00.
EVENING = {
    date(2026, 6, 2): _utc(2026, 6, 2, 17),  # held; before the feed window
    date(2026, 9, 22): _utc(2026, 9, 22, 17),  # held
    date(2026, 10, 6): _utc(2026, 10, 6, 17),
    date(2026, 10, 13): _utc(2026, 10, 13, 17),  # cancelled
    date(2026, 10, 20): _utc(2026, 10, 20, 17),
    date(2026, 10, 24): _utc(2026, 10, 24, 17),  # Saturday: the last evening of summer time
    date(2026, 10, 25): _utc(2026, 10, 25, 18),  # Sunday: winter time from 03:00
    date(2026, 10, 26): _utc(2026, 10, 26, 18),  # Monday
    date(2026, 11, 3): _utc(2026, 11, 3, 18),  # moved to Thursday 5 Nov
    date(2027, 3, 23): _utc(2027, 3, 23, 18),
    date(2027, 3, 27): _utc(2027, 3, 27, 18),  # Saturday: the last evening of winter time
    date(2027, 3, 28): _utc(2027, 3, 28, 17),  # Sunday (and Easter): summer time from 02:00
    date(2027, 3, 29): _utc(2027, 3, 29, 17),  # Monday
    date(2027, 4, 6): _utc(2027, 4, 6, 17),
}
HELD = {date(2026, 6, 2), date(2026, 9, 22)}
CANCELLED = date(2026, 10, 13)
MOVED_FROM, MOVED_TO, MOVED_START = date(2026, 11, 3), date(2026, 11, 5), _utc(2026, 11, 5, 18)
EVENING_MINUTES = 90
# Middagoverleg at 15:30, 60 minutes.
AFTERNOON = {
    date(2026, 10, 14): _utc(2026, 10, 14, 13, 30),
    date(2026, 11, 11): _utc(2026, 11, 11, 14, 30),
}
AFTERNOON_MINUTES = 60

# Drift warnings sit on the first day a gap is longer than the maximum. Avondoverleg (two
# weeks, every day counts): 5 Nov + 15 days, and 6 Apr + 15 days with nothing after it.
EVENING_WARNINGS = (date(2026, 11, 20), date(2027, 4, 21))
# Middagoverleg (six weeks): 43 counted days after 11 Nov; the two Christmas weeks, a holiday
# in both midden and zuid, do not count (11 Nov-20 Dec is 40 days, then 4, 5 and 6 Jan).
AFTERNOON_WARNINGS = (date(2027, 1, 7),)

# Noorderlicht's calendar, first and last day inclusive.
OWN_SPRING_HOLIDAY = (date(2027, 2, 13), date(2027, 2, 21))  # official noord: 20-28 Feb
TEST_WEEK = (date(2026, 11, 16), date(2026, 11, 20))  # Noorderlicht's own
STUDY_DAY = (date(2027, 1, 15), date(2027, 1, 15))  # all of region noord
REPORT_MEETINGS = (date(2027, 2, 1), date(2027, 2, 5))  # national
BUSY = (TEST_WEEK, STUDY_DAY, REPORT_MEETINGS)
# The days every Dutch school is closed: New Year, Easter Sunday and Monday, King's Day,
# Ascension, Whit Sunday and Monday, Christmas (Good Friday and 5 May are each school's choice).
PUBLIC_HOLIDAYS = tuple(
    date.fromisoformat(day)
    for days in (
        "2026-12-25 2026-12-26",
        "2027-01-01 2027-03-28 2027-03-29 2027-04-27 2027-05-06 2027-05-16 2027-05-17",
        "2027-12-25 2027-12-26",
        "2028-01-01 2028-04-16 2028-04-17 2028-04-27 2028-05-25 2028-06-04 2028-06-05",
    )
    for day in days.split()
)

REGIONS = ("noord", "midden", "zuid")
TIMED_FEEDS = ("collaboration", "collaboration with blocked days", "person")
FEEDS = (
    *TIMED_FEEDS,
    "school",
    *(f"region {region}" for region in REGIONS),
    *(f"region {region} en" for region in REGIONS),
)


# -- the data --------------------------------------------------------------------------------


@dataclass
class World:
    """The stored data, the feeds' paths and a client to fetch them."""

    app: Flask
    client: FlaskClient
    paths: dict[str, str]
    evening: dict[date, str]  # Avondoverleg's meeting UIDs by their original day
    evening_id: int

    def fetch(self, name: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(self.paths[name], **kwargs)
        assert response.status_code == 200, (name, response.data)
        return response

    def clear_caches(self) -> None:
        server = self.app.extensions["planner.feeds"]
        server.cache.clear()
        server.fragments.clear()


def _add_meeting(
    session: Session, collab: Collaboration, day: date, at: time, minutes: int, held: bool
) -> Meeting:
    start = datetime.combine(day, at, AMSTERDAM).astimezone(UTC)
    meeting = Meeting(
        collaboration_id=collab.id,
        status=MeetingStatus.HELD if held else MeetingStatus.CONFIRMED,
        day=day,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        timezone="Europe/Amsterdam",
        uid=new_uid(),
        sequence=0,
        created_at=CREATED,
        updated_at=CREATED,
    )
    session.add(meeting)
    session.flush()
    return meeting


@pytest.fixture
def world(app: Flask, client: FlaskClient, session: Session) -> World:
    assert (app.config["FEED_PAST_DAYS"], app.config["FEED_FUTURE_DAYS"]) == (92, 548)
    app.config["FROZEN_NOW"] = FROZEN_NOW
    noord, midden, zuid = (
        orgs.create_organisation(session, {"name": name, "brin": brin, "region": region}, NOW)
        for name, brin, region in (
            ("Noorderlicht College", "01NL", "noord"),
            ("Middenveld Lyceum", "02ML", "midden"),
            ("Zuiderzon School", "03ZZ", "zuid"),
        )
    )
    evening = collaborations.create_collaboration(
        session,
        {
            "name": "Avondoverleg",
            "members": [noord.id, midden.id],
            "coordinators": ["Cora Coördinator <cora@example.org>"],
            "weekdays": "di,do",
            "start_time": "19:00",
            "duration_minutes": EVENING_MINUTES,
            "target_weeks": 1,
            "max_gap_weeks": 2,
            "count_holidays": True,
        },
        NOW,
    )
    afternoon = collaborations.create_collaboration(
        session,
        {
            "name": "Middagoverleg",
            "members": [midden.id, zuid.id],
            "coordinators": ["cora@example.org", "Bert Bakker <bert@example.org>"],
            "weekdays": "wo",
            "start_time": "15:30",
            "duration_minutes": AFTERNOON_MINUTES,
            "target_weeks": 4,
            "max_gap_weeks": 6,
        },
        NOW,
    )
    # Straight into the table: the weekends around the clock changes are no planning days.
    stored = {
        day: _add_meeting(session, evening, day, time(19), EVENING_MINUTES, day in HELD)
        for day in EVENING
    }
    for day in AFTERNOON:
        _add_meeting(session, afternoon, day, time(15, 30), AFTERNOON_MINUTES, False)
    meetings.cancel_meeting(session, stored[CANCELLED], NOW)
    meetings.move_meeting(session, stored[MOVED_FROM], MOVED_TO, NOW)

    school_calendar.set_holiday_override(
        session,
        noord,
        {
            "school_year": "2026-2027",
            "holiday": "voorjaarsvakantie",
            "first_day": OWN_SPRING_HOLIDAY[0].isoformat(),
            "last_day": OWN_SPRING_HOLIDAY[1].isoformat(),
        },
        NOW,
    )
    for scope, kind, (first, last) in (
        ({"organisation": "01NL"}, "toetsweek", TEST_WEEK),
        ({"region": "noord"}, "studiedag", STUDY_DAY),
        ({"national": True}, "rapportvergaderingen", REPORT_MEETINGS),
    ):
        busy_periods.create_busy_period(
            session,
            {**scope, "kind": kind, "first_day": first.isoformat(), "last_day": last.isoformat()},
            NOW,
        )

    tokens = {
        "collaboration": feeds.create_token(session, NOW, collaboration=evening.id),
        "collaboration with blocked days": feeds.create_token(
            session, NOW, collaboration=evening.id, blocked_days=True
        ),
        "person": feeds.create_token(session, NOW, person="cora@example.org"),
        "school": feeds.create_token(session, NOW, organisation="01NL"),
    }
    session.commit()
    paths = {name: f"/feeds/{token.secret}.ics" for name, token in tokens.items()}
    for region in REGIONS:
        paths[f"region {region}"] = f"/feeds/regions/{region}.ics"
        paths[f"region {region} en"] = f"/feeds/regions/{region}.ics?lang=en"
    uids = {day: meeting.uid for day, meeting in stored.items()}
    return World(app, client, paths, uids, evening.id)


@pytest.fixture
def bodies(world: World) -> dict[str, bytes]:
    """Every feed, fetched once."""
    return {name: world.fetch(name).data for name in FEEDS}


# -- what the feeds must show, computed without the planner ----------------------------------


class Seen(NamedTuple):
    """One VEVENT as a parser reads it: a start and end (UTC instants or dates) and a status."""

    start: date | datetime
    end: date | datetime
    all_day: bool
    status: str | None


def _order(seen: Seen) -> tuple[str, str, str]:
    return (str(seen.start), str(seen.end), seen.status or "")


def _meeting(start: datetime, minutes: int, status: str = "CONFIRMED") -> Seen:
    return Seen(start, start + timedelta(minutes=minutes), False, status)


def _days(first: date, last: date) -> Seen:
    """An all-day item from `first` to `last` inclusive: DTEND is the day after."""
    return Seen(first, last + timedelta(days=1), True, None)


def _school_holidays(region: str, last: date, own: bool = False) -> list[Seen]:
    """A region's school holidays in the window, from the shipped JSON file."""
    school_years = json.loads(HOLIDAY_DATA.read_text("utf-8"))["school_years"]
    found = []
    for school_year, holidays in school_years.items():
        for name, holiday in holidays.items():
            days = holiday["regions"][region]
            first, final = (date.fromisoformat(days[key]) for key in ("first_day", "last_day"))
            if own and (school_year, name) == ("2026-2027", "voorjaarsvakantie"):
                first, final = OWN_SPRING_HOLIDAY
            if final >= WINDOW_FIRST and first <= last:
                found.append(_days(first, final))
    return found


def _calendar(regions: tuple[str, ...], last: date) -> list[Seen]:
    """School holidays (with Noorderlicht's own dates), public holidays and busy periods."""
    found = [_days(day, day) for day in PUBLIC_HOLIDAYS if day <= last]
    found += [_days(first, final) for first, final in BUSY]
    for region in regions:
        found += _school_holidays(region, last, own=region == "noord")
    return found


def _evening_meetings() -> list[Seen]:
    found = []
    for day, start in EVENING.items():
        if day < WINDOW_FIRST:
            continue
        if day == MOVED_FROM:
            start = MOVED_START
        status = "CANCELLED" if day == CANCELLED else "CONFIRMED"  # held shows as confirmed
        found.append(_meeting(start, EVENING_MINUTES, status))
    found += [_days(day, day) for day in EVENING_WARNINGS]
    return found


def expected(name: str) -> list[Seen]:
    """What the feed called `name` shows on 1 Oct 2026."""
    if name.startswith("region"):
        return _school_holidays(name.split()[1], CALENDAR_LAST)
    if name == "school":
        return _calendar(("noord",), CALENDAR_LAST)
    found = _evening_meetings()
    if name == "collaboration with blocked days":
        found += _calendar(("noord", "midden"), WINDOW_LAST)
    if name == "person":
        found += [_meeting(start, AFTERNOON_MINUTES) for start in AFTERNOON.values()]
        found += [_days(day, day) for day in AFTERNOON_WARNINGS]
    return found


# -- four parsers ----------------------------------------------------------------------------


def _seen(start: date, end: date, status: Any) -> Seen:
    def normal(value: date) -> date:
        if isinstance(value, datetime):
            assert value.utcoffset() is not None, f"floating time {value}"
            return value.astimezone(UTC)
        return value

    all_day = not isinstance(start, datetime)
    return Seen(normal(start), normal(end), all_day, None if status is None else str(status))


Parsed = list[tuple[str, Seen]]


def by_icalendar(body: bytes) -> Parsed:
    calendar = icalendar.Calendar.from_ical(body)
    return [
        (str(e["UID"]), _seen(e.decoded("DTSTART"), e.decoded("DTEND"), e.get("STATUS")))
        for e in calendar.walk("VEVENT")
    ]


def by_ical(body: bytes) -> Parsed:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return [
        (e.uid, _seen(e.dtstart, e.dtend, e.status.value if e.status else None))
        for e in calendar.events
    ]


def by_vobject(body: bytes) -> Parsed:
    """vobject, reading times by the feed's own VTIMEZONE (the other three look the TZID up).

    vobject keeps the first VTIMEZONE it meets per TZID for the whole process, so each feed's
    own definition is applied explicitly.
    """
    calendar = vobject.readOne(body.decode("utf-8"))
    zones = {zone.tzid.value: zone.gettzinfo() for zone in calendar.contents.get("vtimezone", [])}

    def value(prop: Any) -> date:
        tzid = prop.params.get("X-VOBJ-ORIGINAL-TZID")
        return prop.value.replace(tzinfo=zones[tzid[0]]) if tzid else prop.value

    found = []
    for e in calendar.contents.get("vevent", []):
        status = e.contents["status"][0].value if "status" in e.contents else None
        found.append((e.uid.value, _seen(value(e.dtstart), value(e.dtend), status)))
    return found


def by_recurring_ical_events(body: bytes) -> Parsed:
    calendar = icalendar.Calendar.from_ical(body)
    occurrences = recurring_ical_events.of(calendar).between(date(2025, 1, 1), date(2030, 1, 1))
    return [
        (str(e["UID"]), _seen(e.decoded("DTSTART"), e.decoded("DTEND"), e.get("STATUS")))
        for e in occurrences
    ]


PARSERS: dict[str, Callable[[bytes], Parsed]] = {
    "icalendar": by_icalendar,
    "ical": by_ical,
    "vobject": by_vobject,
    "recurring-ical-events": by_recurring_ical_events,
}


@pytest.mark.parametrize("name", FEEDS)
def test_four_parsers_agree_with_each_other_and_with_the_data(
    world: World, session: Session, name: str
) -> None:
    body = world.fetch(name).data
    views = {
        parser: sorted(parse(body), key=lambda pair: (pair[0], *_order(pair[1])))
        for parser, parse in PARSERS.items()
    }
    want = sorted(expected(name), key=_order)
    counts = {parser: len(view) for parser, view in views.items()}
    assert counts == dict.fromkeys(PARSERS, len(want)), name
    for parser, view in views.items():
        assert view == views["icalendar"], f"{parser} and icalendar disagree on {name}"
    assert sorted((seen for _, seen in views["icalendar"]), key=_order) == want
    # Every timed event is a meeting, at exactly the instants stored.
    stored = {m.uid: (m.starts_at, m.ends_at) for m in session.scalars(select(Meeting))}
    for uid, seen in views["icalendar"]:
        if not seen.all_day:
            assert (seen.start, seen.end) == stored[uid], uid


# -- the rules of ICAL.md, section Feeds -----------------------------------------------------


def _unfolded(body: bytes) -> list[str]:
    """The content lines, unfolded, without their CRLF."""
    return body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


class Line(NamedTuple):
    name: str
    params: dict[str, str]
    value: str


def _line(text: str) -> Line:
    head, value = text.split(":", 1)
    name, *params = head.split(";")
    return Line(name.upper(), dict(param.split("=", 1) for param in params), value)


def _calendar_lines(body: bytes) -> list[Line]:
    """The properties of the VCALENDAR itself, not of its components."""
    depth, found = 0, []
    for text in _unfolded(body):
        line = _line(text)
        if line.name == "BEGIN":
            depth += 1
        elif line.name == "END":
            depth -= 1
        elif depth == 1:
            found.append(line)
    return found


def _vevents(body: bytes) -> Iterator[dict[str, list[Line]]]:
    """Each VEVENT's properties by name (several VEVENT properties may repeat)."""
    event: dict[str, list[Line]] | None = None
    for text in _unfolded(body):
        line = _line(text)
        if (line.name, line.value) == ("BEGIN", "VEVENT"):
            event = {}
        elif (line.name, line.value) == ("END", "VEVENT"):
            assert event is not None
            yield event
            event = None
        elif event is not None:
            event.setdefault(line.name, []).append(line)


def _one(event: dict[str, list[Line]], name: str) -> Line:
    (line,) = event[name]
    return line


def _meeting_uids(session: Session) -> dict[str, Meeting]:
    return {meeting.uid: meeting for meeting in session.scalars(select(Meeting))}


def test_the_calendar_header(bodies: dict[str, bytes]) -> None:
    for name, body in bodies.items():
        head = {line.name: line for line in _calendar_lines(body)}
        assert (head["VERSION"].value, head["CALSCALE"].value) == ("2.0", "GREGORIAN"), name
        assert head["METHOD"].value == "PUBLISH"
        assert head["PRODID"].value
        assert head["NAME"].value and head["NAME"].value == head["X-WR-CALNAME"].value
        assert head["REFRESH-INTERVAL"] == Line("REFRESH-INTERVAL", {"VALUE": "DURATION"}, "PT1H")
        assert head["X-PUBLISHED-TTL"].value == "PT1H"
        assert b"X-WR-TIMEZONE" not in body


def _rule_parts(rule: Any) -> set[str]:
    return set(rule.to_ical().decode().split(";"))


def test_timed_events_have_one_amsterdam_vtimezone_in_rrule_form(bodies: dict[str, bytes]) -> None:
    for name, body in bodies.items():
        zones = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
        assert b"RDATE" not in body, name
        if name not in TIMED_FEEDS:
            assert zones == [], f"{name} has only all-day items"
            continue
        (zone,) = zones
        assert zone["TZID"] == "Europe/Amsterdam"
        rules = {rule.name: rule for rule in zone.subcomponents}
        assert set(rules) == {"DAYLIGHT", "STANDARD"}
        for kind, month, start, offsets in (
            ("DAYLIGHT", 3, datetime(1970, 3, 29, 2), (1, 2)),
            ("STANDARD", 10, datetime(1970, 10, 25, 3), (2, 1)),
        ):
            rule = rules[kind]
            assert _rule_parts(rule["RRULE"]) == {"FREQ=YEARLY", f"BYMONTH={month}", "BYDAY=-1SU"}
            assert rule.decoded("DTSTART") == start
            found = (rule.decoded("TZOFFSETFROM"), rule.decoded("TZOFFSETTO"))
            assert found == tuple(timedelta(hours=hours) for hours in offsets)
        # The zone as written in the feed, not the tz database, puts every evening right.
        written = zone.to_tz(lookup_tzid=False)
        for day, start in EVENING.items():
            assert datetime.combine(day, time(19), written).astimezone(UTC) == start, day
        for event in _vevents(body):
            for edge in ("DTSTART", "DTEND"):
                line = _one(event, edge)
                if line.params.get("VALUE") != "DATE":
                    assert line.params == {"TZID": "Europe/Amsterdam"}, line
                    assert re.fullmatch(r"\d{8}T\d{6}", line.value), line


def test_every_vevent_has_a_unique_uid_free_of_the_host_name(
    world: World, bodies: dict[str, bytes]
) -> None:
    for name, body in bodies.items():
        uids = [_one(event, "UID").value for event in _vevents(body)]
        assert uids and len(uids) == len(set(uids)), name
        assert all(uid.endswith("@planner") and "localhost" not in uid for uid in uids), uids
        # Rendered afresh for a request to another host name: the same bytes.
        world.clear_caches()
        elsewhere = world.fetch(name, base_url="https://calendar.elsewhere.example")
        assert elsewhere.data == body, name


def test_dtstamp_is_utc_and_comes_from_the_record(
    session: Session, bodies: dict[str, bytes]
) -> None:
    stored = _meeting_uids(session)
    for name, body in bodies.items():
        for event in _vevents(body):
            stamp = _one(event, "DTSTAMP")
            assert stamp.params == {} and re.fullmatch(r"\d{8}T\d{6}Z", stamp.value), name
            for line in event.get("LAST-MODIFIED", []):
                assert line == Line("LAST-MODIFIED", {}, stamp.value)
            meeting = stored.get(_one(event, "UID").value)
            if meeting is not None:
                assert stamp.value == meeting.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    # The meetings were stored on 1 Sep; the cancel and the move happened on 1 Oct.
    stamps = {_one(e, "DTSTAMP").value for e in _vevents(bodies["collaboration"])}
    assert {"20260901T080000Z", "20261001T080000Z"} <= stamps


def _ends(body: bytes, starting: str) -> str:
    """The DTEND of the one VEVENT starting on `starting`."""
    (event,) = [e for e in _vevents(body) if _one(e, "DTSTART").value == starting]
    return _one(event, "DTEND").value


def test_all_day_items_are_dates_with_an_exclusive_end(bodies: dict[str, bytes]) -> None:
    for name, body in bodies.items():
        for event in _vevents(body):
            start, end = _one(event, "DTSTART"), _one(event, "DTEND")
            if start.params.get("VALUE") != "DATE":
                assert end.params.get("VALUE") != "DATE", f"DATE mixed with DATE-TIME: {event}"
                continue
            assert start.params == end.params == {"VALUE": "DATE"}, name  # and no TZID
            assert re.fullmatch(r"\d{8}", start.value) and re.fullmatch(r"\d{8}", end.value)
            assert end.value > start.value
    # The autumn holiday of noord, Sat 10 to Sun 18 Oct 2026, ends on the 19th.
    assert _ends(bodies["region noord"], starting="20261010") == "20261019"
    # A warning, like a one-day holiday, ends the next day.
    assert _ends(bodies["person"], starting="20270107") == "20270108"


def test_meetings_are_opaque_and_everything_else_transparent(
    session: Session, bodies: dict[str, bytes]
) -> None:
    stored = _meeting_uids(session)
    warnings: dict[str, int] = {}
    for name, body in bodies.items():
        warnings[name] = 0
        for event in _vevents(body):
            meeting = stored.get(_one(event, "UID").value)
            transp = _one(event, "TRANSP").value
            if meeting is None:
                assert transp == "TRANSPARENT", event
                assert _one(event, "DTSTART").params == {"VALUE": "DATE"}
            elif meeting.status is MeetingStatus.CANCELLED:
                assert transp == "TRANSPARENT"
            else:
                assert transp == "OPAQUE", event
            categories = [c for line in event.get("CATEGORIES", []) for c in line.value.split(",")]
            assert categories, event  # something to colour and filter by
            warnings[name] += "WARNING" in categories
    assert warnings == {
        name: {"collaboration": 2, "collaboration with blocked days": 2, "person": 3}.get(name, 0)
        for name in FEEDS
    }


def test_one_vevent_per_meeting_and_no_recurrence(
    session: Session, bodies: dict[str, bytes]
) -> None:
    stored = _meeting_uids(session)
    for name, body in bodies.items():
        events = list(_vevents(body))
        for event in events:
            assert not {"RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"} & set(event), name
        uids = [_one(e, "UID").value for e in events if _one(e, "UID").value in stored]
        assert len(uids) == len(set(uids))
        assert body.count(b"BEGIN:VEVENT") == len(events)


def test_no_alarms_attendees_or_email_addresses(bodies: dict[str, bytes]) -> None:
    address = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
    for name, body in bodies.items():
        text = "\r\n".join(_unfolded(body))
        assert "BEGIN:VALARM" not in text, name
        assert not any(_line(line).name == "ATTENDEE" for line in _unfolded(body)), name
        assert "mailto:" not in text.lower()
        assert address.search(text) is None, (name, address.search(text))
    # The coordinators' names are in the descriptions; their addresses are not.
    assert "Cora Coördinator" in "".join(_unfolded(bodies["person"]))


def test_crlf_line_ends_and_lines_of_at_most_75_octets(bodies: dict[str, bytes]) -> None:
    folded = 0
    for name, body in bodies.items():
        assert body.endswith(b"\r\n"), name
        for line in body.split(b"\r\n")[:-1]:
            assert b"\n" not in line and b"\r" not in line, (name, line)
            assert len(line) <= 75, (name, line)
            line.decode("utf-8")  # a fold never splits a character
            folded += line.startswith(b" ")
    assert folded, "some lines are long enough to be folded"


def test_a_moved_meeting_keeps_its_uid_and_raises_its_sequence(
    world: World, session: Session
) -> None:
    def by_uid() -> dict[str, dict[str, list[Line]]]:
        body = world.fetch("collaboration").data
        return {_one(event, "UID").value: event for event in _vevents(body)}

    before = by_uid()
    # The fixture already moved 3 Nov to 5 Nov: same UID, SEQUENCE 1.
    moved = before[world.evening[MOVED_FROM]]
    assert (_one(moved, "DTSTART").value, _one(moved, "SEQUENCE").value) == ("20261105T190000", "1")
    uid = world.evening[date(2027, 3, 23)]
    assert _one(before[uid], "SEQUENCE").value == "0"

    meeting = session.scalars(select(Meeting).where(Meeting.uid == uid)).one()
    meetings.move_meeting(session, meeting, date(2027, 3, 25), NOW)
    session.commit()
    after = by_uid()
    assert set(after) == set(before)
    assert _one(after[uid], "SEQUENCE").value == "1"
    assert _one(after[uid], "DTSTART").value == "20270325T190000"
    (seen,) = [seen for found, seen in by_ical(world.fetch("collaboration").data) if found == uid]
    assert seen.start == _utc(2027, 3, 25, 18)


@pytest.mark.parametrize(("language", "prefix"), [("nl", "geannuleerd: "), ("en", "cancelled: ")])
def test_a_cancelled_meeting_shows_until_its_day_has_passed(
    world: World, session: Session, language: str, prefix: str
) -> None:
    token = feeds.create_token(session, NOW, collaboration=world.evening_id, language=language)
    session.commit()
    world.paths[language] = f"/feeds/{token.secret}.ics"
    uid = world.evening[CANCELLED]

    def events() -> dict[str, dict[str, list[Line]]]:
        return {_one(e, "UID").value: e for e in _vevents(world.fetch(language).data)}

    before = events()
    cancelled = before[uid]
    assert _one(cancelled, "STATUS").value == "CANCELLED"
    assert _one(cancelled, "TRANSP").value == "TRANSPARENT"
    assert _one(cancelled, "SEQUENCE").value == "1"
    assert _one(cancelled, "SUMMARY").value.casefold().startswith(prefix)
    others = [e for key, e in before.items() if key != uid and "STATUS" in e]
    assert not any(_one(e, "SUMMARY").value.casefold().startswith(prefix) for e in others)

    world.app.config["FROZEN_NOW"] = "2026-10-13T19:00:00Z"  # 21:00 that evening: still today
    assert uid in events()
    world.app.config["FROZEN_NOW"] = "2026-10-13T22:00:00Z"  # midnight in Amsterdam
    assert set(events()) == set(before) - {uid}


def test_the_same_bytes_and_etag_on_every_fetch(world: World, bodies: dict[str, bytes]) -> None:
    for name, body in bodies.items():
        first = world.fetch(name)
        assert first.mimetype == "text/calendar" and first.mimetype_params == {"charset": "utf-8"}
        etag, weak = first.get_etag()
        assert etag and not weak, name
        again = world.fetch(name)
        world.clear_caches()
        fresh = world.fetch(name)
        # An hour later (the same day), rendered anew: nothing in the feed comes from the clock.
        world.app.config["FROZEN_NOW"] = "2026-10-01T09:00:00Z"
        world.clear_caches()
        later = world.fetch(name)
        world.app.config["FROZEN_NOW"] = FROZEN_NOW
        for response in (again, fresh, later):
            assert response.data == body, name
            assert response.get_etag() == (etag, False), name


def test_a_gap_that_opened_before_the_window_is_warned_about_inside_it(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["FROZEN_NOW"] = FROZEN_NOW
    school = orgs.create_organisation(
        session, {"name": "Slaapstad College", "brin": "04SS", "region": "noord"}, NOW
    )
    dormant = collaborations.create_collaboration(
        session,
        {
            "name": "Slapend overleg",
            "members": [school.id],
            "coordinators": ["Sam <sam@example.org>"],
            "weekdays": "di",
            "start_time": "19:00",
            "target_weeks": 1,
            "max_gap_weeks": 2,
            "count_holidays": True,
        },
        NOW,
    )
    # Last met on 4 Mar 2025, nothing planned since: the gap grew too long on 19 Mar 2025.
    _add_meeting(session, dormant, date(2025, 3, 4), time(19), 90, held=True)
    token = feeds.create_token(session, NOW, collaboration=dormant.id)
    session.commit()
    (warning,) = _vevents(client.get(f"/feeds/{token.secret}.ics").data)
    assert _one(warning, "CATEGORIES").value.startswith("WARNING,")
    start = datetime.strptime(_one(warning, "DTSTART").value, "%Y%m%d").date()
    assert WINDOW_FIRST <= start <= WINDOW_LAST, f"the warning is dated {start}"
    # It is shown today, says since when, and keeps the crossing day's UID.
    assert start == date(2026, 10, 1)
    assert _one(warning, "UID").value == f"drift-{dormant.id}-20250319@planner"
    assert "sinds wo 19 mrt 2025" in _one(warning, "DESCRIPTION").value
