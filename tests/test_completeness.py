"""Calendar completeness (issue 14, item 2): whether a member school has filled in its calendar
for a school year, as its administrator and the coordinators notice it.

A school year counts as filled in when the school has a busy period of its own in it, or when
its administrator marked it complete; school holidays, public holidays, closure days and
regional or national busy periods do not count, and partners keep no calendar. A plan in a year
that a member has not filled in warns the coordinator (page, API, CLI) and, once confirmed,
asks each administrator of that school by mail, once per school year.

Demo facts (seen on 1 Sep 2026): Minnaert College (91XA, id 1, administered by Kees Smit) and
Groenendaal Lyceum (91XB, id 2, administered by Ilse de Boer) form "Startersbegeleiding
Woerden" (collaboration 1, coordinated by Anouk de Vries and Pieter Jansen); both entered busy
periods for 2026-2027 and none for 2027-2028. Nobody administers the Eindhoven schools of
collaboration 2; Jeugdhulp De Brug (id 8) is a partner.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from planner.domain.kinds import MailKind, OrganisationKind
from planner.errors import ValidationError
from planner.events import EventKind
from planner.messaging.worker import RoundResult, Worker
from planner.models import CalendarCompletion, Mail, Organisation, Person
from planner.services import busy_periods, completeness, school_calendar
from planner.services import organisations as orgs
from tests.factories import (
    ADMIN,
    ANOUK,
    FATIMA,
    NOW,
    SCHOOL_ADMIN,
    Doors,
    api_message,
    events_of_kind,
    page_text,
    person_by_email,
    table_digest,
    url_path,
)
from tests.helpers import count_rows, dispatch
from tests.smtp_sink import (
    SmtpSink,
    smtp_fixture,  # noqa: F401 (the `smtp` fixture)
)
from tests.web import Forms, text_of

NEXT_YEAR = "2027-2028"
OTHER_ADMIN = "roosters@groenendaal.example"  # Ilse de Boer administers Groenendaal Lyceum
PARTNER_ID = 8  # Jeugdhulp De Brug
NUDGE = "Vul de kalender van"
NUDGE_EN = "Please fill in the calendar of"
WOERDEN_PLAN = f"/collaborations/1/plan?scope=year&school_year={NEXT_YEAR}"
BOTH_MISSING = (
    "Minnaert College en Groenendaal Lyceum hebben de toetsweken en open dagen voor 2027-2028 nog"
    " niet ingevuld: een overleg kan er nog op vallen. Hun schoolbeheerders krijgen een mail met"
    " het verzoek ze in te vullen; u krijgt bericht als dat een overleg raakt."
)
GROENENDAAL_MISSING = (
    "Groenendaal Lyceum heeft de toetsweken en open dagen voor 2027-2028 nog niet ingevuld"
)


# --- helpers ------------------------------------------------------------------------------------


def _states(session: Session, org: Organisation, *years: str) -> dict[str, tuple[int, bool]]:
    """Per school year: (own busy periods counted, complete)."""
    session.expire_all()
    return {
        state.school_year: (state.periods, state.complete)
        for state in completeness.calendar_states(session, [org], years)
    }


def _busy(session: Session, org: Organisation | None, first: str, last: str, **scope: Any) -> None:
    """A test week (of the organisation, or of a region / the whole country); committed."""
    raw: dict[str, Any] = {"kind": "test_week", "first_day": first, "last_day": last, **scope}
    if org is not None:
        raw["organisation"] = org.id
    busy_periods.create_busy_period(session, raw, NOW)
    session.commit()


def _year_state(doors: Doors, ref: str, year: str = NEXT_YEAR) -> dict[str, Any]:
    """One school year of a school's calendar, as the API lists it."""
    listed = doors.call("GET", f"/api/v1/organisations/{ref}/calendar-years").get_json()
    return next(item for item in listed if item["school_year"] == year)


def _filled_in(response: TestResponse) -> str:
    """The visible text of a school page's section "Kalender ingevuld?"."""
    html = response.get_data(as_text=True)
    found = re.search(r'<section aria-labelledby="filled-in">(.*?)</section>', html, re.S)
    assert found is not None, "the page has no #filled-in section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[1])).strip()


def _refused_alike(web: TestResponse, api: TestResponse, cli: Result, words: str) -> None:
    """The page, the API and the command each refused with `words` (in Dutch)."""
    assert 400 <= web.status_code < 500, web.status_code
    assert words in page_text(web), page_text(web)[:600]
    assert 400 <= api.status_code < 500, api.status_code
    assert words in api_message(api), api_message(api)
    assert cli.exit_code == 1, cli.output
    assert words in cli.output, cli.output


