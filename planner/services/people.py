"""People: coordinators, school staff and partners who take part in collaborations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.errors import N_, ConflictError, NotFoundError, ValidationError
from planner.events import (
    EventKind,
    PersonRef,
    append_event,
)
from planner.inputs import parse_id, reject_unknown_fields, required_text
from planner.models import Person
from planner.services.organisations import find_organisation

FIELDS = {"name", "email", "organisation", "language"}
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
NAMED_ADDRESS = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>]+)>\s*$")
LANGUAGES = ("nl", "en")


def parse_email(value: Any, field: str = "email") -> str:
    """Return a normalised e-mail address, or raise a ValidationError."""
    text = required_text(value, 254, field).lower()
    # Mail goes out without SMTPUTF8: a non-ASCII address cannot be put in a header
    # (email.utils.formataddr raises), which failed every invitation of its collaboration.
    if not EMAIL.match(text) or not text.isascii():
        raise ValidationError(
            N_("%(field)s: '%(value)s' is not an e-mail address."), field=field, value=text
        )
    return text


def create_person(session: Session, raw: Mapping[str, Any], now: datetime) -> Person:
    """Create a person; the e-mail address must be new."""
    reject_unknown_fields(raw, FIELDS)
    email = parse_email(raw.get("email"))
    if session.scalar(select(Person.id).where(Person.email == email)) is not None:
        raise ConflictError(N_("There is already a person with e-mail %(email)s."), email=email)
    person = Person(
        name=required_text(raw.get("name"), 200, "name"),
        email=email,
        organisation=find_organisation(session, raw["organisation"])
        if raw.get("organisation")
        else None,
        language=_language(raw.get("language")),
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    append_event(session, EventKind.PERSON_CREATED, PersonRef(person.id), now)
    return person


def update_person(
    session: Session, person: Person, changes: Mapping[str, Any], now: datetime
) -> Person:
    """Change a person's name, e-mail address, organisation or language."""
    reject_unknown_fields(changes, FIELDS)
    if "name" in changes:
        person.name = required_text(changes["name"], 200, "name")
    if "email" in changes:
        email = parse_email(changes["email"])
        other = session.scalar(select(Person.id).where(Person.email == email))
        if other is not None and other != person.id:
            raise ConflictError(N_("There is already a person with e-mail %(email)s."), email=email)
        person.email = email
    if "organisation" in changes:
        ref = changes["organisation"]
        person.organisation = find_organisation(session, ref) if ref else None
    if "language" in changes:
        person.language = _language(changes["language"])
    if session.is_modified(person):
        person.updated_at = now
        session.flush()
        append_event(session, EventKind.PERSON_CHANGED, PersonRef(person.id), now)
    return person


def _language(value: Any) -> str:
    text = str(value or "nl").strip().lower()[:2]
    if text not in LANGUAGES:
        raise ValidationError(N_("language: choose nl or en."))
    return text


def find_person(session: Session, ref: str | int) -> Person:
    """Find a person by id or e-mail address, or raise NotFoundError."""
    text = str(ref).strip()
    person_id = parse_id(text)
    person: Person | None = None
    if person_id is not None:
        person = session.get(Person, person_id)
    elif "@" in text:
        person = session.scalar(select(Person).where(Person.email == text.lower()))
    if person is None:
        raise NotFoundError(N_("Unknown person '%(ref)s'."), ref=text)
    return person


def resolve_person(session: Session, ref: Any, now: datetime) -> Person:
    """Return the person a reference names, creating one for a new "Name <e-mail>".

    A reference is an id, an e-mail address, "Name <e-mail>", or {"name": …, "email": …}.
    """
    if isinstance(ref, Mapping):
        email = parse_email(ref.get("email"))
        found = session.scalar(select(Person).where(Person.email == email))
        return found or create_person(session, dict(ref), now)
    if isinstance(ref, bool) or not isinstance(ref, str | int):
        raise ValidationError(N_("A person is an id, an e-mail address or 'Name <e-mail>'."))
    match = NAMED_ADDRESS.match(str(ref))
    if match:
        email = parse_email(match["email"])
        found = session.scalar(select(Person).where(Person.email == email))
        return found or create_person(session, {"name": match["name"], "email": email}, now)
    return find_person(session, ref)


def list_people(session: Session) -> list[Person]:
    """List everyone by name."""
    return list(session.scalars(select(Person).order_by(Person.name, Person.id)))
