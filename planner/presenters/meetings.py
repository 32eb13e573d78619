"""JSON shapes of stored meetings, their other possible days, a move or cancellation, and a
collaboration's drift, shared by the API and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from planner.domain.gaps import Rhythm
from planner.models import Meeting
from planner.presenters.planning import (
    _,
    _local,
    explanation_lines,
    gap_json,
    rhythm_json,
)
from planner.services.alternatives import Alternative, GapSummary
from planner.services.drift import DriftRow
from planner.services.explanations import explanation_from_data
from planner.services.meetings import ChangeResult
from planner.services.plan_context import rhythm_of, zone_of
from planner.text.formatting import format_day, format_weeks
from planner.text.labels import label


def meeting_json(meeting: Meeting, locale: str = "nl") -> dict[str, Any]:
    """Return a stored meeting."""
    zone = ZoneInfo(meeting.timezone)
    return {
        "id": meeting.id,
        "collaboration_id": meeting.collaboration_id,
        "status": meeting.status.value,
        "status_label": label(f"meeting_{meeting.status.value}", locale),
        "day": meeting.day.isoformat(),
        "day_label": format_day(meeting.day, locale),
        "start": _local(meeting.starts_at, zone),
        "end": _local(meeting.ends_at, zone),
        "starts_at": meeting.starts_at.isoformat(),
        "timezone": meeting.timezone,
        "location": meeting.location,
        "uid": meeting.uid,
        "sequence": meeting.sequence,
        "short_notice": meeting.short_notice,
        "previous_id": meeting.previous_id,
        "conflict": meeting.conflict,
        "explanation": meeting.explanation,
        "why": stored_explanation_lines(meeting, locale),
    }


def stored_explanation_lines(meeting: Meeting, locale: str) -> list[str]:
    """Why the meeting is on its day, as the planner said when it was confirmed."""
    explanation = explanation_from_data(meeting)
    if explanation is None:
        return []
    return explanation_lines(explanation, rhythm_of(meeting.collaboration), locale)


def summary_json(summary: GapSummary, locale: str) -> dict[str, Any]:
    """Return the gaps around a meeting and their drift status."""
    return {
        "gap_before": gap_json(summary.before, locale),
        "gap_after": gap_json(summary.after, locale),
        "largest_gap_weeks": round(summary.largest_days / 7, 1),
        "status": summary.status.value,
        "status_label": label(summary.status.value, locale),
    }


def alternative_json(
    item: Alternative, zone: ZoneInfo, rhythm: Rhythm, locale: str
) -> dict[str, Any]:
    """Return a proposed other day for a meeting, with its drift effect."""
    return {
        "day": item.day.isoformat(),
        "day_label": format_day(item.day, locale),
        "start": _local(item.starts_at, zone),
        "end": _local(item.ends_at, zone),
        "soft_reasons": item.soft_reasons,
        "effect": summary_json(item.effect, locale),
        "explanation": explanation_lines(item.explanation, rhythm, locale),
    }


def change_json(result: ChangeResult, locale: str) -> dict[str, Any]:
    """Return what a move or cancellation did, including its effect on the drift."""
    collab = result.meeting.collaboration
    zone = zone_of(collab)
    rhythm = rhythm_of(collab)
    return {
        "meeting": meeting_json(result.meeting, locale),
        "drift_before": summary_json(result.before, locale),
        "drift_after": summary_json(result.after, locale),
        "effect": effect_text(result.before, result.after, locale),
        "alternatives": [alternative_json(a, zone, rhythm, locale) for a in result.alternatives],
    }


def effect_text(before: GapSummary, after: GapSummary, locale: str) -> str:
    """Say what a change does to the largest gap around the meeting and to the status."""
    return _(
        "Largest gap around it: %(before)s → %(after)s; "
        "status %(status_before)s → %(status_after)s.",
        before=format_weeks(before.largest_days, locale),
        after=format_weeks(after.largest_days, locale),
        status_before=label(before.status.value, locale),
        status_after=label(after.status.value, locale),
    )


def drift_json(row: DriftRow, locale: str) -> dict[str, Any]:
    """Return one collaboration's drift, with the best fill-in date when there is one."""
    zone = ZoneInfo("Europe/Amsterdam")
    rhythm = row.rhythm
    return {
        "collaboration_id": row.collaboration_id,
        "name": row.name,
        "status": row.status.value,
        "status_label": label(row.status.value, locale),
        "last_meeting": _when(row.last_start, row.last_day, zone, locale),
        "next_meeting": _when(row.next_start, row.next_day, zone, locale),
        "gap_days": row.gap_days,
        "gap_weeks": round((row.gap_days or 0) / 7, 1),
        "calendar_days": row.calendar_days,
        "rhythm": rhythm_json(rhythm),
        "fill_in": alternative_json(row.fill_in, zone, rhythm, locale) if row.fill_in else None,
    }


def _when(
    instant: datetime | None, day: date | None, zone: ZoneInfo, locale: str
) -> dict[str, Any] | None:
    if instant is None or day is None:
        return None
    return {
        "start": _local(instant, zone),
        "day": day.isoformat(),
        "day_label": format_day(day, locale),
    }
