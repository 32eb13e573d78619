"""Web pages of collaborations: the dashboard, a collaboration with its year picture, and
creating and editing one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from planner.calendar_nl import parse_school_year, school_year_bounds, school_year_of
from planner.clock import app_now
from planner.domain.drift import Health
from planner.domain.kinds import LocationMode, MeetingStatus, Role
from planner.inputs import parse_date, parse_time, parse_weekdays
from planner.models import Collaboration, Meeting, Person, PollStatus
from planner.presenters.dashboard import filled_in_text, row_view
from planner.presenters.year_picture import render_year_svg, svg_document
from planner.services import (
    accounts,
    collaboration_fields,
    collaborations,
    meetings,
    organisations,
    person_calendars,
    polls,
)
from planner.services.dashboard import dashboard_rows, overview_rows, plan_fill_in
from planner.services.memberships import shown_label, withheld_names, withheld_organisations
from planner.services.plan_context import zone_of
from planner.services.year_grid import load_year_grid
from planner.text.formatting import format_moment
from planner.text.labels import language_of
from planner.web.forms import Form
from planner.web.forms.collaborations import CollaborationForm, FillInForm, person_line
from planner.web.requests import change, get_session, request_locale
from planner.web.security import coordinated_collaboration, login_required, require_person

bp = Blueprint("collaborations", __name__)


def _url(endpoint: str, path: str, **values: Any) -> str:
    """Return another blueprint's URL, or its path when that page is not there (yet)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return f"{request.script_root}{path}"


def meeting_url(meeting_id: int) -> str:
    """Return the meeting page's URL."""
    return _url("meetings.show", f"/meetings/{meeting_id}", meeting_id=meeting_id)


def plan_url(collab_id: int) -> str:
    """Return the plan wizard's URL."""
    return _url("meetings.plan", f"/collaborations/{collab_id}/plan", collab_id=collab_id)


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


# The year picture as a file: its own styles only, no scripts, links or frames.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


# --- Dashboard -----------------------------------------------------------------------------------


@bp.get("/dashboard")
@login_required
def dashboard() -> Any:
    """Every collaboration the person coordinates over its whole planned horizon, the most
    urgent first."""
    person = require_person()
    session = get_session()
    now = app_now()
    locale = request_locale()
    rows: list[dict[str, Any]] = [
        {
            "collab": item.collaboration,
            "view": row_view(item, locale),
            "next_url": meeting_url(item.next_meeting.id) if item.next_meeting else None,
            "plan_url": plan_url(item.collaboration.id),
            "target": item.drift.rhythm.target_days // 7,
            "max_gap": item.drift.rhythm.max_gap_days // 7,
        }
        for item in dashboard_rows(session, person, now, locale=locale)
    ]
    schools = accounts.administered_schools(session, person) if not rows else []
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["view"].health] = counts.get(row["view"].health, 0) + 1
    return render_template(
        "collaborations/dashboard.html",
        rows=rows,
        schools=schools,
        counts={health.value: counts[health.value] for health in Health if health.value in counts},
        form=FillInForm(),
    )


@bp.post("/collaborations/<int:collab_id>/fill-in")
@login_required
def fill_in(collab_id: int) -> Response:
    """Plan and confirm the proposed fill-in date (invitations go out through the worker)."""
    collab = coordinated_collaboration(collab_id)
    form = FillInForm()
    back = (
        url_for(".show", collab_id=collab.id)
        if form.back.data == "collaboration"
        else url_for(".dashboard")
    )
    if not form.validate_on_submit():
        flash(gettext("The form had expired; nothing was planned. Please try again."), "error")
        return redirect(back)
    locale = request_locale()
    with change() as outcome:
        day = parse_date(form.day.data, "day")
        at = parse_time(form.time.data, "time")
        result = plan_fill_in(get_session(), collab, day, at, app_now(), locale=locale)
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(back)
    flash(
        gettext(
            "%(name)s: %(done)s The invitations are on their way.",
            name=collab.name,
            done=filled_in_text(result, zone_of(collab), locale),
        ),
        "success",
    )
    return redirect(back)


# --- One collaboration ---------------------------------------------------------------------------


def _school_year(today: date) -> str:
    """The school year asked for (?year=2026-2027), or the current one."""
    asked = request.args.get("year")
    return parse_school_year(asked) if asked else school_year_of(today)


def _shift_year(school_year: str, years: int) -> str:
    first = int(school_year[:4]) + years
    return f"{first}-{first + 1}"


def _people(collab: Collaboration, role: Role) -> list[Person]:
    return [link.person for link in collab.people if link.role is role]


