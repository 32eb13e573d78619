"""Choosing a meeting's start time on a day: wall-clock times, localised one by one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def free_starts(
    day: date,
    earliest: time,
    latest: time,
    duration: timedelta,
    zone: ZoneInfo,
    busy: Sequence[tuple[datetime, datetime]],
    not_before: datetime | None = None,
) -> Iterator[datetime]:
    """Yield every start in [earliest, latest] (quarter hours) that overlaps no busy slot.

    `busy` holds UTC (start, end) pairs; a meeting may start the moment another ends.
    """
    at = datetime.combine(day, earliest)
    last = datetime.combine(day, latest)
    while at <= last:
        start = localise(day, at.time(), zone)
        if start is not None and (not_before is None or start >= not_before):
            end = start + duration
            if all(end <= other_start or start >= other_end for other_start, other_end in busy):
                yield start
        at += STEP


def free_start(
    day: date,
    earliest: time,
    latest: time,
    duration: timedelta,
    zone: ZoneInfo,
    busy: Sequence[tuple[datetime, datetime]],
    not_before: datetime | None = None,
) -> datetime | None:
    """Return the first start in [earliest, latest] (quarter hours) that overlaps no busy slot."""
    return next(free_starts(day, earliest, latest, duration, zone, busy, not_before), None)


def day_window(
    day: date, earliest: time, latest: time, duration: timedelta, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """The UTC span a meeting starting between `earliest` and `latest` on a day can touch."""
    first = datetime.combine(day, earliest, tzinfo=zone).astimezone(UTC)
    last = datetime.combine(day, latest, tzinfo=zone).astimezone(UTC) + duration
    return first, last
