"""Minimum notice (issue 14): the planner never proposes a day inside a collaboration's notice
window, and a day inside it that a coordinator picks on purpose is refused alike at every front
door unless she confirms it; the meeting is then stored as short-notice and its invitation says
so in the subject and the first line.

The proposals are checked on Noord College (noord) and Zuid College (zuid), meeting on any
weekday, at moments around a weekend, the Christmas holiday and both DST Sundays. The earliest
day they may take is counted here from the shared holiday data and the public holidays, not by
the planner's own function. The front doors and the mails use the demo, seen on Tue 1 Sep 2026
10:00 in Amsterdam: five school days of notice end on Tue 8 Sep.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import MailKind
from planner.messaging.jobs import top_up
from planner.messaging.worker import Worker
from planner.models import Collaboration, Mail, Meeting
from planner.services import busy_periods, collaborations
from tests.conftest import REPO_ROOT
from tests.factories import (
    ANOUK,
    EINDHOVEN,
    NOORD,
    WOERDEN,
    Doors,
    api_message,
    confirm_days,
    noord_zuid_collaboration,
    page_text,
    table_digest,
    woerden_form,
)
from tests.helpers import CLI
from tests.smtp_sink import (
    Received,
    SmtpSink,
    smtp_fixture,  # noqa: F401 (the `smtp` fixture)
)
from tests.web import login, make_account

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ONE_DAY = timedelta(days=1)
# Noord-Zuid is made well before any moment below, so what it plans there is not short notice.
MADE = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)
EVERY_WEEKDAY = "ma,di,wo,do,vr"
# The public holidays on weekdays from autumn 2026 to spring 2027 (schools are closed; the
# school holidays come from the shared data).
PUBLIC_HOLIDAYS = frozenset(
    {date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 29), date(2027, 4, 27)}
)
# Who the demo's short-notice mails go to: Woerden's participant, Noord's second coordinator.
ESRA = "e.yilmaz@groenendaal.example"
SANNE = "s.visser@jeugdhulpdebrug.example"

SHORT_SUBJECT = "Op korte termijn: "
SHORT_LINE = "Dit is op korte termijn: uw agenda kan al vol zijn."


def _refused_alike(web: Any, api: Any, cli: Any, words: str) -> None:
    """The page, the API and the command each refused with `words` (in Dutch)."""
    assert 400 <= web.status_code < 500, web.status_code
    assert words in page_text(web), page_text(web)[:800]
    assert 400 <= api.status_code < 500, api.status_code
    assert words in api_message(api), api_message(api)
    assert cli.exit_code == 1, cli.output
    assert words in cli.output, cli.output


# --- counting school days here, from the shared data --------------------------------------------


@pytest.fixture(scope="module")
def holiday_data() -> Any:
    """The verified school holidays (../shared/data/nl-schoolvakanties.json), as the package
    ships them: read as plain JSON here, not through the planner's own calendar code, so the
    test counts school days on its own (tests/calendar_nl checks the copy against the source)."""
    path = REPO_ROOT / "planner" / "calendar_nl" / "data" / "nl-schoolvakanties.json"
    return json.loads(path.read_text("utf-8"))


def _days(first: date, last: date) -> Iterator[date]:
    while first <= last:
        yield first
        first += ONE_DAY


def _holidays(shared_holidays: Any, regions: tuple[str, ...]) -> frozenset[date]:
    """Every day of a school holiday of any of these regions, by the shared data."""
    days: set[date] = set()
    for holidays in shared_holidays["school_years"].values():
        for holiday in holidays.values():
            for region in regions:
                span = holiday["regions"][region]
                first, last = (
                    date.fromisoformat(span["first_day"]),
                    date.fromisoformat(span["last_day"]),
                )
                days.update(_days(first, last))
    return frozenset(days)


def _school_days_after(today: date, closed: frozenset[date]) -> Iterator[date]:
    """The school days after today: weekdays no member is closed on."""
    day = today
    while True:
        day += ONE_DAY
        if day.weekday() < 5 and day not in closed and day not in PUBLIC_HOLIDAYS:
            yield day


def _nth_school_day(today: date, n: int, closed: frozenset[date]) -> date:
    days = _school_days_after(today, closed)
    for _ in range(n - 1):
        next(days)
    return next(days)


@pytest.fixture
def noord_zuid_closed(holiday_data: Any) -> frozenset[date]:
    return _holidays(holiday_data, ("noord", "zuid"))


def _noord_zuid(session: Session, **changes: Any) -> Collaboration:
    """Noord-Zuid on every weekday at 15:30 (with these changes), nothing planned; committed."""
    collab = noord_zuid_collaboration(session, MADE)
    collaborations.update_collaboration(
        session, collab, {"weekdays": EVERY_WEEKDAY, **changes}, MADE
    )
    session.commit()
    return collab


def _freeze(app: Flask, moment: str) -> datetime:
    app.config["FROZEN_NOW"] = moment
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _start(value: str) -> datetime:
    """A start as the JSON gives it (local time with its offset)."""
    return datetime.fromisoformat(value)


# --- 1. proposals stay out of the notice --------------------------------------------------------

# Frozen moments (UTC), named by what they are in Amsterdam.
MOMENTS = [
    pytest.param("2026-12-02T14:00:00Z", id="wednesday-afternoon"),
    pytest.param("2026-11-30T23:30:00Z", id="tuesday-00:30-still-monday-in-utc"),
    pytest.param("2026-12-04T19:00:00Z", id="friday-evening"),
    pytest.param("2026-12-05T10:00:00Z", id="saturday"),
    pytest.param("2026-12-18T15:00:00Z", id="friday-before-christmas"),
    pytest.param("2026-10-24T10:00:00Z", id="saturday-before-autumn-dst-in-zuid-holiday"),
    pytest.param("2027-03-27T11:00:00Z", id="saturday-before-spring-dst-and-easter-monday"),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_no_proposal_falls_inside_the_notice(
    app: Flask,
    session: Session,
    cli: CLI,
    client: FlaskClient,
    noord_zuid_closed: frozenset[date],
    moment: str,
) -> None:
    """The series plan (CLI and API alike), the dashboard's fill-in date and the other days
    offered for a meeting all lie on or after the fifth school day after today."""
    collab = _noord_zuid(session)
    now = _freeze(app, moment)
    today = now.astimezone(AMSTERDAM).date()
    earliest = _nth_school_day(today, 5, noord_zuid_closed)

    plan = json.loads(cli.ok("plan", "--collab", str(collab.id), "--json"))
    assert client.get(f"/api/v1/collaborations/{collab.id}/plan").get_json() == plan
    assert plan["earliest_day"] == earliest.isoformat()
    assert plan["short_notice_days"] == []
    days = [date.fromisoformat(item["day"]) for item in plan["meetings"]]
    assert days and min(days) >= earliest, (earliest, days)
    assert not any(item["short_notice"] for item in plan["meetings"])
    # On both sides of a DST Sunday the meetings start at 15:30 on the wall clock.
    assert {item["start"][11:16] for item in plan["meetings"]} == {"15:30"}

    # Nothing is planned: the fill-in date is the first day the notice allows.
    (row,) = client.get(f"/api/v1/dashboard?collab={collab.id}").get_json()
    assert row["fill_in"]["day"] == earliest.isoformat(), row
    (drift,) = json.loads(cli.ok("drift", "--collab", str(collab.id), "--json"))
    assert drift["fill_in"]["day"] == earliest.isoformat()

    # A meeting booked on purpose on the first school day: the other days offered for it
    # start at the earliest day, nearest first, never inside the notice.
    soon = _nth_school_day(today, 1, noord_zuid_closed)
    (meeting,) = confirm_days(session, collab, now, soon)
    assert meeting.short_notice is True
    url = f"/api/v1/meetings/{meeting.id}/alternatives?limit=10"
    offered = [item["day"] for item in client.get(url).get_json()["alternatives"]]
    from_cli = json.loads(cli.ok("meetings", "alternatives", str(meeting.id), "--json"))
    assert [item["day"] for item in from_cli["alternatives"]][:5] == offered[:5]
    assert offered[0] == earliest.isoformat(), offered
    assert min(offered) == earliest.isoformat()


@pytest.mark.parametrize(
    ("moment", "first"),
    [
        # Wed 2 Dec 14:00 in Amsterdam: today's 15:30 is still ahead.
        pytest.param("2026-12-02T13:00:00Z", date(2026, 12, 2), id="before-the-start-time"),
        # Wed 2 Dec 16:00: today's 15:30 has gone, so the next day.
        pytest.param("2026-12-02T15:00:00Z", date(2026, 12, 3), id="after-the-start-time"),
    ],
)
def test_without_notice_a_proposal_may_be_soon_but_never_before_now(
    app: Flask, session: Session, cli: CLI, client: FlaskClient, moment: str, first: date
) -> None:
    collab = _noord_zuid(session, notice_days=0)
    now = _freeze(app, moment)
    plan = json.loads(cli.ok("plan", "--collab", str(collab.id), "--json"))
    assert plan["earliest_day"] == "2026-12-02"  # no notice: today itself
    assert plan["meetings"][0]["day"] == first.isoformat()
    assert all(_start(item["start"]) > now for item in plan["meetings"])

    (row,) = client.get(f"/api/v1/dashboard?collab={collab.id}").get_json()
    assert row["fill_in"]["day"] == first.isoformat()
    assert row["fill_in"]["time"] == "15:30"

    (meeting,) = confirm_days(session, collab, now, date(2026, 12, 11))
    assert meeting.short_notice is False
    found = client.get(f"/api/v1/meetings/{meeting.id}/alternatives").get_json()["alternatives"]
    assert found[0]["day"] == first.isoformat()
    assert all(_start(item["start"]) > now for item in found)


# --- the other proposals: follow-up, top-up, re-plan after a conflict ---------------------------


def test_the_follow_up_of_a_held_meeting_waits_for_the_notice(
    app: Flask, session: Session, cli: CLI, noord_zuid_closed: frozenset[date]
) -> None:
    """Weekly, with ten school days of notice: held on Wed 2 Dec, the next one is proposed on
    Wed 16 Dec, not on the ideal Wed 9 Dec."""
    collab = _noord_zuid(session, target_weeks=1, max_gap_weeks=2, notice_days=10)
    (held,) = confirm_days(session, collab, MADE, date(2026, 12, 2))
    _freeze(app, "2026-12-02T16:30:00Z")  # 17:30 in Amsterdam, the meeting ended at 17:00
    expected = _nth_school_day(date(2026, 12, 2), 10, noord_zuid_closed)
    assert expected == date(2026, 12, 16)
    (item,) = json.loads(cli.ok("followups", "--json"))
    assert item["meeting"]["id"] == held.id and item["next_planned"] is False
    assert item["proposal"]["day"] == expected.isoformat()


def test_the_top_up_plans_nothing_inside_the_notice(
    app: Flask, session: Session, noord_zuid_closed: frozenset[date]
) -> None:
    """Kept planned four weeks ahead, weekly, ten school days of notice: seen on Wed 2 Dec the
    daily job plans from Wed 16 Dec on (and nothing in the Christmas holiday)."""
    collab = _noord_zuid(session, target_weeks=1, max_gap_weeks=2, notice_days=10)
    collaborations.update_collaboration(session, collab, {"keep_planned_weeks": 4}, MADE)
    confirm_days(session, collab, MADE, date(2026, 11, 25))
    now = _freeze(app, "2026-12-02T14:00:00Z")
    assert top_up(session, now) > 0
    session.commit()
    planned = session.scalars(
        select(Meeting).where(Meeting.collaboration_id == collab.id, Meeting.day > now.date())
    ).all()
    expected = _nth_school_day(date(2026, 12, 2), 10, noord_zuid_closed)
    assert planned and min(m.day for m in planned) == expected, [m.day for m in planned]
    assert not any(m.short_notice for m in planned)
    assert not any(m.day in noord_zuid_closed for m in planned)


def test_a_meeting_hit_by_a_new_study_day_is_proposed_a_day_beyond_the_notice(
    app: Flask, session: Session, cli: CLI, noord_zuid_closed: frozenset[date]
) -> None:
    """Seen on the Friday before Christmas, a study day on Fri 15 Jan hits a meeting: the day
    proposed for it is Fri 8 Jan (the fifth school day after the holiday), not Mon 4 Jan."""
    collab = _noord_zuid(session)
    confirm_days(session, collab, MADE, date(2027, 1, 15))
    now = _freeze(app, "2026-12-18T15:00:00Z")
    busy_periods.create_busy_period(
        session, {"organisation": "02AA", "kind": "study_day", "first_day": "2027-01-15"}, now
    )
    session.commit()
    found = json.loads(cli.ok("conflicts", "--json"))["conflicts"]
    assert [item["meeting"]["day"] for item in found] == ["2027-01-15"]
    expected = _nth_school_day(date(2026, 12, 18), 5, noord_zuid_closed)
    assert found[0]["meeting"]["conflict"]["proposed_day"] == expected.isoformat() == "2027-01-08"


@pytest.mark.parametrize(
    "where",
    [
        "plan-wizard-alternatives",
        "dashboard-fill-in-of-a-later-gap",
        "conflict-proposal-weeks-ahead",
    ],
)
def test_a_holiday_before_the_searched_days_still_stretches_the_notice(
    app: Flask,
    session: Session,
    cli: CLI,
    client: FlaskClient,
    browser: FlaskClient,
    noord_zuid_closed: frozenset[date],
    where: str,
) -> None:
    """Seen on Fri 16 Oct 2026, with Zuid College's autumn holiday from 19 to 23 Oct ahead:
    the proposals that search only days after the holiday must still count it out."""
    now = _freeze(app, "2026-10-16T14:00:00Z")
    today = now.astimezone(AMSTERDAM).date()
    fill: dict[str, str] | None = None
    if where == "plan-wizard-alternatives":
        # Tue/Thu, five school days: nothing before Fri 30 Oct; plan from Mon 26 Oct.
        collab = noord_zuid_collaboration(session, MADE)
        earliest = _nth_school_day(today, 5, noord_zuid_closed)
        login(browser, make_account(session, "co@example.org"))
        url = f"/collaborations/{collab.id}/plan?scope=period&first=2026-10-26&last=2027-01-31"
        page = browser.get(url)
        assert page.status_code == 200
        assert "Niet do 29 okt 2026: Minimale aankondigingstermijn" in page_text(page)
        html = page.get_data(as_text=True)
        offered = {date.fromisoformat(value) for value in _radio_values(html, "choice-")}
    else:
        # Every two weeks, at most three apart, four weeks (20 school days) of notice: nothing
        # before Fri 20 Nov.
        collab = _noord_zuid(session, target_weeks=2, max_gap_weeks=3, notice_days=20)
        earliest = _nth_school_day(today, 20, noord_zuid_closed)
        if where == "dashboard-fill-in-of-a-later-gap":
            # On track now (8 Oct – 27 Oct), then five weeks to 1 Dec: a fill-in is proposed.
            confirm_days(session, collab, MADE, date(2026, 10, 8), date(2026, 10, 27))
            confirm_days(session, collab, MADE, date(2026, 12, 1))
            (row,) = client.get(f"/api/v1/dashboard?collab={collab.id}").get_json()
            offered = {date.fromisoformat(row["fill_in"]["day"])}
            fill = {"day": row["fill_in"]["day"], "time": row["fill_in"]["time"]}
        else:
            # A study day hits the meeting of Tue 1 Dec, seven weeks ahead.
            confirm_days(session, collab, MADE, date(2026, 12, 1))
            busy_periods.create_busy_period(
                session,
                {"organisation": "02AA", "kind": "study_day", "first_day": "2026-12-01"},
                now,
            )
            session.commit()
            (found,) = json.loads(cli.ok("conflicts", "--json"))["conflicts"]
            offered = {date.fromisoformat(found["meeting"]["conflict"]["proposed_day"])}
    assert earliest in (date(2026, 10, 30), date(2026, 11, 20))
    assert offered and min(offered) >= earliest, (sorted(offered), earliest)
    if fill is not None:
        # "Plan this" takes the proposal as it is (today it is refused as short notice).
        response = client.post(f"/api/v1/collaborations/{collab.id}/fill-in", json=fill)
        assert response.status_code == 201, api_message(response)


def test_a_long_notice_over_the_summer_holiday_holds_for_a_plan_months_ahead(
    app: Flask, client: FlaskClient, session: Session, holiday_data: Any
) -> None:
    """Sixty school days (the most allowed) seen on Mon 17 May 2027 end on Mon 4 Oct: the
    summer holiday of noord and zuid (10 Jul – 5 Sep) does not count. A plan for the next
    school year says so from 14 Sep, and must from 15 Sep too."""
    collab = _noord_zuid(session, notice_days=60)
    _freeze(app, "2027-05-17T08:00:00Z")
    earliest = _nth_school_day(date(2027, 5, 17), 60, _holidays(holiday_data, ("noord", "zuid")))
    assert earliest == date(2027, 10, 4)
    for first in ("2027-09-14", "2027-09-15"):
        url = f"/api/v1/collaborations/{collab.id}/plan?school_year=2027-2028&from={first}"
        plan = client.get(url).get_json()
        assert plan["earliest_day"] == earliest.isoformat(), (first, plan["earliest_day"])
        assert min(item["day"] for item in plan["meetings"]) >= earliest.isoformat(), first


def _radio_values(html: str, prefix: str) -> list[str]:
    """The values of the radio buttons whose name starts with `prefix`."""
    return re.findall(rf'<input type="radio" name="{prefix}[^"]*" value="([^"]+)"', html)


# --- 3. moving into the notice ------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_a_move_into_the_notice_is_refused_alike_and_done_when_confirmed(
    app: Flask, doors: Doors, session: Session
) -> None:
    """Meeting 2 (Woerden, Tue 29 Sep) to Thu 3 Sep: two school days away, not five."""
    words = (
        "do 3 sep 2026 is over 2 schooldag(en), minder dan de minimale aankondigingstermijn van"
        " 5 schooldagen: de agenda's van partners kunnen al vol zitten. Bevestig dat u op korte"
        " termijn wilt plannen."
    )
    before = table_digest(app)
    doors.log_in(ANOUK)
    web = doors.page("/meetings/2/move", {"choice": "other", "day": "2026-09-03"})
    api = doors.call("POST", "/api/v1/meetings/2/move", json={"day": "2026-09-03"})
    cli = doors.run("meetings", "move", "2", "--to", "2026-09-03")
    _refused_alike(web, api, cli, words)
    assert web.status_code == api.status_code == 409
    # The page asks the question it needs answered.
    assert 'name="short_notice"' in web.get_data(as_text=True)
    assert table_digest(app) == before

    # Confirmed, at each door: Woerden's meeting 2 to Thu 3 Sep on the page, Noord's meeting 13
    # to Wed 2 Sep in the API, Eindhoven's meeting 12 to Mon 7 Sep from the command line.
    web = doors.page(
        "/meetings/2/move", {"choice": "other", "day": "2026-09-03", "short_notice": "y"}
    )
    assert web.status_code == 303, page_text(web)[:600]
    api = doors.call(
        "POST", "/api/v1/meetings/13/move", json={"day": "2026-09-02", "short_notice": True}
    )
    assert api.status_code == 200, api_message(api)
    assert api.get_json()["meeting"]["short_notice"] is True  # API users see the mark too
    cli = doors.run("meetings", "move", "12", "--to", "2026-09-07", "--short-notice")
    assert cli.exit_code == 0, cli.output
    session.expire_all()
    moved = {m.id: (m.day, m.short_notice) for m in session.scalars(select(Meeting))}
    assert moved[2] == (date(2026, 9, 3), True)
    assert moved[13] == (date(2026, 9, 2), True)
    assert moved[12] == (date(2026, 9, 7), True)
    assert not any(short for key, (_, short) in moved.items() if key not in (2, 12, 13))

    # Moved again beyond the notice, it is an ordinary meeting once more.
    doors.run("meetings", "move", "12", "--to", "2026-09-14")
    session.expire_all()
    again = session.get(Meeting, 12)
    assert again is not None and (again.day, again.short_notice) == (date(2026, 9, 14), False)


@pytest.mark.usefixtures("demo")
def test_a_move_just_past_the_notice_needs_no_confirmation(doors: Doors, session: Session) -> None:
    """Tue 8 Sep is the fifth school day after Tue 1 Sep; Thu 3 Sep the second."""
    moved = doors.call("POST", "/api/v1/meetings/2/move", json={"day": "2026-09-08"})
    assert moved.status_code == 200, api_message(moved)
    meeting = session.get(Meeting, 2)
    assert meeting is not None and meeting.short_notice is False
    # A confirmation that is not needed changes nothing about it.
    again = doors.call(
        "POST", "/api/v1/meetings/3/move", json={"day": "2026-09-10", "short_notice": True}
    )
    assert again.status_code == 200, api_message(again)
    session.expire_all()
    assert session.get(Meeting, 3).short_notice is False  # type: ignore[union-attr]


# --- 4. planning a day inside the notice --------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_a_plan_on_a_day_inside_the_notice_is_refused_alike_and_stored_when_confirmed(
    app: Flask, doors: Doors, session: Session
) -> None:
    words = (
        "do 3 sep 2026 is over 2 schooldag(en), minder dan de minimale aankondigingstermijn van"
        " 5 schooldagen"
    )
    horizon = {"scope": "period", "first": "2026-09-02", "last": "2026-09-04"}
    before = table_digest(app)
    doors.log_in(ANOUK)
    web = doors.page(
        f"/collaborations/{WOERDEN}/plan", {**horizon, "action": "confirm", "day": ["2026-09-03"]}
    )
    api = doors.call(
        "POST",
        f"/api/v1/collaborations/{WOERDEN}/plan",
        json={"from": "2026-09-02", "to": "2026-09-04", "days": ["2026-09-03"]},
    )
    cli = doors.run(
        "plan", "--collab", str(WOERDEN), "--from", "2026-09-02", "--to", "2026-09-04",
        "--day", "2026-09-03", "--confirm",
    )  # fmt: skip
    _refused_alike(web, api, cli, words)
    # The page shows the same plan again, marked, with the box to tick.
    shown = page_text(web)
    assert "1 overleg is op korte termijn: do 3 sep 2026." in shown, shown[:1500]
    assert "geen overleg vóór di 8 sep 2026" in shown
    assert 'name="short_notice"' in web.get_data(as_text=True)
    # Asking for the same day in a preview is refused as well: the CLI and the API say so.
    preview = doors.call(
        "GET",
        f"/api/v1/collaborations/{WOERDEN}/plan?from=2026-09-02&to=2026-09-04&days=2026-09-03",
    )
    assert preview.status_code == 409 and words in api_message(preview)
    assert table_digest(app) == before

    web = doors.page(
        f"/collaborations/{WOERDEN}/plan",
        {**horizon, "action": "confirm", "day": ["2026-09-03"], "short_notice": "1"},
    )
    assert web.status_code == 303, page_text(web)[:800]
    api = doors.call(
        "POST",
        f"/api/v1/collaborations/{NOORD}/plan",
        json={
            "from": "2026-09-02",
            "to": "2026-09-02",
            "days": ["2026-09-02"],
            "short_notice": True,
        },
    )
    assert api.status_code == 201, api_message(api)
    body = api.get_json()
    assert body["short_notice_days"] == ["2026-09-02"] and body["earliest_day"] == "2026-09-08"
    assert [item["short_notice"] for item in body["meetings"]] == [True]
    out = doors.run(
        "plan", "--collab", str(EINDHOVEN), "--from", "2026-09-07", "--to", "2026-09-07",
        "--day", "2026-09-07", "--short-notice", "--confirm",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "ma 7 sep 2026 14:00" in out.output and "(op korte termijn)" in out.output

    session.expire_all()
    stored = {
        (m.collaboration_id, m.day): m.short_notice
        for m in session.scalars(
            select(Meeting).where(Meeting.day.in_([date(2026, 9, d) for d in (2, 3, 7)]))
        )
    }
    assert stored == {
        (WOERDEN, date(2026, 9, 3)): True,
        (NOORD, date(2026, 9, 2)): True,
        (EINDHOVEN, date(2026, 9, 7)): True,
    }


# --- 5. the invitation says it ------------------------------------------------------------------


def _intro(message: Received) -> str:
    """The first paragraph after the greeting."""
    return message.text().split("\n\n")[1]


def _invitations(session: Session, received: list[Received], *, to: str) -> list[Received]:
    """The invitation mails (iMIP) among `received` that went to `to`."""
    session.expire_all()
    kinds = dict(session.execute(select(Mail.message_id, Mail.kind)).all())
    return [m for m in received if kinds.get(m.message_id) is MailKind.INVITE and to in m.rcpt_tos]


@pytest.mark.usefixtures("demo")
def test_a_short_notice_invitation_says_so_and_an_ordinary_one_does_not(
    app: Flask, cli: CLI, session: Session, smtp: SmtpSink
) -> None:
    Worker(app).run_once()  # the demo's own invitations, planned months ahead
    ordinary = _invitations(session, smtp.messages, to=ESRA)
    assert ordinary, [m.subject for m in smtp.messages]
    for message in ordinary:
        assert not message.subject.startswith("Op korte termijn"), message.subject
        assert "op korte termijn" not in message.text().lower()

    smtp.clear()
    cli.ok("meetings", "move", "2", "--to", "2026-09-03", "--short-notice")
    cli.ok(
        "plan", "--collab", str(NOORD), "--from", "2026-09-02", "--to", "2026-09-02",
        "--day", "2026-09-02", "--short-notice", "--confirm",
    )  # fmt: skip
    cli.ok("meetings", "move", "4", "--to", "2026-11-26")  # months ahead: ordinary
    Worker(app).run_once()

    to_esra = {m.subject: m for m in _invitations(session, smtp.messages, to=ESRA)}
    assert sorted(to_esra) == [
        "Gewijzigd: Startersbegeleiding Woerden, do 26 nov 2026 15:30–17:00",
        "Op korte termijn: Gewijzigd: Startersbegeleiding Woerden, do 3 sep 2026 15:30–17:00",
    ], sorted(to_esra)
    short = to_esra[
        "Op korte termijn: Gewijzigd: Startersbegeleiding Woerden, do 3 sep 2026 15:30–17:00"
    ]
    assert _intro(short).startswith(SHORT_LINE), short.text()
    plain = to_esra["Gewijzigd: Startersbegeleiding Woerden, do 26 nov 2026 15:30–17:00"]
    assert "op korte termijn" not in plain.text().lower()

    (planned,) = _invitations(session, smtp.messages, to=SANNE)
    assert planned.subject.startswith(SHORT_SUBJECT + "Uitnodiging: "), planned.subject
    assert _intro(planned).startswith(SHORT_LINE), planned.text()


# --- 6. setting the notice ----------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_the_notice_is_set_at_every_door_and_moves_the_earliest_day(
    doors: Doors, session: Session
) -> None:
    """Woerden seen on Tue 1 Sep: 0 days allows today, 10 school days end on Tue 15 Sep."""

    def earliest() -> str:
        plan = doors.call("GET", f"/api/v1/collaborations/{WOERDEN}/plan").get_json()
        return str(plan["earliest_day"])

    assert earliest() == "2026-09-08"
    patched = doors.call(
        "PATCH", f"/api/v1/collaborations/{WOERDEN}", json={"rhythm": {"notice_days": 0}}
    )
    assert patched.status_code == 200 and patched.get_json()["rhythm"]["notice_days"] == 0
    assert earliest() == "2026-09-01"

    out = doors.run("collaborations", "update", str(WOERDEN), "--notice-days", "10", "--json")
    assert json.loads(out.output)["rhythm"]["notice_days"] == 10
    assert earliest() == "2026-09-15"

    doors.log_in(ANOUK)
    page = doors.page(f"/collaborations/{WOERDEN}/edit", woerden_form(notice_days="3"))
    assert page.status_code in (302, 303), page_text(page)[:600]
    assert earliest() == "2026-09-04"
    session.expire_all()
    assert session.get(Collaboration, WOERDEN).notice_days == 3  # type: ignore[union-attr]

    made = doors.call(
        "POST",
        "/api/v1/collaborations",
        json={
            "name": "Zonder termijn",
            "members": ["91XA"],
            "coordinators": [ANOUK],
            "rhythm": {"target_weeks": 4, "max_gap_weeks": 6, "notice_days": 0},
        },
    )
    assert made.status_code == 201 and made.get_json()["rhythm"]["notice_days"] == 0


@pytest.mark.usefixtures("demo")
def test_a_negative_or_absurd_notice_is_refused_in_dutch_and_changes_nothing(
    app: Flask, doors: Doors
) -> None:
    words = "notice_days: geef een geheel getal van 0 tot en met 60."
    before = table_digest(app)
    for value in (-1, 61, 10**12, 2.5, True, "vijf"):
        response = doors.call(
            "PATCH", f"/api/v1/collaborations/{WOERDEN}", json={"notice_days": value}
        )
        assert response.status_code == 400, (value, response.get_json())
        assert api_message(response) == words, value
    for value in ("-1", "61", "vijf", "٣"):
        out = doors.run("collaborations", "update", str(WOERDEN), "--notice-days", value)
        assert out.exit_code == 1 and words in out.output, (value, out.output)
    doors.log_in(ANOUK)
    # The form says it in its own (Dutch) words, under the field.
    for value in ("61", "-1", "vijf"):
        page = doors.page(f"/collaborations/{WOERDEN}/edit", woerden_form(notice_days=value))
        assert page.status_code == 400, value
        assert "Nummer moet tussen 0 en 60 liggen." in page_text(page), value
    assert table_digest(app) == before
