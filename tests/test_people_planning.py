"""The people in the plan: their own busy time (free/busy) and a poll's answers weigh on the
days and start times the planner proposes; essential people make it hard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import PollChoice
from planner.domain.people_costs import (
    ABSENT_COST,
    DayPeople,
    Participant,
    choose_start,
    local_span,
    school_groups,
    split_at_midnights,
)
from planner.errors import ValidationError
from planner.models import Collaboration, CollaborationPerson, Person, PersonBusy, PersonCalendar
from planner.services import collaborations, organisations, planning
from tests.factories import log_in_as, page_text
from tests.helpers import CLI

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMS).astimezone(UTC)


# --- The domain rule ------------------------------------------------------------------------


ANNA = Participant(1, "Anna", 10)
BRAM = Participant(2, "Bram", 10)
CHRIS = Participant(3, "Chris", 20)
DAY = date(2026, 10, 6)
HOUR = timedelta(hours=1)
# Busy time in a day as wall-clock minutes after midnight: 12:00-14:30 is (720, 870).


def starts(day: date = DAY) -> list[datetime]:
    return [at(day, 13) + timedelta(minutes=15 * n) for n in range(13)]  # 13:00 .. 16:00


def test_the_first_start_nobody_is_busy_at_is_chosen() -> None:
    people = DayPeople((ANNA, BRAM), {1: [(720, 870)]})
    choice = choose_start(starts(), HOUR, people)
    assert choice.start == at(DAY, 14, 30)
    assert (choice.cost, choice.absent) == (0, ())


def test_when_someone_misses_it_anyway_the_fewest_miss_it() -> None:
    busy = {1: [(720, 1080)], 2: [(780, 900)]}
    choice = choose_start(starts(), HOUR, DayPeople((ANNA, BRAM, CHRIS), busy))
    assert choice.start == at(DAY, 15)
    assert choice.absent == (ANNA,)
    assert choice.cost == ABSENT_COST


def test_an_essential_person_busy_at_every_start_blocks_the_day() -> None:
    essential = Participant(1, "Anna", 10, essential=True)
    people = DayPeople((essential, BRAM), {1: [(720, 1080)]})
    choice = choose_start(starts(), HOUR, people)
    assert choice.start is None
    assert choice.blocking == (essential,)


def test_an_essential_person_saying_no_blocks_the_day_even_with_a_free_calendar() -> None:
    essential = Participant(1, "Anna", 10, essential=True)
    people = DayPeople((essential, BRAM), {}, {1: PollChoice.NO})
    assert choose_start(starts(), HOUR, people).blocking == (essential,)


def test_an_answer_speaks_for_the_day_instead_of_the_calendar() -> None:
    busy = {1: [(720, 1080)]}
    people = DayPeople((ANNA, BRAM), busy, {1: PollChoice.YES, 2: PollChoice.MAYBE})
    choice = choose_start(starts(), HOUR, people)
    assert choice.start == at(DAY, 13)
    assert choice.absent == ()
    assert choice.maybe == (BRAM,)


def test_in_a_poll_kan_beats_no_answer_and_no_answer_beats_liever_niet() -> None:
    def cost(answers: dict[int, PollChoice]) -> int:
        return choose_start(starts(), HOUR, DayPeople((ANNA, BRAM), {}, answers)).cost

    assert cost({1: PollChoice.YES, 2: PollChoice.YES}) == 0
    assert cost({1: PollChoice.YES}) < cost({1: PollChoice.YES, 2: PollChoice.MAYBE})
    assert cost({}) < cost({1: PollChoice.MAYBE, 2: PollChoice.MAYBE})
    assert cost({1: PollChoice.MAYBE, 2: PollChoice.MAYBE}) < cost({1: PollChoice.NO})
    # Outside a poll nobody's silence costs anything.
    assert choose_start(starts(), HOUR, DayPeople((ANNA, BRAM))).cost == 0


def test_a_school_nobody_of_which_can_come_weighs_more_than_one_absent_person() -> None:
    schools = school_groups((ANNA, BRAM, CHRIS), {10: "Minnaert", 20: "Cals"})
    # At 13:00 Chris (the only one from Cals) is busy; at 15:00 both Anna and Bram (Minnaert).
    busy = {
        3: [(780, 840)],
        1: [(840, 1080)],
        2: [(840, 1080)],
    }
    people = DayPeople((ANNA, BRAM, CHRIS), busy, schools=schools)
    choice = choose_start(starts(), HOUR, people)
    # 14:00 loses Anna, Bram and Minnaert; 13:00 loses Chris and Cals: cheaper.
    assert choice.start == at(DAY, 13)
    assert choice.unrepresented == ("Cals",)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 10, 25), 25), (date(2027, 3, 28), 23)],
    ids=["autumn DST Sunday", "spring DST Sunday"],
)
def test_busy_time_is_cut_at_local_midnights_on_both_dst_sundays(day: date, hours: int) -> None:
    start = at(day - timedelta(days=1), 20)
    end = at(day + timedelta(days=1), 9)
    pieces = split_at_midnights([(start, end)])
    assert [local_span(*piece)[0] for piece in pieces] == [
        day - timedelta(days=1),
        day,
        day + timedelta(days=1),
    ]
    # The whole Sunday is one piece of 23 or 25 hours, from minute 0 to 1440.
    assert pieces[1][1] - pieces[1][0] == timedelta(hours=hours)
    assert local_span(*pieces[1])[1:] == (0, 1440)
    assert pieces[1][0] == datetime.combine(day, time(), tzinfo=AMS).astimezone(UTC)
    assert pieces[1][1] == datetime.combine(day + timedelta(days=1), time(), tzinfo=AMS).astimezone(
        UTC
    )
    assert pieces[0][0] == start and pieces[-1][1] == end


def test_overlapping_busy_time_is_merged() -> None:
    pieces = split_at_midnights(
        [(at(DAY, 14), at(DAY, 15)), (at(DAY, 13), at(DAY, 14, 30)), (at(DAY, 16), at(DAY, 17))]
    )
    assert pieces == [(at(DAY, 13), at(DAY, 15)), (at(DAY, 16), at(DAY, 17))]


# --- Through the planning service -----------------------------------------------------------


def make_collab(session: Session, weekdays: str = "di,do", **template: str) -> Collaboration:
    ids = [
        organisations.create_organisation(
            session,
            {"name": name, "brin": brin, "region": "midden", "sector": "vo", "city": "Utrecht"},
            NOW,
        ).id
        for name, brin in (("Minnaert", "10AA"), ("Cals", "20BB"))
    ]
    collab = collaborations.create_collaboration(
        session,
        {
            "name": "Samen plannen",
            "members": ids,
            "coordinators": ["Co Ordinator <co@example.org>"],
            "participants": [
                "Anna Partner <anna@partner.example>",
                "Bram Minnaert <bram@minnaert.example>",
                "Chris Cals <chris@cals.example>",
            ],
            "weekdays": weekdays,
            "target_weeks": 1,
            "max_gap_weeks": 2,
            **template,
        },
        NOW,
    )
    session.flush()
    for email, org in (("bram@minnaert.example", ids[0]), ("chris@cals.example", ids[1])):
        person(session, email).organisation_id = org
    session.commit()
    return collab


def person(session: Session, email: str) -> Person:
    found = session.scalar(select(Person).where(Person.email == email))
    assert found is not None
    return found


def give_busy(session: Session, email: str, spans: Iterable[tuple[datetime, datetime]]) -> None:
    who = person(session, email)
    calendar = PersonCalendar(
        person_id=who.id,
        url=f"https://calendar.example/{who.id}.ics",
        next_run_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(calendar)
    session.flush()
    for start, end in split_at_midnights(spans):
        session.add(
            PersonBusy(
                person_calendar_id=calendar.id, person_id=who.id, starts_at=start, ends_at=end
            )
        )
    session.commit()


def weekdays_between(first: date, last: date, weekday: int) -> list[date]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=7)
    return days


FIRST = date(2026, 9, 7)
LAST = date(2026, 10, 9)


def preview(session: Session, collab: Collaboration, **kwargs: object) -> planning.PlanPreview:
    return planning.preview_plan(session, collab, NOW, first=FIRST, last=LAST, **kwargs)  # type: ignore[arg-type]


def test_the_plan_avoids_a_partners_busy_afternoons(session: Session) -> None:
    collab = make_collab(session, start_time="13:00", latest_start="15:00")
    before = [item.day.weekday() for item in preview(session, collab).new_meetings]
    assert 1 in before  # Tuesdays are as good as Thursdays while nobody is busy
    # Anna is busy every Tuesday afternoon, and on Thursday mornings.
    tuesdays = weekdays_between(FIRST, LAST, 1)
    thursdays = weekdays_between(FIRST, LAST, 3)
    give_busy(
        session,
        "anna@partner.example",
        [(at(day, 12), at(day, 17, 30)) for day in tuesdays]
        + [(at(day, 9), at(day, 12)) for day in thursdays],
    )
    plan = preview(session, collab)
    assert [item.day.weekday() for item in plan.new_meetings] == [3] * len(plan.new_meetings)
    assert all(item.starts_at.astimezone(AMS).hour == 13 for item in plan.new_meetings)
    # Why not the Tuesday before: Anna is busy then (by name; never what she does).
    reasons = {
        (obstacle.label, obstacle.who)
        for item in plan.new_meetings
        for rejected in item.explanation.rejected
        for obstacle in rejected.obstacles
    }
    assert ("Bezet volgens eigen agenda", "Anna Partner") in reasons


def test_the_start_moves_to_when_she_is_free(session: Session) -> None:
    collab = make_collab(session, weekdays="do", start_time="13:00", latest_start="16:00")
    thursdays = weekdays_between(FIRST, LAST, 3)
    give_busy(
        session, "anna@partner.example", [(at(day, 12), at(day, 14, 45)) for day in thursdays]
    )
    plan = preview(session, collab)
    assert {item.starts_at.astimezone(AMS).time() for item in plan.new_meetings} == {time(14, 45)}


def test_an_essential_partner_makes_her_busy_time_hard(session: Session) -> None:
    collab = make_collab(session, weekdays="do", start_time="13:00", latest_start="13:00")
    busy_day = date(2026, 9, 17)
    give_busy(session, "anna@partner.example", [(at(busy_day, 12), at(busy_day, 17))])
    # Not essential: a coordinator may still choose the day (she would miss it).
    chosen = preview(session, collab, days=[busy_day])
    assert [item.day for item in chosen.new_meetings] == [busy_day]
    link = session.scalar(
        select(CollaborationPerson).where(
            CollaborationPerson.person_id == person(session, "anna@partner.example").id
        )
    )
    assert link is not None
    link.essential = True
    session.commit()
    days = [item.day for item in preview(session, collab).new_meetings]
    assert busy_day not in days
    with pytest.raises(ValidationError) as refused:
        preview(session, collab, days=[busy_day])
    assert "Anna Partner" in str(refused.value.params)


def test_poll_answers_move_a_date_to_where_people_can(session: Session) -> None:
    collab = make_collab(session, weekdays="di,do", start_time="15:00")
    plain = [item.day for item in preview(session, collab).new_meetings]
    proposed = plain[1]
    alternative = proposed + timedelta(days=2 if proposed.weekday() == 1 else -2)
    people = [
        person(session, email).id
        for email in (
            "anna@partner.example",
            "bram@minnaert.example",
            "chris@cals.example",
            "co@example.org",
        )
    ]
    answers = {day: {pid: PollChoice.YES for pid in people} for day in plain}
    answers[proposed] = {pid: PollChoice.NO for pid in people[:3]}
    answers[alternative] = {pid: PollChoice.YES for pid in people}
    planning_preview = preview(session, collab, answers=answers)
    replanned = [item.day for item in planning_preview.new_meetings]
    assert proposed not in replanned
    assert alternative in replanned
    # The days asked about and answered "kan" are kept; the one they cannot is explained.
    assert replanned == sorted({*plain, alternative} - {proposed})
    reasons = {
        (rejected.day, obstacle.label)
        for item in planning_preview.new_meetings
        for rejected in item.explanation.rejected
        for obstacle in rejected.obstacles
    }
    assert (proposed, "Kan niet (peiling)") in reasons


def test_page_api_and_cli_say_who_would_miss_a_proposed_meeting(
    app: Flask, session: Session, client: FlaskClient, cli: CLI
) -> None:
    app.config["FROZEN_NOW"] = NOW.isoformat()
    collab = make_collab(session, weekdays="do", start_time="13:00", latest_start="13:00")
    thursdays = weekdays_between(FIRST, LAST, 3)
    give_busy(session, "anna@partner.example", [(at(day, 12), at(day, 17)) for day in thursdays])
    query = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
    data = client.get(f"/api/v1/collaborations/{collab.id}/plan", query_string=query).get_json()
    first = data["meetings"][0]
    assert first["missing"] == [
        {
            "label": "Bezet volgens eigen agenda",
            "who": "Anna Partner",
            "hard": False,
            "first_day": first["day"],
            "last_day": first["day"],
            "kind": "person_busy",
        }
    ]
    assert "Wie er niet bij kan: Bezet volgens eigen agenda — Anna Partner." in first["explanation"]
    output = cli.ok(
        "plan", "--collab", str(collab.id), "--from", FIRST.isoformat(), "--to", LAST.isoformat()
    )
    assert "Wie er niet bij kan: Bezet volgens eigen agenda — Anna Partner." in output


def test_the_plan_page_says_who_would_miss_a_meeting(
    app: Flask, session: Session, browser: FlaskClient
) -> None:
    app.config["FROZEN_NOW"] = NOW.isoformat()
    collab = make_collab(session, weekdays="do", start_time="13:00", latest_start="13:00")
    thursdays = weekdays_between(FIRST, LAST, 3)
    give_busy(session, "anna@partner.example", [(at(day, 12), at(day, 17)) for day in thursdays])
    coordinator = person(session, "co@example.org")
    coordinator.password_hash = "-"  # an account (the login itself has its own tests)
    session.commit()
    log_in_as(browser, session, coordinator.email)
    page = browser.get(
        f"/collaborations/{collab.id}/plan",
        query_string={"scope": "period", "first": FIRST.isoformat(), "last": LAST.isoformat()},
    )
    assert page.status_code == 200
    assert "Wie er niet bij kan: Bezet volgens eigen agenda — Anna Partner." in page_text(page)


def test_a_late_meeting_weighs_busy_time_after_midnight(session: Session) -> None:
    # 23:00 to 01:00: an essential person busy from midnight cannot make it.
    collab = make_collab(
        session, weekdays="do", start_time="23:00", latest_start="23:00", duration_minutes="120"
    )
    day = date(2026, 9, 17)
    after = day + timedelta(days=1)
    give_busy(session, "anna@partner.example", [(at(after, 0), at(after, 1))])
    chosen = preview(session, collab, days=[day])
    assert [item.missing[0].who for item in chosen.new_meetings] == ["Anna Partner"]
    link = session.scalar(
        select(CollaborationPerson).where(
            CollaborationPerson.person_id == person(session, "anna@partner.example").id
        )
    )
    assert link is not None
    link.essential = True
    session.commit()
    assert day not in [item.day for item in preview(session, collab).new_meetings]
    with pytest.raises(ValidationError):
        preview(session, collab, days=[day])
