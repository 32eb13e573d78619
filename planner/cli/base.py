"""Shared CLI plumbing: the one way a command changes data, translated errors, JSON and tables.

A command parses its options, calls a service, commits once and prints. `change()` is that
commit; `translate_errors` (applied to every command by `PlannerGroup` and `command`) turns a
refusal into the translated message and exit status 1: a `PlannerError`, an integrity
conflict the database reports, or a database that was never migrated.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from flask_babel import get_locale, gettext
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from planner.database import Database
from planner.errors import PlannerError, integrity_conflict
from planner.migrate import schema_problem

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


class UserError(click.ClickException):
    """An error shown to the user in their language, without a traceback."""

    def __init__(self, message: str, prefix: str) -> None:
        super().__init__(message)
        self.prefix = prefix

    def show(self, file: Any = None) -> None:
        click.echo(f"{self.prefix}: {self.format_message()}", err=True)


def _refused(error: PlannerError) -> UserError:
    return UserError(error.translate(gettext), gettext("Error"))


def translate_errors(callback: F) -> F:
    """Turn a refusal raised by a command into a translated message and exit status 1."""

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except PlannerError as error:
            raise _refused(error) from None
        except IntegrityError:
            raise _refused(integrity_conflict()) from None
        except (OperationalError, ProgrammingError):
            problem = schema_problem(database().engine)
            if problem is None:
                raise
            raise _refused(problem) from None

    return wrapper  # type: ignore[return-value]


class PlannerGroup(AppGroup):
    """A command group whose commands run in the app context and speak the user's language."""

    def command(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> Callable[[F], click.Command]:
        parent = super().command

        def decorator(callback: F) -> click.Command:
            made: click.Command = parent(*args, **kwargs)(translate_errors(callback))
            return made

        return decorator

    def group(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> Callable[[F], click.Group]:
        kwargs.setdefault("cls", PlannerGroup)
        return super().group(*args, **kwargs)


class PlannerCLI(FlaskGroup):
    """The root `planner` group."""


def group(name: str, **kwargs: Any) -> Callable[[F], PlannerGroup]:
    """A module-level command group (`planner NAME …`)."""

    def decorator(callback: F) -> PlannerGroup:
        made: PlannerGroup = click.group(name, cls=PlannerGroup, **kwargs)(callback)
        return made

    return decorator


def command(name: str, **kwargs: Any) -> Callable[[F], click.Command]:
    """A module-level command (`planner NAME`), run in the app context, errors translated."""

    def decorator(callback: F) -> click.Command:
        wrapped: F = with_appcontext(translate_errors(callback))
        made: click.Command = click.command(name, **kwargs)(wrapped)  # type: ignore[no-untyped-call]
        return made

    return decorator


def database() -> Database:
    """The current app's database."""
    db: Database = current_app.extensions["planner.db"]
    return db


def command_session() -> Session:
    """The session of the running command: opened on first use, closed when the command ends,
    so that what it printed after its commit can still read lazily loaded attributes."""
    context = click.get_current_context()
    session: Session | None = context.meta.get("planner.session")
    if session is None:
        session = context.with_resource(database().session())
        context.meta["planner.session"] = session
    return session


@contextmanager
def reading() -> Iterator[Session]:
    """The session for a command that only reads (nothing it does is committed)."""
    yield command_session()


@contextmanager
def change() -> Iterator[Session]:
    """The session for a command that changes data: committed when the block ends; a refusal
    rolls everything back (and `translate_errors` prints it). Print after the block, so nothing
    is said to be done that was not committed."""
    session = command_session()
    try:
        yield session
        session.commit()
    except IntegrityError:
        session.rollback()
        raise integrity_conflict() from None
    except BaseException:
        session.rollback()
        raise


def require_schema() -> None:
    """Refuse to start (the worker, the server) on a database that needs `planner db upgrade`."""
    problem = schema_problem(database().engine)
    if problem is not None:
        raise problem


def locale() -> str:
    """Return the CLI's language (the configured default)."""
    return str(get_locale() or "nl")


def given(**values: Any) -> dict[str, Any]:
    """The options that were given (not None, not an empty repeat), as raw service fields."""
    return {key: value for key, value in values.items() if value not in (None, ())}


def echo_json(data: Any) -> None:
    """Print data as indented JSON (UTF-8, not escaped)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as an aligned plain-text table."""
    cells = [
        [str(h) for h in headers],
        *[["" if c is None else str(c) for c in row] for row in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            click.echo("  ".join("-" * width for width in widths))
