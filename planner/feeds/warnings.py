"""Drift warnings in feeds: an all-day item on the day a collaboration's gap crosses its
maximum, with the best date to fill it. A gap that is over the maximum already is shown on
today's date too (moving with the day), where someone looking at this week sees it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.gaps import GapCounter, Rhythm
from planner.domain.kinds import MeetingStatus
from planner.feeds.items import MEETING_COLUMNS, ONE_DAY, WARNING, Window, _
from planner.ical.items import FeedItem
from planner.models import (
    Collaboration,
    Meeting,
)
from planner.services.drift import SharedHolidays, fill_in_between
from planner.text.formatting import format_day, format_weeks


def _counter(collab: Collaboration, holidays: SharedHolidays) -> GapCounter:
    if collab.count_holidays:
        return GapCounter((), holidays.first, holidays.last)
    regions = frozenset(m.organisation.region for m in collab.members if m.organisation.region)
    return holidays.counter(regions)


def _last_held(session: Session, collab_id: int, now: datetime) -> Any | None:
    return session.execute(
        select(*MEETING_COLUMNS)
        .where(
            Meeting.collaboration_id == collab_id,
            Meeting.status.in_((MeetingStatus.CONFIRMED, MeetingStatus.HELD)),
            Meeting.ends_at <= now,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    ).first()


def _shared_holidays(session: Session, window: Window, earliest: date | None) -> SharedHolidays:
    first = min(window.first, earliest or window.first) - timedelta(days=7)
    return SharedHolidays(session, first, window.calendar_last + timedelta(days=400))


def warning_items(
    session: Session,
    collab: Collaboration,
    rows: Sequence[Any],
    now: datetime,
    window: Window,
    language: str,
    *,
    with_name: bool = False,
) -> list[FeedItem]:
    """All-day warnings on each day the maximum gap is crossed, from the last held meeting on.

    A gap still open (the next meeting lies beyond the maximum gap, or nothing follows) gets a
    transparent all-day item with category WARNING, the meetings around it and the best date
    to fill it. Gaps already closed by a held meeting are history and get none.
    """
    rhythm = Rhythm(collab.target_weeks * 7, collab.max_gap_weeks * 7)
    active = [
        row
        for row in rows
        if row.collaboration_id == collab.id and row.status is not MeetingStatus.CANCELLED
    ]
    coming = [row for row in active if row.ends_at > now]
    held = [row for row in active if row.ends_at <= now]
    anchor = held[-1] if held else _last_held(session, collab.id, now)
    counter = _counter(collab, _shared_holidays(session, window, anchor.day if anchor else None))
    chain: list[Any | None] = [anchor, *coming]
    suffix = f" ({collab.name})" if with_name else ""
    items = []
    for previous, following in zip(chain, [*chain[1:], None], strict=True):
        previous_day = previous.day if previous is not None else None
        following_day = following.day if following is not None else None
        if previous_day is None and following_day is None:
            crossing = window.today  # never met, nothing planned
        else:
            base = previous_day if previous_day is not None else window.today
            crossing = counter.day_after(base, rhythm.max_gap_days + 1)
        if following_day is not None and following_day < crossing:
            continue
        if crossing > window.last:
            continue
        around = (previous, following)
        shown = [crossing] if crossing >= window.first else []
        if crossing < window.today:
            shown.append(window.today)  # already over the maximum: also where it is seen now
        for day in shown:
            items.append(
                _warning(
                    session,
                    collab,
                    rhythm,
                    around,
                    crossing,
                    day,
                    now,
                    language,
                    suffix,
                    window.first,
                )
            )
    return items


def _warning(
    session: Session,
    collab: Collaboration,
    rhythm: Rhythm,
    around: tuple[Any | None, Any | None],
    crossing: date,
    shown: date,
    now: datetime,
    language: str,
    suffix: str,
    window_first: date,
) -> FeedItem:
    """The warning for one open gap, on its crossing day or (`shown`) today.

    The item on its crossing day keeps its UID for good. Today's item of a gap already over
    the maximum has a UID of its own that stays the same while it moves with the day; its
    SEQUENCE rises with each day so calendars move it too.
    """
    previous, following = around
    previous_day = previous.day if previous is not None else None
    following_day = following.day if following is not None else None
    if following is None:
        summary = _("⚠ No follow-up meeting yet — focus may slip away")
    else:
        summary = _("⚠ Long gap until the next meeting — focus may slip away")
    lines = [collab.name]
    if previous_day is not None:
        lines.append(_("Last meeting: %(day)s.", day=format_day(previous_day, language)))
    if following_day is not None:
        lines.append(_("Next meeting: %(day)s.", day=format_day(following_day, language)))
    else:
        lines.append(_("No next meeting is planned."))
    if shown == crossing:
        lines.append(
            _(
                "From this day the gap is longer than the maximum of %(max)s.",
                max=format_weeks(collab.max_gap_weeks * 7, language),
            )
        )
    else:
        lines.append(
            _(
                "The gap has been longer than the maximum of %(max)s since %(day)s.",
                max=format_weeks(collab.max_gap_weeks * 7, language),
                day=format_day(crossing, language),
            )
        )
    proposal = fill_in_between(session, collab, rhythm, previous_day, following_day, now, language)
    if proposal is not None:
        start = proposal.starts_at.astimezone(ZoneInfo(collab.timezone))
        lines.append(
            _(
                "Best date to fill the gap: %(day)s at %(time)s.",
                day=format_day(proposal.day, language),
                time=start.strftime("%H:%M"),
            )
        )
    elif following_day is not None:
        lines.append(
            _(
                "The next meeting, on %(day)s, fills the gap as early as the calendar allows.",
                day=format_day(following_day, language),
            )
        )
    else:
        lines.append(_("No free date was found to fill the gap."))
    stamps = [row.updated_at for row in (previous, following) if row is not None]
    # Today's item beside the crossing day's needs a UID of its own; a crossing day before the
    # window leaves today's item alone, under the crossing day's UID as before.
    today = "-now" if crossing < shown and crossing >= window_first else ""
    return FeedItem(
        uid=f"drift-{collab.id}-{crossing:%Y%m%d}{today}@planner",
        summary=summary + suffix,
        stamp=max(stamps) if stamps else collab.updated_at,
        start=shown,
        end=shown + ONE_DAY,
        sequence=(shown - crossing).days,
        transparent=True,
        categories=(WARNING, collab.name),
        description="\n".join(lines),
    )
