"""What every request's address must be before a view runs a query.

A path segment (an id, a BRIN, a school year, a secret) with a control character, a broken
character or an absurd length names nothing the planner has: the answer is the same 404 as
any unknown thing, before a database sees it (PostgreSQL refuses NUL in text outright). A
query parameter of the JSON API like that is a 400 that names the parameter.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import NotFound

from planner.errors import N_, ValidationError

MAX_SEGMENT = 200  # the longest segment the planner makes is a 43-character secret
MAX_QUERY_VALUE = 2_000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _broken(text: str) -> bool:
    if _CONTROL.search(text):
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# Links that carry a secret answer every malformed secret themselves, with the same words
# as an unknown one (they look a secret up by its hash, never by its text).
SECRET_BLUEPRINTS = {"feeds", "rsvp", "availability", "poll_answers"}
SECRET_ENDPOINTS = {"auth.reset"}


def check_path(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 for a path segment that cannot name anything."""
    if endpoint and (
        endpoint in SECRET_ENDPOINTS or endpoint.partition(".")[0] in SECRET_BLUEPRINTS
    ):
        return
    for value in (values or {}).values():
        if isinstance(value, str) and (len(value) > MAX_SEGMENT or _broken(value)):
            raise NotFound()


def check_query() -> None:
    """Refuse an API query parameter with control characters or of absurd length (a page's
    search box reads its own parameters, leniently: planner.web.forms)."""
    if not request.path.startswith("/api/"):
        return
    for name, value in request.args.items(multi=True):
        if _broken(name) or _broken(value):
            raise ValidationError(N_("%(field)s contains control characters."), field=name[:40])
        if len(value) > MAX_QUERY_VALUE:
            raise ValidationError(
                N_("%(field)s is longer than %(max)s characters."),
                field=name[:40],
                max=MAX_QUERY_VALUE,
            )


def init_app(app: Flask) -> None:
    """Check every request's path segments and query parameters first."""
    app.url_value_preprocessor(check_path)
    app.before_request(check_query)
