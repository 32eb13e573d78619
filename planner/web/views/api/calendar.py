"""JSON API: the Dutch school calendar, blocked days, a school's year calendar import, and
calendars linked by address (calendar sources) with their sync."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for

from planner.calendar_nl import (
    parse_rijksoverheid,
    parse_school_year,
    parse_year,
    public_holidays,
    school_year_of,
)
from planner.calendar_nl.year_calendar import parse_year_calendar
from planner.clock import app_now, local_date
from planner.errors import N_, ValidationError
from planner.inputs import parse_bool, parse_date, parse_int
from planner.messaging.jobs import sync_calendars
from planner.presenters.calendar import (
    blocked_day_json,
    import_json,
    meetings_hit_json,
    school_holiday_json,
)
from planner.presenters.calendar_sync import outcome_json, preview_json, source_json
from planner.services import (
    calendar_hits,
    calendar_import,
    calendar_sync,
    organisations,
    school_calendar,
)
from planner.services.availability import blocked_days_for
from planner.web.requests import commit, get_session, request_locale
from planner.web.views.api.base import body, bp, created, uploaded

# --- The Dutch calendar -------------------------------------------------------------------------


@bp.get("/school-holidays")
def list_school_holidays() -> Any:
    region = request.args.get("region", "")
    school_year = request.args.get("school_year", "")
    if not region or not school_year:
        raise ValidationError(
            N_("Give region and school_year, e.g. ?region=midden&school_year=2026-2027.")
        )
    found = school_calendar.school_holidays_for(get_session(), region, school_year)
    return jsonify([school_holiday_json(holiday, request_locale()) for holiday in found])


@bp.get("/school-holidays/coverage")
def school_holiday_coverage() -> Any:
    """Which school years have holiday data for each region; the next one missing, if any."""
    session = get_session()
    today = local_date(app_now())
    return jsonify(
        school_years=[
            {
                "school_year": year.school_year,
                "regions": year.regions,
                "complete": year.complete,
                "shipped": year.shipped,
                "imported_at": year.imported_at.isoformat() if year.imported_at else None,
            }
            for year in school_calendar.holiday_coverage(session, today)
        ],
        missing=school_calendar.missing_school_year(session, today),
    )


@bp.post("/school-holidays/import")
def import_school_holidays() -> Any:
    session = get_session()
    parsed = parse_rijksoverheid(request.get_data())
    result = school_calendar.import_school_holidays(session, parsed, "api upload", app_now())
    commit()
    return jsonify(
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
        school_years=list(result.school_years),
        changes=list(result.changes),
    )


@bp.get("/public-holidays")
def list_public_holidays() -> Any:
    found = public_holidays([parse_year(request.args.get("year", ""))], request_locale())
    return jsonify([{"date": day.isoformat(), "name": name} for day, name in found.items()])


@bp.get("/blocked-days")
def blocked_days() -> Any:
    refs = request.args.getlist("org")
    first = parse_date(request.args.get("from"), "from")
    last = parse_date(request.args.get("to"), "to")
    found = blocked_days_for(
        get_session(),
        refs,
        first,
        last,
        locale=request_locale(),
        max_days=current_app.config["MAX_BLOCKED_RANGE_DAYS"],
    )
    return jsonify([blocked_day_json(item) for item in found])


@bp.post("/organisations/<ref>/calendar-import")
def import_year_calendar(ref: str) -> Any:
    """A school's year calendar (.ics or .csv, raw body or upload `file`): every new row becomes a
    busy period. ?school_year= (default: the current one), ?skip=LINE (repeat) leaves rows out,
    ?dry_run=true only shows what would be imported."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    now = app_now()
    raw_year = request.args.get("school_year")
    school_year = parse_school_year(raw_year) if raw_year else school_year_of(local_date(now))
    dry_run = parse_bool(request.args.get("dry_run", "false"), "dry_run")
    skipped = {parse_int(line, "skip", 1, 10**6) for line in request.args.getlist("skip")}
    upload = request.files.get("file")
    filename = upload.filename or "" if upload is not None else ""
    calendar = parse_year_calendar(uploaded(), school_year, filename)
    rows = calendar_import.preview(session, org, calendar)
    if dry_run:
        return jsonify(import_json(calendar.school_year, rows, None, request_locale()))
    keep = {
        index: (row.kind.value, row.severity.value)
        for index, row in enumerate(rows)
        if row.line not in skipped
    }
    outcome = calendar_import.import_rows(
        session, org, calendar_import.chosen_rows(rows, keep), now
    )
    hits = calendar_hits.meetings_hit(
        session, [(p.first_on, p.last_on) for p in outcome.created], now, organisation=org
    )
    data = import_json(calendar.school_year, rows, outcome, request_locale())
    data["meetings_hit"] = meetings_hit_json(hits)
    commit()
    return jsonify(data), 201


