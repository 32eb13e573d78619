"""A school's calendar linked by its address: link it (fetched at once), change the address
or the rules, fetch it now ("nu ophalen"), unlink it. The worker fetches it on its schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import abort, current_app, flash, redirect
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from planner.clock import app_now
from planner.models import CalendarSource, Organisation
from planner.presenters.calendar_sync import outcome_text
from planner.services import calendar_sync
from planner.web.forms import ActionForm
from planner.web.forms.schools import CalendarUrlForm
from planner.web.requests import change, get_session
from planner.web.security import administered_school
from planner.web.views.schools.base import asked_school_year, bp, show_url, warn

ANCHOR = "calendar-url"


def _settings() -> calendar_sync.SyncSettings:
    return calendar_sync.SyncSettings.from_config(current_app.config)


def _source(org: Organisation, source_id: int) -> CalendarSource:
    source = get_session().get(CalendarSource, source_id)
    if source is None or source.organisation_id != org.id:
        abort(404)
    return source


def _said(outcome: calendar_sync.SyncOutcome) -> None:
    flash(outcome_text(outcome), "success" if outcome.ok else "error")
    warn(outcome.hits)


def _store_and_fetch(
    org: Organisation,
    form: CalendarUrlForm,
    store: Callable[[Session, dict[str, str], datetime], CalendarSource],
) -> Response:
    """Store the form's address and rules (`store`: link or change), then read the calendar
    at once; a bad form or a refusal is flashed and nothing is fetched."""
    year = asked_school_year()
    if not form.validate_on_submit():
        for item in form:
            for message in item.errors:
                flash(f"{item.label.text}: {message}", "error")
        return redirect(show_url(org, year, ANCHOR))
    now = app_now()
    fields = {"url": form.url.data or "", "rules": form.rules.data or ""}
    with change() as stored:
        source = store(get_session(), fields, now)
    if not stored.ok:
        flash(stored.message, "error")
        return redirect(show_url(org, year, ANCHOR))
    with change() as fetched:
        outcome = calendar_sync.sync_source(get_session(), source, now, _settings())
    if fetched.ok:
        _said(outcome)
    return redirect(show_url(org, year, ANCHOR))


@bp.post("/schools/<int:org_id>/calendar-url")
def add_calendar_url(org_id: int) -> Response:
    """Link the school's published calendar and fetch it at once."""
    org = administered_school(org_id)
    return _store_and_fetch(
        org,
        CalendarUrlForm(),
        lambda session, fields, now: calendar_sync.add_source(session, org, fields, now),
    )


@bp.post("/schools/<int:org_id>/calendar-url/<int:source_id>")
def save_calendar_url(org_id: int, source_id: int) -> Response:
    """Save a new address or new rules; the calendar is read again at once."""
    org = administered_school(org_id)
    source = _source(org, source_id)
    return _store_and_fetch(
        org,
        CalendarUrlForm(prefix=f"s{source.id}"),
        lambda session, fields, now: calendar_sync.update_source(session, source, fields, now),
    )


@bp.post("/schools/<int:org_id>/calendar-url/<int:source_id>/sync")
def sync_calendar_url(org_id: int, source_id: int) -> Response:
    """Fetch the linked calendar now ("nu ophalen")."""
    org = administered_school(org_id)
    year = asked_school_year()
    source = _source(org, source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with change() as fetched:
        outcome = calendar_sync.sync_source(get_session(), source, app_now(), _settings())
    if fetched.ok:
        _said(outcome)
    else:
        flash(fetched.message, "error")
    return redirect(show_url(org, year, ANCHOR))


@bp.post("/schools/<int:org_id>/calendar-url/<int:source_id>/delete")
def delete_calendar_url(org_id: int, source_id: int) -> Response:
    """Unlink the calendar; the busy periods it brought are deleted."""
    org = administered_school(org_id)
    year = asked_school_year()
    source = _source(org, source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with change() as removed:
        calendar_sync.remove_source(get_session(), source, app_now())
    if removed.ok:
        flash(gettext("The calendar is unlinked and its busy periods are deleted."), "success")
    else:
        flash(removed.message, "error")
    return redirect(show_url(org, year, ANCHOR))
