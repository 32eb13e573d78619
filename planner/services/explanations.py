"""A date's explanation as plain JSON data, stored with a confirmed meeting, and read back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from planner.domain.explain import (
    Cause,
    CauseKind,
    Explanation,
    Obstacle,
    RejectedDay,
)
from planner.domain.gaps import Gap
from planner.models import (
    Meeting,
)
from planner.services.memberships import shown_label, withheld_names


def explanation_data(explanation: Explanation) -> dict[str, Any]:
    """Return an explanation as plain JSON data (stored with a confirmed meeting)."""
    gap = explanation.gap
    return {
        "gap": None
        if gap is None
        else {
            "from": gap.first.isoformat(),
            "calendar_days": gap.calendar_days,
            "counted_days": gap.counted_days,
            "excess_days": gap.excess_days,
        },
        "ideal_day": explanation.ideal_day.isoformat() if explanation.ideal_day else None,
        "rejected": [
            {"day": item.day.isoformat(), "reasons": [obstacle_data(o) for o in item.obstacles]}
            for item in explanation.rejected
        ],
        "more_rejected": explanation.more_rejected,
        "forced_by": [obstacle_data(o) for o in explanation.forced_by],
        "uncounted_days": explanation.uncounted_days,
        "planning_from": explanation.planning_from.isoformat()
        if explanation.planning_from
        else None,
        "causes": [
            {
                "kind": cause.kind.value,
                "first_day": cause.first_day.isoformat(),
                "last_day": cause.last_day.isoformat(),
                "obstacle": obstacle_data(cause.obstacle, with_kind=True)
                if cause.obstacle
                else None,
            }
            for cause in explanation.causes
        ],
    }


def explanation_from_data(meeting: Meeting) -> Explanation | None:
    """The planner's reasons for a meeting's date, as stored when it was confirmed (None for a
    meeting planned by hand or before reasons were stored)."""
    data = meeting.explanation
    if not data:
        return None
    # Read now, not when stored: a school may have taken its consent back since.
    withheld = withheld_names(meeting.collaboration)
    gap_data = data.get("gap")
    gap = None
    if gap_data:
        start = date.fromisoformat(gap_data["from"])
        gap = Gap(
            start,
            start + timedelta(days=int(gap_data["calendar_days"])),
            int(gap_data["counted_days"]),
            int(gap_data["excess_days"]),
        )
    return Explanation(
        day=meeting.day,
        fixed=False,
        gap=gap,
        ideal_day=date.fromisoformat(data["ideal_day"]) if data.get("ideal_day") else None,
        rejected=tuple(
            RejectedDay(
                date.fromisoformat(item["day"]), _obstacles(item.get("reasons", []), withheld)
            )
            for item in data.get("rejected", [])
        ),
        more_rejected=int(data.get("more_rejected") or 0),
        forced_by=_obstacles(data.get("forced_by", []), withheld),
        uncounted_days=int(data.get("uncounted_days") or 0),
        planning_from=date.fromisoformat(data["planning_from"])
        if data.get("planning_from")
        else None,
        causes=tuple(
            Cause(
                CauseKind(item["kind"]),
                date.fromisoformat(item["first_day"]),
                date.fromisoformat(item["last_day"]),
                _obstacles([item["obstacle"]], withheld)[0] if item.get("obstacle") else None,
            )
            for item in data.get("causes", [])
            if item.get("kind") in {kind.value for kind in CauseKind}
        ),
    )


def _obstacles(items: list[dict[str, Any]], withheld: frozenset[str]) -> tuple[Obstacle, ...]:
    return tuple(
        Obstacle(
            shown_label(item, withheld),
            str(item.get("who") or ""),
            bool(item.get("hard")),
            date.fromisoformat(item["first_day"]) if item.get("first_day") else None,
            date.fromisoformat(item["last_day"]) if item.get("last_day") else None,
            str(item.get("kind") or ""),
            item.get("withheld"),
        )
        for item in items
    )


def obstacle_data(obstacle: Obstacle, *, with_kind: bool = False) -> dict[str, Any]:
    """Return an obstacle as plain JSON data (`with_kind`: also what kind of day it is, for the
    causes of a long gap)."""
    data: dict[str, Any] = {"label": obstacle.label, "who": obstacle.who, "hard": obstacle.hard}
    if obstacle.withheld is not None:
        data["withheld"] = obstacle.withheld
    if obstacle.first_day is not None and obstacle.last_day is not None:
        data["first_day"] = obstacle.first_day.isoformat()
        data["last_day"] = obstacle.last_day.isoformat()
    if with_kind and obstacle.kind:
        data["kind"] = obstacle.kind
    return data
