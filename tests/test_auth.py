"""Logins: the form, lock-out and rate limit, CSRF, cookies, password links, the API's access
rule and the `planner users` commands."""

from __future__ import annotations

import re
import time
from email import message_from_string, policy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.models import Mail, Organisation, OrganisationAdmin, Person
from planner.services import accounts
from tests.helpers import CLI, count_rows, dispatch
from tests.web import PASSWORD, csrf_token, login, make_account, post, text_of


def _login_form(client: FlaskClient, email: str, password: str) -> TestResponse:
    return post(client, "/login", {"email": email, "password": password})


def test_front_door_sends_strangers_to_the_login_page(browser: FlaskClient) -> None:
    response = browser.get("/")
    assert response.status_code == 302 and response.location.endswith("/login")
    page = browser.get("/login")
    assert '<html lang="nl">' in page.get_data(as_text=True)
    assert "Inloggen" in text_of(page) and "Wachtwoord vergeten?" in text_of(page)


def test_a_page_behind_the_login_comes_back_after_logging_in(
    browser: FlaskClient, session: Session
) -> None:
    make_account(session, "coord@school.example")
    response = browser.get("/schools")
    assert response.status_code == 302 and "/login?next=/schools" in response.location
    answer = post(
        browser,
        "/login?next=/schools",
        {"email": "coord@school.example", "password": PASSWORD},
    )
    assert answer.status_code == 302 and answer.location.endswith("/schools")
    # Logged in already: the login page forwards to where the person was heading.
    assert browser.get("/login?next=/schools").location.endswith("/schools")


