"""The feeds page: a person's feeds with their secret links; a new link shown once; revoke and
renew; nobody manages the links of a feed they may not see."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.secrets import hash_secret
from planner.feeds import tokens as feeds
from planner.models import Collaboration, FeedToken, Person
from planner.services import organisations as orgs
from tests.factories import person_by_email, url_path
from tests.helpers import count_rows
from tests.web import NOW, csrf_token, login, make_account, post, text_of

WOERDEN = "Startersbegeleiding Woerden"
EINDHOVEN = "Doorlopende leerlijn techniek Eindhoven"
NOORD_HOLLAND = "Onderwijs-zorgarrangement Noord-Holland–Brabant"


def _collab(session: Session, name: str) -> Collaboration:
    return session.scalars(select(Collaboration).where(Collaboration.name == name)).one()


@pytest.fixture
def anouk(session: Session, demo: None) -> Person:
    """Coordinator of Woerden (with Pieter Jansen)."""
    return person_by_email(session, "a.devries@minnaert.example", fresh=True)


@pytest.fixture
def as_anouk(browser: FlaskClient, anouk: Person) -> FlaskClient:
    login(browser, anouk)
    return browser


def _create(
    client: FlaskClient, kind: str, target: int, label: str = "", language: str = "nl"
) -> TestResponse:
    prefix = f"{kind}-{target}-"
    return client.post(
        f"/subscriptions/{kind}/{target}/links",
        data={
            prefix + "csrf_token": csrf_token(client),
            prefix + "label": label,
            prefix + "language": language,
        },
    )


def _shown_url(response: TestResponse) -> str | None:
    """The https address of a new link on the page, if one is shown."""
    match = re.search(r'id="new-link-https"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def _tokens(app: Flask) -> list[Any]:
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id, feed_id, token_hash, revoked_at FROM feed_token ORDER BY id")
        ).all()


def test_anonymous_visitors_are_sent_to_log_in(app: Flask, browser: FlaskClient) -> None:
    response = browser.get("/subscriptions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _create(browser, "person", 1).status_code == 302
    assert count_rows(app, FeedToken) == 0


def test_the_page_shows_the_persons_feeds_and_no_one_elses(
    app: Flask, as_anouk: FlaskClient, session: Session, anouk: Person
) -> None:
    # Someone else's links exist: the page must not show them.
    other = person_by_email(session, "f.elamrani@vakcollege-eindhoven.example", fresh=True)
    theirs = feeds.create_token(session, NOW, person=other.id, label="Fatima phone")
    eindhoven = feeds.create_token(
        session, NOW, collaboration=_collab(session, EINDHOVEN).id, label="Eindhoven board"
    )
    mine = feeds.create_token(session, NOW, person=anouk.id, label="Anouk laptop")
    session.commit()

    response = as_anouk.get("/subscriptions?lang=en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    assert "All my meetings" in page and "Anouk laptop" in page and f"{mine.secret[:4]}…" in page
    assert WOERDEN in page and f"{WOERDEN}, with blocked days" in page
    for absent in (EINDHOVEN, NOORD_HOLLAND, "Fatima phone", "Eindhoven board"):
        assert absent not in page
    for secret in (theirs.secret, eindhoven.secret, mine.secret):
        assert secret not in response.get_data(as_text=True)
    # Anouk administers no school; the public region feeds are always there.
    assert "Schools I administer" not in page
    for region in ("noord", "midden", "zuid"):
        assert f"/feeds/regions/{region}.ics?lang=en" in response.get_data(as_text=True)


def test_a_school_administrator_sees_their_schools_feed(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    login(browser, person_by_email(session, "roosters@minnaert.example", fresh=True))
    page = text_of(browser.get("/subscriptions?lang=en"))
    assert "Schools I administer" in page and "Minnaert College" in page
    assert "You coordinate no collaboration" in page
    assert "Groenendaal" not in page


def test_a_new_link_is_shown_once_and_serves_the_calendar(
    app: Flask, as_anouk: FlaskClient, session: Session, anouk: Person
) -> None:
    woerden = _collab(session, WOERDEN)
    response = _create(as_anouk, "collaboration", woerden.id, label="Teamagenda")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/subscriptions#new-link")
    assert "token" not in response.headers["Location"]  # the secret never goes in a URL

    first = as_anouk.get("/subscriptions?lang=en")
    url = _shown_url(first)
    assert url is not None and url.endswith(".ics")
    page = first.get_data(as_text=True)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert f'value="webcal://{url.split("://", 1)[1]}"' in page
    assert "calendar.google.com/calendar/render?cid=webcal%3A%2F%2F" in page
    assert "outlook.live.com/calendar/0/addfromweb" in page
    assert "outlook.office.com/calendar/0/addfromweb" in page
    assert "This is the only time this link is shown." in text_of(first)
    assert "Teamagenda" in text_of(first)

    # The link really serves the collaboration's calendar.
    feed = as_anouk.get(url_path(url))
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert b"BEGIN:VCALENDAR" in feed.data and WOERDEN.encode() in feed.data

    # Shown once: the next view lists the link (by its first characters) without the secret.
    second = as_anouk.get("/subscriptions?lang=en")
    assert _shown_url(second) is None
    assert secret not in second.get_data(as_text=True)
    assert f"{secret[:4]}…" in text_of(second)
    stored = session.scalars(select(FeedToken)).one()
    assert stored.token_hash == hash_secret(secret) and stored.label == "Teamagenda"
    assert stored.feed.collaboration_id == woerden.id and not stored.feed.blocked_days


def test_each_kind_of_feed_gets_its_link(
    app: Flask, as_anouk: FlaskClient, session: Session, anouk: Person
) -> None:
    woerden = _collab(session, WOERDEN)
    for kind, target in (("person", anouk.id), ("blocked", woerden.id)):
        assert _create(as_anouk, kind, target, language="en").status_code == 302
        url = _shown_url(as_anouk.get("/subscriptions"))
        assert url is not None
        assert as_anouk.get(url_path(url)).status_code == 200
    tokens = session.scalars(select(FeedToken).order_by(FeedToken.id)).all()
    assert [(t.feed.scope.value, t.feed.blocked_days, t.feed.language) for t in tokens] == [
        ("person", False, "en"),
        ("collaboration", True, "en"),
    ]
    # An empty note on a shared feed says who made the link.
    assert tokens[0].label is None and tokens[1].label == anouk.name


def test_revoking_a_link_stops_it_and_leaves_others_working(
    app: Flask, as_anouk: FlaskClient, session: Session, anouk: Person
) -> None:
    old = feeds.create_token(session, NOW, person=anouk.id, label="old phone")
    other = feeds.create_token(session, NOW, person=anouk.id, label="laptop")
    session.commit()
    assert as_anouk.get(f"/feeds/{old.secret}.ics").status_code == 200

    confirm = as_anouk.get(f"/subscriptions/links/{old.token.id}/revoke?lang=en")
    assert confirm.status_code == 200
    assert "Revoke this link?" in text_of(confirm) and "old phone" in text_of(confirm)
    assert session.get(FeedToken, old.token.id).revoked_at is None  # asking changes nothing

    response = post(as_anouk, f"/subscriptions/links/{old.token.id}/revoke?lang=en")
    assert response.status_code == 302
    assert as_anouk.get(f"/feeds/{old.secret}.ics").status_code == 404
    assert as_anouk.get(f"/feeds/{other.secret}.ics").status_code == 200
    page = text_of(as_anouk.get("/subscriptions?lang=en"))
    assert "is revoked" in page and "old phone" not in page and "laptop" in page
    # A revoked link cannot be revoked or renewed again.
    assert as_anouk.get(f"/subscriptions/links/{old.token.id}/revoke").status_code == 404
    assert post(as_anouk, f"/subscriptions/links/{old.token.id}/renew").status_code == 404


def test_renewing_a_link_replaces_it(
    app: Flask, as_anouk: FlaskClient, session: Session, anouk: Person
) -> None:
    woerden = _collab(session, WOERDEN)
    old = feeds.create_token(session, NOW, collaboration=woerden.id, label="Teamagenda")
    session.commit()
    confirm = text_of(as_anouk.get(f"/subscriptions/links/{old.token.id}/renew?lang=en"))
    assert "Renew this link?" in confirm
    response = post(as_anouk, f"/subscriptions/links/{old.token.id}/renew")
    assert response.status_code == 302
    shown = as_anouk.get("/subscriptions?lang=en")
    assert "Your renewed link" in text_of(shown)
    url = _shown_url(shown)
    assert url is not None
    assert as_anouk.get(f"/feeds/{old.secret}.ics").status_code == 404
    assert as_anouk.get(url_path(url)).status_code == 200
    session.expire_all()
    new = session.scalars(select(FeedToken).where(FeedToken.revoked_at.is_(None))).one()
    assert new.renewed_from_id == old.token.id and new.label == "Teamagenda"
    assert _shown_url(as_anouk.get("/subscriptions")) is None


def test_another_persons_links_cannot_be_touched(
    app: Flask, as_anouk: FlaskClient, session: Session, anouk: Person
) -> None:
    fatima = person_by_email(session, "f.elamrani@vakcollege-eindhoven.example", fresh=True)
    eindhoven = _collab(session, EINDHOVEN)
    school = orgs.find_organisation(session, "91XB")
    foreign = [
        feeds.create_token(session, NOW, person=fatima.id),
        feeds.create_token(session, NOW, collaboration=eindhoven.id),
        feeds.create_token(session, NOW, organisation=school.id),
    ]
    session.commit()
    before = _tokens(app)
    for issued in foreign:
        token_id = issued.token.id
        for action in ("revoke", "renew"):
            assert as_anouk.get(f"/subscriptions/links/{token_id}/{action}").status_code == 404
            assert post(as_anouk, f"/subscriptions/links/{token_id}/{action}").status_code == 404
        assert as_anouk.get(f"/feeds/{issued.secret}.ics").status_code == 200
    # Nor can links be made for what Anouk may not see.
    for kind, target in (
        ("person", fatima.id),
        ("collaboration", eindhoven.id),
        ("blocked", eindhoven.id),
        ("organisation", school.id),
        ("region", 1),
        ("person", 99999),
    ):
        assert _create(as_anouk, kind, target).status_code == 404, kind
    assert as_anouk.get(f"/subscriptions?collaboration={eindhoven.id}").status_code == 404
    assert as_anouk.get(f"/subscriptions?organisation={school.id}").status_code == 404
    assert _tokens(app) == before


def test_a_coordinator_manages_the_collaborations_links_of_a_partner(
    app: Flask, as_anouk: FlaskClient, session: Session
) -> None:
    """A link made from a partner's answer page is listed for the coordinators to revoke."""
    woerden = _collab(session, WOERDEN)
    partner = feeds.create_token(
        session, NOW, collaboration=woerden.id, label="Esra Yilmaz <e.yilmaz@groenendaal.example>"
    )
    session.commit()
    page = text_of(as_anouk.get("/subscriptions?lang=en"))
    assert "Esra Yilmaz" in page
    assert post(as_anouk, f"/subscriptions/links/{partner.token.id}/revoke").status_code == 302
    assert as_anouk.get(f"/feeds/{partner.secret}.ics").status_code == 404


