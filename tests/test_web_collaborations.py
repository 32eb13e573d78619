"""The dashboard, the collaboration page with its year picture, and creating and editing a
collaboration: what a coordinator sees and may do, and what others may not."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import MeetingStatus, Role
from planner.messaging.worker import Worker
from planner.models import (
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Event,
    Mail,
    Meeting,
    Person,
)
from planner.services.dashboard import dashboard_rows
from tests.factories import (
    ADMIN,
    ANOUK,
    EINDHOVEN,
    FATIMA,
    MARLOES,
    NOORD,
    SCHOOL_ADMIN,
    WOERDEN,
    load_demo,
    log_in_as,
)
from tests.helpers import CLI, count_rows
from tests.web import NOW, post, text_of

SVG = "{http://www.w3.org/2000/svg}"
WOERDEN_NAME = "Startersbegeleiding Woerden"
EINDHOVEN_NAME = "Doorlopende leerlijn techniek Eindhoven"
NOORD_NAME = "Onderwijs-zorgarrangement Noord-Holland–Brabant"


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo on Saturday 21 Nov 2026: Woerden on track, Eindhoven without a next meeting,
    Noord-Holland–Brabant at risk (9 Sep, then nothing until 26 Jan). Loaded on the clock as it
    is, then seen at that moment."""
    load_demo(app, cli, now=None)
    app.config["FROZEN_NOW"] = "2026-11-21T09:00:00Z"


def snapshot(app: Flask) -> tuple[int, ...]:
    """Row counts that any change would move."""
    return tuple(
        count_rows(app, table)
        for table in (
            Meeting,
            Event,
            Collaboration,
            CollaborationPerson,
            CollaborationMember,
            Person,
        )
    )


def dashboard_row(response: TestResponse, collab_id: int) -> str:
    html = response.get_data(as_text=True)
    row = rf'<tr class="[^"]*" data-collaboration="{collab_id}"[^>]*>(.*?)</tr>'
    match = re.search(row, html, re.S)
    assert match, f"no row for collaboration {collab_id}"
    return match[1]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match[1]


def svg_of(response: TestResponse) -> ET.Element:
    return ET.fromstring(response.get_data())


# --- Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/dashboard", "/collaborations/1", "/collaborations/1/year.svg", "/collaborations/new"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(
    browser: FlaskClient, demo: None, url: str
) -> None:
    response = browser.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_coordinator_sees_only_their_own_collaborations(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    page = text_of(browser.get("/dashboard"))
    assert WOERDEN_NAME in page
    assert EINDHOVEN_NAME not in page and NOORD_NAME not in page
    assert "op koers" in page


@pytest.mark.parametrize(
    ("email", "collab_id", "status", "word"),
    [
        (ANOUK, WOERDEN, "on_track", "op koers"),
        (FATIMA, EINDHOVEN, "no_next_meeting", "geen vervolgoverleg"),
        (MARLOES, NOORD, "at_risk", "focus in gevaar"),
    ],
)
def test_the_dashboard_shows_drift_as_a_colour_and_a_word(
    browser: FlaskClient, session: Session, demo: None, email: str, collab_id: int, status: str,
    word: str,
) -> None:  # fmt: skip
    log_in_as(browser, session, email)
    response = browser.get("/dashboard")
    row = dashboard_row(response, collab_id)
    assert f'<span class="status {status}">{word}</span>' in row
    assert f'class="health-{status}"' in response.get_data(as_text=True)


def test_the_dashboard_gives_next_meeting_gap_and_fill_in_date(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ADMIN)
    response = browser.get("/dashboard")
    page = text_of(response)
    assert all(name in page for name in (WOERDEN_NAME, EINDHOVEN_NAME, NOORD_NAME))
    noord = text_of_fragment(dashboard_row(response, NOORD))
    # Next meeting 26 Jan 2027 (week 4); 9 Sep → 26 Jan is 125 days without the Christmas weeks:
    # 17,9 weeks, never rounded up to 18.
    assert "di 26 jan 2027 19:00" in noord and "17,9 weken" in noord
    assert "Plan this" in noord or "Plan dit" in noord
    woerden = text_of_fragment(dashboard_row(response, WOERDEN))
    assert "di 24 nov 2026 15:30" in woerden
    assert 'name="day"' not in dashboard_row(response, WOERDEN)  # on track: nothing to fill in
    eindhoven = text_of_fragment(dashboard_row(response, EINDHOVEN))
    assert "Er is geen volgend overleg gepland." in eindhoven
    assert 'name="day"' in dashboard_row(response, EINDHOVEN)


def text_of_fragment(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_dashboard_speaks_english_on_request(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, MARLOES)
    page = text_of(browser.get("/dashboard?lang=en"))
    assert "at risk" in page and "Plan this" in page and "Tue 1 Dec 2026 19:00" in page


def test_a_school_administrator_without_collaborations_is_pointed_to_schools(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, SCHOOL_ADMIN)
    response = browser.get("/dashboard")
    assert response.status_code == 200
    assert "Minnaert College" in text_of(response)
    assert 'href="/schools' in response.get_data(as_text=True)
    assert 'href="/collaborations/new"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        f"/collaborations/{EINDHOVEN}",
        f"/collaborations/{EINDHOVEN}/year.svg",
        f"/collaborations/{EINDHOVEN}/edit",
        "/collaborations/999",
    ],
)
def test_another_coordinators_collaboration_is_not_found(
    browser: FlaskClient, session: Session, demo: None, url: str
) -> None:
    log_in_as(browser, session, ANOUK)
    response = browser.get(url)
    assert response.status_code == 404
    assert EINDHOVEN_NAME not in response.get_data(as_text=True)


