"""The plan wizard and the meeting page, as coordinators use them in a browser.

The demo at FROZEN_NOW, Tuesday 1 Sep 2026 10:00 in Amsterdam: "Doorlopende leerlijn techniek
Eindhoven" (id 2, Fatima El Amrani) has one meeting on 16 Sep and nothing after it;
"Startersbegeleiding Woerden" (id 1, Anouk de Vries and Pieter Jansen) is planned for the year,
with Pieter and Esra Yilmaz invited (Anouk organises).
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date
from email.message import EmailMessage
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import AttendanceStatus, MeetingStatus
from planner.messaging.content import digest_key
from planner.messaging.worker import Worker
from planner.models import Collaboration, Event, Mail, Meeting
from planner.services import busy_periods, planning
from planner.services.attendance import record_answer
from planner.text.formatting import format_day
from tests.factories import (
    ADMIN,
    ANOUK,
    EINDHOVEN,
    FATIMA,
    MARLOES,
    NOW,
    WOERDEN,
    events_of_kind,
    log_in_as,
    person_by_email,
)
from tests.helpers import count_rows
from tests.web import Forms, post, text_of

YEAR = "/collaborations/2/plan?scope=year&school_year=2026-2027"


def meetings_of(session: Session, collab_id: int) -> list[Meeting]:
    session.expire_all()
    return list(
        session.scalars(
            select(Meeting).where(Meeting.collaboration_id == collab_id).order_by(Meeting.day)
        )
    )


def nth_meeting(session: Session, collab_id: int, index: int) -> Meeting:
    return meetings_of(session, collab_id)[index]


def plan_form(response: TestResponse, collab_id: int = EINDHOVEN) -> dict[str, Any]:
    return Forms(response.get_data(as_text=True)).post_form(f"/collaborations/{collab_id}/plan")


def send(
    browser: FlaskClient, url: str, fields: list[tuple[str, str]], **changes: str
) -> TestResponse:
    """POST the fields of a form (a list: repeated names), some of them changed."""
    data: dict[str, Any] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [value]
    return browser.post(url, data=data)


def flashes(browser: FlaskClient) -> str:
    """The flashed messages, as the next page shows them."""
    html = browser.get("/collaborations/2/plan").get_data(as_text=True)
    return " ".join(re.findall(r'<p class="flash [a-z]+">(.*?)</p>', html, re.S))


# --- the plan wizard ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(demo: None, browser: FlaskClient) -> None:
    for response in (
        browser.get("/collaborations/2/plan"),
        browser.get("/meetings/3"),
        browser.get("/meetings/3/cancel"),
        post(browser, "/meetings/3/move", {"choice": "other", "day": "2026-10-29"}),
        post(browser, "/meetings/3/cancel", {"confirm": "y"}),
        post(browser, "/collaborations/2/plan", {"scope": "year", "action": "confirm"}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_the_wizard_proposes_the_school_year_with_reasons_per_date(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    log_in_as(browser, session, FATIMA)
    first = browser.get("/collaborations/2/plan")
    assert first.status_code == 200
    assert "2026-2027" in text_of(first) and "2027-2028" in text_of(first)
    before = count_rows(app, Meeting)

    page = browser.get(YEAR)
    assert page.status_code == 200
    text = text_of(page)
    collab = session.get(Collaboration, EINDHOVEN)
    assert collab is not None
    expected = planning.preview_plan(session, collab, NOW, school_year="2026-2027")
    assert len(expected.new_meetings) >= 4
    for item in expected.meetings:
        assert f"{format_day(item.day, 'nl')} week {item.day.isocalendar().week}" in text
    assert "14:00–15:00" in text and "Kempen Vakschool mbo, Eindhoven" in text
    # Why a date: the gap, and the nearer days the Christmas holiday ruled out.
    assert "na het vorige overleg van wo 16 sep 2026" in text
    assert re.search(r"Niet (ma|wo) \d+ dec 2026: Kerstvakantie zuid", text)
    # The meeting of 16 Sep is kept; every new one has its own alternatives to pick.
    form = plan_form(page)
    assert ("fixed", str(nth_meeting(session, EINDHOVEN, 0).id)) in form["fields"]
    new_days = [value for name, value in form["fields"] if name == "day"]
    assert new_days == [item.day.isoformat() for item in expected.new_meetings]
    for day in new_days:
        options = form["radios"][f"choice-{day}"]
        assert options[0] == day and len(options) > 1
    assert count_rows(app, Meeting) == before  # a preview stores nothing


def test_confirming_stores_the_meetings_and_queues_the_invitations(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    log_in_as(browser, session, FATIMA)
    form = plan_form(browser.get(YEAR))
    new_days = [value for name, value in form["fields"] if name == "day"]
    planned_before = len(events_of_kind(session, "meetings.planned", fresh=True))
    response = send(browser, "/collaborations/2/plan?lang=en", form["fields"], action="confirm")
    assert response.status_code == 303
    # Back on the collaboration page, at the year picture of the school year just planned.
    assert response.headers["Location"] == "/collaborations/2?year=2026-2027#year-title"
    stored = meetings_of(session, EINDHOVEN)
    assert [m.day.isoformat() for m in stored[1:]] == new_days
    assert all(m.status is MeetingStatus.CONFIRMED for m in stored)
    planned = events_of_kind(session, "meetings.planned", fresh=True)
    assert len(planned) == planned_before + 1
    assert planned[-1].payload["meeting_ids"] == [m.id for m in stored[1:]]
    assert planned[-1].done_at is None  # the worker sends the invitations
    assert f"{len(new_days)} meetings planned. The invitations are being sent." in flashes(browser)
    # Planned now: the wizard has nothing more to add for this year.
    again = text_of(browser.get(YEAR + "&lang=en"))
    assert "Nothing to add: this period is planned already." in again


def test_picking_an_alternative_changes_the_date_that_is_confirmed(
    demo: None, browser: FlaskClient, session: Session
) -> None:
    log_in_as(browser, session, FATIMA)
    form = plan_form(browser.get(YEAR))
    days = [value for name, value in form["fields"] if name == "day"]
    second = days[1]
    picked = form["radios"][f"choice-{second}"][1]
    response = send(
        browser,
        "/collaborations/2/plan",
        form["fields"],
        **{"action": "preview", f"choice-{second}": picked},
    )
    assert response.status_code == 303
    shown = browser.get(response.headers["Location"])
    assert shown.status_code == 200
    assert f"{format_day(date.fromisoformat(picked), 'nl')} week" in text_of(shown)
    form = plan_form(shown)
    days_now = [value for name, value in form["fields"] if name == "day"]
    assert picked in days_now and second not in days_now
    assert len(days_now) == len(days)
    assert meetings_of(session, EINDHOVEN)[1:] == []  # still nothing stored

    response = send(browser, "/collaborations/2/plan", form["fields"], action="confirm")
    assert response.status_code == 303
    stored = [m.day.isoformat() for m in meetings_of(session, EINDHOVEN)[1:]]
    assert stored == days_now


def test_picks_need_a_look_before_they_are_confirmed(
    demo: None, browser: FlaskClient, session: Session
) -> None:
    log_in_as(browser, session, FATIMA)
    form = plan_form(browser.get(YEAR))
    first = next(value for name, value in form["fields"] if name == "day")
    picked = form["radios"][f"choice-{first}"][1]
    response = send(
        browser,
        "/collaborations/2/plan",
        form["fields"],
        **{"action": "confirm", f"choice-{first}": picked},
    )
    assert response.status_code == 303 and f"day={picked}" in response.headers["Location"]
    assert meetings_of(session, EINDHOVEN)[1:] == []


def test_a_forged_or_blocked_date_is_refused_and_nothing_is_stored(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    log_in_as(browser, session, FATIMA)
    form = plan_form(browser.get(YEAR))
    days = [value for name, value in form["fields"] if name == "day"]
    meetings_before, events_before = count_rows(app, Meeting), count_rows(app, Event)

    def confirm_with(replace: str, by: str) -> TestResponse:
        fields = [(n, by if (n, v) == ("day", replace) else v) for n, v in form["fields"]]
        return send(browser, "/collaborations/2/plan", fields, action="confirm")

    # A day in the Christmas holiday of both Eindhoven schools.
    refused = confirm_with(days[1], "2026-12-23")
    assert refused.status_code == 400
    assert "wo 23 dec 2026 kan niet: Kerstvakantie zuid" in text_of(refused)
    # A day after the school year.
    outside = confirm_with(days[-1], "2027-08-11")
    assert outside.status_code == 400
    assert "wo 11 aug 2027 valt buiten de planperiode" in text_of(outside)
    # A malformed date.
    assert confirm_with(days[0], "2026-13-45").status_code == 400
    # A pick that is no possible day: the new preview says why.
    shown = browser.get(YEAR + f"&day={days[0]}&day=2026-12-26")
    assert shown.status_code == 400
    assert "za 26 dec 2026 kan niet" in text_of(shown)
    # A day that became blocked after the preview was shown: a test week at the school.
    first = date.fromisoformat(days[0])
    busy_periods.create_busy_period(
        session,
        {"organisation": "92XC", "kind": "toetsweek", "first_day": first.isoformat()},
        NOW,
    )
    session.commit()
    blocked = send(browser, "/collaborations/2/plan", form["fields"], action="confirm")
    assert blocked.status_code == 400
    assert f"{format_day(first, 'nl')} kan niet: Toetsweek — Vakcollege Eindhoven" in text_of(
        blocked
    )
    assert count_rows(app, Meeting) == meetings_before
    assert count_rows(app, Event) == events_before + 1  # the busy period's own event only


def test_a_meeting_planned_meanwhile_stops_the_confirmation(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    log_in_as(browser, session, FATIMA)
    form = plan_form(browser.get(YEAR))
    fields = [(n, v) for n, v in form["fields"] if n != "fixed"]  # as if 16 Sep was not there
    before = count_rows(app, Meeting)
    response = send(browser, "/collaborations/2/plan", fields, action="confirm")
    assert response.status_code == 409
    assert "De overleggen van de samenwerking zijn veranderd" in text_of(response)
    assert count_rows(app, Meeting) == before


def test_other_coordinators_get_404_and_change_nothing(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    woerden = nth_meeting(session, WOERDEN, 2)
    state = (woerden.day, woerden.sequence, woerden.status)
    log_in_as(browser, session, FATIMA)
    form = plan_form(browser.get(YEAR))
    log_in_as(browser, session, MARLOES)  # coordinates Noord-Holland–Brabant only
    meetings_before, events_before = count_rows(app, Meeting), count_rows(app, Event)
    url = f"/meetings/{woerden.id}"
    for response in (
        browser.get("/collaborations/2/plan"),
        browser.get(YEAR),
        send(browser, "/collaborations/2/plan", form["fields"], action="confirm"),
        browser.get(url),
        browser.get(f"{url}/cancel"),
        post(browser, f"{url}/move", {"choice": "other", "day": "2026-10-29"}),
        post(browser, f"{url}/cancel", {"confirm": "y"}),
        browser.get("/meetings/9999"),
    ):
        assert response.status_code == 404
    assert count_rows(app, Meeting) == meetings_before
    assert count_rows(app, Event) == events_before
    session.refresh(woerden)
    assert (woerden.day, woerden.sequence, woerden.status) == state
    # The platform administrator may look.
    log_in_as(browser, session, ADMIN)
    assert browser.get(url).status_code == 200
    assert browser.get("/collaborations/1/plan").status_code == 200


# --- the meeting page -----------------------------------------------------------------------


def test_the_meeting_page_shows_when_where_why_and_who(
    demo: None, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)  # di 27 okt 2026
    log_in_as(browser, session, ANOUK)
    page = browser.get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "di 27 okt 2026" in text and "week 44" in text and "15:30–17:00" in text
    assert "Minnaert College, Woerden" in text and "bevestigd" in text
    assert "na het vorige overleg van di 29 sep 2026" in text  # why this date
    assert "Esra Yilmaz" in text and "Pieter Jansen" in text
    english = text_of(browser.get(f"/meetings/{meeting.id}?lang=en"))
    assert "Tue 27 Oct 2026" in english and "Who is coming" in english
    assert "after the previous meeting of Tue 29 Sep 2026" in english


def answer_group(response: TestResponse, status: str) -> str:
    html = response.get_data(as_text=True)
    match = re.search(rf'<section class="answer-group {status}".*?</section>', html, re.S)
    assert match is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def test_answers_are_grouped_by_what_people_said(
    demo: None, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    esra = person_by_email(session, "e.yilmaz@groenendaal.example")
    record_answer(session, meeting, esra, AttendanceStatus.TENTATIVE, NOW, via="link")
    session.commit()
    log_in_as(browser, session, ANOUK)
    page = browser.get(f"/meetings/{meeting.id}")
    assert "Esra Yilmaz" in answer_group(page, "tentative")
    assert "Pieter Jansen" in answer_group(page, "needs_action")
    assert "Esra" not in answer_group(page, "needs_action")
    assert "(0)" in answer_group(page, "accepted") and "(0)" in answer_group(page, "declined")

    pieter = person_by_email(session, "p.jansen@groenendaal.example")
    record_answer(session, meeting, pieter, AttendanceStatus.DECLINED, NOW, via="link")
    record_answer(session, meeting, esra, AttendanceStatus.ACCEPTED, NOW, via="link")
    session.commit()
    page = browser.get(f"/meetings/{meeting.id}")
    assert "Esra Yilmaz" in answer_group(page, "accepted")
    assert "Pieter Jansen" in answer_group(page, "declined")
    assert "(0)" in answer_group(page, "needs_action")


def test_the_invite_history_lists_what_the_worker_sent(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    log_in_as(browser, session, ANOUK)
    english = f"/meetings/{meeting.id}?lang=en"
    before = text_of(browser.get(english))
    assert "No invitation has been mailed for this meeting yet." in before
    assert "being prepared" in before  # the demo's plan waits for the worker

    Worker(app).run_once()
    text = text_of(browser.get(english))
    assert "being prepared" not in text
    rows = re.findall(r"(Esra Yilmaz|Pieter Jansen) \S+@\S+ invitation \(version 0\) sent", text)
    assert sorted(rows) == ["Esra Yilmaz", "Pieter Jansen"]

    # A move sends a changed invitation (version 1) after the first one.
    choice = Forms(browser.get(f"/meetings/{meeting.id}").get_data(as_text=True)).post_form(
        f"/meetings/{meeting.id}/move"
    )["radios"]["choice"][0]
    assert post(browser, f"/meetings/{meeting.id}/move", {"choice": choice}).status_code == 303
    Worker(app).run_once()
    text = text_of(browser.get(english))
    assert len(re.findall(r"changed invitation \(version 1\) sent", text)) == 2
    assert len(re.findall(r"invitation \(version 0\) sent", text)) == 2

    # A mail about very many meetings has a shortened key: its message still tells.
    session.expire_all()
    mail = session.scalars(
        select(Mail).where(Mail.dedupe_key.like(f"%:{meeting.id}.1%")).order_by(Mail.id)
    ).first()
    assert mail is not None
    mail.dedupe_key = digest_key("itip", "REQUEST", "e1", "x" * 300)
    session.commit()
    text = text_of(browser.get(english))
    assert len(re.findall(r"changed invitation \(version 1\) sent", text)) == 2
    # Other meetings' mails are not listed here.
    other = nth_meeting(session, WOERDEN, 5)
    assert "changed invitation" not in text_of(browser.get(f"/meetings/{other.id}?lang=en"))


def test_moving_to_an_alternative_bumps_the_sequence_and_queues_an_update(
    demo: None, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    log_in_as(browser, session, ANOUK)
    page = browser.get(f"/meetings/{meeting.id}")
    options = Forms(page.get_data(as_text=True)).post_form(f"/meetings/{meeting.id}/move")[
        "radios"
    ]["choice"]
    assert options[-1] == "other" and len(options) > 1
    target = date.fromisoformat(options[0])
    assert f"{format_day(target, 'nl')} (week {target.isocalendar().week})" in text_of(page)
    response = post(browser, f"/meetings/{meeting.id}/move", {"choice": options[0]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    session.refresh(meeting)
    assert (meeting.day, meeting.sequence) == (target, 1)
    (moved,) = events_of_kind(session, "meeting.moved", fresh=True)
    assert moved.payload["meeting_id"] == meeting.id and moved.payload["sequence"] == 1
    shown = text_of(browser.get(f"/meetings/{meeting.id}"))
    assert format_day(target, "nl") in shown


def test_moving_to_a_date_and_time_of_ones_own(
    demo: None, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    log_in_as(browser, session, ANOUK)
    response = post(
        browser,
        f"/meetings/{meeting.id}/move",
        {"choice": "other", "day": "2026-10-29", "time": "16:00"},
    )
    assert response.status_code == 303
    session.refresh(meeting)
    assert meeting.day == date(2026, 10, 29) and meeting.sequence == 1
    assert "do 29 okt 2026 16:00" in text_of(browser.get(f"/meetings/{meeting.id}"))


def test_a_bad_move_is_refused_with_a_reason_and_changes_nothing(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    log_in_as(browser, session, ANOUK)
    url = f"/meetings/{meeting.id}/move"
    events_before = count_rows(app, Event)
    holiday = post(browser, url, {"choice": "other", "day": "2026-10-20"})
    assert holiday.status_code == 400
    assert "di 20 okt 2026 kan niet: Herfstvakantie midden — Minnaert College" in text_of(holiday)
    past = post(browser, url, {"choice": "other", "day": "2026-08-25"})
    assert past.status_code == 400 and "di 25 aug 2026" in text_of(past)
    taken = post(browser, url, {"choice": "other", "day": "2026-11-24"})  # the next meeting's
    assert taken.status_code == 400
    assert "Op di 24 nov 2026 is al een overleg van deze samenwerking." in text_of(taken)
    assert post(browser, url, {"choice": "other"}).status_code == 400  # no date
    assert post(browser, url, {"choice": "2026-12-25"}).status_code == 400  # not offered
    session.refresh(meeting)
    assert (meeting.day, meeting.sequence) == (date(2026, 10, 27), 0)
    assert count_rows(app, Event) == events_before


def test_cancelling_needs_a_confirmation(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    log_in_as(browser, session, ANOUK)
    ask = browser.get(f"/meetings/{meeting.id}/cancel?lang=en")
    assert ask.status_code == 200
    assert "Cancel the meeting of Tue 27 Oct 2026?" in text_of(ask)
    assert "Esra Yilmaz" not in text_of(ask)  # nobody was sent it yet: no cancellation mail
    unconfirmed = post(browser, f"/meetings/{meeting.id}/cancel", {})
    assert unconfirmed.status_code == 400
    session.refresh(meeting)
    assert (
        meeting.status is MeetingStatus.CONFIRMED
        and events_of_kind(session, "meeting.cancelled", fresh=True) == []
    )

    response = post(browser, f"/meetings/{meeting.id}/cancel", {"confirm": "y"})
    assert response.status_code == 303
    session.refresh(meeting)
    assert meeting.status is MeetingStatus.CANCELLED and meeting.sequence == 1
    (cancelled,) = events_of_kind(session, "meeting.cancelled", fresh=True)
    assert cancelled.payload["meeting_id"] == meeting.id
    page = browser.get(f"/meetings/{meeting.id}")
    assert "afgelast" in text_of(page)
    assert f"/meetings/{meeting.id}/move" not in page.get_data(as_text=True)
    # A cancelled meeting can neither move nor be cancelled again.
    events_before = count_rows(app, Event)
    again = post(browser, f"/meetings/{meeting.id}/move", {"choice": "other", "day": "2026-10-29"})
    assert again.status_code == 409
    assert post(browser, f"/meetings/{meeting.id}/cancel", {"confirm": "y"}).status_code == 409
    session.refresh(meeting)
    assert meeting.day == date(2026, 10, 27) and meeting.sequence == 1
    assert count_rows(app, Event) == events_before


def test_a_calendar_conflict_is_shown_with_its_proposed_date_selected(
    demo: None, app: Flask, browser: FlaskClient, session: Session
) -> None:
    meeting = nth_meeting(session, WOERDEN, 2)
    busy_periods.create_busy_period(
        session,
        {
            "organisation": "91XB",
            "kind": "toetsweek",
            "first_day": "2026-10-26",
            "last_day": "2026-10-30",
        },
        NOW,
    )
    session.commit()
    Worker(app).run_once()  # the calendar change is scanned for conflicts
    session.refresh(meeting)
    assert meeting.conflict is not None
    proposed = date.fromisoformat(meeting.conflict["proposed_day"])
    log_in_as(browser, session, ANOUK)
    page = browser.get(f"/meetings/{meeting.id}?lang=en")
    text = text_of(page)
    assert "A calendar change blocks this date." in text
    assert "Toetsweek — Groenendaal Lyceum" in text
    assert f"Proposed new date: {format_day(proposed, 'en')}" in text
    form = Forms(page.get_data(as_text=True)).post_form(f"/meetings/{meeting.id}/move")
    assert ("choice", proposed.isoformat()) in form["fields"]  # checked
    assert post(browser, f"/meetings/{meeting.id}/move", dict(form["fields"])).status_code == 303
    session.refresh(meeting)
    assert meeting.day == proposed and meeting.conflict is None


def test_the_demo_is_as_these_tests_assume(demo: None, session: Session) -> None:
    # The demo as the wizard tests assume it.
    counts = dict(
        session.execute(
            select(Meeting.collaboration_id, func.count()).group_by(Meeting.collaboration_id)
        ).all()
    )
    assert counts[EINDHOVEN] == 1 and counts[WOERDEN] == 11


def plain_text(raw: str) -> str:
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_notices_to_coordinators_link_to_the_pages_instead_of_commands(
    demo: None, app: Flask, session: Session
) -> None:
    app.config["FROZEN_NOW"] = "2026-09-17T08:00:00Z"  # Eindhoven's only meeting was yesterday
    Worker(app).run_once()
    session.expire_all()
    mails = session.scalars(
        select(Mail).where(Mail.recipient == FATIMA, Mail.subject.like("%Eindhoven%"))
    ).all()
    texts = {mail.subject: plain_text(mail.raw) for mail in mails}
    followup = next(
        text for subject, text in texts.items() if "volgende overleg" in subject.lower()
    )
    assert "http://localhost:5000/collaborations/2/plan" in followup
    assert "http://localhost:5000/dashboard" in followup
    assert "planner plan --collab" not in followup
