"""JSON API: the Dutch school calendar, blocked days, and a school's year calendar import."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

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
from planner.presenters.calendar import (
    blocked_day_json,
    import_json,
    meetings_hit_json,
    school_holiday_json,
)
from planner.services import calendar_hits, calendar_import, organisations, school_calendar
from planner.services.availability import blocked_days_for
from planner.web.requests import commit, get_session, request_locale
from planner.web.views.api.base import bp, uploaded

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
