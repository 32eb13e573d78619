"""Shared CLI plumbing: translated errors, sessions, JSON and table output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup
from flask_babel import get_locale, gettext
from sqlalchemy.orm import Session

from planner.database import Database
from planner.errors import PlannerError

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """An error shown to the user in their language, without a traceback."""

    def __init__(self, message: str, prefix: str) -> None:
        super().__init__(message)
        self.prefix = prefix

    def show(self, file: Any = None) -> None:
        click.echo(f"{self.prefix}: {self.format_message()}", err=True)


def translate_errors(callback: F) -> F:
    """Turn a PlannerError raised by a command into a translated message and exit status 1."""

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except PlannerError as error:
            raise UserError(error.translate(gettext), gettext("Error")) from None

    return wrapper  # type: ignore[return-value]


class _TranslatingMixin:
    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], click.Command]:
        parent = super().command  # type: ignore[misc]

        def decorator(callback: F) -> click.Command:
            command: click.Command = parent(*args, **kwargs)(translate_errors(callback))
            return command

        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Callable[[F], click.Group]:
        kwargs.setdefault("cls", PlannerGroup)
        return super().group(*args, **kwargs)  # type: ignore[misc,no-any-return]


class PlannerGroup(_TranslatingMixin, AppGroup):  # type: ignore[misc]
    """A command group whose commands run in the app context and speak the user's language."""


class PlannerCLI(_TranslatingMixin, FlaskGroup):  # type: ignore[misc]
    """The root `planner` group."""


@contextmanager
def db_session() -> Iterator[Session]:
    """Yield a session of the current app's database; the command commits."""
    db: Database = current_app.extensions["planner.db"]
    with db.session() as session:
        yield session


def locale() -> str:
    """Return the CLI's language (the configured default)."""
    return str(get_locale() or "nl")


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
