"""Drift: how far apart the meetings of a collaboration are (its statuses, shared holiday weeks
left out) and the follow-up proposed when a meeting is held. The collaboration is the shared
`collab` fixture (Noord College and Zuid College), planned on 24 Aug 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from planner.models import Collaboration
from planner.services import drift
from tests.factories import confirm_days, events_of_kind

NOW = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "now", "status", "gap_days"),
    [
        # Held 29 Sep, next 27 Oct: four weeks; 1.25 x 4 weeks is 35 days.
        (
            [date(2026, 9, 29), date(2026, 10, 27)],
            datetime(2026, 10, 5, tzinfo=UTC),
            "on_track",
            28,
        ),
        # 5 weeks and 2 days: above 35 days but within the 6-week maximum.
        (
            [date(2026, 9, 29), date(2026, 11, 5)],
            datetime(2026, 10, 5, tzinfo=UTC),
            "attention",
            37,
        ),
        # 10 weeks: at risk.
        ([date(2026, 9, 1), date(2026, 11, 10)], datetime(2026, 9, 5, tzinfo=UTC), "at_risk", 70),
        # Nothing after the held meeting.
        ([date(2026, 9, 1)], datetime(2026, 9, 10, tzinfo=UTC), "no_next_meeting", 9),
    ],
)
def test_drift_statuses(
    session: Session,
    collab: Collaboration,
    days: list[date],
    now: datetime,
    status: str,
    gap_days: int,
) -> None:
    confirm_days(session, collab, NOW, *days)
    (row,) = drift.drift_report(session, now)
    assert row.status.value == status
    assert row.gap_days == gap_days
    assert row.last_day == days[0]
    if status == "on_track":
        assert row.fill_in is None
    else:
        assert row.fill_in is not None
        assert row.fill_in.day > now.date()
        if len(days) > 1:
            assert days[0] < row.fill_in.day < days[1]


def test_drift_leaves_out_shared_holiday_weeks(session: Session, collab: Collaboration) -> None:
    # 8 Dec 2026 to 12 Jan 2027 is 5 weeks in the calendar; both regions have the Christmas
    # holiday (19 Dec - 3 Jan), so 3 weeks count.
    confirm_days(session, collab, NOW, date(2026, 12, 8), date(2027, 1, 12))
    (row,) = drift.drift_report(session, datetime(2026, 12, 10, tzinfo=UTC), fill_in=False)
    assert (row.calendar_days, row.gap_days, row.status.value) == (35, 21, "on_track")
    collab.count_holidays = True
    session.commit()
    (row,) = drift.drift_report(session, datetime(2026, 12, 10, tzinfo=UTC), fill_in=False)
    assert (row.gap_days, row.status.value) == (35, "on_track")


def test_follow_up_is_proposed_once_when_a_meeting_is_held(
    session: Session, collab: Collaboration
) -> None:
    (meeting,) = confirm_days(session, collab, NOW, date(2026, 9, 1))
    after = datetime(2026, 9, 1, 17, 0, tzinfo=UTC)  # 19:00 in Amsterdam: it has ended
    found = drift.settle_held_meetings(session, after)
    session.commit()
    assert meeting.status.value == "held"
    (item,) = found
    assert item.proposal is not None and not item.next_planned
    # Four weeks on is Tue 29 Sep 2026, free for both schools.
    assert item.proposal.day == date(2026, 9, 29)
    (event,) = events_of_kind(session, "followup.proposed")
    assert event.payload["proposed_day"] == "2026-09-29"
    assert drift.settle_held_meetings(session, after + timedelta(hours=1)) == []
    assert len(events_of_kind(session, "followup.proposed")) == 1
