"""A school's notes are the school's (issue 16, part 4): a collaboration a school was added to
sees its busy periods as kind and dates ("Open dag: bezet") until one of the school's
administrators agrees; adding the school asks them (one mail each); the days are avoided
either way. Through the pages, the JSON API, the CLI and the feeds."""

from __future__ import annotations

import json
import re
from email import message_from_string, policy

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.models import Mail
from tests.factories import (
    ANOUK,
    SCHOOL_ADMIN,
    Doors,
    api_message,
    log_in_as,
    organisation_by_brin,
    page_text,
    person_by_email,
    woerden_form,
)
from tests.helpers import dispatch

GROENENDAAL_ADMIN = "roosters@groenendaal.example"  # administers Groenendaal (91XB)
NOTE = "Schoolreis brugklassen"  # what Groenendaal writes about a week of its own
YEAR = "2026-2027"


def _groenendaal_trip(doors: Doors) -> None:
    """A week only Groenendaal is away, in words only Groenendaal uses."""
    added = doors.call(
        "POST",
        "/api/v1/organisations/91XB/busy-periods",
        json={
            "kind": "other",
            "first_day": "2027-03-15",
            "last_day": "2027-03-19",
            "severity": "hard",
            "note": NOTE,
        },
    )
    assert added.status_code == 201, added.get_data(as_text=True)


