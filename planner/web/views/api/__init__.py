"""JSON API, version 1: organisations, the school calendar, people and accounts,
collaborations, planning, drift, feeds, the outbox and invitation replies."""

from planner.web.views.api import (  # noqa: F401  (each registers its endpoints)
    accounts,
    calendar,
    collaborations,
    feeds,
    organisations,
    outbox,
)
from planner.web.views.api.base import bp

__all__ = ["bp"]
