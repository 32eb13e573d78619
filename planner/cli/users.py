"""`planner users`: logins for coordinators and administrators, and their roles."""

from __future__ import annotations

import sys

import click
from flask_babel import gettext as _

from planner.cli.base import PlannerCLI, db_session, echo_json, echo_table
from planner.clock import app_now
from planner.messaging.passwords import queue_password_mail
from planner.models import Person
from planner.services import accounts, organisations, people


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


def register(cli: PlannerCLI) -> None:
    """Add the `users` group."""

    @cli.group("users")
    def users() -> None:
        """Logins and roles: platform administrators, school administrators, coordinators."""

    @users.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def list_users(as_json: bool) -> None:
        """List every person with a login."""
        with db_session() as session:
            rows = accounts.list_accounts(session)
            if as_json:
                echo_json(
                    [
                        {
                            "id": p.id,
                            "name": p.name,
                            "email": p.email,
                            "admin": p.is_admin,
                            "schools": [row.organisation_id for row in p.administers],
                            "password_set": p.password_hash != accounts.PENDING,
                            "last_login_at": p.last_login_at.isoformat()
                            if p.last_login_at
                            else None,
                        }
                        for p in rows
                    ]
                )
                return
            echo_table(
                [_("id"), _("name"), _("e-mail"), _("roles"), _("state")],
                [(p.id, p.name, p.email, ", ".join(_roles(p)), _state(p)) for p in rows],
            )

    @users.command("add")
    @click.argument("email")
    @click.option("--name", help="Name, for a person who is new.")
    @click.option("--admin", "is_admin", is_flag=True, help="Make them a platform administrator.")
    @click.option("--school", "schools", multiple=True, help="School (id or BRIN) they administer.")
    @click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from standard input instead of mailing a link.",
    )
    def add(
        email: str, name: str | None, is_admin: bool, schools: tuple[str, ...], password_stdin: bool
    ) -> None:
        """Give a person a login; by default they get a mail to choose their password."""
        now = app_now()
        with db_session() as session:
            address = people.parse_email(email)
            person = session.query(Person).filter(Person.email == address).one_or_none()
            if person is None:
                if not name:
                    raise click.UsageError(_("%(email)s is new: give --name.", email=address))
                person = people.create_person(session, {"name": name, "email": address}, now)
            if password_stdin:
                password = sys.stdin.readline().rstrip("\n")
                accounts.set_password(session, person, password, now)
            elif accounts.open_account(session, person, now):
                queue_password_mail(person, welcome=True, session=session, now=now)
            if is_admin:
                accounts.set_platform_admin(session, person, True, now)
            for ref in schools:
                org = organisations.find_organisation(session, ref)
                accounts.grant_school_admin(session, person, org, now)
            session.commit()
            click.echo(
                _(
                    "%(email)s has a login: %(roles)s.",
                    email=person.email,
                    roles=", ".join(_roles(person)) or _("coordinator or participant"),
                )
            )
            if not password_stdin and person.password_hash == accounts.PENDING:
                click.echo(
                    _("A mail with a link to choose a password is on its way (run the worker).")
                )

    @users.command("set-password")
    @click.argument("email")
    @click.password_option(help="The new password (asked when not given).")
    def set_password(email: str, password: str) -> None:
        """Set a person's password (this also ends a lock-out and logs out their sessions)."""
        with db_session() as session:
            person = accounts.find_account(session, email)
            accounts.set_password(session, person, password, app_now())
            session.commit()
        click.echo(_("Password set for %(email)s.", email=person.email))

    @users.command("reset-link")
    @click.argument("email")
    def reset_link(email: str) -> None:
        """Mail a person a link to choose a new password."""
        with db_session() as session:
            person = accounts.find_account(session, email)
            if person.password_hash is None:
                raise click.UsageError(_("%(email)s has no login.", email=person.email))
            queue_password_mail(person, welcome=False, session=session, now=app_now())
            session.commit()
        click.echo(_("A mail with a link to choose a password is on its way (run the worker)."))

    @users.command("admin")
    @click.argument("email")
    @click.option("--off", is_flag=True, help="Stop them being a platform administrator.")
    def admin(email: str, off: bool) -> None:
        """Make a person a platform administrator (or stop them being one)."""
        with db_session() as session:
            person = accounts.find_account(session, email)
            if person.password_hash is None:
                raise click.UsageError(_("%(email)s has no login.", email=person.email))
            accounts.set_platform_admin(session, person, not off, app_now())
            session.commit()
            click.echo(
                _(
                    "%(email)s: %(roles)s.",
                    email=person.email,
                    roles=", ".join(_roles(person)) or "-",
                )
            )

    @users.command("school")
    @click.argument("email")
    @click.argument("school")
    @click.option("--revoke", is_flag=True, help="Stop them administering the school.")
    def school(email: str, school: str, revoke: bool) -> None:
        """Let a person administer a school's calendar (or stop that)."""
        now = app_now()
        with db_session() as session:
            person = accounts.find_account(session, email)
            if person.password_hash is None:
                raise click.UsageError(_("%(email)s has no login.", email=person.email))
            org = organisations.find_organisation(session, school)
            if revoke:
                accounts.revoke_school_admin(session, person, org)
            else:
                accounts.grant_school_admin(session, person, org, now)
            session.commit()
            session.refresh(person)
            click.echo(
                _(
                    "%(email)s: %(roles)s.",
                    email=person.email,
                    roles=", ".join(_roles(person)) or "-",
                )
            )

    @users.command("remove")
    @click.argument("email")
    def remove(email: str) -> None:
        """Take a person's login away; they stay a participant of their collaborations."""
        now = app_now()
        with db_session() as session:
            person = accounts.find_account(session, email)
            if person.is_admin:
                accounts.set_platform_admin(session, person, False, now)
            accounts.remove_login(session, person, now)
            session.commit()
        click.echo(_("%(email)s can no longer log in.", email=person.email))
