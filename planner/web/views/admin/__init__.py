"""Platform administration: organisations, accounts and roles, holiday data, the event and mail
queues, and the settings with the worker's health. Only for platform administrators."""

from planner.web.views.admin import (  # noqa: F401  (each registers its pages)
    accounts,
    holidays,
    organisations,
    overview,
    queue,
    settings,
)
from planner.web.views.admin.base import bp

__all__ = ["bp"]
