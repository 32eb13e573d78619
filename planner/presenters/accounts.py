"""JSON shape of a login, shared by the API and the CLI."""

from __future__ import annotations

from typing import Any

from planner.models import Person
from planner.services.accounts import PENDING


def account_json(person: Person) -> dict[str, Any]:
    """A person with a login: roles and state, never the password hash."""
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "language": person.language,
        "admin": person.is_admin,
        "schools": [row.organisation_id for row in person.administers],
        "password_set": person.password_hash != PENDING,
        "last_login_at": person.last_login_at.isoformat() if person.last_login_at else None,
    }
