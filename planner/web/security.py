"""Who is asking: logins (Flask-Login), CSRF on every form (Flask-WTF), login rate limits
(Flask-Limiter), and the access checks every page makes before it shows or changes anything."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, has_request_context, redirect, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from planner.errors import N_
from planner.inputs import parse_id
from planner.models import Collaboration, Organisation, Person
from planner.services import accounts
from planner.web.requests import get_session

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

F = TypeVar("F", bound=Callable[..., Any])

# The largest request body taken (413 above it).
MAX_REQUEST_BYTES = 8 * 1024 * 1024


class Account(UserMixin):
    """The logged-in person, as Flask-Login sees them.

    The session id includes a fingerprint of the password hash, so changing a password (or a
    reset) logs out every other session of that account.
    """

    def __init__(self, person: Person) -> None:
        self.person = person

    def get_id(self) -> str:
        return f"{self.person.id}:{_fingerprint(self.person)}"

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def is_admin(self) -> bool:
        return self.person.is_admin


def _fingerprint(person: Person) -> str:
    return hashlib.sha256((person.password_hash or "").encode()).hexdigest()[:16]


def _load_account(session_id: str) -> Account | None:
    person_id, _, fingerprint = session_id.partition(":")
    number = parse_id(person_id)
    if number is None:
        return None
    person = get_session().get(Person, number)
    if person is None or person.password_hash is None or _fingerprint(person) != fingerprint:
        return None
    return Account(person)


def current_person() -> Person | None:
    """The logged-in person, or None."""
    if not current_user.is_authenticated:
        return None
    return cast(Account, current_user).person


def require_person() -> Person:
    """The logged-in person; anyone else is sent to the login page (401 for a non-page)."""
    person = current_person()
    if person is None:
        abort(cast(Response, login_manager.unauthorized()))
    return person


def login_required(view: F) -> F:
    """Only for logged-in people."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        require_person()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def admin_required(view: F) -> F:
    """Only for platform administrators (403 for other logged-in people)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not require_person().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def coordinated_collaboration(collab_id: int) -> Collaboration:
    """The collaboration, if the logged-in person coordinates it; 404 otherwise.

    A 404 rather than a 403: people must not learn which other collaborations exist.
    """
    person = require_person()
    collab = get_session().get(Collaboration, collab_id)
    if collab is None or not accounts.may_coordinate(get_session(), person, collab):
        abort(404)
    return collab


def administered_school(org_id: int) -> Organisation:
    """The organisation, if the logged-in person administers it; 403 for another, 404 if none."""
    person = require_person()
    org = get_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    if not accounts.may_administer(get_session(), person, org):
        abort(403)
    return org


def private_page(response: Response) -> Response:
    """For the pages opened by a secret in the URL (answer links, poll and availability links):
    keep them out of caches, referrers, indexes and frames. Register it on their blueprint
    (`bp.after_request(private_page)`)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _unauthorized() -> Any:
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def login_limit() -> str:
    """Logins per client address (LOGIN_RATE_LIMIT; only POSTs count)."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def init_app(app: Flask) -> None:
    """Attach login, CSRF and the rate limiter; make the session cookie strict."""
    login_manager.user_loader(_load_account)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.login_message = N_("Log in to see this page.")
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    secure = str(app.config["SECURE_COOKIES"]).strip().lower()
    if secure == "auto":
        secure_cookies = str(app.config.get("PUBLIC_URL") or "").startswith("https://")
    else:
        secure_cookies = secure in {"1", "true", "yes", "on"}
    app.config["SESSION_COOKIE_SECURE"] = secure_cookies
    app.config["REMEMBER_COOKIE_SECURE"] = secure_cookies
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        # Uploads are checked for their own limits (1-2 MB); this stops anyone, logged in or
        # not, from making the server spool a huge request body to disk first.
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"

    @app.context_processor
    def inject_person() -> dict[str, Any]:
        return {"me": current_person() if has_request_context() else None}
