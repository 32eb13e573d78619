"""The worker as partners and coordinators notice it: mails through a real SMTP server.

A collaboration of two schools in Woerden: Anouk (Minnaert College) coordinates and organises,
Esra (Groenendaal Lyceum) and Bram (a youth-care partner) are invited. Everything happens at
FROZEN_NOW, Saturday 21 Nov 2026 11:00 in Amsterdam, unless a test moves the clock.
"""

from __future__ import annotations

import json
import mailbox
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from flask import Flask
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import AttendanceStatus, MailKind
from planner.errors import ValidationError
from planner.messaging.worker import RoundResult, Worker
from planner.models import Attendance, Collaboration, Event, Mail, Meeting, Organisation, Person
from planner.services import busy_periods, collaborations, meetings, planning
from planner.services import organisations as orgs
from planner.services.attendance import (
    LinkError,
    answer_by_link,
    apply_reply,
    record_answer,
    resolve_rsvp,
)
from planner.text.formatting import format_day, format_meeting_time
from planner.text.labels import label
from tests.conftest import API_TOKEN
from tests.factories import confirm_days, person_by_email, reply_ics
from tests.helpers import CLI
from tests.smtp_sink import (
    MAIL_FROM,
    Received,
    SmtpSink,
    smtp_fixture,  # noqa: F401 (the `smtp` fixture)
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = "2026-11-21T10:00:00Z"
ANOUK = "a.devries@minnaert.example"
ESRA = "e.yilmaz@groenendaal.example"
BRAM = "b.jansen@debrug.example"
PARTNERS = (ESRA, BRAM)
LINK = re.compile(r"^  (Ik kom|Misschien|Ik kom niet): (\S+/rsvp/([\w-]+)\?answer=(\w+))$", re.M)

API_AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
PUBLIC = "http://localhost:5000"  # the links in mails: no PUBLIC_URL in tests, no request


# --- clock, worker, database ----------------------------------------------------------------


def set_now(app: Flask, instant: datetime | str) -> datetime:
    """Move the frozen clock; return the instant (UTC)."""
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    instant = instant.astimezone(UTC)
    app.config["FROZEN_NOW"] = instant.isoformat()
    return instant


def now_of(app: Flask) -> datetime:
    return datetime.fromisoformat(str(app.config["FROZEN_NOW"])).astimezone(UTC)


def run(app: Flask) -> RoundResult:
    return Worker(app).run_once()


def all_mails(session: Session) -> list[Mail]:
    session.expire_all()
    return list(session.scalars(select(Mail).order_by(Mail.id)))


def kind_of(session: Session, received: Received) -> MailKind:
    session.expire_all()
    mail = session.scalar(select(Mail).where(Mail.message_id == received.message_id))
    assert mail is not None, f"{received.message_id} is not in the mail table"
    return mail.kind


def of_kind(session: Session, messages: list[Received], kind: MailKind) -> list[Received]:
    return [m for m in messages if kind_of(session, m) is kind]


# --- building a collaboration ---------------------------------------------------------------


def make_collab(
    session: Session,
    now: datetime,
    *,
    name: str = "Startersbegeleiding Woerden",
    start_time: str = "15:30",
    weekdays: str = "di,do",
    coordinator: str = f"Anouk de Vries <{ANOUK}>",
    partners: tuple[str, ...] = (
        f"Esra Yilmaz <{ESRA}>",
        f"Bram Jansen <{BRAM}>",
    ),
    max_gap_weeks: int = 6,
) -> Collaboration:
    for org in (
        {"name": "Minnaert College", "brin": "91XA", "region": "midden", "city": "Woerden"},
        {"name": "Groenendaal Lyceum", "brin": "91XB", "region": "midden", "city": "Woerden"},
    ):
        if session.scalar(select(Organisation).where(Organisation.brin == org["brin"])):
            continue
        orgs.create_organisation(session, org, now)
    collab = collaborations.create_collaboration(
        session,
        {
            "name": name,
            "ambition": "Startende docenten begeleiden, samen.",
            "members": ["91XA", "91XB"],
            "coordinators": [coordinator],
            "participants": list(partners),
            "weekdays": weekdays,
            "start_time": start_time,
            "target_weeks": 4,
            "max_gap_weeks": max_gap_weeks,
        },
        now,
    )
    session.commit()
    return collab


SERIES = (date(2026, 12, 1), date(2027, 1, 12), date(2027, 2, 9))


@pytest.fixture
def woerden(app: Flask, session: Session, smtp: SmtpSink) -> Collaboration:
    return make_collab(session, set_now(app, NOW))


# --- reading the mails ----------------------------------------------------------------------


def calendar_of(received: Received, method: str) -> list[bytes]:
    """Check the iMIP layout (shared ICAL.md rules 14 and 15) of a message about one meeting:
    its iTIP object inline as text/calendar and the same object as `invite.ics` (Outlook acts on
    the first VEVENT of a message only, Gmail on the text/calendar part only). Returns [it]."""
    message = received.message
    assert message.get_content_type() == "multipart/mixed"
    first, *rest = message.iter_parts()
    assert first.get_content_type() == "multipart/alternative"
    parts = list(first.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    inline = parts[2]
    assert inline.get_param("method") == method
    assert inline.get_content_charset() == "utf-8"
    data = inline.get_content().encode("utf-8")
    assert icalendar.Calendar.from_ical(data)["METHOD"] == method
    name = "cancel.ics" if method == "CANCEL" else "invite.ics"
    (attachment,) = rest  # one meeting, one UID per message (RFC 5546 §3.2)
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == name and attachment.get_param("name") == name
    assert attachment.get_content().replace(b"\r\n", b"\n") == data.replace(b"\r\n", b"\n")
    # Exactly one UID, read by all four parsers.
    assert len({str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}) == 1
    assert len(vobject.readOne(data.decode()).vevent_list) == 1
    assert len(IcsCalendarStream.calendar_from_ics(data.decode()).events) == 1
    calendar = icalendar.Calendar.from_ical(data)
    if method == "REQUEST":
        assert len(recurring_ical_events.of(calendar).between((1970, 1, 1), (2100, 1, 1))) == 1
    return [data]


def letter(smtp: SmtpSink, address: str, count: int) -> tuple[Received, list[Received]]:
    """What a person got about a batch of `count` meetings: an overview without calendar parts
    and one iMIP message per meeting, numbered "(1/count) …", in that order."""
    got = smtp.to(address)
    assert len(got) == count + 1, f"{address} got {[m.subject for m in got]}"
    overview, *messages = got
    assert all(
        part.get_content_type() not in {"text/calendar", "application/ics"}
        for part in overview.message.walk()
    ), "the overview carries no calendar object"
    subjects = [m.subject for m in messages]
    assert [s.split(" ", 1)[0] for s in subjects] == [f"({i}/{count})" for i in range(1, count + 1)]
    return overview, messages


def objects_of(messages: list[Received], method: str) -> list[bytes]:
    """The one iTIP object of each message, in order."""
    return [data for received in messages for data in calendar_of(received, method)]


def check_envelope(received: Received, recipient: str) -> None:
    """From the planner, to this one person only, replies to the organiser."""
    message = received.message
    assert received.mail_from == MAIL_FROM
    assert received.rcpt_tos == (recipient,)
    assert [a.addr_spec for a in message["From"].addresses] == [MAIL_FROM]
    assert [a.addr_spec for a in message["To"].addresses] == [recipient]
    assert message["Cc"] is None and message["Bcc"] is None


def vevents(objects: list[bytes]) -> list[icalendar.Event]:
    """The one VEVENT of each iTIP object, in order."""
    return [
        event for data in objects for event in icalendar.Calendar.from_ical(data).walk("VEVENT")
    ]


def check_itip(
    objects: list[bytes],
    method: str,
    recipient: str,
    expected: list[tuple[str, int, datetime]],
    *,
    organizer: str = ANOUK,
) -> None:
    """Each iTIP object read by icalendar and by vobject: one VEVENT (uid, sequence, start) per
    object, the organiser, and the recipient as the only attendee."""
    assert len(objects) == len(expected)
    for data, item in zip(objects, expected, strict=True):
        _check_one_itip(data, method, recipient, item, organizer)


def _check_one_itip(
    data: bytes,
    method: str,
    recipient: str,
    expected: tuple[str, int, datetime],
    organizer: str,
) -> None:
    uid, sequence, start = expected
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == method
    (event,) = calendar.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, sequence)
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").tzinfo is not None
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert str(event["ORGANIZER"]) == f"mailto:{organizer}"
    assert event["ORGANIZER"].params["SENT-BY"] == f"mailto:{MAIL_FROM}"
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list), "one attendee per message"
    assert str(attendee) == f"mailto:{recipient}"
    if method == "REQUEST":
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert event["STATUS"] == "CONFIRMED"
    else:
        assert "RSVP" not in attendee.params
        assert event["STATUS"] == "CANCELLED"
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.method.value == method
    (read,) = parsed.vevent_list
    assert (read.uid.value, int(read.sequence.value)) == (uid, sequence)
    assert read.dtstart.value == start
    assert read.organizer.value == f"mailto:{organizer}"
    assert [a.value for a in read.attendee_list] == [f"mailto:{recipient}"]
    if method == "REQUEST":
        assert read.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
        assert read.attendee.params["RSVP"] == ["TRUE"]


