"""One rule, one place: the pages, the JSON API and the CLI refuse the same things, with the
same Dutch words, and a refusal changes nothing (every table's rows are compared).

Each test walks one rule through all three front doors on the demo data (seen on 1 Sep 2026).
Where a door cannot reach a rule (the API and the CLI act as administrators, so a
coordinator's own limits apply on the pages only), the test says so.
"""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.models import Event, Mail, Meeting
from planner.services import meetings, organisations
from tests.factories import NOW, Doors, api_message, page_text, reply_ics, table_digest
from tests.helpers import dispatch

pytestmark = pytest.mark.usefixtures("demo")

# Demo facts: Minnaert College (91XA, id 1) and Groenendaal Lyceum (91XB) form the
# collaboration "Startersbegeleiding Woerden" (id 1); its meeting 5 is on Thu 17 Dec 2026 at
# 15:30 and meeting 3 on Tue 27 Oct 2026.
ADMIN = "beheer@planner.example"
COORDINATOR = "a.devries@minnaert.example"
PARTNER = "e.yilmaz@groenendaal.example"


def _refused_alike(doors: Doors, web: object, api: object, cli: object, words: str) -> None:
    """The page, the API and the command each answered with `words` (in Dutch)."""
    from click.testing import Result
    from werkzeug.test import TestResponse

    assert isinstance(web, TestResponse) and isinstance(api, TestResponse)
    assert isinstance(cli, Result)
    assert 400 <= web.status_code < 500, web.status_code
    assert words in page_text(web), page_text(web)[:600]
    assert 400 <= api.status_code < 500, api.status_code
    assert words in api_message(api), api_message(api)
    assert cli.exit_code == 1, cli.output
    assert words in cli.output, cli.output


def test_an_organisation_in_a_collaboration_cannot_be_deleted_anywhere(
    app: Flask, doors: Doors
) -> None:
    before = table_digest(app)
    doors.log_in(ADMIN)
    web = doors.page("/admin/organisations/1/delete", {})
    api = doors.call("DELETE", "/api/v1/organisations/91XA")
    cli = doors.run("organisations", "delete", "91XA", "--yes")
    _refused_alike(
        doors,
        web,
        api,
        cli,
        "Minnaert College kan niet worden verwijderd: de organisatie is lid van "
        "Startersbegeleiding Woerden",
    )
    assert api.status_code == web.status_code == 409
    assert table_digest(app) == before


def test_a_meeting_is_not_moved_to_the_moment_it_already_has(app: Flask, doors: Doors) -> None:
    """Else every invitee would get a changed invitation (SEQUENCE + 1) for nothing."""
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    web = doors.page("/meetings/5/move", {"choice": "other", "day": "2026-12-17", "time": "15:30"})
    api = doors.call("POST", "/api/v1/meetings/5/move", json={"day": "2026-12-17", "time": "15:30"})
    cli = doors.run("meetings", "move", "5", "--to", "2026-12-17", "--time", "15:30")
    _refused_alike(doors, web, api, cli, "Het overleg vindt dan al plaats.")
    # The same day without a time is the same moment too.
    again = doors.run("meetings", "move", "5", "--to", "2026-12-17")
    assert again.exit_code == 1 and "vindt dan al plaats" in again.output
    assert table_digest(app) == before


