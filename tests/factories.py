"""Shared test data: the demo at a chosen moment, a digest of every table, iTIP replies, and
the three front doors (pages, JSON API, CLI) side by side."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import icalendar
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from planner.models import Base, Person
from tests.helpers import CLI
from tests.web import csrf_token, login, text_of

# The demo was planned on the morning of 24 Aug 2026; most tests look at it from 1 Sep.
DEMO_NOW = "2026-09-01T08:00:00Z"
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def load_demo(app: Flask, cli: CLI, now: str = DEMO_NOW) -> None:
    """The demo data, with the clock frozen at `now`."""
    app.config["FROZEN_NOW"] = now
    cli.ok("demo")


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
) -> bytes:
    """An iTIP REPLY as a calendar client mails it back to the organizer."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Test mail client//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", "REPLY")
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("SEQUENCE", sequence)
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    event.add("SUMMARY", "Overleg")
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
            person = session.scalars(select(Person).where(Person.email == email)).one()
        login(self.browser, person)
        return person

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
