"""Accounts: logins for coordinators and administrators, and who administers which school.

A login is a person with a password hash. Partners never get one: their links carry a token.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from planner.domain.kinds import Role
from planner.errors import N_, ConflictError, NotFoundError, PlannerError, ValidationError
from planner.events import (
    AccountOpened,
    EventKind,
    PersonRef,
    append_event,
)
from planner.inputs import optional_text, parse_bool, parse_id, reject_unknown_fields
from planner.models import (
    Collaboration,
    CollaborationPerson,
    Organisation,
    OrganisationAdmin,
    Person,
)
from planner.services.organisations import find_organisation
from planner.services.people import create_person, parse_email

MIN_PASSWORD_LENGTH = 10
# The password hash of an account whose owner has not chosen a password yet (mailed a link).
PENDING = "!"
# Failed logins in a row before an account waits, and how long it waits.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
# Checked against when an address is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("never a password")


class LoginRefused(PlannerError):
    """Wrong address or password: one message for both, so addresses cannot be probed."""

    status = 401


class AccountLocked(PlannerError):
    """Too many failed logins in a row: the account waits a while."""

    status = 429


def hash_password(password: str) -> str:
    """Check a new password's strength and return its hash (scrypt, salted)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            N_("A password needs at least %(count)d characters."), count=MIN_PASSWORD_LENGTH
        )
    if len(password) > 200:
        raise ValidationError(N_("A password may have at most 200 characters."))
    return generate_password_hash(password)


def set_password(session: Session, person: Person, password: str, now: datetime) -> None:
    """Give a person a (new) password; this also ends a lock-out."""
    person.password_hash = hash_password(password)
    person.failed_logins = 0
    person.locked_until = None
    person.updated_at = now
    session.flush()


def open_account(session: Session, person: Person, now: datetime) -> bool:
    """Give a person a login whose password they choose by mail link; False if they had one."""
    if person.password_hash is not None:
        return False
    person.password_hash = PENDING
    person.updated_at = now
    session.flush()
    return True


def remove_login(session: Session, person: Person, now: datetime) -> None:
    """Take a person's login away (they stay a participant)."""
    person.password_hash = None
    person.is_admin = False
    person.updated_at = now
    session.flush()


@dataclass(frozen=True)
class LoginAttempt:
    """How a login went: the person, or why not. A failed attempt is counted either way, so
    the caller commits in both cases."""

    person: Person | None
    refused: PlannerError | None = None


def authenticate(session: Session, email: str, password: str, now: datetime) -> LoginAttempt:
    """Check an address and password; count failures, lock the account at the limit."""
    person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
    wrong = LoginRefused(N_("The e-mail address or the password is not right."))
    if person is None or person.password_hash in (None, PENDING):
        check_password_hash(_DUMMY_HASH, password)
        return LoginAttempt(None, wrong)
    if person.locked_until is not None and person.locked_until > now:
        return LoginAttempt(
            None,
            AccountLocked(
                N_(
                    "Too many failed attempts: this account is locked for %(minutes)d minutes."
                    " You can also reset your password."
                ),
                minutes=LOCK_MINUTES,
            ),
        )
    if not check_password_hash(person.password_hash, password):
        person.failed_logins += 1
        if person.failed_logins >= MAX_FAILED_LOGINS:
            person.failed_logins = 0
            person.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        session.flush()
        return LoginAttempt(None, wrong)
    person.failed_logins = 0
    person.locked_until = None
    person.last_login_at = now
    session.flush()
    return LoginAttempt(person)


def find_person_by_ref(session: Session, ref: str | int) -> Person:
    """Find a person by id or e-mail address, with or without a login."""
    text = str(ref).strip()
    if text.isdigit():  # an id; "²" and 99999999999999999999 are digits but no id
        person = session.get(Person, person_id) if (person_id := parse_id(text)) else None
    else:
        person = session.scalar(select(Person).where(Person.email == text.lower()))
    if person is None:
        raise NotFoundError(N_("There is no person '%(ref)s'."), ref=text)
    return person


