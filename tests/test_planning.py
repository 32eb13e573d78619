"""Series planning on real Dutch calendars: holidays, test weeks, DST, summer, explanations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.calendar_nl import holidays_for, load_school_holidays
from planner.domain.gaps import ONE_DAY
from planner.models import Collaboration, Event, Meeting
from planner.services import busy_periods, collaborations, organisations, plan_context, planning

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)
HOLIDAYS = load_school_holidays()


def school(session: Session, name: str, brin: str, region: str) -> int:
    org = organisations.create_organisation(
        session,
        {"name": name, "brin": brin, "region": region, "sector": "vo", "city": "X"},
        NOW,
    )
    return org.id


def holiday_days(region: str, school_year: str) -> dict[date, str]:
    days = {}
    for holiday in holidays_for(region, school_year, HOLIDAYS):
        day = holiday.first_day
        while day <= holiday.last_day:
            days[day] = holiday.name
            day += ONE_DAY
    return days


@dataclass
class Case:
    """One row of the table: a collaboration over real calendars and what its plan must show."""

    name: str
    regions: list[str]
    rhythm: tuple[int, int]  # target weeks, max gap weeks
    weekdays: str
    school_year: str
    busy: list[dict[str, Any]] = field(default_factory=list)  # per member index
    count_holidays: bool = False
    start_time: str = "15:30"
    first: date | None = None
    count: int | None = None
    anchor: date | None = None  # a confirmed meeting before the horizon
    now: datetime = NOW
    check: Callable[[Any, dict[date, str]], None] | None = None


def _noord_zuid_test_weeks(preview: Any, blocked: dict[date, str]) -> None:
    days = [m.day for m in preview.new_meetings]
    assert len(days) >= 8
    assert preview.plan.largest_excess_days == 0
    # A rejected nearer day inside a test week is named in the explanation.
    rejected = [
        (item.day, obstacle.label, obstacle.who)
        for meeting in preview.new_meetings
        for item in meeting.explanation.rejected
        for obstacle in item.obstacles
    ]
    assert any(label == "Toetsweek" for _, label, _ in rejected), rejected


def _dst_1900(preview: Any, blocked: dict[date, str]) -> None:
    for meeting in preview.new_meetings:
        local = meeting.starts_at.astimezone(AMS)
        assert (local.hour, local.minute) == (19, 0), meeting
    utc_hours = {m.day: m.starts_at.astimezone(UTC).hour for m in preview.new_meetings}
    # Summer time before 25 Oct 2026 (UTC+2), winter time after it (UTC+1).
    assert utc_hours[date(2026, 10, 19)] == 17
    assert utc_hours[date(2026, 10, 26)] == 18


def _dst_spring(preview: Any, blocked: dict[date, str]) -> None:
    utc_hours = {m.day: m.starts_at.astimezone(UTC).hour for m in preview.new_meetings}
    # Easter Monday (29 Mar 2027) is a public holiday, so the weekly rhythm runs on Thursdays.
    assert utc_hours[date(2027, 3, 25)] == 18  # winter time
    assert utc_hours[date(2027, 4, 1)] == 17  # summer time from Sunday 28 Mar 2027
    assert all(m.starts_at.astimezone(AMS).hour == 19 for m in preview.new_meetings)


def _summer_forces_excess(preview: Any, blocked: dict[date, str]) -> None:
    first = preview.new_meetings[0]
    gap = first.explanation.gap
    # Noord stops on 10 Jul 2027, zuid starts again on 6 Sep 2027: Mon 6 Sep is the first day
    # both can meet, so the gap from Thu 8 Jul is 60 days, 18 above the 42-day maximum.
    assert first.day == date(2027, 9, 6)
    assert (gap.counted_days, gap.excess_days) == (60, 18)
    assert preview.plan.largest_excess_days == 18
    forced = {(o.label, o.who) for o in first.explanation.forced_by}
    assert ("Zomervakantie noord", "Noord School") in forced
    assert ("Zomervakantie zuid", "Zuid School") in forced
    # Every later gap keeps to the maximum.
    assert all(m.explanation.gap.excess_days == 0 for m in preview.new_meetings[1:])


def _summer_not_counted(preview: Any, blocked: dict[date, str]) -> None:
    first = preview.new_meetings[0]
    gap = first.explanation.gap
    # The weeks both regions are on holiday (26 Jul - 22 Aug 2027) do not count: 60 - 28 days.
    assert first.day == date(2027, 9, 6)
    assert (gap.calendar_days, gap.counted_days, gap.excess_days) == (60, 32, 0)
    assert preview.plan.largest_excess_days == 0


CASES = [
    Case(
        "noord and zuid across 2026-2027 with test weeks",
        ["noord", "zuid"],
        (4, 6),
        "di,do",
        "2026-2027",
        busy=[
            {"kind": "toetsweek", "school_year": "2026-2027", "weeks": "45"},
            {"kind": "toetsweek", "school_year": "2026-2027", "weeks": "49"},
            {"kind": "toetsweek", "school_year": "2026-2027", "weeks": "5-6"},
            {"kind": "open_day", "first_day": "2027-01-21"},
        ],
        check=_noord_zuid_test_weeks,
    ),
    Case(
        "19:00 every week across the autumn DST Sunday",
        ["noord"],
        (1, 2),
        "ma,do",
        "2026-2027",
        start_time="19:00",
        first=date(2026, 10, 19),
        count=4,
        now=datetime(2026, 10, 1, tzinfo=UTC),
        check=_dst_1900,
    ),
    Case(
        "19:00 every week across the spring DST Sunday",
        ["midden"],
        (1, 2),
        "ma,do",
        "2026-2027",
        start_time="19:00",
        first=date(2027, 3, 22),
        count=4,
        now=datetime(2027, 3, 1, tzinfo=UTC),
        check=_dst_spring,
    ),
    Case(
        "summer makes the maximum gap impossible when holidays count",
        ["noord", "zuid"],
        (4, 6),
        "ma,do",
        "2027-2028",
        count_holidays=True,
        anchor=date(2027, 7, 8),
        now=datetime(2027, 7, 1, tzinfo=UTC),
        count=4,
        check=_summer_forces_excess,
    ),
    Case(
        "the same summer by default: shared holiday weeks do not count",
        ["noord", "zuid"],
        (4, 6),
        "ma,do",
        "2027-2028",
        anchor=date(2027, 7, 8),
        now=datetime(2027, 7, 1, tzinfo=UTC),
        count=4,
        check=_summer_not_counted,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_plans_on_real_calendars(session: Session, case: Case) -> None:
    names = {"noord": "Noord School", "zuid": "Zuid School", "midden": "Midden School"}
    members = [
        school(session, names[region], f"0{index}AA", region)
        for index, region in enumerate(case.regions)
    ]
    for index, fields in enumerate(case.busy):
        busy_periods.create_busy_period(
            session, {**fields, "organisation": members[index % len(members)]}, NOW
        )
    collab = collaborations.create_collaboration(
        session,
        {
            "name": case.name[:60],
            "members": members,
            "coordinators": ["Co <co@example.org>"],
            "target_weeks": case.rhythm[0],
            "max_gap_weeks": case.rhythm[1],
            "weekdays": case.weekdays,
            "start_time": case.start_time,
            "count_holidays": case.count_holidays,
            "notice_days": 0,  # these cases are about the calendar; notice: test_notice.py
        },
        NOW,
    )
    if case.anchor:
        before = planning.preview_plan(
            session,
            collab,
            datetime.combine(case.anchor, datetime.min.time(), UTC) - timedelta(days=3),
            days=[case.anchor],
        )
        planning.confirm_plan(session, before, NOW)
    preview = planning.preview_plan(
        session,
        collab,
        case.now,
        school_year=case.school_year,
        first=case.first,
        count=case.count,
    )
    # The hard rules hold for every row of the table.
    blocked = {}
    for region in case.regions:
        blocked.update(holiday_days(region, case.school_year))
    periods = busy_periods.list_busy_periods(session)
    allowed = plan_context.allowed_weekdays(collab)
    for meeting in preview.new_meetings:
        assert meeting.day not in blocked, (meeting.day, blocked.get(meeting.day))
        assert meeting.day.weekday() in allowed
        assert meeting.starts_at > case.now
        assert not any(
            p.first_on <= meeting.day <= p.last_on and p.severity.value == "hard" for p in periods
        )
    if case.count:
        assert len(preview.new_meetings) == case.count
    assert case.check is not None
    case.check(preview, blocked)


@pytest.fixture
def woerden(session: Session) -> Collaboration:
    a = school(session, "Minnaert College", "91XA", "midden")
    b = school(session, "Groenendaal Lyceum", "91XB", "midden")
    busy_periods.create_busy_period(
        session,
        {"organisation": b, "kind": "toetsweek", "school_year": "2026-2027", "weeks": "41"},
        NOW,
    )
    collab = collaborations.create_collaboration(
        session,
        {
            "name": "Startersbegeleiding",
            "members": [a, b],
            "coordinators": ["Anouk <anouk@example.org>"],
            "participants": ["Esra <esra@example.org>"],
            "weekdays": "di,do",
            "start_time": "15:30",
            "target_weeks": 4,
            "max_gap_weeks": 6,
            "notice_days": 0,  # planned as if announcing were instant: notice: test_notice.py
        },
        NOW,
    )
    session.commit()
    return collab


def test_plan_is_deterministic_and_explains_each_date(
    session: Session, woerden: Collaboration
) -> None:
    first = planning.preview_plan(session, woerden, NOW, school_year="2026-2027")
    second = planning.preview_plan(session, woerden, NOW, school_year="2026-2027")
    assert [(m.day, m.starts_at, m.location) for m in first.meetings] == [
        (m.day, m.starts_at, m.location) for m in second.meetings
    ]
    assert first.plan.cost == second.plan.cost
    # Locations rotate among the member schools.
    locations = [m.location for m in first.new_meetings]
    assert locations[:2] == ["Minnaert College, X", "Groenendaal Lyceum, X"]
    # The horizon starts in the summer holiday midden; the first meeting says why not earlier.
    first_rejected = first.new_meetings[0].explanation.rejected
    assert first_rejected and all(
        obstacle.label == "Zomervakantie midden"
        for item in first_rejected
        for obstacle in item.obstacles
    )


def test_a_test_week_on_the_ideal_day_is_named(session: Session, woerden: Collaboration) -> None:
    # Four weeks after Tue 8 Sep is Tue 6 Oct: week 41, the Groenendaal's test week.
    anchor = planning.preview_plan(session, woerden, NOW, days=[date(2026, 9, 8)])
    planning.confirm_plan(session, anchor, NOW)
    preview = planning.preview_plan(
        session, woerden, NOW, school_year="2026-2027", first=date(2026, 9, 9), count=1
    )
    meeting = preview.new_meetings[0]
    assert meeting.explanation.ideal_day == date(2026, 10, 6)
    assert meeting.day not in (date(2026, 10, 6), date(2026, 10, 8))
    named = {
        (item.day, obstacle.label, obstacle.who)
        for item in meeting.explanation.rejected
        for obstacle in item.obstacles
    }
    assert (date(2026, 10, 6), "Toetsweek", "Groenendaal Lyceum") in named


def test_confirm_stores_meetings_and_a_later_plan_keeps_them_fixed(
    session: Session, woerden: Collaboration
) -> None:
    preview = planning.preview_plan(session, woerden, NOW, school_year="2026-2027", count=3)
    created = planning.confirm_plan(session, preview, NOW)
    session.commit()
    assert [m.status.value for m in created] == ["confirmed"] * 3
    assert len({m.uid for m in created}) == 3
    assert created[1].previous_id == created[0].id
    events = session.scalars(select(Event).where(Event.kind == "meetings.planned")).all()
    assert len(events) == 1 and events[0].payload["meeting_ids"] == [m.id for m in created]
    # Planning the whole year now fills around the three confirmed meetings.
    full = planning.preview_plan(session, woerden, NOW, school_year="2026-2027")
    fixed = [m for m in full.meetings if m.fixed]
    assert [m.day for m in fixed] == [m.day for m in created]
    assert all(m.day not in {c.day for c in created} for m in full.new_meetings)
    assert len(full.new_meetings) > 3
    # A stale preview cannot be confirmed twice.
    from planner.errors import ConflictError

    with pytest.raises(ConflictError):
        planning.confirm_plan(session, preview, NOW)


def test_first_gap_counts_from_the_last_meeting_before_the_horizon(
    session: Session, woerden: Collaboration
) -> None:
    early = planning.preview_plan(session, woerden, NOW, days=[date(2026, 9, 1)])
    planning.confirm_plan(session, early, NOW)
    preview = planning.preview_plan(
        session, woerden, NOW, school_year="2026-2027", first=date(2026, 9, 7), count=1
    )
    assert preview.anchor is not None and preview.anchor.day == date(2026, 9, 1)
    meeting = preview.new_meetings[0]
    assert meeting.explanation.gap is not None
    assert meeting.explanation.gap.first == date(2026, 9, 1)
    assert meeting.day == date(2026, 9, 29)  # exactly four weeks on


def test_never_overlaps_a_participants_other_meeting(
    session: Session, woerden: Collaboration
) -> None:
    other_school = school(session, "Ander College", "92AA", "midden")
    other = collaborations.create_collaboration(
        session,
        {
            "name": "Andere samenwerking",
            "members": [other_school],
            "coordinators": ["esra@example.org"],
            "weekdays": "di",
            "start_time": "15:00",
            "latest_start": "15:00",
            "target_weeks": 1,
            "max_gap_weeks": 2,
            "notice_days": 0,
        },
        NOW,
    )
    taken = planning.preview_plan(session, other, NOW, days=[date(2026, 9, 1)])
    planning.confirm_plan(session, taken, NOW)
    # Woerden may start between 15:30 and 17:00 on Tuesday 1 Sep: it moves to after 16:30.
    woerden.latest_start = datetime.strptime("17:00", "%H:%M").time()
    session.flush()
    preview = planning.preview_plan(session, woerden, NOW, days=[date(2026, 9, 1)])
    start = preview.new_meetings[0].starts_at.astimezone(AMS)
    assert (start.hour, start.minute) == (16, 30)
    # With a fixed 15:30 start the day is refused, naming the other meeting.
    woerden.latest_start = woerden.earliest_start
    session.flush()
    from planner.errors import ValidationError

    with pytest.raises(ValidationError) as error:
        planning.preview_plan(session, woerden, NOW, days=[date(2026, 9, 1)])
    assert "Andere samenwerking" in error.value.params["reasons"]


def test_meetings_stored_as_aware_utc(session: Session, woerden: Collaboration) -> None:
    preview = planning.preview_plan(session, woerden, NOW, days=[date(2026, 12, 1)])
    (meeting,) = planning.confirm_plan(session, preview, NOW)
    session.commit()
    session.expire_all()
    stored = session.get(Meeting, meeting.id)
    assert stored is not None
    assert stored.starts_at == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert stored.ends_at - stored.starts_at == timedelta(minutes=90)
    assert stored.day == date(2026, 12, 1)
