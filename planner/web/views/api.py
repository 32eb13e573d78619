"""JSON API, version 1: organisations, the school calendar, collaborations, planning, drift,
feeds, the outbox and invitation replies."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import get_locale

from planner.calendar_nl import parse_region, parse_rijksoverheid, public_holidays
from planner.clock import app_now
from planner.errors import N_, NotFoundError, PlannerError, ValidationError
from planner.feeds import tokens as feeds
from planner.inputs import (
    parse_bool,
    parse_choice,
    parse_date,
    parse_id,
    parse_int,
    parse_time,
    reject_unknown_fields,
)
from planner.presenters.calendar import (
    blocked_day_json,
    busy_period_json,
    holiday_override_json,
    organisation_json,
    school_holiday_json,
)
from planner.presenters.feeds import issued_json, region_feeds_json, token_json
from planner.presenters.outbox import event_json, mail_json, queues_json
from planner.presenters.planning import (
    alternative_json,
    change_json,
    collaboration_json,
    drift_json,
    meeting_json,
    person_json,
    plan_json,
    summary_json,
)
from planner.services import (
    busy_periods,
    collaborations,
    conflicts,
    drift,
    meetings,
    organisations,
    people,
    planning,
    school_calendar,
)
from planner.services.attendance import apply_reply
from planner.services.availability import blocked_days_for
from planner.services.outbox import QueueState, retry_event, retry_mail
from planner.web.requests import get_session
from planner.web.security import csrf, current_person

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class Unauthorized(PlannerError):
    """A request without the API token or an administrator's login."""

    status = 401


class Forbidden(PlannerError):
    """A logged-in person who is not a platform administrator."""

    status = 403


@bp.before_request
def require_api_access() -> None:
    """The API is for integrations (`Authorization: Bearer <API_TOKEN>`) and for logged-in
    platform administrators; a browser session's writes also need its CSRF token."""
    if _has_token():
        return
    person = current_person()
    if person is None:
        raise Unauthorized(N_("The API needs a valid API token or an administrator's login."))
    if not person.is_admin:
        raise Forbidden(N_("Only platform administrators may use the API."))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _has_token() -> bool:
    """Whether the request carries the configured API token."""
    token = current_app.config.get("API_TOKEN")
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith("Bearer "):
        return False
    given = header.removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), str(token).encode())


def _locale() -> str:
    return str(get_locale() or "nl")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(N_("Send a JSON object in the request body."))
    return data


def _created(data: dict[str, Any], location: str) -> Response:
    response = jsonify(data)
    response.status_code = 201
    response.headers["Location"] = location
    return response


# --- Organisations ------------------------------------------------------------------------------


@bp.get("/organisations")
def list_organisations() -> Any:
    session = get_session()
    region = request.args.get("region")
    found = organisations.list_organisations(
        session, region=parse_region(region) if region else None
    )
    return jsonify([organisation_json(org) for org in found])


@bp.post("/organisations")
def create_organisation() -> Any:
    session = get_session()
    org = organisations.create_organisation(session, _body(), app_now())
    session.commit()
    return _created(organisation_json(org, detail=True), url_for(".get_organisation", ref=org.id))


@bp.get("/organisations/<ref>")
def get_organisation(ref: str) -> Any:
    org = organisations.find_organisation(get_session(), ref)
    return jsonify(organisation_json(org, detail=True))


