"""Request plumbing: one database session per request, and the one way a view changes data.

A view parses its input, calls a service, commits once and renders. `change()` is that
commit: on success it commits; on a refusal (a `PlannerError`, or an integrity conflict the
database reports) it rolls back and hands the translated message to the view, which shows it
where the user is looking. Views never catch errors themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, g, request
from flask_babel import get_locale, gettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.database import Database
from planner.errors import PlannerError, integrity_conflict


def get_db() -> Database:
    """Return the app's database extension."""
    db: Database = current_app.extensions["planner.db"]
    return db


def get_session() -> Session:
    """Return this request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None) -> None:
    """Roll back whatever a request left uncommitted and close its session."""
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def wants_json() -> bool:
    """Return whether this request is for the JSON API."""
    return request.path.startswith("/api/")


def request_locale() -> str:
    """The language of this request (nl or en)."""
    return str(get_locale() or "nl")


def commit() -> None:
    """Commit the request's changes; a conflict the database reports becomes a ConflictError."""
    session = get_session()
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise integrity_conflict() from error


@dataclass
class Outcome:
    """How a change went: `refused` holds the refusal, if any."""

    refused: PlannerError | None = None

    @property
    def ok(self) -> bool:
        """Whether the change was committed."""
        return self.refused is None

    @property
    def message(self) -> str:
        """The refusal in the user's language ('' when there was none)."""
        return self.refused.translate(gettext) if self.refused else ""

    @property
    def status(self) -> int:
        """The HTTP status of the refusal (200 when there was none)."""
        return self.refused.status if self.refused else 200


@contextmanager
def change(*, store: bool = True) -> Iterator[Outcome]:
    """Run a change and commit it; roll back and record a refusal instead of raising it.

    A view writes `with change() as outcome:` around the service call, then shows
    `outcome.message` with `outcome.status` when `not outcome.ok`. `store=False` is a
    preview: what the block did is rolled back either way.
    """
    outcome = Outcome()
    session = get_session()
    try:
        yield outcome
        if store:
            commit()
        else:
            session.rollback()
    except PlannerError as error:
        session.rollback()
        outcome.refused = error
    except IntegrityError:
        session.rollback()
        outcome.refused = integrity_conflict()
