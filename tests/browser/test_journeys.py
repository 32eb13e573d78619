"""The main journeys in real headless Chromium: log in, plan a school year and confirm it, see
the year picture, subscribe to a feed, a school's test week that hits a meeting and the warning
the coordinator then sees; without JavaScript and by keyboard too. Also takes the README's
screenshots (docs/screenshots/).

The journeys share one running service with the demo loaded and run in file order: the
dashboard is photographed before anything is planned, and each journey works on its own
collaboration (Woerden: year picture, feeds, the test week; Eindhoven: the plan wizard;
Noord-Holland–Brabant: the plan wizard without JavaScript).
"""

from __future__ import annotations

import email
import email.policy
import gettext
import re
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from planner.text.formatting import format_day
from tests.browser.conftest import DEMO_PASSWORD, LiveServer

pytestmark = pytest.mark.browser

ADMIN = "beheer@planner.example"
COORDINATOR = "a.devries@minnaert.example"  # Woerden
SCHOOL_ADMIN = "roosters@minnaert.example"  # Minnaert College, a member of Woerden
EINDHOVEN_COORDINATOR = "f.elamrani@vakcollege-eindhoven.example"
NOORD_COORDINATOR = "m.kok@kennemerkind.example"
WOERDEN = "Startersbegeleiding Woerden"
EINDHOVEN = "Doorlopende leerlijn techniek Eindhoven"
NOORD = "Onderwijs-zorgarrangement Noord-Holland–Brabant"
SCHOOL = "Minnaert College"
# A day as Dutch readers see it: "di 3 feb 2026".
DUTCH_DAY = re.compile(
    r"\b(ma|di|wo|do|vr|za|zo) \d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) 20\d\d\b"
)


