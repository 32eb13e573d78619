"""JSON API, version 1: organisations, the school calendar, people and accounts, people's own
free/busy addresses, collaborations, planning, drift, series polls, feeds, the outbox and
invitation replies."""

from planner.web.views.api import (  # noqa: F401  (each registers its endpoints)
    accounts,
    availability,
    calendar,
    collaborations,
    feeds,
    organisations,
    outbox,
    polls,
)
from planner.web.views.api.base import bp

__all__ = ["bp"]
