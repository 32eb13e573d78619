"""Answers from calendar apps (iTIP REPLY) as Outlook for Windows, Outlook for Mac, Google
Calendar and Apple Calendar write them, a first answer and then a changed one.

A reply is judged by its SEQUENCE first, then by when it was given: Outlook's
X-MICROSOFT-CDO-REPLYTIME when present, else when it arrived. The DTSTAMP orders two replies
only where it differs: Outlook for Mac copies the organizer's DTSTAMP into every reply, so
its changed answer has the DTSTAMP of the first one, and of the invitation itself.

The collaboration of tests/factories.plan_with_partners meets on Tue 1 Dec and Thu 10 Dec 2026
and is seen from Saturday 21 Nov 2026 on; each upload moves the clock on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.domain.kinds import AttendanceStatus
from planner.models import Attendance, Meeting
from planner.services.attendance import answer_by_link
from tests.factories import OTHER, PARTNER, Planned, plan_with_partners
from tests.helpers import CLI

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
# When the invitation was written: what Outlook for Mac puts in every reply's DTSTAMP.
INVITED = datetime(2026, 11, 21, 9, 55, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def outlook_windows(uid: str, seq: int, who: str, partstat: str, at: datetime) -> str:
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        "VERSION:2.0\r\nMETHOD:REPLY\r\nX-MS-OLK-FORCEINSPECTOROPEN:TRUE\r\n"
        "BEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT={partstat}:mailto:{who}\r\n"
        "CLASS:PUBLIC\r\nCREATED:20261121T095500Z\r\n"
        'DTEND;TZID="W. Europe Standard Time":20261201T170000\r\n'
        f"DTSTAMP:{_stamp(at)}\r\n"
        'DTSTART;TZID="W. Europe Standard Time":20261201T153000\r\n'
        "ORGANIZER;CN=Carla Coördinator:mailto:c.coordinator@school.example\r\n"
        "PRIORITY:5\r\n"
        f"SEQUENCE:{seq}\r\n"
        f"SUMMARY;LANGUAGE=nl-NL:Geaccepteerd: Leerlijn techniek\r\nUID:{uid}\r\n"
        f"X-MICROSOFT-CDO-REPLYTIME:{_stamp(at)}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def outlook_mac(uid: str, seq: int, who: str, partstat: str, at: datetime) -> str:
    # The organizer's DTSTAMP, whenever the answer was given; no reply time.
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook for Mac MIMEDIR//EN\r\n"
        "VERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nSUMMARY:Leerlijn techniek\r\n"
        "DTSTART;TZID=Europe/Amsterdam:20261201T153000\r\n"
        "DTEND;TZID=Europe/Amsterdam:20261201T170000\r\n"
        f"DTSTAMP:{_stamp(INVITED)}\r\n"
        f"SEQUENCE:{seq}\r\n"
        'ORGANIZER;CN="Carla Coördinator":mailto:c.coordinator@school.example\r\n'
        f'ATTENDEE;CN="Esra Yilmaz";PARTSTAT={partstat}:mailto:{who}\r\n'
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def google(uid: str, seq: int, who: str, partstat: str, at: datetime) -> str:
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        "DTSTART:20261201T143000Z\r\nDTEND:20261201T160000Z\r\n"
        f"DTSTAMP:{_stamp(at)}\r\n"
        "ORGANIZER;CN=Carla Coördinator:mailto:c.coordinator@school.example\r\n"
        f"UID:{uid}\r\n"
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN=Esra\r\n"
        f" Yilmaz;X-NUM-GUESTS=0:mailto:{who}\r\n"
        f"SEQUENCE:{seq}\r\nSTATUS:CONFIRMED\r\nSUMMARY:Leerlijn techniek\r\n"
        "TRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def apple(uid: str, seq: int, who: str, partstat: str, at: datetime) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.5//EN\r\n"
        "METHOD:REPLY\r\nCALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\n"
        f"ATTENDEE;CN=Esra Yilmaz;CUTYPE=INDIVIDUAL;PARTSTAT={partstat};EMAIL={who}:\r\n"
        f" mailto:{who}\r\n"
        "DTEND;TZID=Europe/Amsterdam:20261201T170000\r\n"
        f"DTSTAMP:{_stamp(at)}\r\n"
        "DTSTART;TZID=Europe/Amsterdam:20261201T153000\r\n"
        "ORGANIZER;CN=Carla Coördinator:mailto:c.coordinator@school.example\r\n"
        f"SEQUENCE:{seq}\r\nSUMMARY:Leerlijn techniek\r\nUID:{uid}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


Writer = Callable[[str, int, str, str, datetime], str]
CLIENTS: dict[str, Writer] = {
    "outlook-windows": outlook_windows,
    "outlook-mac": outlook_mac,
    "google": google,
    "apple": apple,
}


@pytest.fixture
def planned(app: Flask, session: Session) -> Planned:
    app.config["FROZEN_NOW"] = NOW.isoformat()
    return plan_with_partners(app, session, NOW, date(2026, 12, 1), date(2026, 12, 10))


def _at(app: Flask, moment: datetime) -> None:
    app.config["FROZEN_NOW"] = moment.isoformat()


def _upload(client: FlaskClient, body: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        "/api/v1/replies", data=body.encode(), content_type="text/calendar; charset=utf-8"
    )
    return response.status_code, response.get_json()


def _answer(session: Session, planned: Planned) -> AttendanceStatus:
    session.expire_all()
    row = session.get(Attendance, (planned.meeting_ids[0], planned.partner_id))
    assert row is not None
    return row.status


def _meeting(session: Session, planned: Planned) -> Meeting:
    meeting = session.get(Meeting, planned.meeting_ids[0])
    assert meeting is not None
    return meeting


@pytest.mark.parametrize("client_name", list(CLIENTS))
def test_a_first_answer_and_a_changed_one_both_count(
    app: Flask, client: FlaskClient, session: Session, planned: Planned, client_name: str
) -> None:
    write = CLIENTS[client_name]
    uid = _meeting(session, planned).uid
    first_at, second_at = NOW + timedelta(hours=1), NOW + timedelta(days=2)
    _at(app, first_at)
    status, body = _upload(client, write(uid, 0, PARTNER, "TENTATIVE", first_at))
    assert status == 200, body
    assert _answer(session, planned) is AttendanceStatus.TENTATIVE
    # The same reply once more (mailed twice): nothing changes.
    _at(app, first_at + timedelta(minutes=5))
    status, body = _upload(client, write(uid, 0, PARTNER, "TENTATIVE", first_at))
    assert status == 200 and body["applied"][0]["changed"] is False
    # Two days later she cannot come after all: the changed answer counts too.
    _at(app, second_at)
    status, body = _upload(client, write(uid, 0, PARTNER, "DECLINED", second_at))
    assert status == 200, body
    assert body["applied"] == [{"meeting_uid": uid, "status": "declined", "changed": True}]
    assert _answer(session, planned) is AttendanceStatus.DECLINED


@pytest.mark.parametrize("client_name", list(CLIENTS))
def test_a_calendar_answer_after_a_link_answer_counts(
    app: Flask, client: FlaskClient, session: Session, planned: Planned, client_name: str
) -> None:
    answer_by_link(session, planned.secret, AttendanceStatus.ACCEPTED, NOW + timedelta(hours=1))
    session.commit()
    later = NOW + timedelta(days=1)
    _at(app, later)
    uid = _meeting(session, planned).uid
    status, body = _upload(client, CLIENTS[client_name](uid, 0, PARTNER, "DECLINED", later))
    assert status == 200, body
    assert _answer(session, planned) is AttendanceStatus.DECLINED


def test_an_older_reply_that_arrives_late_is_refused_by_its_dtstamp(
    app: Flask, client: FlaskClient, session: Session, planned: Planned
) -> None:
    uid = _meeting(session, planned).uid
    early, late = NOW + timedelta(hours=1), NOW + timedelta(hours=3)
    _at(app, late)
    assert _upload(client, google(uid, 0, PARTNER, "ACCEPTED", late))[0] == 200
    # The earlier answer was held up on the way and arrives last: it does not overwrite.
    _at(app, late + timedelta(hours=1))
    status, body = _upload(client, google(uid, 0, PARTNER, "DECLINED", early))
    assert status == 409 or status == 400, body
    assert "nieuwer antwoord" in body["error"]["message"]
    assert _answer(session, planned) is AttendanceStatus.ACCEPTED


def test_a_reply_to_a_version_never_sent_says_so(
    client: FlaskClient, session: Session, planned: Planned
) -> None:
    uid = _meeting(session, planned).uid
    status, body = _upload(client, apple(uid, 3, PARTNER, "ACCEPTED", NOW))
    assert status == 400
    assert body["error"]["message"] == (
        "Het antwoord gaat over een versie van het overleg die de planner nooit heeft verstuurd"
        " (3, de laatste is 0)."
    )
    assert _answer(session, planned) is AttendanceStatus.NEEDS_ACTION


def test_the_sender_may_be_given_with_a_name(
    app: Flask, cli: CLI, session: Session, planned: Planned, tmp_path: object
) -> None:
    from pathlib import Path

    uid = _meeting(session, planned).uid
    path = Path(str(tmp_path)) / "reply.ics"
    path.write_text(outlook_windows(uid, 0, PARTNER, "ACCEPTED", NOW), "utf-8")
    result = cli("replies", "import", str(path), "--sender", f"Esra Yilmaz <{PARTNER}>")
    assert result.exit_code == 0, result.output
    assert _answer(session, planned) is AttendanceStatus.ACCEPTED
    # Someone else's address, named or not, is still refused.
    refused = cli("replies", "import", str(path), "--sender", f"Tom Bakker <{OTHER}>")
    assert refused.exit_code == 1 and "door iemand anders" in refused.output