def _run_worker(app: Flask) -> RoundResult:
    return Worker(app).run_once()


def _nudges(smtp: SmtpSink) -> list[tuple[tuple[str, ...], str]]:
    """The nudges that arrived: (recipients, subject), in order of arrival."""
    subjects = (NUDGE, NUDGE_EN)
    return [(m.rcpt_tos, m.subject) for m in smtp.messages if m.subject.startswith(subjects)]


def _nudge_keys(session: Session) -> list[str]:
    session.expire_all()
    return sorted(
        session.scalars(
            select(Mail.dedupe_key).where(
                Mail.kind == MailKind.NOTICE, Mail.dedupe_key.like("calendar-nudge:%")
            )
        )
    )


def _event_payloads(app: Flask, kind: str) -> list[dict[str, Any]]:
    """The payloads of the stored events of one kind, oldest first."""
    with app.extensions["planner.db"].session() as session:
        return [event.payload for event in events_of_kind(session, kind)]


# --- the service --------------------------------------------------------------------------------


@pytest.fixture
def members(session: Session) -> tuple[Organisation, Organisation, Organisation]:
    """Noord College (noord), Zuid College (zuid) and a partner, no demo; committed."""
    made = (
        orgs.create_organisation(
            session, {"name": "Noord College", "brin": "01AA", "region": "noord"}, NOW
        ),
        orgs.create_organisation(
            session, {"name": "Zuid College", "brin": "02AA", "region": "zuid"}, NOW
        ),
        orgs.create_organisation(session, {"name": "Jeugdzorg Oost", "kind": "partner"}, NOW),
    )
    session.commit()
    return made


def test_an_own_busy_period_fills_in_the_year_and_is_counted(
    session: Session, members: tuple[Organisation, Organisation, Organisation]
) -> None:
    noord, zuid, _ = members
    _busy(session, noord, "2027-10-04", "2027-10-08")
    _busy(session, noord, "2028-01-24", "2028-01-28")
    _busy(session, zuid, "2026-10-05", "2026-10-09")  # Zuid filled in only this school year
    states = completeness.calendar_states(session, members, ["2027-28", "2026-2027"])
    # The partner keeps no calendar; the years come in order, in their canonical form.
    assert [(s.organisation.name, s.school_year, s.periods, s.complete) for s in states] == [
        ("Noord College", "2026-2027", 0, False),
        ("Noord College", NEXT_YEAR, 2, True),
        ("Zuid College", "2026-2027", 1, True),
        ("Zuid College", NEXT_YEAR, 0, False),
    ]
    assert all(state.mark is None for state in states)
    missing = completeness.missing_calendars(session, members, ["2026-2027", NEXT_YEAR])
    assert {year: [org.name for org in found] for year, found in missing.items()} == {
        "2026-2027": ["Noord College"],
        NEXT_YEAR: ["Zuid College"],
    }
    # A school board keeps a calendar too.
    board = orgs.create_organisation(
        session, {"name": "Stichting Noord", "kind": "board", "region": "noord"}, NOW
    )
    assert board.kind is OrganisationKind.BOARD
    assert _states(session, board, NEXT_YEAR) == {NEXT_YEAR: (0, False)}


def test_a_mark_fills_in_a_year_without_busy_periods_and_can_be_taken_back(
    app: Flask, session: Session, members: tuple[Organisation, Organisation, Organisation]
) -> None:
    noord, zuid, _ = members
    person = Person(name="Rita Rooster", email="rita@noord.example", created_at=NOW, updated_at=NOW)
    session.add(person)
    session.flush()
    mark = completeness.mark_complete(session, zuid, "2027/2028", person, NOW)
    again = completeness.mark_complete(session, zuid, NEXT_YEAR, None, NOW + timedelta(days=1))
    session.commit()
    assert again is mark and mark.marked_by_id == person.id and mark.created_at == NOW
    [state] = completeness.calendar_states(session, [zuid], [NEXT_YEAR])
    assert (state.periods, state.complete, state.mark) == (0, True, mark)
    # Marking once more recorded nothing new; the mark is one school's, one year's.
    [marked] = events_of_kind(session, EventKind.CALENDAR_MARKED_COMPLETE, fresh=True)
    assert marked.payload == {
        "organisation_id": zuid.id,
        "school_year": NEXT_YEAR,
        "person_id": person.id,
    }
    assert _states(session, noord, NEXT_YEAR) == {NEXT_YEAR: (0, False)}
    assert _states(session, zuid, "2028-2029") == {"2028-2029": (0, False)}

    assert completeness.unmark_complete(session, zuid, NEXT_YEAR, person, NOW) is True
    assert completeness.unmark_complete(session, zuid, NEXT_YEAR, person, NOW) is False
    session.commit()
    assert _states(session, zuid, NEXT_YEAR) == {NEXT_YEAR: (0, False)}
    assert count_rows(app, CalendarCompletion) == 0
    [removed] = events_of_kind(session, EventKind.CALENDAR_MARK_REMOVED, fresh=True)
    assert removed.payload["organisation_id"] == zuid.id
    assert removed.payload["school_year"] == NEXT_YEAR


