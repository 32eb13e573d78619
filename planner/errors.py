"""Errors that carry a message for the user, translated at the edge."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it (done at the edge)."""
    return message


class PlannerError(Exception):
    """A problem the user must hear about; `message` is an English msgid with %(name)s params."""

    status = 400

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params: Mapping[str, Any] = params

    def translate(self, gettext: Callable[..., str]) -> str:
        """Return the message in the caller's language, using a gettext function."""
        return gettext(self.message, **self.params)


class ValidationError(PlannerError):
    """Input that cannot be accepted as given."""

    status = 400


class NotFoundError(PlannerError):
    """Something the user named does not exist."""

    status = 404


class PermissionDenied(PlannerError):
    """The person may not do this (e.g. answer for a school they do not administer)."""

    status = 403


class ConflictError(PlannerError):
    """The input clashes with what is stored (a duplicate, say)."""

    status = 409


class SchemaNotReady(PlannerError):
    """The database has no tables yet, or an older schema than this version needs."""

    status = 503


def integrity_conflict() -> ConflictError:
    """The refusal for a change the database turned down (a duplicate, a row still in use)."""
    return ConflictError(
        N_(
            "This clashes with what is stored: something it refers to is still in use, or it"
            " already exists (perhaps it was changed at the same time). Nothing was changed."
        )
    )
