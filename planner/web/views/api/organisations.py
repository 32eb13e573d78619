"""JSON API: organisations, their busy periods, own holiday dates and closure days."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from planner.calendar_nl import parse_region, parse_school_year
from planner.clock import app_now, local_date
from planner.errors import N_, ValidationError
from planner.inputs import parse_date, reject_unknown_fields
from planner.models import Organisation
from planner.presenters.calendar import (
    busy_period_json,
    holiday_override_json,
    membership_json,
    organisation_json,
)
from planner.presenters.completeness import calendar_year_json
from planner.services import (
    busy_periods,
    calendar_hits,
    completeness,
    memberships,
    organisations,
    school_calendar,
)
from planner.web.requests import commit, get_session, request_locale
from planner.web.security import current_person
from planner.web.views.api.base import body, bp, created, json_body

# --- Organisations ------------------------------------------------------------------------------


@bp.get("/organisations")
def list_organisations() -> Any:
    session = get_session()
    region = request.args.get("region")
    found = organisations.list_organisations(
        session, region=parse_region(region) if region else None, search=request.args.get("q")
    )
    return jsonify([organisation_json(org) for org in found])


@bp.post("/organisations")
def create_organisation() -> Any:
    session = get_session()
    org = organisations.create_organisation(session, body(), app_now())
    commit()
    return created(organisation_json(org, detail=True), url_for(".get_organisation", ref=org.id))


@bp.get("/organisations/<ref>")
def get_organisation(ref: str) -> Any:
    org = organisations.find_organisation(get_session(), ref)
    return jsonify(organisation_json(org, detail=True))


@bp.patch("/organisations/<ref>")
def update_organisation(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    organisations.update_organisation(session, org, body(), app_now())
    commit()
    return jsonify(organisation_json(org, detail=True))


@bp.delete("/organisations/<ref>")
def delete_organisation(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    organisations.delete_organisation(session, org, app_now())
    commit()
    return "", 204


# --- Whether the calendar is filled in --------------------------------------------------------


@bp.get("/organisations/<ref>/calendar-years")
def calendar_years(ref: str) -> Any:
    """This school year and the next two (and ?school_year=, repeatable): filled in or not."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    asked = [parse_school_year(year) for year in request.args.getlist("school_year")]
    states = completeness.calendar_years(session, org, local_date(app_now()), also=asked)
    return jsonify([calendar_year_json(state) for state in states])


@bp.put("/organisations/<ref>/calendar-years/<year>/complete")
def mark_calendar_complete(ref: str, year: str) -> Any:
    """Mark the school's calendar of the school year complete (idempotent)."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    completeness.mark_complete(session, org, year, current_person(), app_now())
    commit()
    return _calendar_year(org, year)


@bp.delete("/organisations/<ref>/calendar-years/<year>/complete")
def unmark_calendar_complete(ref: str, year: str) -> Any:
    """Take the mark back (idempotent); busy periods of the year still count."""
    session = get_session()
    org = organisations.find_organisation(session, ref)
    completeness.unmark_complete(session, org, year, current_person(), app_now())
    commit()
    return _calendar_year(org, year)


def _calendar_year(org: Organisation, year: str) -> Any:
    [state] = completeness.calendar_states(get_session(), [org], [year])
    return jsonify(calendar_year_json(state))


# --- Busy periods -------------------------------------------------------------------------------


@bp.get("/organisations/<ref>/busy-periods")
def list_busy_periods(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    first = parse_date(request.args["from"], "from") if request.args.get("from") else None
    last = parse_date(request.args["to"], "to") if request.args.get("to") else None
    found = busy_periods.list_busy_periods(session, org, first, last)
    return jsonify([busy_period_json(period, request_locale()) for period in found])


@bp.post("/organisations/<ref>/busy-periods")
def create_busy_period(ref: str) -> Any:
    raw = body()
    if {"organisation", "region", "national"} & set(raw):
        raise ValidationError(N_("The organisation is given by the URL."))
    return _create_busy_period({**raw, "organisation": ref})


@bp.post("/busy-periods")
def create_shared_busy_period() -> Any:
    """Create a busy period for one organisation, a whole region or the whole country."""
    return _create_busy_period(body())


def _create_busy_period(raw: dict[str, Any]) -> Any:
    session = get_session()
    period = busy_periods.create_busy_period(session, raw, app_now())
    hits = calendar_hits.busy_period_hits(session, period, app_now())
    commit()
    return created(
        busy_period_json(period, request_locale(), hits),
        url_for(".get_busy_period", period_id=period.id),
    )


@bp.get("/busy-periods/<period_id>")
def get_busy_period(period_id: str) -> Any:
    period = busy_periods.get_busy_period(get_session(), period_id)
    return jsonify(busy_period_json(period, request_locale()))


@bp.patch("/busy-periods/<period_id>")
def update_busy_period(period_id: str) -> Any:
    session = get_session()
    period = busy_periods.get_busy_period(session, period_id)
    busy_periods.update_busy_period(session, period, body(), app_now())
    hits = calendar_hits.busy_period_hits(session, period, app_now())
    commit()
    return jsonify(busy_period_json(period, request_locale(), hits))


@bp.delete("/busy-periods/<period_id>")
def delete_busy_period(period_id: str) -> Any:
    session = get_session()
    period = busy_periods.get_busy_period(session, period_id)
    busy_periods.delete_busy_period(session, period, app_now())
    commit()
    return "", 204


# --- Holiday overrides and closure days ---------------------------------------------------------


@bp.get("/organisations/<ref>/holiday-overrides")
def list_holiday_overrides(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    found = school_calendar.list_holiday_overrides(session, org)
    return jsonify([holiday_override_json(override) for override in found])


@bp.post("/organisations/<ref>/holiday-overrides")
def set_holiday_override(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    override = school_calendar.set_holiday_override(session, org, body(), app_now())
    commit()
    return created(
        holiday_override_json(override),
        url_for(".delete_holiday_override", override_id=override.id),
    )


@bp.delete("/holiday-overrides/<override_id>")
def delete_holiday_override(override_id: str) -> Any:
    session = get_session()
    override = school_calendar.get_holiday_override(session, override_id)
    school_calendar.delete_holiday_override(session, override, app_now())
    commit()
    return "", 204


@bp.get("/organisations/<ref>/closure-days")
def get_closure_days(ref: str) -> Any:
    org = organisations.find_organisation(get_session(), ref)
    return jsonify(school_calendar.closure_kinds(org))


@bp.put("/organisations/<ref>/closure-days")
def put_closure_days(ref: str) -> Any:
    kinds = json_body()
    session = get_session()
    org = organisations.find_organisation(session, ref)
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise ValidationError(N_('Send a JSON list of closure days, e.g. ["goede_vrijdag"].'))
    result = school_calendar.set_closure_days(session, org, kinds, app_now())
    commit()
    return jsonify(result)


# --- Memberships: may a collaboration read the school's notes? ----------------------------------


@bp.get("/organisations/<ref>/memberships")
def list_memberships(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    return jsonify([membership_json(item) for item in memberships.memberships_of(session, org)])


@bp.put("/organisations/<ref>/memberships/<collab_ref>")
def answer_membership(ref: str, collab_ref: str) -> Any:
    raw = body()
    reject_unknown_fields(raw, {"consent"})
    consent = memberships.parse_consent(raw.get("consent"))
    session = get_session()
    org = organisations.find_organisation(session, ref)
    member = memberships.answer(session, org, collab_ref, consent, app_now(), actor=None)
    commit()
    return jsonify(membership_json(memberships.Membership(member.collaboration, member)))