def _people_rows(session: Session, collab: Collaboration, locale: str) -> list[dict[str, Any]]:
    """Coordinators and participants with whether they are essential and whether they gave
    a free/busy address (how many busy times and when last fetched: never the times)."""
    given = person_calendars.availability_of(session, [link.person_id for link in collab.people])
    rows = []
    for role in (Role.COORDINATOR, Role.PARTICIPANT):
        for link in collab.people:
            if link.role is not role:
                continue
            own = given.get(link.person_id)
            rows.append(
                {
                    "person": link.person,
                    "role": role,
                    "essential": link.essential,
                    "availability": own,
                    "last_fetch": format_moment(own.last_success_at, locale) if own else "",
                }
            )
    return rows


@bp.post("/collaborations/<int:collab_id>/people/<int:person_id>/essential")
@login_required
def essential(collab_id: int, person_id: int) -> Response:
    """Mark a participant essential (her busy time is a hard obstacle), or no longer."""
    collab = coordinated_collaboration(collab_id)
    back = url_for(".show", collab_id=collab.id, _anchor="people-title")
    if not Form().validate_on_submit():  # the CSRF token
        flash(gettext("The form had expired; nothing was changed. Please try again."), "error")
        return redirect(back)
    wanted = request.form.get("essential") == "on"
    with change() as outcome:
        link = collaborations.set_essential(get_session(), collab, person_id, wanted, app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(back)
    name = link.person.name
    flash(
        gettext("%(name)s is essential: the planner avoids her busy times.", name=name)
        if wanted
        else gettext("%(name)s is no longer essential.", name=name),
        "success",
    )
    return redirect(back)


@bp.post("/collaborations/<int:collab_id>/my-availability")
@login_required
def my_availability(collab_id: int) -> Response:
    """Open the logged-in person's own availability page with a new link (as a partner does
    from her invitation)."""
    collab = coordinated_collaboration(collab_id)
    back = url_for(".show", collab_id=collab.id, _anchor="people-title")
    if not Form().validate_on_submit():  # the CSRF token
        flash(gettext("The form had expired; nothing was changed. Please try again."), "error")
        return redirect(back)
    with change() as outcome:
        secret = person_calendars.issue_availability_link(
            get_session(), require_person(), app_now()
        )
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(back)
    return redirect(url_for("availability.show", secret=secret), code=303)


def _conflict(meeting: Meeting) -> dict[str, Any]:
    flag = meeting.conflict or {}
    proposed = flag.get("proposed_day")
    withheld = withheld_names(meeting.collaboration)
    return {
        "meeting": meeting,
        "reasons": [
            {"label": shown_label(reason, withheld), "who": reason.get("who", "")}
            for reason in flag.get("reasons", [])
        ],
        "proposed": date.fromisoformat(proposed) if proposed else None,
    }


def _weekday_names(collab: Collaboration, locale: str) -> list[str]:
    names = get_day_names("wide", locale=language_of(locale))
    return [str(names[int(day) - 1]) for day in collab.weekdays]


def _location_text(collab: Collaboration) -> str:
    if collab.location_mode is LocationMode.ONLINE:
        return collab.location_note or str(gettext("Online"))
    text = str(gettext("In turn at each member school"))
    return f"{text} ({collab.location_note})" if collab.location_note else text


def _reminder_text(collab: Collaboration) -> str:
    hours = collab.reminder_hours
    if hours == 0:
        return str(gettext("No reminders"))
    if hours is None:
        hours = int(current_app.config["REMINDER_HOURS"])
        return str(gettext("The standard: %(hours)s hours before a meeting", hours=hours))
    return str(gettext("%(hours)s hours before a meeting", hours=hours))


@bp.get("/collaborations/<int:collab_id>")
@login_required
def show(collab_id: int) -> Any:
    """Members, people, rhythm, meetings, conflicts, health and the year picture."""
    coordinated_collaboration(collab_id)
    session = get_session()
    locale = request_locale()
    now = app_now()
    collab = collaborations.get_collaboration(session, collab_id)
    zone = zone_of(collab)
    today = now.astimezone(zone).date()
    school_year = _school_year(today)
    grid = load_year_grid(session, collab, school_year, locale)
    numbers = {mark.meeting_id: mark.number for mark in grid.meetings}
    picture = render_year_svg(
        grid, collab.name, school_year, locale=locale, today=today, meeting_url=meeting_url
    )
    all_meetings = meetings.list_meetings(session, collab.id)
    upcoming = [m for m in all_meetings if m.ends_at > now]
    past = [m for m in reversed(all_meetings) if m.ends_at <= now]
    conflicts = [
        _conflict(m) for m in upcoming if m.conflict and m.status is MeetingStatus.CONFIRMED
    ]
    [overview] = overview_rows(session, [collab], now, locale=locale)
    health = row_view(overview, locale)
    first_day, last_day = school_year_bounds(school_year)
    return render_template(
        "collaborations/show.html",
        collab=collab,
        open_polls=[
            {
                "url": url_for("polls.show", collab_id=collab.id, poll_id=poll.id),
                "school_year": poll.school_year,
                "deadline": polls.deadline_day(poll),
                "answered": sum(1 for invitee in poll.invitees if invitee.answered_at),
                "asked": len(poll.invitees),
            }
            for poll in polls.polls_of(session, collab)
            if poll.status is PollStatus.OPEN
        ],
        members=collaborations.member_organisations(collab),
        withheld=withheld_organisations(collab),
        coordinators=_people(collab, Role.COORDINATOR),
        participants=_people(collab, Role.PARTICIPANT),
        people_rows=_people_rows(session, collab, locale),
        weekday_names=_weekday_names(collab, locale),
        location_text=_location_text(collab),
        reminder_text=_reminder_text(collab),
        upcoming=upcoming,
        past=past,
        conflicts=conflicts,
        numbers=numbers,
        zone=zone,
        clock=_clock,
        meeting_url=meeting_url,
        plan_url=plan_url(collab.id),
        health=health,
        form=FillInForm(),
        grid=grid,
        picture=picture,
        school_year=school_year,
        year_first=first_day,
        year_last=last_day,
        previous_year=_shift_year(school_year, -1),
        next_year=_shift_year(school_year, 1),
    )


@bp.get("/collaborations/<int:collab_id>/year.svg")
@login_required
def year_svg(collab_id: int) -> Response:
    """The year picture on its own, to download or print."""
    coordinated_collaboration(collab_id)
    session = get_session()
    locale = request_locale()
    collab = collaborations.get_collaboration(session, collab_id)
    today = app_now().astimezone(zone_of(collab)).date()
    school_year = _school_year(today)
    grid = load_year_grid(session, collab, school_year, locale)
    svg = render_year_svg(grid, collab.name, school_year, locale=locale, today=today)
    response = Response(svg_document(svg), mimetype="image/svg+xml")
    filename = f"year-{collab.id}-{school_year}.svg"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A page only for its coordinators: no shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    # Opened on its own the SVG is a document of this site: it may never run a script.
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


# --- Create and edit -----------------------------------------------------------------------------


def _member_choices(session: Session) -> list[SelectChoice]:
    choices = []
    for org in organisations.list_organisations(session):
        details = ", ".join(part for part in (org.brin, org.city, org.region) if part)
        text = f"{org.name} ({details})" if details else org.name
        choices.append(SelectChoice(str(org.id), text))
    return choices


def _render_form(form: CollaborationForm, collab: Collaboration | None, status: int) -> Any:
    return render_template("collaborations/form.html", form=form, collab=collab), status


def _save(form: CollaborationForm, collab: Collaboration | None) -> Any:
    """Validate the form and create or change the collaboration; on error nothing changes."""
    me = require_person()
    session = get_session()
    if not form.validate_on_submit():
        return _render_form(form, collab, 400 if request.method == "POST" else 200)
    raw = form.raw()
    with change() as outcome:
        if collab is None:
            saved = collaborations.create_collaboration(session, raw, app_now(), actor=me)
        else:
            saved = collaborations.update_collaboration(session, collab, raw, app_now(), actor=me)
    if not outcome.ok:
        form.form_errors.append(outcome.message)
        # An unknown person named in the form is a mistake in the form, not a missing page.
        return _render_form(form, collab, outcome.status if outcome.status != 404 else 400)
    flash(gettext("Saved %(name)s.", name=saved.name), "success")
    return redirect(url_for(".show", collab_id=saved.id))


@bp.route("/collaborations/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    """Start a collaboration; whoever starts it coordinates it."""
    person = require_person()
    form = CollaborationForm()
    form.members.choices = _member_choices(get_session())
    if request.method == "GET":
        form.coordinator_lines.data = person_line(person)
        defaults = collaboration_fields.DEFAULTS
        form.target_weeks.data = defaults["target_weeks"]
        form.max_gap_weeks.data = defaults["max_gap_weeks"]
        form.notice_days.data = defaults["notice_days"]
        form.duration_minutes.data = defaults["duration_minutes"]
        form.weekdays.data = [str(day) for day in parse_weekdays(defaults["weekdays"])]
        form.start_time.data = parse_time(defaults["start_time"], "start_time")
    return _save(form, None)


@bp.route("/collaborations/<int:collab_id>/edit", methods=["GET", "POST"])
@login_required
def edit(collab_id: int) -> Any:
    """Change a collaboration's settings, members and people."""
    coordinated_collaboration(collab_id)
    session = get_session()
    collab = collaborations.get_collaboration(session, collab_id)
    form = CollaborationForm()
    form.members.choices = _member_choices(session)
    if request.method == "GET":
        form.fill_from(collab)
    return _save(form, collab)
