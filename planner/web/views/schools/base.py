"""The blueprint of the school pages, and what they share: the school year asked for, the
forms' messages, and the warning about meetings a change hits."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext

from planner.calendar_nl import (
    parse_school_year,
    school_year_of,
)
from planner.clock import app_now, local_date
from planner.domain.kinds import BusyKind, Severity
from planner.models import Meeting, Organisation
from planner.presenters.calendar import hits_text
from planner.text.labels import label
from planner.web.forms.schools import (
    BusyPeriodForm,
)
from planner.web.requests import Outcome, request_locale

bp = Blueprint("schools", __name__)


def page_today() -> date:
    return local_date(app_now())


def asked_school_year() -> str:
    """The school year asked for (?year=2026-2027), else the current one."""
    asked = request.args.get("year", "").strip()
    return parse_school_year(asked) if asked else school_year_of(page_today())


def nearby_years(*also: str) -> list[str]:
    """Last school year, this one and the next two, plus any asked for."""
    first = int(school_year_of(page_today())[:4])
    years = {f"{year}-{year + 1}" for year in range(first - 1, first + 3)} | set(also)
    return sorted(years)


def show_url(org: Organisation, year: str, anchor: str | None = None) -> str:
    return url_for("schools.show", org_id=org.id, year=year, _anchor=anchor)


def unbound(bound: bool) -> dict[str, Any]:
    """Keyword arguments for a form that must not read this request's posted fields."""
    return {} if bound else {"formdata": None}


def busy_period_form(year: str, **values: Any) -> BusyPeriodForm:
    form = BusyPeriodForm(**values)
    locale = request_locale()
    form.kind.choices = [(kind.value, label(kind, locale)) for kind in BusyKind]
    form.severity.choices = [
        ("", gettext("as usual for the kind (report meetings and other: soft)")),
        (Severity.HARD.value, gettext("hard: never plan a meeting then")),
        (Severity.SOFT.value, gettext("soft: avoid when possible")),
    ]
    form.school_year.choices = [(y, y) for y in nearby_years(year)]
    if not form.school_year.data or form.school_year.data == "None":
        form.school_year.data = year
    return form


def messages(form: Any) -> list[str]:
    """A form's messages for the summary at the top of the page."""
    messages = [str(message) for message in form.form_errors]
    for item in form:
        messages.extend(f"{item.label.text}: {message}" for message in item.errors)
    return messages


def fail(form: Any, outcome: Outcome) -> int:
    """Put a refused change's message on the form; return its status."""
    form.form_errors.append(outcome.message)
    return outcome.status


def warn(hits: list[Meeting]) -> None:
    """Say which planned meetings a change hits; the worker tells their coordinators."""
    if (said := hits_text(hits, request_locale())) is not None:
        flash(said, "warning")