def test_a_meeting_is_not_moved_into_the_past(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    web = doors.page("/meetings/5/move", {"choice": "other", "day": "2026-08-31"})
    api = doors.call("POST", "/api/v1/meetings/5/move", json={"day": "2026-08-31"})
    cli = doors.run("meetings", "move", "5", "--to", "2026-08-31")
    _refused_alike(doors, web, api, cli, "ma 31 aug 2026 ligt in het verleden")
    assert table_digest(app) == before


def test_a_cancelled_meeting_is_neither_moved_nor_cancelled_again(
    app: Flask, doors: Doors, session: Session
) -> None:
    meeting = session.get(Meeting, 5)
    assert meeting is not None
    meetings.cancel_meeting(session, meeting, NOW)
    session.commit()
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    words = "Dit overleg is geannuleerd; het kan niet worden verplaatst of nogmaals geannuleerd."
    moved = (
        doors.page("/meetings/5/move", {"choice": "other", "day": "2026-12-15"}),
        doors.call("POST", "/api/v1/meetings/5/move", json={"day": "2026-12-15"}),
        doors.run("meetings", "move", "5", "--to", "2026-12-15"),
    )
    _refused_alike(doors, *moved, words)
    cancelled = (
        doors.page("/meetings/5/cancel", {}),
        doors.call("POST", "/api/v1/meetings/5/cancel"),
        doors.run("meetings", "cancel", "5"),
    )
    _refused_alike(doors, *cancelled, words)
    assert table_digest(app) == before


def test_an_address_with_a_login_gets_no_second_one(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(ADMIN)
    web = doors.page("/admin/accounts", {"email": COORDINATOR, "name": "", "language": "nl"})
    api = doors.call("POST", "/api/v1/accounts", json={"email": COORDINATOR})
    cli = doors.run("users", "add", COORDINATOR)
    _refused_alike(doors, web, api, cli, f"{COORDINATOR} heeft al een account.")
    assert web.status_code == api.status_code == 409
    assert table_digest(app) == before


def test_a_new_address_needs_a_name_for_its_login(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(ADMIN)
    new = "j.nieuw@school.example"
    web = doors.page("/admin/accounts", {"email": new, "name": "", "language": "nl"})
    api = doors.call("POST", "/api/v1/accounts", json={"email": new})
    cli = doors.run("users", "add", new)
    _refused_alike(doors, web, api, cli, f"Geef de naam van deze nieuwe persoon: {new} is nieuw.")
    assert table_digest(app) == before


def test_the_last_platform_administrator_stays_one(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    me = doors.log_in(ADMIN)
    web = doors.page(f"/admin/accounts/{me.id}/platform-admin", {"make": "0"})
    api = doors.call("PATCH", f"/api/v1/accounts/{ADMIN}", json={"admin": False})
    cli = doors.run("users", "admin", ADMIN, "--off")
    _refused_alike(doors, web, api, cli, "De laatste platformbeheerder kan niet worden verwijderd.")
    # Taking the login away is refused for the same reason (the CLI, acting as the operator,
    # is not refused for removing "its own" login: it has none).
    assert doors.run("users", "remove", ADMIN).exit_code == 1
    assert doors.call("DELETE", f"/api/v1/accounts/{ADMIN}").status_code == 409
    assert table_digest(app) == before


def test_an_administrator_cannot_remove_their_own_login_on_a_page_or_in_the_api(
    app: Flask, doors: Doors
) -> None:
    """A logged-in administrator is `actor` on a page and in the API's browser session."""
    before = table_digest(app)
    me = doors.log_in(ADMIN)
    page = doors.page(f"/admin/accounts/{me.id}/remove", {})
    words = "U kunt uw eigen account niet verwijderen."
    assert page.status_code == 400 and words in page_text(page)
    token = doors.browser.get("/admin/accounts")  # a page that carries the CSRF token
    assert token.status_code == 200
    from tests.web import csrf_token

    api = doors.browser.delete(
        f"/api/v1/accounts/{me.id}", headers={"X-CSRFToken": csrf_token(doors.browser)}
    )
    assert api.status_code == 409 and words in api_message(api)
    assert table_digest(app) == before


def test_a_password_link_goes_out_alike_from_every_door(
    app: Flask, doors: Doors, session: Session
) -> None:
    dispatch(app)  # the demo's own invitations first
    me = doors.log_in(ADMIN)
    coordinator = doors.call("GET", f"/api/v1/accounts/{COORDINATOR}").get_json()
    assert doors.page(f"/admin/accounts/{coordinator['id']}/password-mail", {}).status_code == 302
    assert doors.call("POST", f"/api/v1/accounts/{COORDINATOR}/password-link").status_code == 202
    assert doors.run("users", "reset-link", COORDINATOR).exit_code == 0
    dispatch(app)
    subjects = session.scalars(
        select(Mail.subject).where(Mail.recipient == COORDINATOR, Mail.subject.like("%wachtwoord%"))
    ).all()
    assert subjects == ["Kies een nieuw wachtwoord voor de planner"] * 3
    # Someone without a login gets no link, from any door.
    before = table_digest(app)
    assert doors.call("POST", f"/api/v1/accounts/{PARTNER}/password-link").status_code == 404
    cli = doors.run("users", "reset-link", PARTNER)
    assert cli.exit_code == 1 and f"{PARTNER} heeft geen account." in cli.output
    partner = doors.call("GET", "/api/v1/people/" + PARTNER).get_json()
    assert doors.page(f"/admin/accounts/{partner['id']}/password-mail", {}).status_code == 404
    assert table_digest(app) == before
    assert me.is_admin


def test_why_a_date_was_chosen_reads_the_same_everywhere(doors: Doors) -> None:
    line = "4 weken na het vorige overleg van di 29 sep 2026."
    doors.log_in(COORDINATOR)
    assert line in page_text(doors.page("/meetings/3"))
    assert line in doors.call("GET", "/api/v1/meetings/3").get_json()["why"]
    assert line in doors.run("meetings", "show", "3").output


def test_no_answer_is_taken_for_a_cancelled_meeting(
    app: Flask, doors: Doors, session: Session, tmp_path: Path
) -> None:
    from planner.services.attendance import issue_rsvp_token
    from planner.services.people import find_person

    dispatch(app)  # the invitations of the demo go out: the partner was invited
    meeting = session.get(Meeting, 3)
    assert meeting is not None
    partner = find_person(session, PARTNER)
    secret = issue_rsvp_token(session, meeting, partner, NOW, valid_days_after=7)
    meetings.cancel_meeting(session, meeting, NOW)
    session.commit()
    before = table_digest(app)
    reply = reply_ics(meeting.uid, meeting.sequence, PARTNER)
    upload = tmp_path / "reply.ics"
    upload.write_bytes(reply)
    web = doors.browser.post(f"/rsvp/{secret}", data={"answer": "accepted"})
    api = doors.call("POST", "/api/v1/replies", data=reply, content_type="text/calendar")
    cli = doors.run("replies", "import", str(upload), "--sender", PARTNER)
    _refused_alike(doors, web, api, cli, "Dit overleg is geannuleerd; een antwoord is niet nodig.")
    assert table_digest(app) == before


def test_an_unknown_person_is_refused_in_the_people_fields(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    fields = {
        "name": "Startersbegeleiding Woerden",
        "members": ["1", "2"],
        "coordinator_lines": f"{COORDINATOR}\np.jansen@groenendaal.example",
        "participant_lines": "onbekend@nergens.example",
        "target_weeks": "4",
        "max_gap_weeks": "6",
        "duration_minutes": "90",
        "weekdays": ["2", "4"],
        "start_time": "15:30",
        "location": "rotate",
    }
    web = doors.page("/collaborations/1/edit", fields)
    api = doors.call(
        "PATCH", "/api/v1/collaborations/1", json={"participants": ["onbekend@nergens.example"]}
    )
    cli = doors.run("collaborations", "update", "1", "--participant", "onbekend@nergens.example")
    _refused_alike(doors, web, api, cli, "Onbekende persoon 'onbekend@nergens.example'.")
    assert table_digest(app) == before


def test_a_new_person_named_as_name_and_address_joins_alike(app: Flask, doors: Doors) -> None:
    """'Name <e-mail>' is read by the service for every door: the person is made and joins."""
    line = "Bram Visser <b.visser@partner.example>"
    doors.log_in(COORDINATOR)
    fields = {
        "name": "Leerlijn Woerden",
        "members": ["1"],
        "coordinator_lines": f"Anouk de Vries <{COORDINATOR}>",
        "participant_lines": line,
        "target_weeks": "4",
        "max_gap_weeks": "6",
        "duration_minutes": "60",
        "weekdays": ["2"],
        "start_time": "15:00",
        "location": "rotate",
    }
    web = doors.page("/collaborations/new", fields)
    assert web.status_code == 302, page_text(web)[:500]
    api = doors.call(
        "POST",
        "/api/v1/collaborations",
        json={"name": "Leerlijn API", "members": ["91XA"], "coordinators": [COORDINATOR],
              "participants": [line]},
    )  # fmt: skip
    assert api.status_code == 201
    cli = doors.run(
        "collaborations", "add", "--name", "Leerlijn CLI", "--member", "91XA",
        "--coordinator", COORDINATOR, "--participant", line, "--json",
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    listed = doors.call("GET", "/api/v1/collaborations").get_json()
    made = [c for c in listed if c["name"].startswith("Leerlijn")]
    assert len(made) == 3
    for collab in made:
        assert [p["email"] for p in collab["participants"]] == ["b.visser@partner.example"]
    people = doors.call("GET", "/api/v1/people").get_json()
    assert [p["name"] for p in people if p["email"] == "b.visser@partner.example"] == [
        "Bram Visser"
    ]


def test_two_meetings_on_one_day_are_refused(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    day = "2026-11-10"
    web = doors.page(
        "/collaborations/1/plan",
        {"scope": "period", "first": "2026-11-01", "last": "2026-11-30", "action": "confirm",
         "day": ["2026-11-10", "2026-11-12"], "choice-2026-11-12": day},
    )  # fmt: skip
    api = doors.call(
        "POST", "/api/v1/collaborations/1/plan",
        json={"from": "2026-11-01", "to": "2026-11-30", "days": [day, day]},
    )  # fmt: skip
    cli = doors.run(
        "plan", "--collab", "1", "--from", "2026-11-01", "--to", "2026-11-30",
        "--day", day, "--day", day, "--confirm",
    )  # fmt: skip
    _refused_alike(doors, web, api, cli, "Er zouden twee overleggen op di 10 nov 2026 vallen")
    assert table_digest(app) == before


def test_a_plan_that_adds_no_meeting_is_not_confirmed(app: Flask, doors: Doors) -> None:
    """From 1 to 1 Sep only the meeting already confirmed on 1 Sep falls in the horizon."""
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    web = doors.page(
        "/collaborations/1/plan",
        {"scope": "period", "first": "2026-09-01", "last": "2026-09-01", "action": "confirm",
         "fixed": "1"},
    )  # fmt: skip
    api = doors.call(
        "POST", "/api/v1/collaborations/1/plan", json={"from": "2026-09-01", "to": "2026-09-01"}
    )
    cli = doors.run(
        "plan", "--collab", "1", "--from", "2026-09-01", "--to", "2026-09-01", "--confirm"
    )
    _refused_alike(doors, web, api, cli, "Kies minstens één dag.")
    assert table_digest(app) == before


def test_a_plan_whose_kept_meetings_changed_is_not_confirmed(app: Flask, doors: Doors) -> None:
    """The page and the API say which confirmed meetings the plan they confirm keeps; the CLI
    previews and confirms in one step, so nothing can change in between."""
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    words = "De overleggen van de samenwerking zijn veranderd sinds dit plan is gemaakt"
    web = doors.page(
        "/collaborations/1/plan",
        {"scope": "period", "first": "2026-11-01", "last": "2026-11-30", "action": "confirm",
         "day": ["2026-11-26"], "fixed": "999"},
    )  # fmt: skip
    assert web.status_code == 409 and words in page_text(web)
    api = doors.call(
        "POST", "/api/v1/collaborations/1/plan",
        json={"from": "2026-11-01", "to": "2026-11-30", "fixed": [999]},
    )  # fmt: skip
    assert api.status_code == 409 and words in api_message(api)
    assert table_digest(app) == before


@pytest.mark.parametrize("door", ["web", "api", "cli"])
def test_a_test_week_on_a_meeting_day_names_the_meeting_it_hits(
    app: Flask, doors: Doors, session: Session, door: str
) -> None:
    """Meeting 5 (17 Dec) falls in ISO week 51: each door says so right away."""
    fields = {"kind": "test_week", "first_day": "2026-12-14", "last_day": "2026-12-18"}
    if door == "web":
        doors.log_in("roosters@minnaert.example")
        response = doors.page("/schools/1/busy-periods", {**fields, "severity": ""})
        assert response.status_code == 302
        said = page_text(doors.browser.get(response.headers["Location"]))
        assert "Dit valt op 1 gepland overleg: Startersbegeleiding Woerden (do 17 dec 2026)" in said
    elif door == "api":
        response = doors.call("POST", "/api/v1/organisations/91XA/busy-periods", json=fields)
        assert response.status_code == 201
        assert [hit["meeting_id"] for hit in response.get_json()["meetings_hit"]] == [5]
    else:
        result = doors.run(
            "busy-periods", "add", "--org", "91XA", "--kind", "test_week",
            "--from", "2026-12-14", "--to", "2026-12-18",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Dit valt op 1 gepland overleg: Startersbegeleiding Woerden (do 17 dec 2026)" in (
            result.output
        )
    # The worker is told the same way: one busy-period event for the coordinators' notice.
    latest = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert latest is not None and latest.kind == "busy_period.created"
    assert latest.payload["first_day"] == "2026-12-14"


def test_holiday_data_with_impossible_dates_is_refused_alike(
    app: Flask, doors: Doors, tmp_path: Path
) -> None:
    data = json.dumps(
        {"content": [{"schoolyear": "2026-2027", "vacations": [{
            "type": "herfstvakantie", "compulsorydates": "false",
            "regions": [{"region": "midden", "startdate": "9999-12-31T23:00:00.000Z",
                         "enddate": "9999-12-31T23:00:00.000Z"}]}]}]}
    )  # fmt: skip
    upload = tmp_path / "vakanties.json"
    upload.write_text(data)
    before = table_digest(app)
    doors.log_in(ADMIN)
    from io import BytesIO

    web = doors.browser.post(
        "/admin/holidays/preview",
        data={"csrf_token": _token(doors), "file": (BytesIO(data.encode()), "vakanties.json")},
        content_type="multipart/form-data",
    )
    api = doors.call("POST", "/api/v1/school-holidays/import", data=data)
    cli = doors.run("holidays", "import", str(upload))
    _refused_alike(
        doors, web, api, cli, "startdate '9999-12-31T23:00:00.000Z' ligt niet tussen 2000 en 2100"
    )
    assert table_digest(app) == before


def _token(doors: Doors) -> str:
    from tests.web import csrf_token

    return csrf_token(doors.browser)


BROKEN_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//School//NL\r\n"
    "BEGIN:VEVENT\r\nUID:1@school\r\nDTSTART;VALUE=DATE:20270231\r\nSUMMARY:Toetsweek\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_broken_year_calendar_names_the_line_at_every_door(
    app: Flask, doors: Doors, tmp_path: Path
) -> None:
    upload = tmp_path / "jaarkalender.ics"
    upload.write_text(BROKEN_ICS)
    before = table_digest(app)
    doors.log_in("roosters@minnaert.example")
    from io import BytesIO

    web = doors.browser.post(
        "/schools/1/import?year=2026-2027",
        data={
            "csrf_token": _token(doors),
            "school_year": "2026-2027",
            "file": (BytesIO(BROKEN_ICS.encode()), "jaarkalender.ics"),
        },
        content_type="multipart/form-data",
    )
    api = doors.call(
        "POST",
        "/api/v1/organisations/91XA/calendar-import?school_year=2026-2027",
        data=BROKEN_ICS,
        content_type="text/calendar",
    )
    cli = doors.run(
        "calendars", "import", "--org", "91XA", "--school-year", "2026-2027", str(upload)
    )
    _refused_alike(doors, web, api, cli, "regel 6:")
    assert table_digest(app) == before


def test_a_year_calendar_imports_the_same_rows_at_every_door(
    app: Flask, doors: Doors, tmp_path: Path
) -> None:
    csv = "datum;tot;omschrijving\n2027-01-25;2027-01-29;Toetsweek 3\n2027-02-06;;Open dag\n"
    upload = tmp_path / "jaarkalender.csv"
    upload.write_text(csv)
    listed = []
    for org, door in (("91XA", "api"), ("91XB", "cli")):
        if door == "api":
            response = doors.call(
                "POST",
                f"/api/v1/organisations/{org}/calendar-import?school_year=2026-2027",
                data=csv,
                content_type="text/csv",
            )
            assert response.status_code == 201, response.get_json()
        else:
            result = doors.run(
                "calendars", "import", "--org", org, "--school-year", "2026-2027", str(upload)
            )
            assert result.exit_code == 0, result.output
            assert "2 drukke periodes geïmporteerd." in result.output
        periods = doors.call("GET", f"/api/v1/organisations/{org}/busy-periods").get_json()
        listed.append(
            sorted(
                (p["kind"], p["first_day"], p["last_day"], p["severity"])
                for p in periods
                if p["source"] == "import"
            )
        )
    assert (
        listed[0]
        == listed[1]
        == [
            ("open_day", "2027-02-06", "2027-02-06", "hard"),
            ("test_week", "2027-01-25", "2027-01-29", "hard"),
        ]
    )


def test_a_year_without_public_holidays_is_refused_by_the_api_and_the_cli(doors: Doors) -> None:
    """(No page asks for a year of public holidays.)"""
    for year in ("1900", "²⁰²⁷", "abc"):
        api = doors.call("GET", f"/api/v1/public-holidays?year={year}")
        cli = doors.run("public-holidays", "--year", year)
        words = "Geef een jaar van 1966 tot en met 2100"
        assert api.status_code == 400 and words in api_message(api)
        assert cli.exit_code == 1 and words in cli.output


def test_alternatives_are_bounded_alike_in_the_api_and_the_cli(doors: Doors) -> None:
    """(The meeting page always offers five.)"""
    for limit in ("0", "21"):
        api = doors.call("GET", f"/api/v1/meetings/5/alternatives?limit={limit}")
        cli = doors.run("meetings", "alternatives", "5", "--limit", limit)
        words = "limit: geef een geheel getal van 1 tot en met 20."
        assert api.status_code == 400 and words in api_message(api)
        assert cli.exit_code == 1 and words in cli.output


def test_searching_organisations_finds_the_same_ones(doors: Doors) -> None:
    doors.log_in(ADMIN)
    page = page_text(doors.page("/admin/organisations?q=woerden"))
    api = [org["name"] for org in doors.call("GET", "/api/v1/organisations?q=woerden").get_json()]
    cli = json.loads(doors.run("organisations", "list", "--search", "woerden", "--json").output)
    assert api == [org["name"] for org in cli] == ["Groenendaal Lyceum", "Minnaert College"]
    assert all(name in page for name in api) and "Vakcollege Eindhoven" not in page


def test_a_clash_the_database_reports_is_a_conflict_everywhere(
    app: Flask, doors: Doors, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests that add the same BRIN code at once: both pass the service's check, the
    database refuses the second. That is a 409 and a clear message, never a 500."""
    monkeypatch.setattr(organisations, "_check_brin_free", lambda *args: None)
    before = table_digest(app)
    doors.log_in(ADMIN)
    fields = {"name": "Dubbel", "kind": "school", "brin": "91XA", "region": "midden"}
    web = doors.page("/admin/organisations/new", {**fields, "sector": "", "city": ""})
    api = doors.call("POST", "/api/v1/organisations", json=fields)
    cli = doors.run(
        "organisations", "add", "--name", "Dubbel", "--brin", "91XA", "--region", "midden"
    )
    _refused_alike(doors, web, api, cli, "Dit botst met wat er is opgeslagen")
    assert web.status_code == api.status_code == 409
    assert table_digest(app) == before


def test_a_database_that_was_never_migrated_says_what_to_run(tmp_path: Path) -> None:
    from planner import create_app
    from tests.helpers import CLI

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.sqlite'}",
            "API_TOKEN": "token",
        }
    )
    words = "De database is nog niet ingericht. Voer eerst `planner db upgrade` uit."
    cli = CLI(app.test_cli_runner())
    for command in (("demo",), ("organisations", "list"), ("worker", "--once"), ("drift",)):
        result = cli(*command)
        assert result.exit_code == 1 and words in result.output, (command, result.output)
        assert "Traceback" not in result.output
    client = app.test_client()
    api = client.get("/api/v1/organisations", headers={"Authorization": "Bearer token"})
    assert api.status_code == 503 and words in api_message(api)
    page = client.get("/login")
    assert page.status_code in (200, 503)  # the login form needs no table until it is sent
    sent = client.post("/login", data={"email": "a@b.example", "password": "x"})
    assert sent.status_code in (400, 503)
    app.extensions["planner.db"].engine.dispose()


def _mails_about(app: Flask, subject_part: str) -> list[str]:
    """The text of every queued mail whose subject has these words, after the worker ran."""
    dispatch(app)
    with app.extensions["planner.db"].session() as session:
        found = []
        for mail in session.scalars(select(Mail)):
            if subject_part not in mail.subject:
                continue
            message = email.message_from_string(mail.raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            part = message.get_body(preferencelist=("plain",))
            assert part is not None
            found.append(" ".join(str(part.get_content()).split()))
        return found


def test_a_move_with_a_note_says_where_it_was_and_why_at_every_door(
    app: Flask, doors: Doors
) -> None:
    """Each door moves one Woerden meeting with a note; each update mail says the old date,
    the new one and the note (the partners of Woerden get one mail per meeting)."""
    dispatch(app)  # the demo's invitations went out first
    doors.log_in(COORDINATOR)
    web = doors.page(
        "/meetings/5/move",
        {"choice": "other", "day": "2026-12-15", "time": "", "note": "Het lokaal is bezet."},
    )
    assert web.status_code == 303, page_text(web)[:600]
    api = doors.call(
        "POST", "/api/v1/meetings/6/move", json={"day": "2027-01-19", "note": "Studiedag."}
    )
    assert api.status_code == 200, api_message(api)
    cli = doors.run("meetings", "move", "7", "--to", "2027-03-09", "--note", "Open dag.")
    assert cli.exit_code == 0, cli.output
    for old, new, note in (
        ("do 17 dec 2026 15:30–17:00", "di 15 dec 2026", "Het lokaal is bezet."),
        ("do 21 jan 2027 15:30–17:00", "di 19 jan 2027", "Studiedag."),
        ("di 2 mrt 2027 15:30–17:00", "di 9 mrt 2027", "Open dag."),
    ):
        texts = _mails_about(app, f"Gewijzigd: Startersbegeleiding Woerden, {new}")
        assert texts, new
        for text in texts:
            assert f"Was: {old}" in text and f"Van de regisseur: {note}" in text


def test_a_cancellation_carries_the_coordinators_note_at_every_door(
    app: Flask, doors: Doors
) -> None:
    dispatch(app)  # the demo's invitations went out first
    doors.log_in(COORDINATOR)
    web = doors.page("/meetings/5/cancel", {"confirm": "y", "note": "Te weinig aanmeldingen."})
    assert web.status_code == 303, page_text(web)[:600]
    api = doors.call("POST", "/api/v1/meetings/6/cancel", json={"note": "Staking."})
    assert api.status_code == 200, api_message(api)
    cli = doors.run("meetings", "cancel", "7", "--note", "Griep.")
    assert cli.exit_code == 0, cli.output
    for day, note in (
        ("do 17 dec 2026", "Te weinig aanmeldingen."),
        ("do 21 jan 2027", "Staking."),
        ("di 2 mrt 2027", "Griep."),
    ):
        texts = _mails_about(app, f"Geannuleerd: Startersbegeleiding Woerden, {day}")
        assert texts and all(f"Van de regisseur: {note}" in text for text in texts), day


def test_a_note_too_long_is_refused_alike_and_changes_nothing(app: Flask, doors: Doors) -> None:
    before = table_digest(app)
    doors.log_in(COORDINATOR)
    long = "x" * 501
    web = doors.page("/meetings/5/cancel", {"confirm": "y", "note": long})
    api = doors.call("POST", "/api/v1/meetings/5/cancel", json={"note": long})
    cli = doors.run("meetings", "cancel", "5", "--note", long)
    assert web.status_code == 400
    assert 400 <= api.status_code < 500 and "hoogstens 500 tekens" in api_message(api)
    assert cli.exit_code == 1 and "hoogstens 500 tekens" in cli.output
    assert table_digest(app) == before