# --- Calendars linked by address ----------------------------------------------------------------


def _settings() -> calendar_sync.SyncSettings:
    return calendar_sync.SyncSettings.from_config(current_app.config)


@bp.get("/organisations/<ref>/calendar-sources")
def list_calendar_sources(ref: str) -> Any:
    """The school's linked calendars with their sync state."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    return jsonify(
        [source_json(s, request_locale()) for s in calendar_sync.list_sources(session, org)]
    )


@bp.post("/organisations/<ref>/calendar-sources")
def add_calendar_source(ref: str) -> Any:
    """Link a calendar: {"url", "rules": [{"contains", "kind", "severity"}]}; ?sync=true
    fetches it at once."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    now = app_now()
    source = calendar_sync.add_source(session, org, body(), now)
    sync_now = parse_bool(request.args.get("sync", "false"), "sync")
    commit()
    data = source_json(source, request_locale())
    if sync_now:
        data = outcome_json(
            calendar_sync.sync_source(session, source, now, _settings()), request_locale()
        )
        commit()
    return created(data, url_for("api.get_calendar_source", source_id=source.id))


@bp.post("/organisations/<ref>/calendar-sources/preview")
def preview_calendar_source(ref: str) -> Any:
    """What an address would give, storing nothing: {"url", "rules"?} → the rules guessed
    from the calendar, the rules it was read by (the given ones, else the guessed), the busy
    periods they give for this school year and the next, and what the rules leave out."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    preview = calendar_sync.preview_source(session, org, body(), app_now(), _settings())
    session.rollback()
    return jsonify(preview_json(preview, request_locale()))


@bp.get("/calendar-sources/<source_id>")
def get_calendar_source(source_id: str) -> Any:
    source = calendar_sync.get_source(get_session(), source_id)
    return jsonify(source_json(source, request_locale()))


@bp.patch("/calendar-sources/<source_id>")
def update_calendar_source(source_id: str) -> Any:
    """Change the address or the rules; the next fetch reads the whole calendar again."""
    session = get_session()
    source = calendar_sync.get_source(session, source_id)
    calendar_sync.update_source(session, source, body(), app_now())
    commit()
    return jsonify(source_json(source, request_locale()))


@bp.delete("/calendar-sources/<source_id>")
def delete_calendar_source(source_id: str) -> Any:
    """Unlink a calendar and delete the busy periods it brought."""
    session = get_session()
    removed = calendar_sync.remove_source(
        session, calendar_sync.get_source(session, source_id), app_now()
    )
    commit()
    return jsonify(removed_busy_periods=removed)


@bp.post("/calendar-sources/<source_id>/sync")
def sync_calendar_source(source_id: str) -> Any:
    """Fetch one linked calendar now."""
    session = get_session()
    source = calendar_sync.get_source(session, source_id)
    outcome = calendar_sync.sync_source(session, source, app_now(), _settings())
    commit()
    return jsonify(outcome_json(outcome, request_locale()))


@bp.post("/calendar-sources/sync")
def sync_calendar_sources() -> Any:
    """Fetch the linked calendars that are due now (?all=true: every one), as the worker does."""
    everything = parse_bool(request.args.get("all", "false"), "all")
    get_session().rollback()  # the round writes in sessions of its own
    done = sync_calendars(
        current_app.extensions["planner.db"].session,
        current_app.config,
        app_now(),
        everything=everything,
    )
    return jsonify(
        fetched=done.fetched,
        not_modified=done.not_modified,
        changed=done.changed,
        failed=done.failed,
        outcomes=[outcome_json(outcome, request_locale()) for outcome in done.outcomes],
    )
