"""JSON API: people, collaborations, planning, meetings, conflicts and drift."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from planner.clock import app_now
from planner.errors import N_, ValidationError
from planner.inputs import parse_bool, parse_date, parse_int, parse_time, reject_unknown_fields
from planner.presenters.dashboard import dashboard_row_json, filled_in_text
from planner.presenters.meetings import (
    alternative_json,
    change_json,
    drift_json,
    meeting_json,
    summary_json,
)
from planner.presenters.planning import collaboration_json, person_json, plan_json
from planner.services import (
    collaborations,
    conflicts,
    dashboard,
    drift,
    meetings,
    people,
    plan_context,
    planning,
)
from planner.services.alternatives import other_days
from planner.web.requests import commit, get_session, request_locale
from planner.web.views.api.base import body, bp, created

# --- People and collaborations ------------------------------------------------------------------


@bp.get("/people")
def list_people() -> Any:
    return jsonify([person_json(person) for person in people.list_people(get_session())])


@bp.post("/people")
def create_person() -> Any:
    session = get_session()
    person = people.create_person(session, body(), app_now())
    commit()
    return created(person_json(person), url_for(".get_person", ref=person.id))


@bp.get("/people/<ref>")
def get_person(ref: str) -> Any:
    return jsonify(person_json(people.find_person(get_session(), ref)))


@bp.patch("/people/<ref>")
def update_person(ref: str) -> Any:
    session = get_session()
    person = people.find_person(session, ref)
    people.update_person(session, person, body(), app_now())
    commit()
    return jsonify(person_json(person))


@bp.get("/collaborations")
def list_collaborations() -> Any:
    found = collaborations.list_collaborations(get_session())
    return jsonify([collaboration_json(collab) for collab in found])


@bp.post("/collaborations")
def create_collaboration() -> Any:
    session = get_session()
    collab = collaborations.create_collaboration(session, body(), app_now())
    commit()
    return created(collaboration_json(collab), url_for(".get_collaboration", ref=collab.id))


@bp.get("/collaborations/<ref>")
def get_collaboration(ref: str) -> Any:
    return jsonify(collaboration_json(collaborations.get_collaboration(get_session(), ref)))


@bp.patch("/collaborations/<ref>")
def update_collaboration(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    collaborations.update_collaboration(session, collab, body(), app_now())
    commit()
    return jsonify(collaboration_json(collab))


@bp.put("/collaborations/<ref>/people/<person>/essential")
def set_essential(ref: str, person: str) -> Any:
    """Mark one of the collaboration's people essential or not: {"essential": true|false}."""
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    raw = body()
    reject_unknown_fields(raw, {"essential"})
    if "essential" not in raw:
        raise ValidationError(N_("essential: give true or false."))
    collaborations.set_essential(session, collab, person, raw["essential"], app_now())
    commit()
    return jsonify(collaboration_json(collab))


@bp.delete("/collaborations/<ref>")
def delete_collaboration(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    collaborations.delete_collaboration(session, collab, app_now())
    commit()
    return "", 204


# --- Planning -----------------------------------------------------------------------------------

PLAN_FIELDS = {"school_year", "from", "to", "count", "days", "fixed", "short_notice"}


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
        days=planning.parse_days(days, request_locale()) if days is not None else None,
        locale=request_locale(),
        short_notice=parse_bool(raw.get("short_notice", False), "short_notice"),
    )
    return session, preview


@bp.get("/collaborations/<ref>/plan")
def preview_plan(ref: str) -> Any:
    """Propose a series (nothing is stored): ?school_year=2026-2027&from=&to=&count=."""
    raw: dict[str, Any] = {key: value for key, value in request.args.items() if key != "lang"}
    if "days" in raw:
        raw["days"] = request.args.getlist("days")
    _, preview = _plan_preview(ref, raw)
    return jsonify(plan_json(preview, request_locale()))


@bp.post("/collaborations/<ref>/plan")
def confirm_plan(ref: str) -> Any:
    """Store a series as confirmed meetings; `days` pins the days shown in a preview, and
    `fixed` (the ids of the confirmed meetings the preview kept) refuses a plan that changed."""
    raw = body()
    fixed = raw.pop("fixed", None)
    session, preview = _plan_preview(ref, raw)
    if fixed is not None:
        if not isinstance(fixed, list):
            raise ValidationError(N_("fixed must be a list of meeting ids."))
        planning.require_fixed(preview, fixed)
    created = planning.confirm_plan(session, preview, app_now())
    commit()
    response = jsonify(plan_json(preview, request_locale(), created))
    response.status_code = 201
    return response


