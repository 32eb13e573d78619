"""Partner pages: from the answer page a partner subscribes to the collaboration's calendar and
sees their next meetings with their own answers; dead links explain themselves.

The collaboration meets on Tue 1 Dec, Thu 10 Dec and Tue 15 Dec 2026; it is Saturday 21 Nov.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import AttendanceStatus, FeedScope
from planner.models import Attendance, FeedToken, Meeting
from planner.services import meetings, people
from planner.services.attendance import issue_rsvp_token, record_answer, revoke_rsvp_tokens
from tests.factories import OTHER, PARTNER, Planned, plan_with_partners, url_path
from tests.helpers import count_rows

NOW_TEXT = "2026-11-21T10:00:00Z"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
EN = {"Accept-Language": "en"}


@pytest.fixture
def planned(app: Flask, session: Session) -> Planned:
    app.config["FROZEN_NOW"] = NOW_TEXT
    return plan_with_partners(
        app, session, NOW, date(2026, 12, 1), date(2026, 12, 10), date(2026, 12, 15)
    )


def _private(response: TestResponse) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def _feed_url(response: TestResponse) -> str:
    match = re.search(r'id="feed-https"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return html.unescape(match.group(1))


def _feed_tokens(app: Flask) -> list[Any]:
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, feed_id, revoked_at FROM feed_token")).all()


def test_the_answer_page_offers_the_collaboration_calendar(
    app: Flask, browser: FlaskClient, planned: Planned
) -> None:
    page = browser.get(f"/rsvp/{planned.secret}?lang=en").get_data(as_text=True)
    assert "Put all meetings in my calendar" in page
    assert f'action="/rsvp/{planned.secret}/calendar?lang=en"' in page
    assert count_rows(app, FeedToken) == 0  # offering makes nothing


def test_subscribing_gives_a_working_link_to_the_collaboration_feed(
    app: Flask, browser: FlaskClient, session: Session, planned: Planned
) -> None:
    response = browser.post(f"/rsvp/{planned.secret}/calendar?lang=en")
    assert response.status_code == 200
    _private(response)
    page = response.get_data(as_text=True)
    assert "The meetings of Leerlijn techniek in your calendar" in page
    assert "This is the only time this link is shown." in page
    url = _feed_url(response)
    assert f'value="webcal://{url.split("://", 1)[1]}"' in page
    assert "calendar.google.com/calendar/render?cid=webcal" in page
    assert "outlook.live.com" in page and "outlook.office.com" in page
    # Nobody's address is on the page, not even the partner's own.
    assert PARTNER not in page and OTHER not in page

    feed = browser.get(url_path(url))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.data.count(b"BEGIN:VEVENT") >= 3 and b"Leerlijn techniek" in feed.data
    # No partner addresses in a shared feed.
    assert PARTNER.encode() not in feed.data and OTHER.encode() not in feed.data

    token = session.scalars(select(FeedToken)).one()
    assert token.feed.scope is FeedScope.COLLABORATION
    assert token.feed.collaboration_id is not None and not token.feed.blocked_days
    assert token.feed.language == "en"
    assert token.label is not None and "Esra Yilmaz" in token.label

    # Pressing again makes another link (the first cannot be shown again); both work.
    again = browser.post(f"/rsvp/{planned.secret}/calendar")
    second = _feed_url(again)
    assert second != url
    assert browser.get(url_path(second)).status_code == 200
    assert browser.get(url_path(url)).status_code == 200
    assert count_rows(app, FeedToken) == 2
    assert session.scalars(select(FeedToken).order_by(FeedToken.id.desc())).first()


def test_the_calendar_link_follows_the_partners_language(
    browser: FlaskClient, session: Session, planned: Planned
) -> None:
    response = browser.post(f"/rsvp/{planned.secret}/calendar")
    assert '<html lang="nl">' in response.get_data(as_text=True)
    token = session.scalars(select(FeedToken)).one()
    assert token.feed.language == "nl"


def test_the_page_lists_the_partners_next_meetings_with_their_answers(
    app: Flask, browser: FlaskClient, session: Session, planned: Planned
) -> None:
    second = planned.meeting_ids[1]
    partner = people.find_person(session, PARTNER)
    record_answer(
        session, session.get(Meeting, second), partner, AttendanceStatus.ACCEPTED, NOW, via="link"
    )
    session.commit()
    page = browser.get(f"/rsvp/{planned.secret}?lang=en")
    text_page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert "Your next meetings of this collaboration" in text_page
    assert "Thu 10 Dec 2026 15:30–17:00" in text_page and "Attending" in text_page
    assert "Tue 15 Dec 2026 15:30–17:00" in text_page and "No answer yet" in text_page
    # The meeting of this link is at the top, not in the list.
    listed = text_page.split("Your next meetings", 1)[1]
    assert "Tue 1 Dec 2026" not in listed
    # Three answer buttons for this meeting and two for all at once: the list only shows answers.
    assert page.get_data(as_text=True).count('name="answer"') == 3 + 2


def test_only_meetings_the_partner_is_invited_to_are_listed(
    app: Flask, browser: FlaskClient, session: Session, planned: Planned
) -> None:
    _first, second, third = planned.meeting_ids
    row = session.get(Attendance, (third, planned.partner_id))
    assert row is not None
    row.sent_sequence = None  # never invited to the third
    meetings.cancel_meeting(session, session.get(Meeting, second), NOW)
    session.commit()
    page = browser.get(f"/rsvp/{planned.secret}?lang=en").get_data(as_text=True)
    listed = page.split("Your next meetings", 1)[1]
    assert "Thu 10 Dec 2026" in listed and "Cancelled: no answer needed" in listed
    assert "Tue 15 Dec 2026" not in listed


def test_past_meetings_are_not_listed(
    app: Flask, browser: FlaskClient, session: Session, planned: Planned
) -> None:
    second = planned.meeting_ids[1]
    partner = people.find_person(session, PARTNER)
    secret = issue_rsvp_token(
        session, session.get(Meeting, second), partner, NOW, valid_days_after=7
    )
    session.commit()
    app.config["FROZEN_NOW"] = "2026-12-11T09:00:00Z"  # the day after the second meeting
    page = browser.get(f"/rsvp/{secret}?lang=en").get_data(as_text=True)
    assert "This meeting has already taken place." in page
    listed = page.split("Your next meetings", 1)[1]
    assert "Tue 15 Dec 2026" in listed and "Tue 1 Dec 2026" not in listed


def test_a_dead_link_cannot_subscribe_and_explains_itself(
    app: Flask, browser: FlaskClient, session: Session, planned: Planned
) -> None:
    before = _feed_tokens(app)
    unknown = browser.post("/rsvp/" + "x" * 32 + "/calendar")
    assert unknown.status_code == 404
    _private(unknown)
    page = unknown.get_data(as_text=True)
    assert "Deze link is niet geldig" in page and "regisseur" in page  # Dutch by default
    english = browser.post("/rsvp/" + "x" * 32 + "/calendar", headers=EN)
    assert "This link is not valid" in english.get_data(as_text=True)
    assert "Ask the coordinator" in english.get_data(as_text=True)

    app.config["FROZEN_NOW"] = "2026-12-09T09:00:00Z"  # a week after the first meeting
    expired = browser.post(f"/rsvp/{planned.secret}/calendar", headers=EN)
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)
    assert "ask the coordinator" in expired.get_data(as_text=True)

    app.config["FROZEN_NOW"] = NOW_TEXT
    revoke_rsvp_tokens(session, NOW, person_id=planned.partner_id)
    session.commit()
    revoked = browser.post(f"/rsvp/{planned.secret}/calendar", headers=EN)
    assert revoked.status_code == 410
    assert "This link has been withdrawn" in revoked.get_data(as_text=True)
    assert "Leerlijn techniek" not in revoked.get_data(as_text=True)
    assert _feed_tokens(app) == before


def test_a_get_of_the_calendar_address_changes_nothing(
    app: Flask, browser: FlaskClient, planned: Planned
) -> None:
    """Mail scanners fetch links: only the button's POST makes a calendar link."""
    response = browser.get(f"/rsvp/{planned.secret}/calendar")
    assert response.status_code == 404
    assert count_rows(app, FeedToken) == 0


def test_a_language_chosen_on_the_site_is_kept(browser: FlaskClient, planned: Planned) -> None:
    browser.get("/language/en")
    page = browser.get(f"/rsvp/{planned.secret}").get_data(as_text=True)
    assert '<html lang="en">' in page and "Tue 1 Dec 2026" in page
    assert '<html lang="nl">' in browser.get(f"/rsvp/{planned.secret}?lang=nl").get_data(
        as_text=True
    )
