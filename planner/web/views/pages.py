"""What every page shares: date and label helpers for templates, and the front door."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, redirect, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from planner.text.formatting import format_day, format_span, format_weeks
from planner.text.labels import label
from planner.web.security import current_person

bp = Blueprint("pages", __name__)


def iso_week(day: date) -> int:
    """The ISO week number schools use ("week 45")."""
    return day.isocalendar().week


@bp.app_context_processor
def inject_helpers() -> dict[str, Any]:
    """Make date formatting and labels available to every template."""
    locale = str(get_locale() or "nl")
    return {
        "locale": locale,
        "fmt_day": lambda day: format_day(day, locale),
        "fmt_span": lambda first, last: format_span(first, last, locale),
        "fmt_weeks": lambda days: format_weeks(days, locale),
        "kind_label": lambda kind: label(kind, locale),
        "iso_week": iso_week,
    }


@bp.get("/")
def index() -> Response:
    """The front door: the login page, or the dashboard."""
    if current_person() is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for("collaborations.dashboard"))
