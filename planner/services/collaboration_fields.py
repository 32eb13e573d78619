"""A collaboration's own fields (rhythm and meeting template): their defaults, the checks on
them as a whole, and how they are stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from planner.domain.kinds import LOCATION_WORDS, LocationMode
from planner.errors import N_, ValidationError
from planner.inputs import (
    optional_text,
    parse_bool,
    parse_choice,
    parse_int,
    parse_time,
    parse_weekdays,
    reject_unknown_fields,
    required_text,
)
from planner.models import (
    Collaboration,
)

RHYTHM_FIELDS = {
    "target_weeks",
    "max_gap_weeks",
    "count_holidays",
    "keep_planned_weeks",
    "notice_days",
}
# The most school days of minimum notice a collaboration can ask for (about three months).
MAX_NOTICE_DAYS = 60


TEMPLATE_FIELDS = {
    "duration_minutes",
    "weekdays",
    "start_time",
    "latest_start",
    "location",
    "location_note",
    "reminder_hours",
}


FIELDS = (
    {"name", "ambition", "members", "coordinators", "participants", "rhythm", "template"}
    | RHYTHM_FIELDS
    | TEMPLATE_FIELDS
)


DEFAULTS: dict[str, Any] = {
    "duration_minutes": 90,
    "weekdays": "di,wo,do",
    "start_time": "15:30",
    "location": "rotate",
    "target_weeks": 6,
    "max_gap_weeks": 8,
    "count_holidays": False,
    "notice_days": 5,
}


@dataclass(frozen=True)
class CollaborationData:
    """Validated fields of a collaboration (people and members still as references)."""

    name: str
    ambition: str | None
    target_weeks: int
    max_gap_weeks: int
    count_holidays: bool
    duration_minutes: int
    weekdays: tuple[int, ...]
    earliest_start: time
    latest_start: time
    location_mode: LocationMode
    location_note: str | None
    reminder_hours: int | None = None
    keep_planned_weeks: int | None = None
    notice_days: int = 5


def _optional_int(value: Any, field: str, low: int, high: int) -> int | None:
    return None if value in (None, "") else parse_int(value, field, low, high)


def flatten(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the nested `rhythm` and `template` objects of the JSON shape as flat fields."""
    flat = dict(raw)
    for key, allowed in (("rhythm", RHYTHM_FIELDS), ("template", TEMPLATE_FIELDS)):
        nested = flat.pop(key, None)
        if nested is None:
            continue
        if not isinstance(nested, Mapping):
            raise ValidationError(N_("%(field)s must be an object."), field=key)
        reject_unknown_fields(nested, allowed | {"timezone"})
        flat.update({k: v for k, v in nested.items() if k != "timezone"})
    return flat


def validate_collaboration(raw: Mapping[str, Any]) -> CollaborationData:
    """Check the scalar fields of a collaboration and return them typed."""
    target = parse_int(raw.get("target_weeks"), "target_weeks", 1, 26)
    max_gap = parse_int(raw.get("max_gap_weeks"), "max_gap_weeks", 1, 52)
    if target > max_gap:
        raise ValidationError(
            N_(
                "The target interval (%(target)s weeks) is longer than the maximum gap "
                "(%(max)s weeks); the maximum gap must be at least the target."
            ),
            target=target,
            max=max_gap,
        )
    earliest = parse_time(raw.get("start_time"), "start_time")
    latest_raw = raw.get("latest_start")
    latest = parse_time(latest_raw, "latest_start") if latest_raw not in (None, "") else earliest
    if latest < earliest:
        raise ValidationError(
            N_("The latest start (%(latest)s) is before the start time (%(earliest)s)."),
            latest=latest.strftime("%H:%M"),
            earliest=earliest.strftime("%H:%M"),
        )
    duration = parse_int(raw.get("duration_minutes"), "duration_minutes", 15, 600)
    return CollaborationData(
        name=required_text(raw.get("name"), 200, "name"),
        ambition=optional_text(raw.get("ambition"), 500, "ambition"),
        target_weeks=target,
        max_gap_weeks=max_gap,
        count_holidays=parse_bool(raw.get("count_holidays"), "count_holidays"),
        duration_minutes=duration,
        weekdays=parse_weekdays(raw.get("weekdays")),
        earliest_start=earliest,
        latest_start=latest,
        location_mode=parse_choice(raw.get("location"), LocationMode, "location", LOCATION_WORDS),
        location_note=optional_text(raw.get("location_note"), 500, "location_note"),
        reminder_hours=_optional_int(raw.get("reminder_hours"), "reminder_hours", 0, 720),
        keep_planned_weeks=_optional_int(
            raw.get("keep_planned_weeks"), "keep_planned_weeks", 1, 104
        ),
        notice_days=parse_int(
            DEFAULTS["notice_days"] if raw.get("notice_days") in (None, "") else raw["notice_days"],
            "notice_days",
            0,
            MAX_NOTICE_DAYS,
        ),
    )


def collaboration_fields(collab: Collaboration) -> dict[str, Any]:
    """Return the scalar fields of a collaboration as raw values."""
    return {
        "name": collab.name,
        "ambition": collab.ambition,
        "target_weeks": collab.target_weeks,
        "max_gap_weeks": collab.max_gap_weeks,
        "count_holidays": collab.count_holidays,
        "duration_minutes": collab.duration_minutes,
        "weekdays": [int(day) for day in collab.weekdays],
        "start_time": collab.earliest_start.strftime("%H:%M"),
        "latest_start": collab.latest_start.strftime("%H:%M"),
        "location": collab.location_mode.value,
        "location_note": collab.location_note,
        "reminder_hours": collab.reminder_hours,
        "keep_planned_weeks": collab.keep_planned_weeks,
        "notice_days": collab.notice_days,
    }


def apply_fields(collab: Collaboration, data: CollaborationData) -> None:
    collab.name = data.name
    collab.ambition = data.ambition
    collab.target_weeks = data.target_weeks
    collab.max_gap_weeks = data.max_gap_weeks
    collab.count_holidays = data.count_holidays
    collab.duration_minutes = data.duration_minutes
    collab.weekdays = "".join(str(day) for day in data.weekdays)
    collab.earliest_start = data.earliest_start
    collab.latest_start = data.latest_start
    collab.location_mode = data.location_mode
    collab.location_note = data.location_note
    collab.reminder_hours = data.reminder_hours
    collab.keep_planned_weeks = data.keep_planned_weeks
    collab.notice_days = data.notice_days
