"""Text that tries to become HTML: names, notes, places and labels stay text on every page, the
year picture may not run scripts, and odd `next` addresses stay on this site. The demo is seen
on 1 Sep 2026 (the shared `demo` fixture)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.feeds import tokens as feeds
from planner.models import BusyPeriod, Collaboration, HolidayOverride, Meeting, Organisation, Person
from planner.services.attendance import issue_rsvp_token
from tests.factories import (
    ADMIN,
    ANOUK,
    WOERDEN,
    log_in_as,
    next_meeting,
    organisation_by_brin,
    person_by_email,
)
from tests.web import NOW, post

PAYLOAD = '<img src=x onerror=alert(1)>" data-injected="1\''


def _injected(response: TestResponse) -> bool:
    body = response.get_data(as_text=True)
    return "<img src=x" in body or 'data-injected="1"' in body


def test_user_text_is_shown_as_text_on_every_page(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    """Names, notes, places and labels typed by people (or imported) never become markup."""
    for org in session.scalars(select(Organisation)):
        org.name, org.city = PAYLOAD + org.name, PAYLOAD
    for person in session.scalars(select(Person)):
        person.name = PAYLOAD + person.name
    for collab in session.scalars(select(Collaboration)):
        collab.name, collab.ambition, collab.location_note = PAYLOAD + collab.name, PAYLOAD, PAYLOAD
    for period in session.scalars(select(BusyPeriod)):
        period.note = PAYLOAD
    for override in session.scalars(select(HolidayOverride)):
        override.note = PAYLOAD
    for meeting in session.scalars(select(Meeting)):
        meeting.location = PAYLOAD
    issued = feeds.create_token(session, NOW, collaboration=WOERDEN, language="nl", label=PAYLOAD)
    session.commit()
    admin = log_in_as(browser, session, ADMIN)
    org = organisation_by_brin(session, "91XA")
    meeting = next_meeting(session)
    period = session.scalars(select(BusyPeriod).where(BusyPeriod.organisation_id == org.id)).first()
    assert period is not None
    anouk = person_by_email(session, ANOUK)
    pages = [
        "/dashboard",
        *(f"/collaborations/{n}" for n in (1, 2, 3)),
        f"/collaborations/{WOERDEN}/year.svg",
        f"/collaborations/{WOERDEN}/edit",
        "/collaborations/new",
        f"/collaborations/{WOERDEN}/plan?scope=year&school_year=2026-2027",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/cancel",
        "/subscriptions",
        f"/subscriptions/links/{issued.token.id}/revoke",
        "/schools",
        f"/schools/{org.id}",
        f"/schools/{org.id}/busy-periods/{period.id}/edit",
        f"/schools/{org.id}/busy-periods/{period.id}/delete",
        "/admin/organisations",
        f"/admin/organisations/{org.id}",
        f"/admin/organisations/{org.id}/delete",
        "/admin/accounts",
        f"/admin/accounts/{anouk.id}",
        f"/admin/accounts/{admin.id}",
    ]
    for url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert not _injected(response), url
    # A partner's answer page and calendar page (names, place, the collaboration).
    partner = next(link.person for link in meeting.collaboration.people)
    secret = issue_rsvp_token(session, meeting, partner, NOW, valid_days_after=7)
    session.commit()
    for response in (browser.get(f"/rsvp/{secret}"), browser.post(f"/rsvp/{secret}/calendar")):
        assert response.status_code == 200 and not _injected(response)
    # The year picture is XML: still well-formed, with nothing but drawing elements.
    svg = ET.fromstring(browser.get(f"/collaborations/{WOERDEN}/year.svg").get_data())
    assert {element.tag.rsplit("}", 1)[-1] for element in svg.iter()} <= {
        *[
            "svg",
            "title",
            "desc",
            "defs",
            "pattern",
            "rect",
            "path",
            "circle",
            "line",
            "text",
            "g",
            "a",
            "style",
        ]
    }
    # Text that comes back in a form with an error, and an imported calendar's entries.
    refused = post(browser, "/collaborations/new", {"name": "n", "participant_lines": PAYLOAD})
    assert refused.status_code == 400 and not _injected(refused)
    csv = "datum;tot;omschrijving\n9-11-2026;13-11-2026;<img src=x onerror=alert(1)>\n"
    preview = post(
        browser,
        f"/schools/{org.id}/import?year=2026-2027",
        {"school_year": "2026-2027", "file": (io.BytesIO(csv.encode()), "<img src=x>.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200 and not _injected(preview)


def test_the_year_picture_on_its_own_may_not_run_scripts(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    response = browser.get(f"/collaborations/{WOERDEN}/year.svg")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "\\\\evil.example"])
def test_odd_next_addresses_stay_on_this_site(browser: FlaskClient, target: str) -> None:
    response = browser.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert not location.startswith(("//", "/\\", "\\")) and "://" not in location
