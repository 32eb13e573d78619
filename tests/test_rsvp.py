"""Answering invitations: the answer links partners get by mail, and the API for the outbox and
for iTIP REPLY uploads.

The collaboration meets on Tue 1 Dec and Thu 10 Dec 2026, 15:30–17:00 in Amsterdam, and is seen
on Saturday 21 Nov 2026. Its coordinator organises; the two partners are invited (the composer
has queued their invitations). Page texts are checked in English (?lang=en), so the tests keep
passing once the Dutch translations are in.
"""

from __future__ import annotations

import functools
import secrets
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import MailKind
from planner.domain.secrets import hash_secret
from planner.events import EventKind, PersonRef, append_event
from planner.messaging.composer import Composer
from planner.models import Attendance, Event, Mail, Meeting, RsvpToken
from planner.services import meetings, people, planning
from planner.services.attendance import revoke_rsvp_tokens
from tests.factories import (
    COORDINATOR,
    OTHER,
    PARTNER,
    Planned,
    dead_mail,
    plan_with_partners,
    reply_ics,
)
from tests.helpers import count_rows, dispatch

NOW_TEXT = "2026-11-21T10:00:00Z"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
EN = {"Accept-Language": "en"}


@pytest.fixture
def planned(app: Flask, session: Session) -> Planned:
    app.config["FROZEN_NOW"] = NOW_TEXT
    made = plan_with_partners(app, session, NOW, date(2026, 12, 1), date(2026, 12, 10))
    # Per partner a mail per meeting and an overview; the organizer her own copy of each.
    assert made.invitations == 2 * (2 + 1) + 2
    return made


def _url(planned: Planned, query: str = "") -> str:
    return f"/rsvp/{planned.secret}{query}"


def _status(app: Flask, meeting_id: int, person_id: int) -> tuple[str, str | None]:
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT status, answered_via FROM attendance"
                " WHERE meeting_id = :m AND person_id = :p"
            ),
            {"m": meeting_id, "p": person_id},
        ).one()
    return str(row[0]).lower(), row[1]


def _snapshot(app: Flask, planned: Planned) -> dict[str, Any]:
    """Everything an answer could change."""
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        attendance = conn.execute(
            text(
                "SELECT meeting_id, person_id, status, answered_at, answered_via, reply_stamp"
                " FROM attendance ORDER BY meeting_id, person_id"
            )
        ).all()
        tokens = conn.execute(
            text("SELECT id, revoked_at, last_used_at FROM rsvp_token ORDER BY id")
        ).all()
    return {
        "attendance": attendance,
        "tokens": tokens,
        "events": count_rows(app, Event),
        "attendance_rows": count_rows(app, Attendance),
    }


def _answered_events(session: Session) -> list[Event]:
    session.expire_all()
    return [e for e in session.query(Event).order_by(Event.id) if e.kind == "attendance.answered"]


def _private(response: TestResponse) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert b'<meta name="robots" content="noindex">' in response.data


def _series_events(session: Session) -> list[Event]:
    session.expire_all()
    return [
        e for e in session.query(Event).order_by(Event.id) if e.kind == "attendance.answered_series"
    ]


# --- (a) a real answer link ----------------------------------------------------------------