def links_of(received: Received) -> list[tuple[str, str, str, str]]:
    """(label, url, secret, answer) of every answer link in the text part."""
    return LINK.findall(received.text())


def one_each(smtp: SmtpSink, people: tuple[str, ...] = PARTNERS) -> dict[str, Received]:
    """Exactly one mail to each of these people; return them by address."""
    found = {}
    for address in people:
        got = smtp.to(address)
        assert len(got) == 1, f"{address} got {[m.subject for m in got]}"
        found[address] = got[0]
    return found


# --- invitations ----------------------------------------------------------------------------


def test_a_confirmed_series_sends_each_partner_a_mail_per_meeting_and_an_overview(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    series = confirm_days(session, woerden, now, *SERIES)
    result = run(app)
    assert result.mails_failed == 0
    # The organiser gets her own copies (test_the_organizer_gets_every_meeting…), no invitation.
    assert not any("Uitnodiging" in m.subject for m in smtp.to(ANOUK))
    for partner in PARTNERS:
        overview, messages = letter(smtp, partner, len(series))
        assert overview.subject == "Uitnodiging: 3 overleggen van Startersbegeleiding Woerden"
        assert "Elk overleg komt ook in een eigen mail, (1/3) tot en met (3/3)" in overview.text()
        for received, meeting in zip(messages, series, strict=True):
            check_envelope(received, partner)
            assert received.message["Reply-To"] == ANOUK
            day = format_meeting_time(meeting.starts_at, meeting.ends_at, AMSTERDAM, "nl")
            assert received.subject.endswith(f" Uitnodiging: Startersbegeleiding Woerden, {day}")
        data = objects_of(messages, "REQUEST")
        check_itip(
            data,
            "REQUEST",
            partner,
            [(m.uid, 0, m.starts_at.astimezone(AMSTERDAM)) for m in series],
        )
        # Each meeting has accept, maybe and decline links that answer for this person: in its
        # own mail, and all of them in the overview.
        links = links_of(overview)
        assert [(label, answer) for label, _, _, answer in links] == [
            ("Ik kom", "accepted"),
            ("Misschien", "tentative"),
            ("Ik kom niet", "declined"),
        ] * len(series)
        secrets = [secret for _, _, secret, _ in links][::3]
        assert len(set(secrets)) == len(series)
        for meeting, secret, event, received in zip(
            series, secrets, vevents(data), messages, strict=True
        ):
            link = resolve_rsvp(session, secret, now)
            assert (link.meeting.id, link.person.email) == (meeting.id, partner)
            assert str(event["URL"]).endswith(f"/rsvp/{secret}")
            assert {s for _, _, s, _ in links_of(received)} == {secret}
        for received in (overview, *messages):
            html = received.message.get_body(preferencelist=("html",))
            assert html is not None
            for _, url, _, _ in links_of(received):
                assert f'href="{url}"' in html.get_content().replace("&amp;", "&")
    # Delivered exactly once, as stored.
    stored = {m.message_id for m in all_mails(session) if m.sent_at is not None}
    assert set(smtp.by_message_id()) == stored
    assert all(m.sent_at is not None and m.attempts == 0 for m in all_mails(session))


def test_a_school_year_of_eleven_meetings_is_eleven_mails_and_an_overview_per_partner(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    preview = planning.preview_plan(session, woerden, now, first=date(2026, 12, 1), count=11)
    series = planning.confirm_plan(session, preview, now)
    session.commit()
    assert len(series) == 11
    run(app)
    for partner in PARTNERS:
        _, messages = letter(smtp, partner, 11)
        uids = [str(vevents(calendar_of(m, "REQUEST"))[0]["UID"]) for m in messages]
        assert uids == [m.uid for m in series]


def test_an_english_partner_reads_every_part_of_the_mail_in_english(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    person_by_email(session, BRAM).language = "en"
    session.commit()
    confirm_days(session, woerden, now, *SERIES[:2])
    run(app)
    overview, messages = letter(smtp, BRAM, 2)
    for received in (overview, *messages):
        text = received.text()
        assert text.startswith("Dear Bram Jansen,")
        # The footer too, not only the content.
        assert "Planner: meetings of school collaborations, planned far ahead." in text
        assert "Planner: overleggen van samenwerkende scholen" not in text
    assert overview.subject == "Invitation: 2 meetings of Startersbegeleiding Woerden"
    assert messages[0].subject.startswith(
        "(1/2) Invitation: Startersbegeleiding Woerden, Tue 1 Dec"
    )
    (esra_overview, *_) = smtp.to(ESRA)
    assert "Planner: overleggen van samenwerkende scholen" in esra_overview.text()


def test_a_move_sends_an_update_and_a_cancel_a_cancellation_once(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    _, second, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    smtp.clear()
    new_day = date(2027, 1, 14)  # Tue 12 → Thu 14 Jan
    meetings.move_meeting(session, second, new_day, now)
    session.commit()
    assert second.sequence == 1
    run(app)
    for partner, received in one_each(smtp).items():
        check_envelope(received, partner)
        assert received.subject.startswith("Gewijzigd: Startersbegeleiding Woerden, ")
        data = calendar_of(received, "REQUEST")
        start = datetime(2027, 1, 14, 15, 30, tzinfo=AMSTERDAM)
        check_itip(data, "REQUEST", partner, [(second.uid, 1, start)])
        assert "Gewijzigd: wilt u opnieuw antwoorden?" in received.text()
        assert len(links_of(received)) == 3
    smtp.clear()
    meetings.cancel_meeting(session, second, now)
    session.commit()
    run(app)
    for partner, received in one_each(smtp).items():
        check_envelope(received, partner)
        assert received.subject.startswith("Geannuleerd: Startersbegeleiding Woerden, ")
        data = calendar_of(received, "CANCEL")
        start = datetime(2027, 1, 14, 15, 30, tzinfo=AMSTERDAM)
        check_itip(data, "CANCEL", partner, [(second.uid, 2, start)])
        assert links_of(received) == []
    smtp.clear()
    # Nothing more: the worker is idempotent.
    again = run(app)
    assert (again.mails_sent, again.mails_failed, smtp.messages) == (0, 0, [])


def test_a_replanning_of_five_meetings_is_five_updates_and_an_overview_per_partner(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    tuesdays = [date(2026, 12, 1), date(2026, 12, 15), date(2027, 1, 12), date(2027, 1, 26)]
    tuesdays += [date(2027, 2, 9), date(2027, 3, 9)]
    series = confirm_days(session, woerden, now, *tuesdays)
    run(app)
    smtp.clear()
    moved = series[:5]
    meetings.move_meetings(session, [(m, m.day + timedelta(days=2), None) for m in moved], now)
    session.commit()
    run(app)
    for partner in PARTNERS:
        overview, messages = letter(smtp, partner, 5)
        assert overview.subject == "Nieuwe planning: 5 overleggen van Startersbegeleiding Woerden"
        assert overview.text().count("Gewijzigd: wilt u opnieuw antwoorden?") == 5
        assert all(" Gewijzigd: Startersbegeleiding Woerden, " in m.subject for m in messages)
        data = objects_of(messages, "REQUEST")
        check_itip(
            data,
            "REQUEST",
            partner,
            [(m.uid, 1, datetime.combine(m.day, time(15, 30), AMSTERDAM)) for m in moved],
        )
        assert all(series[5].uid.encode() not in item for item in data)


def test_an_address_no_mail_header_can_carry_is_refused_when_entered(
    app: Flask, session: Session, smtp: SmtpSink
) -> None:
    # Stored, it failed the whole `meetings.planned` event: nobody got an invitation.
    now = set_now(app, NOW)
    with pytest.raises(
        ValidationError, match=re.escape("'jörg@groenendaal.example' is not an e-mail")
    ):
        make_collab(session, now, partners=("Jörg Müller <jörg@groenendaal.example>",))
    session.rollback()
    assert session.scalar(select(Person).where(Person.email.like("%groenendaal%"))) is None


def test_19_00_around_both_dst_sundays(app: Flask, session: Session, smtp: SmtpSink) -> None:
    now = set_now(app, "2026-10-01T10:00:00Z")
    collab = make_collab(session, now, start_time="19:00", partners=(f"Esra Yilmaz <{ESRA}>",))
    days = [date(2026, 10, 15), date(2026, 10, 27), date(2027, 3, 25), date(2027, 3, 30)]
    series = confirm_days(session, collab, now, *days)
    run(app)
    _, messages = letter(smtp, ESRA, len(days))
    data = objects_of(messages, "REQUEST")
    # Summer time before 25 Oct 2026 and after 28 Mar 2027, winter time in between.
    utc = [
        datetime(2026, 10, 15, 17, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 18, 0, tzinfo=UTC),
        datetime(2027, 3, 25, 18, 0, tzinfo=UTC),
        datetime(2027, 3, 30, 17, 0, tzinfo=UTC),
    ]
    assert [m.starts_at.astimezone(UTC) for m in series] == utc
    check_itip(data, "REQUEST", ESRA, [(m.uid, 0, m.starts_at) for m in series])
    for event, instant in zip(vevents(data), utc, strict=True):
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute) == (19, 0)
        assert start.astimezone(UTC) == instant
        assert event.decoded("DTEND").astimezone(UTC) == instant + timedelta(minutes=90)
    read = [vobject.readOne(item.decode()).vevent for item in data]
    for event, instant in zip(read, utc, strict=True):
        assert event.dtstart.value.hour == 19
        assert event.dtstart.value.astimezone(UTC) == instant
    assert all(b"BEGIN:VTIMEZONE" in item and b"TZID:Europe/Amsterdam" in item for item in data)


# --- reminders ------------------------------------------------------------------------------


def reminders(session: Session, smtp: SmtpSink) -> list[Received]:
    return of_kind(session, smtp.messages, MailKind.REMINDER)


def test_reminders_48_hours_before_once_per_person_and_start(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    _tue24, thu26, tue1, thu3 = confirm_days(
        session,
        woerden,
        now,
        date(2026, 11, 24),
        date(2026, 11, 26),
        date(2026, 12, 1),
        date(2026, 12, 3),
    )
    run(app)
    assert reminders(session, smtp) == []
    smtp.clear()
    # Esra will not come on Thursday 26 Nov; Tuesday 1 Dec is called off.
    esra = person_by_email(session, ESRA)
    record_answer(session, thu26, esra, AttendanceStatus.DECLINED, now, via="link")
    meetings.cancel_meeting(session, tue1, now)
    session.commit()
    run(app)
    smtp.clear()

    # No worker ran while Tuesday 24 Nov came within 48 hours; once it has begun, it is too
    # late for a reminder. Thursday 26 Nov starts in 47.5 hours: Bram is reminded, Esra not.
    set_now(app, "2026-11-24T15:00:00Z")
    run(app)
    (only,) = reminders(session, smtp)
    check_envelope(only, BRAM)
    assert only.subject == "Herinnering: Startersbegeleiding Woerden, do 26 nov 2026 15:30–17:00"
    assert (
        "Een herinnering aan het volgende overleg van Startersbegeleiding Woerden." in only.text()
    )
    smtp.clear()
    assert run(app).mails_sent == 0

    # 47 hours before the cancelled Tuesday 1 Dec: nothing.
    set_now(app, tue1.starts_at - timedelta(hours=47))
    run(app)
    assert reminders(session, smtp) == []

    # 47 hours before Thursday 3 Dec: one reminder each; a second run sends none.
    set_now(app, thu3.starts_at - timedelta(hours=47))
    run(app)
    sent = {m.rcpt_tos: m for m in reminders(session, smtp)}
    assert set(sent) == {(ESRA,), (BRAM,)}
    smtp.clear()
    assert run(app).mails_sent == 0
    assert smtp.messages == []

    # Moved to Tuesday 8 Dec: an update now, and a new reminder 47 hours before its new time.
    old_start = thu3.starts_at
    meetings.move_meeting(session, thu3, date(2026, 12, 8), now_of(app))
    session.commit()
    run(app)
    assert reminders(session, smtp) == []
    assert len(of_kind(session, smtp.messages, MailKind.INVITE)) == 3  # and the organizer's copy
    smtp.clear()
    set_now(app, thu3.starts_at - timedelta(hours=47))
    run(app)
    moved = reminders(session, smtp)
    assert sorted(m.rcpt_tos for m in moved) == [(BRAM,), (ESRA,)]
    for received in moved:
        assert received.subject.endswith("di 8 dec 2026 15:30–17:00")
    assert thu3.starts_at != old_start
    # Never: the meeting that had begun, the cancelled one, Esra for the one she declined.
    esra_id, bram_id = person_by_email(session, ESRA).id, person_by_email(session, BRAM).id
    assert sorted(
        tuple(m.dedupe_key.split(":", 3)[1:])
        for m in all_mails(session)
        if m.kind is MailKind.REMINDER
    ) == sorted(
        (str(meeting.id), str(who), start.isoformat())
        for meeting, who, start in [
            (thu26, bram_id, thu26.starts_at),
            (thu3, esra_id, old_start),
            (thu3, bram_id, old_start),
            (thu3, esra_id, thu3.starts_at),
            (thu3, bram_id, thu3.starts_at),
        ]
    )


# --- coordinators are told ------------------------------------------------------------------


def notices(session: Session, smtp: SmtpSink, prefix: str = "") -> list[Received]:
    return [
        m for m in of_kind(session, smtp.messages, MailKind.NOTICE) if m.subject.startswith(prefix)
    ]


def test_a_decline_is_mailed_to_the_coordinator(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    first, second, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    bram_invite = smtp.to(BRAM)[0]
    smtp.clear()
    record_answer(
        session, first, person_by_email(session, ESRA), AttendanceStatus.DECLINED, now, via="link"
    )
    # Bram declines the second meeting with the decline link of his invitation.
    (secret,) = {
        s
        for _, _, s, _ in links_of(bram_invite)
        if resolve_rsvp(session, s, now).meeting.id == second.id
    }
    answer_by_link(session, secret, AttendanceStatus.DECLINED, now)
    session.commit()
    run(app)
    told = smtp.to(ANOUK)
    assert [m.subject for m in told] == [
        "Esra Yilmaz komt niet: Startersbegeleiding Woerden, di 1 dec 2026 15:30–17:00",
        "Bram Jansen komt niet: Startersbegeleiding Woerden, di 12 jan 2027 15:30–17:00",
    ]
    for received in told:
        check_envelope(received, ANOUK)
        assert received.message.get_content_type() == "multipart/alternative"
    assert (
        "Esra Yilmaz (e.yilmaz@groenendaal.example) komt niet naar dit overleg van"
        " Startersbegeleiding Woerden:" in told[0].text()
    )
    assert "Bram Jansen (b.jansen@debrug.example)" in told[1].text()
    assert f"{PUBLIC}/meetings/{second.id}" in told[1].text()  # who else is coming
    assert smtp.to(ESRA) == smtp.to(BRAM) == []
    smtp.clear()
    assert run(app).mails_sent == 0


def test_a_new_test_week_over_a_meeting_is_mailed_with_a_proposed_date(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    _, hit, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    smtp.clear()
    busy_periods.create_busy_period(
        session,
        {
            "organisation": "91XB",
            "kind": "toetsweek",
            "first_day": "2027-01-11",
            "last_day": "2027-01-15",
        },
        now,
    )
    session.commit()
    run(app)
    (received,) = smtp.messages
    check_envelope(received, ANOUK)
    assert received.subject == (
        "Kalenderwijziging raakt een overleg: Startersbegeleiding Woerden,"
        " di 12 jan 2027 15:30–17:00"
    )
    session.refresh(hit)
    assert hit.conflict is not None
    proposed = date.fromisoformat(hit.conflict["proposed_day"])
    assert date(2026, 12, 1) < proposed < date(2027, 2, 9)
    assert not date(2027, 1, 11) <= proposed <= date(2027, 1, 15)
    text = received.text()
    assert "* di 12 jan 2027 15:30–17:00" in text
    assert "Toetsweek — Groenendaal Lyceum" in text
    assert f"Voorgestelde nieuwe datum: {format_day(proposed, 'nl')}" in text
    assert f"{PUBLIC}/meetings/{hit.id}" in text  # the meeting page, to move it
    assert "planner meetings move" not in text
    smtp.clear()
    assert run(app).mails_sent == 0


def test_drift_is_mailed_once_per_change(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    # Startersbegeleiding meets on 24 Nov and then only on 16 Feb: ten counted weeks (the
    # Christmas holiday left out), more than the maximum of six, once 24 Nov has been held.
    confirm_days(session, woerden, now, date(2026, 11, 24), date(2027, 2, 16))
    make_collab(
        session,
        now,
        name="Leerlijn techniek",
        coordinator="Karin Bos <k.bos@groenendaal.example>",
        partners=(f"Esra Yilmaz <{ESRA}>",),
    )
    run(app)
    drift = notices(session, smtp, "Focus kan weglekken")
    assert [(m.rcpt_tos, m.subject) for m in drift] == [
        (
            ("k.bos@groenendaal.example",),
            f"Focus kan weglekken: Leerlijn techniek ({label('no_next_meeting', 'nl')})",
        )
    ]
    assert "Er is geen volgend overleg van Leerlijn techniek gepland." in drift[0].text()
    assert "Beste datum om het gat te vullen: " in drift[0].text()
    assert re.search(rf"{PUBLIC}/collaborations/\d+/plan$", drift[0].text(), re.M)
    assert f"{PUBLIC}/dashboard" in drift[0].text()
    smtp.clear()
    for instant in ("2026-11-21T16:00:00Z", "2026-11-22T07:00:00Z"):
        set_now(app, instant)
        run(app)
    assert notices(session, smtp) == []
    set_now(app, "2026-11-25T07:00:00Z")  # 24 Nov is over
    run(app)
    (at_risk,) = notices(session, smtp, "Focus kan weglekken")
    check_envelope(at_risk, ANOUK)
    assert at_risk.subject == (
        f"Focus kan weglekken: Startersbegeleiding Woerden ({label('at_risk', 'nl')})"
    )
    text = at_risk.text()
    assert (
        "Het gat tussen de overleggen van Startersbegeleiding Woerden is nu langer dan het"
        " maximum van 6 weken." in text
    )
    assert "Laatste overleg: di 24 nov 2026" in text and "Volgend overleg: di 16 feb 2027" in text
    fill = re.search(r"Beste datum om het gat te vullen: \w+ (\d+) (\w+) (\d{4}) 15:30", text)
    assert fill is not None, text
    smtp.clear()
    for instant in ("2026-11-25T12:00:00Z", "2026-11-26T07:00:00Z"):
        set_now(app, instant)
        run(app)
    assert notices(session, smtp) == []


def test_the_weekly_digest_goes_once_per_iso_week(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    confirm_days(session, woerden, now, *SERIES)
    make_collab(session, now, name="Leerlijn techniek", partners=(f"Esra Yilmaz <{ESRA}>",))

    def digests() -> list[Received]:
        found = of_kind(session, smtp.messages, MailKind.DIGEST)
        smtp.clear()
        return found

    run(app)  # Saturday 21 Nov: week 47
    (first,) = digests()
    check_envelope(first, ANOUK)
    assert first.subject == "Weekoverzicht: 2 samenwerkingen"
    text = first.text()
    assert "* Leerlijn techniek" in text and "* Startersbegeleiding Woerden" in text
    assert "Volgend overleg: di 1 dec 2026" in text
    assert "Antwoorden voor di 1 dec 2026 15:30–17:00: 2 nog geen antwoord" in text
    run(app)
    worker = Worker(app)
    forced = worker.periodic(force=True)
    worker.drain()
    worker.release()
    assert forced["digests"] == 0
    assert digests() == []
    set_now(app, "2026-11-23T06:00:00Z")  # Monday 07:00 in Amsterdam: week 48
    run(app)
    (second,) = digests()
    assert second.rcpt_tos == (ANOUK,) and second.message_id != first.message_id
    set_now(app, "2026-11-29T20:00:00Z")  # Sunday evening, still week 48
    run(app)
    assert digests() == []


# --- the mail server fails ------------------------------------------------------------------


def outbox(cli: CLI, state: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cli.ok("outbox", "status", "--state", state, "--json"))
    return data


def test_an_outage_delays_every_mail_and_each_arrives_once_afterwards(
    app: Flask, session: Session, cli: CLI, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    confirm_days(session, woerden, now, SERIES[0])  # one meeting: one mail each
    smtp.stop()
    result = run(app)
    assert result.mails_sent == 0 and result.mails_failed > 0
    queued = all_mails(session)
    # Invitations to Esra and Bram, the digest and her own copy to Anouk.
    assert Counter(m.recipient for m in queued) == {ESRA: 1, BRAM: 1, ANOUK: 2}
    for mail in queued:
        assert (mail.sent_at, mail.dead_at, mail.attempts) == (None, None, 0)
        assert mail.last_error is not None and "cannot reach" in mail.last_error
        assert mail.available_at == now + timedelta(seconds=30)
    status = outbox(cli, "dead")
    assert status["mails"]["dead"] == 0 and status["mail_rows"] == []
    assert status["mails"]["failed"] == len(queued)
    # Back up, but the retry is not due yet.
    smtp.start()
    assert run(app).mails_sent == 0
    assert smtp.messages == []
    # Past the retry delay every mail goes, once.
    set_now(app, now + timedelta(seconds=31))
    result = run(app)
    assert (result.mails_sent, result.mails_failed) == (len(queued), 0)
    received = smtp.by_message_id()
    assert set(received) == {m.message_id for m in queued}
    for mail in all_mails(session):
        assert mail.sent_at is not None and mail.attempts == 0
        assert received[mail.message_id].rcpt_tos == (mail.recipient,)
    set_now(app, now + timedelta(minutes=10))
    assert run(app).mails_sent == 0
    assert len(smtp.messages) == len(queued)


def test_a_refused_recipient_is_dead_lettered_and_retried_by_hand(
    app: Flask, session: Session, cli: CLI, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    confirm_days(session, woerden, now, SERIES[0])  # one meeting: one mail each
    smtp.refuse(BRAM)
    result = run(app)
    assert result.mails_failed == 1
    assert smtp.to(BRAM) == []
    assert len(smtp.to(ESRA)) == 1 and len(smtp.to(ANOUK)) == 2  # her digest and her copy
    status = outbox(cli, "dead")
    assert status["mails"]["dead"] == 1
    (dead,) = status["mail_rows"]
    assert dead["recipient"] == BRAM and dead["kind"] == "invite"
    assert dead["error"].startswith("550") and "mailbox unavailable" in dead["error"]
    assert dead["attempts"] == 1 and dead["dead_at"] is not None
    # Dead means dead: later runs leave it alone.
    set_now(app, now + timedelta(hours=2))
    assert run(app).mails_sent == 0
    assert smtp.to(BRAM) == []
    # The mailbox works again; an administrator retries it.
    smtp.accept(BRAM)
    assert "staat weer in de wachtrij" in cli.ok("outbox", "retry", "mail", str(dead["id"]))
    assert run(app).mails_sent == 1
    (received,) = smtp.to(BRAM)
    assert received.message_id == dead["message_id"]
    calendar_of(received, "REQUEST")
    assert outbox(cli, "dead")["mails"]["dead"] == 0
    smtp.by_message_id()
    assert run(app).mails_sent == 0
    # A sent mail cannot be retried.
    refused = cli("outbox", "retry", "mail", str(dead["id"]))
    assert refused.exit_code != 0 and "al verstuurd" in refused.output


def test_a_deferred_recipient_is_retried_with_backoff_until_it_is_given_up(
    app: Flask, session: Session, cli: CLI, smtp: SmtpSink, woerden: Collaboration
) -> None:
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    now = now_of(app)
    confirm_days(session, woerden, now, SERIES[0])  # one meeting: one mail each
    smtp.refuse(ESRA, "451 4.7.1 greylisted, try again later")
    smtp.refuse(BRAM, "451 4.7.1 greylisted, try again later")
    run(app)
    assert smtp.to(ESRA) == smtp.to(BRAM) == []

    def waiting(address: str) -> Mail:
        (mail,) = [m for m in all_mails(session) if m.recipient == address]
        return mail

    # Each refusal uses an attempt and doubles the wait: 30 s, then 60 s.
    first = waiting(ESRA)
    assert (first.attempts, first.dead_at) == (1, None)
    assert first.available_at == now + timedelta(seconds=30)
    assert first.last_error is not None and first.last_error.startswith("451")
    smtp.accept(ESRA)  # Esra's server lets the second try through
    set_now(app, now + timedelta(seconds=30))
    run(app)
    (esra,) = smtp.to(ESRA)
    assert esra.message_id == first.message_id and waiting(ESRA).attempts == 1
    assert waiting(BRAM).available_at == now + timedelta(seconds=90)
    set_now(app, now + timedelta(seconds=60))
    assert run(app).mails_failed == 0  # not due yet
    set_now(app, now + timedelta(seconds=90))
    run(app)
    bram = waiting(BRAM)
    assert bram.attempts == 3 and bram.dead_at is not None and bram.sent_at is None
    (dead,) = outbox(cli, "dead")["mail_rows"]
    assert dead["recipient"] == BRAM and dead["error"].startswith("451")
    assert smtp.to(BRAM) == []
    smtp.by_message_id()


def test_applying_the_proposed_dates_moves_the_hit_meetings_and_tells_each_partner_once(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    series = confirm_days(session, woerden, now, *SERIES)
    run(app)
    busy_periods.create_busy_period(
        session,
        {
            "organisation": "91XB",
            "kind": "toetsweek",
            "first_day": "2027-01-11",
            "last_day": "2027-01-15",
        },
        now,
    )
    session.commit()
    run(app)  # the coordinator is told, with a proposed date
    smtp.clear()
    response = app.test_client().post(
        f"/api/v1/collaborations/{woerden.id}/conflicts/apply", headers=API_AUTH
    )
    assert response.status_code == 200, response.get_json()
    (moved,) = response.get_json()["moved"]
    hit = series[1]
    session.refresh(hit)
    assert moved["meeting"]["id"] == hit.id and hit.sequence == 1 and hit.conflict is None
    assert not date(2027, 1, 11) <= hit.day <= date(2027, 1, 15)
    run(app)
    for partner, received in one_each(smtp).items():
        data = calendar_of(received, "REQUEST")
        start = datetime.combine(hit.day, time(15, 30), AMSTERDAM)
        check_itip(data, "REQUEST", partner, [(hit.uid, 1, start)])
        # The mail says when it was and why it moved.
        text = " ".join(received.text().split())
        assert "Was: di 12 jan 2027 15:30–17:00" in text
        assert "Waarom: Toetsweek — Groenendaal Lyceum" in text
    # Her own calendar follows, with the same explanation.
    (copy,) = smtp.to(ANOUK)
    check_organizer_copy(
        copy, "REQUEST", hit, 1, datetime.combine(hit.day, time(15, 30), AMSTERDAM)
    )
    assert "Waarom: Toetsweek — Groenendaal Lyceum" in " ".join(copy.text().split())
    # Nothing left to apply: a second call moves nothing and sends nothing.
    again = app.test_client().post(
        f"/api/v1/collaborations/{woerden.id}/conflicts/apply", headers=API_AUTH
    )
    assert again.get_json() == {"moved": []}
    smtp.clear()
    assert run(app).mails_sent == 0


def test_a_collaboration_chooses_its_own_reminder_time_or_none(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration, cli: CLI
) -> None:
    now = now_of(app)
    (tue1,) = confirm_days(session, woerden, now, date(2026, 12, 1))
    run(app)
    cli.ok("collaborations", "update", str(woerden.id), "--reminder-hours", "24")
    smtp.clear()
    # 30 hours before: the default 48 would remind, this collaboration's 24 does not yet.
    set_now(app, tue1.starts_at - timedelta(hours=30))
    run(app)
    assert reminders(session, smtp) == []
    set_now(app, tue1.starts_at - timedelta(hours=23))
    run(app)
    assert len(reminders(session, smtp)) == len(PARTNERS)
    # Bad input changes nothing.
    bad = cli("collaborations", "update", str(woerden.id), "--reminder-hours", "1000")
    assert bad.exit_code != 0 and "reminder_hours" in bad.output
    session.refresh(woerden)
    assert woerden.reminder_hours == 24
    # 0 switches reminders off.
    cli.ok("collaborations", "update", str(woerden.id), "--reminder-hours", "0")
    (thu3,) = confirm_days(session, woerden, now_of(app), date(2026, 12, 3))
    smtp.clear()
    set_now(app, thu3.starts_at - timedelta(hours=2))
    run(app)
    assert reminders(session, smtp) == []


def test_a_partner_who_leaves_gets_a_cancellation_and_one_who_returns_a_new_invitation(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    series = confirm_days(session, woerden, now, *SERIES)
    run(app)
    links = links_of(smtp.to(BRAM)[0])
    smtp.clear()
    collaborations.update_collaboration(session, woerden, {"participants": [ESRA]}, now)
    session.commit()
    run(app)
    overview, byes = letter(smtp, BRAM, len(series))
    # A removal, not a cancellation: the meetings go on without him.
    assert (
        overview.subject == "Niet meer in uw agenda: 3 overleggen van Startersbegeleiding Woerden"
    )
    for bye in byes:
        check_envelope(bye, BRAM)
        assert " Niet meer in uw agenda: Startersbegeleiding Woerden, " in bye.subject
        assert (
            "U bent uit deze samenwerking gehaald; dit overleg staat niet meer in uw agenda."
            in bye.text()
        )
        assert "gaat niet door" not in bye.text()
    assert (
        "U bent uit deze samenwerking gehaald; deze overleggen staan niet meer in uw agenda."
        in overview.text()
    )
    # One above his copy (ICAL.md rule 17), or calendars keep the meeting as it was.
    check_itip(
        objects_of(byes, "CANCEL"), "CANCEL", BRAM, [(m.uid, 1, m.starts_at) for m in series]
    )
    assert smtp.to(ESRA) == []  # nothing changed for Esra
    assert smtp.to(ANOUK) == []  # nor for the organizer's own copies
    # His answer links are withdrawn.
    with pytest.raises(LinkError):
        resolve_rsvp(session, links[0][2], now)
    smtp.clear()
    assert run(app).mails_sent == 0
    # Back in the collaboration: a fresh invitation above the CANCEL he got, with working links,
    # and his calendar's answer to it counts.
    collaborations.update_collaboration(session, woerden, {"participants": [ESRA, BRAM]}, now)
    session.commit()
    run(app)
    _, backs = letter(smtp, BRAM, len(series))
    check_itip(
        objects_of(backs, "REQUEST"), "REQUEST", BRAM, [(m.uid, 2, m.starts_at) for m in series]
    )
    secret = links_of(backs[0])[0][2]
    assert resolve_rsvp(session, secret, now).person.email == BRAM
    first = series[0]
    reply = reply_ics(first.uid, 2, BRAM, "ACCEPTED")
    (outcome,) = apply_reply(session, reply, now)
    assert outcome.status is AttendanceStatus.ACCEPTED
    with pytest.raises(ValidationError, match=r"oudere versie|older version"):
        apply_reply(session, reply_ics(first.uid, 0, BRAM, "DECLINED"), now)
    session.commit()
    # A later move keeps his copy above the meeting's: SEQUENCE 1 for Esra, 3 for him.
    smtp.clear()
    meetings.move_meeting(session, series[1], date(2027, 1, 14), now)
    session.commit()
    run(app)
    start = datetime(2027, 1, 14, 15, 30, tzinfo=AMSTERDAM)
    for partner, sequence in ((ESRA, 1), (BRAM, 3)):
        (update,) = smtp.to(partner)
        check_itip(
            calendar_of(update, "REQUEST"), "REQUEST", partner, [(series[1].uid, sequence, start)]
        )


def test_deleting_a_collaboration_cancels_its_future_meetings_in_every_calendar(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration, cli: CLI
) -> None:
    now = now_of(app)
    series = confirm_days(session, woerden, now, *SERIES)
    run(app)
    smtp.clear()
    cli.ok("collaborations", "delete", str(woerden.id), "--yes")
    run(app)
    for partner in PARTNERS:
        overview, messages = letter(smtp, partner, len(series))
        assert overview.subject.startswith("Geannuleerd: 3 overleggen van Startersbegeleiding")
        assert all(" Geannuleerd: Startersbegeleiding Woerden, " in m.subject for m in messages)
        check_itip(
            objects_of(messages, "CANCEL"),
            "CANCEL",
            partner,
            [(m.uid, 1, m.starts_at) for m in series],
        )
    # The organizer's own copies go too.
    known = [(m.uid, m.starts_at) for m in series]
    copies = organizer_copies(session, smtp, len(series))
    for received, (uid, start) in zip(copies, known, strict=True):
        assert " Geannuleerd: Startersbegeleiding Woerden, " in received.subject
        check_organizer_copy(received, "CANCEL", uid, 1, start)


# --- the organizer's own calendar -----------------------------------------------------------


def organizer_copies(session: Session, smtp: SmtpSink, count: int) -> list[Received]:
    """The organizer's copies, numbered in a batch and without an overview."""
    got = of_kind(session, smtp.to(ANOUK), MailKind.INVITE)  # beside her digest
    assert len(got) == count, f"{ANOUK} got {[m.subject for m in got]}"
    if count > 1:
        assert [m.subject.split(" ", 1)[0] for m in got] == [
            f"({i}/{count})" for i in range(1, count + 1)
        ]
    return got


def check_organizer_copy(
    received: Received, method: str, meeting: Meeting | str, sequence: int, start: datetime
) -> None:
    """Her copy, as icalendar, vobject and ical read it: the iMIP layout, a UID of its own, the
    planner as ORGANIZER (an invitation to its own organizer lands in no calendar) and her as
    the chair, who need not answer."""
    check_envelope(received, ANOUK)
    assert received.message["Reply-To"] is None
    (data,) = calendar_of(received, method)
    uid = f"organizer-{meeting if isinstance(meeting, str) else meeting.uid}"
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, sequence)
    assert event.decoded("DTSTART") == start
    assert str(event["ORGANIZER"]) == f"mailto:{MAIL_FROM}"
    assert "SENT-BY" not in event["ORGANIZER"].params
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list)
    assert (str(attendee), attendee.params["ROLE"]) == (f"mailto:{ANOUK}", "CHAIR")
    if method == "REQUEST":
        assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("ACCEPTED", "FALSE")
        assert event["STATUS"] == "CONFIRMED"
    else:
        assert event["STATUS"] == "CANCELLED"
    read = vobject.readOne(data.decode()).vevent
    assert (read.uid.value, int(read.sequence.value)) == (uid, sequence)
    assert read.organizer.value == f"mailto:{MAIL_FROM}"
    assert read.attendee.params["ROLE"] == ["CHAIR"]
    (other,) = IcsCalendarStream.calendar_from_ics(data.decode()).events
    assert (other.uid, other.sequence, other.dtstart) == (uid, sequence, start)


def test_the_organizer_gets_every_meeting_she_organises_in_her_own_calendar(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    series = confirm_days(session, woerden, now, *SERIES)
    run(app)
    copies = organizer_copies(session, smtp, len(series))
    for received, meeting in zip(copies, series, strict=True):
        day = format_meeting_time(meeting.starts_at, meeting.ends_at, AMSTERDAM, "nl")
        assert received.subject.endswith(f" In uw agenda: Startersbegeleiding Woerden, {day}")
        check_organizer_copy(received, "REQUEST", meeting, 0, meeting.starts_at)
        text = received.text()
        assert "U organiseert dit overleg." in text and "beantwoorden is niet nodig" in text
        assert f"{PUBLIC}/meetings/{meeting.id}" in text
        assert links_of(received) == []  # nothing to answer
    # The partners' mails are as before: a mail per meeting and an overview each.
    for partner in PARTNERS:
        letter(smtp, partner, len(series))
    smtp.clear()
    assert run(app).mails_sent == 0


def test_a_move_with_a_note_and_a_cancel_follow_in_the_organizers_calendar(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    _, second, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    smtp.clear()
    meetings.move_meeting(session, second, date(2027, 1, 14), now, note="De aula is bezet.")
    session.commit()
    run(app)
    (moved,) = organizer_copies(session, smtp, 1)
    start = datetime(2027, 1, 14, 15, 30, tzinfo=AMSTERDAM)
    assert moved.subject.startswith("Gewijzigd in uw agenda: Startersbegeleiding Woerden, ")
    check_organizer_copy(moved, "REQUEST", second, 1, start)
    assert "Was: di 12 jan 2027" in moved.text()
    assert "De aula is bezet." in moved.text()
    smtp.clear()
    meetings.cancel_meeting(session, second, now)
    session.commit()
    run(app)
    (cancelled,) = organizer_copies(session, smtp, 1)
    assert cancelled.subject.startswith("Geannuleerd: Startersbegeleiding Woerden, ")
    assert "Dit overleg gaat niet door; het wordt uit uw agenda gehaald." in cancelled.text()
    check_organizer_copy(cancelled, "CANCEL", second, 2, start)
    smtp.clear()
    assert run(app).mails_sent == 0


def test_a_new_organizer_gets_the_copies_and_the_former_one_loses_them(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    series = confirm_days(session, woerden, now, *SERIES)
    run(app)
    smtp.clear()
    karin = "k.smit@minnaert.example"
    collaborations.update_collaboration(
        session, woerden, {"coordinators": [f"Karin Smit <{karin}>"]}, now
    )
    session.commit()
    run(app)
    gone = organizer_copies(session, smtp, len(series))
    for received, meeting in zip(gone, series, strict=True):
        assert " Uit uw agenda: Startersbegeleiding Woerden, " in received.subject
        assert "U organiseert dit overleg niet meer; het gaat door" in received.text()
        check_organizer_copy(received, "CANCEL", meeting, 1, meeting.starts_at)
    theirs = of_kind(session, smtp.to(karin), MailKind.INVITE)
    assert len(theirs) == len(series)
    for received, meeting in zip(theirs, series, strict=True):
        (event,) = icalendar.Calendar.from_ical(calendar_of(received, "REQUEST")[0]).walk("VEVENT")
        assert str(event["UID"]) == f"organizer-{meeting.uid}"
        assert str(event["ATTENDEE"]) == f"mailto:{karin}"
    for partner in PARTNERS:
        assert smtp.to(partner) == []


def test_a_coordinator_who_now_organises_swaps_her_invitations_for_her_own_copies(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    karin = "k.smit@minnaert.example"
    collaborations.update_collaboration(
        session,
        woerden,
        {"coordinators": [f"Anouk de Vries <{ANOUK}>", f"Karin Smit <{karin}>"]},
        now,
    )
    session.commit()
    series = confirm_days(session, woerden, now, *SERIES)
    run(app)
    # The second coordinator is invited like a partner (and gets the digest).
    invitations = of_kind(session, smtp.to(karin), MailKind.INVITE)
    assert len(invitations) == len(series)
    links = links_of(invitations[0])
    smtp.clear()
    collaborations.update_collaboration(
        session,
        woerden,
        {"coordinators": [f"Karin Smit <{karin}>", f"Anouk de Vries <{ANOUK}>"]},
        now,
    )
    session.commit()
    run(app)
    got = [m for m in smtp.to(karin) if not m.subject.startswith("Weekoverzicht")]
    overview, *cancels = got[: len(series) + 1]
    assert (
        overview.subject
        == "Vervangen door uw eigen kopieën: 3 overleggen van Startersbegeleiding Woerden"
    )
    check_itip(
        objects_of(cancels, "CANCEL"), "CANCEL", karin, [(m.uid, 1, m.starts_at) for m in series]
    )
    copies = got[len(series) + 1 :]
    assert len(copies) == len(series)
    for received, meeting in zip(copies, series, strict=True):
        (event,) = icalendar.Calendar.from_ical(calendar_of(received, "REQUEST")[0]).walk("VEVENT")
        assert str(event["UID"]) == f"organizer-{meeting.uid}"
    with pytest.raises(LinkError):  # her answer links are of no use now
        resolve_rsvp(session, links[0][2], now)
    # Anouk swaps the other way: her copies out, an invitation in.
    mine = of_kind(session, smtp.to(ANOUK), MailKind.INVITE)
    assert sum("Uit uw agenda" in m.subject for m in mine) == len(series)
    assert sum("Uitnodiging" in m.subject for m in mine) == len(series)


def test_the_organizers_answer_to_her_own_copy_is_ignored(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    now = now_of(app)
    first, *_ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    before = session.scalars(select(Attendance).order_by(Attendance.person_id)).all()
    states = [(row.meeting_id, row.person_id, row.status) for row in before]
    assert (
        apply_reply(session, reply_ics(f"organizer-{first.uid}", 0, ANOUK, "ACCEPTED"), now) == []
    )
    session.commit()
    session.expire_all()
    after = session.scalars(select(Attendance).order_by(Attendance.person_id)).all()
    assert [(row.meeting_id, row.person_id, row.status) for row in after] == states


def _reply_mail(sender: str, meeting: Meeting, partstat: str, stamp: datetime) -> EmailMessage:
    """What a calendar app mails back when the partner presses Accept or Decline."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Test mail client//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", "REPLY")
    event = icalendar.Event()
    event.add("UID", meeting.uid)
    event.add("SEQUENCE", meeting.sequence)
    event.add("DTSTAMP", stamp)
    attendee = icalendar.vCalAddress(f"mailto:{sender}")
    attendee.params["PARTSTAT"] = icalendar.vText(partstat)
    event.add("ATTENDEE", attendee)
    calendar.add_component(event)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ANOUK
    message["Subject"] = "Geaccepteerd: Startersbegeleiding Woerden"
    message.set_content("Ik kom.")
    message.add_alternative(
        calendar.to_ical().decode(), subtype="calendar", params={"method": "REPLY"}
    )
    return message


def test_replies_in_the_mailbox_folder_record_answers_and_are_filed(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration, tmp_path: Any
) -> None:
    now = now_of(app)
    first, second, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    box = mailbox.Maildir(str(tmp_path / "replies"), create=True)
    box.add(_reply_mail(ESRA, first, "ACCEPTED", now))
    # Someone who was never invited, answering for Bram's meeting: refused, filed apart.
    box.add(_reply_mail("x@elsewhere.example", second, "DECLINED", now))
    app.config["REPLY_MAILDIR"] = str(tmp_path / "replies")
    result = run(app)
    assert result.periodic["replies"] == (1, 1)
    session.expire_all()
    answers = {
        (a.meeting_id, a.person.email): (a.status, a.answered_via)
        for a in session.scalars(select(Attendance))
        if a.status is not AttendanceStatus.NEEDS_ACTION
    }
    assert answers == {(first.id, ESRA): (AttendanceStatus.ACCEPTED, "reply")}
    assert len(box) == 0
    assert len(box.get_folder("processed")) == 1 and len(box.get_folder("rejected")) == 1
    assert run(app).periodic["replies"] == (0, 0)


def test_a_changed_answer_from_outlook_for_mac_in_the_mailbox_counts_by_its_mail_date(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration, tmp_path: Any
) -> None:
    """Outlook for Mac repeats the organizer's DTSTAMP in every reply: the mail's Date tells
    which answer came last, in whatever order the mailbox yields them."""
    now = now_of(app)
    first, _, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    box = mailbox.Maildir(str(tmp_path / "replies"), create=True)
    stamp = now - timedelta(hours=1)  # the invitation's DTSTAMP, in both replies
    # She answered "maybe" first and "no" ten minutes later; the mailbox order says nothing.
    later = (("DECLINED", now + timedelta(minutes=15)), ("TENTATIVE", now + timedelta(minutes=5)))
    for partstat, sent in later:
        message = _reply_mail(ESRA, first, partstat, stamp)
        message["Date"] = format_datetime(sent)
        box.add(message)
    app.config["REPLY_MAILDIR"] = str(tmp_path / "replies")
    set_now(app, now + timedelta(hours=1))
    run(app)
    session.expire_all()
    row = session.get(Attendance, (first.id, person_by_email(session, ESRA).id))
    assert row is not None and row.status is AttendanceStatus.DECLINED


def test_a_refused_mailed_answer_reaches_the_digest_and_the_queue_page(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration, tmp_path: Any
) -> None:
    """Filed under .rejected is not enough: the coordinator reads in the weekly digest whose
    answer was not taken and why, and the administrator sees it on the queue page."""
    from tests.web import login, make_account

    now = now_of(app)
    first, _, _ = confirm_days(session, woerden, now, *SERIES)
    run(app)
    smtp.clear()
    box = mailbox.Maildir(str(tmp_path / "replies"), create=True)
    box.add(_reply_mail("x@elsewhere.example", first, "DECLINED", now))
    app.config["REPLY_MAILDIR"] = str(tmp_path / "replies")
    assert run(app).periodic["replies"] == (0, 1)
    # The queue page of the platform administrator lists it, with the reason.
    admin = make_account(session, "beheer@planner.example", admin=True)
    browser = app.test_client()
    login(browser, admin)
    page = " ".join(browser.get("/admin/queue").get_data(as_text=True).split())
    assert "x@elsewhere.example" in page
    assert "x@elsewhere.example is niet uitgenodigd voor dit overleg." in page
    # Monday's digest tells the coordinator.
    set_now(app, datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    run(app)
    (digest,) = of_kind(session, smtp.to(ANOUK), MailKind.DIGEST)
    text = " ".join(digest.text().split())
    assert "Antwoorden die de planner niet kon verwerken" in text
    assert "van x@elsewhere.example: x@elsewhere.example is niet uitgenodigd" in text


def test_a_worker_without_an_address_holds_mails_with_links_and_loses_none(
    app: Flask, session: Session, cli: CLI, smtp: SmtpSink, woerden: Collaboration
) -> None:
    """A worker run on its own without PUBLIC_URL would send links to nowhere: it holds those
    mails, says why, and sends them with the right links once the address is set."""
    app.config["LINKS_WITHOUT_PUBLIC_URL"] = False
    now = now_of(app)
    confirm_days(session, woerden, now, SERIES[0])
    run(app)

    def dead_links() -> list[str]:
        return [m.subject for m in smtp.messages if b"localhost" in m.raw]

    # No invitation, nothing with a link to nowhere (a mail without links may go).
    assert not of_kind(session, smtp.messages, MailKind.INVITE) and dead_links() == []
    status = cli.ok("outbox", "status")
    assert "PUBLIC_URL is niet ingesteld" in status
    assert json.loads(cli.ok("outbox", "status", "--json"))["held_for_public_url"] >= 1
    # Holding uses no attempt: an hour later it is still waiting, not given up.
    set_now(app, now + timedelta(hours=1))
    run(app)
    assert not of_kind(session, smtp.messages, MailKind.INVITE) and dead_links() == []
    assert all(e.attempts == 0 and e.dead_at is None for e in session.scalars(select(Event)))
    app.config["PUBLIC_URL"] = "https://planner.example.nl"
    set_now(app, now + timedelta(hours=2))
    run(app)
    assert dead_links() == []
    for partner in PARTNERS:
        (received,) = smtp.to(partner)
        links = links_of(received)
        assert links and all(
            url.startswith("https://planner.example.nl/rsvp/") for _, url, _, _ in links
        )
    assert "PUBLIC_URL is niet ingesteld" not in cli.ok("outbox", "status")
