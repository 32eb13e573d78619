"""JSON API: a person's own free/busy addresses (shown by host only: the address is a secret)
and their fetches."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, url_for

from planner.clock import app_now
from planner.inputs import reject_unknown_fields
from planner.presenters.person_calendars import calendar_json, outcome_json, spans
from planner.services import people, person_calendars
from planner.services.calendar_sync import SyncSettings
from planner.web.requests import commit, get_session
from planner.web.views.api.base import body, bp, created


def _settings() -> SyncSettings:
    return SyncSettings.from_config(current_app.config)


@bp.get("/people/<ref>/calendars")
def list_person_calendars(ref: str) -> Any:
    """A person's free/busy addresses: host, how many busy intervals and their span, status."""
    session = get_session()
    person = people.find_person(session, ref)
    calendars = person_calendars.calendars_of(session, person)
    found = spans(session, [calendar.id for calendar in calendars])
    return jsonify([calendar_json(c, found.get(c.id)) for c in calendars])


@bp.post("/people/<ref>/calendars")
def add_person_calendar(ref: str) -> Any:
    """Give a free/busy address for a person: {"url"}. Fetched at once; refused (nothing
    stored) when it gives no readable calendar."""
    session = get_session()
    person = people.find_person(session, ref)
    raw = body()
    reject_unknown_fields(raw, {"url"})
    done = person_calendars.add_calendar(session, person, raw.get("url"), app_now(), _settings())
    commit()
    found = spans(session, [done.calendar.id])
    return created(
        outcome_json(done, found.get(done.calendar.id)),
        url_for("api.list_person_calendars", ref=person.id),
    )


@bp.delete("/person-calendars/<calendar_id>")
def delete_person_calendar(calendar_id: str) -> Any:
    """Remove an address and every busy interval it gave."""
    session = get_session()
    removed = person_calendars.remove_calendar(
        session, person_calendars.get_calendar(session, calendar_id)
    )
    commit()
    return jsonify(removed_busy_intervals=removed)


@bp.post("/person-calendars/<calendar_id>/sync")
def sync_person_calendar(calendar_id: str) -> Any:
    """Fetch one address now (a failure keeps the intervals fetched before)."""
    session = get_session()
    calendar = person_calendars.get_calendar(session, calendar_id)
    done = person_calendars.sync_calendar(session, calendar, app_now(), _settings())
    commit()
    return jsonify(outcome_json(done, spans(session, [calendar.id]).get(calendar.id)))
