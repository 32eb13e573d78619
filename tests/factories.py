"""Shared test data: the demo at a chosen moment and its people, lookups by address or BRIN, a
collaboration of two schools, a digest of every table, iTIP replies, a dead mail, and the three
front doors (pages, JSON API, CLI) side by side."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import icalendar
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import MailKind, MeetingStatus
from planner.messaging.composer import Composer
from planner.models import (
    Base,
    BusyPeriod,
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Event,
    HolidayOverride,
    Mail,
    Meeting,
    Organisation,
    Person,
    SchoolHolidayRecord,
)
from planner.services import collaborations, people, planning
from planner.services import organisations as orgs
from planner.services.attendance import issue_rsvp_token
from planner.services.outbox import queue_mail
from tests.helpers import CLI, count_rows
from tests.web import csrf_token, login, text_of

# The demo was planned on the morning of 24 Aug 2026; most tests look at it from 1 Sep.
DEMO_NOW = "2026-09-01T08:00:00Z"
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


# Who is who in the demo, and its collaborations by id.
ADMIN = "beheer@planner.example"  # the platform administrator
ANOUK = "a.devries@minnaert.example"  # coordinates Woerden (collaboration 1)
SCHOOL_ADMIN = "roosters@minnaert.example"  # administers Minnaert College (91XA)
MARLOES = "m.kok@kennemerkind.example"  # coordinates Noord-Holland (3), not Woerden
FATIMA = "f.elamrani@vakcollege-eindhoven.example"  # coordinates Eindhoven (2)
WOERDEN, EINDHOVEN, NOORD = 1, 2, 3

# Ids no row can have: beyond any integer column, a digit only to str.isdigit(), zero.
IMPOSSIBLE_IDS = ["9999999999", "99999999999999999999", "²", "0"]


def load_demo(app: Flask, cli: CLI, now: str | None = DEMO_NOW) -> None:
    """The demo data, with the clock frozen at `now` (None: the clock is left as it is)."""
    if now is not None:
        app.config["FROZEN_NOW"] = now
    cli.ok("demo")


def person_by_email(session: Session, email: str, *, fresh: bool = False) -> Person:
    """The stored person with this address; `fresh` first forgets what the session loaded."""
    if fresh:
        session.expire_all()
    return session.scalars(select(Person).where(Person.email == email)).one()


def log_in_as(browser: FlaskClient, session: Session, email: str) -> Person:
    """Log the browser in as the person with this address."""
    person = person_by_email(session, email)
    login(browser, person)
    return person


def organisation_by_brin(session: Session, brin: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.brin == brin)).one()


def events_of_kind(session: Session, kind: str, *, fresh: bool = False) -> list[Event]:
    """The stored events of one kind, oldest first; `fresh` first forgets what was loaded."""
    if fresh:
        session.expire_all()
    return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def next_meeting(session: Session, collab_id: int = WOERDEN, after: datetime = NOW) -> Meeting:
    """The first confirmed meeting of a collaboration after a moment (the demo's Woerden, seen
    on 1 Sep 2026)."""
    return session.scalars(
        select(Meeting)
        .where(
            Meeting.collaboration_id == collab_id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.starts_at > after,
        )
        .order_by(Meeting.starts_at)
    ).first()  # type: ignore[return-value]


def woerden_form(**changes: Any) -> dict[str, Any]:
    """The fields of the edit form of the demo's Woerden collaboration, with these changes."""
    fields: dict[str, Any] = {
        "name": "Startersbegeleiding Woerden",
        "target_weeks": "6",
        "max_gap_weeks": "8",
        "weekdays": ["2"],
        "start_time": "15:30",
        "duration_minutes": "90",
        "location": "rotate",
        "members": ["1", "2"],
        "coordinator_lines": f"{ANOUK}\np.jansen@groenendaal.example",
        "participant_lines": "",
    }
    fields.update(changes)
    return fields


def pages_snapshot(app: Flask, session: Session) -> tuple[Any, ...]:
    """Rows and values that a change through any page would move."""
    session.expire_all()
    return (
        *(
            count_rows(app, table)
            for table in (
                Meeting,
                Event,
                Collaboration,
                CollaborationPerson,
                CollaborationMember,
                Person,
                BusyPeriod,
                HolidayOverride,
                SchoolHolidayRecord,
            )
        ),
        tuple(
            (m.id, m.day, m.starts_at, m.status, m.sequence)
            for m in session.scalars(select(Meeting).order_by(Meeting.id))
        ),
    )


