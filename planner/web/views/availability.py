"""A person's own availability page, through a secret link (in her invitation mails and on the
answer page), without an account: she gives free/busy addresses, sees what is stored, fetches
again, and removes an address with everything it brought.

`GET /availability/<secret>` only shows: mail scanners and link previews fetch every link. The
forms POST to the same secret and need no CSRF token, as on the answer page
(planner.web.views.rsvp): the secret in the URL is what authorises, and a forged cross-site POST
would have to know it already.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, render_template, request, session, url_for
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy.orm import Session

from planner.clock import app_now
from planner.errors import N_
from planner.models import Person
from planner.presenters.person_calendars import calendar_views, outcome_text
from planner.services import person_calendars
from planner.services.attendance import LinkError, LinkProblem
from planner.services.calendar_sync import SyncSettings
from planner.text.formatting import format_decimal
from planner.web.requests import change, get_session, request_locale
from planner.web.security import private_page

bp = Blueprint("availability", __name__, url_prefix="/availability")
bp.after_request(private_page)

# A link that does not work: status, title and explanation (nothing about whose it was).
PROBLEMS: dict[LinkProblem, tuple[int, str, str]] = {
    LinkProblem.UNKNOWN: (
        404,
        N_("This link is not valid"),
        N_(
            "The link may be incomplete or mistyped. Open the link in your latest invitation"
            " mail again; nothing was changed."
        ),
    ),
    LinkProblem.EXPIRED: (
        410,
        N_("This link has expired"),
        N_(
            "Links to your availability page work for %(days)s days. Open the link in a newer"
            " invitation mail or on the answer page of an invitation; nothing was changed."
        ),
    ),
    LinkProblem.REVOKED: (
        410,
        N_("This link has been withdrawn"),
        N_("Open the link in a newer invitation mail; nothing was changed."),
    ),
}


def _language(person: Person) -> str:
    """?lang= when given, else the language chosen on this site, else the person's own."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"]:
        return str(asked)
    if session.get("lang") in current_app.config["LANGUAGES"]:
        return str(session["lang"])
    if person.language in current_app.config["LANGUAGES"]:
        return person.language
    return str(current_app.config["DEFAULT_LOCALE"])


def _url(endpoint: str, secret: str, **values: Any) -> str:
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        values["lang"] = lang
    return url_for(endpoint, secret=secret, **values)


def _problem(problem: LinkProblem) -> tuple[str, int]:
    status, title, explanation = PROBLEMS[problem]
    return render_template(
        "rsvp/problem.html",
        title=gettext(title),
        message=gettext(explanation, days=person_calendars.LINK_DAYS),
    ), status


def _settings() -> SyncSettings:
    return SyncSettings.from_config(current_app.config)


def _page(
    secret: str,
    person: Person,
    *,
    message: str | None = None,
    error: str | None = None,
    url: str = "",
) -> str:
    db = get_session()
    calendars = person_calendars.calendars_of(db, person)
    settings = _settings()
    return render_template(
        "availability/show.html",
        person=person.name,
        calendars=calendar_views(db, calendars, request_locale()),
        message=message,
        error=error,
        url=url,
        hours=format_decimal(settings.interval.total_seconds() / 3600, request_locale()),
        can_add=len(calendars) < person_calendars.MAX_CALENDARS,
        most=person_calendars.MAX_CALENDARS,
        action=_url(".add", secret),
        sync_url=lambda calendar_id: _url(".sync", secret, calendar_id=calendar_id),
        remove_url=lambda calendar_id: _url(".remove", secret, calendar_id=calendar_id),
    )


@bp.get("/<secret>")
def show(secret: str) -> Any:
    """Her addresses and what is stored of them. Changes nothing."""
    try:
        person = person_calendars.resolve_availability_link(get_session(), secret, app_now())
    except LinkError as error:
        return _problem(error.problem)
    with force_locale(_language(person)):
        return _page(secret, person)


@bp.post("/<secret>")
def add(secret: str) -> Any:
    """Give an address: fetched at once; refused (and nothing stored) when it gives no calendar."""
    raw = request.form.get("url", "")

    def give(db: Session, person: Person, now: datetime) -> str:
        return outcome_text(person_calendars.add_calendar(db, person, raw, now, _settings()))

    return _through_link(secret, give, url=raw[:2000])


@bp.post("/<secret>/<int:calendar_id>/sync")
def sync(secret: str, calendar_id: int) -> Any:
    """Fetch one of her addresses now."""

    def fetch(db: Session, person: Person, now: datetime) -> str:
        calendar = person_calendars.get_calendar(db, calendar_id, person)
        return outcome_text(person_calendars.sync_calendar(db, calendar, now, _settings()))

    return _through_link(secret, fetch)


@bp.post("/<secret>/<int:calendar_id>/delete")
def remove(secret: str, calendar_id: int) -> Any:
    """Remove one of her addresses and every busy interval it gave."""

    def delete(db: Session, person: Person, now: datetime) -> str:
        calendar = person_calendars.get_calendar(db, calendar_id, person)
        host = person_calendars.host_of(calendar.url)
        removed = person_calendars.remove_calendar(db, calendar)
        return str(
            ngettext(
                "Removed: the address at %(host)s and its %(num)d busy time are deleted.",
                "Removed: the address at %(host)s and its %(num)d busy times are deleted.",
                removed,
                host=host,
            )
        )

    return _through_link(secret, delete)


def _through_link(
    secret: str, act: Callable[[Session, Person, datetime], str], *, url: str = ""
) -> Any:
    """A POST through her link: resolve it (stamping its use), do `act` as one change in her
    language, and show her page with what it says, or with why not (and `url`, the address she
    typed, back in the field)."""
    db = get_session()
    now = app_now()
    try:
        person = person_calendars.resolve_availability_link(db, secret, now, use=True)
    except LinkError as error:
        return _problem(error.problem)
    with force_locale(_language(person)):
        message = ""
        with change() as outcome:
            message = act(db, person, now)
        if not outcome.ok:
            return _page(secret, person, error=outcome.message, url=url), outcome.status
        return _page(secret, person, message=message)
