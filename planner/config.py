"""Every setting, with its default and a one-line comment.

Order of precedence: these defaults, then `instance/config.py`, then `PLANNER_*` environment
variables, then the `test_config` passed to `create_app`.
"""

from __future__ import annotations

import json
import os
from typing import Any


class DefaultConfig:
    """Defaults: a development set-up on SQLite in the instance folder."""

    # Signs session cookies; override in production (instance/config.py or PLANNER_SECRET_KEY).
    SECRET_KEY: str = "dev-only-change-me"
    # SQLAlchemy URL; None means SQLite file `planner.sqlite` in the instance folder.
    DATABASE_URL: str | None = None
    # Echo SQL statements to the log (debugging only).
    DATABASE_ECHO: bool = False
    # Language of the interface and messages when the user expresses no preference.
    DEFAULT_LOCALE: str = "nl"
    # Languages the interface speaks.
    LANGUAGES: tuple[str, ...] = ("nl", "en")
    # Time zone used for wall-clock dates at the edges.
    DEFAULT_TIMEZONE: str = "Europe/Amsterdam"
    # Largest blocked-days range one request may ask for, in days.
    MAX_BLOCKED_RANGE_DAYS: int = 800
    # Timeout for fetching holiday data by URL (seconds).
    HTTP_TIMEOUT: float = 20.0
    # Bearer token required for API writes; None leaves the API open (development only).
    API_WRITE_TOKEN: str | None = None
    # Pretend the current instant is this ISO time (e.g. 2026-09-01T08:00:00Z): for demos and
    # reproducible tests; None uses the real clock.
    FROZEN_NOW: str | None = None
    # The service's public address, for the links in feeds and mails, e.g.
    # https://planner.example.nl; None uses the address of the request (http://localhost:5000
    # on the command line).
    PUBLIC_URL: str | None = None
    # Feed window: meetings this many days back and ahead (holidays to the end of that school year).
    FEED_PAST_DAYS: int = 92
    FEED_FUTURE_DAYS: int = 548
    # Memory for rendered feeds per process (MB) and for rendered events (count).
    FEED_CACHE_MB: int = 256
    FEED_FRAGMENT_CACHE_ITEMS: int = 200_000
    # All processes of this deployment run on one host and share the instance folder: token
    # lookups are kept in memory and invalidated through the file instance/feed-generation.
    # Set False when web processes run on several hosts: every request then asks the database.
    FEED_SHARED_GENERATION: bool = True


def env_overrides(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Return the settings given as PLANNER_<NAME> environment variables, typed as defaults."""
    result: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith("PLANNER_"):
            continue
        name = key.removeprefix("PLANNER_")
        default = getattr(DefaultConfig, name, None)
        if isinstance(default, bool):
            result[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            result[name] = int(raw)
        elif isinstance(default, float):
            result[name] = float(raw)
        elif isinstance(default, tuple):
            result[name] = tuple(json.loads(raw)) if raw.startswith("[") else tuple(raw.split(","))
        else:
            result[name] = raw
    return result