def _year_picture(doors: Doors, collab_id: int) -> str:
    response = doors.browser.get(f"/collaborations/{collab_id}/year.svg?year={YEAR}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _explained(doors: Doors, collab_id: int) -> str:
    """Why the plan refuses Tuesday 16 March 2027, in Groenendaal's week away (API)."""
    url = f"/api/v1/collaborations/{collab_id}/plan?school_year={YEAR}&days=2027-03-16"
    refused = doors.call("GET", url)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    return api_message(refused)


def _asked_mails(session: Session) -> list[Mail]:
    session.expire_all()
    return [
        mail
        for mail in session.scalars(select(Mail).order_by(Mail.id))
        if mail.dedupe_key.startswith("membership-asked:")
    ]


def _new_collaboration_on_the_page(doors: Doors, session: Session, email: str) -> int:
    """`email` starts a collaboration of Minnaert (91XA) and Groenendaal (91XB) on the page."""
    _groenendaal_trip(doors)
    members = [str(organisation_by_brin(session, brin).id) for brin in ("91XA", "91XB")]
    doors.log_in(email)
    form = woerden_form(name="Samen lezen", members=members, coordinator_lines=email)
    response = doors.page("/collaborations/new", form)
    assert response.status_code == 302, page_text(response)
    match = re.search(r"/collaborations/(\d+)$", response.headers["Location"])
    assert match
    return int(match[1])


def test_a_school_added_by_a_coordinator_is_asked_and_shown_as_busy_until_it_agrees(
    app: Flask, doors: Doors, session: Session, demo: None
) -> None:
    collab_id = _new_collaboration_on_the_page(doors, session, ANOUK)
    # The coordinator sees both schools' open days as busy, not what the schools wrote.
    picture = _year_picture(doors, collab_id)
    assert "Overig: bezet" in picture and NOTE not in picture
    page = page_text(doors.browser.get(f"/collaborations/{collab_id}"))
    assert page.count("het delen van haar toelichtingen") == 2
    assert (
        _explained(doors, collab_id)
        == "di 16 mrt 2027 kan niet: Overig: bezet — Groenendaal Lyceum."
    )

    # Each school's administrator gets one mail, in Dutch, with the page to answer on.
    dispatch(app)
    asked = _asked_mails(session)
    groenendaal = organisation_by_brin(session, "91XB")
    assert sorted(mail.recipient for mail in asked) == [GROENENDAAL_ADMIN, SCHOOL_ADMIN]
    mail = next(mail for mail in asked if mail.recipient == GROENENDAAL_ADMIN)
    assert "Samen lezen" in mail.subject and "toelichtingen" in mail.subject
    text = message_from_string(mail.raw, policy=policy.default).get_body(("plain",))
    assert text is not None
    assert f"/schools/{groenendaal.id}/memberships" in text.get_content()
    dispatch(app)
    assert len(_asked_mails(session)) == 2  # asked once, however often the worker runs

    # A coordinator cannot answer for the school, on its page or by posting the form.
    answer_url = f"/schools/{groenendaal.id}/memberships/{collab_id}/agreed"
    assert doors.browser.get(f"/schools/{groenendaal.id}/memberships").status_code == 403
    assert doors.page(answer_url, {}).status_code == 403

    # Groenendaal's administrator sees the question and agrees.
    doors.log_in(GROENENDAAL_ADMIN)
    school_page = page_text(doors.browser.get(f"/schools/{groenendaal.id}"))
    assert "1 samenwerking vraagt of zij de toelichtingen" in school_page
    listed = page_text(doors.browser.get(f"/schools/{groenendaal.id}/memberships"))
    assert "Samen lezen" in listed and "Wacht op uw antwoord" in listed
    agreed = doors.page(answer_url, {})
    assert agreed.status_code == 302
    listed = page_text(doors.browser.get(f"/schools/{groenendaal.id}/memberships"))
    assert "Akkoord" in listed and "door Ilse de Boer" in listed

    # Now the coordinator reads Groenendaal's notes; Minnaert's stay its own.
    doors.log_in(ANOUK)
    picture = _year_picture(doors, collab_id)
    assert f"Overig: {NOTE}" in picture and "Overig: bezet" not in picture
    assert NOTE in _explained(doors, collab_id)
    page = page_text(doors.browser.get(f"/collaborations/{collab_id}"))
    assert page.count("het delen van haar toelichtingen") == 1
    # ...and is told so by mail.
    dispatch(app)
    session.expire_all()
    told = [
        m for m in session.scalars(select(Mail)) if m.dedupe_key.startswith("membership-answered:")
    ]
    assert [m.recipient for m in told] == [ANOUK]
    assert "Groenendaal" in told[0].subject and "deelt" in told[0].subject


def test_a_school_administrator_who_adds_their_own_school_agrees_by_doing_so(
    app: Flask, doors: Doors, session: Session, demo: None
) -> None:
    collab_id = _new_collaboration_on_the_page(doors, session, SCHOOL_ADMIN)
    members = doors.call("GET", f"/api/v1/collaborations/{collab_id}").get_json()["members"]
    assert {m["brin"]: m["consent"] for m in members} == {"91XA": "agreed", "91XB": "asked"}
    dispatch(app)
    assert [mail.recipient for mail in _asked_mails(session)] == [GROENENDAAL_ADMIN]


def test_the_days_of_a_school_that_declined_are_still_avoided(
    doors: Doors, session: Session, demo: None
) -> None:
    """Declining hides words, never days: the plan is the same either way."""
    collab_id = _new_collaboration_on_the_page(doors, session, ANOUK)
    before = doors.call("GET", f"/api/v1/collaborations/{collab_id}/plan?school_year={YEAR}")
    for brin in ("91XA", "91XB"):
        answered = doors.call(
            "PUT", f"/api/v1/organisations/{brin}/memberships/{collab_id}", json={"consent": "nee"}
        )
        assert answered.status_code == 200 and answered.get_json()["consent"] == "declined"
    after = doors.call("GET", f"/api/v1/collaborations/{collab_id}/plan?school_year={YEAR}")
    days = [[m["day"] for m in response.get_json()["meetings"]] for response in (before, after)]
    assert days[0] == days[1] and len(days[0]) > 5


def test_the_api_lists_and_answers_memberships_and_refuses_bad_answers(
    doors: Doors, session: Session, demo: None
) -> None:
    _groenendaal_trip(doors)
    created = doors.call(
        "POST",
        "/api/v1/collaborations",
        json={"name": "Via de API", "members": ["91XA", "91XB"], "coordinators": [ANOUK]},
    )
    assert created.status_code == 201
    collab_id = created.get_json()["id"]
    assert [m["consent"] for m in created.get_json()["members"]] == ["asked", "asked"]
    assert "Overig: bezet" in _explained(doors, collab_id)
    listed = doors.call("GET", "/api/v1/organisations/91XB/memberships").get_json()
    mine = next(item for item in listed if item["collaboration"]["id"] == collab_id)
    assert mine["consent"] == "asked"

    url = f"/api/v1/organisations/91XB/memberships/{collab_id}"
    for body, status, words in [
        ({"consent": "misschien"}, 400, "geen antwoord"),
        ({"consent": "agreed", "by": "me"}, 400, "Onbekend"),
        ({}, 400, "geen antwoord"),
    ]:
        refused = doors.call("PUT", url, json=body)
        assert refused.status_code == status and words in api_message(refused), body
    missing = doors.call("PUT", "/api/v1/organisations/91XB/memberships/9999", json={})
    assert missing.status_code == 400  # the answer is checked before anything is looked up
    missing = doors.call(
        "PUT", "/api/v1/organisations/92XC/memberships/1", json={"consent": "agreed"}
    )
    assert missing.status_code == 404 and "geen lid" in api_message(missing)
    still = doors.call("GET", "/api/v1/organisations/91XB/memberships").get_json()
    assert next(i for i in still if i["collaboration"]["id"] == collab_id)["consent"] == "asked"

    agreed = doors.call("PUT", url, json={"consent": "agreed"})
    assert agreed.status_code == 200 and agreed.get_json()["consent"] == "agreed"
    assert f"Overig: {NOTE} — Groenendaal Lyceum" in _explained(doors, collab_id)


def test_the_cli_lists_and_answers_memberships(doors: Doors, session: Session, demo: None) -> None:
    collab_id = _new_collaboration_on_the_page(doors, session, ANOUK)
    listed = doors.run("organisations", "memberships", "91XB")
    assert listed.exit_code == 0 and "Samen lezen" in listed.output
    assert "wacht op antwoord" in listed.output
    answered = doors.run("organisations", "consent", "91XB", str(collab_id), "--agree")
    assert answered.exit_code == 0, answered.output
    assert "ziet nu de toelichtingen" in answered.output
    shown = json.loads(doors.run("organisations", "memberships", "91XB", "--json").output)
    assert next(i for i in shown if i["collaboration"]["id"] == collab_id)["consent"] == "agreed"
    refused = doors.run("organisations", "consent", "91XB", "9999", "--decline")
    assert refused.exit_code != 0 and "geen lid" in refused.output


def test_a_feed_of_the_collaboration_shows_a_school_that_has_not_agreed_as_busy(
    doors: Doors, session: Session, demo: None
) -> None:
    collab_id = _new_collaboration_on_the_page(doors, session, ANOUK)
    made = doors.call(
        "POST", "/api/v1/feeds", json={"collaboration": collab_id, "blocked_days": True}
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    path = f"/feeds/{made.get_json()['token']}.ics"

    def feed() -> str:
        response = doors.browser.get(path)
        assert response.status_code == 200
        return _unfolded(response.get_data(as_text=True))

    before = feed()
    assert "Overig: bezet" in before and NOTE not in before
    doors.call(
        "PUT", f"/api/v1/organisations/91XB/memberships/{collab_id}", json={"consent": "agreed"}
    )
    assert NOTE in feed()


def _unfolded(ics: str) -> str:
    return ics.replace("\r\n ", "").replace("\\,", ",")


def test_only_the_schools_own_administrators_may_answer_on_the_page(
    doors: Doors, session: Session, demo: None
) -> None:
    """Minnaert's administrator may not answer for Groenendaal; nothing changes."""
    collab_id = _new_collaboration_on_the_page(doors, session, ANOUK)
    groenendaal = organisation_by_brin(session, "91XB")
    log_in_as(doors.browser, session, SCHOOL_ADMIN)
    url = f"/schools/{groenendaal.id}/memberships/{collab_id}/agreed"
    assert doors.page(url, {}).status_code == 403
    member = doors.call("GET", f"/api/v1/collaborations/{collab_id}").get_json()["members"]
    assert [m["consent"] for m in member] == ["asked", "asked"]
    assert person_by_email(session, SCHOOL_ADMIN).is_admin is False


def test_what_is_stored_on_a_meeting_follows_the_schools_answer_and_tells_no_one_twice(
    app: Flask, doors: Doors, session: Session, demo: None
) -> None:
    """A conflict flag stores the words of the day it hit. When Groenendaal takes its consent
    back, the meeting page and the collaboration page stop showing its note, and the next scan
    does not report the same conflict again."""
    collab_id = _new_collaboration_on_the_page(doors, session, ANOUK)
    url = f"/api/v1/organisations/91XB/memberships/{collab_id}"
    doors.call("PUT", url, json={"consent": "agreed"})
    planned = doors.call(
        "POST", f"/api/v1/collaborations/{collab_id}/plan", json={"school_year": YEAR}
    )
    assert planned.status_code in (200, 201), planned.get_data(as_text=True)
    listed = doors.call("GET", f"/api/v1/collaborations/{collab_id}/meetings").get_json()
    meeting = listed[2]
    hit = doors.call(
        "POST",
        "/api/v1/organisations/91XB/busy-periods",
        json={"kind": "other", "first_day": meeting["day"], "severity": "hard", "note": "Musical"},
    )
    assert hit.status_code == 201
    dispatch(app)
    doors.log_in(ANOUK)
    page = page_text(doors.browser.get(f"/meetings/{meeting['id']}"))
    assert "Overig: Musical — Groenendaal Lyceum" in page
    conflicts_before = doors.call("POST", "/api/v1/conflicts/scan").get_json()["conflicts"]
    assert [c["new"] for c in conflicts_before if c["meeting"]["id"] == meeting["id"]] == [False]

    doors.call("PUT", url, json={"consent": "declined"})
    for address in (f"/meetings/{meeting['id']}", f"/collaborations/{collab_id}"):
        shown = page_text(doors.browser.get(address))
        assert "Musical" not in shown and "Overig: bezet" in shown, address
    rescan = doors.call("POST", "/api/v1/conflicts/scan").get_json()["conflicts"]
    assert [c["new"] for c in rescan if c["meeting"]["id"] == meeting["id"]] == [False]


def test_a_reason_stored_before_notes_were_withheld_loses_its_note() -> None:
    """Meetings planned before the upgrade keep their stored reasons without a withheld
    label: for a school that has not agreed, the note after the kind is cut off."""
    from planner.services.memberships import shown_label

    school = frozenset({"Groenendaal Lyceum"})
    old = {"label": "Toetsweek: 4 havo herkansingen", "who": "Groenendaal Lyceum"}
    assert shown_label(old, school) == "Toetsweek: bezet"
    english = {"label": "Test week: re-sits", "who": "Groenendaal Lyceum"}
    assert shown_label(english, school) == "Test week: busy"
    assert shown_label(old, frozenset()) == old["label"]  # agreed: as stored
    holiday = {"label": "Herfstvakantie midden", "who": "Groenendaal Lyceum"}
    assert shown_label(holiday, school) == holiday["label"]  # no note: nothing to withhold
    meeting = {"label": "Overleg LOB: 15:00", "who": "Groenendaal Lyceum"}
    assert shown_label(meeting, school) == meeting["label"]  # not a kind of busy period