def test_an_administrator_may_manage_any_feed(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    admin = person_by_email(session, "beheer@planner.example", fresh=True)
    login(browser, admin)
    eindhoven = _collab(session, EINDHOVEN)
    own = text_of(browser.get("/subscriptions?lang=en"))
    assert EINDHOVEN not in own  # the page lists the administrator's own feeds ...
    focused = text_of(browser.get(f"/subscriptions?collaboration={eindhoven.id}&lang=en"))
    assert EINDHOVEN in focused  # ... and any other on request
    assert _create(browser, "collaboration", eindhoven.id).status_code == 302
    assert _shown_url(browser.get("/subscriptions")) is not None
    fatima = person_by_email(session, "f.elamrani@vakcollege-eindhoven.example", fresh=True)
    issued = feeds.create_token(session, NOW, person=fatima.id)
    session.commit()
    assert post(browser, f"/subscriptions/links/{issued.token.id}/revoke").status_code == 302
    assert browser.get(f"/feeds/{issued.secret}.ics").status_code == 404


def test_bad_input_is_refused_and_stores_nothing(
    app: Flask, as_anouk: FlaskClient, anouk: Person
) -> None:
    before = _tokens(app)
    response = _create(as_anouk, "person", anouk.id, label="x" * 201)
    assert response.status_code == 400
    assert "200" in text_of(response)  # the note is too long
    response = _create(as_anouk, "person", anouk.id, language="de")
    assert response.status_code == 400
    assert "Ongeldige keuze" in text_of(response)
    # Without a CSRF token nothing happens.
    response = as_anouk.post(
        f"/subscriptions/person/{anouk.id}/links", data={f"person-{anouk.id}-label": "x"}
    )
    assert response.status_code == 400
    response = as_anouk.post(f"/subscriptions/links/{1}/revoke")
    assert response.status_code in (400, 404)
    assert _tokens(app) == before


def test_the_page_speaks_dutch_and_works_without_javascript(
    as_anouk: FlaskClient, anouk: Person
) -> None:
    assert _create(as_anouk, "person", anouk.id).status_code == 302
    response = as_anouk.get("/subscriptions")
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page
    # The address is in a read-only field (selectable by hand); the copy button is hidden until
    # the script shows it.
    field = re.search(r'<input type="text" id="new-link-https"[^>]*>', page)
    assert field and "readonly" in field.group(0)
    button = re.search(r'<button type="button"[^>]*data-copy="new-link-https"[^>]*>', page)
    assert button and " hidden" in button.group(0)
    assert "subscriptions.js" in page
    assert 'for="new-link-https"' in page  # the field has a label


def test_a_new_link_is_not_shown_to_someone_else_in_the_same_browser(
    app: Flask, browser: FlaskClient, session: Session, anouk: Person
) -> None:
    """The carried secret is checked against the viewer before it is shown."""
    login(browser, anouk)
    assert _create(browser, "person", anouk.id).status_code == 302
    fatima = make_account(session, "f.elamrani@vakcollege-eindhoven.example")
    with browser.session_transaction() as cookie:
        carried = dict(cookie["planner.new_feed_link"])
    login(browser, fatima)
    with browser.session_transaction() as cookie:
        cookie["planner.new_feed_link"] = carried
    assert _shown_url(browser.get("/subscriptions")) is None
