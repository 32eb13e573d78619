"""A school's calendar linked by its address: preview what an address gives with the rules
guessed from it, correct them and link it (fetched at once), change the address or the rules,
fetch it now ("nu ophalen"), unlink it. The worker fetches it on its schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from planner.calendar_nl import school_year_of
from planner.clock import app_now
from planner.models import CalendarSource, Organisation
from planner.presenters.calendar_sync import (
    left_out_items,
    lines_of_rules,
    outcome_text,
    preview_groups,
)
from planner.services import calendar_sync
from planner.web.forms import ActionForm
from planner.web.forms.schools import CalendarUrlForm
from planner.web.requests import change, get_session, request_locale
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


@bp.post("/schools/<int:org_id>/calendar-url/preview")
def preview_calendar_url(org_id: int) -> Response | tuple[str, int]:
    """Fetch an address once and show what it gives for this school year and the next, by the
    rules guessed from it or as corrected on the form ("action": preview, guess or link).
    Nothing is stored until "link", which stores the address with the form's rules."""
    org = administered_school(org_id)
    year = asked_school_year()
    form = CalendarUrlForm()
    action = request.form.get("action", "preview")
    if not form.validate_on_submit():
        messages = [f"{item.label.text}: {m}" for item in form for m in item.errors]
        return _preview_page(org, year, form, None, " ".join(messages)), 400
    raw = {"url": form.url.data or ""}
    if action != "guess" and "rules" in request.form:
        raw["rules"] = form.rules.data or ""
    if action == "link":
        with change() as linked:
            outcome = calendar_sync.link_source(get_session(), org, raw, app_now(), _settings())
        if linked.ok:
            _said(outcome)
            return redirect(show_url(org, year, ANCHOR))
        return _preview_page(org, year, form, None, linked.message), 422
    with change(store=False) as read:  # a preview stores nothing
        preview = calendar_sync.preview_source(get_session(), org, raw, app_now(), _settings())
    if not read.ok:
        return _preview_page(org, year, form, None, read.message), 422
    form.url.data = preview.url
    form.rules.data = lines_of_rules(preview.rules, request_locale())
    return _preview_page(org, year, form, preview, None), 200


def _preview_page(
    org: Organisation,
    year: str,
    form: CalendarUrlForm,
    preview: calendar_sync.SourcePreview | None,
    error: str | None,
) -> str:
    locale = request_locale()
    guessed = lines_of_rules(preview.guessed, locale) if preview else ""
    return render_template(
        "schools/calendar_url_preview.html",
        org=org,
        year=year,
        form=form,
        preview=preview,
        groups=preview_groups(preview, locale) if preview else [],
        left_out=left_out_items(preview, locale) if preview else [],
        guessed=guessed,
        years=(school_year_of(preview.first_day), school_year_of(preview.last_day))
        if preview
        else None,
        corrected=preview is not None and tuple(preview.rules) != tuple(preview.guessed),
        error=error,
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
