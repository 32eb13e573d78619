"""The answer page of a series poll: a person marks the dates from her mail's link, without an
account.

`GET /poll/<secret>` only shows the dates and her answers so far: it never changes anything
(mail scanners and link previews fetch every link). `POST /poll/<secret>` records the marks.
No CSRF token: the secret in the URL authorises the answer, and there is no session to ride on.
"""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext

from planner.clock import app_now
from planner.domain.kinds import PollChoice
from planner.errors import N_, PlannerError
from planner.inputs import parse_date
from planner.models import PollStatus
from planner.services import polls
from planner.services.person_calendars import issue_availability_link
from planner.text.formatting import format_clock, format_day
from planner.web.requests import change, get_session, request_locale
from planner.web.security import private_page

bp = Blueprint("poll_answers", __name__, url_prefix="/poll")
bp.after_request(private_page)

# The three choices, in the order of the buttons, with their labels.
CHOICES: list[tuple[PollChoice, str]] = [
    (PollChoice.YES, N_("Can")),
    (PollChoice.MAYBE, N_("Rather not")),
    (PollChoice.NO, N_("Cannot")),
]
FIELD_PREFIX = "d-"


def _language(access: polls.PollAccess) -> str:
    """?lang= when given, else the language chosen on this site, else the person's own."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return str(asked)
    if session.get("lang") in languages:
        return str(session["lang"])
    if access.person.language in languages:
        return access.person.language
    return str(current_app.config["DEFAULT_LOCALE"])


def _problem(error: PlannerError) -> tuple[str, int]:
    return render_template(
        "polls/problem.html",
        title=gettext("This link does not work"),
        message=error.translate(gettext),
    ), error.status


def _page(
    secret: str,
    access: polls.PollAccess,
    *,
    error: str | None = None,
    saved: polls.Answered | None = None,
    status: int = 200,
) -> tuple[str, int]:
    poll = access.poll
    collab = poll.collaboration
    locale = request_locale()
    zone = ZoneInfo(collab.timezone)
    mine = polls.answers_of(get_session(), access.invitee)
    if error is not None:  # show what she sent, not only what is stored
        for key, value in request.form.items():
            if key.startswith(FIELD_PREFIX) and value in {c.value for c in PollChoice}:
                with contextlib.suppress(PlannerError):
                    mine[parse_date(key.removeprefix(FIELD_PREFIX), "day")] = PollChoice(value)
    slots = [
        [
            {
                "value": row.date.day.isoformat(),
                "label": format_day(row.date.day, locale),
                "time": f"{format_clock(row.date.starts_at, zone)}–"
                f"{format_clock(row.date.ends_at, zone)}",
                "proposed": row.date.proposed,
                "choice": mine.get(row.date.day),
            }
            for row in group
        ]
        for group in polls.tally(get_session(), poll).slots()
    ]
    page = render_template(
        "polls/answer.html",
        collaboration=collab.name,
        person=access.person.name,
        slots=slots,
        choices=[(choice.value, gettext(label)) for choice, label in CHOICES],
        prefix=FIELD_PREFIX,
        deadline=format_day(polls.deadline_day(poll), locale),
        confirmed=poll.status is PollStatus.CONFIRMED,
        cancelled=poll.status is PollStatus.CANCELLED,
        answered=bool(mine),
        error=error,
        saved=saved,
        action=url_for(".answer", secret=secret, lang=request.args.get("lang") or None),
        availability=url_for(".availability", secret=secret, lang=request.args.get("lang") or None),
    )
    return page, status


@bp.post("/<secret>/availability")
def availability(secret: str) -> Any:
    """Open her own availability page ("Mijn beschikbaarheid") with a new link of its own (a
    POST: the page's GET changes nothing, and a link is a row)."""
    db = get_session()
    now = app_now()
    try:
        access = polls.resolve_link(db, secret)
    except PlannerError as error:
        return _problem(error)
    with force_locale(_language(access)):
        with change() as outcome:
            issued = issue_availability_link(db, access.person, now)
        if outcome.refused is not None:
            return _problem(outcome.refused)
        return redirect(
            url_for("availability.show", secret=issued, lang=request.args.get("lang") or None),
            code=303,
        )


@bp.get("/<path:secret>")
def show(secret: str) -> Any:
    """The dates grouped by meeting, with her answers so far. Changes nothing."""
    try:
        access = polls.resolve_link(get_session(), secret)
    except PlannerError as error:
        return _problem(error)
    with force_locale(_language(access)):
        return _page(secret, access)


@bp.post("/<path:secret>")
def answer(secret: str) -> Any:
    """Record the dates she marked (every date is checked before anything is stored)."""
    db = get_session()
    try:
        access = polls.resolve_link(db, secret)
    except PlannerError as error:
        return _problem(error)
    with force_locale(_language(access)):
        choices = {
            key.removeprefix(FIELD_PREFIX): value
            for key, value in request.form.items()
            if key.startswith(FIELD_PREFIX)
        }
        with change() as outcome:
            done = polls.answer(db, secret, choices, app_now(), request_locale())
        access = polls.resolve_link(db, secret)
        if not outcome.ok:
            return _page(secret, access, error=outcome.message, status=outcome.status)
        return _page(secret, access, saved=done)
