"""Other days a coordinator may pick for the meetings of a proposed plan (the plan wizard).

Each new meeting of a preview may move between its neighbours in that plan (the meeting before
and the one after, new or confirmed); the days offered are ranked like the alternatives for a
stored meeting (`planner.services.alternatives.rank_days`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from planner.domain.gaps import ONE_DAY
from planner.services.alternatives import Alternative, rank_days, window
from planner.services.plan_context import load_context, zone_of
from planner.services.planning import PlanPreview


def plan_alternatives(
    session: Session,
    preview: PlanPreview,
    now: datetime,
    *,
    locale: str = "nl",
    limit: int = 3,
) -> dict[date, list[Alternative]]:
    """Return, per new day of a preview, the best other days between its neighbours in the plan."""
    new = [item for item in preview.meetings if not item.fixed]
    if not new:
        return {}
    collab = preview.collab
    today = now.astimezone(zone_of(collab)).date()
    anchor = preview.anchor.day if preview.anchor else None
    first = min(anchor or preview.first_day, preview.first_day)
    ctx = load_context(session, collab, first, preview.last_day + ONE_DAY, locale, now=now)
    days = [item.day for item in preview.meetings]
    found: dict[date, list[Alternative]] = {}
    for index, item in enumerate(preview.meetings):
        if item.fixed:
            continue
        previous = days[index - 1] if index else anchor
        following = days[index + 1] if index + 1 < len(days) else None
        low, high = window(ctx, item.day, previous, following, today)
        low, high = max(low, preview.first_day), min(high, preview.last_day)
        found[item.day] = rank_days(
            ctx, now, previous, following, low, high, current=item.day, limit=limit
        )
    return found