def test_changes_to_another_coordinators_collaboration_are_refused(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    before = snapshot(app)
    fill = post(
        browser, f"/collaborations/{EINDHOVEN}/fill-in", {"day": "2026-11-23", "time": "14:00"}
    )
    edit = post(browser, f"/collaborations/{EINDHOVEN}/edit", {"name": "Overgenomen"})
    assert (fill.status_code, edit.status_code) == (404, 404)
    assert snapshot(app) == before
    assert session.get(Collaboration, EINDHOVEN).name == EINDHOVEN_NAME  # type: ignore[union-attr]


# --- Plan this ------------------------------------------------------------------------------------


def test_plan_this_confirms_the_fill_in_meeting_and_queues_its_invitations(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, MARLOES)
    row = dashboard_row(browser.get("/dashboard"), NOORD)
    day, time = hidden(row, "day"), hidden(row, "time")
    # Seen on Sat 21 Nov: five school days of notice end on Fri 27 Nov (not Tue 24 Nov).
    assert (day, time) == ("2026-12-01", "19:00")
    meetings_before = count_rows(app, Meeting)

    response = post(browser, f"/collaborations/{NOORD}/fill-in", {"day": day, "time": time})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "di 1 dec 2026" in text_of(browser.get("/dashboard"))

    assert count_rows(app, Meeting) == meetings_before + 1
    session.expire_all()
    meeting = session.scalars(
        select(Meeting).where(Meeting.collaboration_id == NOORD).order_by(Meeting.id.desc())
    ).first()
    assert meeting is not None
    assert meeting.day.isoformat() == day and meeting.status is MeetingStatus.CONFIRMED
    event = session.scalars(
        select(Event).where(Event.kind == "meetings.planned").order_by(Event.id.desc())
    ).first()
    assert event is not None and event.payload["meeting_ids"] == [meeting.id]
    assert event.done_at is None  # the worker sends the invitations

    worker = Worker(app)
    while worker.dispatch_events():
        pass
    session.expire_all()
    invites = session.scalars(select(Mail).where(Mail.raw.contains(meeting.uid))).all()
    # Marloes organises: her own copy has a UID of its own; the other coordinator is invited.
    assert sorted((mail.recipient, f"organizer-{meeting.uid}" in mail.raw) for mail in invites) == [
        ("m.kok@kennemerkind.example", True),
        ("s.visser@jeugdhulpdebrug.example", False),
    ]


@pytest.mark.parametrize(
    ("fields", "lang", "words"),
    [
        # Kerstvakantie: blocked for every member.
        ({"day": "2026-12-22", "time": "19:00"}, "nl", "Kerstvakantie"),
        # After the next meeting (26 Jan): it no longer fills the gap.
        ({"day": "2027-02-02", "time": "19:00"}, "en", "no longer lies between"),
        # The right day at a time the planner did not propose.
        ({"day": "2026-12-01", "time": "21:15"}, "en", "is no longer free"),
        # Inside the minimum notice: never a one-click plan.
        ({"day": "2026-11-24", "time": "19:00"}, "nl", "minimale aankondigingstermijn"),
        ({"day": "2026-11-10", "time": "19:00"}, "nl", "verleden"),
        ({"day": "not a date", "time": "19:00"}, "nl", "geen datum"),
        ({"day": "2026-12-01", "time": "7 uur"}, "nl", "geen tijd"),
    ],
)
def test_a_forged_or_stale_fill_in_date_is_refused_and_changes_nothing(
    app: Flask, browser: FlaskClient, session: Session, demo: None, fields: dict[str, str],
    lang: str, words: str,
) -> None:  # fmt: skip
    log_in_as(browser, session, MARLOES)
    before = snapshot(app)
    url = f"/collaborations/{NOORD}/fill-in?lang={lang}"
    response = post(browser, url, fields, follow_redirects=True)
    assert response.status_code == 200
    flash = re.search(r'<p class="flash error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert flash and words in flash[1], text_of(response)[:600]
    assert "Nothing was planned" in flash[1] or lang == "nl"
    assert snapshot(app) == before


def test_plan_this_twice_plans_once(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, MARLOES)
    fields = {"day": "2026-12-01", "time": "19:00", "back": "collaboration"}
    first = post(browser, f"/collaborations/{NOORD}/fill-in", fields)
    assert first.headers["Location"] == f"/collaborations/{NOORD}"
    before = snapshot(app)
    again = post(browser, f"/collaborations/{NOORD}/fill-in?lang=en", fields, follow_redirects=True)
    assert "no longer lies between" in text_of(again)
    assert snapshot(app) == before


def test_plan_this_without_a_csrf_token_changes_nothing(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, MARLOES)
    before = snapshot(app)
    browser.post(f"/collaborations/{NOORD}/fill-in", data={"day": "2026-12-01", "time": "19:00"})
    assert snapshot(app) == before


# --- The collaboration page -----------------------------------------------------------------------


def test_the_collaboration_page_shows_members_people_rhythm_and_meetings(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, FATIMA)
    response = browser.get(f"/collaborations/{EINDHOVEN}")
    assert response.status_code == 200
    page = text_of(response)
    for words in (
        EINDHOVEN_NAME,
        "Vakcollege Eindhoven",
        "Kempen Vakschool mbo",
        "Jeugdhulp De Brug",
        "zuid",
        "Fatima El Amrani",
        "Joost Bakker",
        "geen vervolgoverleg",
        "wo 16 sep 2026",  # the one meeting, now past
        "14:00–15:00",
    ):
        assert words in page, words
    html = response.get_data(as_text=True)
    meeting = session.scalars(select(Meeting).where(Meeting.collaboration_id == EINDHOVEN)).one()
    assert f'href="/meetings/{meeting.id}"' in html
    assert f'href="/collaborations/{EINDHOVEN}/plan"' in html
    assert f'href="/collaborations/{EINDHOVEN}/edit"' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html


def test_a_meeting_hit_by_a_new_test_week_shows_a_warning(
    cli: CLI, browser: FlaskClient, session: Session, demo: None
) -> None:
    meeting = session.scalars(
        select(Meeting)
        .where(Meeting.collaboration_id == WOERDEN, Meeting.day > date(2026, 12, 1))
        .order_by(Meeting.day)
    ).first()
    assert meeting is not None
    day = meeting.day.isoformat()
    cli.ok(
        "busy-periods", "add", "--org", "91XB", "--kind", "toetsweek", "--from", day, "--to", day
    )
    cli.ok("conflicts")
    log_in_as(browser, session, ANOUK)
    response = browser.get(f"/collaborations/{WOERDEN}")
    page = text_of(response)
    assert "⚠" in page and "Toetsweek — Groenendaal Lyceum" in page
    svg = ET.fromstring(re.search(r"<svg .*?</svg>", response.get_data(as_text=True), re.S)[0])  # type: ignore[index]
    marked = svg.find(f".//{SVG}g[@data-meeting='{meeting.id}']")
    assert marked is not None and marked.find(f".//{SVG}path") is not None  # the diamond


# --- The year picture -----------------------------------------------------------------------------


def week_columns(svg: ET.Element) -> dict[int, float]:
    """The x of each week number label, as printed above the columns."""
    found = {}
    for group in svg.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        text = group.find(f"{SVG}text")
        if title is not None and text is not None and (title.text or "").startswith("Week "):
            found[int(text.text or 0)] = float(text.get("x") or 0)
    return found


def marks_of(svg: ET.Element, organisation: str) -> list[tuple[str, float, float, str]]:
    """(kind, left, right, tooltip) of each coloured run in an organisation's row."""
    for row in svg.iter(f"{SVG}g"):
        if row.get("class") == "row" and row.findtext(f"{SVG}title") == organisation:
            return [
                (
                    rect.get("data-kind") or "",
                    float(rect.get("x") or 0),
                    float(rect.get("x") or 0) + float(rect.get("width") or 0),
                    rect.findtext(f"{SVG}title") or "",
                )
                for rect in row.iter(f"{SVG}rect")
                if rect.get("class") == "mark"
            ]
    raise AssertionError(f"no row for {organisation}")


def test_the_year_svg_stands_alone_with_one_row_per_member(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    response = browser.get(f"/collaborations/{WOERDEN}/year.svg?year=2026-2027")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = svg_of(response)
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "yp-title yp-desc"
    assert WOERDEN_NAME in (svg.findtext(f"{SVG}title") or "")
    rows = [g.findtext(f"{SVG}title") for g in svg.iter(f"{SVG}g") if g.get("class") == "row"]
    assert rows == ["Minnaert College", "Groenendaal Lyceum"]
    legend = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    for word in ("Schoolvakantie", "Feestdag", "Toetsweek", "Open dag", "Studiedag"):
        assert word in legend
    download = browser.get(f"/collaborations/{WOERDEN}/year.svg?download=1")
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_year_picture_colours_each_schools_own_autumn_holiday(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    svg = svg_of(browser.get(f"/collaborations/{WOERDEN}/year.svg?year=2026-2027"))
    columns = week_columns(svg)
    assert columns[32] < columns[43] < columns[30]  # August first, July last

    def holiday_over(organisation: str, week: int) -> str:
        for kind, left, right, tip in marks_of(svg, organisation):
            if kind == "school_holiday" and left < columns[week] < right:
                return tip
        return ""

    # Herfstvakantie midden is week 43; Groenendaal takes it a week earlier (its own dates).
    assert "Herfstvakantie midden" in holiday_over("Minnaert College", 43)
    assert "ma 19 okt 2026" in holiday_over("Minnaert College", 43)
    assert holiday_over("Minnaert College", 42) == ""
    assert "eigen data" in holiday_over("Groenendaal Lyceum", 42)
    assert holiday_over("Groenendaal Lyceum", 43) == ""
    # Minnaert's test weeks 46-47 are there too, as test weeks.
    kinds = {
        kind
        for kind, left, right, _ in marks_of(svg, "Minnaert College")
        if left < columns[46] < right
    }
    assert kinds == {"test_week"}


def test_the_year_picture_marks_every_meeting_of_the_year(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    svg = svg_of(browser.get(f"/collaborations/{WOERDEN}/year.svg?year=2026-2027"))
    stored = session.scalars(
        select(Meeting).where(Meeting.collaboration_id == WOERDEN).order_by(Meeting.day)
    ).all()
    assert len(stored) > 5
    marked = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "meeting"]
    assert [int(g.get("data-meeting") or 0) for g in marked] == [m.id for m in stored]
    numbers = [g.findall(f".//{SVG}text")[-1].text for g in marked]
    assert numbers == [str(n) for n in range(1, len(stored) + 1)]
    # No gap of Woerden is longer than its maximum.
    assert not [g for g in svg.iter(f"{SVG}g") if g.get("class") == "gap"]


def test_the_drifting_collaboration_has_its_long_gap_highlighted(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, MARLOES)
    svg = svg_of(browser.get(f"/collaborations/{NOORD}/year.svg?year=2026-2027"))
    gaps = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "gap"]
    closed = [g for g in gaps if g.get("data-open") == "false"]
    assert len(closed) == 1
    gap = closed[0]
    assert gap.get("data-weeks") == "17.9"
    tip = gap.findtext(f"{SVG}title") or ""
    assert "wo 9 sep 2026" in tip and "di 26 jan 2027" in tip
    assert any("17,9 weken" in (t.text or "") for t in gap.iter(f"{SVG}text"))
    rect = gap.find(f"{SVG}rect")
    assert rect is not None and rect.get("stroke") == "#a4161a"
    # Five member rows: three boards, a school and a partner (public holidays only).
    rows = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "row"]
    assert len(rows) == 5
    partner = marks_of(svg, "Jeugdhulp De Brug")
    assert {kind for kind, *_ in partner} <= {"public_holiday", "other"}
    assert any(kind == "public_holiday" and "Koningsdag" in tip for kind, _, _, tip in partner)


def test_the_collaboration_page_has_a_text_alternative_and_year_navigation(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, MARLOES)
    response = browser.get(f"/collaborations/{NOORD}?year=2026-2027")
    html = response.get_data(as_text=True)
    details = re.search(r'<details class="text-alternative">(.*?)</details>', html, re.S)
    assert details
    text = text_of_fragment(details[1])
    assert "Stichting Kennemer Kind" in text and "Herfstvakantie noord" in text
    assert "wo 9 sep 2026" in text and "17,9 weken" in text
    assert "?year=2025-2026" in html and "?year=2027-2028" in html
    other_year = browser.get(f"/collaborations/{NOORD}?year=2025-2026")
    assert other_year.status_code == 200 and "2025-2026" in text_of(other_year)
    bad_year = browser.get(f"/collaborations/{NOORD}?year=2026")
    assert bad_year.status_code == 400 and "2026-2027" in text_of(bad_year)


# --- Creating and editing -------------------------------------------------------------------------


NEW_PARTICIPANTS = "Nieuwe Collega <nieuw@minnaert.example>\ne.yilmaz@groenendaal.example"


def collaboration_form(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Samen sterk in Woerden",
        "ambition": "Eén aanpak voor verzuim.",
        "target_weeks": "6",
        "max_gap_weeks": "8",
        "weekdays": ["2", "4"],
        "start_time": "15:30",
        "latest_start": "",
        "duration_minutes": "90",
        "location": "rotate",
        "location_note": "",
        "members": ["1", "2"],
        "coordinator_lines": "",
        "participant_lines": NEW_PARTICIPANTS,
        "reminder_hours": "",
    }
    fields.update(changes)
    return fields


def test_a_coordinator_starts_a_collaboration_and_coordinates_it(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    anouk = log_in_as(browser, session, ANOUK)
    form = browser.get("/collaborations/new")
    assert form.status_code == 200
    assert "Anouk de Vries &lt;a.devries@minnaert.example&gt;" in form.get_data(as_text=True)
    response = post(browser, "/collaborations/new", collaboration_form())
    assert response.status_code == 302
    session.expire_all()
    collab = session.scalars(
        select(Collaboration).where(Collaboration.name == "Samen sterk in Woerden")
    ).one()
    assert response.headers["Location"] == f"/collaborations/{collab.id}"
    roles = {(link.person.email, link.role) for link in collab.people}
    assert (anouk.email, Role.COORDINATOR) in roles
    assert ("nieuw@minnaert.example", Role.PARTICIPANT) in roles
    assert collab.weekdays == "24" and collab.max_gap_weeks == 8
    page = text_of(browser.get(response.headers["Location"]))
    assert "Samen sterk in Woerden" in page and "Nieuwe Collega" in page
    assert "Samen sterk in Woerden" in text_of(browser.get("/dashboard"))


@pytest.mark.parametrize(
    ("changes", "lang", "words"),
    [
        ({"target_weeks": "8", "max_gap_weeks": "6"}, "nl", "maximale gat"),
        ({"weekdays": []}, "en", "Choose at least one weekday."),
        ({"members": []}, "en", "Choose at least one member organisation."),
        ({"members": ["1", "999"]}, "nl", "ongeldige keuze"),
        ({"name": ""}, "nl", "Dit veld is vereist."),
        ({"duration_minutes": "5"}, "nl", "tussen 15 en 600"),
        ({"start_time": "25:00"}, "nl", "Ongeldige waarde voor tijd"),
        ({"participant_lines": "Zonder Adres <geen-adres>"}, "nl", "geen e-mailadres"),
        ({"participant_lines": "onbekend@nergens.example"}, "nl", "Onbekende persoon"),
        (
            {"coordinator_lines": f"p.jansen@groenendaal.example\n{FATIMA}"},
            "nl",
            "een of twee regisseurs",
        ),
    ],
)
def test_bad_input_when_starting_a_collaboration_changes_nothing(
    app: Flask, browser: FlaskClient, session: Session, demo: None, changes: dict[str, Any],
    lang: str, words: str,
) -> None:  # fmt: skip
    log_in_as(browser, session, ANOUK)
    before = snapshot(app)
    response = post(browser, f"/collaborations/new?lang={lang}", collaboration_form(**changes))
    assert response.status_code == 400
    assert words in text_of(response), text_of(response)[:1500]
    assert snapshot(app) == before


def test_a_coordinator_edits_a_collaboration(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ANOUK)
    form = browser.get(f"/collaborations/{WOERDEN}/edit")
    html = form.get_data(as_text=True)
    assert f'value="{WOERDEN_NAME}"' in html
    assert "Pieter Jansen &lt;p.jansen@groenendaal.example&gt;" in html
    fields = collaboration_form(
        name="Startersbegeleiding Woerden e.o.",
        target_weeks="4",
        max_gap_weeks="7",
        weekdays=["2", "4"],
        members=["1", "2"],
        coordinator_lines="a.devries@minnaert.example\np.jansen@groenendaal.example",
        participant_lines="e.yilmaz@groenendaal.example",
        reminder_hours="24",
    )
    response = post(browser, f"/collaborations/{WOERDEN}/edit", fields)
    assert response.status_code == 302
    session.expire_all()
    collab = session.get(Collaboration, WOERDEN)
    assert collab is not None
    assert (collab.name, collab.max_gap_weeks, collab.reminder_hours) == (
        "Startersbegeleiding Woerden e.o.",
        7,
        24,
    )
    changed = session.scalars(select(Event).where(Event.kind == "collaboration.changed")).all()
    assert [event.payload["collaboration_id"] for event in changed] == [WOERDEN]
    page = text_of(browser.get(f"/collaborations/{WOERDEN}"))
    assert "24 uur" in page or "24 hours" in page


@pytest.mark.parametrize(
    ("changes", "lang", "words"),
    [
        ({"target_weeks": "8", "max_gap_weeks": "6"}, "nl", "maximale gat"),
        ({"members": []}, "en", "Choose at least one member organisation."),
        ({"coordinator_lines": "p.jansen@groenendaal.example"}, "en", "Keep yourself"),
        ({"participant_lines": "geen-adres"}, "nl", "Onbekende persoon"),
    ],
)
def test_bad_input_when_editing_changes_nothing(
    app: Flask, browser: FlaskClient, session: Session, demo: None, changes: dict[str, Any],
    lang: str, words: str,
) -> None:  # fmt: skip
    log_in_as(browser, session, ANOUK)
    before = snapshot(app)
    fields = collaboration_form(
        name="Andere naam", coordinator_lines=f"{ANOUK}\np.jansen@groenendaal.example"
    )
    fields.update(changes)
    response = post(browser, f"/collaborations/{WOERDEN}/edit?lang={lang}", fields)
    assert response.status_code == 400
    assert words in text_of(response), text_of(response)[:1500]
    assert snapshot(app) == before
    session.expire_all()
    assert session.get(Collaboration, WOERDEN).name == WOERDEN_NAME  # type: ignore[union-attr]


def test_a_platform_administrator_may_start_one_for_others(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    log_in_as(browser, session, ADMIN)
    fields = collaboration_form(coordinator_lines="Nieuwe Regisseur <regie@partner.example>")
    response = post(browser, "/collaborations/new", fields)
    assert response.status_code == 302
    session.expire_all()
    collab = session.scalars(
        select(Collaboration).where(Collaboration.name == "Samen sterk in Woerden")
    ).one()
    assert [
        p.email for p in (link.person for link in collab.people if link.role is Role.COORDINATOR)
    ] == ["regie@partner.example"]


def test_the_dashboard_puts_the_most_urgent_first_and_bounds_the_fill_in_search(
    app: Flask, session: Session, demo: None
) -> None:
    admin = session.scalars(select(Person).where(Person.email == ADMIN)).one()
    with app.test_request_context():
        now = NOW.replace(month=11, day=21)
        rows = dashboard_rows(session, admin, now, fill_in_limit=1)
    assert [row.collaboration.id for row in rows] == [EINDHOVEN, NOORD, WOERDEN]
    assert [row.fill_in_searched for row in rows] == [True, False, False]
    assert rows[0].fill_in is not None and rows[1].fill_in is None
