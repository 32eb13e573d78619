"""Logging in and out, the interface language, and setting a password by mail link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from planner.clock import app_now
from planner.messaging.passwords import person_of_link
from planner.services import accounts
from planner.web.forms import ActionForm
from planner.web.forms.auth import LoginForm, NewPasswordForm, ResetRequestForm
from planner.web.requests import change, commit, get_session
from planner.web.security import Account, current_person, limiter, login_limit

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect would help phishing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/language/<code>")
def language(code: str) -> Response:
    """Remember the chosen interface language for this browser, then go back."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("pages.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> Any:
    """The login form; a success goes to where the person was heading."""
    if current_person() is not None:
        return redirect(safe_next(request.args.get("next")) or url_for("pages.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        attempt = accounts.authenticate(
            get_session(), form.email.data or "", form.password.data or "", app_now()
        )
        commit()  # a failed attempt counts too
        if attempt.refused is not None:
            form.form_errors.append(attempt.refused.translate(gettext))
            status = attempt.refused.status
        elif (person := attempt.person) is not None:
            session.clear()  # a fresh session: no fixation
            login_user(Account(person), remember=bool(form.remember.data))
            if person.language in current_app.config["LANGUAGES"]:
                session["lang"] = person.language
            return redirect(safe_next(request.args.get("next")) or url_for("pages.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    """Log out (a POST with a CSRF token, so no other site can log anyone out)."""
    form = ActionForm()
    if form.validate_on_submit():
        language = session.get("lang")
        logout_user()
        session.clear()
        if language:
            session["lang"] = language
        flash(gettext("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgotten", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgotten() -> Any:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        with change():  # the same answer whether or not the address has a login
            accounts.request_password_reset(get_session(), form.email.data or "", app_now())
        flash(
            gettext(
                "If this address has an account, a link to set a new password is on its way."
                " Check your mail."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgotten.html", form=form)


@bp.route("/password/reset/<path:token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    """Set a new password from a mail link (reset, or a new account's first password).

    Any path under /password/reset/ comes here: a link with an extra segment or a slash
    added is as unknown as a made-up one, and answers the same page."""
    person = person_of_link(get_session(), token) if "/" not in token else None
    if person is None:
        return render_template("auth/link_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        with change() as outcome:
            accounts.set_password(get_session(), person, form.password.data or "", app_now())
        if not outcome.ok:
            form.password.errors = [outcome.message]
        else:
            logout_user()
            session.clear()
            flash(gettext("Your password is set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, person=person)