@bp.patch("/organisations/<ref>")
def update_organisation(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    organisations.update_organisation(session, org, _body(), app_now())
    session.commit()
    return jsonify(organisation_json(org, detail=True))


@bp.delete("/organisations/<ref>")
def delete_organisation(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    organisations.delete_organisation(session, org, app_now())
    session.commit()
    return "", 204


# --- Busy periods -------------------------------------------------------------------------------


@bp.get("/organisations/<ref>/busy-periods")
def list_busy_periods(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    first = parse_date(request.args["from"], "from") if request.args.get("from") else None
    last = parse_date(request.args["to"], "to") if request.args.get("to") else None
    found = busy_periods.list_busy_periods(session, org, first, last)
    return jsonify([busy_period_json(period, _locale()) for period in found])


@bp.post("/organisations/<ref>/busy-periods")
def create_busy_period(ref: str) -> Any:
    body = _body()
    if {"organisation", "region", "national"} & set(body):
        raise ValidationError(N_("The organisation is given by the URL."))
    return _create_busy_period({**body, "organisation": ref})


@bp.post("/busy-periods")
def create_shared_busy_period() -> Any:
    """Create a busy period for one organisation, a whole region or the whole country."""
    return _create_busy_period(_body())


def _create_busy_period(raw: dict[str, Any]) -> Any:
    session = get_session()
    period = busy_periods.create_busy_period(session, raw, app_now())
    session.commit()
    return _created(
        busy_period_json(period, _locale()), url_for(".get_busy_period", period_id=period.id)
    )


@bp.get("/busy-periods/<period_id>")
def get_busy_period(period_id: str) -> Any:
    period = busy_periods.get_busy_period(get_session(), period_id)
    return jsonify(busy_period_json(period, _locale()))


@bp.patch("/busy-periods/<period_id>")
def update_busy_period(period_id: str) -> Any:
    session = get_session()
    period = busy_periods.get_busy_period(session, period_id)
    busy_periods.update_busy_period(session, period, _body(), app_now())
    session.commit()
    return jsonify(busy_period_json(period, _locale()))


@bp.delete("/busy-periods/<period_id>")
def delete_busy_period(period_id: str) -> Any:
    session = get_session()
    period = busy_periods.get_busy_period(session, period_id)
    busy_periods.delete_busy_period(session, period, app_now())
    session.commit()
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
    override = school_calendar.set_holiday_override(session, org, _body(), app_now())
    session.commit()
    return _created(
        holiday_override_json(override),
        url_for(".delete_holiday_override", override_id=override.id),
    )


@bp.delete("/holiday-overrides/<override_id>")
def delete_holiday_override(override_id: str) -> Any:
    session = get_session()
    override = school_calendar.get_holiday_override(session, override_id)
    school_calendar.delete_holiday_override(session, override, app_now())
    session.commit()
    return "", 204


@bp.get("/organisations/<ref>/closure-days")
def get_closure_days(ref: str) -> Any:
    org = organisations.find_organisation(get_session(), ref)
    return jsonify(school_calendar.closure_kinds(org))


@bp.put("/organisations/<ref>/closure-days")
def put_closure_days(ref: str) -> Any:
    session = get_session()
    org = organisations.find_organisation(session, ref)
    kinds = request.get_json(silent=True)
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise ValidationError(N_('Send a JSON list of closure days, e.g. ["goede_vrijdag"].'))
    result = school_calendar.set_closure_days(session, org, kinds, app_now())
    session.commit()
    return jsonify(result)


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
    return jsonify([school_holiday_json(holiday, _locale()) for holiday in found])


@bp.post("/school-holidays/import")
def import_school_holidays() -> Any:
    session = get_session()
    parsed = parse_rijksoverheid(request.get_data())
    result = school_calendar.import_school_holidays(session, parsed, "api upload", app_now())
    session.commit()
    return jsonify(
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
        school_years=list(result.school_years),
        changes=list(result.changes),
    )


@bp.get("/public-holidays")
def list_public_holidays() -> Any:
    raw_year = request.args.get("year", "")
    if not raw_year.isdigit() or not 1966 <= int(raw_year) <= 2100:
        raise ValidationError(N_("Give a year, e.g. ?year=2027."))
    found = public_holidays([int(raw_year)], _locale())
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
        locale=_locale(),
        max_days=current_app.config["MAX_BLOCKED_RANGE_DAYS"],
    )
    return jsonify([blocked_day_json(item) for item in found])


# --- People and collaborations ------------------------------------------------------------------


@bp.get("/people")
def list_people() -> Any:
    return jsonify([person_json(person) for person in people.list_people(get_session())])


@bp.post("/people")
def create_person() -> Any:
    session = get_session()
    person = people.create_person(session, _body(), app_now())
    session.commit()
    return _created(person_json(person), url_for(".get_person", ref=person.id))


@bp.get("/people/<ref>")
def get_person(ref: str) -> Any:
    return jsonify(person_json(people.find_person(get_session(), ref)))


@bp.patch("/people/<ref>")
def update_person(ref: str) -> Any:
    session = get_session()
    person = people.find_person(session, ref)
    people.update_person(session, person, _body(), app_now())
    session.commit()
    return jsonify(person_json(person))


@bp.get("/collaborations")
def list_collaborations() -> Any:
    found = collaborations.list_collaborations(get_session())
    return jsonify([collaboration_json(collab) for collab in found])


@bp.post("/collaborations")
def create_collaboration() -> Any:
    session = get_session()
    collab = collaborations.create_collaboration(session, _body(), app_now())
    session.commit()
    return _created(collaboration_json(collab), url_for(".get_collaboration", ref=collab.id))


@bp.get("/collaborations/<ref>")
def get_collaboration(ref: str) -> Any:
    return jsonify(collaboration_json(collaborations.get_collaboration(get_session(), ref)))


@bp.patch("/collaborations/<ref>")
def update_collaboration(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    collaborations.update_collaboration(session, collab, _body(), app_now())
    session.commit()
    return jsonify(collaboration_json(collab))


@bp.delete("/collaborations/<ref>")
def delete_collaboration(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    collaborations.delete_collaboration(session, collab, app_now())
    session.commit()
    return "", 204


# --- Planning -----------------------------------------------------------------------------------

PLAN_FIELDS = {"school_year", "from", "to", "count", "days"}


def _plan_preview(ref: str, raw: dict[str, Any]) -> tuple[Any, Any]:
    reject_unknown_fields(raw, PLAN_FIELDS)
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    count = raw.get("count")
    days = raw.get("days")
    if days is not None and not isinstance(days, list):
        raise ValidationError(N_("days must be a list of dates."))
    preview = planning.preview_plan(
        session,
        collab,
        app_now(),
        school_year=str(raw["school_year"]) if raw.get("school_year") else None,
        first=parse_date(raw["from"], "from") if raw.get("from") else None,
        last=parse_date(raw["to"], "to") if raw.get("to") else None,
        count=parse_int(count, "count", 1, planning.MAX_COUNT) if count not in (None, "") else None,
        days=planning.parse_days(days) if days is not None else None,
        locale=_locale(),
    )
    return session, preview


@bp.get("/collaborations/<ref>/plan")
def preview_plan(ref: str) -> Any:
    """Propose a series (nothing is stored): ?school_year=2026-2027&from=&to=&count=."""
    raw: dict[str, Any] = {key: value for key, value in request.args.items() if key != "lang"}
    if "days" in raw:
        raw["days"] = request.args.getlist("days")
    _, preview = _plan_preview(ref, raw)
    return jsonify(plan_json(preview, _locale()))


@bp.post("/collaborations/<ref>/plan")
def confirm_plan(ref: str) -> Any:
    """Store a series as confirmed meetings; `days` pins the days shown in a preview."""
    session, preview = _plan_preview(ref, _body())
    created = planning.confirm_plan(session, preview, app_now())
    session.commit()
    response = jsonify(plan_json(preview, _locale(), created))
    response.status_code = 201
    return response


@bp.get("/collaborations/<ref>/meetings")
def list_meetings(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    found = meetings.list_meetings(session, collab.id)
    return jsonify([meeting_json(meeting, _locale()) for meeting in found])


@bp.get("/meetings/<meeting_id>")
def get_meeting(meeting_id: str) -> Any:
    return jsonify(meeting_json(meetings.get_meeting(get_session(), meeting_id), _locale()))


@bp.get("/meetings/<meeting_id>/alternatives")
def meeting_alternatives(meeting_id: str) -> Any:
    session = get_session()
    meeting = meetings.get_meeting(session, meeting_id)
    limit = parse_int(request.args.get("limit", "5"), "limit", 1, 20)
    current, found = meetings.alternatives(
        session, meeting, app_now(), locale=_locale(), limit=limit
    )
    collab = meeting.collaboration
    zone, rhythm = planning.zone_of(collab), planning.rhythm_of(collab)
    return jsonify(
        meeting=meeting_json(meeting, _locale()),
        current=summary_json(current, _locale()),
        alternatives=[alternative_json(item, zone, rhythm, _locale()) for item in found],
    )


@bp.post("/meetings/<meeting_id>/move")
def move_meeting(meeting_id: str) -> Any:
    """Move a meeting: {"day": "2026-10-13", "time": "16:00"} (time optional)."""
    body = _body()
    reject_unknown_fields(body, {"day", "time"})
    session = get_session()
    meeting = meetings.get_meeting(session, meeting_id)
    result = meetings.move_meeting(
        session,
        meeting,
        parse_date(body.get("day"), "day"),
        app_now(),
        at=parse_time(body["time"], "time") if body.get("time") else None,
        locale=_locale(),
    )
    session.commit()
    return jsonify(change_json(result, _locale()))


@bp.post("/meetings/<meeting_id>/cancel")
def cancel_meeting(meeting_id: str) -> Any:
    session = get_session()
    meeting = meetings.get_meeting(session, meeting_id)
    result = meetings.cancel_meeting(session, meeting, app_now(), locale=_locale())
    session.commit()
    return jsonify(change_json(result, _locale()))


@bp.post("/conflicts/scan")
def scan_conflicts() -> Any:
    """Flag future meetings that now fall on a blocked day (after a calendar change)."""
    session = get_session()
    reports, cleared = conflicts.scan_conflicts(session, app_now(), locale=_locale())
    session.commit()
    return jsonify(
        conflicts=[
            {"meeting": meeting_json(report.meeting, _locale()), "new": report.new}
            for report in reports
        ],
        cleared=cleared,
    )


@bp.post("/collaborations/<ref>/conflicts/apply")
def apply_conflict_proposals(ref: str) -> Any:
    """Move every flagged meeting to its proposed day: one re-planning, one mail per partner."""
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    conflicts.scan_conflicts(session, app_now(), collaboration_ids=[collab.id], locale=_locale())
    results = meetings.apply_conflict_proposals(session, collab.id, app_now(), locale=_locale())
    session.commit()
    return jsonify(moved=[change_json(result, _locale()) for result in results])


@bp.get("/drift")
def drift_report() -> Any:
    """Every collaboration's drift; ?fill_in=false skips the fill-in proposals."""
    fill_in = parse_bool(request.args.get("fill_in", "true"), "fill_in")
    rows = drift.drift_report(get_session(), app_now(), fill_in=fill_in, locale=_locale())
    return jsonify([drift_json(row, _locale()) for row in rows])


@bp.get("/collaborations/<ref>/drift")
def collaboration_drift(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    return jsonify(drift_json(drift.drift_of(session, collab.id, app_now(), _locale()), _locale()))


# --- Feeds -----------------------------------------------------------------------------------

_FEED_FIELDS = {"collaboration", "person", "organisation", "blocked_days", "language", "label"}


@bp.get("/feeds")
def list_feeds() -> Any:
    """Feed links (never their secrets); ?collaboration=, ?person= or ?organisation=, ?all=true."""
    include_revoked = parse_bool(request.args.get("all", "false"), "all")
    session = get_session()
    tokens = feeds.list_tokens(
        session,
        collaboration=request.args.get("collaboration"),
        person=request.args.get("person"),
        organisation=request.args.get("organisation"),
        include_revoked=include_revoked,
    )
    return jsonify([token_json(session, token) for token in tokens])


@bp.post("/feeds")
def create_feed() -> Any:
    """Make a secret feed link: {"collaboration"|"person"|"organisation": id, ...}."""
    data = _body()
    reject_unknown_fields(data, _FEED_FIELDS)
    session = get_session()
    issued = feeds.create_token(
        session,
        app_now(),
        collaboration=data.get("collaboration"),
        person=data.get("person"),
        organisation=data.get("organisation"),
        blocked_days=parse_bool(data.get("blocked_days", False), "blocked_days"),
        language=data.get("language"),
        label=data.get("label"),
    )
    session.commit()
    return jsonify(issued_json(session, issued)), 201


@bp.post("/feeds/<token_id>/revoke")
def revoke_feed(token_id: str) -> Any:
    """Revoke one feed link; its URL answers 404 from the next request on."""
    session = get_session()
    token = feeds.get_token(session, token_id)
    feeds.revoke_token(session, token, app_now())
    session.commit()
    return jsonify(token_json(session, token))


@bp.post("/feeds/<token_id>/renew")
def renew_feed(token_id: str) -> Any:
    """Replace a feed link by a new secret; the old one is revoked."""
    session = get_session()
    token = feeds.get_token(session, token_id)
    issued = feeds.renew_token(session, token, app_now())
    session.commit()
    return jsonify(issued_json(session, issued)), 201


@bp.get("/feeds/regions")
def region_feeds() -> Any:
    """The public school holiday feeds of the three regions."""
    return jsonify(region_feeds_json())


# --- Outbox -------------------------------------------------------------------------------------


@bp.get("/outbox")
def outbox_status() -> Any:
    """Counts of the event and mail queues; ?state=pending|failed|dead|done also lists rows."""
    if not _has_token():  # the rows show e-mail addresses and subjects
        raise Unauthorized(N_("The outbox can only be seen with a valid API token."))
    raw_state = request.args.get("state")
    state = parse_choice(raw_state, QueueState, "state") if raw_state else None
    limit = parse_int(request.args.get("limit", "50"), "limit", 1, 500)
    return jsonify(queues_json(get_session(), state, limit))


def _outbox_id(value: str, message: str) -> int:
    ident = parse_id(value)
    if ident is None:
        raise NotFoundError(message, id=value)
    return ident


@bp.post("/outbox/events/<event_id>/retry")
def retry_outbox_event(event_id: str) -> Any:
    """Put a failed or dead event back in the queue, due now."""
    session = get_session()
    event = retry_event(session, _outbox_id(event_id, N_("There is no event %(id)s.")), app_now())
    session.commit()
    return jsonify(event_json(event))


@bp.post("/outbox/mails/<mail_id>/retry")
def retry_outbox_mail(mail_id: str) -> Any:
    """Put a failed or dead mail back in the queue, due now."""
    session = get_session()
    mail = retry_mail(session, _outbox_id(mail_id, N_("There is no mail %(id)s.")), app_now())
    session.commit()
    return jsonify(mail_json(mail))


# --- Replies to invitations ---------------------------------------------------------------------


@bp.post("/replies")
def import_reply() -> Any:
    """Apply an iTIP REPLY (.ics): the raw body (text/calendar) or a multipart field `file`.

    All or nothing: a malformed file or any refused answer stores nothing.
    """
    upload = request.files.get("file")
    if upload is not None:
        data = upload.read()
    elif request.mimetype == "multipart/form-data":
        raise ValidationError(N_("Upload the .ics file in the field 'file'."))
    else:
        data = request.get_data()
    session = get_session()
    try:
        outcomes = apply_reply(session, data, app_now())
    except NotFoundError as error:  # an unknown meeting: the upload is wrong, not the URL
        raise ValidationError(error.message, **error.params) from error
    session.commit()
    return jsonify(
        applied=[
            {
                "meeting_uid": outcome.meeting.uid,
                "status": outcome.status.value,
                "changed": outcome.changed,
            }
            for outcome in outcomes
        ]
    )
