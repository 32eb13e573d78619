"""Series polls as JSON (API and CLI): status, deadline, the tally per date, the re-plan."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext

from planner.models import Person, Poll
from planner.presenters.planning import plan_json
from planner.services.polls import DateTally, PollReport, deadline_day


def _people(people: list[Person]) -> list[dict[str, Any]]:
    return [{"id": person.id, "name": person.name} for person in people]


def date_json(row: DateTally) -> dict[str, Any]:
    """One date of a poll with its answers."""
    return {
        "day": row.date.day.isoformat(),
        "start": row.date.starts_at.isoformat(),
        "end": row.date.ends_at.isoformat(),
        "meeting": row.date.slot + 1,
        "proposed": row.date.proposed,
        "yes": _people(row.yes),
        "maybe": _people(row.maybe),
        "no": _people(row.no),
        "pending": _people(row.pending),
        "schools": [{"id": org.id, "name": org.name} for org in row.schools],
        "missing_schools": [{"id": org.id, "name": org.name} for org in row.missing_schools],
    }


def poll_summary_json(poll: Poll) -> dict[str, Any]:
    """A poll without its answers (lists)."""
    return {
        "id": poll.id,
        "collaboration": {"id": poll.collaboration_id, "name": poll.collaboration.name},
        "school_year": poll.school_year,
        "status": poll.status.value,
        "first_day": poll.first_day.isoformat(),
        "last_day": poll.last_day.isoformat(),
        "count": poll.count,
        "deadline": deadline_day(poll).isoformat(),
        "deadline_at": poll.deadline_at.isoformat(),
        "reminder_at": poll.reminder_at.isoformat() if poll.reminder_at else None,
        "reminded_at": poll.reminded_at.isoformat() if poll.reminded_at else None,
        "confirmed_at": poll.confirmed_at.isoformat() if poll.confirmed_at else None,
        "cancelled_at": poll.cancelled_at.isoformat() if poll.cancelled_at else None,
        "plan_key": poll.plan_key,
    }


def poll_json(found: PollReport, locale: str) -> dict[str, Any]:
    """A poll with its tally per date, its late answers and (while open) the re-plan."""
    counted = found.tally
    zone = ZoneInfo(found.poll.collaboration.timezone)
    data = poll_summary_json(found.poll) | {
        "asked": counted.asked,
        "answered": counted.answered,
        "dates": [date_json(row) for group in counted.slots() for row in group],
        "late_answers": [
            {
                "person": {"id": item.person.id, "name": item.person.name},
                "day": item.day.isoformat(),
                "choice": item.choice.value,
                "answered_at": item.answered_at.astimezone(zone).isoformat(),
            }
            for item in counted.late
        ],
        "replan": plan_json(found.replan, locale) if found.replan is not None else None,
        "replan_problem": found.refusal.translate(gettext) if found.refusal else None,
    }
    return data
