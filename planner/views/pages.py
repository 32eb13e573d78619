"""Read-only web pages: organisations and their blocked days (the full interface comes later)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template
from flask_babel import get_locale

from planner.calendar_nl import school_year_of
from planner.clock import today_local
from planner.errors import NotFoundError
from planner.formatting import format_day, format_span
from planner.labels import label
from planner.services import busy_periods, organisations, school_calendar
from planner.services.availability import blocked_days_for
from planner.web import get_session

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def inject_helpers() -> dict[str, Any]:
    """Make date formatting and labels available to every template."""
    locale = str(get_locale() or "nl")
    return {
        "locale": locale,
        "fmt_day": lambda day: format_day(day, locale),
        "fmt_span": lambda first, last: format_span(first, last, locale),
        "kind_label": lambda kind: label(kind, locale),
    }


@bp.get("/")
def index() -> str:
    """List every organisation with its region."""
    session = get_session()
    return render_template(
        "pages/index.html",
        organisations=organisations.list_organisations(session),
        today=today_local(),
    )


@bp.get("/organisations/<ref>")
def organisation(ref: str) -> str:
    """Show an organisation's school holidays, busy periods and the coming blocked days."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    today = today_local()
    school_year = school_year_of(today)
    try:
        holidays = (
            school_calendar.school_holidays_for(session, org.region, school_year)
            if org.region
            else []
        )
    except NotFoundError:  # no holiday data for this school year yet: show the rest
        holidays = []
    return render_template(
        "pages/organisation.html",
        org=org,
        school_year=school_year,
        holidays=holidays,
        overrides=school_calendar.list_holiday_overrides(session, org),
        closure_days=school_calendar.closure_kinds(org),
        periods=busy_periods.list_busy_periods(session, org, first=today),
        blocked=blocked_days_for(
            session, [org.id], today, today + timedelta(weeks=8), locale=str(get_locale())
        ),
    )
