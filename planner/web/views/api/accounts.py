"""JSON API: logins and their roles (the same rules as the administration pages and
`planner users`)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from planner.clock import app_now
from planner.errors import N_, ValidationError
from planner.inputs import parse_bool, reject_unknown_fields
from planner.presenters.accounts import account_json
from planner.services import accounts, organisations
from planner.web.requests import commit, get_session
from planner.web.security import current_person
from planner.web.views.api.base import body, bp, created


@bp.get("/accounts")
def list_accounts() -> Any:
    """Every person with a login, administrators first."""
    return jsonify([account_json(person) for person in accounts.list_accounts(get_session())])


@bp.post("/accounts")
def create_account() -> Any:
    """Give a new or an existing person a login: {"email", "name" (for someone new),
    "language", "admin", "schools": [id or BRIN]}. They get a mail to choose a password."""
    session = get_session()
    person = accounts.create_account(session, body(), app_now())
    commit()
    return created(account_json(person), url_for(".get_account", ref=person.id))


@bp.get("/accounts/<ref>")
def get_account(ref: str) -> Any:
    """One login, by id or e-mail address."""
    return jsonify(account_json(accounts.find_account(get_session(), ref)))


@bp.patch("/accounts/<ref>")
def update_account(ref: str) -> Any:
    """Change a login's roles: {"admin": true|false, "schools": [id or BRIN]} (schools: exactly
    these)."""
    session = get_session()
    person = accounts.find_account(session, ref)
    changes = body()
    reject_unknown_fields(changes, {"admin", "schools"})
    now = app_now()
    if "admin" in changes:
        accounts.set_platform_admin(session, person, parse_bool(changes["admin"], "admin"), now)
    if "schools" in changes:
        if not isinstance(changes["schools"], list):
            raise ValidationError(N_("schools must be a list of organisations."))
        wanted = [organisations.find_organisation(session, ref) for ref in changes["schools"]]
        current = accounts.roles_of(session, [person.id])[person.id].schools
        for org in current:
            if org not in wanted:
                accounts.revoke_school_admin(session, person, org)
        for org in wanted:
            accounts.grant_school_admin(session, person, org, now)
    commit()
    session.refresh(person)
    return jsonify(account_json(person))


@bp.post("/accounts/<ref>/password-link")
def password_link(ref: str) -> Any:
    """Mail the person a link to choose a (new) password."""
    session = get_session()
    person = accounts.find_account(session, ref)
    accounts.request_password_link(session, person, app_now())
    commit()
    return jsonify(account_json(person)), 202


@bp.delete("/accounts/<ref>")
def delete_account(ref: str) -> Any:
    """Take the login and its roles away; the person stays a participant."""
    session = get_session()
    person = accounts.find_account(session, ref)
    accounts.remove_account(session, person, app_now(), actor=current_person())
    commit()
    return "", 204
