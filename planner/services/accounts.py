"""Accounts: logins for coordinators and administrators, and who administers which school.

A login is a person with a password hash. Partners never get one: their links carry a token.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from planner.domain.kinds import Role
from planner.errors import N_, ConflictError, NotFoundError, PlannerError, ValidationError
from planner.inputs import parse_id
from planner.models import (
    Collaboration,
    CollaborationPerson,
    Organisation,
    OrganisationAdmin,
    Person,
)

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


def authenticate(session: Session, email: str, password: str, now: datetime) -> Person:
    """Return the person whose address and password these are; count failures, lock at the limit.

    The caller commits whatever happens: a failed attempt must be remembered too.
    """
    person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None or person.password_hash in (None, PENDING):
        check_password_hash(_DUMMY_HASH, password)
        raise LoginRefused(N_("The e-mail address or the password is not right."))
    if person.locked_until is not None and person.locked_until > now:
        raise AccountLocked(
            N_(
                "Too many failed attempts: this account is locked for %(minutes)d minutes."
                " You can also reset your password."
            ),
            minutes=LOCK_MINUTES,
        )
    if not check_password_hash(person.password_hash, password):
        person.failed_logins += 1
        if person.failed_logins >= MAX_FAILED_LOGINS:
            person.failed_logins = 0
            person.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        session.flush()
        raise LoginRefused(N_("The e-mail address or the password is not right."))
    person.failed_logins = 0
    person.locked_until = None
    person.last_login_at = now
    session.flush()
    return person


def find_account(session: Session, ref: str | int) -> Person:
    """Find a person by id or e-mail address."""
    text = str(ref).strip()
    if text.isdigit():  # an id; "²" and 99999999999999999999 are digits but no id
        person = session.get(Person, person_id) if (person_id := parse_id(text)) else None
    else:
        person = session.scalar(select(Person).where(Person.email == text.lower()))
    if person is None:
        raise NotFoundError(N_("There is no person '%(ref)s'."), ref=text)
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
