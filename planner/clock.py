"""The one place that reads the wall clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def today_local(zone: ZoneInfo = AMSTERDAM) -> date:
    """Return today's date on the wall calendar of `zone` (Amsterdam by default)."""
    return utcnow().astimezone(zone).date()


def local_date(instant: datetime, zone: ZoneInfo = AMSTERDAM) -> date:
    """The date an instant falls on in `zone` (Amsterdam by default)."""
    return instant.astimezone(zone).date()


def app_now(config: Mapping[str, Any] | None = None) -> datetime:
    """Return the current instant, or the configured FROZEN_NOW (demos, reproducible tests).

    `config` defaults to the current Flask app's: the web, the CLI and the worker all run in an
    app context, so every front door and the worker see the same (possibly frozen) clock.
    """
    if config is None:
        from flask import current_app

        config = current_app.config
    frozen = config.get("FROZEN_NOW")
    if not frozen:
        return utcnow()
    instant = datetime.fromisoformat(str(frozen).replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError("FROZEN_NOW needs a time zone, e.g. 2026-09-01T08:00:00Z")
    return instant.astimezone(UTC)
