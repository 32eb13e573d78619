"""Changing one meeting: other days for it, moving and cancelling it, and the conflicts a new
busy period makes. The collaboration is the shared `collab` fixture (Noord College and Zuid
College), planned on 24 Aug 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus
from planner.errors import ConflictError, ValidationError
from planner.models import Collaboration
from planner.services import busy_periods, conflicts, meetings
from planner.services.alternatives import other_days
from tests.factories import confirm_days, events_of_kind

NOW = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)


def test_alternatives_move_and_sequence(session: Session, collab: Collaboration) -> None:
    _, middle, _ = confirm_days(
        session, collab, NOW, date(2026, 9, 1), date(2026, 9, 29), date(2026, 11, 3)
    )
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
    (moved,) = events_of_kind(session, "meeting.moved")
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
    _, middle, _ = confirm_days(
        session, collab, NOW, date(2026, 9, 1), date(2026, 9, 29), date(2026, 10, 27)
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
    planned = confirm_days(
        session, collab, NOW, date(2026, 9, 1), date(2026, 9, 29), date(2026, 11, 3)
    )
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
    assert len(events_of_kind(session, "meeting.conflict")) == 1
    # A second scan changes nothing and announces nothing again.
    again, _ = conflicts.scan_conflicts(session, NOW)
    assert [r.new for r in again] == [False]
    assert len(events_of_kind(session, "meeting.conflict")) == 1
    # The school removes the test week: the flag is cleared.
    busy_periods.delete_busy_period(session, period, NOW)
    session.commit()
    reports, cleared = conflicts.scan_conflicts(session, NOW)
    assert (reports, cleared) == ([], 1)
    assert planned[1].conflict is None
