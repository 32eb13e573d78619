"""The series poll in real headless Chromium: the coordinator of Woerden asks the participants
first from the plan preview of 2027-2028, a participant answers on her phone from the mail's
link, and the coordinator sees the tally beside the re-plan and confirms it. Takes the README's
screenshots of the answer page (desktop and phone) and of the tally.

Runs after tests/browser/test_journeys.py on the same service; it plans Woerden's next school
year, which no other journey looks at.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, LiveServer
from tests.browser.test_journeys import flashes, log_in, new_mails, open_collaboration

pytestmark = pytest.mark.browser

COORDINATOR = "a.devries@minnaert.example"  # Anouk de Vries, Woerden
PARTNER = "e.yilmaz@groenendaal.example"  # Esra Yilmaz, a participant of Woerden
WOERDEN = "Startersbegeleiding Woerden"
PHONE = {"width": 390, "height": 844}
# The top of a long page: the first meetings of the school year.
TOP = {"x": 0, "y": 0, "width": 1280, "height": 1300}


def _context(chromium: Any, server: LiveServer, viewport: dict[str, int]) -> Any:
    """A fresh Dutch browser profile at this size, sharp enough for the README."""
    context = chromium.new_context(
        base_url=server.url, viewport=viewport, locale="nl-NL", device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    return context


def _text(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content())


def test_a_poll_runs_from_the_preview_to_a_confirmed_plan(
    chromium: Any,
    page: Any,
    dutch: gettext.GNUTranslations,
    live_server: LiveServer,
    screenshots: Path,
) -> None:
    before = set(live_server.mails())
    log_in(page, dutch, COORDINATOR)
    open_collaboration(page, WOERDEN)
    page.get_by_role("link", name=dutch.gettext("Plan meetings")).first.click()
    page.get_by_label(dutch.gettext("A whole school year")).check()
    page.get_by_label(dutch.gettext("School year"), exact=True).select_option("2027-2028")
    page.get_by_role("button", name=dutch.gettext("Show the proposal")).click()
    page.get_by_role("heading", name=dutch.gettext("2. The proposal")).wait_for()

    # "Eerst de deelnemers vragen" instead of confirming.
    page.get_by_role("button", name=dutch.gettext("Ask the participants first")).click()
    page.wait_for_url(re.compile(r"/collaborations/\d+/polls/\d+$"))
    poll_url = page.url
    assert dutch.gettext("Answers per date") in page.locator("main").inner_text()
    assert not new_mails(live_server, before), "the mails go out by the worker, not the page"

    # The worker sends one mail to each person but the coordinator who asked.
    live_server.worker_once()
    asking = dutch.gettext("Which dates suit you for %(name)s?") % {"name": WOERDEN}
    mails = [m for m in new_mails(live_server, before) if str(m["Subject"]) == asking]
    recipients = sorted(str(m["To"]) for m in mails)
    assert len(recipients) == 2 and COORDINATOR not in " ".join(recipients), recipients
    (mail,) = [m for m in mails if PARTNER in str(m["To"])]
    link = re.search(r"https?://\S+/poll/[A-Za-z0-9_\-]+", _text(mail))
    assert link is not None, _text(mail)

    # The partner answers on her phone: for the first meeting she cannot come on the proposed
    # date but can on the other one; the other meetings suit her.
    phone = _context(chromium, live_server, PHONE)
    try:
        answer = phone.new_page()
        answer.goto(link[0])
        slots = answer.locator("fieldset.poll-slot")
        assert slots.count() >= 2
        width = answer.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the answer page scrolls sideways ({width}px)"
        first = slots.first.locator(".poll-date")
        first.nth(0).get_by_label(dutch.gettext("Cannot")).check()
        first.nth(1).get_by_label(dutch.gettext("Can"), exact=True).check()
        for index in range(1, slots.count()):
            slots.nth(index).locator(".poll-date").first.get_by_label(
                dutch.gettext("Can"), exact=True
            ).check()
        # What she sees first on her screen (the page goes on with the next meetings).
        answer.evaluate("window.scrollTo(0, 0)")
        answer.screenshot(path=str(screenshots / "poll-answer-phone.png"))
        answer.get_by_role("button", name=dutch.gettext("Save my answers")).click()
        saved = dutch.gettext(
            "Thank you: your answers are saved. You can change them until the plan is confirmed."
        )
        assert saved in answer.get_by_role("status").last.inner_text()
        # Her answers stay marked when she opens the link again.
        answer.goto(link[0])
        assert (
            answer.locator("fieldset.poll-slot").first.locator("input[value=no]").first.is_checked()
        )
    finally:
        phone.close()

    # The same page on a desktop, for the README.
    desktop = _context(chromium, live_server, VIEWPORT)
    try:
        wide = desktop.new_page()
        wide.goto(link[0])
        wide.screenshot(path=str(screenshots / "poll-answer.png"), full_page=True, clip=TOP)
    finally:
        desktop.close()

    # The coordinator sees the tally beside the re-plan, and confirms.
    page.goto(poll_url)
    tally = page.locator("table.poll-tally")
    proposed_row = tally.locator("tr.proposed").first
    cells = proposed_row.locator("td.n").all_inner_texts()
    assert cells[2] == "1", cells  # one "kan niet"
    assert "Esra Yilmaz" in proposed_row.inner_text()
    page.screenshot(path=str(screenshots / "poll-tally.png"), full_page=True, clip=TOP)
    confirm = page.locator("form[action$='/confirm'] button")
    confirm.click()
    page.wait_for_url(re.compile(r"/collaborations/\d+/polls/\d+$"))
    assert re.search(r"\d+", flashes(page))
    assert page.locator("[data-status=confirmed]").count() == 1

    # Invitations go out as for every plan.
    before_invites = set(live_server.mails())
    live_server.worker_once()
    invitations = [
        m
        for m in new_mails(live_server, before_invites)
        if PARTNER in str(m["To"]) and "METHOD:REQUEST" in m.as_string()
    ]
    assert invitations, "the partner gets her invitations after the confirmation"
