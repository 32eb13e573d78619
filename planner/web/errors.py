"""What the web answers when something goes wrong, in the user's language, and the security
headers of every page. A refusal is a page (or JSON under /api/) with its status; an integrity
conflict is a 409; a database that was never migrated says what to run."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from planner.errors import N_, PlannerError, integrity_conflict
from planner.migrate import schema_problem
from planner.web.requests import close_session, get_db, get_session, wants_json


def _planner_error(error: PlannerError) -> Any:
    get_session().rollback()
    message = error.translate(gettext)
    if wants_json():
        return jsonify(error={"message": message, "type": type(error).__name__}), error.status
    return render_template("error.html", message=message, status=error.status), error.status


def _integrity_error(_error: IntegrityError) -> Any:
    """A change the database refused (e.g. a row still referred to): 409, nothing changed."""
    get_session().rollback()
    return _planner_error(integrity_conflict())


def _database_error(error: OperationalError | ProgrammingError) -> Any:
    """A database without the planner's tables says what to run; anything else stays a 500."""
    get_session().rollback()
    problem = schema_problem(get_db().engine)
    if problem is None:
        raise error
    return _planner_error(problem)


def _http_message(error: HTTPException) -> str:
    """What a page says for an HTTP error, in the user's language."""
    if isinstance(error, CSRFError):
        return str(
            gettext(
                "The form had expired or came from elsewhere, so nothing was changed."
                " Go back, reload the page and try again."
            )
        )
    messages = {
        400: N_("The request was not understood; nothing was changed."),
        401: N_("Log in to see this page."),
        403: N_("You may not see or change this; nothing was changed."),
        404: N_("This page does not exist, or you may not see it."),
        405: N_("This address cannot be used like this; nothing was changed."),
        413: N_("The file is too large."),
        429: N_("Too many attempts. Wait a few minutes and try again."),
    }
    code = error.code or 500
    return str(gettext(messages[code])) if code in messages else str(error.description)


def _http_error(error: HTTPException) -> Any:
    if isinstance(error, RequestRedirect) or (error.code or 500) < 400:
        return error
    if not wants_json():
        response = error.get_response()
        body = render_template("error.html", message=_http_message(error), status=error.code)
        response.set_data(body)
        response.mimetype = "text/html"
        return response
    # An upload too large is refused before any view runs: say so in the user's language.
    message = _http_message(error) if error.code == 413 else error.description
    return jsonify(error={"message": message, "type": error.name}), error.code


# Pages are never framed, sniffed or given scripts from elsewhere. Inline styles are allowed
# (the year picture's SVG carries its own); scripts come only from /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Register the session teardown, the error handlers and the security headers."""
    app.teardown_appcontext(close_session)
    app.after_request(_security_headers)
    app.register_error_handler(PlannerError, _planner_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(ProgrammingError, _database_error)
    app.register_error_handler(HTTPException, _http_error)
