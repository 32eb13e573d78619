"""Alembic, driven from code: upgrade, pending-change check, new revisions."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from planner.errors import N_, SchemaNotReady
from planner.models import Base


def alembic_config(url: str) -> Config:
    """Return an Alembic config for the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", str(files("planner") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to `revision` (head by default)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    """Take the database down to `revision` ('base' empties it)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def pending_changes(engine: Engine) -> list[Any]:
    """Return differences between the models and the migrated database (empty when in sync)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision from the models (for developers)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


def head_revision() -> str | None:
    """The newest revision the shipped migrations lead to."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_problem(engine: Engine) -> SchemaNotReady | None:
    """Why the database cannot be used by this version (never migrated, or behind), or None."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError:  # cannot even ask: leave it to the original error
        return None
    if current is None:
        return SchemaNotReady(
            N_("The database has not been set up yet. Run `planner db upgrade` first.")
        )
    head = head_revision()
    if current != head:
        return SchemaNotReady(
            N_(
                "The database is at revision %(current)s, but this version of the planner needs"
                " %(head)s. Run `planner db upgrade` first."
            ),
            current=current,
            head=head,
        )
    return None
