"""`planner users`: logins for coordinators and administrators, and their roles."""

from __future__ import annotations

import sys

import click
from flask_babel import gettext as _

from planner.cli.base import change, echo_json, echo_table, group, json_option, reading
from planner.clock import app_now
from planner.models import Person
from planner.presenters.accounts import account_json
from planner.services import accounts, organisations


def _roles(person: Person) -> list[str]:
    roles = [_("platform administrator")] if person.is_admin else []
    roles += [
        _("administers %(school)s", school=row.organisation.name) for row in person.administers
    ]
    return roles


def _state(person: Person) -> str:
    if person.password_hash == accounts.PENDING:
        return str(_("waiting for a password"))
    return str(_("active"))


def _echo_roles(person: Person) -> None:
    click.echo(
        _("%(email)s: %(roles)s.", email=person.email, roles=", ".join(_roles(person)) or "-")
    )


@group("users")
def users() -> None:
    """Logins and roles: platform administrators, school administrators, coordinators."""


@users.command("list")
@json_option
def list_users(as_json: bool) -> None:
    """List every person with a login."""
    with reading() as session:
        rows = accounts.list_accounts(session)
        if as_json:
            echo_json([account_json(person) for person in rows])
            return
        echo_table(
            [_("id"), _("name"), _("e-mail"), _("roles"), _("state")],
            [(p.id, p.name, p.email, ", ".join(_roles(p)), _state(p)) for p in rows],
        )


@users.command("add")
@click.argument("email")
@click.option("--name", help="Name, for a person who is new.")
@click.option("--language", help="nl or en, for a person who is new.")
@click.option("--admin", "is_admin", is_flag=True, help="Make them a platform administrator.")
@click.option("--school", "schools", multiple=True, help="School (id or BRIN) they administer.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of mailing a link.",
)
def add(
    email: str,
    name: str | None,
    language: str | None,
    is_admin: bool,
    schools: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Give a person a login; by default they get a mail to choose their password."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    raw = {"email": email, "name": name, "language": language, "admin": is_admin}
    with change() as session:
        person = accounts.create_account(
            session, {**raw, "schools": list(schools)}, app_now(), password=password
        )
        roles = ", ".join(_roles(person)) or _("coordinator or participant")
    click.echo(_("%(email)s has a login: %(roles)s.", email=person.email, roles=roles))
    if password is None:
        click.echo(_("A mail with a link to choose a password is on its way (run the worker)."))


@users.command("set-password")
@click.argument("email")
@click.password_option(help="The new password (asked when not given).")
def set_password(email: str, password: str) -> None:
    """Set a person's password (this also ends a lock-out and logs out their sessions)."""
    with change() as session:
        person = accounts.find_account(session, email)
        accounts.set_password(session, person, password, app_now())
    click.echo(_("Password set for %(email)s.", email=person.email))


@users.command("reset-link")
@click.argument("email")
def reset_link(email: str) -> None:
    """Mail a person a link to choose a (new) password."""
    with change() as session:
        person = accounts.find_account(session, email)
        accounts.request_password_link(session, person, app_now())
    click.echo(_("A mail with a link to choose a password is on its way (run the worker)."))


@users.command("admin")
@click.argument("email")
@click.option("--off", is_flag=True, help="Stop them being a platform administrator.")
def admin(email: str, off: bool) -> None:
    """Make a person a platform administrator (or stop them being one)."""
    with change() as session:
        person = accounts.find_account(session, email)
        accounts.set_platform_admin(session, person, not off, app_now())
        _echo_roles(person)


@users.command("school")
@click.argument("email")
@click.argument("school")
@click.option("--revoke", is_flag=True, help="Stop them administering the school.")
def school(email: str, school: str, revoke: bool) -> None:
    """Let a person administer a school's calendar (or stop that)."""
    with change() as session:
        person = accounts.find_account(session, email)
        org = organisations.find_organisation(session, school)
        if revoke:
            accounts.revoke_school_admin(session, person, org)
        else:
            accounts.grant_school_admin(session, person, org, app_now())
        session.flush()
        session.refresh(person)
        _echo_roles(person)


@users.command("remove")
@click.argument("email")
def remove(email: str) -> None:
    """Take a person's login and roles away; they stay a participant of their collaborations."""
    with change() as session:
        person = accounts.find_account(session, email)
        accounts.remove_account(session, person, app_now())
    click.echo(_("%(email)s can no longer log in.", email=person.email))


COMMANDS = [users]