def test_wrong_password_and_unknown_address_get_the_same_message(
    browser: FlaskClient, session: Session
) -> None:
    make_account(session, "coord@school.example")
    wrong = _login_form(browser, "coord@school.example", "not the password")
    unknown = _login_form(browser, "nobody@school.example", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    message = "Het e-mailadres of het wachtwoord klopt niet."
    assert message in text_of(wrong) and message in text_of(unknown)
    assert browser.get("/dashboard").status_code == 302  # still not logged in


def test_an_open_redirect_is_not_followed(browser: FlaskClient, session: Session) -> None:
    make_account(session, "coord@school.example")
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = post(
            browser,
            f"/login?next={target}",
            {"email": "coord@school.example", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert "evil" not in response.location and "javascript" not in response.location
        post(browser, "/logout")


def test_five_wrong_passwords_lock_the_account_for_a_while(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    app.config["FROZEN_NOW"] = "2026-09-01T08:00:00Z"
    person = make_account(session, "coord@school.example")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert _login_form(browser, person.email, "wrong").status_code == 401
    locked = _login_form(browser, person.email, PASSWORD)
    assert locked.status_code == 429 and "geblokkeerd" in text_of(locked)
    app.config["FROZEN_NOW"] = "2026-09-01T08:16:00Z"  # fifteen minutes later
    assert _login_form(browser, person.email, PASSWORD).status_code == 302


def test_logins_from_one_address_are_rate_limited(app: Flask, browser: FlaskClient) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    codes = [_login_form(browser, f"n{i}@x.example", "wrong").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert "Te veel pogingen" in text_of(_login_form(browser, "n@x.example", "wrong"))


def test_every_form_needs_its_csrf_token(browser: FlaskClient, session: Session) -> None:
    person = make_account(session, "coord@school.example")
    response = browser.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400 and "verlopen" in text_of(response)
    assert browser.get("/dashboard").status_code == 302  # not logged in
    login(browser, person)
    assert browser.post("/logout").status_code == 400  # a forged logout does nothing
    assert browser.get("/dashboard").status_code == 200


def test_session_cookie_is_http_only_and_secure_behind_https(
    database_url: str, tmp_path: object
) -> None:
    from planner import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "PUBLIC_URL": "https://planner.example.nl",
        }
    )
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    app.extensions["planner.db"].engine.dispose()


def test_password_reset_by_mail_link(app: Flask, browser: FlaskClient, session: Session) -> None:
    app.config["FROZEN_NOW"] = "2026-09-01T08:00:00Z"
    app.config["PUBLIC_URL"] = "https://planner.example.nl"
    person = make_account(session, "coord@school.example")
    asked = post(browser, "/password/forgotten", {"email": "Coord@School.example"})
    unknown = post(browser, "/password/forgotten", {"email": "nobody@school.example"})
    assert asked.status_code == unknown.status_code == 302  # the same answer for both
    dispatch(app)  # the worker writes the mail
    mails = session.scalars(select(Mail)).all()
    assert [m.recipient for m in mails] == ["coord@school.example"]
    body = message_from_string(mails[0].raw, policy=policy.default)
    text = body.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"https://planner\.example\.nl(/password/reset/\S+)", text)
    assert link, text
    path = link.group(1)
    page = browser.get(path)
    assert page.status_code == 200 and "coord@school.example" in text_of(page)
    short = post(browser, path, {"password": "short", "confirm": "short"})
    assert "10" in text_of(short)  # at least ten characters
    differ = post(browser, path, {"password": "a new long one", "confirm": "another one"})
    assert "verschillen" in text_of(differ)
    done = post(browser, path, {"password": "a new long one", "confirm": "a new long one"})
    assert done.status_code == 302
    assert browser.get(path).status_code == 404  # used once: the link stops working
    assert _login_form(browser, person.email, PASSWORD).status_code == 401
    assert _login_form(browser, person.email, "a new long one").status_code == 302


def test_a_reset_link_expires(app: Flask, browser: FlaskClient, session: Session) -> None:
    from planner.messaging.passwords import password_link

    person = make_account(session, "coord@school.example")
    with app.test_request_context():
        link = password_link(person)
    path = link[link.index("/password/") :]
    assert browser.get(path).status_code == 200
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert browser.get(forged).status_code == 404
    app.config["PASSWORD_RESET_HOURS"] = 0
    time.sleep(1.1)  # itsdangerous counts whole seconds from the signing
    expired = browser.get(path)
    assert expired.status_code == 404 and "werkt niet meer" in text_of(expired)


def test_changing_the_password_logs_out_other_sessions(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    person = make_account(session, "coord@school.example")
    login(browser, person)
    assert browser.get("/dashboard").status_code == 200
    accounts.set_password(session, person, "something else entirely", person.updated_at)
    session.commit()
    assert browser.get("/dashboard").status_code == 302


def test_logout_needs_a_post_and_ends_the_session(browser: FlaskClient, session: Session) -> None:
    person = make_account(session, "coord@school.example")
    login(browser, person)
    assert browser.get("/logout").status_code == 405
    assert browser.get("/dashboard").status_code == 200
    assert post(browser, "/logout").status_code == 302
    assert browser.get("/dashboard").status_code == 302


def test_the_chosen_language_sticks(browser: FlaskClient) -> None:
    browser.get("/language/en?next=/login")
    page = browser.get("/login")
    assert '<html lang="en">' in page.get_data(as_text=True) and "Log in" in text_of(page)
    assert browser.get("/language/en?next=https://evil.example").location == "/"


def test_error_pages_speak_dutch(browser: FlaskClient) -> None:
    missing = browser.get("/no/such/page")
    assert missing.status_code == 404 and "bestaat niet" in text_of(missing)


def test_the_api_needs_the_token_or_an_administrators_login(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    assert browser.get("/api/v1/organisations").status_code == 401
    wrong = browser.get("/api/v1/organisations", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    coordinator = make_account(session, "coord@school.example")
    login(browser, coordinator)
    assert browser.get("/api/v1/organisations").status_code == 403
    admin = make_account(session, "admin@planner.example", admin=True)
    login(browser, admin)
    assert browser.get("/api/v1/organisations").status_code == 200
    before = count_rows(app, Organisation)
    body = {"kind": "partner", "name": "Bibliotheek"}
    # A browser session's write needs its CSRF token, as a form would.
    assert browser.post("/api/v1/organisations", json=body).status_code == 400
    assert count_rows(app, Organisation) == before
    token = csrf_token(browser)
    made = browser.post("/api/v1/organisations", json=body, headers={"X-CSRFToken": token})
    assert made.status_code == 201 and count_rows(app, Organisation) == before + 1


def test_users_commands(app: Flask, cli: CLI, session: Session) -> None:
    cli.ok("demo")
    dispatch(app)  # the demo's own invitations first
    out = cli.ok("users", "list")
    assert "beheer@planner.example" in out and "platformbeheerder" in out
    assert "beheert Minnaert College" in out
    added = cli.ok("users", "add", "nieuw@school.example", "--name", "Nieuw", "--school", "91XB")
    assert "nieuw@school.example" in added
    person = session.scalar(select(Person).where(Person.email == "nieuw@school.example"))
    assert person is not None and person.password_hash == accounts.PENDING
    dispatch(app)  # the worker writes the welcome mail
    assert session.scalar(select(Mail).where(Mail.recipient == person.email)) is not None
    assert session.get(OrganisationAdmin, (person.organisation_id or 0, person.id)) is None
    assert len(person.administers) == 1
    refused = cli("users", "admin", "beheer@planner.example", "--off")
    assert refused.exit_code != 0 and "laatste" in refused.output
    short = cli("users", "set-password", "nieuw@school.example", "--password", "kort")
    assert short.exit_code != 0
    cli.ok("users", "set-password", "nieuw@school.example", "--password", "lang genoeg wachtwoord")
    cli.ok("users", "remove", "nieuw@school.example")
    session.expire_all()
    assert session.get(Person, person.id).password_hash is None  # type: ignore[union-attr]


@pytest.mark.parametrize("email", ["a.devries@minnaert.example", "beheer@planner.example"])
def test_demo_accounts_log_in(browser: FlaskClient, cli: CLI, email: str) -> None:
    cli.ok("demo")
    response = _login_form(browser, email, "planner-demo")
    assert response.status_code == 302
    assert browser.get("/dashboard").status_code == 200


@pytest.mark.parametrize("ref", ["²", "99999999999999999999", "0"])
def test_a_number_that_is_no_id_is_an_unknown_account(cli: CLI, session: Session, ref: str) -> None:
    """Unicode digits passed str.isdigit() and broke int(); a huge number broke PostgreSQL."""
    with pytest.raises(accounts.NotFoundError):
        accounts.find_account(session, ref)
    result = cli("users", "reset-link", ref)
    assert result.exit_code != 0 and not isinstance(result.exception, ValueError | OverflowError)
    assert count_rows(cli.runner.app, Mail) == 0


@pytest.mark.parametrize("session_id", ["²:abc", "99999999999999999999:abc", ":abc", "x"])
def test_a_session_that_names_no_id_logs_nobody_in(app: Flask, session_id: str) -> None:
    from planner.web.security import _load_account

    with app.test_request_context():
        assert _load_account(session_id) is None


def test_a_real_password_link_in_any_other_form_is_as_unknown_as_a_made_up_one(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    """Issue 16, part 5: an extra segment, a suffix, a changed case or an encoding variant of
    a working link answers exactly what a made-up link answers."""
    from urllib.parse import quote

    from planner.messaging.passwords import password_link

    person = make_account(session, "coord@school.example")
    with app.test_request_context():
        link = password_link(person)
    path = link[link.index("/password/") :]
    token = path.removeprefix("/password/reset/")
    unknown = browser.get("/password/reset/made-up")
    assert unknown.status_code == 404
    variants = [
        f"{path}/",
        f"{path}/x",
        f"{path}.",
        f"{path}%00",
        f"{path}%20",
        f"/password/reset/{token.swapcase()}",
        f"/password/reset/{quote(token[:4])}%{ord(token[4]):02X}{token[5:]}x",
        f"/password/reset/{token}" + "a" * 8000,
        f"/password/reset/x/{token}",
    ]
    for variant in variants:
        answer = browser.get(variant)
        assert answer.status_code == 404, variant
        assert _main(answer) == _main(unknown), variant
    assert browser.get(path).status_code == 200  # the link itself still works


def _main(response: Any) -> str:
    """What a page says (its <main>; the header's language switch links to the page itself)."""
    html = response.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]
