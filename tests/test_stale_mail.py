"""Mail is checked at send time: what the worker sends still says what is true.

Invitations and reminders are queued, the SMTP server (aiosmtpd on loopback) goes down, and
meanwhile a meeting is cancelled, another moved and a partner removed. When the server is back,
nothing stale arrives (no invitation or reminder for an old time, nothing for the cancelled
meeting but its CANCEL, nothing but CANCELs for the removed partner), nothing is lost (every
calendar ends in the state the planner has) and nothing arrives twice, by Message-ID or by
content. The dropped mails are visible, with their reason, on the queue page, the API and the
CLI. The rules themselves (planner.domain.stale_mail) are tested directly at the end.

Run with `-s` to see the figures: mails queued, dropped as stale, sent, duplicates, lost.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import AttendanceStatus, MailKind, MeetingStatus
from planner.domain.stale_mail import (
    DropReason,
    Facts,
    MailBasis,
    MeetingNow,
    PersonNow,
    Says,
    Version,
    stale_reason,
)
from planner.errors import ConflictError
from planner.events import EventKind
from planner.ical.invites import organizer_copy_uid
from planner.messaging.worker import RoundResult, Worker
from planner.models import Attendance, Collaboration, Event, Mail, Meeting, Organisation
from planner.services import collaborations, meetings
from planner.services import organisations as orgs
from planner.services.attendance import copy_sequence, record_answer
from planner.services.outbox import retry_mail
from tests.factories import confirm_days, person_by_email
from tests.helpers import CLI
from tests.smtp_sink import (
    Received,
    SmtpSink,
    smtp_fixture,  # noqa: F401 (the `smtp` fixture)
)
from tests.web import login, make_account, text_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)  # Saturday 21 Nov 2026, 11:00 in Amsterdam
ANOUK = "a.devries@minnaert.example"  # coordinates and organises
ESRA = "e.yilmaz@groenendaal.example"
BRAM = "b.jansen@debrug.example"
CAS = "c.smit@debrug.example"  # removed from the collaboration during the outage
PARTNERS = (ESRA, BRAM, CAS)


# --- clock, worker, collaboration -----------------------------------------------------------


def set_now(app: Flask, instant: datetime) -> datetime:
    app.config["FROZEN_NOW"] = instant.astimezone(UTC).isoformat()
    return instant


def run(app: Flask) -> RoundResult:
    return Worker(app).run_once()


def run_until_idle(app: Flask) -> RoundResult:
    """Run the worker until a run has nothing left to do; return the sum."""
    total = RoundResult()
    for _ in range(20):
        result = run(app)
        total.events += result.events
        total.mails_sent += result.mails_sent
        total.mails_failed += result.mails_failed
        total.mails_dropped += result.mails_dropped
        if result.events + result.mails_sent + result.mails_failed + result.mails_dropped == 0:
            return total
    raise AssertionError("the worker never became idle")


def mails(session: Session) -> list[Mail]:
    session.expire_all()
    return list(session.scalars(select(Mail).order_by(Mail.id)))


def make_collab(session: Session, now: datetime, partners: tuple[str, ...]) -> Collaboration:
    for org in (
        {"name": "Minnaert College", "brin": "91XA", "region": "midden", "city": "Woerden"},
        {"name": "Groenendaal Lyceum", "brin": "91XB", "region": "midden", "city": "Woerden"},
    ):
        if session.scalar(select(Organisation).where(Organisation.brin == org["brin"])) is None:
            orgs.create_organisation(session, org, now)
    collab = collaborations.create_collaboration(
        session,
        {
            "name": "Startersbegeleiding Woerden",
            "members": ["91XA", "91XB"],
            "coordinators": [f"Anouk de Vries <{ANOUK}>"],
            "participants": list(partners),
            "weekdays": "ma,di,wo,do,vr",
            "start_time": "15:30",
            "target_weeks": 1,
            "max_gap_weeks": 6,
        },
        now,
    )
    session.commit()
    return collab


@pytest.fixture
def woerden(app: Flask, session: Session, smtp: SmtpSink) -> Collaboration:
    set_now(app, NOW)
    return make_collab(
        session,
        NOW,
        (f"Esra Yilmaz <{ESRA}>", f"Bram Jansen <{BRAM}>", f"Cas Smit <{CAS}>"),
    )


# --- reading what arrived -------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """What one received mail says: its iTIP object, if any (method, UID, SEQUENCE, start)."""

    received: Received
    method: str | None
    uid: str | None
    sequence: int | None
    start: datetime | None

    @property
    def recipient(self) -> str:
        (address,) = self.received.rcpt_tos
        return address


def read(received: Received) -> Item:
    for part in received.message.walk():
        if part.get_content_type() == "text/calendar":
            calendar = icalendar.Calendar.from_ical(part.get_content().encode())
            (event,) = calendar.walk("VEVENT")
            return Item(
                received,
                str(calendar["METHOD"]),
                str(event["UID"]),
                int(event["SEQUENCE"]),
                event.decoded("DTSTART").astimezone(UTC),
            )
    return Item(received, None, None, None, None)


def contents(session: Session, items: list[Item]) -> Counter[tuple[Any, ...]]:
    """What the mails say, for "nothing arrived twice by content": an iTIP object by its
    recipient, method, UID and SEQUENCE; another mail about meetings (a reminder, an overview,
    a notice) by its recipient and what it says (its stored basis: which meetings, which
    versions). Mails about no meeting (digests, drift notices) count by their Message-ID."""
    session.expire_all()
    stored = {
        mail.message_id: mail
        for mail in session.scalars(
            select(Mail).where(Mail.message_id.in_([i.received.message_id for i in items]))
        )
    }
    found: Counter[tuple[Any, ...]] = Counter()
    for item in items:
        mail = stored[item.received.message_id]
        if item.uid is not None:
            found[(item.recipient, item.method, item.uid, item.sequence)] += 1
        elif mail.basis:
            found[(item.recipient, json.dumps(mail.basis, sort_keys=True))] += 1
        else:
            found[(item.recipient, mail.message_id)] += 1
    return found


def calendars(items: list[Item]) -> dict[str, dict[str, tuple[int, datetime] | None]]:
    """Each recipient's calendar after applying what arrived, in order, as a client does: a
    REQUEST or CANCEL counts unless its SEQUENCE is below the one held (RFC 5546 §2.1.5).
    uid: (sequence, start) for an event in the calendar, None for one taken out."""
    held: dict[str, dict[str, tuple[int, datetime] | None]] = defaultdict(dict)
    sequences: dict[tuple[str, str], int] = {}
    for item in items:
        if item.uid is None or item.sequence is None or item.start is None:
            continue
        key = (item.recipient, item.uid)
        if item.sequence < sequences.get(key, -1):
            continue
        sequences[key] = item.sequence
        held[item.recipient][item.uid] = (
            (item.sequence, item.start) if item.method == "REQUEST" else None
        )
    return held


def reminders(session: Session, items: list[Item]) -> list[Item]:
    session.expire_all()
    kinds = {
        mail.message_id: mail.kind
        for mail in session.scalars(
            select(Mail).where(Mail.message_id.in_([i.received.message_id for i in items]))
        )
    }
    return [i for i in items if kinds[i.received.message_id] is MailKind.REMINDER]


def report(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None], **figures: int
) -> None:
    """Print the figures (`pytest -s`) and keep them as test properties (`--junitxml`)."""
    for key, value in figures.items():
        record_property(key, value)
    dialect = request.getfixturevalue("database_url").split(":", 1)[0].split("+", 1)[0]
    shown = ", ".join(f"{key}={value}" for key, value in figures.items())
    print(f"\n[stale mail] {request.node.name} on {dialect}: {shown}")


# --- the outage -----------------------------------------------------------------------------


def test_an_outage_with_a_cancel_a_move_and_a_removal_delivers_only_what_is_true(
    app: Flask,
    session: Session,
    client: FlaskClient,
    cli: CLI,
    smtp: SmtpSink,
    woerden: Collaboration,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    # Four meetings; Wednesday 25 Nov will be cancelled, Thursday 26 Nov moved to 9 Dec.
    smtp.stop()
    wed25, thu26, tue1, thu3 = confirm_days(
        session,
        woerden,
        NOW,
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 12, 1),
        date(2026, 12, 3),
    )
    first = run(app)
    assert first.mails_sent == 0 and first.mails_failed > 0
    invitations = [m for m in mails(session) if m.kind is MailKind.INVITE]
    # A mail per meeting for each of the three partners and for the organizer's own calendar.
    assert len(invitations) == 4 * 4
    assert all(m.last_error and "cannot reach" in m.last_error for m in mails(session))

    # Monday 24 Nov 17:00: the reminders for Wednesday and Thursday are due (48 hours before);
    # the server is still down.
    t1 = set_now(app, datetime(2026, 11, 24, 16, 0, tzinfo=UTC))
    second = run(app)
    assert second.mails_sent == 0
    queued_reminders = [m for m in mails(session) if m.kind is MailKind.REMINDER]
    assert sorted((m.recipient, m.meeting_id) for m in queued_reminders) == sorted(
        (partner, meeting.id) for partner in PARTNERS for meeting in (wed25, thu26)
    )
    old_start = thu26.starts_at

    # Still down: Wednesday is cancelled, Thursday moves to Wednesday 9 Dec, Cas leaves.
    meetings.cancel_meeting(session, wed25, t1, note="Te weinig aanmeldingen")
    meetings.move_meeting(session, thu26, date(2026, 12, 9), t1)
    collaborations.update_collaboration(session, woerden, {"participants": [ESRA, BRAM]}, t1)
    session.commit()
    assert run(app).mails_sent == 0
    assert smtp.messages == []

    # Back up ten minutes later: the worker sends until it has nothing left.
    set_now(app, t1 + timedelta(minutes=10))
    smtp.start()
    after = run_until_idle(app)
    assert after.mails_failed == 0

    stored = mails(session)
    by_id = smtp.by_message_id()  # fails if any Message-ID arrived twice
    items = [read(received) for received in smtp.messages]
    dropped = [m for m in stored if m.dropped_at is not None]
    sent = [m for m in stored if m.sent_at is not None]
    # Nothing lost in the queue: every mail is sent or dropped, none waits, none is dead.
    unsettled = [m for m in stored if m.sent_at is None and m.dropped_at is None]
    assert unsettled == []
    assert not any(m.sent_at and m.dropped_at for m in stored)
    # What was sent arrived, once; nothing dropped arrived.
    assert set(by_id) == {m.message_id for m in sent}
    assert not {m.message_id for m in dropped} & set(by_id)
    for mail in sent:
        assert by_id[mail.message_id].rcpt_tos == (mail.recipient,)
    # Nothing twice by content either.
    twice = [key for key, n in contents(session, items).items() if n > 1]
    assert twice == []

    # Nothing stale arrived: every REQUEST is the meeting as it is now, for someone invited.
    session.expire_all()
    for item in items:
        if item.method != "REQUEST":
            continue
        assert item.recipient in (ESRA, BRAM, ANOUK), item.received.subject
        meeting = session.scalar(
            select(Meeting).where(
                Meeting.uid == (item.uid or "").removeprefix(organizer_copy_uid(""))
            )
        )
        assert meeting is not None and meeting.status is MeetingStatus.CONFIRMED
        assert item.start == meeting.starts_at
    assert not any(
        i.uid in (wed25.uid, organizer_copy_uid(wed25.uid)) and i.method == "REQUEST" for i in items
    )
    assert not any(i.start == old_start for i in items)
    # The replacements are the change's own mails, with what the coordinator wrote.
    for partner in (ESRA, BRAM):
        (cancel,) = [i for i in items if i.recipient == partner and i.uid == wed25.uid]
        assert cancel.method == "CANCEL" and "Te weinig aanmeldingen" in cancel.received.text()
        (update,) = [i for i in items if i.recipient == partner and i.uid == thu26.uid]
        assert "Was: do 26 nov 2026 15:30–17:00" in update.received.text()
    # Cas got CANCELs only (the cancelled meeting, and the others as a removal), no reminder.
    cas = [i for i in items if i.recipient == CAS]
    assert cas and all(i.method in ("CANCEL", None) for i in cas)
    assert reminders(session, cas) == []
    # No reminder for the cancelled meeting, none for the old time of the moved one.
    assert reminders(session, items) == []

    # Nothing lost: each calendar holds what the planner holds (None: not in it).
    held = calendars(items)
    expected: dict[str, dict[str, tuple[int, datetime] | None]] = {}
    for partner in (ESRA, BRAM):
        person = person_by_email(session, partner)
        expected[partner] = {wed25.uid: None}
        for meeting in (thu26, tue1, thu3):
            row = session.get(Attendance, (meeting.id, person.id))
            assert row is not None
            expected[partner][meeting.uid] = (copy_sequence(meeting, row), meeting.starts_at)
    # Cas has none of them: the cancelled one is cancelled, the others are taken out.
    expected[CAS] = {wed25.uid: None, thu26.uid: None, tue1.uid: None, thu3.uid: None}
    expected[ANOUK] = {
        organizer_copy_uid(wed25.uid): None,
        organizer_copy_uid(thu26.uid): (1, thu26.starts_at),
        organizer_copy_uid(tue1.uid): (0, tue1.starts_at),
        organizer_copy_uid(thu3.uid): (0, thu3.starts_at),
    }
    wrong = [
        (who, uid)
        for who, want in expected.items()
        for uid in set(want) | set(held[who])
        if held[who].get(uid, "absent") != want.get(uid, "absent")
    ]
    assert wrong == [], {who: held[who] for who in expected}

    # What was dropped, and why.
    reasons = Counter((m.recipient, m.kind, m.dropped_reason) for m in dropped)
    for partner in (ESRA, BRAM):
        assert reasons[(partner, MailKind.INVITE, DropReason.CANCELLED)] == 1
        assert reasons[(partner, MailKind.INVITE, DropReason.MOVED)] == 1
        assert reasons[(partner, MailKind.REMINDER, DropReason.CANCELLED)] == 1
        assert reasons[(partner, MailKind.REMINDER, DropReason.MOVED)] == 1
        assert reasons[(partner, MailKind.NOTICE, DropReason.CANCELLED)] == 1  # the overview
    assert reasons[(CAS, MailKind.INVITE, DropReason.CANCELLED)] == 1
    assert reasons[(CAS, MailKind.INVITE, DropReason.NOT_INVITED)] == 3
    assert reasons[(CAS, MailKind.REMINDER, DropReason.CANCELLED)] == 1
    assert reasons[(CAS, MailKind.REMINDER, DropReason.MOVED)] == 1
    assert reasons[(CAS, MailKind.NOTICE, DropReason.CANCELLED)] == 1  # the overview
    assert reasons[(ANOUK, MailKind.INVITE, DropReason.CANCELLED)] == 1
    assert reasons[(ANOUK, MailKind.INVITE, DropReason.MOVED)] == 1
    # Each dropped invitation asked the worker to make sure of its replacement; there was
    # nothing left to do.
    session.expire_all()
    checks = list(session.scalars(select(Event).where(Event.kind == EventKind.MAIL_DROPPED.value)))
    assert checks and all(event.done_at is not None for event in checks)

    # Seen by the administrator: the API, the CLI and the queue page.
    api = client.get("/api/v1/outbox?state=dropped&limit=500").get_json()
    assert api["mails"]["dropped"] == len(dropped) and api["events"]["dropped"] == 0
    assert {row["id"] for row in api["mail_rows"]} == {m.id for m in dropped}
    row = next(r for r in api["mail_rows"] if r["dropped_reason"] == "moved")
    assert row["dropped_at"] is not None and row["sent_at"] is None and row["dead_at"] is None
    assert row["dropped_because"]
    status = json.loads(cli.ok("outbox", "status", "--state", "dropped", "--json"))
    assert status["mails"]["dropped"] == len(dropped)
    admin = make_account(session, "beheer@planner.example", name="Beheer", admin=True)
    browser = app.test_client()
    login(browser, admin)
    page = text_of(browser.get("/admin/queue?state=dropped&lang=en"))
    assert "Mails: dropped: out of date" in page
    assert "The meeting was moved to another time." in page
    assert "The meeting was cancelled." in page
    assert "The person is no longer invited." in page
    # A dropped mail is final: it cannot be put back in the queue.
    with pytest.raises(ConflictError):
        retry_mail(session, dropped[0].id, t1)
    session.rollback()

    # The reminder for the new time goes when it is due, to those still invited; the other
    # meetings' reminders too.
    smtp.clear()
    later: list[Item] = []
    for meeting in (tue1, thu3, thu26):
        set_now(app, meeting.starts_at - timedelta(hours=47))
        run_until_idle(app)
        later += [read(received) for received in smtp.messages]
        smtp.clear()
    got = sorted((i.recipient, i.received.subject) for i in reminders(session, later))
    due = sorted(
        (partner, f"Herinnering: Startersbegeleiding Woerden, {day} 15:30–17:00")
        for partner in (ESRA, BRAM)
        for day in ("di 1 dec 2026", "do 3 dec 2026", "wo 9 dec 2026")
    )
    assert got == due

    stored = mails(session)
    report(
        request,
        record_property,
        queued=len(stored),
        dropped=sum(1 for m in stored if m.dropped_at is not None),
        sent=sum(1 for m in stored if m.sent_at is not None),
        duplicates=sum(n - 1 for n in contents(session, items + later).values())
        + sum(n - 1 for n in Counter(i.received.message_id for i in items + later).values()),
        # A mail left unsent, a calendar that does not hold what the planner holds, a reminder
        # that never came.
        lost=sum(1 for m in stored if m.sent_at is None and m.dropped_at is None)
        + len(wrong)
        + len(set(due) - set(got)),
    )


# --- the person's answer changes, the replacement is made sure of ---------------------------


def test_someone_removed_in_the_round_that_cancels_a_meeting_she_had_gets_its_cancel(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    tue1, thu3 = confirm_days(session, woerden, NOW, date(2026, 12, 1), date(2026, 12, 3))
    run_until_idle(app)
    assert len(smtp.to(CAS)) == 3  # the overview and both invitations
    smtp.clear()
    # Both changes wait for the worker together: the cancel's handler no longer sees Cas.
    meetings.cancel_meeting(session, tue1, NOW)
    collaborations.update_collaboration(session, woerden, {"participants": [ESRA, BRAM]}, NOW)
    session.commit()
    run_until_idle(app)
    items = [read(received) for received in smtp.to(CAS)]
    assert sorted((i.method, i.uid, i.sequence) for i in items if i.uid) == sorted(
        [("CANCEL", tue1.uid, 1), ("CANCEL", thu3.uid, 1)]
    )
    cancelled = next(i for i in items if i.uid == tue1.uid)
    assert cancelled.received.subject.startswith("Geannuleerd: ")
    assert calendars(items)[CAS] == {tue1.uid: None, thu3.uid: None}
    smtp.by_message_id()


def test_a_reminder_for_someone_who_declined_meanwhile_is_dropped_and_a_stale_decline_notice_too(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    (thu26,) = confirm_days(session, woerden, NOW, date(2026, 11, 26))
    run_until_idle(app)
    smtp.clear()
    t1 = set_now(app, thu26.starts_at - timedelta(hours=47))
    smtp.stop()
    run(app)  # reminders queued, not sent
    esra, bram = person_by_email(session, ESRA), person_by_email(session, BRAM)
    # Esra declines; Bram declines, and a minute later accepts after all.
    record_answer(session, thu26, esra, AttendanceStatus.DECLINED, t1, via="link")
    record_answer(session, thu26, bram, AttendanceStatus.DECLINED, t1, via="link")
    session.commit()
    run(app)  # the coordinator's two notices are queued, not sent
    record_answer(session, thu26, bram, AttendanceStatus.ACCEPTED, t1, via="link")
    session.commit()
    set_now(app, t1 + timedelta(minutes=5))
    smtp.start()
    run_until_idle(app)
    digests = {m.message_id for m in mails(session) if m.kind is MailKind.DIGEST}
    got = {
        (m.rcpt_tos[0], m.subject.split(":")[0])
        for m in smtp.messages
        if m.message_id not in digests
    }
    assert got == {
        (BRAM, "Herinnering"),
        (CAS, "Herinnering"),
        (ANOUK, "Esra Yilmaz komt niet"),
    }
    dropped = {(m.recipient, m.dropped_reason) for m in mails(session) if m.dropped_at}
    assert dropped == {(ESRA, DropReason.DECLINED), (ANOUK, DropReason.ANSWER_CHANGED)}
    smtp.by_message_id()


def test_a_dropped_invitation_whose_update_was_never_queued_is_replaced(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    (tue1,) = confirm_days(session, woerden, NOW, date(2026, 12, 1))
    smtp.stop()
    run(app)  # invitations queued, not sent
    meetings.move_meeting(session, tue1, date(2026, 12, 2), NOW)
    session.commit()
    # The move's handler never ran (its event was given up): no update was queued.
    moved = session.scalar(select(Event).where(Event.kind == EventKind.MEETING_MOVED.value))
    assert moved is not None
    moved.dead_at = NOW
    session.commit()
    set_now(app, NOW + timedelta(minutes=5))
    smtp.start()
    run_until_idle(app)
    items = [read(received) for received in smtp.messages]
    session.refresh(tue1)
    for partner in PARTNERS:
        requests = [i for i in items if i.recipient == partner and i.method == "REQUEST"]
        assert [(i.uid, i.sequence, i.start) for i in requests] == [(tue1.uid, 1, tue1.starts_at)]
    (copy,) = [i for i in items if i.recipient == ANOUK and i.method == "REQUEST"]
    assert (copy.uid, copy.sequence, copy.start) == (
        organizer_copy_uid(tue1.uid),
        1,
        tue1.starts_at,
    )
    assert {m.dropped_reason for m in mails(session) if m.dropped_at} == {DropReason.MOVED}
    smtp.by_message_id()


def test_a_reminder_dropped_for_a_move_is_sent_again_when_the_meeting_moves_back(
    app: Flask, session: Session, smtp: SmtpSink, woerden: Collaboration
) -> None:
    (thu26,) = confirm_days(session, woerden, NOW, date(2026, 11, 26))
    run_until_idle(app)
    first_start = thu26.starts_at
    t1 = set_now(app, first_start - timedelta(hours=47))
    smtp.stop()
    run(app)  # reminders queued, not sent
    meetings.move_meeting(session, thu26, date(2026, 11, 27), t1, short_notice=True)
    session.commit()
    set_now(app, t1 + timedelta(minutes=1))
    run(app)  # the reminders are dropped (the update cannot go yet)
    assert Counter(
        (m.kind, m.dropped_reason) for m in mails(session) if m.dropped_at is not None
    ) == {(MailKind.REMINDER, DropReason.MOVED): len(PARTNERS)}
    meetings.move_meeting(session, thu26, date(2026, 11, 26), t1, short_notice=True)
    session.commit()
    smtp.clear()
    set_now(app, t1 + timedelta(minutes=5))
    smtp.start()
    run_until_idle(app)
    items = [read(received) for received in smtp.messages]
    got = reminders(session, items)
    assert sorted(i.recipient for i in got) == sorted(PARTNERS)
    assert all(i.received.subject.endswith("do 26 nov 2026 15:30–17:00") for i in got)
    # Only the last version of the meeting reached each calendar.
    requests = [i for i in items if i.method == "REQUEST" and i.uid == thu26.uid]
    assert sorted(i.recipient for i in requests) == sorted(PARTNERS)
    assert {(i.sequence, i.start) for i in requests} == {(2, first_start)}
    # The dropped reminders keep their record; the new ones took their decision's key.
    stored = [m for m in mails(session) if m.kind is MailKind.REMINDER]
    assert len(stored) == 2 * len(PARTNERS)
    assert sum(1 for m in stored if m.dropped_at and "~dropped" in m.dedupe_key) == len(PARTNERS)
    smtp.by_message_id()


# --- the rules ------------------------------------------------------------------------------

T = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
END = START + timedelta(minutes=90)
CONFIRMED = MeetingNow(MeetingStatus.CONFIRMED, 0, START, END)
INVITED = PersonNow(invited=True, sequence=0, answer=AttendanceStatus.NEEDS_ACTION)
ORGANIZER = PersonNow(organizes=True, copy_sequence=0)


def facts(
    meeting: MeetingNow | None = CONFIRMED,
    person: PersonNow = INVITED,
    **more: Any,
) -> Facts:
    return Facts(
        meetings={} if meeting is None else {1: meeting},
        recipient={1: person},
        **more,
    )


def basis(says: Says, copy: int | None = 0, **more: Any) -> MailBasis:
    return MailBasis(says, (Version(1, 0, START, copy),), **more)


moved = MeetingNow(MeetingStatus.CONFIRMED, 1, START + timedelta(days=1), END + timedelta(days=1))
cancelled = MeetingNow(MeetingStatus.CANCELLED, 1, START, END)


@pytest.mark.parametrize(
    ("case", "mail", "known", "reason"),
    [
        ("invitation as it is", basis(Says.REQUEST), facts(), None),
        ("meeting deleted", basis(Says.REQUEST), facts(None), DropReason.GONE),
        ("meeting cancelled", basis(Says.REQUEST), facts(cancelled), DropReason.CANCELLED),
        ("meeting moved", basis(Says.REQUEST), facts(moved), DropReason.MOVED),
        (
            "a new version at the same time",
            basis(Says.REQUEST),
            facts(MeetingNow(MeetingStatus.CONFIRMED, 1, START, END)),
            DropReason.SUPERSEDED,
        ),
        ("meeting over", basis(Says.REQUEST), facts(), DropReason.PAST),
        (
            "partner removed",
            basis(Says.REQUEST),
            facts(person=PersonNow(sequence=0)),
            DropReason.NOT_INVITED,
        ),
        (
            "invited again above a CANCEL",
            basis(Says.REQUEST),
            facts(person=PersonNow(invited=True, sequence=2)),
            DropReason.SUPERSEDED,
        ),
        (
            "back in the collaboration, not yet invited again",
            basis(Says.REQUEST),
            facts(person=PersonNow(invited=True)),
            DropReason.SUPERSEDED,
        ),
        ("a CANCEL goes", basis(Says.CANCEL, 1), Facts(), None),
        (
            "a CANCEL gives way to a newer REQUEST only",
            basis(Says.CANCEL, 1),
            Facts(newer_request=True),
            DropReason.SUPERSEDED,
        ),
        ("the overview of CANCELs goes", basis(Says.OVERVIEW_CANCEL), Facts(), None),
        ("the organizer's copy", basis(Says.COPY_REQUEST), facts(person=ORGANIZER), None),
        (
            "her copy, she no longer organises",
            basis(Says.COPY_REQUEST),
            facts(person=PersonNow(copy_sequence=0)),
            DropReason.NOT_ORGANIZER,
        ),
        (
            "her copy, taken out since",
            basis(Says.COPY_REQUEST),
            facts(person=PersonNow(organizes=True, copy_sequence=1, copy_withdrawn=True)),
            DropReason.SUPERSEDED,
        ),
        ("a reminder", basis(Says.REMINDER, None), facts(), None),
        ("a reminder, moved", basis(Says.REMINDER, None), facts(moved), DropReason.MOVED),
        (
            "a reminder, declined",
            basis(Says.REMINDER, None),
            facts(person=PersonNow(invited=True, answer=AttendanceStatus.DECLINED)),
            DropReason.DECLINED,
        ),
        (
            "a decline notice",
            basis(Says.DECLINED, None, about=7),
            facts(about={1: PersonNow(invited=True, answer=AttendanceStatus.DECLINED)}),
            None,
        ),
        (
            "a decline notice, answered otherwise",
            basis(Says.DECLINED, None, about=7),
            facts(about={1: PersonNow(invited=True, answer=AttendanceStatus.ACCEPTED)}),
            DropReason.ANSWER_CHANGED,
        ),
        (
            "a conflict notice, the conflict is gone",
            basis(Says.CONFLICT, None),
            facts(),
            DropReason.RESOLVED,
        ),
        (
            "a conflict notice",
            basis(Says.CONFLICT, None),
            facts(MeetingNow(MeetingStatus.CONFIRMED, 0, START, END, conflict=True)),
            None,
        ),
        (
            "a nudge, the school filled in its calendar",
            MailBasis(Says.CALENDAR_NUDGE, organisation=3, school_year="2026-2027"),
            Facts(calendar_complete=True),
            DropReason.CALENDAR_FILLED,
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_rules(case: str, mail: MailBasis, known: Facts, reason: DropReason | None) -> None:
    now = END if case == "meeting over" else T
    assert stale_reason(mail, known, now) is reason
    assert MailBasis.from_json(mail.to_json()) == mail


def test_a_series_decline_notice_stands_while_any_of_its_answers_does() -> None:
    later = Version(2, 0, START + timedelta(days=7))
    notice = MailBasis(Says.DECLINED, (Version(1, 0, START), later), about=7)
    declined = PersonNow(invited=True, answer=AttendanceStatus.DECLINED)
    second = MeetingNow(
        MeetingStatus.CONFIRMED, 0, later.starts_at, later.starts_at + timedelta(hours=1)
    )
    one_cancelled = Facts(meetings={1: cancelled, 2: second}, about={1: declined, 2: declined})
    assert stale_reason(notice, one_cancelled, T) is None
    both = Facts(meetings={1: cancelled}, about={1: declined})
    assert stale_reason(notice, both, T) is DropReason.CANCELLED
    # The overview of a batch of invitations goes only while every date in it is true.
    overview = MailBasis(
        Says.OVERVIEW, (Version(1, 0, START, 0), Version(2, 0, later.starts_at, 0))
    )
    partner = PersonNow(invited=True, sequence=0)
    assert (
        stale_reason(overview, Facts({1: CONFIRMED, 2: second}, {1: partner, 2: partner}), T)
        is None
    )
    assert (
        stale_reason(overview, Facts({1: CONFIRMED, 2: moved}, {1: partner, 2: partner}), T)
        is DropReason.MOVED
    )
