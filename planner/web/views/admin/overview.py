"""The administration's front page: what needs attention, and the ways into each part."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from planner.clock import app_now, local_date
from planner.models import Organisation, Person
from planner.services import school_calendar
from planner.services.leases import lease_of
from planner.services.outbox import queue_counts
from planner.web.requests import get_session
from planner.web.views.admin.base import bp, render


@bp.get("")
def index() -> Any:
    """What needs attention, and the ways into each part."""
    session = get_session()
    now = app_now()
    events, mails = queue_counts(session)
    return render(
        "admin/index.html",
        organisations=session.scalar(select(func.count(Organisation.id))) or 0,
        accounts=session.scalar(
            select(func.count(Person.id)).where(Person.password_hash.is_not(None))
        )
        or 0,
        events=events,
        mails=mails,
        scheduler=lease_of(session, "scheduler", now),
        missing_year=school_calendar.missing_school_year(session, local_date(now)),
    )
