"""The one place that reads the wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def today_local(zone: ZoneInfo = AMSTERDAM) -> date:
    """Return today's date on the wall calendar of `zone` (Amsterdam by default)."""
    return utcnow().astimezone(zone).date()
