"""Choosing a meeting's start time on a day: wall-clock times, localised one by one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP = timedelta(minutes=15)


def localise(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """Return the UTC instant of a wall-clock time, or None when that time does not exist.

    On the spring DST Sunday 02:00–03:00 does not exist in Europe/Amsterdam; on the autumn one
    02:00–03:00 happens twice and the first (summer time) is meant.
    """
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def free_start(
    day: date,
    earliest: time,
    latest: time,
    duration: timedelta,
    zone: ZoneInfo,
    busy: Sequence[tuple[datetime, datetime]],
    not_before: datetime | None = None,
) -> datetime | None:
    """Return the first start in [earliest, latest] (quarter hours) that overlaps no busy slot.

    `busy` holds UTC (start, end) pairs; a meeting may start the moment another ends.
    """
    at = datetime.combine(day, earliest)
    last = datetime.combine(day, latest)
    while at <= last:
        start = localise(day, at.time(), zone)
        if start is not None and (not_before is None or start >= not_before):
            end = start + duration
            if all(end <= other_start or start >= other_end for other_start, other_end in busy):
                return start
        at += STEP
    return None
