"""Series polls: from a proposed plan, everyone of the collaboration gets one mail with a link to
mark the dates; one reminder to those who have not answered; the coordinator sees the tally per
date beside the re-plan and confirms it (invitations as always); late answers are shown, never
applied. Through the service, the pages, the JSON API and the CLI, with a real SMTP server."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import MeetingStatus, PollChoice
from planner.errors import ConflictError
from planner.messaging.worker import Worker
from planner.models import (
    Collaboration,
    Meeting,
    Person,
    Poll,
    PollAnswer,
    PollDate,
    PollStatus,
)
from planner.services import collaborations, meetings, people, planning, polls
from planner.services import organisations as orgs
from tests.factories import Doors, api_message, page_text, table_digest
from tests.smtp_sink import (
    Received,
    SmtpSink,
    smtp_fixture,  # noqa: F401 (the `smtp` fixture)
)
from tests.web import csrf_token, login, make_account

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
CARLA = "co@school.example"  # coordinates, starts the polls
DIRK = "dirk@school.example"  # the other coordinator (English)
ESRA = "esra@partner.example"  # participant of Noord College
TOM = "tom@partner.example"  # participant of Zuid College (English)
ASKED = (DIRK, ESRA, TOM)
ASKING = "Which dates suit you for %(name)s?"
REMINDING = "Reminder: which dates suit you for %(name)s?"
ANSWERS_IN = "The answers for %(name)s are in"


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen(app: Flask) -> None:
    """Every front door and the worker see 1 Sep 2026 08:00 UTC (tests move it on)."""
    app.config["FROZEN_NOW"] = NOW.isoformat()


@pytest.fixture
def collab(session: Session) -> Collaboration:
    """Noord College and Zuid College, Tuesday or Thursday 15:30–17:00, every 4 weeks: two
    coordinators and a participant of each school; nothing planned; committed."""
    a = orgs.create_organisation(
        session, {"name": "Noord College", "brin": "01AA", "region": "noord"}, NOW
    )
    b = orgs.create_organisation(
        session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, NOW
    )
    found = collaborations.create_collaboration(
        session,
        {
            "name": "Leerlijn techniek",
            "members": [a.id, b.id],
            "coordinators": [f"Carla Coördinator <{CARLA}>", f"Dirk Tweede <{DIRK}>"],
            "participants": [f"Esra Yilmaz <{ESRA}>", f"Tom Bakker <{TOM}>"],
            "weekdays": "di,do",
            "start_time": "15:30",
            "duration_minutes": 90,
            "target_weeks": 4,
            "max_gap_weeks": 6,
        },
        NOW,
    )
    for email, org, language in (
        (CARLA, a, "nl"),
        (DIRK, a, "en"),
        (ESRA, a, "nl"),
        (TOM, b, "en"),
    ):
        person = people.find_person(session, email)
        person.organisation_id = org.id
        person.language = language
    session.commit()
    return found


def _person(session: Session, email: str) -> Person:
    return people.find_person(session, email)


def _start(session: Session, collab: Collaboration, **options: Any) -> Poll:
    """A poll on the plan for October to mid-December 2026, started by Carla; committed."""
    options.setdefault("first", date(2026, 10, 1))
    options.setdefault("last", date(2026, 12, 18))
    poll = polls.start_poll(session, collab, NOW, by=_person(session, CARLA), **options)
    session.commit()
    return poll


def _run_worker(app: Flask) -> None:
    Worker(app, "tests").run_once()


def _mails(app: Flask, smtp: SmtpSink, email: str, subject: str = ASKING) -> list[Received]:
    """The poll mails of one kind to this person (either language), oldest first; the worker's
    daily round sends other notices too."""
    wanted = {
        _said(app, subject, name="Leerlijn techniek"),
        subject % {"name": "Leerlijn techniek"},
    }
    return [message for message in smtp.to(email) if message.subject in wanted]


def _links(smtp: SmtpSink, email: str) -> list[str]:
    """The answer-link paths in the mails to this person, oldest first."""
    found = []
    for message in smtp.to(email):
        found += re.findall(r"/poll/[A-Za-z0-9_\-]+", message.text())
    return found


def _secret(smtp: SmtpSink, email: str) -> str:
    return _links(smtp, email)[-1].removeprefix("/poll/")


def _said(app: Flask, message: str, **params: Any) -> str:
    """A service message as the Dutch interface says it."""
    with app.test_request_context(), force_locale("nl"):
        return str(gettext(message, **params))


def _dates(session: Session, poll: Poll) -> list[PollDate]:
    session.expire_all()
    return list(session.scalars(select(PollDate).where(PollDate.poll_id == poll.id)))


def _proposed(session: Session, poll: Poll) -> list[date]:
    return sorted(item.day for item in _dates(session, poll) if item.proposed)


def _slot_days(session: Session, poll: Poll, slot: int) -> tuple[date, list[date]]:
    """The proposed date of a meeting slot and its alternatives."""
    rows = [item for item in _dates(session, poll) if item.slot == slot]
    return (
        next(item.day for item in rows if item.proposed),
        sorted(item.day for item in rows if not item.proposed),
    )


def _answer(client: FlaskClient, secret: str, marks: dict[date, str]) -> Any:
    """Post the answer page's form (no CSRF token: the secret authorises it)."""
    data = {f"d-{day.isoformat()}": choice for day, choice in marks.items()}
    return client.post(f"/poll/{secret}", data=data)


