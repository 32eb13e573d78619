"""A collaboration's series polls, for its coordinators: started from the plan preview ("ask
the participants first"), the tally per date beside the re-plan, confirm and cancel. The rules
are planner.services.polls; the public answer page is planner.web.views.poll_answers."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from planner.clock import app_now
from planner.inputs import parse_date
from planner.models import Collaboration, Poll, PollStatus
from planner.presenters.planning import plan_summary
from planner.services import planning, polls
from planner.text.formatting import format_clock, format_day, format_moment
from planner.web.forms import ActionForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import coordinated_collaboration, current_person

bp = Blueprint("polls", __name__)

PERIOD = "period"


def _(message: str, **params: Any) -> str:
    return str(gettext(message, **params))


def _poll(collab: Collaboration, poll_id: int) -> Poll:
    poll = get_session().get(Poll, poll_id)
    if poll is None or poll.collaboration_id != collab.id:
        abort(404)
    return poll


def _plan_url(collab_id: int) -> str:
    """Back to the plan preview with the horizon and days the coordinator was looking at."""
    form = request.form
    query: list[tuple[str, str]] = [("scope", form.get("scope", "year"))]
    for key in ("school_year", "first", "last"):
        if form.get(key):
            query.append((key, str(form.get(key))))
    query += [("day", value) for value in form.getlist("day")]
    return f"{request.script_root}/collaborations/{collab_id}/plan?{urlencode(query)}"


def _to_poll(collab: Collaboration, poll: Poll) -> Any:
    """After a change: to the poll's page (a 303, so a reload does not post again)."""
    return redirect(url_for("polls.show", collab_id=collab.id, poll_id=poll.id), 303)


def _chosen_days(locale: str) -> list[date] | None:
    """The preview's new days with each one's pick applied (as the wizard sends them)."""
    shown = planning.parse_days(request.form.getlist("day"), locale)
    picks = [request.form.get(f"choice-{day.isoformat()}") or day.isoformat() for day in shown]
    return planning.parse_days(picks, locale) or None


