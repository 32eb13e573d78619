"""The dashboard sees the whole horizon (issue 14, item 3): per collaboration the next meeting,
the gap now, the worst gap later above the maximum (with its dates), the meetings now on a
blocked day and the answers for the next meeting, summed up in one status word, the most urgent
first; and what a one-click fill-in did to the row.

Most tests use the demo seen on Tue 1 Sep 2026 (tests.factories): Woerden (4 weeks, at most 6,
Tue/Thu 15:30) planned until Jul 2027, Eindhoven meeting on 16 Sep only, Noord-Holland–Brabant
on 9 Sep and then not until 26 Jan. Collaborations built for one test join Noord College (noord)
and Zuid College (zuid): holiday weeks both have are left out of a gap, the others count.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.drift import URGENCY, DriftStatus, Health
from planner.domain.kinds import AttendanceStatus, MeetingStatus
from planner.errors import ConflictError, ValidationError
from planner.models import Collaboration, Meeting, Organisation, Person
from planner.presenters.dashboard import RowView, dashboard_row_json, filled_in_text, row_view
from planner.services import (
    attendance,
    busy_periods,
    collaborations,
    conflicts,
    meetings,
    planning,
)
from planner.services import organisations as orgs
from planner.services.dashboard import (
    Answers,
    DashboardRow,
    Gap,
    dashboard_rows,
    overview_rows,
    plan_fill_in,
)
from planner.services.plan_context import ShortNotice, zone_of
from planner.text.formatting import format_weeks
from tests.factories import (
    ADMIN,
    EINDHOVEN,
    MARLOES,
    NOORD,
    NOW,
    OTHER,
    WOERDEN,
    person_by_email,
    plan_with_partners,
    reply_ics,
)
from tests.helpers import CLI, count_rows

# Collaborations built for one test are made and planned on this morning, before the summer.
MADE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
# The demo seen on Saturday 21 Nov 2026, when Noord-Holland–Brabant is at risk now.
NOV_21 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


# --- Helpers -------------------------------------------------------------------------------------


def rows_for(
    app: Flask, session: Session, now: datetime = NOW, email: str = ADMIN
) -> list[DashboardRow]:
    """The dashboard of a person (the platform administrator sees every collaboration)."""
    session.expire_all()
    with app.test_request_context():
        return dashboard_rows(session, person_by_email(session, email), now)


def row_of(rows: list[DashboardRow], collab_id: int) -> DashboardRow:
    (found,) = [row for row in rows if row.collaboration.id == collab_id]
    return found


def order(rows: list[DashboardRow]) -> list[int]:
    return [row.collaboration.id for row in rows]


def view_of(app: Flask, row: DashboardRow) -> RowView:
    with app.test_request_context():
        return row_view(row, "nl")


def demo_meeting(session: Session, collab_id: int, day: date) -> Meeting:
    return session.scalars(
        select(Meeting).where(Meeting.collaboration_id == collab_id, Meeting.day == day)
    ).one()


def cancel(session: Session, collab_id: int, day: date, now: datetime = NOW) -> None:
    meetings.cancel_meeting(session, demo_meeting(session, collab_id, day), now)
    session.commit()


def two_schools(session: Session) -> tuple[Organisation, Organisation]:
    return (
        orgs.create_organisation(
            session, {"name": "Noord College", "brin": "01AA", "region": "noord"}, MADE
        ),
        orgs.create_organisation(
            session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, MADE
        ),
    )


def collaboration(
    session: Session,
    schools: tuple[Organisation, Organisation],
    name: str,
    *days: date,
    target_weeks: int = 4,
    max_gap_weeks: int = 6,
) -> Collaboration:
    """A collaboration of both schools on Tue/Thu 15:30, with a coordinator of its own, planned
    on exactly these days (across school years, inside the notice too); committed."""
    number = session.scalar(select(func.count(Collaboration.id)))
    collab = collaborations.create_collaboration(
        session,
        {
            "name": name,
            "members": [school.id for school in schools],
            "coordinators": [f"Coördinator {number} <co{number}@school.example>"],
            "weekdays": "di,do",
            "start_time": "15:30",
            "target_weeks": target_weeks,
            "max_gap_weeks": max_gap_weeks,
        },
        MADE,
    )
    session.commit()
    for year in sorted({_school_year(day) for day in days}):
        part = [day for day in days if _school_year(day) == year]
        preview = planning.preview_plan(
            session, collab, MADE, first=part[0], last=part[-1], days=part, short_notice=True
        )
        planning.confirm_plan(session, preview, MADE)
        session.commit()
    return collab


def _school_year(day: date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def planned_days(session: Session, collab_id: int) -> list[date]:
    session.expire_all()
    return list(
        session.scalars(
            select(Meeting.day)
            .where(
                Meeting.collaboration_id == collab_id,
                Meeting.status == MeetingStatus.CONFIRMED,
            )
            .order_by(Meeting.day)
        )
    )


# --- 1. A gap later on ---------------------------------------------------------------------------


def test_a_cancelled_meeting_shows_the_worst_gap_later_with_its_dates_and_moves_the_row_up(
    app: Flask, session: Session, demo: None
) -> None:
    before = rows_for(app, session)
    woerden = row_of(before, WOERDEN)
    assert (woerden.health, woerden.worst_gap, woerden.long_gaps) == (Health.ON_TRACK, None, 0)
    assert order(before) == [NOORD, EINDHOVEN, WOERDEN]

    # The meeting right after the spring holiday is cancelled: 21 Jan to 1 Apr 2027 is 70 days,
    # 63 without the spring holiday week both Woerden schools have: 9 weeks, above 6.
    cancel(session, WOERDEN, date(2027, 3, 2))

    after = rows_for(app, session)
    woerden = row_of(after, WOERDEN)
    assert woerden.drift.status is DriftStatus.ON_TRACK  # the gap now is still fine
    assert woerden.worst_gap == Gap(date(2027, 1, 21), date(2027, 4, 1), 63, 21)
    assert woerden.long_gaps == 1 and woerden.conflicts == 0
    assert woerden.health is Health.AT_RISK
    assert woerden.target == woerden.worst_gap  # the fill-in date is for that gap
    assert woerden.fill_in is not None
    assert date(2027, 1, 21) < woerden.fill_in.day < date(2027, 4, 1)
    view = view_of(app, woerden)
    assert view.worst_text == "Later: 9 weken, do 21 jan 2027 – do 1 apr 2027"
    assert view.word == "focus in gevaar"
    # Up from last to second: at risk like Noord-Holland–Brabant, whose name sorts first.
    assert order(after) == [NOORD, WOERDEN, EINDHOVEN]


# --- 2. Meetings on a blocked day ----------------------------------------------------------------


def test_a_test_week_over_a_planned_meeting_is_a_conflict_and_puts_the_row_first(
    app: Flask, session: Session, demo: None
) -> None:
    # Minnaert College (Woerden) sets a test week over Tue 27 Oct, and report meetings (soft:
    # avoided when possible, never a conflict) over Tue 29 Sep. The worker's handler of these
    # events (planner.messaging.calendar_changes) scans the school's collaborations.
    test_week = busy_periods.create_busy_period(
        session,
        {"organisation": "91XA", "kind": "test_week", "first_day": "2026-10-26",
         "last_day": "2026-10-30"},
        NOW,
    )  # fmt: skip
    busy_periods.create_busy_period(
        session,
        {"organisation": "91XA", "kind": "report_meetings", "first_day": "2026-09-28",
         "last_day": "2026-10-02"},
        NOW,
    )  # fmt: skip
    session.commit()
    conflicts.scan_conflicts(session, NOW, collaboration_ids=[WOERDEN])
    session.commit()

    rows = rows_for(app, session)
    woerden = rows[0]
    assert woerden.collaboration.id == WOERDEN
    assert (woerden.conflicts, woerden.health) == (1, Health.CONFLICT)
    assert woerden.drift.status is DriftStatus.ON_TRACK  # the rhythm itself is fine
    view = view_of(app, woerden)
    assert view.conflicts_text == "1 overleg op een geblokkeerde dag"
    assert view.word == "overleg op geblokkeerde dag"
    assert order(rows) == [WOERDEN, NOORD, EINDHOVEN]

    # The school takes the test week back: the flag goes, and so does the conflict.
    busy_periods.delete_busy_period(session, test_week, NOW)
    conflicts.scan_conflicts(session, NOW, collaboration_ids=[WOERDEN])
    session.commit()
    woerden = row_of(rows_for(app, session), WOERDEN)
    assert (woerden.conflicts, woerden.health) == (0, Health.ON_TRACK)


# --- 3. Who answered the next meeting ------------------------------------------------------------


def test_the_answers_for_the_next_meeting_count_yes_no_and_no_answer_yet(
    app: Flask, browser: FlaskClient, session: Session
) -> None:
    app.config["FROZEN_NOW"] = "2026-09-01T08:00:00Z"
    planned = plan_with_partners(app, session, NOW, date(2026, 9, 15), date(2026, 10, 1))
    first, second = (session.get(Meeting, ref) for ref in planned.meeting_ids)
    assert first is not None and second is not None
    collab = session.get(Collaboration, first.collaboration_id)
    assert collab is not None

    def answers(now: datetime = NOW) -> Answers | None:
        session.expire_all()
        with app.test_request_context():
            (row,) = overview_rows(session, [collab], now)
        return row.answers

    # The coordinator organises; the two partners are invited.
    assert answers() == Answers(accepted=0, tentative=0, declined=0, unanswered=2)

    # One partner says no through the link in the mail ...
    assert browser.post(f"/rsvp/{planned.secret}", data={"answer": "declined"}).status_code == 200
    assert answers() == Answers(accepted=0, tentative=0, declined=1, unanswered=1)
    # ... the other yes from a calendar; the first partner says yes to the meeting after it,
    # which does not count for the next one.
    attendance.apply_reply(session, reply_ics(first.uid, first.sequence, OTHER, "ACCEPTED"), NOW)
    partner = session.get(Person, planned.partner_id)
    assert partner is not None
    secret = attendance.issue_rsvp_token(session, second, partner, NOW, valid_days_after=7)
    attendance.answer_by_link(session, secret, AttendanceStatus.ACCEPTED, NOW)
    session.commit()

    assert answers() == Answers(accepted=1, tentative=0, declined=1, unanswered=0)
    with app.test_request_context():
        (row,) = overview_rows(session, [collab], NOW)
        text = row_view(row, "nl").answers_text
    assert text is not None and "1 ja" in text and "1 nee" in text

    # Once the first meeting is over, the row counts the answers for the second.
    after_first = datetime(2026, 9, 16, 8, 0, tzinfo=UTC)
    assert answers(after_first) == Answers(accepted=1, tentative=0, declined=0, unanswered=1)


# --- 4. The most urgent first --------------------------------------------------------------------


def test_the_most_urgent_come_first_then_by_name_whatever_its_case_then_by_id(
    app: Flask, session: Session
) -> None:
    # The status words from most to least urgent.
    assert sorted(Health, key=URGENCY.__getitem__) == [
        Health.CONFLICT,
        Health.NO_NEXT_MEETING,
        Health.AT_RISK,
        Health.FORCED,
        Health.ATTENTION,
        Health.ON_TRACK,
    ]
    schools = two_schools(session)
    # Every 4 weeks, at most 6 apart (on track up to 35 days, attention up to 42), seen on
    # Tue 1 Sep 2026; made in an order that is neither the urgency nor the alphabet.
    made = [
        collaboration(session, schools, "Papa", date(2026, 9, 10), date(2026, 10, 6)),
        collaboration(session, schools, "Zulu", date(2026, 9, 10), date(2026, 10, 1)),
        collaboration(session, schools, "Whiskey", date(2026, 9, 15), date(2026, 11, 24)),
        collaboration(session, schools, "Romeo", date(2026, 10, 8)),  # 37 days from today
        collaboration(session, schools, "Yankee"),  # nothing planned
        # Met before the summer, next on the first day the notice allows: nothing earlier.
        collaboration(session, schools, "Sierra", date(2026, 6, 4), date(2026, 9, 8)),
        collaboration(session, schools, "victor", date(2026, 9, 10), date(2026, 11, 19)),
        collaboration(session, schools, "Papa", date(2026, 9, 10), date(2026, 10, 6)),
    ]
    # A test week at Zuid College over Zulu's meeting of Thu 1 Oct.
    busy_periods.create_busy_period(
        session,
        {"organisation": "02AA", "kind": "test_week", "first_day": "2026-09-30",
         "last_day": "2026-10-02"},
        NOW,
    )  # fmt: skip
    conflicts.scan_conflicts(session, NOW)
    session.commit()

    with app.test_request_context():
        rows = overview_rows(session, made, NOW)
    first_papa, second_papa = made[0].id, made[7].id
    assert [(row.collaboration.name, row.health) for row in rows] == [
        ("Zulu", Health.CONFLICT),
        ("Yankee", Health.NO_NEXT_MEETING),
        ("victor", Health.AT_RISK),  # before Whiskey: the name's case does not count
        ("Whiskey", Health.AT_RISK),
        ("Sierra", Health.FORCED),
        ("Romeo", Health.ATTENTION),
        ("Papa", Health.ON_TRACK),
        ("Papa", Health.ON_TRACK),
    ]
    assert [row.collaboration.id for row in rows[-2:]] == [first_papa, second_papa]
    ranks = [URGENCY[row.health] for row in rows]
    assert ranks == sorted(ranks)


# --- 5. Filling in a gap -------------------------------------------------------------------------


def test_a_fill_in_lands_inside_the_gap_and_the_row_is_on_track_again(
    app: Flask, session: Session, demo: None
) -> None:
    cancel(session, WOERDEN, date(2027, 3, 2))
    woerden = row_of(rows_for(app, session), WOERDEN)
    proposal = woerden.fill_in
    assert proposal is not None and woerden.health is Health.AT_RISK
    # The day the cancelled meeting was on is still the best: 4,7 and 4,3 weeks either side.
    assert proposal.day == date(2027, 3, 2)
    collab = woerden.collaboration
    zone = zone_of(collab)
    at = proposal.starts_at.astimezone(zone).time()
    assert at == time(15, 30)

    with app.test_request_context():
        result = plan_fill_in(session, collab, proposal.day, at, NOW)
        session.commit()
        text = filled_in_text(result, zone, "nl")
    assert result.meeting.day == proposal.day and result.meeting.status is MeetingStatus.CONFIRMED
    assert result.effect.status is DriftStatus.ON_TRACK
    assert result.effect.largest_days == 33  # 21 Jan – 2 Mar without the spring holiday week
    assert text == "Ingepland op di 2 mrt 2027 om 15:30; het gat is nu 4,7 weken."

    woerden = row_of(rows_for(app, session), WOERDEN)
    assert (woerden.health, woerden.worst_gap, woerden.long_gaps) == (Health.ON_TRACK, None, 0)
    assert woerden.target is None and woerden.fill_in is None and not woerden.forced
    assert view_of(app, woerden).forced_text is None


def test_a_proposed_fill_in_never_lies_inside_the_minimum_notice(
    app: Flask, session: Session, demo: None
) -> None:
    # Eindhoven (Mon/Wed) loses its only meeting; seen on Tue 1 Sep, five school days of
    # notice end on Tue 8 Sep, so Mon 7 Sep is too soon and Wed 9 Sep the first day it may take.
    cancel(session, EINDHOVEN, date(2026, 9, 16))
    eindhoven = rows_for(app, session)[0]
    assert eindhoven.collaboration.id == EINDHOVEN
    assert eindhoven.health is Health.NO_NEXT_MEETING and eindhoven.next_meeting is None
    assert eindhoven.fill_in is not None and eindhoven.fill_in.day == date(2026, 9, 9)

    collab = eindhoven.collaboration
    meetings_before = count_rows(app, Meeting)
    with app.test_request_context(), pytest.raises(ShortNotice):
        plan_fill_in(session, collab, date(2026, 9, 7), time(14, 0), NOW)
    session.rollback()
    assert count_rows(app, Meeting) == meetings_before

    with app.test_request_context():
        result = plan_fill_in(session, collab, date(2026, 9, 9), time(14, 0), NOW)
        session.commit()
        text = filled_in_text(result, zone_of(collab), "nl")
    assert result.meeting.day == date(2026, 9, 9)
    # The collaboration's first meeting: there is no gap yet to speak of.
    assert text == "Ingepland op wo 9 sep 2026 om 14:00."
    eindhoven = row_of(rows_for(app, session), EINDHOVEN)
    assert eindhoven.health is Health.ON_TRACK
    assert eindhoven.next_meeting is not None and eindhoven.next_meeting.day == date(2026, 9, 9)


def test_a_gap_the_notice_keeps_long_is_forced_after_the_fill_in_not_at_risk(
    app: Flask, session: Session, demo: None
) -> None:
    # Seen on Sat 21 Nov: Noord-Holland–Brabant last met on 9 Sep, next on 26 Jan.
    noord = row_of(rows_for(app, session, NOV_21), NOORD)
    assert noord.health is Health.AT_RISK and noord.drift.status is DriftStatus.AT_RISK
    assert noord.fill_in is not None and noord.fill_in.day == date(2026, 12, 1)

    with app.test_request_context():
        result = plan_fill_in(session, noord.collaboration, date(2026, 12, 1), time(19, 0), NOV_21)
        session.commit()
        text = filled_in_text(result, zone_of(noord.collaboration), "nl")
    # 9 Sep – 1 Dec is 83 days; no earlier day is possible with five school days of notice.
    assert text == (
        "Ingepland op di 1 dec 2026 om 19:00; het gat is nu 11,9 weken. "
        "Korter kan niet: er is geen eerdere datum vrij."
    )

    noord = row_of(rows_for(app, session, NOV_21), NOORD)
    assert noord.health is Health.FORCED and noord.forced
    assert noord.fill_in is None and noord.fill_in_searched
    assert noord.target == Gap(date(2026, 9, 9), date(2026, 12, 1), 83, 27)
    view = view_of(app, noord)
    assert view.word == "lang gat, kan niet korter"
    assert view.forced_text == (
        "Vóór het overleg van di 1 dec 2026 is geen eerdere datum mogelijk: het gat is 11,9 weken,"
        " zo kort als de kalender toelaat."
    )


def test_a_summer_holiday_that_forces_a_long_gap_later_says_so_and_is_not_at_risk(
    app: Flask, session: Session
) -> None:
    # Every 3 weeks, at most 4 apart. Noord's summer holiday 2027 runs 10 Jul – 22 Aug, Zuid's
    # 24 Jul – 5 Sep: every Tue and Thu from 8 Jul to 7 Sep is a holiday at one school or both,
    # and only the weeks they share are left out: 61 days, 33 counted, above 28.
    schools = two_schools(session)
    summer = collaboration(
        session,
        schools,
        "Zomer",
        date(2027, 6, 10),
        date(2027, 6, 24),
        date(2027, 7, 8),
        date(2027, 9, 7),
        target_weeks=3,
        max_gap_weeks=4,
    )
    seen = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    with app.test_request_context():
        (row,) = overview_rows(session, [summer], seen)
        view = row_view(row, "nl")
    assert row.drift.status is DriftStatus.ON_TRACK
    assert row.worst_gap == Gap(date(2027, 7, 8), date(2027, 9, 7), 33, 5)
    assert row.long_gaps == 1 and row.target == row.worst_gap
    assert row.health is Health.FORCED and row.forced and row.fill_in is None
    assert view.worst_text == "Later: 4,7 weken, do 8 jul 2027 – di 7 sep 2027"
    assert view.forced_text == (
        "Vóór het overleg van di 7 sep 2027 is geen eerdere datum mogelijk: het gat is 4,7 weken,"
        " zo kort als de kalender toelaat."
    )
    # A day in the holiday cannot be forced in either.
    with app.test_request_context(), pytest.raises(ValidationError):
        plan_fill_in(session, summer, date(2027, 7, 15), time(15, 30), seen)
    session.rollback()
    assert planned_days(session, summer.id)[-2:] == [date(2027, 7, 8), date(2027, 9, 7)]


def test_a_fill_in_that_leaves_a_gap_another_date_can_shorten_does_not_say_it_cannot(
    app: Flask, session: Session, demo: None
) -> None:
    # Seen on 1 Sep, Noord-Holland–Brabant's 17,9 weeks from 9 Sep to 26 Jan need two fill-ins.
    noord = row_of(rows_for(app, session), NOORD)
    assert noord.fill_in is not None and noord.fill_in.day == date(2026, 11, 10)
    with app.test_request_context():
        result = plan_fill_in(session, noord.collaboration, date(2026, 11, 10), time(19, 0), NOW)
        session.commit()
        text = filled_in_text(result, zone_of(noord.collaboration), "nl")
    noord = row_of(rows_for(app, session), NOORD)
    # The row proposes another date for the 9 weeks left (10 Nov – 26 Jan) ...
    assert noord.health is Health.AT_RISK and noord.fill_in is not None
    assert date(2026, 11, 10) < noord.fill_in.day < date(2027, 1, 26)
    # ... so the message must not claim that the gap cannot be shorter.
    assert text.startswith("Ingepland op di 10 nov 2026 om 19:00; het gat is nu 9 weken.")
    assert "Korter kan niet" not in text
    assert text.endswith(
        "Dat is nog langer dan het maximum: het overzicht stelt een volgende datum voor."
    )


# --- 6. The API and the CLI ----------------------------------------------------------------------


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def test_the_api_and_the_cli_give_the_services_rows_with_the_same_weeks(
    app: Flask, client: FlaskClient, cli: CLI, session: Session, demo: None
) -> None:
    cancel(session, WOERDEN, date(2027, 3, 2))
    session.expire_all()
    with app.test_request_context():
        rows = overview_rows(session, collaborations.list_collaborations(session), NOW)
        expected = _as_json([dashboard_row_json(row, "nl") for row in rows])

    api = client.get("/api/v1/dashboard")
    assert api.status_code == 200
    assert api.get_json() == expected
    assert json.loads(cli.ok("dashboard", "--json")) == expected

    assert [item["collaboration"]["id"] for item in expected] == [NOORD, WOERDEN, EINDHOVEN]
    assert [item["health"] for item in expected] == ["at_risk", "at_risk", "on_track"]
    noord, woerden = expected[0], expected[1]
    assert noord["worst_gap"] == {
        "first_day": "2026-09-09", "last_day": "2027-01-26", "counted_days": 125, "weeks": 17.9,
        "excess_days": 69,
    }  # fmt: skip
    assert woerden["worst_gap"]["counted_days"] == 63 and woerden["worst_gap"]["weeks"] == 9
    for item in expected:
        gap = item["worst_gap"]
        if gap is not None:
            # The number and the words agree: one decimal, a Dutch comma, never rounded up.
            words = format_weeks(gap["counted_days"], "nl")
            assert item["worst_gap_text"].startswith(f"Later: {words}, ")
            assert words.split()[0] == f"{gap['weeks']:g}".replace(".", ",")
    assert noord["worst_gap_text"] == "Later: 17,9 weken, wo 9 sep 2026 – di 26 jan 2027"
    assert woerden["worst_gap_text"] == "Later: 9 weken, do 21 jan 2027 – do 1 apr 2027"

    # The text of the CLI says the same, in the same order.
    text = cli.ok("dashboard")
    heads = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert heads == [
        f"{NOORD}  Onderwijs-zorgarrangement Noord-Holland–Brabant  [focus in gevaar]",
        f"{WOERDEN}  Startersbegeleiding Woerden  [focus in gevaar]",
        f"{EINDHOVEN}  Doorlopende leerlijn techniek Eindhoven  [op koers]",
    ]
    assert "Later: 17,9 weken, wo 9 sep 2026 – di 26 jan 2027" in text
    assert "Later: 9 weken, do 21 jan 2027 – do 1 apr 2027" in text

    # One person's collaborations, or only some.
    def ids(items: list[dict[str, Any]]) -> list[int]:
        return [item["collaboration"]["id"] for item in items]

    assert ids(client.get(f"/api/v1/dashboard?person={MARLOES}").get_json()) == [NOORD]
    assert ids(json.loads(cli.ok("dashboard", "--person", MARLOES, "--json"))) == [NOORD]
    some = client.get(f"/api/v1/dashboard?collab={EINDHOVEN}&collab={WOERDEN}").get_json()
    assert ids(some) == [WOERDEN, EINDHOVEN]
    assert some == [item for item in expected if item["collaboration"]["id"] != NOORD]
    assert ids(json.loads(cli.ok("dashboard", "--collab", "2", "--collab", "1", "--json"))) == [
        WOERDEN,
        EINDHOVEN,
    ]


def test_a_fill_in_through_the_api_and_the_cli_says_what_it_did(
    app: Flask, client: FlaskClient, cli: CLI, session: Session, demo: None
) -> None:
    cancel(session, WOERDEN, date(2027, 3, 2))
    response = client.post(
        f"/api/v1/collaborations/{WOERDEN}/fill-in", json={"day": "2027-03-02", "time": "15:30"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["message"] == (
        "Ingepland op di 2 mrt 2027 om 15:30; het gat is nu 4,7 weken."
    )
    woerden = client.get(f"/api/v1/dashboard?collab={WOERDEN}").get_json()[0]
    assert (woerden["health"], woerden["worst_gap"], woerden["fill_in"]) == ("on_track", None, None)

    # Seen on 21 Nov, the CLI fills Noord-Holland–Brabant's gap as far as the notice allows.
    app.config["FROZEN_NOW"] = "2026-11-21T09:00:00Z"
    said = cli.ok("fill-in", "--collab", str(NOORD), "--day", "2026-12-01", "--time", "19:00")
    assert said.strip() == (
        "Ingepland op di 1 dec 2026 om 19:00; het gat is nu 11,9 weken. "
        "Korter kan niet: er is geen eerdere datum vrij."
    )
    (noord,) = json.loads(cli.ok("dashboard", "--collab", str(NOORD), "--json"))
    assert noord["health"] == "long_gap_forced" and noord["fill_in"] is None
    assert noord["cannot_be_shorter"].startswith("Vóór het overleg van di 1 dec 2026")
    assert "[lang gat, kan niet korter]" in cli.ok("dashboard", "--collab", str(NOORD))
    # The same date again: refused, nothing planned twice.
    again = cli("fill-in", "--collab", str(NOORD), "--day", "2026-12-01", "--time", "19:00")
    assert again.exit_code != 0
    assert "di 1 dec 2026 ligt niet meer tussen het vorige en het volgende overleg" in again.output
    noord_collab = session.get(Collaboration, NOORD)
    assert noord_collab is not None
    with pytest.raises(ConflictError), app.test_request_context():
        plan_fill_in(session, noord_collab, date(2026, 12, 1), time(19, 0), NOV_21)
    session.rollback()
    assert planned_days(session, NOORD).count(date(2026, 12, 1)) == 1
