"""Answer links: a partner answers an invitation from a mail link, without an account.

`GET /rsvp/<secret>` only shows the meeting and three buttons: it never changes anything, because
mail security scanners and link previews fetch every link in a mail. `?answer=` from the mail
only highlights the button. `POST /rsvp/<secret>` records the answer.

The form needs no CSRF token: the secret in the URL is what authorises the answer (a forged
cross-site POST would have to know it already), and there are no sessions or cookies to ride on.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from planner.clock import app_now
from planner.domain.kinds import AttendanceStatus, MeetingStatus
from planner.errors import N_
from planner.feeds.links import subscribe_links
from planner.feeds.tokens import create_token
from planner.messaging.content import when as _when
from planner.presenters.feeds import token_url
from planner.services.attendance import (
    LinkError,
    LinkProblem,
    RsvpLink,
    answer_by_link,
    answer_refusal,
    answer_series_by_link,
    resolve_rsvp,
    upcoming_invitations,
)
from planner.services.person_calendars import issue_availability_link
from planner.web.requests import change, get_session, request_locale
from planner.web.security import private_page

bp = Blueprint("rsvp", __name__, url_prefix="/rsvp")
bp.after_request(private_page)

# The answers a partner can give, in the order of the buttons, with their labels.
ANSWERS: dict[str, tuple[AttendanceStatus, str]] = {
    "accepted": (AttendanceStatus.ACCEPTED, N_("Accept")),
    "tentative": (AttendanceStatus.TENTATIVE, N_("Maybe")),
    "declined": (AttendanceStatus.DECLINED, N_("Decline")),
}

# An answer in the list of the partner's other meetings.
SHORT: dict[AttendanceStatus, str] = {
    AttendanceStatus.NEEDS_ACTION: N_("No answer yet"),
    AttendanceStatus.ACCEPTED: N_("Attending"),
    AttendanceStatus.TENTATIVE: N_("Maybe"),
    AttendanceStatus.DECLINED: N_("Not attending"),
}
# How many of the partner's next meetings the page lists at a time (then a next page).
OTHER_MEETINGS = 20
# The answers for the whole series at once, with their labels.
SERIES: dict[str, tuple[AttendanceStatus, str]] = {
    "accepted": (AttendanceStatus.ACCEPTED, N_("I will come to all")),
    "declined": (AttendanceStatus.DECLINED, N_("I will not come to any")),
}

# What the page says about the answer stored now.
CURRENT: dict[AttendanceStatus, str] = {
    AttendanceStatus.NEEDS_ACTION: N_("You have not answered yet."),
    AttendanceStatus.ACCEPTED: N_("You will attend."),
    AttendanceStatus.TENTATIVE: N_("You might attend."),
    AttendanceStatus.DECLINED: N_("You will not attend."),
}

# A link that does not work: status, title and explanation. Nothing more is said, so a page
# never tells which meeting or person a dead link belonged to.
PROBLEMS: dict[LinkProblem, tuple[int, str, str]] = {
    LinkProblem.UNKNOWN: (
        404,
        N_("This link is not valid"),
        N_(
            "The link may be incomplete or mistyped. Ask the coordinator of the collaboration"
            " for a new invitation."
        ),
    ),
    LinkProblem.EXPIRED: (
        410,
        N_("This link has expired"),
        N_(
            "Answer links stop working some time after the meeting. If you still want to"
            " answer, ask the coordinator of the collaboration for a new invitation."
        ),
    ),
    LinkProblem.REVOKED: (
        410,
        N_("This link has been withdrawn"),
        N_(
            "The coordinator withdrew this link, for example because you no longer take part"
            " in the collaboration. Ask the coordinator if you think this is a mistake."
        ),
    ),
}


def _asked_language() -> str | None:
    asked = request.args.get("lang")
    return asked if asked in current_app.config["LANGUAGES"] else None


def _language(link: RsvpLink) -> str:
    """?lang= when given, else the language chosen on this site, else the person's own (not
    the browser's)."""
    if asked := _asked_language():
        return asked
    if session.get("lang") in current_app.config["LANGUAGES"]:
        return str(session["lang"])
    if link.person.language in current_app.config["LANGUAGES"]:
        return link.person.language
    return str(current_app.config["DEFAULT_LOCALE"])