@bp.get("/collaborations/<ref>/meetings")
def list_meetings(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    found = meetings.list_meetings(session, collab.id)
    return jsonify([meeting_json(meeting, request_locale()) for meeting in found])


@bp.get("/meetings/<meeting_id>")
def get_meeting(meeting_id: str) -> Any:
    return jsonify(meeting_json(meetings.get_meeting(get_session(), meeting_id), request_locale()))


@bp.get("/meetings/<meeting_id>/alternatives")
def meeting_alternatives(meeting_id: str) -> Any:
    session = get_session()
    meeting = meetings.get_meeting(session, meeting_id)
    limit = parse_int(request.args.get("limit", "5"), "limit", 1, 20)
    current, found = other_days(session, meeting, app_now(), locale=request_locale(), limit=limit)
    collab = meeting.collaboration
    zone, rhythm = plan_context.zone_of(collab), plan_context.rhythm_of(collab)
    return jsonify(
        meeting=meeting_json(meeting, request_locale()),
        current=summary_json(current, request_locale()),
        alternatives=[alternative_json(item, zone, rhythm, request_locale()) for item in found],
    )


@bp.post("/meetings/<meeting_id>/move")
def move_meeting(meeting_id: str) -> Any:
    """Move a meeting: {"day": "2026-10-13", "time": "16:00"} (time optional)."""
    raw = body()
    reject_unknown_fields(raw, {"day", "time", "short_notice", "note"})
    session = get_session()
    meeting = meetings.get_meeting(session, meeting_id)
    result = meetings.move_meeting(
        session,
        meeting,
        parse_date(raw.get("day"), "day"),
        app_now(),
        at=parse_time(raw["time"], "time") if raw.get("time") else None,
        locale=request_locale(),
        short_notice=parse_bool(raw.get("short_notice", False), "short_notice"),
        note=_note(raw),
    )
    commit()
    return jsonify(change_json(result, request_locale()))


def _note(raw: dict[str, Any]) -> str | None:
    """The optional `note` for the invitees: a string or null."""
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise ValidationError(N_("%(field)s: give a text."), field="note")
    return note


@bp.post("/meetings/<meeting_id>/cancel")
def cancel_meeting(meeting_id: str) -> Any:
    """Cancel a meeting: {"note": "…"} (optional) goes into the cancellation mail."""
    raw = body(optional=True)
    reject_unknown_fields(raw, {"note"})
    session = get_session()
    meeting = meetings.get_meeting(session, meeting_id)
    result = meetings.cancel_meeting(
        session, meeting, app_now(), locale=request_locale(), note=_note(raw)
    )
    commit()
    return jsonify(change_json(result, request_locale()))


@bp.post("/conflicts/scan")
def scan_conflicts() -> Any:
    """Flag future meetings that now fall on a blocked day (after a calendar change)."""
    session = get_session()
    reports, cleared = conflicts.scan_conflicts(session, app_now(), locale=request_locale())
    commit()
    return jsonify(
        conflicts=[
            {"meeting": meeting_json(report.meeting, request_locale()), "new": report.new}
            for report in reports
        ],
        cleared=cleared,
    )


@bp.post("/collaborations/<ref>/conflicts/apply")
def apply_conflict_proposals(ref: str) -> Any:
    """Move every flagged meeting to its proposed day: one re-planning, one mail per partner."""
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    results = conflicts.apply_proposals(
        session, app_now(), collaboration_ids=[collab.id], locale=request_locale()
    )
    commit()
    return jsonify(moved=[change_json(result, request_locale()) for result in results])


@bp.get("/drift")
def drift_report() -> Any:
    """Every collaboration's drift; ?fill_in=false skips the fill-in proposals."""
    fill_in = parse_bool(request.args.get("fill_in", "true"), "fill_in")
    rows = drift.drift_report(get_session(), app_now(), fill_in=fill_in, locale=request_locale())
    return jsonify([drift_json(row, request_locale()) for row in rows])


@bp.get("/dashboard")
def dashboard_overview() -> Any:
    """The dashboard rows, the most urgent first: every collaboration, or ?person= (id or
    e-mail) those that person coordinates; ?collab= (repeatable) only these."""
    session = get_session()
    locale = request_locale()
    now = app_now()
    refs = request.args.getlist("collab")
    if request.args.get("person"):
        rows = dashboard.dashboard_rows(
            session, people.find_person(session, request.args["person"]), now, locale=locale
        )
        if refs:
            wanted = {collaborations.get_collaboration(session, ref).id for ref in refs}
            rows = [row for row in rows if row.collaboration.id in wanted]
    else:
        ids = [collaborations.get_collaboration(session, ref).id for ref in refs] or None
        rows = dashboard.overview_rows(
            session, collaborations.list_collaborations(session, ids), now, locale=locale
        )
    return jsonify([dashboard_row_json(row, locale) for row in rows])


@bp.post("/collaborations/<ref>/fill-in")
def fill_in(ref: str) -> Any:
    """Plan the proposed fill-in date {"day", "time"} at once; invitations go out."""
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    raw = body()
    reject_unknown_fields(raw, {"day", "time"})
    result = dashboard.plan_fill_in(
        session,
        collab,
        parse_date(raw.get("day"), "day"),
        parse_time(raw.get("time"), "time"),
        app_now(),
        locale=request_locale(),
    )
    commit()
    data = meeting_json(result.meeting, request_locale())
    data["effect"] = summary_json(result.effect, request_locale())
    data["message"] = filled_in_text(result, plan_context.zone_of(collab), request_locale())
    return created(data, url_for(".get_meeting", meeting_id=result.meeting.id))


@bp.get("/collaborations/<ref>/drift")
def collaboration_drift(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    return jsonify(
        drift_json(
            drift.drift_of(session, collab.id, app_now(), request_locale()), request_locale()
        )
    )
