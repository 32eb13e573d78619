"""A school administrator links the school's published calendar by its address (issue 17,
part 1), in real headless Chromium against the real service, with the calendar served by a real
HTTP server on loopback (the service runs with SYNC_ALLOW_PRIVATE_ADDRESSES so it may fetch it).

She previews the address, sees the rules the planner guesses from the titles, corrects one and
sees its effect, links the calendar and finds its test weeks among the school's busy periods.
Then the school moves a test week onto a planned meeting at the source; "Nu ophalen" shows the
change and the hit, and the coordinator's page flags the meeting. Takes the screenshots
calendar-url-preview(-phone).png and calendar-url-status(-phone).png.

This module runs a service of its own (the shared one does not allow loopback addresses).
"""

from __future__ import annotations

import gettext
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    FROZEN_NOW,
    RUNNER,
    LiveServer,
    _wait_until_up,
    free_port,
)
from tests.browser.test_journeys import (
    COORDINATOR,
    SCHOOL,
    SCHOOL_ADMIN,
    WOERDEN,
    flashes,
    log_in,
    open_collaboration,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The school's year calendar as Google Calendar publishes it: a time zone, all-day events, a
# weekly study afternoon repeated with one date left out, a timed parents' evening.
CALENDAR = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Jaarkalender Minnaert College
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
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
DTSTART;VALUE=DATE:20261109
DTEND;VALUE=DATE:20261114
DTSTAMP:20260825T101500Z
UID:minnaert-toetsweek-1@google.com
SUMMARY:Toetsweek 1
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:{toetsweek_2_first}
DTEND;VALUE=DATE:{toetsweek_2_end}
DTSTAMP:20260825T101500Z
UID:minnaert-toetsweek-2@google.com
SUMMARY:Toetsweek 2
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261221
DTEND;VALUE=DATE:20270102
DTSTAMP:20260825T101500Z
UID:minnaert-kerstvakantie@google.com
SUMMARY:Kerstvakantie
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20261202T130000
DTEND;TZID=Europe/Amsterdam:20261202T163000
RRULE:FREQ=WEEKLY;INTERVAL=6;COUNT=4
EXDATE;TZID=Europe/Amsterdam:20270113T130000
DTSTAMP:20260825T101500Z
UID:minnaert-studiemiddag@google.com
SUMMARY:Studiemiddag team
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20270130T100000
DTEND;TZID=Europe/Amsterdam:20270130T140000
DTSTAMP:20260825T101500Z
UID:minnaert-opendag@google.com
SUMMARY:Open dag groep 8
LOCATION:Aula
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20270209T193000
DTEND;TZID=Europe/Amsterdam:20270209T213000
DTSTAMP:20260825T101500Z
UID:minnaert-ouderavond@google.com
SUMMARY:Ouderavond klas 3
TRANSP:OPAQUE
END:VEVENT
END:VCALENDAR
"""


def calendar(toetsweek_2: tuple[str, str]) -> bytes:
    """The calendar with test week 2 on these days (first day, day after the last)."""
    text = CALENDAR.replace("{toetsweek_2_first}", toetsweek_2[0])
    return text.replace("{toetsweek_2_end}", toetsweek_2[1]).replace("\n", "\r\n").encode()


class Published:
    """The school's calendar on a real HTTP server on loopback, with an ETag (304 when same)."""

    def __init__(self) -> None:
        self.body = b""
        self.version = 0
        self.requests: list[str] = []
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                state.requests.append(self.path)
                if self.path != "/jaarkalender.ics":
                    self.send_error(404)
                    return
                etag = f'"v{state.version}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jaarkalender.ics"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def publish(self, body: bytes) -> None:
        self.body = body
        self.version += 1

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def published() -> Iterator[Published]:
    server = Published()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`planner serve` on the demo, as the shared one, but allowed to fetch from loopback."""
    import os

    root = tmp_path_factory.mktemp("live-calendar-url")
    instance = root / "instance"
    instance.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PLANNER_") and key not in {"FLASK_APP", "FLASK_DEBUG"}
    }
    env.update(
        {
            "BROWSER_TEST_INSTANCE": str(instance),
            "PLANNER_DATABASE_URL": f"sqlite:///{root / 'planner.sqlite'}",
            "PLANNER_SECRET_KEY": "browser-tests",
            "PLANNER_FROZEN_NOW": FROZEN_NOW,
            "PLANNER_PUBLIC_URL": url,
            "PLANNER_LOGIN_RATE_LIMIT": "1000 per minute",
            "PLANNER_SYNC_ALLOW_PRIVATE_ADDRESSES": "true",
            "PLANNER_SYNC_TIMEOUT": "5",
        }
    )
    server = LiveServer(url=url, env=env, instance=instance, log=root / "serve.log")
    server.planner("db", "upgrade", "--and", "demo", "--and", "worker", "--once")
    with server.log.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", RUNNER, "serve", "--port", str(port), "--no-worker"],
            env=env,
            cwd=instance,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, process, server.log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def open_school(page: Any, dutch: gettext.GNUTranslations) -> None:
    page.get_by_role("navigation", name=dutch.gettext("Main menu")).get_by_role(
        "link", name=dutch.gettext("Schools")
    ).click()
    page.get_by_role("link", name=SCHOOL, exact=True).click()
    page.get_by_role("heading", level=1, name=re.compile(SCHOOL)).wait_for()


def busy_rows(page: Any, dutch: gettext.GNUTranslations, note: str) -> Any:
    periods = page.get_by_role(
        "table",
        name=dutch.gettext("Busy periods of %(name)s in %(year)s")
        % {"name": SCHOOL, "year": "2026-2027"},
    )
    return periods.get_by_role("row").filter(has_text=note)


def no_sideways_scroll(page: Any) -> None:
    """Nothing on the page runs out of the screen (a wide table scrolls inside its box)."""
    wide = page.evaluate(
        """limit => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > limit + 1
                && !e.closest(".table-scroll"))
            .map(e => e.tagName + "." + e.className + " " + e.getBoundingClientRect().right)""",
        page.viewport_size["width"],
    )
    assert wide == [], wide


def test_a_school_administrator_links_the_schools_calendar_by_its_address(
    chromium: Any,
    page: Any,
    dutch: gettext.GNUTranslations,
    live_server: LiveServer,
    published: Published,
    screenshots: Path,
) -> None:
    woerden = json.loads(live_server.planner("meetings", "list", "--collab", "1", "--json"))
    days = {m["day"] for m in woerden if m["status"] == "confirmed"}
    assert "2027-01-21" in days and not days & {"2027-02-02", "2027-02-04"}, sorted(days)
    # Test week 2 in week 5 of 2027 (no meeting); later the school moves it to week 3.
    published.publish(calendar(("20270201", "20270206")))

    log_in(page, dutch, SCHOOL_ADMIN)
    open_school(page, dutch)
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name=dutch.gettext("Calendar by address"))
    )
    section.get_by_label(dutch.gettext("Calendar address (URL)")).fill(published.url)
    section.get_by_role("button", name=dutch.gettext("Show what the calendar gives")).click()

    # The preview: fetched once, nothing stored, the rules guessed from the titles.
    page.get_by_role(
        "heading", level=1, name=re.compile(dutch.gettext("Check the calendar before linking it"))
    ).wait_for()
    rules = page.get_by_label(dutch.gettext("Rules"))
    guessed = rules.input_value().splitlines()
    assert guessed == [
        "toets = toetsweek, hard",
        "open dag = opendag, hard",
        "studiemiddag = studiedag, hard",
        "vakantie = vakantie, hard",
    ], guessed
    test_weeks = page.get_by_role("table", name=re.compile("Toetsweek"))
    assert test_weeks.get_by_role("row").filter(has_text="Toetsweek 2").count() == 1
    assert test_weeks.get_by_role("row").count() == 3  # a header and two test weeks
    study = page.get_by_role("table", name=re.compile("Studiedag"))
    assert study.get_by_role("row").count() == 4  # three study afternoons (one left out)
    assert "hard" in study.inner_text()
    other = page.get_by_role("table", name=re.compile("Overig"))
    assert "Ouderavond klas 3" in other.inner_text()  # no rule: guessed as other
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "calendar-url-preview.png"), full_page=True)

    # She corrects one rule (study afternoons are soft) and looks at the effect first.
    corrected = [
        line.replace("studiedag, hard", "studiedag, zacht") if "studiemiddag" in line else line
        for line in guessed
    ]
    rules.fill("\n".join(corrected))
    page.get_by_role("button", name=dutch.gettext("Show the effect of these rules")).click()
    page.get_by_role("table", name=re.compile("Studiedag")).wait_for()
    study = page.get_by_role("table", name=re.compile("Studiedag"))
    assert "zacht" in study.inner_text() and "hard" not in study.inner_text(), study.inner_text()
    assert page.get_by_label(dutch.gettext("Rules")).input_value().splitlines() == corrected
    assert page.get_by_text(dutch.gettext("The rules the planner guessed")).is_visible()
    fetches = len(published.requests)

    phone = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, locale="nl-NL", device_scale_factor=2
    )
    try:
        small = phone.new_page()
        log_in(small, dutch, SCHOOL_ADMIN)
        open_school(small, dutch)
        small.get_by_label(dutch.gettext("Calendar address (URL)")).fill(published.url)
        small.get_by_role("button", name=dutch.gettext("Show what the calendar gives")).click()
        small.get_by_role("table", name=re.compile("Toetsweek")).wait_for()
        no_sideways_scroll(small)
        small.screenshot(path=str(screenshots / "calendar-url-preview-phone.png"), full_page=True)
    finally:
        phone.close()
    assert len(published.requests) == fetches + 1  # the phone's preview: one fetch, no more

    # Linked with the corrected rules: the test weeks are busy periods of the school.
    page.get_by_role("button", name=dutch.gettext("Link this calendar with these rules")).click()
    page.wait_for_url(re.compile(r"/schools/\d+.*#calendar-url$"))
    told = flashes(page)
    assert re.search(r"\b8\b", told), told  # eight busy periods added
    for note in ("Toetsweek 1", "Toetsweek 2"):
        row = busy_rows(page, dutch, note)
        assert row.count() == 1, note
        assert dutch.gettext("linked") in row.inner_text()
        assert "hard" in row.inner_text()
    assert "ma 1 feb 2027" in busy_rows(page, dutch, "Toetsweek 2").inner_text()
    study_rows = busy_rows(page, dutch, "Studiemiddag team")
    assert study_rows.count() == 3
    assert all("zacht" in study_rows.nth(i).inner_text() for i in range(3))
    assert "Ouderavond klas 3" in busy_rows(page, dutch, "Ouderavond").inner_text()

    # The school moves test week 2 onto the week of the Woerden meeting of do 21 jan 2027.
    published.publish(calendar(("20270118", "20270123")))
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name=dutch.gettext("Calendar by address"))
    )
    section.get_by_role("button", name=dutch.gettext("Fetch now")).click()
    page.wait_for_url(re.compile(r"#calendar-url$"))
    told = flashes(page)
    assert WOERDEN in told and "do 21 jan 2027" in told, told
    assert "ma 18 jan 2027" in busy_rows(page, dutch, "Toetsweek 2").inner_text()
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name=dutch.gettext("Calendar by address"))
    )
    status = section.inner_text()
    assert published.url in status
    section.get_by_text(dutch.gettext("What the last change did")).click()
    assert "Toetsweek 2" in section.inner_text()
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(screenshots / "calendar-url-status.png"))

    # The worker tells the coordinator; her page flags the meeting on the now-hard day.
    live_server.worker_once()
    context = chromium.new_context(
        base_url=live_server.url, viewport=page.viewport_size, locale="nl-NL"
    )
    try:
        coordinator = context.new_page()
        log_in(coordinator, dutch, COORDINATOR)
        open_collaboration(coordinator, WOERDEN)
        heading = dutch.ngettext(
            "%(num)d meeting falls on a day that is now blocked",
            "%(num)d meetings fall on a day that is now blocked",
            1,
        ) % {"num": 1}
        warning = coordinator.get_by_role("region", name=heading)
        text = warning.inner_text()
        assert "do 21 jan 2027" in text and SCHOOL in text, text
        upcoming = coordinator.get_by_role("table", name=dutch.gettext("Upcoming"))
        hit = upcoming.get_by_role("row").filter(has_text="do 21 jan 2027")
        assert dutch.gettext("day now blocked") in hit.inner_text()
    finally:
        context.close()

    # The status on a phone: the long address wraps inside its card.
    phone = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, locale="nl-NL", device_scale_factor=2
    )
    try:
        small = phone.new_page()
        log_in(small, dutch, SCHOOL_ADMIN)
        open_school(small, dutch)
        section = small.locator("section").filter(
            has=small.get_by_role("heading", name=dutch.gettext("Calendar by address"))
        )
        no_sideways_scroll(small)
        section.screenshot(path=str(screenshots / "calendar-url-status-phone.png"))
    finally:
        phone.close()