def find_account(session: Session, ref: str | int) -> Person:
    """Find a person with a login by id or e-mail address."""
    person = find_person_by_ref(session, ref)
    if person.password_hash is None:
        raise NotFoundError(N_("%(email)s has no login."), email=person.email)
    return person


def list_accounts(session: Session) -> list[Person]:
    """Every person with a login, administrators first."""
    return list(
        session.scalars(
            select(Person)
            .where(Person.password_hash.is_not(None))
            .order_by(Person.is_admin.desc(), Person.name)
        )
    )


def set_platform_admin(session: Session, person: Person, is_admin: bool, now: datetime) -> None:
    """Make a person a platform administrator, or stop them being one (never the last one)."""
    if not is_admin and person.is_admin:
        others = session.scalar(
            select(Person.id).where(Person.is_admin.is_(True), Person.id != person.id).limit(1)
        )
        if others is None:
            raise ConflictError(N_("The last platform administrator cannot be removed."))
    person.is_admin = is_admin
    person.updated_at = now
    session.flush()


def administered_schools(
    session: Session, person: Person, *, every_for_admin: bool = True
) -> list[Organisation]:
    """The schools a person administers (every school for a platform administrator, unless
    `every_for_admin` is False: then only those they were made administrator of)."""
    query = select(Organisation).order_by(Organisation.name)
    if not (person.is_admin and every_for_admin):
        query = query.join(
            OrganisationAdmin, OrganisationAdmin.organisation_id == Organisation.id
        ).where(OrganisationAdmin.person_id == person.id)
    return list(session.scalars(query))


def may_administer(session: Session, person: Person, org: Organisation) -> bool:
    """Whether a person may edit this organisation's calendar."""
    if person.is_admin:
        return True
    row = session.get(OrganisationAdmin, (org.id, person.id))
    return row is not None


def grant_school_admin(session: Session, person: Person, org: Organisation, now: datetime) -> None:
    """Let a person administer an organisation's calendar (idempotent)."""
    if session.get(OrganisationAdmin, (org.id, person.id)) is None:
        session.add(OrganisationAdmin(organisation_id=org.id, person_id=person.id, created_at=now))
        session.flush()


def revoke_school_admin(session: Session, person: Person, org: Organisation) -> None:
    """Stop a person administering an organisation (idempotent)."""
    row = session.get(OrganisationAdmin, (org.id, person.id))
    if row is not None:
        session.delete(row)
        session.flush()


def coordinated_collaborations(
    session: Session, person: Person, *, every_for_admin: bool = True
) -> list[Collaboration]:
    """The collaborations a person coordinates (every one for a platform administrator, unless
    `every_for_admin` is False: then only those they coordinate themselves)."""
    query = select(Collaboration).order_by(Collaboration.name)
    if not (person.is_admin and every_for_admin):
        query = query.join(
            CollaborationPerson, CollaborationPerson.collaboration_id == Collaboration.id
        ).where(
            CollaborationPerson.person_id == person.id,
            CollaborationPerson.role == Role.COORDINATOR,
        )
    return list(session.scalars(query))


def may_coordinate(session: Session, person: Person, collab: Collaboration) -> bool:
    """Whether a person may see and change this collaboration."""
    if person.is_admin:
        return True
    row = session.get(CollaborationPerson, (collab.id, person.id))
    return row is not None and row.role == Role.COORDINATOR


ACCOUNT_FIELDS = {"email", "name", "language", "admin", "schools"}