def _link(endpoint: str, secret: str) -> str:
    """This page's address, keeping a ?lang= that was asked for."""
    lang = _asked_language()
    if lang:
        return url_for(endpoint, secret=secret, lang=lang)
    return url_for(endpoint, secret=secret)


def _page_number() -> int:
    """?page= of the list of the person's other meetings (1 when absent or not a number)."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 1000 else 1


def _other_meetings(db: Session, link: RsvpLink, locale: str, page: int) -> dict[str, Any]:
    """Every coming meeting of the same collaboration the person was invited to (not the one
    of this link), with their answer, a page at a time. Reads only."""
    found = upcoming_invitations(
        db,
        link.person,
        link.meeting.collaboration_id,
        app_now(),
        exclude=link.meeting.id,
        limit=OTHER_MEETINGS + 1,
        offset=(page - 1) * OTHER_MEETINGS,
    )
    rows = [
        {
            "when": _when(other, locale),
            "location": other.location,
            "cancelled": other.status is MeetingStatus.CANCELLED,
            "answer": gettext(SHORT[row.status]),
            "answer_key": row.status.value,
        }
        for other, row in found[:OTHER_MEETINGS]
    ]
    return {
        "rows": rows,
        "page": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if len(found) > OTHER_MEETINGS else None,
    }


def _problem_page(problem: LinkProblem) -> tuple[str, int]:
    status, title, explanation = PROBLEMS[problem]
    return render_template(
        "rsvp/problem.html", title=gettext(title), message=gettext(explanation)
    ), status


def _answer_page(
    secret: str,
    link: RsvpLink,
    *,
    chosen: str | None = None,
    chosen_all: str | None = None,
    error: str | None = None,
) -> str:
    locale = request_locale()
    meeting = link.meeting
    current = link.attendance.status if link.attendance else AttendanceStatus.NEEDS_ACTION
    return render_template(
        "rsvp/answer.html",
        collaboration=meeting.collaboration.name,
        when=_when(meeting, locale),
        location=meeting.location,
        person=link.person.name,
        current=gettext(CURRENT[current]),
        current_key=current.value,
        answers=[(key, gettext(label)) for key, (_status, label) in ANSWERS.items()],
        chosen=chosen,
        closed=closed.translate(gettext)
        if (closed := answer_refusal(meeting, app_now()))
        else None,
        error=error,
        action=_link(".answer", secret),
        subscribe=_link(".subscribe", secret),
        availability=_link(".availability", secret),
        others=_other_meetings(get_session(), link, locale, _page_number()),
        series=[(key, gettext(text)) for key, (_status, text) in SERIES.items()],
        chosen_all=chosen_all,
        answer_all=_link(".answer_all", secret),
        page_url=lambda number: url_for(
            ".show", secret=secret, page=number, lang=_asked_language(), _anchor="others"
        ),
    )


@bp.get("/<path:secret>")
def show(secret: str) -> Any:
    """Show the meeting and the answer buttons. Changes nothing, whatever the query says."""
    session = get_session()
    try:
        link = resolve_rsvp(session, secret, app_now())
    except LinkError as error:
        return _problem_page(error.problem)
    with force_locale(_language(link)):
        asked = request.args.get("answer", "").strip().lower()
        asked_all = request.args.get("all", "").strip().lower()
        return _answer_page(
            secret,
            link,
            chosen=asked if asked in ANSWERS else None,
            chosen_all=asked_all if asked_all in SERIES else None,
        )


@bp.post("/<path:secret>")
def answer(secret: str) -> Any:
    """Record the answer given with one of the buttons."""
    session = get_session()
    now = app_now()
    try:
        link = resolve_rsvp(session, secret, now)
    except LinkError as error:
        return _problem_page(error.problem)
    with force_locale(_language(link)):
        given = request.form.get("answer", "").strip().lower()
        if given not in ANSWERS:
            message = gettext("Choose one of the buttons: accept, maybe or decline.")
            return _answer_page(secret, link, error=message), 400
        with change() as outcome:
            link = answer_by_link(session, link, ANSWERS[given][0], now)
        if not outcome.ok:  # cancelled or already held: nothing is stored
            return render_template(
                "rsvp/problem.html",
                title=gettext("Your answer cannot be recorded"),
                message=outcome.message,
                collaboration=link.meeting.collaboration.name,
                when=_when(link.meeting, request_locale()),
            ), 409
        status = link.attendance.status if link.attendance else ANSWERS[given][0]
        return render_template(
            "rsvp/thanks.html",
            collaboration=link.meeting.collaboration.name,
            when=_when(link.meeting, request_locale()),
            location=link.meeting.location,
            recorded=gettext(CURRENT[status]),
            recorded_key=status.value,
            again=_link(".show", secret),
        )


@bp.post("/<secret>/all")
def answer_all(secret: str) -> Any:
    """Record one answer for every coming meeting of the collaboration."""
    session = get_session()
    now = app_now()
    try:
        link = resolve_rsvp(session, secret, now)
    except LinkError as error:
        return _problem_page(error.problem)
    with force_locale(_language(link)):
        given = request.form.get("answer", "").strip().lower()
        if given not in SERIES:
            message = gettext("Choose whether you come to all meetings or to none.")
            return _answer_page(secret, link, error=message), 400
        with change() as outcome:
            result = answer_series_by_link(session, link, SERIES[given][0], now)
        if not outcome.ok:
            return _answer_page(secret, link, error=outcome.message), outcome.status
        locale = request_locale()
        return render_template(
            "rsvp/thanks_all.html",
            collaboration=link.meeting.collaboration.name,
            recorded=gettext(CURRENT[SERIES[given][0]]),
            recorded_key=SERIES[given][0].value,
            meetings=[_when(meeting, locale) for meeting in result.meetings],
            changed=len(result.changed),
            again=_link(".show", secret),
        )


@bp.post("/<secret>/calendar")
def subscribe(secret: str) -> Any:
    """Make the partner a link to the collaboration's calendar feed and show it, this once.

    Feed secrets are stored hashed, so an earlier link cannot be shown again: every press makes
    a new link, labelled with the partner's name so the coordinator can tell whose it is.
    """
    db = get_session()
    now = app_now()
    try:
        link = resolve_rsvp(db, secret, now)
    except LinkError as error:
        return _problem_page(error.problem)
    with force_locale(language := _language(link)):
        collab = link.meeting.collaboration
        with change() as outcome:
            issued = create_token(
                db,
                now,
                collaboration=collab.id,
                language=language,
                label=f"{link.person.name} <{link.person.email}>",
            )
        if not outcome.ok:
            return render_template(
                "rsvp/problem.html",
                title=gettext("The calendar link could not be made"),
                message=outcome.message,
            ), outcome.status
        return render_template(
            "rsvp/calendar.html",
            collaboration=collab.name,
            links=subscribe_links(token_url(issued.secret), collab.name),
            back=_link(".show", secret),
        )


@bp.post("/<secret>/availability")
def availability(secret: str) -> Any:
    """Open the partner's own availability page ("Mijn beschikbaarheid") with a new link of
    its own (a POST: the page GET changes nothing, and a link is a row)."""
    db = get_session()
    now = app_now()
    try:
        link = resolve_rsvp(db, secret, now)
    except LinkError as error:
        return _problem_page(error.problem)
    with force_locale(_language(link)):
        with change() as outcome:
            issued = issue_availability_link(db, link.person, now)
        if not outcome.ok:
            return render_template(
                "rsvp/problem.html",
                title=gettext("Your availability page could not be opened"),
                message=outcome.message,
            ), outcome.status
        target = url_for("availability.show", secret=issued, lang=_asked_language())
        return redirect(target, code=303)
