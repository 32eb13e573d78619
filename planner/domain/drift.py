"""Drift: is the next meeting so far out that focus may leak away? (DESIGN §6)"""

from __future__ import annotations

from enum import StrEnum

from planner.domain.gaps import Rhythm


class DriftStatus(StrEnum):
    """How a collaboration's rhythm is holding up."""

    ON_TRACK = "on_track"
    ATTENTION = "attention"
    AT_RISK = "at_risk"
    NO_NEXT_MEETING = "no_next_meeting"


def drift_status(gap_days: int | None, rhythm: Rhythm) -> DriftStatus:
    """Classify a gap in counted days; None means no next meeting is planned.

    On track up to 1.25 times the target interval, attention above that, at risk above the
    maximum gap.
    """
    if gap_days is None:
        return DriftStatus.NO_NEXT_MEETING
    if gap_days > rhythm.max_gap_days:
        return DriftStatus.AT_RISK
    if gap_days > rhythm.on_track_days:
        return DriftStatus.ATTENTION
    return DriftStatus.ON_TRACK