def test_opening_the_link_shows_the_meeting_and_changes_nothing(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    before = _snapshot(app, planned)
    for query in ("", "?answer=accepted", "?answer=declined&lang=en", "?answer=bogus"):
        response = client.get(_url(planned, query))
        assert response.status_code == 200, query
        _private(response)
        page = response.get_data(as_text=True)
        assert "Leerlijn techniek" in page
        assert "1 dec 2026 15:30–17:00" in page or "1 Dec 2026 15:30–17:00" in page
        assert "Noord College" in page  # the location of the first meeting (in turn)
        # Nobody's e-mail address is shown, not even the partner's own.
        for address in (PARTNER, OTHER, COORDINATOR):
            assert address not in page
        # Three buttons for this meeting, two for every coming one at once.
        assert page.count('name="answer"') == 3 + 2
    assert client.head(_url(planned, "?answer=accepted")).status_code == 200
    assert _snapshot(app, planned) == before
    assert _status(app, planned.meeting_ids[0], planned.partner_id) == ("needs_action", None)


def test_the_answer_in_the_mail_link_is_only_highlighted(
    client: FlaskClient, planned: Planned
) -> None:
    page = client.get(_url(planned, "?answer=tentative&lang=en")).get_data(as_text=True)
    assert 'value="tentative" class="chosen" autofocus' in page
    assert 'value="accepted">' in page and 'value="declined">' in page
    assert "You have not answered yet." in page
    assert "Confirm your answer" in page
    plain = client.get(_url(planned, "?lang=en")).get_data(as_text=True)
    assert "chosen" not in plain.split("<form", 1)[1]
    # The form posts to the same link (keeping the language asked for), with no other field.
    assert f'action="/rsvp/{planned.secret}?lang=en"' in page


def test_answering_records_it_and_a_second_answer_changes_it(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    meeting_id, partner_id = planned.meeting_ids[0], planned.partner_id
    response = client.post(_url(planned, "?lang=en"), data={"answer": "accepted"})
    assert response.status_code == 200
    _private(response)
    page = response.get_data(as_text=True)
    assert "Thank you" in page and "You will attend." in page
    assert _status(app, meeting_id, partner_id) == ("accepted", "link")
    (first,) = _answered_events(session)
    assert first.payload == {
        "meeting_id": meeting_id,
        "collaboration_id": first.payload["collaboration_id"],
        "person_id": partner_id,
        "status": "accepted",
        "previous": "needs_action",
        "via": "link",
    }
    token = session.query(RsvpToken).filter_by(person_id=partner_id, meeting_id=meeting_id)
    assert any(t.last_used_at == NOW for t in token)
    # The page now shows the answer given.
    assert "You will attend." in client.get(_url(planned, "?lang=en")).get_data(as_text=True)

    response = client.post(_url(planned, "?lang=en"), data={"answer": "declined"})
    assert response.status_code == 200
    assert "You will not attend." in response.get_data(as_text=True)
    assert _status(app, meeting_id, partner_id) == ("declined", "link")
    events = _answered_events(session)
    assert [e.payload["status"] for e in events] == ["accepted", "declined"]
    assert events[1].payload["previous"] == "accepted"
    # The same answer again (case and spaces do not matter): nothing new to tell.
    assert client.post(_url(planned), data={"answer": " DECLINED "}).status_code == 200
    assert len(_answered_events(session)) == 2
    # The other partner and the other meeting are untouched.
    assert _status(app, meeting_id, planned.other_id)[0] == "needs_action"
    assert _status(app, planned.meeting_ids[1], partner_id)[0] == "needs_action"


def test_the_series_answer_in_the_overview_link_is_only_highlighted(
    app: Flask, client: FlaskClient, planned: Planned
) -> None:
    before = _snapshot(app, planned)
    page = client.get(_url(planned, "?all=declined&lang=en")).get_data(as_text=True)
    assert "All coming meetings at once" in page
    assert 'value="declined" class="chosen" autofocus>I will not come to any' in page
    assert f'action="/rsvp/{planned.secret}/all?lang=en"' in page
    assert _snapshot(app, planned) == before


def test_one_answer_for_all_coming_meetings_tells_the_coordinator_once(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    first, second = planned.meeting_ids
    response = client.post(_url(planned, "/all?lang=en"), data={"answer": "declined"})
    assert response.status_code == 200, response.get_data(as_text=True)
    _private(response)
    page = response.get_data(as_text=True)
    assert "You will not attend." in page and "2 answers changed." in page
    assert "1 Dec 2026" in page and "10 Dec 2026" in page
    for meeting_id in (first, second):
        assert _status(app, meeting_id, planned.partner_id) == ("declined", "link")
        assert _status(app, meeting_id, planned.other_id)[0] == "needs_action"
    # One event for the series, none per meeting: the coordinator gets one mail, not two.
    assert _answered_events(session) == []
    (event,) = _series_events(session)
    assert event.payload["meeting_ids"] == [first, second]
    assert event.payload["status"] == "declined"
    dispatch(app)
    session.expire_all()
    told = [
        m
        for m in session.scalars(select(Mail))
        if m.recipient == COORDINATOR and m.kind is MailKind.NOTICE
    ]
    assert [m.subject for m in told] == ["Esra Yilmaz komt niet: Leerlijn techniek, 2 overleggen"]
    # The same answer again changes nothing and tells nobody.
    again = client.post(_url(planned, "/all?lang=en"), data={"answer": "declined"})
    assert "0 answers changed." in again.get_data(as_text=True)
    assert len(_series_events(session)) == 1
    # A meeting cancelled meanwhile needs no answer: coming to all leaves it alone.
    cancelled = session.get(Meeting, second)
    assert cancelled is not None
    meetings.cancel_meeting(session, cancelled, NOW)
    session.commit()
    client.post(_url(planned, "/all"), data={"answer": "accepted"})
    assert _status(app, first, planned.partner_id)[0] == "accepted"
    assert _status(app, second, planned.partner_id)[0] == "declined"


@pytest.mark.parametrize("answer", ["", "tentative", "needs_action", "all"])
def test_a_series_answer_other_than_all_or_none_is_refused(
    app: Flask, client: FlaskClient, planned: Planned, answer: str
) -> None:
    before = _snapshot(app, planned)
    response = client.post(_url(planned, "/all"), data={"answer": answer})
    assert response.status_code == 400
    assert "Kies of u naar alle overleggen komt of naar geen enkel." in response.get_data(
        as_text=True
    )
    assert _snapshot(app, planned) == before


def test_the_answer_page_lists_every_coming_meeting_a_page_at_a_time(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    collab = session.get(Meeting, planned.meeting_ids[0]).collaboration  # type: ignore[union-attr]
    preview = planning.preview_plan(session, collab, NOW, first=date(2027, 1, 5), count=24)
    created = planning.confirm_plan(session, preview, NOW)
    session.commit()
    with app.app_context():
        Composer(session, NOW).invitations(created)
    session.commit()
    page = client.get(_url(planned, "?lang=en")).get_data(as_text=True)
    rows = page.split('<table class="rsvp-others">', 1)[1].split("</table>", 1)[0]
    assert rows.count("<tr>") - 1 == 20  # the head row, then twenty meetings
    assert "Later meetings" in page and "Earlier meetings" not in page
    later = client.get(_url(planned, "?page=2&lang=en")).get_data(as_text=True)
    rest = later.split('<table class="rsvp-others">', 1)[1].split("</table>", 1)[0]
    assert rest.count("<tr>") - 1 == 1 + 24 - 20  # 25 others in all
    assert "Earlier meetings" in later and "Later meetings" not in later
    # A page past the end, or nonsense, still answers.
    for query in ("?page=9", "?page=x", "?page=%C2%B2", "?page=-1"):
        assert client.get(_url(planned, query)).status_code == 200, query


@pytest.mark.parametrize("answer", ["", "yes", "needs_action", "accepted!", "accepted,declined"])
def test_an_invalid_answer_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, planned: Planned, answer: str
) -> None:
    before = _snapshot(app, planned)
    response = client.post(_url(planned, "?lang=en"), data={"answer": answer})
    assert response.status_code == 400
    _private(response)
    page = response.get_data(as_text=True)
    assert "Choose one of the buttons" in page
    assert page.count('name="answer"') == 3 + 2  # the buttons are there to try again
    assert _snapshot(app, planned) == before


def test_a_post_without_any_answer_field_changes_nothing(
    app: Flask, client: FlaskClient, planned: Planned
) -> None:
    before = _snapshot(app, planned)
    assert client.post(_url(planned)).status_code == 400
    assert _snapshot(app, planned) == before


# --- (b) links that do not work ------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        secrets.token_urlsafe(24),  # well-formed, never issued
        "abc",  # too short
        "x" * 65,  # too long
        "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",  # characters a secret never has
        "a%20b%3Cscript%3Ecccccccccccccccc",
        "aaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbb",
    ],
)
def test_an_unknown_or_malformed_link_says_it_is_not_valid(
    app: Flask, client: FlaskClient, planned: Planned, secret: str
) -> None:
    before = _snapshot(app, planned)
    for response in (
        client.get(f"/rsvp/{secret}?answer=accepted", headers=EN),
        client.post(f"/rsvp/{secret}", data={"answer": "accepted"}, headers=EN),
    ):
        assert response.status_code == 404
        _private(response)
        page = response.get_data(as_text=True)
        assert "This link is not valid" in page
        assert "ask the coordinator" in page.lower()
        assert "Leerlijn techniek" not in page and "<script>" not in page
    assert _snapshot(app, planned) == before


def test_an_expired_link_says_so_and_changes_nothing(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    expires = session.scalars(
        select(RsvpToken.expires_at).where(RsvpToken.token_hash == hash_secret(planned.secret))
    ).one()
    app.config["FROZEN_NOW"] = (expires + timedelta(seconds=1)).isoformat()
    before = _snapshot(app, planned)
    for response in (
        client.get(_url(planned, "?answer=accepted"), headers=EN),
        client.post(_url(planned), data={"answer": "accepted"}, headers=EN),
    ):
        assert response.status_code == 410
        _private(response)
        page = response.get_data(as_text=True)
        assert "This link has expired" in page
        assert "Leerlijn techniek" not in page
    assert _snapshot(app, planned) == before


def test_a_revoked_link_says_it_was_withdrawn_and_changes_nothing(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    assert revoke_rsvp_tokens(session, NOW, person_id=planned.partner_id) >= 1
    session.commit()
    before = _snapshot(app, planned)
    for response in (
        client.get(_url(planned), headers=EN),
        client.post(_url(planned), data={"answer": "declined"}, headers=EN),
    ):
        assert response.status_code == 410
        _private(response)
        page = response.get_data(as_text=True)
        assert "This link has been withdrawn" in page
        assert "Leerlijn techniek" not in page
    assert _snapshot(app, planned) == before
    assert _status(app, planned.meeting_ids[0], planned.partner_id)[0] == "needs_action"


# --- (c) a cancelled or past meeting -------------------------------------------------------


def test_a_cancelled_meetings_link_says_no_answer_is_needed(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    meeting = session.get(Meeting, planned.meeting_ids[0])
    assert meeting is not None
    meetings.cancel_meeting(session, meeting, NOW)
    session.commit()
    before = _snapshot(app, planned)
    shown = client.get(_url(planned, "?answer=accepted&lang=en"))
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "This meeting has been cancelled; no answer is needed." in page
    assert 'name="answer"' not in page  # no buttons
    response = client.post(_url(planned, "?lang=en"), data={"answer": "accepted"})
    assert response.status_code == 409
    _private(response)
    page = response.get_data(as_text=True)
    assert "This meeting has been cancelled; no answer is needed." in page
    assert "Leerlijn techniek" in page
    assert _snapshot(app, planned) == before


def test_a_past_meetings_link_still_opens_but_takes_no_answer(
    app: Flask, client: FlaskClient, planned: Planned
) -> None:
    app.config["FROZEN_NOW"] = "2026-12-02T09:00:00Z"  # the day after; the link lives a week
    before = _snapshot(app, planned)
    page = client.get(_url(planned, "?lang=en")).get_data(as_text=True)
    assert "This meeting has already taken place." in page and 'name="answer"' not in page
    response = client.post(_url(planned, "?lang=en"), data={"answer": "accepted"})
    assert response.status_code == 409
    assert "This meeting has already taken place." in response.get_data(as_text=True)
    assert _snapshot(app, planned) == before


# --- (d) language --------------------------------------------------------------------------


def test_the_page_speaks_dutch_by_default_and_english_on_request(
    client: FlaskClient, session: Session, planned: Planned
) -> None:
    dutch = client.get(_url(planned)).get_data(as_text=True)
    assert '<html lang="nl">' in dutch and "di 1 dec 2026" in dutch
    english = client.get(_url(planned, "?lang=en")).get_data(as_text=True)
    assert '<html lang="en">' in english and "Tue 1 Dec 2026" in english
    assert ">Accept</button>" in english and "Will you attend this meeting?" in english
    # The person's own language wins over the browser's; ?lang= wins over both.
    assert '<html lang="nl">' in client.get(_url(planned), headers=EN).get_data(as_text=True)
    partner = people.find_person(session, PARTNER)
    partner.language = "en"
    session.commit()
    assert "Tue 1 Dec 2026" in client.get(_url(planned)).get_data(as_text=True)
    assert "di 1 dec 2026" in client.get(_url(planned, "?lang=nl")).get_data(as_text=True)
    thanks = client.post(_url(planned), data={"answer": "tentative"})
    assert "You might attend." in thanks.get_data(as_text=True)


def test_a_bad_link_page_follows_the_browser_language(client: FlaskClient) -> None:
    secret = secrets.token_urlsafe(24)
    assert '<html lang="nl">' in client.get(f"/rsvp/{secret}").get_data(as_text=True)
    assert '<html lang="en">' in client.get(f"/rsvp/{secret}", headers=EN).get_data(as_text=True)


# --- (e) API: the outbox -------------------------------------------------------------------


def test_the_outbox_lists_counts_and_rows_of_a_state(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    mail = dead_mail(session, NOW)
    data = client.get("/api/v1/outbox").get_json()
    # Per partner a mail for each of the two meetings and an overview; the organizer's copies.
    assert data["mails"] == {"pending": 8, "failed": 0, "dead": 1, "done": 0, "dropped": 0}
    assert "mail_rows" not in data
    data = client.get("/api/v1/outbox?state=dead&limit=5").get_json()
    assert [row["id"] for row in data["mail_rows"]] == [mail.id]
    assert data["mail_rows"][0]["error"] == "550 mailbox unavailable"
    assert data["event_rows"] == []
    pending = client.get("/api/v1/outbox?state=pending").get_json()
    assert {row["recipient"] for row in pending["mail_rows"]} == {PARTNER, OTHER, COORDINATOR}
    for query in ("state=stuck", "limit=0", "limit=many"):
        response = client.get(f"/api/v1/outbox?{query}", headers=EN)
        assert response.status_code == 400, query
        assert response.get_json()["error"]["message"]
    assert (
        "pending, failed, dead, done"
        in client.get("/api/v1/outbox?state=stuck", headers=EN).get_json()["error"]["message"]
    )


def test_the_outbox_needs_the_api_token_when_one_is_set(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["API_TOKEN"] = "s3cret-token"
    mail = dead_mail(session, NOW)
    assert client.get("/api/v1/outbox").status_code == 401
    assert client.post(f"/api/v1/outbox/mails/{mail.id}/retry").status_code == 401
    assert client.post("/api/v1/replies", data=b"x").status_code == 401
    auth = {"Authorization": "Bearer s3cret-token"}
    assert client.get("/api/v1/outbox", headers=auth).status_code == 200
    assert client.post(f"/api/v1/outbox/mails/{mail.id}/retry", headers=auth).status_code == 200


def test_retrying_a_dead_mail_puts_it_back_in_the_queue(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["FROZEN_NOW"] = "2026-11-22T08:00:00Z"
    mail = dead_mail(session, NOW)
    response = client.post(f"/api/v1/outbox/mails/{mail.id}/retry")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == mail.id and data["dead_at"] is None and data["attempts"] == 0
    assert data["available_at"].startswith("2026-11-22T08:00:00")
    session.expire_all()
    stored = session.get(Mail, mail.id)
    assert stored is not None and stored.dead_at is None and stored.attempts == 0
    # A mail that was sent cannot be retried.
    stored.sent_at = NOW
    session.commit()
    response = client.post(f"/api/v1/outbox/mails/{mail.id}/retry", headers=EN)
    assert response.status_code == 409
    assert "already sent" in response.get_json()["error"]["message"]


def test_retrying_a_dead_event_and_unknown_ids(client: FlaskClient, session: Session) -> None:
    event = append_event(session, EventKind.PERSON_CREATED, PersonRef(1), NOW)
    session.flush()
    event.attempts, event.dead_at, event.last_error = 5, NOW, "boom"
    session.commit()
    response = client.post(f"/api/v1/outbox/events/{event.id}/retry")
    assert response.status_code == 200
    assert response.get_json()["dead_at"] is None and response.get_json()["attempts"] == 0
    for path in (
        "/api/v1/outbox/events/999999/retry",
        "/api/v1/outbox/mails/999999/retry",
        "/api/v1/outbox/mails/abc/retry",
    ):
        response = client.post(path, headers=EN)
        assert response.status_code == 404, path
        assert "There is no" in response.get_json()["error"]["message"]


# --- (e) API: iTIP REPLY uploads -----------------------------------------------------------


# A reply as this collaboration's partners would send it, stamped at this module's moment.
_reply = functools.partial(reply_ics, stamp=NOW, summary="Leerlijn techniek")


def _meeting(session: Session, meeting_id: int) -> Meeting:
    session.expire_all()
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    return meeting


def test_an_uploaded_reply_records_the_answer(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    meeting = _meeting(session, planned.meeting_ids[0])
    response = client.post(
        "/api/v1/replies",
        data=_reply(meeting.uid, meeting.sequence, PARTNER.upper()),
        content_type="text/calendar; charset=utf-8",
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "applied": [{"meeting_uid": meeting.uid, "status": "accepted", "changed": True}]
    }
    assert _status(app, meeting.id, planned.partner_id) == ("accepted", "reply")
    assert [e.payload["via"] for e in _answered_events(session)] == ["reply"]
    # The same reply once more (mailed twice): accepted, nothing changes.
    again = client.post(
        "/api/v1/replies",
        data=_reply(meeting.uid, meeting.sequence, PARTNER),
        content_type="text/calendar",
        headers=EN,
    )
    assert again.status_code == 200
    assert again.get_json()["applied"][0]["changed"] is False
    # An older reply with another answer arriving late is refused.
    late = client.post(
        "/api/v1/replies",
        data=_reply(
            meeting.uid, meeting.sequence, PARTNER, "DECLINED", stamp=NOW - timedelta(hours=1)
        ),
        content_type="text/calendar",
        headers=EN,
    )
    assert late.status_code == 400
    assert "newer answer" in late.get_json()["error"]["message"]
    assert _status(app, meeting.id, planned.partner_id) == ("accepted", "reply")
    assert [e.payload["via"] for e in _answered_events(session)] == ["reply"]


def test_a_reply_can_be_uploaded_as_a_file(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    meeting = _meeting(session, planned.meeting_ids[1])
    body = _reply(meeting.uid, meeting.sequence, OTHER, "DECLINED")
    response = client.post(
        "/api/v1/replies",
        data={"file": (BytesIO(body), "reply.ics", "text/calendar")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["applied"][0]["status"] == "declined"
    assert _status(app, meeting.id, planned.other_id) == ("declined", "reply")
    missing = client.post(
        "/api/v1/replies",
        data={"other": (BytesIO(body), "reply.ics")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert missing.status_code == 400
    assert "'file'" in missing.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong_sequence", "never sent"),  # a newer SEQUENCE than any invitation
        ("unknown_uid", "does not know"),
        ("uninvited", "was not invited"),
        ("organizer", "was not invited"),
        ("garbage", "not an iCalendar"),
        ("empty", "empty"),
        ("not_a_reply", "METHOD:REPLY"),
        ("needs_action", "no decision"),
        ("second_one_bad", "does not know"),
    ],
)
def test_a_refused_reply_changes_nothing(
    app: Flask,
    client: FlaskClient,
    session: Session,
    planned: Planned,
    case: str,
    expected: str,
) -> None:
    meeting = _meeting(session, planned.meeting_ids[0])
    second = _meeting(session, planned.meeting_ids[1])
    uid, sequence = meeting.uid, meeting.sequence
    body = {
        "wrong_sequence": lambda: _reply(uid, sequence + 1, PARTNER),
        "unknown_uid": lambda: _reply("no-such-meeting@planner", sequence, PARTNER),
        "uninvited": lambda: _reply(uid, sequence, "stranger@elsewhere.example"),
        "organizer": lambda: _reply(uid, sequence, COORDINATOR),
        "garbage": lambda: b"\x00\xff\xfeGIF89a not a calendar at all",
        "empty": lambda: b"",
        "not_a_reply": lambda: _reply(uid, sequence, PARTNER).replace(
            b"METHOD:REPLY", b"METHOD:REQUEST"
        ),
        "needs_action": lambda: _reply(uid, sequence, PARTNER, "NEEDS-ACTION"),
        # All or nothing: the first answer is good, the second names an unknown meeting.
        "second_one_bad": lambda: _reply(
            second.uid, second.sequence, PARTNER, more=[("no-such-meeting@planner", 0)]
        ),
    }[case]()
    before = _snapshot(app, planned)
    response = client.post("/api/v1/replies", data=body, content_type="text/calendar", headers=EN)
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["error"]["message"]
    assert expected in message
    assert _snapshot(app, planned) == before


def test_reply_messages_are_translated_by_the_accept_language(
    client: FlaskClient, planned: Planned
) -> None:
    response = client.post("/api/v1/replies", data=b"", content_type="text/calendar")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]  # Dutch once the catalog has it


@pytest.mark.parametrize("variant", ["{}/x", "{}/", "{}.ics", "{}%2Fx", "{}/all/x", "x/{}"])
def test_a_real_link_in_any_other_form_is_as_unknown_as_a_made_up_one(
    app: Flask, client: FlaskClient, planned: Planned, variant: str
) -> None:
    """An answer link takes exactly its own form: an extra segment, a suffix or an encoded
    slash gets the page of an unknown link, never the meeting."""
    before = _snapshot(app, planned)
    url = "/rsvp/" + variant.format(planned.secret)
    for response in (
        client.get(url, headers=EN),
        client.post(url, data={"answer": "accepted"}, headers=EN),
    ):
        assert response.status_code == 404, (url, response.status_code)
        page = response.get_data(as_text=True)
        assert "This link is not valid" in page or response.mimetype != "text/html"
        assert "Leerlijn techniek" not in page
    assert client.get(_url(planned), headers=EN).status_code == 200  # the link itself works
    assert _snapshot(app, planned) == before
