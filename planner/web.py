"""Request plumbing: a session per request, errors as translated messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from planner.clock import utcnow
from planner.database import Database
from planner.errors import PlannerError


def app_now() -> datetime:
    """Return the current instant, or the configured FROZEN_NOW (demos, reproducible tests)."""
    frozen = current_app.config.get("FROZEN_NOW")
    if not frozen:
        return utcnow()
    instant = datetime.fromisoformat(str(frozen).replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError("FROZEN_NOW needs a time zone, e.g. 2026-09-01T08:00:00Z")
    return instant.astimezone(UTC)


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


def _http_error(error: HTTPException) -> Any:
    if not wants_json():
        return error
    return jsonify(error={"message": error.description, "type": error.name}), error.code


def init_app(app: Flask) -> None:
    """Register the session teardown and the error handlers."""
    app.teardown_appcontext(_close_session)
    app.register_error_handler(PlannerError, _planner_error)
    app.register_error_handler(HTTPException, _http_error)
