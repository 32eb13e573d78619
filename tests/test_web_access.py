"""Who may reach whom through the web pages: nothing a user types or sends leads them to someone
else's data. The demo is seen on 1 Sep 2026 (the shared `demo` fixture)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import (
    ANOUK,
    MARLOES,
    WOERDEN,
    log_in_as,
    pages_snapshot,
    person_by_email,
    woerden_form,
)
from tests.web import post, text_of


def test_people_fields_take_addresses_not_database_ids(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    """A number in the people fields named any stored person by id: a coordinator could add
    everyone, one id at a time, and read their names and addresses on the collaboration page
    (and send them invitations)."""
    log_in_as(browser, session, ANOUK)
    stranger = person_by_email(session, MARLOES)
    before = pages_snapshot(app, session)
    edit = post(
        browser,
        f"/collaborations/{WOERDEN}/edit?lang=en",
        woerden_form(participant_lines=str(stranger.id)),
    )
    assert edit.status_code == 400
    assert f"Unknown person '{stranger.id}'" in text_of(edit).replace("&#39;", "'")
    new = post(
        browser,
        "/collaborations/new?lang=en",
        woerden_form(name="Nieuw", coordinator_lines=f"{ANOUK}\n{stranger.id}"),
    )
    assert new.status_code == 400
    assert pages_snapshot(app, session) == before
    page = browser.get(f"/collaborations/{WOERDEN}").get_data(as_text=True)
    assert MARLOES not in page
    # An address keeps working, also for someone new.
    fine = post(
        browser,
        f"/collaborations/{WOERDEN}/edit",
        woerden_form(participant_lines="Nieuwe Partner <nieuw@partner.example>"),
    )
    assert fine.status_code == 302