def _coordinator(browser: FlaskClient, session: Session) -> Person:
    person = make_account(session, CARLA)
    login(browser, person)
    return person


# --- starting: dates, deadline, one mail per person ----------------------------------------------


def test_a_poll_offers_the_proposed_dates_with_their_nearest_alternatives(
    session: Session, collab: Collaboration
) -> None:
    poll = _start(session, collab)
    dates = _dates(session, poll)
    proposed = [item for item in dates if item.proposed]
    assert len(proposed) == poll.count >= 2
    for slot in range(poll.count):
        day, others = _slot_days(session, poll, slot)
        assert 1 <= len(others) <= polls.ALTERNATIVES_PER_DATE
        assert day not in others
    assert len({item.day for item in dates}) == len(dates)  # no date twice
    for item in dates:
        assert item.day.weekday() in (1, 3)  # Tuesday or Thursday
        assert item.starts_at.astimezone(polls.zone_of(collab)).strftime("%H:%M") == "15:30"
    # The deadline: a week from today, well before the first date's minimum notice.
    assert polls.deadline_day(poll) == date(2026, 9, 8)
    assert poll.reminder_at == poll.deadline_at - timedelta(days=2)
    # Carla started it: the other coordinator and both participants are asked.
    asked = sorted(invitee.person.email for invitee in poll.invitees)
    assert asked == sorted(ASKED)


