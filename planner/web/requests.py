"""Request plumbing: a session per request, errors as translated messages."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from planner.database import Database
from planner.errors import N_, PlannerError


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


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def wants_json() -> bool:
    """Return whether this request is for the JSON API."""
    return request.path.startswith("/api/")


def _planner_error(error: PlannerError) -> Any:
    message = error.translate(gettext)
    if wants_json():
        return jsonify(error={"message": message, "type": type(error).__name__}), error.status
    return render_template("error.html", message=message, status=error.status), error.status


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
    return jsonify(error={"message": error.description, "type": error.name}), error.code


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
    app.teardown_appcontext(_close_session)
    app.after_request(_security_headers)
    app.register_error_handler(PlannerError, _planner_error)
    app.register_error_handler(HTTPException, _http_error)
