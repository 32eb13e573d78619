"""Changing one meeting, reacting to calendar changes, drift and the follow-up rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus
from planner.errors import ConflictError, ValidationError
from planner.models import Collaboration, Event, Meeting
from planner.services import busy_periods, collaborations, conflicts, drift, meetings, planning
from planner.services import organisations as orgs
from planner.services.alternatives import other_days

NOW = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)


def _events(session: Session, kind: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


@pytest.fixture
def collab(session: Session) -> Collaboration:
    a = orgs.create_organisation(
        session, {"name": "Noord College", "brin": "01AA", "region": "noord"}, NOW
    )
    b = orgs.create_organisation(
        session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, NOW
    )
    found = collaborations.create_collaboration(
        session,
        {
            "name": "Noord-Zuid",
            "members": [a.id, b.id],
            "coordinators": ["Co <co@example.org>"],
            "weekdays": "di,do",
            "start_time": "15:30",
            "target_weeks": 4,
            "max_gap_weeks": 6,
        },
        NOW,
    )
    session.commit()
    return found


def _confirm(session: Session, collab: Collaboration, *days: date) -> list[Meeting]:
    preview = planning.preview_plan(session, collab, NOW, days=list(days))
    created = planning.confirm_plan(session, preview, NOW)
    session.commit()
    return created


def test_alternatives_move_and_sequence(session: Session, collab: Collaboration) -> None:
    _, middle, _ = _confirm(session, collab, date(2026, 9, 1), date(2026, 9, 29), date(2026, 11, 3))
    current, found = other_days(session, middle, NOW)
    assert current.status is DriftStatus.ON_TRACK
    assert found, "there are free days between 1 Sep and 3 Nov"
    for item in found:
        assert date(2026, 9, 1) < item.day < date(2026, 11, 3)
        assert item.day != middle.day
        assert item.effect.before is not None and item.effect.after is not None
    # The best alternative keeps both gaps within the maximum.
    assert found[0].effect.largest_days <= 42
    result = meetings.move_meeting(session, middle, found[0].day, NOW)
    session.commit()
    assert middle.day == found[0].day and middle.sequence == 1
    assert result.after.status is found[0].effect.status
    (moved,) = _events(session, "meeting.moved")
    assert moved.payload["before"]["day"] == "2026-09-29"
    assert moved.payload["after"]["day"] == found[0].day.isoformat()
    # Onto a holiday or onto another meeting: refused, nothing changed.
    for bad in (date(2026, 10, 13), date(2026, 11, 3)):  # herfstvakantie noord; `last`
        with pytest.raises(ValidationError):
            meetings.move_meeting(session, middle, bad, NOW)
        session.rollback()
    session.refresh(middle)
    assert middle.sequence == 1


def test_cancel_says_what_it_does_to_the_drift(session: Session, collab: Collaboration) -> None:
    _, middle, _ = _confirm(
        session, collab, date(2026, 9, 1), date(2026, 9, 29), date(2026, 10, 27)
    )
    result = meetings.cancel_meeting(session, middle, NOW)
    session.commit()
    assert middle.status.value == "cancelled" and middle.sequence == 1
    assert result.before.status is DriftStatus.ON_TRACK
    # 1 Sep to 27 Oct is 8 weeks (the autumn holidays of noord and zuid do not overlap, so
    # no week is left out): above the maximum of 6.
    assert result.after.status is DriftStatus.AT_RISK
    assert result.alternatives, "a fill-in day is proposed"
    assert all(date(2026, 9, 1) < a.day < date(2026, 10, 27) for a in result.alternatives)
    with pytest.raises(ConflictError):
        meetings.cancel_meeting(session, middle, NOW)


def test_a_new_test_week_flags_the_meeting_it_hits(session: Session, collab: Collaboration) -> None:
    planned = _confirm(session, collab, date(2026, 9, 1), date(2026, 9, 29), date(2026, 11, 3))
    reports, cleared = conflicts.scan_conflicts(session, NOW)
    assert (reports, cleared) == ([], 0)
    period = busy_periods.create_busy_period(
        session,
        {
            "organisation": "02AA",
            "kind": "toetsweek",
            "first_day": "2026-09-28",
            "last_day": "2026-10-02",
        },
        NOW,
    )
    session.commit()
    reports, _ = conflicts.scan_conflicts(session, NOW)
    session.commit()
    assert [r.meeting.id for r in reports] == [planned[1].id]
    flag = planned[1].conflict
    assert flag is not None
    assert (
        flag["reasons"][0]["label"] == "Toetsweek" and flag["reasons"][0]["who"] == "Zuid College"
    )
    proposed = date.fromisoformat(flag["proposed_day"])
    assert date(2026, 9, 1) < proposed < date(2026, 11, 3)
    assert not date(2026, 9, 28) <= proposed <= date(2026, 10, 2)
    assert len(_events(session, "meeting.conflict")) == 1
    # A second scan changes nothing and announces nothing again.
    again, _ = conflicts.scan_conflicts(session, NOW)
    assert [r.new for r in again] == [False]
    assert len(_events(session, "meeting.conflict")) == 1
    # The school removes the test week: the flag is cleared.
    busy_periods.delete_busy_period(session, period, NOW)
    session.commit()
    reports, cleared = conflicts.scan_conflicts(session, NOW)
    assert (reports, cleared) == ([], 1)
    assert planned[1].conflict is None


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
    _confirm(session, collab, *days)
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
    _confirm(session, collab, date(2026, 12, 8), date(2027, 1, 12))
    (row,) = drift.drift_report(session, datetime(2026, 12, 10, tzinfo=UTC), fill_in=False)
    assert (row.calendar_days, row.gap_days, row.status.value) == (35, 21, "on_track")
    collab.count_holidays = True
    session.commit()
    (row,) = drift.drift_report(session, datetime(2026, 12, 10, tzinfo=UTC), fill_in=False)
    assert (row.gap_days, row.status.value) == (35, "on_track")


def test_follow_up_is_proposed_once_when_a_meeting_is_held(
    session: Session, collab: Collaboration
) -> None:
    (meeting,) = _confirm(session, collab, date(2026, 9, 1))
    after = datetime(2026, 9, 1, 17, 0, tzinfo=UTC)  # 19:00 in Amsterdam: it has ended
    found = drift.settle_held_meetings(session, after)
    session.commit()
    assert meeting.status.value == "held"
    (item,) = found
    assert item.proposal is not None and not item.next_planned
    # Four weeks on is Tue 29 Sep 2026, free for both schools.
    assert item.proposal.day == date(2026, 9, 29)
    (event,) = _events(session, "followup.proposed")
    assert event.payload["proposed_day"] == "2026-09-29"
    assert drift.settle_held_meetings(session, after + timedelta(hours=1)) == []
    assert len(_events(session, "followup.proposed")) == 1
