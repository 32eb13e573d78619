"""JSON API: series polls (start, status with the tally and the re-plan, confirm, cancel) and
answering one through its link's secret."""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from planner.clock import app_now
from planner.errors import N_, ValidationError
from planner.inputs import parse_date, parse_int, reject_unknown_fields
from planner.presenters.polls import poll_json, poll_summary_json
from planner.services import collaborations, polls
from planner.services.planning import MAX_COUNT
from planner.web.requests import commit, get_session, request_locale
from planner.web.views.api.base import body, bp, created


@bp.get("/collaborations/<ref>/polls")
def list_polls(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    return jsonify([poll_summary_json(poll) for poll in polls.polls_of(session, collab)])


@bp.post("/collaborations/<ref>/polls")
def start_poll(ref: str) -> Any:
    session = get_session()
    collab = collaborations.get_collaboration(session, ref)
    data = body(optional=True)
    reject_unknown_fields(data, {"school_year", "first_day", "last_day", "count", "deadline"})
    year = data.get("school_year")
    if year is not None and not isinstance(year, str):
        raise ValidationError(N_("school_year: give a school year such as 2027-2028."))
    now = app_now()
    poll = polls.start_poll(
        session,
        collab,
        now,
        school_year=year,
        first=parse_date(data["first_day"], "first_day") if data.get("first_day") else None,
        last=parse_date(data["last_day"], "last_day") if data.get("last_day") else None,
        count=parse_int(data["count"], "count", 1, MAX_COUNT) if "count" in data else None,
        deadline=parse_date(data["deadline"], "deadline") if data.get("deadline") else None,
        locale=request_locale(),
    )
    commit()
    found = polls.report(session, poll, now, request_locale())
    return created(poll_json(found, request_locale()), url_for(".get_poll", ref=poll.id))


@bp.get("/polls/<ref>")
def get_poll(ref: str) -> Any:
    session = get_session()
    poll = polls.get_poll(session, ref)
    return jsonify(
        poll_json(polls.report(session, poll, app_now(), request_locale()), request_locale())
    )


@bp.post("/polls/<ref>/confirm")
def confirm_poll(ref: str) -> Any:
    session = get_session()
    poll = polls.get_poll(session, ref)
    data = body(optional=True)
    reject_unknown_fields(data, {"days"})
    seen = data.get("days")
    if seen is not None and not isinstance(seen, list):
        raise ValidationError(N_("days: give a list of dates (YYYY-MM-DD)."))
    now = app_now()
    made = polls.confirm_poll(
        session,
        poll,
        now,
        seen=polls.parse_seen(seen) if seen is not None else None,
        locale=request_locale(),
    )
    commit()
    data = poll_json(polls.report(session, poll, now, request_locale()), request_locale())
    return jsonify(data | {"meeting_ids": [meeting.id for meeting in made]})


@bp.post("/polls/<ref>/cancel")
def cancel_poll(ref: str) -> Any:
    session = get_session()
    poll = polls.get_poll(session, ref)
    now = app_now()
    polls.cancel_poll(session, poll, now)
    commit()
    return jsonify(poll_summary_json(poll))


@bp.post("/poll-answers/<secret>")
def answer_poll(secret: str) -> Any:
    session = get_session()
    data = body()
    reject_unknown_fields(data, {"answers"})
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise ValidationError(
            N_('answers: give an object of dates and choices, e.g. {"2027-01-12": "yes"}.')
        )
    done = polls.answer(session, secret, answers, app_now(), request_locale())
    commit()
    return jsonify(
        {
            "poll": done.poll.id,
            "person": {"id": done.person.id, "name": done.person.name},
            "marked": done.count,
            "late": done.late,
            "status": done.poll.status.value,
        }
    )