def create_account(
    session: Session, raw: Mapping[str, Any], now: datetime, *, password: str | None = None
) -> Person:
    """Give a new or an existing person a login, with the roles asked for.

    Without `password` the person chooses one from a mailed link (the `account.opened` event
    has the worker send it). A person who already has a login is refused: nothing changes.
    """
    reject_unknown_fields(raw, ACCOUNT_FIELDS)
    email = parse_email(raw.get("email"))
    person = session.scalar(select(Person).where(Person.email == email))
    if person is None:
        name = optional_text(raw.get("name"), 200, "name")
        if name is None:
            raise ValidationError(
                N_("Give the name of this new person: %(email)s is new."), email=email
            )
        fields = {"name": name, "email": email}
        if raw.get("language"):
            fields["language"] = raw["language"]
        person = create_person(session, fields, now)
    elif person.password_hash is not None:
        raise ConflictError(N_("%(email)s already has a login."), email=person.email)
    schools = [find_organisation(session, ref) for ref in _refs(raw.get("schools"))]
    if password is not None:
        set_password(session, person, password, now)
    else:
        person.password_hash = PENDING
        person.updated_at = now
        session.flush()
    if parse_bool(raw.get("admin", False), "admin"):
        set_platform_admin(session, person, True, now)
    for org in schools:
        grant_school_admin(session, person, org, now)
    append_event(session, EventKind.ACCOUNT_OPENED, AccountOpened(person.id, password is None), now)
    return person


def _refs(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def request_password_link(session: Session, person: Person, now: datetime) -> None:
    """Have a link to choose a password mailed: the welcome link again while the person has not
    chosen one yet, else a reset link. Only for people with a login."""
    if person.password_hash is None:
        raise NotFoundError(N_("%(email)s has no login."), email=person.email)
    append_event(session, EventKind.PASSWORD_LINK_REQUESTED, PersonRef(person.id), now)


def request_password_reset(session: Session, email: str, now: datetime) -> bool:
    """A reset asked for from the login page: mail a link if the address has a login.

    Returns whether one goes out; the page must say the same either way, so that nobody can
    find out which addresses have an account.
    """
    person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None or person.password_hash is None:
        return False
    request_password_link(session, person, now)
    return True


def removal_refusal(person: Person, actor: Person | None) -> ConflictError | None:
    """Why `actor` may not take this login away (their own), or None."""
    if actor is not None and actor.id == person.id:
        return ConflictError(
            N_("You cannot remove your own login. Ask another platform administrator.")
        )
    return None


def remove_account(
    session: Session, person: Person, now: datetime, *, actor: Person | None = None
) -> None:
    """Take a login away with every role it gives; the person stays a participant.

    Refused for one's own login (`actor`), and for the last platform administrator.
    """
    refusal = removal_refusal(person, actor)
    if refusal is not None:
        raise refusal
    if person.is_admin:
        set_platform_admin(session, person, False, now)  # never the last one
    for org in roles_of(session, [person.id])[person.id].schools:
        revoke_school_admin(session, person, org)
    remove_login(session, person, now)


@dataclass
class Roles:
    """What a person may do besides taking part: schools they administer, collaborations they
    coordinate."""

    schools: list[Organisation] = field(default_factory=list)
    coordinates: list[Collaboration] = field(default_factory=list)


def roles_of(session: Session, people_ids: Iterable[int]) -> dict[int, Roles]:
    """Per person: the organisations they administer and the collaborations they coordinate."""
    ids = list(people_ids)
    roles: dict[int, Roles] = defaultdict(Roles)
    for person_id, org in session.execute(
        select(OrganisationAdmin.person_id, Organisation)
        .join(Organisation, Organisation.id == OrganisationAdmin.organisation_id)
        .where(OrganisationAdmin.person_id.in_(ids))
        .order_by(Organisation.name)
    ):
        roles[person_id].schools.append(org)
    for person_id, collab in session.execute(
        select(CollaborationPerson.person_id, Collaboration)
        .join(Collaboration, Collaboration.id == CollaborationPerson.collaboration_id)
        .where(
            CollaborationPerson.person_id.in_(ids),
            CollaborationPerson.role == Role.COORDINATOR,
        )
        .order_by(Collaboration.name)
    ):
        roles[person_id].coordinates.append(collab)
    return roles
