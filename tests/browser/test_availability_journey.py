"""A partner gives her own availability (issue 17, part 2), in real headless Chromium against
the real service, with her calendar (a Google Calendar "secret address in iCal format") served
by a real HTTP server on loopback.

From the answer page of an invitation she opens "Geef uw beschikbaarheid door", gives the
address, sees how many busy times are stored and what is not (no titles, descriptions or
attendees), and removes it again. Takes the screenshots availability(-phone).png.

Uses the service of tests/browser/test_calendar_url_journey.py (allowed to fetch loopback).
"""

from __future__ import annotations

import gettext
import json
import re
import threading
from collections.abc import Iterator
from email import message_from_string, policy
from email.utils import parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, new_context
from tests.browser.test_calendar_url_journey import (
    live_server as loopback_live_server,  # noqa: F401  (a fixture)
)
from tests.browser.test_calendar_url_journey import no_sideways_scroll

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Her own calendar: weekly piano lessons with one left out, a dentist, a birthday (free).
CALENDAR = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:esra.yilmaz@gmail.com
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20261201T150000
DTEND;TZID=Europe/Amsterdam:20261201T163000
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU
EXDATE;TZID=Europe/Amsterdam:20261208T150000
DTSTAMP:20261101T120000Z
UID:pianoles@google.com
SUMMARY:Pianoles
DESCRIPTION:Bij meneer Jansen
END:VEVENT
BEGIN:VEVENT
DTSTART:20261210T130000Z
DTEND:20261210T140000Z
DTSTAMP:20261101T120000Z
UID:tandarts@google.com
SUMMARY:Tandarts
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261212
DTEND;VALUE=DATE:20261213
RRULE:FREQ=YEARLY
DTSTAMP:20261101T120000Z
UID:verjaardag@google.com
SUMMARY:Verjaardag Oma
TRANSP:TRANSPARENT
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


class Calendar:
    """Her calendar at a secret address on loopback."""

    path = "/calendar/ical/esra.yilmaz%40gmail.com/private-5d1c9a/basic.ics"

    def __init__(self) -> None:
        self.requests: list[str] = []
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                state.requests.append(self.path)
                if self.path != Calendar.path:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(CALENDAR)))
                self.end_headers()
                self.wfile.write(CALENDAR)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{Calendar.path}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def own_calendar() -> Iterator[Calendar]:
    server = Calendar()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def live_server(request: pytest.FixtureRequest) -> LiveServer:
    found: LiveServer = request.getfixturevalue("loopback_live_server")
    return found


def answer_link(server: LiveServer) -> tuple[str, str]:
    """An answer link from an invitation mail, and the address it was sent to."""
    for mail in server.mails():
        message = message_from_string(mail.read_text("utf-8"), policy=policy.default)
        links = re.findall(r"https?://\S+?/rsvp/[\w-]+", mail.read_text("utf-8"))
        if links:
            return links[0].replace(server.url, ""), parseaddr(str(message["To"]))[1]
    raise AssertionError("the demo's invitations carry answer links")


def test_a_partner_gives_her_own_availability_from_the_answer_page_and_removes_it(
    chromium: Any,
    dutch: gettext.GNUTranslations,
    live_server: LiveServer,
    own_calendar: Calendar,
    screenshots: Path,
) -> None:
    _ = dutch.gettext
    context = new_context(chromium, live_server)
    try:
        page = context.new_page()
        link, email = answer_link(live_server)
        page.goto(link)
        page.get_by_role("heading", name=_("Your own availability")).wait_for()
        page.get_by_role("button", name=_("Give your availability")).click()
        page.get_by_role("heading", level=1, name=_("My availability")).wait_for()
        assert re.search(r"/availability/[\w-]+$", page.url), page.url
        privacy = page.locator(".availability-privacy")
        assert _("No titles, no descriptions, no places and no attendees are stored.") in (
            privacy.inner_text()
        )
        page.get_by_label(_("Address of your calendar (iCal, .ics or free/busy)")).fill(
            own_calendar.url
        )
        page.get_by_role("button", name=_("Add and fetch")).click()
        page.get_by_role("status").wait_for()
        assert own_calendar.requests == [Calendar.path]
        card = page.locator(".availability-calendar")
        # 1, 15 and 22 Dec piano (8 Dec left out), the dentist; the birthday is free time.
        count = card.locator(".availability-count").inner_text()
        assert count.startswith("4 "), count
        assert "127.0.0.1" in card.inner_text()
        html = page.content()
        assert "private-5d1c9a" not in html and "Pianoles" not in html
        page.screenshot(path=str(screenshots / "availability.png"), full_page=True)
        page.set_viewport_size(PHONE)
        no_sideways_scroll(page)
        page.screenshot(path=str(screenshots / "availability-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        listed = json.loads(live_server.planner("people", "calendars", "--person", email, "--json"))
        assert [item["busy_intervals"] for item in listed] == [4]

        # The page through the same link again: still there, nothing fetched by looking.
        page.reload()
        assert card.locator(".availability-count").inner_text() == count
        assert len(own_calendar.requests) == 1

        card.get_by_role("button", name=_("Remove this address and its busy times")).click()
        status = page.get_by_role("status")
        status.wait_for()
        assert "127.0.0.1" in status.inner_text()
        assert page.locator(".availability-calendar").count() == 0
        assert _("You have not given a calendar address yet.") in page.inner_text("main")
        stored = live_server.planner("people", "calendars", "--person", email, "--json")
        assert json.loads(stored) == []
    finally:
        context.close()
