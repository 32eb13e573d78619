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


class Health(StrEnum):
    """One word for a collaboration on the dashboard: the worst of its current gap, its
    upcoming gaps and its meetings on blocked days, most urgent first."""

    CONFLICT = "conflict"  # a planned meeting now falls on a blocked day
    NO_NEXT_MEETING = "no_next_meeting"
    AT_RISK = "at_risk"  # a gap, now or later, is longer than the maximum
    FORCED = "long_gap_forced"  # the only long gap cannot be shorter: nothing to do
    ATTENTION = "attention"
    ON_TRACK = "on_track"


URGENCY = {health: rank for rank, health in enumerate(Health)}


def health_of(
    current: DriftStatus, *, conflicts: int, long_gaps: int, forced: bool = False
) -> Health:
    """The worst of a collaboration's state: `current` is the status of the gap now,
    `long_gaps` counts the gaps (now and later) above the maximum, `forced` says the worst of
    them was searched and no day can make it shorter."""
    if conflicts:
        return Health.CONFLICT
    if current is DriftStatus.NO_NEXT_MEETING:
        return Health.NO_NEXT_MEETING
    if long_gaps:
        return Health.FORCED if forced and long_gaps == 1 else Health.AT_RISK
    if current is DriftStatus.ATTENTION:
        return Health.ATTENTION
    return Health.ON_TRACK