def test_everyone_but_the_starter_gets_one_mail_in_her_language(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    _run_worker(app)  # a second round sends nothing again
    assert _mails(app, smtp, CARLA) == []
    for email in ASKED:
        assert len(_mails(app, smtp, email)) == 1, email
        assert len(_links(smtp, email)) == 1
    (esra,) = _mails(app, smtp, ESRA)
    assert esra.subject == _said(app, ASKING, name="Leerlijn techniek")
    (tom,) = _mails(app, smtp, TOM)
    assert tom.subject == "Which dates suit you for Leerlijn techniek?"
    # The mail lists every date of the poll, in the reader's language, with the deadline.
    first = _proposed(session, poll)[0]
    assert f"{first.day} okt 2026 15:30–17:00" in esra.text()
    assert "8 sep 2026" in esra.text()
    assert "Sep 2026" in tom.text()
    assert esra.message.get_body(preferencelist=("html",)) is not None
    # Each link opens that person's own page.
    page = app.test_client().get(_links(smtp, ESRA)[0])
    assert page.status_code == 200
    assert "Esra Yilmaz" in page_text(page)


# --- answering -----------------------------------------------------------------------------------


def test_the_answer_page_changes_nothing_on_get_and_records_on_post(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    secret = _secret(smtp, ESRA)
    client = app.test_client()
    before = table_digest(app)
    page = client.get(f"/poll/{secret}?answer=no")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert table_digest(app) == before  # GET never changes anything (link scanners)
    text = page_text(page)
    for number in range(1, poll.count + 1):
        assert _said(app, "Meeting %(num)s", num=number) in text
    html = page.get_data(as_text=True)
    assert html.count('type="radio"') == 3 * len(_dates(session, poll))
    first, others = _slot_days(session, poll, 0)
    done = _answer(client, secret, {first: "no", others[0]: "yes"})
    assert done.status_code == 200
    assert _said(
        app, "Thank you: your answers are saved. You can change them until the plan is confirmed."
    ) in page_text(done)
    # The page shows her answers as chosen.
    html = client.get(f"/poll/{secret}").get_data(as_text=True)
    assert re.search(rf'name="d-{first.isoformat()}" value="no" checked', html)
    assert re.search(rf'name="d-{others[0].isoformat()}" value="yes" checked', html)
    counted = polls.tally(session, poll)
    row = next(item for item in counted.dates if item.date.day == first)
    assert [person.email for person in row.no] == [ESRA]
    assert sorted(person.email for person in row.pending) == sorted([DIRK, TOM])
    assert counted.answered == 1


def test_answers_come_in_any_order_and_can_change(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    client = app.test_client()
    last_day, _ = _slot_days(session, poll, poll.count - 1)
    first_day, _ = _slot_days(session, poll, 0)
    # Tom answers the last meeting first, then Esra the first, then Tom the first too.
    assert _answer(client, _secret(smtp, TOM), {last_day: "maybe"}).status_code == 200
    assert _answer(client, _secret(smtp, ESRA), {first_day: "yes"}).status_code == 200
    assert _answer(client, _secret(smtp, TOM), {first_day: "no"}).status_code == 200
    # Esra changes her mind: the new answer replaces the old one (one row per date).
    assert _answer(client, _secret(smtp, ESRA), {first_day: "maybe"}).status_code == 200
    session.expire_all()
    assert polls.answer_map(session, poll)[first_day] == {
        _person(session, ESRA).id: PollChoice.MAYBE,
        _person(session, TOM).id: PollChoice.NO,
    }
    assert polls.answer_map(session, poll)[last_day] == {_person(session, TOM).id: PollChoice.MAYBE}
    rows = session.scalars(select(PollAnswer)).all()
    assert len(rows) == 3
    counted = polls.tally(session, poll)
    first_row = next(item for item in counted.dates if item.date.day == first_day)
    # Esra (Noord, rather not) comes; Tom (Zuid) cannot: Zuid College is not represented.
    assert [org.name for org in first_row.schools] == ["Noord College"]
    assert [org.name for org in first_row.missing_schools] == ["Zuid College"]


def test_the_reminder_goes_once_and_only_to_those_who_have_not_answered(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    first_day, _ = _slot_days(session, poll, 0)
    _answer(app.test_client(), _secret(smtp, ESRA), {first_day: "yes"})
    assert poll.reminder_at is not None
    _run_worker(app)  # not due yet
    assert all(_mails(app, smtp, email, REMINDING) == [] for email in ASKED)
    app.config["FROZEN_NOW"] = (poll.reminder_at + timedelta(minutes=1)).isoformat()
    _run_worker(app)
    _run_worker(app)
    assert _mails(app, smtp, ESRA, REMINDING) == []  # she answered
    assert _mails(app, smtp, CARLA, REMINDING) == []  # she asked
    for email in (DIRK, TOM):
        assert len(_mails(app, smtp, email, REMINDING)) == 1, email
    # The reminder's link works too (a new secret), and opens the same answers.
    reminder_link = _links(smtp, TOM)[-1]
    assert reminder_link != _links(smtp, TOM)[0]
    assert app.test_client().get(reminder_link).status_code == 200
    app.config["FROZEN_NOW"] = (poll.reminder_at + timedelta(hours=20)).isoformat()
    _run_worker(app)
    assert len(_mails(app, smtp, TOM, REMINDING)) == 1  # still once


def test_the_coordinators_hear_once_that_the_deadline_passed(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    _answer(app.test_client(), _secret(smtp, TOM), {_slot_days(session, poll, 0)[0]: "yes"})
    app.config["FROZEN_NOW"] = (poll.deadline_at + timedelta(minutes=5)).isoformat()
    _run_worker(app)
    _run_worker(app)
    for email in (CARLA, DIRK):
        (notice,) = _mails(app, smtp, email, ANSWERS_IN)
        assert f"/collaborations/{collab.id}/polls/{poll.id}" in notice.text()
    (carla,) = _mails(app, smtp, CARLA, ANSWERS_IN)
    assert "1" in carla.text() and "3" in carla.text()
    assert _mails(app, smtp, ESRA, ANSWERS_IN) == []
    # Past the deadline answers still count until the coordinator confirms.
    done = _answer(app.test_client(), _secret(smtp, ESRA), {_slot_days(session, poll, 0)[0]: "no"})
    assert done.status_code == 200
    session.expire_all()
    assert polls.tally(session, poll).answered == 2


# --- the re-plan and the confirmation ------------------------------------------------------------


def test_the_replan_moves_away_from_a_date_the_participants_cannot(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    client = app.test_client()
    first, others = _slot_days(session, poll, 0)
    before = polls.replan(session, poll, NOW)
    assert first in [item.day for item in before.new_meetings]
    for email in ASKED:
        marks = {first: "no", others[0]: "yes"}
        for slot in range(1, poll.count):
            marks[_slot_days(session, poll, slot)[0]] = "yes"
        assert _answer(client, _secret(smtp, email), marks).status_code == 200
    session.expire_all()
    after = [item.day for item in polls.replan(session, poll, NOW).new_meetings]
    assert first not in after
    assert others[0] in after
    assert len(after) == poll.count


def test_confirming_stores_the_replan_sends_invitations_and_keeps_late_answers_apart(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    client = app.test_client()
    first, others = _slot_days(session, poll, 0)
    for email in ASKED:
        _answer(client, _secret(smtp, email), {first: "no", others[0]: "yes"})
    session.expire_all()
    shown = [item.day for item in polls.replan(session, poll, NOW).new_meetings]
    made = polls.confirm_poll(session, poll, NOW, seen=shown)
    session.commit()
    assert sorted(meeting.day for meeting in made) == shown
    assert all(meeting.status is MeetingStatus.CONFIRMED for meeting in made)
    assert poll.status is PollStatus.CONFIRMED and poll.plan_key == made[0].plan_key
    esra = _secret(smtp, ESRA)
    smtp.clear()
    _run_worker(app)
    # The invitations go out as for every plan: an iTIP REQUEST per meeting to each invitee.
    for email in (DIRK, ESRA, TOM):
        requests = [
            m
            for m in smtp.to(email)
            if m.message.get_content_type() and "REQUEST" in m.raw.decode()
        ]
        assert len(requests) >= len(made), email
    # Esra answers again after the confirmation: kept as late, shown, not applied.
    late = _answer(client, esra, {others[0]: "no"})
    assert late.status_code == 200
    assert _said(
        app,
        "Thank you: your answer was passed on to the coordinator (after the confirmation, so the"
        " plan stays as it is).",
    ) in page_text(late)
    session.expire_all()
    counted = polls.tally(session, poll)
    assert [(item.person.email, item.day, item.choice) for item in counted.late] == [
        (ESRA, others[0], PollChoice.NO)
    ]
    row = next(item for item in counted.dates if item.date.day == others[0])
    assert ESRA in [person.email for person in row.yes]  # her counted answer is unchanged
    days = session.scalars(select(Meeting.day).where(Meeting.collaboration_id == collab.id))
    assert sorted(days) == shown


# --- the coordinator's pages ---------------------------------------------------------------------


def _wizard_form(app: Flask, session: Session, collab: Collaboration) -> dict[str, Any]:
    """What the plan preview's form sends with "Ask the participants first"."""
    preview = polls.planning.preview_plan(
        session, collab, NOW, first=date(2026, 10, 1), last=date(2026, 12, 18)
    )
    return {
        "scope": "period",
        "first": "2026-10-01",
        "last": "2026-12-18",
        "day": [item.day.isoformat() for item in preview.new_meetings],
        "action": "poll",
    }


def test_the_coordinator_starts_a_poll_from_the_preview_and_confirms_the_replan(
    app: Flask, browser: FlaskClient, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    _coordinator(browser, session)
    wizard = browser.get(
        f"/collaborations/{collab.id}/plan?scope=period&first=2026-10-01&last=2026-12-18"
    )
    assert f'formaction="/collaborations/{collab.id}/polls"' in wizard.get_data(as_text=True)
    assert _said(app, "Ask the participants first") in page_text(wizard)
    form = _wizard_form(app, session, collab)
    started = browser.post(
        f"/collaborations/{collab.id}/polls", data={"csrf_token": csrf_token(browser), **form}
    )
    assert started.status_code == 303
    poll = session.scalars(select(Poll)).one()
    assert started.headers["Location"].endswith(f"/collaborations/{collab.id}/polls/{poll.id}")
    assert _proposed(session, poll) == sorted(date.fromisoformat(day) for day in form["day"])
    assert polls.deadline_day(poll) == date(2026, 9, 8)  # a week, as nothing else was asked
    # While it is open, the preview links to it instead of offering another one.
    again = browser.get(
        f"/collaborations/{collab.id}/plan?scope=period&first=2026-10-01&last=2026-12-18"
    ).get_data(as_text=True)
    assert f'href="/collaborations/{collab.id}/polls/{poll.id}"' in again
    assert f'formaction="/collaborations/{collab.id}/polls"' not in again
    _run_worker(app)
    first, others = _slot_days(session, poll, 0)
    for email in ASKED:
        _answer(app.test_client(), _secret(smtp, email), {first: "no", others[0]: "yes"})
    page = browser.get(f"/collaborations/{collab.id}/polls/{poll.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = page_text(page)
    assert "3 van 3" in text or "3 of 3" in text
    row = re.search(
        rf'<tr class="proposed[^"]*" data-day="{first.isoformat()}">(.*?)</tr>', html, re.S
    )
    assert row is not None
    counts = re.findall(r'<td class="n[^"]*">(\d+)</td>', row[1])
    assert counts == ["0", "0", "3", "0"]  # kan, liever niet, kan niet, nog niet
    alt = re.search(
        rf'<tr class="other chosen" data-day="{others[0].isoformat()}">(.*?)</tr>', html, re.S
    )
    assert alt is not None, "the alternative everyone can is the one the re-plan takes"
    assert "Noord College, Zuid College" in alt[1]
    days = re.findall(r'<input type="hidden" name="day" value="([\d-]+)">', html)
    assert others[0].isoformat() in days and first.isoformat() not in days
    # Confirming what she saw stores the meetings and closes the poll.
    confirmed = browser.post(
        f"/collaborations/{collab.id}/polls/{poll.id}/confirm",
        data={"csrf_token": csrf_token(browser), "day": days},
    )
    assert confirmed.status_code == 303
    session.expire_all()
    assert session.get(Poll, poll.id).status is PollStatus.CONFIRMED  # type: ignore[union-attr]
    stored = session.scalars(select(Meeting.day).where(Meeting.collaboration_id == collab.id))
    assert sorted(stored) == sorted(date.fromisoformat(day) for day in days)
    closed = browser.get(f"/collaborations/{collab.id}/polls/{poll.id}")
    assert 'data-status="confirmed"' in closed.get_data(as_text=True)


def test_the_coordinator_may_choose_the_deadline_on_the_preview(
    app: Flask, browser: FlaskClient, session: Session, collab: Collaboration
) -> None:
    _coordinator(browser, session)
    form = _wizard_form(app, session, collab) | {"poll_deadline": "2026-09-04"}
    started = browser.post(
        f"/collaborations/{collab.id}/polls", data={"csrf_token": csrf_token(browser), **form}
    )
    assert started.status_code == 303
    poll = session.scalars(select(Poll)).one()
    assert polls.deadline_day(poll) == date(2026, 9, 4)
    # The reminder two days before the deadline's end.
    assert poll.reminder_at == datetime(2026, 9, 2, 22, 0, tzinfo=UTC)


def test_a_person_who_left_the_collaboration_can_no_longer_answer(
    app: Flask, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    secret = _secret(smtp, TOM)
    tom = _person(session, TOM)
    collab.people = [link for link in collab.people if link.person_id != tom.id]
    session.commit()
    assert app.test_client().get(f"/poll/{secret}").status_code == 404
    refused = _answer(app.test_client(), secret, {_proposed(session, poll)[0]: "yes"})
    assert refused.status_code == 404
    assert session.scalars(select(PollAnswer)).all() == []


def test_a_replan_that_changed_since_the_coordinator_looked_is_not_confirmed(
    app: Flask, browser: FlaskClient, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    _coordinator(browser, session)
    poll = _start(session, collab)
    _run_worker(app)
    seen = [day.isoformat() for day in _proposed(session, poll)]
    first, others = _slot_days(session, poll, 0)
    for email in ASKED:  # the answers arrive after she loaded the page
        _answer(app.test_client(), _secret(smtp, email), {first: "no", others[0]: "yes"})
    before = table_digest(app)
    refused = browser.post(
        f"/collaborations/{collab.id}/polls/{poll.id}/confirm",
        data={"csrf_token": csrf_token(browser), "day": seen},
    )
    assert refused.status_code == 409
    assert _said(
        app, "New answers changed the re-plan since you looked at it: check it, then confirm."
    ) in page_text(refused)
    assert table_digest(app) == before


def test_the_coordinator_cancels_a_poll_and_its_links_say_so(
    app: Flask, browser: FlaskClient, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    _coordinator(browser, session)
    poll = _start(session, collab)
    _run_worker(app)
    done = browser.post(
        f"/collaborations/{collab.id}/polls/{poll.id}/cancel",
        data={"csrf_token": csrf_token(browser)},
    )
    assert done.status_code == 303
    page = app.test_client().get(f"/poll/{_secret(smtp, ESRA)}")
    assert _said(
        app, "The coordinator cancelled this poll: no answer is needed any more."
    ) in page_text(page)
    assert 'type="radio"' not in page.get_data(as_text=True)
    refused = _answer(app.test_client(), _secret(smtp, ESRA), {_proposed(session, poll)[0]: "yes"})
    assert refused.status_code == 409
    assert session.scalars(select(PollAnswer)).all() == []
    # Cancelled, a new poll for the same school year may start.
    assert _start(session, collab).status is PollStatus.OPEN


def test_a_poll_of_another_collaboration_is_not_found(
    app: Flask, browser: FlaskClient, session: Session, collab: Collaboration
) -> None:
    poll = _start(session, collab)
    stranger = make_account(session, "someone@else.example")
    login(browser, stranger)
    assert browser.get(f"/collaborations/{collab.id}/polls/{poll.id}").status_code == 404
    _coordinator(browser, session)
    assert browser.get(f"/collaborations/{collab.id}/polls/{poll.id + 1}").status_code == 404


# --- the JSON API and the CLI --------------------------------------------------------------------


def test_the_api_runs_a_poll_from_start_to_confirmed_plan(
    app: Flask, doors: Doors, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    started = doors.call(
        "POST",
        f"/api/v1/collaborations/{collab.id}/polls",
        json={"first_day": "2026-10-01", "last_day": "2026-12-18", "deadline": "2026-09-10"},
    )
    assert started.status_code == 201, started.get_json()
    data = started.get_json()
    assert data["status"] == "open" and data["deadline"] == "2026-09-10"
    assert data["school_year"] == "2026-2027"
    assert data["asked"] == 3 and data["answered"] == 0  # the organizer (Carla) is not asked
    assert {row["meeting"] for row in data["dates"]} == set(range(1, data["count"] + 1))
    assert data["replan"]["new_meetings"] == data["count"]
    poll_id = data["id"]
    assert started.headers["Location"].endswith(f"/api/v1/polls/{poll_id}")
    _run_worker(app)
    first = next(row["day"] for row in data["dates"] if row["meeting"] == 1 and row["proposed"])
    other = next(row["day"] for row in data["dates"] if row["meeting"] == 1 and not row["proposed"])
    for email in ASKED:
        answered = doors.call(
            "POST",
            f"/api/v1/poll-answers/{_secret(smtp, email)}",
            json={"answers": {first: "kan niet", other: "kan"}},
        )
        assert answered.status_code == 200, answered.get_json()
        assert answered.get_json()["late"] is False
    status = doors.call("GET", f"/api/v1/polls/{poll_id}").get_json()
    row = next(item for item in status["dates"] if item["day"] == first)
    assert (len(row["yes"]), len(row["no"]), len(row["pending"])) == (0, 3, 0)
    replanned = [item["day"] for item in status["replan"]["meetings"] if not item["fixed"]]
    assert first not in replanned and other in replanned
    listed = doors.call("GET", f"/api/v1/collaborations/{collab.id}/polls").get_json()
    assert [item["id"] for item in listed] == [poll_id]
    confirmed = doors.call("POST", f"/api/v1/polls/{poll_id}/confirm", json={"days": replanned})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "confirmed"
    assert len(confirmed.get_json()["meeting_ids"]) == len(replanned)
    late = doors.call(
        "POST", f"/api/v1/poll-answers/{_secret(smtp, TOM)}", json={"answers": {other: "no"}}
    )
    assert late.get_json()["late"] is True
    after = doors.call("GET", f"/api/v1/polls/{poll_id}").get_json()
    assert [
        (item["person"]["name"], item["day"], item["choice"]) for item in after["late_answers"]
    ] == [("Tom Bakker", other, "no")]
    assert after["replan"] is None


def test_the_cli_starts_shows_confirms_and_cancels_polls(
    app: Flask, doors: Doors, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    started = doors.run(
        "poll",
        "start",
        "--collab",
        str(collab.id),
        "--school-year",
        "2026-2027",
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-18",
        "--json",
    )
    assert started.exit_code == 0, started.output
    data = json.loads(started.output)
    poll_id = str(data["id"])
    status = doors.run("poll", "status", "--poll", poll_id, "--json")
    assert json.loads(status.output)["id"] == data["id"]
    text = doors.run("poll", "status", "--collab", str(collab.id))
    assert text.exit_code == 0, text.output
    assert "Leerlijn techniek" in text.output and "2026-2027" in text.output
    confirmed = doors.run("poll", "confirm", "--poll", poll_id)
    assert confirmed.exit_code == 0, confirmed.output
    session.expire_all()
    assert session.get(Poll, data["id"]).status is PollStatus.CONFIRMED  # type: ignore[union-attr]
    assert len(session.scalars(select(Meeting)).all()) == data["count"]
    again = doors.run(
        "poll", "start", "--collab", str(collab.id), "--from", "2027-01-05", "--to", "2027-03-31"
    )
    assert again.exit_code == 0, again.output
    second = session.scalars(select(Poll).where(Poll.status == PollStatus.OPEN)).one()
    cancelled = doors.run("poll", "cancel", "--poll", str(second.id))
    assert cancelled.exit_code == 0, cancelled.output
    session.expire_all()
    assert session.get(Poll, second.id).status is PollStatus.CANCELLED  # type: ignore[union-attr]


# --- refusals: the same words at every door, nothing changed -------------------------------------


def _refused_alike(app: Flask, responses: list[Any], cli: Any, words: str) -> None:
    for response in responses:
        assert 400 <= response.status_code < 500, response.status_code
        shown = api_message(response) if response.is_json else page_text(response)
        assert words in shown, shown[:500]
    if cli is not None:
        assert cli.exit_code == 1, cli.output
        assert words in cli.output, cli.output


def test_one_open_poll_per_collaboration_and_school_year(
    app: Flask, doors: Doors, session: Session, collab: Collaboration
) -> None:
    _start(session, collab)
    _coordinator(doors.browser, session)
    before = table_digest(app)
    words = _said(
        app,
        "%(name)s already has an open poll for school year %(year)s: confirm or cancel it first.",
        name="Leerlijn techniek",
        year="2026-2027",
    )
    web = doors.page(f"/collaborations/{collab.id}/polls", _wizard_form(app, session, collab))
    assert web.status_code == 303  # back to the preview, with the reason
    shown = doors.browser.get(web.headers["Location"])
    assert words in page_text(shown)
    api = doors.call(
        "POST", f"/api/v1/collaborations/{collab.id}/polls", json={"first_day": "2026-10-01"}
    )
    cli = doors.run("poll", "start", "--collab", str(collab.id), "--from", "2026-10-01")
    _refused_alike(app, [api], cli, words)
    assert table_digest(app) == before


def test_a_deadline_too_late_for_the_minimum_notice_is_refused(
    app: Flask, doors: Doors, session: Session, collab: Collaboration
) -> None:
    before = table_digest(app)
    api = doors.call(
        "POST",
        f"/api/v1/collaborations/{collab.id}/polls",
        json={"first_day": "2026-10-01", "last_day": "2026-12-18", "deadline": "2026-12-01"},
    )
    assert api.status_code == 400
    message = api_message(api)
    cli = doors.run(
        "poll",
        "start",
        "--collab",
        str(collab.id),
        "--from",
        "2026-10-01",
        "--to",
        "2026-12-18",
        "--deadline",
        "2026-12-01",
    )
    assert cli.exit_code == 1 and message in cli.output, cli.output
    past = doors.call(
        "POST",
        f"/api/v1/collaborations/{collab.id}/polls",
        json={"first_day": "2026-10-01", "deadline": "2026-08-01"},
    )
    assert past.status_code == 400
    assert table_digest(app) == before


def test_bad_answers_are_refused_and_change_nothing(
    app: Flask, doors: Doors, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    poll = _start(session, collab)
    _run_worker(app)
    secret = _secret(smtp, ESRA)
    first = _proposed(session, poll)[0]
    client = app.test_client()
    before = table_digest(app)
    # A date that is not in the poll.
    words = _said(app, "%(day)s is not one of the dates of this poll.", day="za 3 okt 2026")
    _refused_alike(
        app,
        [
            _answer(client, secret, {first: "yes", date(2026, 10, 3): "yes"}),
            doors.call(
                "POST",
                f"/api/v1/poll-answers/{secret}",
                json={"answers": {first.isoformat(): "yes", "2026-10-03": "yes"}},
            ),
        ],
        None,
        words,
    )
    # A choice that is none of the three.
    words = _said(
        app,
        "'%(value)s' is not an answer: choose kan (yes), liever niet (maybe) or kan niet (no).",
        value="perhaps",
    )
    _refused_alike(
        app,
        [
            _answer(client, secret, {first: "perhaps"}),
            doors.call(
                "POST",
                f"/api/v1/poll-answers/{secret}",
                json={"answers": {first.isoformat(): "perhaps"}},
            ),
        ],
        None,
        words,
    )
    # Nothing marked.
    _refused_alike(app, [_answer(client, secret, {})], None, _said(app, "Mark at least one date."))
    # A forged or mistyped secret.
    words = _said(
        app,
        "This poll link is not valid. It may be incomplete or mistyped: ask the coordinator of"
        " the collaboration for a new one.",
    )
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    _refused_alike(
        app,
        [
            client.get(f"/poll/{forged}"),
            _answer(client, forged, {first: "yes"}),
            doors.call(
                "POST",
                f"/api/v1/poll-answers/{forged}",
                json={"answers": {first.isoformat(): "yes"}},
            ),
        ],
        None,
        words,
    )
    assert client.get(f"/poll/{forged}").status_code == 404
    assert table_digest(app) == before


def test_closed_and_unknown_polls_are_refused_at_every_door(
    app: Flask, doors: Doors, session: Session, collab: Collaboration
) -> None:
    poll = _start(session, collab)
    assert doors.run("poll", "confirm", "--poll", str(poll.id)).exit_code == 0
    _coordinator(doors.browser, session)
    before = table_digest(app)
    words = _said(app, "This poll is confirmed already: its meetings are planned.")
    _refused_alike(
        app,
        [
            doors.page(f"/collaborations/{collab.id}/polls/{poll.id}/confirm", {"day": []}),
            doors.page(f"/collaborations/{collab.id}/polls/{poll.id}/cancel", {}),
            doors.call("POST", f"/api/v1/polls/{poll.id}/confirm"),
            doors.call("POST", f"/api/v1/polls/{poll.id}/cancel"),
        ],
        doors.run("poll", "cancel", "--poll", str(poll.id)),
        words,
    )
    words = _said(app, "There is no poll %(ref)s.", ref="999")
    _refused_alike(
        app,
        [doors.call("GET", "/api/v1/polls/999"), doors.call("POST", "/api/v1/polls/999/confirm")],
        doors.run("poll", "status", "--poll", "999"),
        words,
    )
    assert doors.run("poll", "confirm", "--poll", "999").exit_code == 1
    assert table_digest(app) == before


GARBAGE = ["", " ", "x", "-1", "0", "2026-02-30", "9" * 30, "<script>", "\u00b2", "2026-13-01"]


def test_garbage_in_the_poll_forms_never_breaks_a_page(
    app: Flask, browser: FlaskClient, session: Session, collab: Collaboration, smtp: SmtpSink
) -> None:
    _coordinator(browser, session)
    poll = _start(session, collab)
    _run_worker(app)
    secret = _secret(smtp, ESRA)
    first = _proposed(session, poll)[0].isoformat()
    fields = ["scope", "school_year", "first", "last", "day", "poll_deadline", f"d-{first}"]
    urls = [
        f"/collaborations/{collab.id}/polls",
        f"/collaborations/{collab.id}/polls/{poll.id}/confirm",
        f"/poll/{secret}",
    ]
    for url in urls:
        for value in GARBAGE:
            data = {"csrf_token": csrf_token(browser), **dict.fromkeys(fields, value)}
            data[f"d-{value}"] = "yes"
            response = browser.post(url, data=data)
            assert response.status_code < 500, (url, value, response.status_code)
    session.expire_all()
    assert session.get(Poll, poll.id).status is PollStatus.OPEN  # type: ignore[union-attr]
    assert session.scalars(select(PollAnswer)).all() == []


# --- one series, whatever the order of the confirmations --------------------------------------


def _meetings(session: Session, collab: Collaboration) -> list[Meeting]:
    session.expire_all()
    return list(session.scalars(select(Meeting).where(Meeting.collaboration_id == collab.id)))


def test_while_a_poll_is_open_its_dates_are_not_confirmed_around_it_at_any_door(
    doors: Doors, session: Session, collab: Collaboration
) -> None:
    poll = _start(session, collab)
    words = "A poll asks the participants about these dates"
    direct = planning.preview_plan(session, collab, NOW, first=poll.first_day, last=poll.last_day)
    with pytest.raises(ConflictError, match=words):
        planning.confirm_plan(session, direct, NOW)
    session.rollback()
    login(doors.browser, make_account(session, CARLA))
    new_days = [d.day.isoformat() for d in poll.dates if d.proposed]
    web = doors.page(
        f"/collaborations/{collab.id}/plan",
        {
            "scope": "period",
            "first": poll.first_day.isoformat(),
            "last": poll.last_day.isoformat(),
            "action": "confirm",
            "day": new_days,
        },
    )
    api = doors.call(
        "POST",
        f"/api/v1/collaborations/{collab.id}/plan",
        json={"from": poll.first_day.isoformat(), "to": poll.last_day.isoformat()},
    )
    assert api.status_code == 409 and web.status_code == 409
    cli = doors.run(
        "plan",
        "--collab",
        str(collab.id),
        "--from",
        poll.first_day.isoformat(),
        "--to",
        poll.last_day.isoformat(),
        "--confirm",
    )
    assert cli.exit_code != 0
    dutch = (
        "Een peiling vraagt de deelnemers naar deze data: bevestig de planning vanuit de peiling"
    )
    assert dutch in api_message(api) and dutch in cli.output and dutch in page_text(web)
    assert _meetings(session, collab) == []
    # Confirming the poll itself plans the series, once.
    made = polls.confirm_poll(session, poll, NOW)
    session.commit()
    assert len(_meetings(session, collab)) == len(made) == poll.count


def test_a_poll_whose_period_got_a_meeting_meanwhile_is_not_confirmed_on_top(
    session: Session, collab: Collaboration
) -> None:
    # A meeting of January, planned before the poll...
    january = planning.preview_plan(
        session, collab, NOW, first=date(2027, 1, 11), last=date(2027, 1, 29), count=1
    )
    [meeting] = planning.confirm_plan(session, january, NOW)
    session.commit()
    poll = _start(session, collab)
    # ...is moved into the poll's period while it is open: the poll's dates no longer fit.
    later = NOW + timedelta(hours=1)
    day = next(d.day for d in poll.dates if not d.proposed)
    meetings.move_meeting(session, meeting, day, later)
    session.commit()
    with pytest.raises(ConflictError, match="moved into these dates since the poll started"):
        polls.confirm_poll(session, poll, later)
    session.rollback()
    assert len(_meetings(session, collab)) == 1
    session.refresh(poll)
    assert poll.status is PollStatus.OPEN  # still open: cancel it, or plan again


def test_two_confirmations_of_one_poll_plan_one_series(
    app: Flask, session: Session, collab: Collaboration
) -> None:
    poll = _start(session, collab)
    with app.extensions["planner.db"].session() as other:
        stale = other.get(Poll, poll.id)  # a second tab loaded the poll: still open
        assert stale is not None and stale.status is PollStatus.OPEN
        other.rollback()  # its request ended; the next one starts afresh
        polls.confirm_poll(session, poll, NOW)
        session.commit()
        with pytest.raises(ConflictError, match="confirmed already"):
            polls.confirm_poll(other, stale, NOW)
        other.rollback()
    assert len(_meetings(session, collab)) == poll.count
