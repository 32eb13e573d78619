"""`planner db`: migrations."""

from __future__ import annotations

import click
from flask import current_app
from flask_babel import gettext as _

from planner.cli.base import group
from planner.database import Database
from planner.migrate import current_revision, make_revision, pending_changes, upgrade_database


def _db() -> Database:
    db: Database = current_app.extensions["planner.db"]
    return db


@group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    """Migrate the database to the newest schema (creates it when empty)."""
    upgrade_database(_db().engine, revision)
    click.echo(_("Database is at revision %(rev)s.", rev=current_revision(_db().engine)))


@db_group.command("check")
def check() -> None:
    """Fail when the models have changes that no migration covers."""
    diffs = pending_changes(_db().engine)
    if diffs:
        for diff in diffs:
            click.echo(repr(diff), err=True)
        raise click.exceptions.Exit(1)
    click.echo(_("No pending model changes."))


@db_group.command("current")
def current() -> None:
    """Print the database's revision."""
    click.echo(current_revision(_db().engine) or "-")


@db_group.command("revision")
@click.argument("message")
def revision(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    make_revision(_db().engine, message)


COMMANDS = [db_group]