def url_path(url: str) -> str:
    """The path (and query) of an absolute address."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# --- Collaborations built for one test ----------------------------------------------------------


def _noord_and_zuid_college(session: Session, now: datetime) -> tuple[Organisation, Organisation]:
    """Two schools, one in the noord and one in the zuid region."""
    return (
        orgs.create_organisation(
            session, {"name": "Noord College", "brin": "01AA", "region": "noord"}, now
        ),
        orgs.create_organisation(
            session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, now
        ),
    )


def noord_zuid_collaboration(session: Session, now: datetime) -> Collaboration:
    """Noord College (noord) and Zuid College (zuid): every 4 weeks, at most 6 apart, on Tuesday
    or Thursday at 15:30, nothing planned yet; committed."""
    a, b = _noord_and_zuid_college(session, now)
    found = collaborations.create_collaboration(
        session,
        {
            "name": "Noord-Zuid",
            "members": [a.id, b.id],
            "coordinators": ["Co <co@example.org>"],
            "weekdays": "di,do",
            "start_time": "15:30",
            "target_weeks": 4,
            "max_gap_weeks": 6,
        },
        now,
    )
    session.commit()
    return found


def confirm_days(
    session: Session, collab: Collaboration, now: datetime, *days: date
) -> list[Meeting]:
    """Plan the collaboration on exactly these days (picked on purpose: inside the minimum
    notice too) and confirm the plan; committed."""
    preview = planning.preview_plan(session, collab, now, days=list(days), short_notice=True)
    created = planning.confirm_plan(session, preview, now)
    session.commit()
    return created


# The coordinator and the two invited partners of `plan_with_partners`.
COORDINATOR = "co@school.example"
PARTNER = "e.yilmaz@partner.example"
OTHER = "t.bakker@partner.example"


@dataclass
class Planned:
    """What `plan_with_partners` made: the meeting ids, the two partners, one answer link of
    the partner for the first meeting, and how many invitations were queued."""

    meeting_ids: list[int]
    partner_id: int
    other_id: int
    secret: str
    invitations: int


def plan_with_partners(app: Flask, session: Session, now: datetime, *days: date) -> Planned:
    """The collaboration "Leerlijn techniek" of Noord College and Zuid College, 90 minutes from
    15:30 on these days: its coordinator organises, two partners are invited (mails queued)."""
    a, b = _noord_and_zuid_college(session, now)
    collab = collaborations.create_collaboration(
        session,
        {
            "name": "Leerlijn techniek",
            "members": [a.id, b.id],
            "coordinators": [f"Carla Coördinator <{COORDINATOR}>"],
            "participants": [f"Esra Yilmaz <{PARTNER}>", f"Tom Bakker <{OTHER}>"],
            "weekdays": "di,do",
            "start_time": "15:30",
            "duration_minutes": 90,
        },
        now,
    )
    session.commit()
    preview = planning.preview_plan(session, collab, now, days=list(days))
    created = planning.confirm_plan(session, preview, now)
    session.commit()
    with app.app_context():
        invitations = Composer(session, now).invitations(created)
    session.commit()
    partner = people.find_person(session, PARTNER)
    other = people.find_person(session, OTHER)
    secret = issue_rsvp_token(session, created[0], partner, now, valid_days_after=7)
    session.commit()
    return Planned([m.id for m in created], partner.id, other.id, secret, invitations)


def dead_mail(session: Session, now: datetime, subject: str = "A notice") -> Mail:
    """A notice that failed for good (a dead letter in the outbox); committed."""
    mail = queue_mail(
        session,
        kind=MailKind.NOTICE,
        dedupe_key="test:dead",
        message_id="<dead@planner.test>",
        recipient="someone@partner.example",
        subject=subject,
        raw="Subject: A notice\r\n\r\nHello\r\n",
        now=now,
    )
    assert mail is not None
    mail.attempts = 8
    mail.last_error = "550 mailbox unavailable"
    mail.dead_at = now
    session.commit()
    return mail


def table_digest(app: Flask) -> dict[str, str]:
    """A fingerprint of every row of every table: equal before and after means nothing changed."""
    engine = app.extensions["planner.db"].engine
    digest: dict[str, str] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            keys = ", ".join(column.name for column in table.primary_key.columns)
            rows = conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {keys}")).all()
            digest[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digest


def reply_ics(
    uid: str,
    sequence: int,
    attendee: str,
    partstat: str = "ACCEPTED",
    stamp: datetime = NOW,
    *,
    summary: str = "Overleg",
    more: Sequence[tuple[str, int]] = (),
) -> bytes:
    """An iTIP REPLY as a calendar client mails it back to the organizer: one answer for the
    meeting `uid` (at `sequence`), and the same answer for each (uid, sequence) in `more`."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Test mail client//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", "REPLY")
    for event_uid, event_sequence in [(uid, sequence), *more]:
        event = icalendar.Event()
        event.add("UID", event_uid)
        event.add("SEQUENCE", event_sequence)
        event.add("DTSTAMP", stamp)
        event.add("DTSTART", datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
        event.add("SUMMARY", summary)
        person = icalendar.vCalAddress(f"mailto:{attendee}")
        person.params["PARTSTAT"] = icalendar.vText(partstat)
        event.add("ATTENDEE", person)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass
class Doors:
    """The web pages (logged in), the JSON API (with its token) and the CLI of one app, in
    Dutch: a rule must refuse the same thing, with the same words, at each of them."""

    app: Flask
    browser: FlaskClient
    api: FlaskClient
    cli: CLI

    def log_in(self, email: str) -> Person:
        """Log the browser in as the person with this address."""
        with self.app.extensions["planner.db"].session() as session:
            return log_in_as(self.browser, session, email)

    def page(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        """POST a page's form (with its CSRF token); GET when there is no data."""
        if data is None:
            return self.browser.get(url)
        return self.browser.post(url, data={"csrf_token": csrf_token(self.browser), **data})

    def call(self, method: str, url: str, **kwargs: Any) -> TestResponse:
        """A JSON API request."""
        return self.api.open(url, method=method, **kwargs)

    def run(self, *args: str, input: str | None = None) -> Result:
        """A `planner` command."""
        return self.cli(*args, input=input)


def page_text(response: TestResponse) -> str:
    """What the user reads on a page (tags stripped)."""
    return text_of(response).replace("&#39;", "'")


def api_message(response: TestResponse) -> str:
    """The message of an API refusal."""
    data = response.get_json() or {}
    return str(data.get("error", {}).get("message", ""))