def log_in(page: Any, dutch: gettext.GNUTranslations, email_address: str) -> None:
    """Log in through the form, as a person would; end on the dashboard."""
    page.goto("/login")
    page.get_by_label(dutch.gettext("E-mail address")).fill(email_address)
    page.get_by_label(dutch.gettext("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=dutch.gettext("Log in")).click()
    page.wait_for_url(re.compile(r"/dashboard$"))


def open_collaboration(page: Any, name: str) -> None:
    """From the dashboard to the collaboration's page."""
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", level=1, name=name).wait_for()


def flashes(page: Any) -> str:
    return str(page.get_by_role("status").first.inner_text())


def read_mail(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_text(message: EmailMessage) -> str:
    """The iCalendar parts of a mail, one after the other ("" if it has none)."""
    parts = [
        part.get_content()
        for part in message.walk()
        if part.get_content_type() in {"text/calendar", "application/ics"}
    ]
    return "\n".join(part.decode() if isinstance(part, bytes) else str(part) for part in parts)


def new_mails(server: LiveServer, before: set[Path]) -> list[EmailMessage]:
    return [read_mail(path) for path in server.mails() if path not in before]


def days_in_plan(page: Any) -> list[date]:
    """The new meetings' days the wizard's form would confirm."""
    values = page.locator("input[name=day]").evaluate_all("inputs => inputs.map(i => i.value)")
    return [date.fromisoformat(value) for value in values]


def plan_school_year(
    page: Any, dutch: gettext.GNUTranslations, name: str, *, pick_alternative: bool
) -> list[date]:
    """Walk the plan wizard for the school year 2026-2027 and confirm; return the new days."""
    open_collaboration(page, name)
    page.get_by_role("link", name=dutch.gettext("Plan meetings")).first.click()
    page.get_by_role("heading", level=1, name=dutch.gettext("Plan meetings")).wait_for()

    # Step 1: the school year.
    page.get_by_label(dutch.gettext("A whole school year")).check()
    page.get_by_label(dutch.gettext("School year"), exact=True).select_option("2026-2027")
    page.get_by_role("button", name=dutch.gettext("Show the proposal")).click()
    page.get_by_role("heading", name=dutch.gettext("2. The proposal")).wait_for()

    # Step 2 at a glance: one line per meeting in the overview, then the proposal's own year
    # picture with the new meetings numbered as in the table.
    overview = page.get_by_role("table", name=dutch.gettext("The meetings at a glance"))
    new_rows = overview.locator("tbody tr.new")
    proposed = days_in_plan(page)
    assert new_rows.count() == len(proposed) >= 3, page.locator("main").inner_text()
    for index in range(new_rows.count()):
        cells = new_rows.nth(index)
        assert cells.get_attribute("data-day") == proposed[index].isoformat()
        assert format_day(proposed[index], "nl") in cells.get_by_role("rowheader").inner_text()
    picture = page.locator("details.year-picture svg")
    assert picture.locator("g.meeting[data-status=new]").count() == len(proposed)

    # The details are folded under it: each opens to say why this date.
    items = page.locator("details.plan-item").filter(
        has=page.locator("input[type=hidden][name=day]")
    )
    assert items.count() == len(proposed)
    for index in range(items.count()):
        item = items.nth(index)
        summary = item.locator("summary")
        assert DUTCH_DAY.search(summary.inner_text()), summary.inner_text()
        assert re.search(r"\b\d{1,2}:\d\d", summary.inner_text())  # the time
        assert not item.locator("ul.why").is_visible()
        summary.click()
        assert item.get_by_text(dutch.gettext("Why this date")).is_visible()
        assert item.locator("ul.why li").count() >= 1

    if pick_alternative:
        # Adjust: take the first proposed alternative of a meeting that has one (the details
        # are open already, as a coordinator would have them after reading why).
        for index in range(items.count()):
            group = items.nth(index).get_by_role(
                "group", name=dutch.gettext("Date for this meeting")
            )
            radios = group.get_by_role("radio")
            if radios.count() > 1:
                replaced = date.fromisoformat(radios.first.get_attribute("value"))
                radios.nth(1).check()
                picked = date.fromisoformat(radios.nth(1).get_attribute("value"))
                break
        else:
            pytest.fail("no meeting of the proposal offers an alternative date")
        page.get_by_role(
            "button", name=dutch.gettext("Show the plan with the dates I picked")
        ).click()
        page.wait_for_url(re.compile(r"[?&]day=" + picked.isoformat()))
        page.get_by_role("heading", name=dutch.gettext("2. The proposal")).wait_for()
        proposed = days_in_plan(page)
        assert picked in proposed and replaced not in proposed, (picked, replaced, proposed)
        row = page.locator(f"table.plan-overview tr[data-day='{picked.isoformat()}']")
        assert format_day(picked, "nl") in row.get_by_role("rowheader").inner_text()

    # Step 3: confirm; the meetings are stored and the invitations queued.
    count = len(proposed)
    confirm = dutch.ngettext(
        "Plan %(num)d meeting and send the invitations",
        "Plan %(num)d meetings and send the invitations",
        count,
    ) % {"num": count}
    page.get_by_role("button", name=confirm).click()
    # Back on the collaboration page, at the year picture of the school year just planned.
    page.wait_for_url(re.compile(r"/collaborations/\d+\?year=2026-2027#year-title$"))
    done = dutch.ngettext(
        "%(num)d meeting planned. The invitations are being sent.",
        "%(num)d meetings planned. The invitations are being sent.",
        count,
    ) % {"num": count}
    assert done in flashes(page)
    upcoming = page.get_by_role("table", name=dutch.gettext("Upcoming")).inner_text()
    for day in proposed:
        assert format_day(day, "nl") in upcoming
    return proposed


# --- 1. logging in ------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_in_dutch_and_the_right_one_opens_the_dashboard(
    page: Any, dutch: gettext.GNUTranslations
) -> None:
    page.goto("/")
    assert page.url.endswith("/login")
    assert page.locator("html").get_attribute("lang") == "nl"

    page.get_by_label(dutch.gettext("E-mail address")).fill(COORDINATOR)
    page.get_by_label(dutch.gettext("Password")).fill("not-the-password")
    page.get_by_role("button", name=dutch.gettext("Log in")).click()

    refused = "The e-mail address or the password is not right."
    assert dutch.gettext(refused) != refused, "the refusal has no Dutch translation"
    assert dutch.gettext(refused) in page.get_by_role("alert").inner_text()
    assert page.url.endswith("/login")

    page.get_by_label(dutch.gettext("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=dutch.gettext("Log in")).click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert page.get_by_role("button", name=dutch.gettext("Log out")).is_visible()
    assert page.get_by_role("link", name=WOERDEN, exact=True).is_visible()
    # A coordinator sees only their own collaborations.
    assert page.get_by_role("link", name=EINDHOVEN, exact=True).count() == 0


def test_the_login_form_works_by_keyboard_alone(page: Any, dutch: gettext.GNUTranslations) -> None:
    page.goto("/login")
    email_field = page.get_by_label(dutch.gettext("E-mail address"))
    for _ in range(12):
        if email_field.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reaches the e-mail field")
    page.keyboard.type(COORDINATOR)
    page.keyboard.press("Tab")
    password = page.get_by_label(dutch.gettext("Password"))
    assert password.evaluate("element => element === document.activeElement")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert page.get_by_role("link", name=WOERDEN, exact=True).is_visible()


# --- 2. the dashboard (photographed before any journey changes the demo) ------------------------


def test_the_dashboard_shows_each_collaborations_health(
    page: Any, dutch: gettext.GNUTranslations, screenshots: Path
) -> None:
    log_in(page, dutch, ADMIN)  # the platform administrator sees every collaboration
    table = page.get_by_role("table", name=dutch.gettext("Health of your collaborations"))
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    by_name = {rows.nth(i).get_by_role("rowheader").inner_text(): rows.nth(i) for i in range(3)}
    woerden = next(row for name, row in by_name.items() if name.startswith(WOERDEN))
    noord = next(row for name, row in by_name.items() if name.startswith(NOORD))
    eindhoven = next(row for name, row in by_name.items() if name.startswith(EINDHOVEN))
    # Each status is a colour and always a word.
    statuses = {row.locator(".status").inner_text().strip() for row in by_name.values()}
    assert len(statuses) == 3, statuses
    assert "di 24 nov 2026" in woerden.inner_text()
    assert dutch.gettext("No next meeting is planned.") in eindhoven.inner_text()
    # Drifting: the proposed fill-in date with its one-click button.
    for row, name in ((noord, NOORD), (eindhoven, EINDHOVEN)):
        assert DUTCH_DAY.search(row.get_by_role("cell").nth(3).inner_text())
        assert row.get_by_role("button", name=re.compile(re.escape(name))).is_visible()
    assert woerden.get_by_role("button").count() == 0

    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def page_width(page: Any) -> int:
    """How wide the page's content is: wider than the window means sideways scrolling."""
    return int(page.evaluate("() => document.scrollingElement.scrollWidth"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_dashboard_and_the_plan_overview_fit_the_screen(
    page: Any, dutch: gettext.GNUTranslations, screenshots: Path, viewport: dict[str, int]
) -> None:
    """A coordinator reads the dashboard and the plan's overview on a phone as on a desktop:
    nothing scrolls sideways, every row keeps its status word and its fill-in button."""
    phone = viewport is PHONE
    page.set_viewport_size(viewport)
    log_in(page, dutch, ADMIN)
    assert page_width(page) <= viewport["width"]
    rows = page.locator("table.dashboard tbody tr")
    assert rows.count() == 3
    # Most urgent first: the order of the status words follows the urgency of the health.
    healths = [rows.nth(i).get_attribute("data-health") for i in range(3)]
    assert healths[-1] == "on_track", healths
    for index in range(3):
        row = rows.nth(index)
        assert row.locator(".status").is_visible()
        box = row.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    noord = page.locator("table.dashboard tr[data-collaboration='3']")
    button = noord.get_by_role("button", name=re.compile(re.escape(NOORD)))
    assert button.is_visible()
    if phone:
        # Stacked cards: each value carries its column's name, as the table head is hidden
        # from sight (screen readers still read it).
        head = page.locator("table.dashboard thead").bounding_box()
        assert head is not None and head["height"] <= 1, head
        label = (
            noord.locator("td")
            .nth(0)
            .evaluate("cell => getComputedStyle(cell, '::before').content")
        )
        assert dutch.gettext("Status") in label, label
    suffix = "-phone" if phone else ""
    page.screenshot(path=str(screenshots / f"dashboard{suffix}.png"), full_page=True)

    # The plan of Eindhoven's school year: the overview first, the year picture under it.
    page.goto("/collaborations/2/plan?scope=year&school_year=2026-2027")
    overview = page.get_by_role("table", name=dutch.gettext("The meetings at a glance"))
    overview.wait_for()
    assert page_width(page) <= viewport["width"]
    first = overview.locator("tbody tr").first
    assert DUTCH_DAY.search(first.get_by_role("rowheader").inner_text())
    # The overview comes before the picture and the folded details.
    top = overview.bounding_box()
    picture = page.locator("details.year-picture").bounding_box()
    details = page.locator("details.plan-item").first.bounding_box()
    assert top is not None and picture is not None and details is not None
    assert top["y"] < picture["y"] < details["y"]
    # The whole overview is in view without scrolling inside it; on a phone it keeps the
    # date, the gap and the notes (the time and the place are in the details).
    scroller = page.locator(".table-scroll").first
    assert scroller.evaluate("box => box.scrollWidth <= box.clientWidth")
    headers = overview.locator("thead th").filter(visible=True).all_inner_texts()
    assert dutch.gettext("Gap before") in headers and dutch.gettext("Notes") in headers
    assert (dutch.gettext("Location") in headers) is not phone, headers
    page.screenshot(path=str(screenshots / f"plan-overview{suffix}.png"), full_page=True)


# Every page of the journeys, as each kind of user reaches it.
PHONE_PAGES = {
    ADMIN: [
        "/dashboard",
        "/collaborations/1",
        "/collaborations/2/plan?scope=year&school_year=2026-2027",
        "/collaborations/new",
        "/collaborations/1/edit",
        "/meetings/5",
        "/meetings/5/cancel",
        "/subscriptions",
        "/schools",
        "/admin",
        "/admin/organisations",
        "/admin/accounts",
        "/admin/holidays",
        "/admin/queue",
        "/admin/settings",
    ],
    SCHOOL_ADMIN: ["/schools/1", "/schools/1/busy-periods/1/edit"],
}


def test_no_page_scrolls_sideways_on_a_phone(
    chromium: Any, live_server: LiveServer, dutch: gettext.GNUTranslations, screenshots: Path
) -> None:
    """At 390 px nothing is wider than the screen: not the pages, not the partner's answer
    page from an invitation mail, not the forms."""
    from tests.browser.conftest import new_context

    wide: dict[str, int] = {}
    for person, urls in PHONE_PAGES.items():
        context = new_context(chromium, live_server)
        try:
            page = context.new_page()
            page.set_viewport_size(PHONE)
            log_in(page, dutch, person)
            for url in urls:
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                if page_width(page) > PHONE["width"]:
                    wide[url] = page_width(page)
            page.goto("/schools/1")
            page.screenshot(path=str(screenshots / "school-phone.png"), full_page=True)
        finally:
            context.close()
    # The partner's answer page, opened from a link in a mail.
    links = [
        link
        for mail in live_server.mails()
        for link in re.findall(r"https?://\S+?/rsvp/[\w-]+", mail.read_text("utf-8"))
    ]
    assert links, "the demo's invitations carry answer links"
    context = new_context(chromium, live_server)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(links[0].replace(live_server.url, "") + "?all=accepted")
        if page_width(page) > PHONE["width"]:
            wide["/rsvp/…"] = page_width(page)
        page.screenshot(path=str(screenshots / "answer-page-phone.png"), full_page=True)
    finally:
        context.close()
    assert wide == {}, wide


def test_a_mail_reads_well_on_a_phone(
    chromium: Any, live_server: LiveServer, screenshots: Path
) -> None:
    """The HTML of an overview mail at 390 px: one column, no sideways scrolling, and every
    answer button at least 44 px high (a finger's width)."""
    overviews = [
        read_mail(path)
        for path in live_server.mails()
        if re.search(r"^Subject: Uitnodiging: \d+ overleggen", path.read_text("utf-8"), re.M)
    ]
    assert overviews, "the demo sends overview mails"
    html = overviews[0].get_body(preferencelist=("html",))
    assert html is not None
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.set_content(str(html.get_content()))
        assert page_width(page) <= PHONE["width"]
        buttons = page.locator("a[href*='/rsvp/']")
        assert buttons.count() >= 6
        heights = buttons.evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
        assert min(heights) >= 44, heights
        page.screenshot(path=str(screenshots / "mail-phone.png"), full_page=True)
        # The organizer's own copy of a meeting reads as well, its one link a finger wide.
        copies = [
            message
            for message in map(read_mail, live_server.mails())
            if " In uw agenda: " in str(message["Subject"])
        ]
        assert copies, "the demo's organizers get their own copies"
        copy = copies[0].get_body(preferencelist=("html",))
        assert copy is not None
        page.set_content(str(copy.get_content()))
        assert page_width(page) <= PHONE["width"]
        link = page.locator("a[href*='/meetings/']")
        assert link.count() == 1 and link.bounding_box()["height"] >= 44
        page.screenshot(path=str(screenshots / "mail-organizer-copy-phone.png"), full_page=True)
    finally:
        context.close()


# --- 3. the plan wizard, and the invitations it sends ------------------------------------------


def test_a_coordinator_plans_a_school_year_and_the_worker_sends_the_invitations(
    page: Any, dutch: gettext.GNUTranslations, live_server: LiveServer
) -> None:
    before = set(live_server.mails())
    log_in(page, dutch, EINDHOVEN_COORDINATOR)
    planned = plan_school_year(page, dutch, EINDHOVEN, pick_alternative=True)

    assert not new_mails(live_server, before), "invitations go out by the worker, not the page"
    live_server.worker_once()
    invitations = [
        message
        for message in new_mails(live_server, before)
        if "METHOD:REQUEST" in calendar_text(message) and EINDHOVEN in str(message["Subject"])
    ]
    invited = {str(message["To"]) for message in invitations}
    assert any("j.bakker@kempenvakschool.example" in to for to in invited), invited
    assert any("s.visser@jeugdhulpdebrug.example" in to for to in invited), invited
    starts = {
        day
        for message in invitations
        for day in re.findall(r"^DTSTART[^:\r\n]*:(\d{8})", calendar_text(message), re.M)
    }
    for day in planned:
        assert day.strftime("%Y%m%d") in starts, (day, sorted(starts))


# --- 4. the year picture -----------------------------------------------------------------------


def test_the_year_picture_shows_the_schools_and_the_meetings(
    sharp_page: Any, dutch: gettext.GNUTranslations, screenshots: Path
) -> None:
    page = sharp_page
    log_in(page, dutch, COORDINATOR)
    open_collaboration(page, WOERDEN)
    title = dutch.gettext("Year picture of %(name)s, school year %(year)s") % {
        "name": WOERDEN,
        "year": "2026-2027",
    }
    picture = page.get_by_role("img", name=title)
    picture.wait_for()
    assert picture.evaluate("element => element.tagName") == "svg"
    rows = picture.locator("g.row")
    assert rows.count() == 2  # one row per member school
    assert {rows.nth(i).locator("title").first.text_content() for i in range(2)} == {
        "Minnaert College",
        "Groenendaal Lyceum",
    }
    kinds = set(
        picture.locator("rect.mark").evaluate_all("marks => marks.map(m => m.dataset.kind)")
    )
    assert {"school_holiday", "test_week", "study_day"} <= kinds, kinds
    meetings = picture.locator("g.meeting")
    assert meetings.count() == 11  # the demo's Woerden meetings of 2026-2027
    titles = meetings.locator("title").all_text_contents()
    assert "di 1 sep 2026" in titles[0] and "di 24 nov 2026" in titles[3], titles
    assert picture.locator("g.legend").is_visible()

    picture.scroll_into_view_if_needed()
    page.locator("figure.picture").screenshot(path=str(screenshots / "year-picture.png"))

    # Readable when printed: the picture stays, the buttons and menus go.
    page.emulate_media(media="print")
    assert picture.is_visible()
    assert not page.get_by_role("navigation", name=dutch.gettext("Main menu")).is_visible()
    page.emulate_media(media="screen")


# --- 5. the feeds page -------------------------------------------------------------------------


def test_the_feeds_page_gives_a_webcal_link_after_create_a_link(
    page: Any, dutch: gettext.GNUTranslations
) -> None:
    log_in(page, dutch, COORDINATOR)
    page.get_by_role("navigation", name=dutch.gettext("Main menu")).get_by_role(
        "link", name=dutch.gettext("Calendar feeds")
    ).click()
    page.get_by_role("heading", level=1, name=dutch.gettext("Calendar feeds")).wait_for()
    card = page.get_by_role("region", name=WOERDEN, exact=True)
    card.get_by_label(dutch.gettext("Note (optional)")).fill("Outlook op school")
    card.get_by_role("button", name=dutch.gettext("Create a link")).click()

    title = dutch.gettext("Your new link: %(title)s") % {"title": WOERDEN}
    new_link = page.get_by_role("region", name=title)
    webcal = new_link.get_by_label(dutch.gettext("The same address for calendar apps (webcal)"))
    address = webcal.input_value()
    assert address.startswith("webcal://127.0.0.1:")
    assert "/feeds/" in address
    subscribe = new_link.get_by_role("link", name=dutch.gettext("Open in my calendar app"))
    assert subscribe.get_attribute("href") == address
    https = new_link.get_by_label(dutch.gettext("Address of the calendar")).input_value()
    assert https == "http" + address.removeprefix("webcal")  # the test server speaks plain http
    google = new_link.get_by_role("link", name=dutch.gettext("Add to Google Calendar"))
    assert google.get_attribute("href").startswith("https://calendar.google.com/")

    calendar = page.request.get(https)
    assert calendar.ok
    assert "BEGIN:VCALENDAR" in calendar.text()
    assert f"X-WR-CALNAME:{WOERDEN}" in calendar.text()

    # The secret is shown once; the card then lists the link by its note.
    page.reload()
    assert page.get_by_role("region", name=title).count() == 0
    assert "Outlook op school" in page.get_by_role("region", name=WOERDEN, exact=True).inner_text()


# --- 6. a school's test week hits a meeting; the coordinator sees the warning ------------------


def test_a_test_week_that_hits_a_meeting_warns_the_coordinator(
    chromium: Any, page: Any, dutch: gettext.GNUTranslations, live_server: LiveServer
) -> None:
    log_in(page, dutch, SCHOOL_ADMIN)
    page.get_by_role("navigation", name=dutch.gettext("Main menu")).get_by_role(
        "link", name=dutch.gettext("Schools")
    ).click()
    page.get_by_role("link", name=SCHOOL, exact=True).click()
    page.get_by_role("heading", level=1, name=re.compile(SCHOOL)).wait_for()

    # Week 51 of 2026: the Woerden meeting of do 17 dec 2026 falls in it.
    form = page.locator("form").filter(has=page.get_by_label(dutch.gettext("Week numbers")))
    form.get_by_label(dutch.gettext("Kind")).select_option("test_week")
    form.get_by_label(dutch.gettext("Week numbers")).fill("51")
    form.get_by_label(dutch.gettext("School year")).select_option("2026-2027")
    form.get_by_label(dutch.gettext("Note")).fill("Extra toetsweek")
    form.get_by_role("button", name=dutch.gettext("Add"), exact=True).click()

    told = flashes(page)
    assert "14" in told and "18 dec 2026" in told, told  # the week as days
    assert WOERDEN in told and "do 17 dec 2026" in told, told  # the meeting it hits
    periods = page.get_by_role(
        "table",
        name=dutch.gettext("Busy periods of %(name)s in %(year)s")
        % {"name": SCHOOL, "year": "2026-2027"},
    )
    row = periods.get_by_role("row").filter(has_text="Extra toetsweek")
    assert row.get_by_role("cell").nth(1).inner_text().strip() == "51"

    before = set(live_server.mails())
    live_server.worker_once()
    notices = [m for m in new_mails(live_server, before) if COORDINATOR in str(m["To"])]
    assert any(WOERDEN in str(m["Subject"]) for m in notices), [m["Subject"] for m in notices]

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
        assert "do 17 dec 2026" in text and SCHOOL in text, text
        proposal = dutch.gettext("Proposed new date: %(day)s") % {"day": ""}
        assert proposal.strip() in text, text
        assert DUTCH_DAY.search(text.split(proposal.strip())[1]), text
        upcoming = coordinator.get_by_role("table", name=dutch.gettext("Upcoming"))
        hit = upcoming.get_by_role("row").filter(has_text="do 17 dec 2026")
        assert dutch.gettext("day now blocked") in hit.inner_text()
    finally:
        context.close()


# --- 7. without JavaScript ---------------------------------------------------------------------


def test_everything_works_without_javascript(
    page_without_js: Any, dutch: gettext.GNUTranslations
) -> None:
    page = page_without_js
    log_in(page, dutch, NOORD_COORDINATOR)
    plan_school_year(page, dutch, NOORD, pick_alternative=False)

    page.goto("/subscriptions")
    card = page.get_by_role("region", name=NOORD, exact=True)
    card.get_by_role("button", name=dutch.gettext("Create a link")).click()
    title = dutch.gettext("Your new link: %(title)s") % {"title": NOORD}
    webcal = page.get_by_role("region", name=title).get_by_label(
        dutch.gettext("The same address for calendar apps (webcal)")
    )
    assert webcal.input_value().startswith("webcal://")

    page.get_by_role("button", name=dutch.gettext("Log out")).click()
    page.wait_for_url(re.compile(r"/login"))
    assert dutch.gettext("You are logged out.") in flashes(page)


# --- 8. a school's notes are the school's -------------------------------------------------------

GROENENDAAL_ADMIN = "roosters@groenendaal.example"


def test_a_school_administrator_answers_whether_a_collaboration_may_read_its_notes(
    chromium: Any, live_server: LiveServer, dutch: gettext.GNUTranslations, screenshots: Path
) -> None:
    """A coordinator added Groenendaal to a new collaboration; its administrator finds the
    question on the school page, reads it on a phone and agrees with one tap."""
    from tests.browser.conftest import new_context

    live_server.planner(
        "collaborations", "add", "--name", "Samen lezen", "--member", "91XA", "--member",
        "91XB", "--coordinator", "a.devries@minnaert.example",
    )  # fmt: skip
    for viewport, suffix in (({"width": 1280, "height": 900}, ""), (PHONE, "-phone")):
        context = new_context(chromium, live_server)
        try:
            page = context.new_page()
            page.set_viewport_size(viewport)
            log_in(page, dutch, GROENENDAAL_ADMIN)
            page.goto("/schools")
            page.get_by_role("link", name="Groenendaal Lyceum").first.click()
            question = dutch.ngettext(
                "%(num)d collaboration asks whether it may see the notes of your busy periods.",
                "%(num)d collaborations ask whether they may see the notes of your busy periods.",
                1,
            ) % {"num": 1}
            assert question in page.get_by_role("status").first.inner_text()
            page.get_by_role("link", name=dutch.gettext("Answer")).click()
            card = page.get_by_role("listitem").filter(has_text="Samen lezen")
            assert dutch.gettext("Waiting for your answer") in card.inner_text()
            shot = screenshots / f"school-memberships{suffix}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert page_width(page) <= viewport["width"]
            agree = card.get_by_role("button", name=dutch.gettext("Agree: show our notes"))
            if suffix:  # the second pass: answer, on the phone
                box = agree.bounding_box()
                assert box is not None and box["height"] >= 44
                agree.click()
                card = page.get_by_role("listitem").filter(has_text="Samen lezen")
                assert dutch.gettext("Agreed") in card.inner_text()
                assert "Samen lezen" in flashes(page)
        finally:
            context.close()
