"""Helpers for page tests: accounts, logging in, forms posted with their CSRF token, and the
forms a page shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.models import Organisation, Person
from planner.services import accounts
from planner.web.security import Account

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def make_account(
    session: Session,
    email: str,
    *,
    name: str | None = None,
    admin: bool = False,
    schools: tuple[Organisation, ...] = (),
    password: str = PASSWORD,
) -> Person:
    """A person with a login (created, or given one if the address exists); committed."""
    person = session.query(Person).filter(Person.email == email).one_or_none()
    if person is None:
        person = Person(
            name=name or email.split("@")[0], email=email, created_at=NOW, updated_at=NOW
        )
        session.add(person)
        session.flush()
    accounts.set_password(session, person, password, NOW)
    person.is_admin = admin
    for org in schools:
        accounts.grant_school_admin(session, person, org, NOW)
    session.commit()
    return person


def login(client: FlaskClient, person: Person) -> None:
    """Log a client in as a person without the login form (the form has its own tests)."""
    with client.session_transaction() as cookie:
        cookie["_user_id"] = Account(person).get_id()
        cookie["_fresh"] = True


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for this client's session (as a rendered form would carry)."""
    app = client.application
    with client.session_transaction() as cookie:
        raw = cookie.setdefault("csrf_token", "0123456789abcdef0123456789abcdef01234567")
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    return str(serializer.dumps(raw))


def post(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any
) -> TestResponse:
    """POST a form with the session's CSRF token."""
    fields = dict(data or {})
    fields.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=fields, **kw)


def text_of(response: TestResponse) -> str:
    """The page's visible text, tags stripped and spaces collapsed (for 'the user sees X')."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class Forms(HTMLParser):
    """The forms of a page: method, action and the values a browser would send (hidden fields,
    checked radios and boxes), plus every radio option."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "method": a.get("method", "get"),
                    "action": a.get("action"),
                    "fields": [],
                    "radios": {},
                }
            )
        elif tag == "input" and self.forms:
            form = self.forms[-1]
            kind, name, value = a.get("type", "text"), a.get("name"), a.get("value", "")
            if kind == "radio":
                form["radios"].setdefault(name, []).append(value)
            if kind == "hidden" or (kind in ("radio", "checkbox") and "checked" in a):
                form["fields"].append((name, value))

    def post_form(self, action: str) -> dict[str, Any]:
        return next(f for f in self.forms if f["method"] == "post" and f["action"] == action)
