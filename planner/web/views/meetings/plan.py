"""The plan wizard of a collaboration.

It never stores anything until its last step. Step 1 asks for a school year or a period (a GET
form: it only asks for a preview); step 2 shows the proposed series with the reasons per date
and, per new meeting, a few other good days to pick; the chosen days travel in the form and in
the URL, so the confirmation stores exactly the series shown, after the service checked it
again (planning.require_fixed, planning.confirm_plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from planner.calendar_nl import school_year_of
from planner.clock import app_now
from planner.domain.gaps import Rhythm
from planner.models import Collaboration
from planner.presenters.completeness import missing_lines
from planner.presenters.planning import explanation_lines, gap_text, missing_text, plan_summary
from planner.presenters.year_picture import render_year_svg
from planner.services import plan_context, planning, polls
from planner.services.alternatives import Alternative
from planner.services.attendance import invitees_of
from planner.services.plan_choices import plan_alternatives
from planner.services.plan_context import ShortNotice
from planner.services.year_grid import load_year_grid
from planner.text.formatting import format_clock, format_day, format_weeks
from planner.web.forms import ActionForm
from planner.web.forms.meetings import PERIOD, YEAR, HorizonForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import coordinated_collaboration
from planner.web.views.meetings.base import _, bp, collaboration_url, effect

# How many other days the wizard offers per new meeting.
PLAN_ALTERNATIVES = 3


@dataclass
class PlanRow:
    """One meeting of a proposed series as the wizard shows it."""

    day: date
    week: int
    time: str
    location: str | None
    fixed: bool
    meeting_id: int | None
    lines: list[str]
    warning: str | None
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    number: int | None = None  # as in the year picture
    gap: str | None = None  # the gap before it, in weeks
    short_notice: bool = False  # a new meeting inside the minimum notice

    @property
    def anchor(self) -> str:
        return f"m-{self.day.isoformat()}"


def _year_choices(form: HorizonForm, today: date) -> None:
    current = school_year_of(today)
    following = school_year_of(date(int(current[:4]) + 1, 9, 1))
    form.school_year.choices = [
        SelectChoice(current, _("%(year)s (this school year)", year=current)),
        SelectChoice(following, _("%(year)s (next school year)", year=following)),
    ]
    if not form.school_year.data:
        form.school_year.data = current


def _horizon_args(form: HorizonForm) -> dict[str, str]:
    """The step-1 answers as URL parameters (to show the same horizon again)."""
    args = {"scope": form.scope.data or YEAR}
    if args["scope"] == PERIOD:
        if form.first.data:
            args["first"] = form.first.data.isoformat()
        if form.last.data:
            args["last"] = form.last.data.isoformat()
    else:
        args["school_year"] = form.school_year.data or ""
    return args


def _plan_url(collab_id: int, form: HorizonForm, days: list[date] | None = None) -> str:
    query: list[tuple[str, str]] = list(_horizon_args(form).items())
    query += [("day", day.isoformat()) for day in days or []]
    return f"{url_for('meetings.plan', collab_id=collab_id)}?{urlencode(query)}"


def _preview(
    session: Session,
    collab: Collaboration,
    form: HorizonForm,
    now: datetime,
    days: list[date] | None,
    *,
    short_notice: bool = True,
) -> planning.PlanPreview:
    """The plan for the horizon of the form (a preview may show days inside the notice: the
    confirmation asks for them again)."""
    horizon: dict[str, Any] = (
        {"first": form.first.data, "last": form.last.data}
        if form.scope.data == PERIOD
        else {"school_year": form.school_year.data}
    )
    return planning.preview_plan(
        session,
        collab,
        now,
        days=days,
        locale=request_locale(),
        short_notice=short_notice,
        **horizon,
    )


def _plan_rows(
    preview: planning.PlanPreview,
    choices: dict[date, list[Alternative]],
    locale: str,
    numbers: dict[date, int],
) -> list[PlanRow]:
    rhythm = preview.problem.rhythm
    zone = preview.zone
    short = {item.day for item in preview.short_notice}
    rows = []
    for item in preview.meetings:
        lines = explanation_lines(item.explanation, rhythm, locale)
        gap = item.explanation.gap
        # explanation_lines ends with the reason for a gap above the maximum: a warning here.
        warning = lines.pop() if gap is not None and gap.excess_days else None
        if item.missing:
            lines.append(missing_text(item.missing, locale))
        rows.append(
            PlanRow(
                day=item.day,
                week=item.day.isocalendar().week,
                time=f"{format_clock(item.starts_at, zone)}–{format_clock(item.ends_at, zone)}",
                location=item.location,
                fixed=item.fixed,
                meeting_id=item.meeting.id if item.meeting else None,
                lines=lines,
                warning=warning,
                alternatives=[
                    _alternative(alt, zone, rhythm, locale) for alt in choices.get(item.day, [])
                ],
                number=numbers.get(item.day),
                gap=format_weeks(gap.counted_days, locale) if gap is not None else None,
                short_notice=item.day in short,
            )
        )
    return rows


def _alternative(alt: Alternative, zone: ZoneInfo, rhythm: Rhythm, locale: str) -> dict[str, Any]:
    return {
        "value": alt.day.isoformat(),
        "day": alt.day,
        "week": alt.day.isocalendar().week,
        "time": f"{format_clock(alt.starts_at, zone)}–{format_clock(alt.ends_at, zone)}",
        "effect": effect(alt.effect, locale),
        "status": alt.effect.status.value,
        "lines": explanation_lines(alt.explanation, rhythm, locale),
    }


def _render_plan(
    collab: Collaboration,
    form: HorizonForm,
    *,
    preview: planning.PlanPreview | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    locale = request_locale()
    context: dict[str, Any] = {
        "collab": collab,
        "form": form,
        "error": error,
        "preview": preview,
        "collab_url": collaboration_url(collab.id),
    }
    if preview is not None:
        session = get_session()
        choices = plan_alternatives(
            session, preview, app_now(), locale=locale, limit=PLAN_ALTERNATIVES
        )
        year = preview.school_year or school_year_of(preview.first_day)
        grid = load_year_grid(
            session, collab, year, locale, proposed=[item.day for item in preview.new_meetings]
        )
        numbers = {mark.day: mark.number for mark in grid.meetings}
        rows = _plan_rows(preview, choices, locale, numbers)
        trailing = preview.plan.trailing
        summary = plan_summary(preview, locale)
        today = app_now().astimezone(preview.zone).date()
        context.update(
            rows=rows,
            picture=render_year_svg(grid, collab.name, year, locale=locale, today=today),
            school_year=year,
            calendar_warnings=missing_lines(preview.missing_calendars, preview.unasked),
            short_notice=[row for row in rows if row.short_notice],
            earliest=preview.earliest,
            headline=summary[0],
            notes=summary[1:],
            long_gap=preview.plan.largest_excess_days > 0,
            trailing=gap_text(trailing, locale) if trailing and trailing.excess_days else None,
            new_count=len(preview.new_meetings),
            fixed_count=len(preview.meetings) - len(preview.new_meetings),
            horizon=_horizon_args(form),
            invitees=[person.name for person in invitees_of(collab)],
            open_poll=polls.open_poll(session, collab, year),
            horizon_label=_(
                "%(first)s to %(last)s (school year %(year)s)",
                first=format_day(preview.first_day, locale),
                last=format_day(preview.last_day, locale),
                year=preview.school_year,
            ),
        )
    return render_template("plan/wizard.html", **context), status


@bp.get("/collaborations/<int:collab_id>/plan")
def plan(collab_id: int) -> Any:
    """Step 1 (the horizon) and step 2 (the proposal, with the chosen days if any)."""
    collab = coordinated_collaboration(collab_id)
    now = app_now()
    today = now.astimezone(plan_context.zone_of(collab)).date()
    asked = "scope" in request.args
    form = HorizonForm(formdata=request.args if asked else None)
    _year_choices(form, today)
    if not asked:
        return _render_plan(collab, form)
    if not form.validate():
        return _render_plan(collab, form, status=400)
    with change(store=False) as outcome:
        days = planning.parse_days(request.args.getlist("day"), request_locale()) or None
        preview = _preview(get_session(), collab, form, now, days)
    if not outcome.ok:
        return _render_plan(collab, form, error=outcome.message, status=outcome.status)
    return _render_plan(collab, form, preview=preview)


@bp.post("/collaborations/<int:collab_id>/plan")
def plan_submit(collab_id: int) -> Any:
    """Show the plan again with the picked days, or store it (step 3) and send invitations."""
    collab = coordinated_collaboration(collab_id)
    session = get_session()
    now = app_now()
    today = now.astimezone(plan_context.zone_of(collab)).date()
    form = HorizonForm(formdata=request.form)
    _year_choices(form, today)
    if not ActionForm().validate_on_submit():
        message = _("The form had expired; nothing was stored. Please try again.")
        return _render_plan(collab, form, error=message, status=400)
    if not form.validate():
        return _render_plan(collab, form, status=400)
    with change(store=False) as outcome:
        shown = planning.parse_days(request.form.getlist("day"), request_locale())
        chosen = _chosen_days(request.form, shown)
    if not outcome.ok:
        return _render_plan(collab, form, error=outcome.message, status=outcome.status)
    confirm = request.form.get("action") == "confirm"
    if not confirm or chosen != shown:
        if confirm:
            flash(_("You picked other dates: check the new plan, then confirm it."), "warning")
        return redirect(_plan_url(collab.id, form, chosen), 303)
    with change() as outcome:
        preview = _preview(
            session, collab, form, now, shown, short_notice=bool(request.form.get("short_notice"))
        )
        planning.require_fixed(preview, request.form.getlist("fixed"))
        created = planning.confirm_plan(session, preview, now)
    if isinstance(outcome.refused, ShortNotice):  # the same plan, asking to confirm the notice
        with change(store=False):
            preview = _preview(session, collab, form, now, shown)
        return _render_plan(
            collab, form, preview=preview, error=outcome.message, status=outcome.status
        )
    if not outcome.ok:
        message = _("Nothing was stored: %(reason)s", reason=outcome.message)
        return _render_fresh(collab, form, message, outcome.status)
    flash(
        ngettext(
            "%(num)d meeting planned. The invitations are being sent.",
            "%(num)d meetings planned. The invitations are being sent.",
            len(created),
        ),
        "success",
    )
    # The school year just planned, in the year picture.
    year = preview.school_year or school_year_of(created[0].day)
    return redirect(f"{collaboration_url(collab.id)}?{urlencode({'year': year})}#year-title", 303)


def _chosen_days(data: MultiDict[str, str], shown: list[date]) -> list[date]:
    """The shown days with each one's pick applied (the service refuses two on one day)."""
    picks = [data.get(f"choice-{day.isoformat()}") or day.isoformat() for day in shown]
    return planning.parse_days(picks, request_locale())


def _render_fresh(collab: Collaboration, form: HorizonForm, message: str, status: int) -> Any:
    """After a refused confirmation: the message, and a fresh proposal to start from."""
    with change(store=False) as outcome:
        preview = _preview(get_session(), collab, form, app_now(), None)
    if not outcome.ok:
        return _render_plan(collab, form, error=message, status=status)
    return _render_plan(collab, form, preview=preview, error=message, status=status)
