"""A school's own busy periods: add (by dates or ISO weeks), change, delete."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from planner.calendar_nl import (
    school_year_of,
)
from planner.clock import app_now
from planner.models import BusyPeriod, Organisation
from planner.services import (
    busy_periods,
    calendar_hits,
)
from planner.text.formatting import format_span
from planner.text.labels import label
from planner.web.forms import ActionForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import administered_school
from planner.web.views.schools.base import (
    asked_school_year,
    bp,
    busy_period_form,
    fail,
    show_url,
    warn,
)
from planner.web.views.schools.page import page


def _own_period(org: Organisation, period_id: int) -> BusyPeriod:
    """One of the school's own busy periods; 404 for any other (region-wide ones included)."""
    period = get_session().get(BusyPeriod, period_id)
    if period is None or period.organisation_id != org.id:
        abort(404)
    return period


def _describe(period: BusyPeriod) -> str:
    locale = request_locale()
    weeks = _weeks(period.first_on, period.last_on)
    return str(
        gettext(
            "%(kind)s, %(days)s (week %(weeks)s)",
            kind=label(period.kind, locale),
            days=format_span(period.first_on, period.last_on, locale),
            weeks=weeks,
        )
    )


def _weeks(first: date, last: date) -> str:
    first_week, last_week = first.isocalendar().week, last.isocalendar().week
    return str(first_week) if first_week == last_week else f"{first_week}–{last_week}"


@bp.post("/schools/<int:org_id>/busy-periods")
def add_period(org_id: int) -> Response | tuple[str, int]:
    """Add a busy period, by dates or by ISO week numbers."""
    org = administered_school(org_id)
    year = asked_school_year()
    form = busy_period_form(year)
    status = 400
    if form.validate_on_submit():
        with change() as outcome:
            period = busy_periods.create_busy_period(
                get_session(), {**form.raw(), "organisation": org.id}, app_now()
            )
            hits = calendar_hits.busy_period_hits(get_session(), period, app_now())
        if not outcome.ok:
            status = fail(form, outcome)
        else:
            flash(gettext("Added: %(period)s.", period=_describe(period)), "success")
            warn(hits)
            return redirect(show_url(org, school_year_of(period.first_on), "busy-periods"))
    return page(org, year, status=status, busy_form=form)


@bp.route("/schools/<int:org_id>/busy-periods/<int:period_id>/edit", methods=["GET", "POST"])
def edit_period(org_id: int, period_id: int) -> Response | tuple[str, int]:
    """Change one of the school's busy periods."""
    org = administered_school(org_id)
    period = _own_period(org, period_id)
    year = school_year_of(period.first_on)
    status = 200
    if request.method == "POST":
        form = busy_period_form(year)
        form.stored_dates = (period.first_on.isoformat(), period.last_on.isoformat())
        status = 400
        if form.validate_on_submit():
            with change() as outcome:
                busy_periods.update_busy_period(get_session(), period, form.raw(), app_now())
                hits = calendar_hits.busy_period_hits(get_session(), period, app_now())
            if not outcome.ok:
                status = fail(form, outcome)
            else:
                flash(gettext("Saved: %(period)s.", period=_describe(period)), "success")
                warn(hits)
                return redirect(show_url(org, school_year_of(period.first_on), "busy-periods"))
    else:
        form = busy_period_form(
            year,
            formdata=None,
            kind=period.kind.value,
            severity=period.severity.value,
            first_day=period.first_on.isoformat(),
            last_day=period.last_on.isoformat(),
            note=period.note,
            school_year=year,
        )
    return render_template(
        "schools/edit_period.html", org=org, period=period, form=form, year=year
    ), status


@bp.route("/schools/<int:org_id>/busy-periods/<int:period_id>/delete", methods=["GET", "POST"])
def delete_period(org_id: int, period_id: int) -> Response | tuple[str, int]:
    """Ask, then delete one of the school's busy periods."""
    org = administered_school(org_id)
    period = _own_period(org, period_id)
    year = school_year_of(period.first_on)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        description = _describe(period)
        with change() as outcome:
            busy_periods.delete_busy_period(get_session(), period, app_now())
        if not outcome.ok:
            flash(outcome.message, "error")
            return redirect(show_url(org, year, "busy-periods"))
        flash(gettext("Deleted: %(period)s.", period=description), "success")
        return redirect(show_url(org, year, "busy-periods"))
    return render_template(
        "schools/delete_period.html",
        org=org,
        period=period,
        form=form,
        year=year,
        description=_describe(period),
    ), 200
