"""A school calendar changed (a busy period, own holiday dates, closure days, the region, the
holiday data): find the planned meetings it hits, flag them and propose new dates."""

from __future__ import annotations

from planner.events import (
    BusyPeriodChange,
    ClosureDaysChanged,
    EventKind,
    HolidayOverrideChange,
    OrganisationChanged,
    SchoolHolidaysImported,
)
from planner.messaging.registry import Context, handles
from planner.models import Organisation
from planner.services.conflicts import scan_conflicts
from planner.services.organisations import collaborations_of


@handles(
    EventKind.BUSY_PERIOD_CREATED,
    EventKind.BUSY_PERIOD_CHANGED,
    EventKind.BUSY_PERIOD_DELETED,
    EventKind.HOLIDAY_OVERRIDE_SET,
    EventKind.HOLIDAY_OVERRIDE_DELETED,
    EventKind.CLOSURE_DAYS_CHANGED,
    EventKind.ORGANISATION_CHANGED,
    EventKind.SCHOOL_HOLIDAYS_IMPORTED,
)
def _calendar_changed(
    ctx: Context,
    payload: BusyPeriodChange
    | HolidayOverrideChange
    | ClosureDaysChanged
    | OrganisationChanged
    | SchoolHolidaysImported,
) -> None:
    org_id = getattr(payload, "organisation_id", None)
    if org_id is not None:
        if ctx.session.get(Organisation, org_id) is None:
            return
        ids: list[int] | None = [c.id for c in collaborations_of(ctx.session, org_id)]
        if not ids:
            return
    else:
        ids = None  # a region's, the country's or the holiday data: every collaboration
    scan_conflicts(ctx.session, ctx.now, collaboration_ids=ids)