@bp.post("/collaborations/<int:collab_id>/polls")
def start(collab_id: int) -> Any:
    """Start a poll on the plan the wizard shows ("ask the participants first")."""
    collab = coordinated_collaboration(collab_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form had expired; nothing was stored. Please try again."), "error")
        return redirect(_plan_url(collab.id), 303)
    locale = request_locale()
    form = request.form
    with change() as outcome:
        period = form.get("scope") == PERIOD
        deadline = form.get("poll_deadline", "").strip()
        poll = polls.start_poll(
            get_session(),
            collab,
            app_now(),
            by=current_person(),
            school_year=None if period else (form.get("school_year") or None),
            first=parse_date(form["first"], "first") if period and form.get("first") else None,
            last=parse_date(form["last"], "last") if period and form.get("last") else None,
            days=_chosen_days(locale),
            deadline=parse_date(deadline, "deadline") if deadline else None,
            locale=locale,
        )
    if not outcome.ok:
        flash(_("No poll was started: %(reason)s", reason=outcome.message), "error")
        return redirect(_plan_url(collab.id), 303)
    flash(
        ngettext(
            "The poll has started: %(num)d person gets a mail with the dates.",
            "The poll has started: %(num)d people get a mail with the dates.",
            len(poll.invitees),
        ),
        "success",
    )
    return _to_poll(collab, poll)


@bp.get("/collaborations/<int:collab_id>/polls/<int:poll_id>")
def show(collab_id: int, poll_id: int) -> Any:
    """The tally per date beside the re-plan, with confirm and cancel."""
    collab = coordinated_collaboration(collab_id)
    poll = _poll(collab, poll_id)
    return _render(collab, poll)


def _render(
    collab: Collaboration, poll: Poll, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    locale = request_locale()
    found = polls.report(get_session(), poll, app_now(), locale)
    zone = ZoneInfo(collab.timezone)
    replan = found.replan
    chosen = {item.day for item in replan.new_meetings} if replan else set()
    planned = (
        [
            {
                "day": item.day,
                "time": f"{format_clock(item.starts_at, zone)}–{format_clock(item.ends_at, zone)}",
                "location": item.location,
                "fixed": item.fixed,
                "asked": item.day in {row.date.day for row in found.tally.dates},
            }
            for item in replan.meetings
        ]
        if replan
        else []
    )
    slots = [
        [
            {
                "row": row,
                "time": f"{format_clock(row.date.starts_at, zone)}–"
                f"{format_clock(row.date.ends_at, zone)}",
                "chosen": row.date.day in chosen,
            }
            for row in group
        ]
        for group in found.tally.slots()
    ]
    page = render_template(
        "polls/show.html",
        collab=collab,
        poll=poll,
        open=poll.status is PollStatus.OPEN,
        status_text=_status_text(poll, locale),
        slots=slots,
        tally=found.tally,
        members=[member.organisation for member in collab.members],
        replan=replan,
        planned=planned,
        summary=plan_summary(replan, locale)[0] if replan else None,
        replan_problem=found.refusal.translate(gettext) if found.refusal else None,
        deadline=format_day(polls.deadline_day(poll), locale),
        late=found.tally.late,
        fmt_moment=lambda value: format_moment(value, locale),
        error=error,
        collab_url=f"{request.script_root}/collaborations/{collab.id}",
    )
    return page, status


def _status_text(poll: Poll, locale: str) -> str:
    if poll.status is PollStatus.CONFIRMED:
        return _("Confirmed on %(when)s.", when=format_moment(poll.confirmed_at, locale))
    if poll.status is PollStatus.CANCELLED:
        return _("Cancelled on %(when)s.", when=format_moment(poll.cancelled_at, locale))
    if poll.deadline_at <= app_now():
        return _("The deadline has passed; answers can still change until you confirm.")
    return _(
        "Open for answers until the end of %(day)s.",
        day=format_day(polls.deadline_day(poll), locale),
    )


@bp.post("/collaborations/<int:collab_id>/polls/<int:poll_id>/confirm")
def confirm(collab_id: int, poll_id: int) -> Any:
    """Confirm the re-plan the coordinator saw: the meetings are stored, invitations follow."""
    collab = coordinated_collaboration(collab_id)
    poll = _poll(collab, poll_id)
    if not ActionForm().validate_on_submit():
        message = _("The form had expired; nothing was stored. Please try again.")
        return _render(collab, poll, message, 400)
    with change() as outcome:
        seen = polls.parse_seen(request.form.getlist("day"))
        made = polls.confirm_poll(
            get_session(), poll, app_now(), seen=seen, locale=request_locale()
        )
    if not outcome.ok:
        message = _("Nothing was stored: %(reason)s", reason=outcome.message)
        return _render(collab, _poll(collab, poll_id), message, outcome.status)
    flash(
        ngettext(
            "%(num)d meeting planned. The invitations are being sent.",
            "%(num)d meetings planned. The invitations are being sent.",
            len(made),
        ),
        "success",
    )
    return _to_poll(collab, poll)


@bp.post("/collaborations/<int:collab_id>/polls/<int:poll_id>/cancel")
def cancel(collab_id: int, poll_id: int) -> Any:
    """Cancel the poll: nothing is planned."""
    collab = coordinated_collaboration(collab_id)
    poll = _poll(collab, poll_id)
    if not ActionForm().validate_on_submit():
        message = _("The form had expired; nothing was stored. Please try again.")
        return _render(collab, poll, message, 400)
    with change() as outcome:
        polls.cancel_poll(get_session(), poll, app_now())
    if not outcome.ok:
        return _render(collab, _poll(collab, poll_id), outcome.message, outcome.status)
    flash(_("The poll was cancelled; nothing was planned."), "success")
    return _to_poll(collab, poll)
