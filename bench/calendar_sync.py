"""Syncing school calendars linked by address (issue 17, part 1).

    .venv/bin/python bench/calendar_sync.py [DATABASE_URL] [CALENDARS] [EVENTS]

Defaults: a fresh SQLite file, 500 calendars of 300 events each. Each calendar is served by a
real HTTP server on loopback (ThreadingHTTPServer, ETag and If-None-Match), and the rounds are
the worker's own (planner.messaging.jobs.sync_calendars, SYNC_CONCURRENCY fetches at a time):

1. first: every calendar new (all 200): every event becomes a busy period;
2. unchanged: every calendar answers 304: the round's wall time and its database statements;
3. changed: every calendar answers 200 with 10% of its events moved a week: time per calendar.

A PostgreSQL URL is dropped and rebuilt (schema public) first: use a scratch database.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from planner import create_app
from planner.database import make_engine
from planner.messaging.jobs import sync_calendars
from planner.migrate import upgrade_database
from planner.models import BusyPeriod
from planner.services import calendar_sync
from planner.services import organisations as orgs

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
SUMMARIES = ["Toetsweek", "Studiedag", "Open dag", "Rapportvergadering", "Ouderavond", "Excursie"]


def calendar(school: int, version: int, events: int) -> bytes:
    """A Google-shaped export: all-day and timed events over the school year 2026-2027."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:School {school}",
    ]
    first = date(2026, 8, 24)
    for number in range(events):
        day = first + timedelta(days=(number * 7 + school) % 330)
        if version and number % 10 == 0:
            day += timedelta(days=7)  # the change: 10% of the events move a week
        summary = f"{SUMMARIES[number % len(SUMMARIES)]} {number}"
        lines += ["BEGIN:VEVENT", f"UID:s{school}-e{number}@google.com", "DTSTAMP:20260825T101500Z"]
        if number % 3:
            end = day + timedelta(days=1 + number % 5)
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
        else:
            lines += [f"DTSTART:{day:%Y%m%d}T130000Z", f"DTEND:{day:%Y%m%d}T150000Z"]
        lines += [f"SUMMARY:{summary}", "STATUS:CONFIRMED", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class Feeds:
    """The calendars by path, each with its ETag."""

    def __init__(self, count: int, events: int) -> None:
        self.events = events
        self.bodies = {i: calendar(i, 0, events) for i in range(count)}
        self.versions = dict.fromkeys(range(count), 0)

    def bump(self) -> None:
        for school in self.bodies:
            self.versions[school] += 1
            self.bodies[school] = calendar(school, self.versions[school], self.events)


def serve(feeds: Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            school = int(self.path.strip("/").removesuffix(".ics"))
            etag = f'"{school}-{feeds.versions[school]}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = feeds.bodies[school]
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024  # the default 5 makes concurrent connects wait a second
        daemon_threads = True

    httpd = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    events = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    url = url or f"sqlite:///{folder / 'bench.sqlite'}"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SYNC_ALLOW_PRIVATE_ADDRESSES": True,
            "FROZEN_NOW": NOW.isoformat(),
        }
    )
    app.instance_path = str(folder / "instance")
    db = app.extensions["planner.db"]
    statements = [0]
    event.listen(
        db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1)
    )
    feeds = Feeds(count, events)
    httpd = serve(feeds)
    port = httpd.server_address[1]
    with db.session() as session:
        for school in range(count):
            org = orgs.create_organisation(
                session, {"name": f"School {school}", "region": "midden"}, NOW
            )
            calendar_sync.add_source(
                session, org, {"url": f"http://127.0.0.1:{port}/{school}.ics"}, NOW
            )
        session.commit()
    print(
        f"{engine.dialect.name}: {count} calendars of {events} events, "
        f"{len(feeds.bodies[0]) / 1024:.0f} KiB each, SYNC_CONCURRENCY "
        f"{app.config['SYNC_CONCURRENCY']}"
    )

    def run(label: str, now: datetime) -> Any:
        statements[0] = 0
        started = time.perf_counter()
        with app.app_context():
            done = sync_calendars(db.session, app.config, now)
        wall = time.perf_counter() - started
        print(
            f"{label}: {wall:.2f} s wall, {wall / max(done.fetched, 1) * 1000:.1f} ms per calendar,"
            f" {statements[0]} statements; fetched {done.fetched}, not modified"
            f" {done.not_modified}, changed {done.changed}, failed {done.failed}"
        )
        return done

    first = run("first round (all 200, all new)", NOW)
    assert first.changed == count, first
    with db.session() as session:
        periods = session.scalar(select(func.count()).select_from(BusyPeriod))
    print(f"  busy periods stored: {periods}")
    later = NOW + timedelta(hours=6, minutes=1)
    walls = []
    for round_number in range(3):
        statements[0] = 0
        started = time.perf_counter()
        with app.app_context():
            done = sync_calendars(db.session, app.config, later + timedelta(hours=6 * round_number))
        walls.append(time.perf_counter() - started)
        assert done.not_modified == count, done
        print(
            f"unchanged round {round_number + 1} (all 304): {walls[-1]:.2f} s wall,"
            f" {statements[0]} database statements"
        )
    print(f"  median of the unchanged rounds: {statistics.median(walls):.2f} s")
    feeds.bump()
    changed = run("changed round (all 200, 10% of events moved)", later + timedelta(hours=18))
    assert changed.changed == count, changed
    outcome = changed.outcomes[0]
    print(
        f"  per calendar: {outcome.added} added, {outcome.changed} changed,"
        f" {outcome.removed} removed"
    )
    httpd.shutdown()
    db.engine.dispose()


if __name__ == "__main__":
    main()
