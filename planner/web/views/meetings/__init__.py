"""Web pages: the plan wizard of a collaboration, and the page of one meeting."""

from planner.web.views.meetings import meeting, plan  # noqa: F401  (they register their pages)
from planner.web.views.meetings.base import bp

__all__ = ["bp"]
