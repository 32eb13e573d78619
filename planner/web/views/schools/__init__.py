"""School administration: a school's calendar, its busy periods, and the import of its own
year calendar."""

from planner.web.views.schools import (  # noqa: F401  (each registers its pages)
    busy_periods,
    calendar_url,
    imports,
    memberships,
    page,
)
from planner.web.views.schools.base import bp

__all__ = ["bp"]