def test_holidays_closure_days_and_shared_busy_periods_do_not_fill_in_a_calendar(
    session: Session, members: tuple[Organisation, Organisation, Organisation]
) -> None:
    noord, _, _ = members
    advisory = next(
        holiday
        for holiday in school_calendar.school_holidays_for(session, "noord", NEXT_YEAR)
        if not holiday.compulsory
    )
    school_calendar.set_holiday_override(
        session,
        noord,
        {
            "school_year": NEXT_YEAR,
            "holiday": advisory.name,
            "first_day": (advisory.first_day - timedelta(days=7)).isoformat(),
            "last_day": (advisory.last_day - timedelta(days=7)).isoformat(),
        },
        NOW,
    )
    school_calendar.set_closure_days(session, noord, ["goede_vrijdag", "bevrijdingsdag"], NOW)
    _busy(session, None, "2027-11-01", "2027-11-05", region="noord")
    _busy(session, None, "2028-02-14", "2028-02-18", national=True)
    assert _states(session, noord, NEXT_YEAR) == {NEXT_YEAR: (0, False)}
    # One busy period of its own does it.
    _busy(session, noord, "2028-03-06", "2028-03-06")
    assert _states(session, noord, NEXT_YEAR) == {NEXT_YEAR: (1, True)}


def test_a_busy_period_counts_in_every_school_year_it_touches(
    session: Session, members: tuple[Organisation, Organisation, Organisation]
) -> None:
    """A school year runs from 1 August to 31 July. A period across that boundary blocks days
    in both years, and the school's page of each year lists it among the school's own busy
    periods: each year counts it, so the count says what the page shows."""
    noord, zuid, _ = members
    _busy(session, noord, "2027-07-26", "2027-08-06")
    assert _states(session, noord, "2026-2027", NEXT_YEAR, "2028-2029") == {
        "2026-2027": (1, True),
        NEXT_YEAR: (1, True),
        "2028-2029": (0, False),
    }
    # The boundary days themselves: 31 July is the old year, 1 August the new one.
    _busy(session, zuid, "2028-07-31", "2028-07-31")
    _busy(session, zuid, "2029-08-01", "2029-08-01")
    assert _states(session, zuid, NEXT_YEAR, "2028-2029", "2029-2030") == {
        NEXT_YEAR: (1, True),
        "2028-2029": (0, False),
        "2029-2030": (1, True),
    }
    for year in ("2026-2027", NEXT_YEAR, "2028-2029"):
        first, last = date(int(year[:4]), 8, 1), date(int(year[:4]) + 1, 7, 31)
        listed = [
            period
            for period in busy_periods.list_busy_periods(session, noord, first, last)
            if period.organisation_id == noord.id
        ]
        assert _states(session, noord, year)[year][0] == len(listed), year


def test_a_partner_keeps_no_calendar_and_is_refused_in_its_language(
    app: Flask, session: Session, members: tuple[Organisation, Organisation, Organisation]
) -> None:
    partner = members[2]
    before = table_digest(app)
    refusals = []
    for attempt in (
        lambda: completeness.mark_complete(session, partner, NEXT_YEAR, None, NOW),
        lambda: completeness.unmark_complete(session, partner, NEXT_YEAR, None, NOW),
        lambda: completeness.calendar_years(session, partner, NOW.date()),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        refusals.append(refused.value)
    session.rollback()
    with app.test_request_context():
        for error in refusals:
            with force_locale("nl"):
                assert error.translate(gettext) == (
                    "Jeugdzorg Oost is een partner: die houdt geen schoolkalender bij om in te"
                    " vullen."
                )
            with force_locale("en"):
                assert error.translate(gettext) == (
                    "Jeugdzorg Oost is a partner: it keeps no school calendar to fill in."
                )
    assert table_digest(app) == before
    # Nor is a partner ever reported as missing.
    assert completeness.missing_calendars(session, [partner], [NEXT_YEAR]) == {}


# --- marking complete through the three front doors ---------------------------------------------


@pytest.mark.usefixtures("demo")
def test_marking_complete_and_undoing_it_works_alike_at_every_door(
    doors: Doors, session: Session
) -> None:
    kees = doors.log_in(SCHOOL_ADMIN)
    assert _year_state(doors, "91XA")["complete"] is False
    url = f"/api/v1/organisations/91XA/calendar-years/{NEXT_YEAR}/complete"
    page = f"/schools/1/complete?year={NEXT_YEAR}"
    command = ("calendars", "complete", "--org", "91XA", "--school-year", NEXT_YEAR)
    marks = {
        "web": lambda: doors.page(page, {"complete": "1"}),
        "api": lambda: doors.call("PUT", url),
        "cli": lambda: doors.run(*command, "--by", SCHOOL_ADMIN),
    }
    undos = {
        "web": lambda: doors.page(page, {"complete": "0"}),
        "api": lambda: doors.call("DELETE", url),
        "cli": lambda: doors.run(*command, "--undo"),
    }
    said = {
        "web": (
            "De kalender voor 2027-2028 is als compleet gemeld: regisseurs die in dat jaar"
            " plannen, krijgen er geen waarschuwing meer over.",
            "De kalender voor 2027-2028 staat niet meer als compleet gemeld.",
        ),
        "cli": (
            "De kalender van Minnaert College voor 2027-2028 is als compleet gemeld.",
            "De kalender van Minnaert College voor 2027-2028 staat niet meer als compleet gemeld.",
        ),
    }
    for door in ("web", "api", "cli"):
        answer = marks[door]()
        if door == "web":
            assert isinstance(answer, TestResponse) and answer.status_code == 302
            assert answer.headers["Location"].endswith(f"/schools/1?year={NEXT_YEAR}#filled-in")
            assert said["web"][0] in page_text(doors.browser.get(answer.headers["Location"]))
        elif door == "api":
            assert isinstance(answer, TestResponse) and answer.status_code == 200
            assert answer.get_json()["complete"] is True
        else:
            assert isinstance(answer, Result) and answer.exit_code == 0, answer.output
            assert said["cli"][0] in answer.output
        state = _year_state(doors, "91XA")
        assert (state["complete"], state["marked_complete"], state["busy_periods"]) == (
            True,
            True,
            0,
        ), door
        # Whoever said so is kept (the API's token speaks for nobody in particular).
        assert state["marked_by"] == (None if door == "api" else "Kees Smit"), door
        marked = events_of_kind(session, EventKind.CALENDAR_MARKED_COMPLETE, fresh=True)[-1]
        assert marked.payload == {
            "organisation_id": 1,
            "school_year": NEXT_YEAR,
            "person_id": None if door == "api" else kees.id,
        }, door

        answer = undos[door]()
        if door == "web":
            assert isinstance(answer, TestResponse) and answer.status_code == 302
            assert said["web"][1] in page_text(doors.browser.get(answer.headers["Location"]))
        elif door == "api":
            assert isinstance(answer, TestResponse) and answer.status_code == 200
            assert answer.get_json()["complete"] is False
        else:
            assert isinstance(answer, Result) and answer.exit_code == 0, answer.output
            assert said["cli"][1] in answer.output
        state = _year_state(doors, "91XA")
        assert (state["complete"], state["marked_complete"]) == (False, False), door
    # One event per change and door, nothing for the idempotent repeats below.
    assert len(events_of_kind(session, EventKind.CALENDAR_MARKED_COMPLETE, fresh=True)) == 3
    assert len(events_of_kind(session, EventKind.CALENDAR_MARK_REMOVED)) == 3
    assert doors.call("DELETE", url).status_code == 200
    assert doors.call("PUT", url).status_code == 200
    assert doors.call("PUT", url).status_code == 200
    assert len(events_of_kind(session, EventKind.CALENDAR_MARKED_COMPLETE, fresh=True)) == 4
    assert len(events_of_kind(session, EventKind.CALENDAR_MARK_REMOVED)) == 3
    # The status command tells the same state.
    status = json.loads(doors.run("calendars", "status", "--org", "91XA", "--json").output)
    assert [(s["school_year"], s["complete"], s["marked_complete"]) for s in status] == [
        ("2026-2027", True, False),
        (NEXT_YEAR, True, True),
        ("2028-2029", False, False),
    ]


@pytest.mark.usefixtures("demo")
def test_bad_marks_are_refused_alike_and_change_nothing(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(SCHOOL_ADMIN)
    bad_years = {
        "2027-2029": "Schooljaar 2027-2029 moet twee opeenvolgende jaren beslaan, zoals 2026-2027.",
        "abc": "Ongeldig schooljaar abc; schrijf het als 2026-2027.",
    }
    for year, words in bad_years.items():
        for complete, method, undo in (("1", "PUT", ()), ("0", "DELETE", ("--undo",))):
            web = doors.page(f"/schools/1/complete?year={year}", {"complete": complete})
            api = doors.call(method, f"/api/v1/organisations/91XA/calendar-years/{year}/complete")
            cli = doors.run("calendars", "complete", "--org", "91XA", "--school-year", year, *undo)
            _refused_alike(web, api, cli, words)
        status = doors.run("calendars", "status", "--org", "91XA", "--school-year", year)
        asked = doors.call("GET", f"/api/v1/organisations/91XA/calendar-years?school_year={year}")
        assert status.exit_code == 1 and words in status.output
        assert asked.status_code == 400 and words in api_message(asked)

    # An unknown organisation: the pages know schools by id only, and say so in their words.
    web = doors.page(f"/schools/999/complete?year={NEXT_YEAR}", {"complete": "1"})
    api = doors.call("PUT", f"/api/v1/organisations/99ZZ/calendar-years/{NEXT_YEAR}/complete")
    cli = doors.run("calendars", "complete", "--org", "99ZZ", "--school-year", NEXT_YEAR)
    assert web.status_code == api.status_code == 404
    assert "Deze pagina bestaat niet" in page_text(web)
    unknown = "Onbekende organisatie '99ZZ' (geef een id of BRIN-code)."
    assert unknown in api_message(api) and cli.exit_code == 1 and unknown in cli.output

    # The administrator of another school may not mark it (the API and the CLI act for the
    # platform's operators, so this limit is the pages' own).
    web = doors.page(f"/schools/2/complete?year={NEXT_YEAR}", {"complete": "1"})
    assert web.status_code == 403
    assert "U mag dit niet zien of wijzigen; er is niets veranderd." in page_text(web)

    # A partner keeps no calendar. The page answers its form with the message on the page it
    # returns to, like every refused button of the school pages.
    words = "Jeugdhulp De Brug is een partner: die houdt geen schoolkalender bij om in te vullen."
    doors.log_in(ADMIN)
    web = doors.page(f"/schools/{PARTNER_ID}/complete?year={NEXT_YEAR}", {"complete": "1"})
    assert web.status_code == 302
    assert words in page_text(doors.browser.get(web.headers["Location"]))
    partner_url = f"/api/v1/organisations/{PARTNER_ID}/calendar-years/{NEXT_YEAR}/complete"
    api = doors.call("PUT", partner_url)
    cli = doors.run("calendars", "complete", "--org", str(PARTNER_ID), "--school-year", NEXT_YEAR)
    assert api.status_code == 400 and words in api_message(api)
    assert cli.exit_code == 1 and words in cli.output
    listed = doors.call("GET", f"/api/v1/organisations/{PARTNER_ID}/calendar-years")
    status = doors.run("calendars", "status", "--org", str(PARTNER_ID))
    assert listed.status_code == 400 and words in api_message(listed)
    assert status.exit_code == 1 and words in status.output
    # Nor does the partner's page offer the section.
    page = doors.page(f"/schools/{PARTNER_ID}")
    assert page.status_code == 200 and 'id="filled-in"' not in page.get_data(as_text=True)
    assert table_digest(app) == before


# --- the plan preview warns -----------------------------------------------------------------


def _wizard_warnings(doors: Doors) -> str:
    page = doors.page(WOERDEN_PLAN)
    assert page.status_code == 200, page_text(page)[:500]
    return page_text(page)


@pytest.mark.usefixtures("demo")
def test_a_plan_in_a_year_nobody_filled_in_warns_at_every_door_until_it_is_filled_in(
    doors: Doors,
) -> None:
    doors.log_in(ANOUK)
    api_url = f"/api/v1/collaborations/1/plan?school_year={NEXT_YEAR}"
    cli_args = ("plan", "--collab", "1", "--school-year", NEXT_YEAR, "--json")
    api = doors.call("GET", api_url).get_json()
    cli = json.loads(doors.run(*cli_args).output)
    for plan in (api, cli):
        assert plan["calendars_missing"] == [
            {
                "school_year": NEXT_YEAR,
                "organisations": [
                    {"id": 1, "name": "Minnaert College"},
                    {"id": 2, "name": "Groenendaal Lyceum"},
                ],
            }
        ]
        assert plan["calendars_unasked"] == []  # both schools have an administrator
        assert plan["warnings"] == [BOTH_MISSING]
        assert plan["new_meetings"] > 0 and plan["confirmed"] is False
    page = _wizard_warnings(doors)
    # At the top of the proposal and again in the confirm step, just above the button.
    assert "Kalenders nog niet ingevuld: " + BOTH_MISSING in page
    assert page.count(BOTH_MISSING) == 2
    button = page.index("10 overleggen plannen en de uitnodigingen versturen")
    assert page.index(BOTH_MISSING, page.index("3. Bevestigen")) < button
    text = doors.run("plan", "--collab", "1", "--school-year", NEXT_YEAR).output
    assert f"! {BOTH_MISSING}" in text
    # This school year both filled in: no warning.
    current = doors.call("GET", "/api/v1/collaborations/1/plan?school_year=2026-2027").get_json()
    assert (current["calendars_missing"], current["warnings"]) == ([], [])

    # Minnaert College marks the year complete: only Groenendaal Lyceum is left.
    url = f"/api/v1/organisations/91XA/calendar-years/{NEXT_YEAR}/complete"
    assert doors.call("PUT", url).status_code == 200
    api = doors.call("GET", api_url).get_json()
    assert [org["name"] for org in api["calendars_missing"][0]["organisations"]] == [
        "Groenendaal Lyceum"
    ]
    assert api["warnings"][0].startswith(GROENENDAAL_MISSING)
    assert GROENENDAAL_MISSING in _wizard_warnings(doors)
    # Groenendaal Lyceum enters a test week: no warning anywhere.
    added = doors.run(
        "busy-periods", "add", "--org", "91XB", "--kind", "test_week",
        "--from", "2028-01-24", "--to", "2028-01-28",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    for plan in (doors.call("GET", api_url).get_json(), json.loads(doors.run(*cli_args).output)):
        assert (plan["calendars_missing"], plan["calendars_unasked"], plan["warnings"]) == (
            [],
            [],
            [],
        )
    page = _wizard_warnings(doors)
    assert "Kalenders nog niet ingevuld" not in page and "nog niet ingevuld" not in page
    assert "! " not in doors.run("plan", "--collab", "1", "--school-year", NEXT_YEAR).output
    # Taking the mark back brings Minnaert College's warning back.
    assert doors.call("DELETE", url).status_code == 200
    api = doors.call("GET", api_url).get_json()
    assert [org["id"] for org in api["calendars_missing"][0]["organisations"]] == [1]


@pytest.mark.usefixtures("demo")
def test_schools_nobody_administers_are_named_as_unasked(app: Flask, doors: Doors) -> None:
    """Eindhoven's schools have no administrator in the planner: the coordinator is told to
    ask them, and confirming anyway asks nobody by mail."""
    unasked = (
        "Niemand beheert de kalenders van Vakcollege Eindhoven en Kempen Vakschool mbo in de"
        " planner, dus niemand krijgt die mail: vraag het de scholen zelf."
    )
    names = [{"id": 6, "name": "Vakcollege Eindhoven"}, {"id": 7, "name": "Kempen Vakschool mbo"}]
    api = doors.call("GET", f"/api/v1/collaborations/2/plan?school_year={NEXT_YEAR}").get_json()
    shown = doors.run("plan", "--collab", "2", "--school-year", NEXT_YEAR, "--json")
    cli = json.loads(shown.output)
    for plan in (api, cli):
        assert plan["calendars_missing"] == [{"school_year": NEXT_YEAR, "organisations": names}]
        assert plan["calendars_unasked"] == names
        assert plan["warnings"][1] == unasked
    doors.log_in(FATIMA)
    page = page_text(doors.page(f"/collaborations/2/plan?scope=year&school_year={NEXT_YEAR}"))
    assert unasked in page
    dispatch(app)  # the demo's own mails first
    confirmed = doors.call(
        "POST", "/api/v1/collaborations/2/plan", json={"school_year": NEXT_YEAR, "count": 2}
    )
    assert confirmed.status_code == 201, confirmed.get_json()
    assert confirmed.get_json()["calendars_unasked"] == names
    [missing] = _event_payloads(app, EventKind.CALENDARS_MISSING)
    assert missing["organisation_ids"] == [6, 7]
    dispatch(app)
    with app.extensions["planner.db"].session() as session:
        assert _nudge_keys(session) == []


# --- the nudge mail -----------------------------------------------------------------------------


def _confirm_on_the_wizard(doors: Doors) -> TestResponse:
    """Confirm the whole proposal of the wizard as shown (the coordinator is logged in)."""
    page = doors.page(WOERDEN_PLAN)
    form = Forms(page.get_data(as_text=True)).post_form("/collaborations/1/plan")
    fields = MultiDict([*form["fields"], ("action", "confirm")])
    return doors.browser.post("/collaborations/1/plan", data=fields)


@pytest.mark.usefixtures("demo")
def test_confirming_asks_each_administrator_once_per_school_year(
    app: Flask, doors: Doors, session: Session, smtp: SmtpSink
) -> None:
    ilse = person_by_email(session, OTHER_ADMIN)
    ilse.language = "en"  # she reads her mail in English
    session.commit()
    kees = person_by_email(session, SCHOOL_ADMIN)

    # Two meetings confirmed through the API, with the warning in the answer: still possible.
    confirmed = doors.call(
        "POST", "/api/v1/collaborations/1/plan", json={"school_year": NEXT_YEAR, "count": 2}
    )
    assert confirmed.status_code == 201, confirmed.get_json()
    assert confirmed.get_json()["warnings"] == [BOTH_MISSING]
    _run_worker(app)  # with the demo's own invitations and digests
    assert sorted(_nudges(smtp)) == [
        ((OTHER_ADMIN,), "Please fill in the calendar of Groenendaal Lyceum for 2027-2028"),
        ((SCHOOL_ADMIN,), "Vul de kalender van Minnaert College voor 2027-2028 in"),
    ]
    assert _nudge_keys(session) == sorted(
        [f"calendar-nudge:1:{NEXT_YEAR}:{kees.id}", f"calendar-nudge:2:{NEXT_YEAR}:{ilse.id}"]
    )
    [dutch] = [m for m in smtp.to(SCHOOL_ADMIN) if m.subject.startswith(NUDGE)]
    body = dutch.text()
    assert body.startswith("Beste Kees Smit,")
    assert "Anouk de Vries" in body and "Startersbegeleiding Woerden" in body
    assert (
        "plannen overleggen in 2027-2028; vul de toetsweken en open dagen van uw school in" in body
    )
    assert "Minnaert College, schooljaar 2027-2028" in body
    assert "Meld de kalender dan op dezelfde pagina als compleet." in body
    link = re.search(r"Open de kalender van de school: (\S+)", body)
    assert link is not None and link[1].endswith(f"/schools/1?year={NEXT_YEAR}")
    [english] = [m for m in smtp.to(OTHER_ADMIN) if m.subject.startswith(NUDGE_EN)]
    assert english.text().startswith("Dear Ilse de Boer,")
    assert (
        "Anouk de Vries and Pieter Jansen (coordinators of Startersbegeleiding Woerden) are"
        " planning meetings in 2027-2028" in english.text()
    )
    assert f"/schools/2?year={NEXT_YEAR}" in english.text()
    # The link opens the school's page of that year, which says what is missing.
    doors.log_in(SCHOOL_ADMIN)
    opened = doors.browser.get(url_path(link[1]))
    assert opened.status_code == 200
    assert "Nog niet ingevuld voor 2027-2028" in page_text(opened)
    smtp.clear()

    # The rest of the year confirmed on the page: warned again, but nobody asked again.
    doors.log_in(ANOUK)
    stored = _confirm_on_the_wizard(doors)
    assert stored.status_code == 303, page_text(stored)[:500]
    assert len(events_of_kind(session, EventKind.CALENDARS_MISSING, fresh=True)) == 2
    _run_worker(app)
    assert _nudges(smtp) == []
    assert any(m.subject.startswith("Uitnodiging") for m in smtp.messages)  # the rest goes out
    smtp.clear()
    _run_worker(app)
    assert smtp.messages == [] and len(_nudge_keys(session)) == 2


@pytest.mark.usefixtures("demo")
def test_a_school_that_filled_in_before_the_worker_ran_is_not_asked(
    app: Flask, doors: Doors, session: Session, smtp: SmtpSink
) -> None:
    confirmed = doors.run(
        "plan", "--collab", "1", "--school-year", NEXT_YEAR, "--count", "2", "--confirm", "--json"
    )
    assert confirmed.exit_code == 0, confirmed.output
    plan = json.loads(confirmed.output)
    assert plan["confirmed"] is True and plan["warnings"] == [BOTH_MISSING]
    # Groenendaal Lyceum's administrator marks the year complete before the worker runs.
    doors.log_in(OTHER_ADMIN)
    marked = doors.page(f"/schools/2/complete?year={NEXT_YEAR}", {"complete": "1"})
    assert marked.status_code == 302
    _run_worker(app)
    assert _nudges(smtp) == [
        (("roosters@minnaert.example",), "Vul de kalender van Minnaert College voor 2027-2028 in")
    ]
    assert _nudge_keys(session) == [
        f"calendar-nudge:1:{NEXT_YEAR}:{person_by_email(session, SCHOOL_ADMIN).id}"
    ]


@pytest.mark.usefixtures("demo")
def test_a_nudge_for_two_coordinators_reads_as_plural(
    app: Flask, doors: Doors, session: Session
) -> None:
    """Woerden has two coordinators; the mail names both, in a plural sentence."""
    url = "/api/v1/collaborations/1/plan"
    assert doors.call("POST", url, json={"school_year": NEXT_YEAR, "count": 1}).status_code == 201
    dispatch(app)  # queued, not sent: the stored mail is what would go out
    kees = person_by_email(session, SCHOOL_ADMIN, fresh=True)
    mail = session.scalars(
        select(Mail).where(Mail.dedupe_key == f"calendar-nudge:1:{NEXT_YEAR}:{kees.id}")
    ).one()
    message = email.message_from_string(mail.raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text = " ".join(str(part.get_content()).split())
    assert (
        "Anouk de Vries en Pieter Jansen (regisseurs van Startersbegeleiding Woerden) plannen"
        " overleggen in 2027-2028" in text
    ), text


# --- the school pages -------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_the_school_page_shows_its_administrator_which_years_are_filled_in(
    doors: Doors,
) -> None:
    doors.log_in(SCHOOL_ADMIN)
    page = doors.page("/schools/1")
    assert page.status_code == 200
    dutch = _filled_in(page)
    assert dutch.startswith("Kalender ingevuld? Regisseurs zien welke scholen")
    assert "schoolvakanties en feestdagen tellen niet mee" in dutch
    assert dutch.endswith(
        "De kalender van Minnaert College per schooljaar Schooljaar Ingevuld Acties"
        " 2026-2027 ✓ ingevuld: 10 drukke periodes"
        " 2027-2028 ! niet ingevuld: nog geen drukke periodes 2027-2028 als compleet melden"
        " 2028-2029 ! niet ingevuld: nog geen drukke periodes 2028-2029 als compleet melden"
    )
    # A year with busy periods of its own needs no mark: no button.
    assert "2026-2027 als compleet melden" not in dutch
    assert doors.page(f"/schools/1/complete?year={NEXT_YEAR}", {"complete": "1"}).status_code == 302
    dutch = _filled_in(doors.page(f"/schools/1?year={NEXT_YEAR}"))
    assert (
        "2027-2028 ✓ compleet: gemeld door Kees Smit op di 1 sep 2026 Melding intrekken 2027-2028"
        in dutch
    )
    english = doors.page(f"/schools/1?year={NEXT_YEAR}&lang=en")
    assert english.status_code == 200
    assert _filled_in(english).endswith(
        "The calendar of Minnaert College per school year School year Filled in Actions"
        " 2026-2027 ✓ filled in: 10 busy periods entered"
        " 2027-2028 ✓ complete: marked by Kees Smit on Tue 1 Sep 2026 Undo the mark 2027-2028"
        " 2028-2029 ! not filled in: no busy periods entered yet Mark 2028-2029 complete"
    )
    assert _filled_in(english).startswith("Calendar filled in? Coordinators see which")
    # The schools list says the same per school year (each link names school and year).
    listed = text_of(doors.page("/schools"))
    for year, state in (("2026-2027", "ingevuld"), (NEXT_YEAR, "ingevuld"), ("2028-2029", "niet")):
        said = f"niet ingevuld Minnaert College {year}" in listed
        assert said is (state == "niet"), year
        assert f"ingevuld Minnaert College {year}" in listed, year
