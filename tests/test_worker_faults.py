"""The worker under faults, with real processes: `planner worker` subprocesses killed with SIGKILL
in the middle of a batch, and two workers at once on one database.

The SMTP server is a process of its own that outlives the workers: `python -m aiosmtpd` with its
Maildir handler, which stores each message before it answers 250. The workers use the suite's
database (SQLite, or PostgreSQL with PLANNER_TEST_DATABASE_URL) and the real clock, because
leases must run out.

What must hold: no mail is lost, and each kill leaves at most one mail ambiguous (the one in
flight: the server said 250 but the worker died before committing `sent_at`, so it is sent again
under the same Message-ID when its lease has run out). The duplicates seen are printed (run with
`-s`) and recorded as a test property (`--junitxml`); the goal is 0.
"""

from __future__ import annotations

import email
import email.policy
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from planner.domain.kinds import (
    LocationMode,
    MailKind,
    MeetingStatus,
    OrganisationKind,
    Role,
    Sector,
)
from planner.events import EventKind, MeetingsPlanned, append_event
from planner.ical.imip import Envelope, build_mail
from planner.models import (
    Attendance,
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Event,
    JobState,
    Mail,
    Meeting,
    Organisation,
    Person,
)
from planner.services.outbox import queue_mail

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PLANNER = str(Path(sys.executable).with_name("planner"))
HOST = "127.0.0.1"
MAIL_FROM = "planner@planner.example"
LEASE_SECONDS = 3


# --- the SMTP sink: a process of its own ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(
    done: Callable[[], bool],
    timeout: float,
    what: str,
    *watched: Process,
) -> None:
    """Poll until `done()`; fail on timeout or when a watched process exits."""
    deadline = time.monotonic() + timeout
    while not done():
        for process in watched:
            if process.popen.poll() is not None:
                pytest.fail(f"{process.name} exited while waiting for {what}:\n{process.tail()}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name}\n{p.tail()}" for p in watched)
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{logs}")
        time.sleep(0.01)


@dataclass
class Process:
    """A child process, its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text("utf-8", errors="replace")[-chars:]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Signal it (TERM: a worker finishes its round and gives its leases back) and reap it."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as in a power cut of the process."""
        self.stop(signal.SIGKILL)


def spawn(name: str, command: list[str], log: Path, env: dict[str, str] | None = None) -> Process:
    with log.open("wb") as out:
        popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, popen, log)


@dataclass
class Sink:
    """What the SMTP server stored: one Maildir file per accepted message."""

    port: int
    maildir: Path

    def files(self) -> list[Path]:
        folder = self.maildir / "new"
        return sorted(folder.iterdir()) if folder.is_dir() else []

    def count(self) -> int:
        folder = self.maildir / "new"
        return len(os.listdir(folder)) if folder.is_dir() else 0

    def message_ids(self) -> Counter[str]:
        """How often each Message-ID arrived."""
        parser = BytesHeaderParser()
        counts: Counter[str] = Counter()
        for path in self.files():
            with path.open("rb") as handle:
                counts[str(parser.parse(handle)["Message-ID"])] += 1
        return counts

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in self.files():
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Sink]:
    """`python -m aiosmtpd` on a free loopback port, storing into a Maildir."""
    port = free_port()
    maildir = tmp_path / "maildir"
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{port}"]
    command += ["-c", "aiosmtpd.handlers.Mailbox", str(maildir)]
    server = spawn("smtp sink", command, tmp_path / "sink.log")
    try:
        wait_until(lambda: listening(port), 20, "the SMTP sink to listen", server)
        yield Sink(port, maildir)
    finally:
        server.stop(signal.SIGINT)


# --- the workers ----------------------------------------------------------------------------


@dataclass
class Workers:
    """`planner worker` processes on the test database; every one is stopped at teardown."""

    database_url: str
    sink: Sink
    folder: Path
    batch: int = 50
    started: list[Process] = field(default_factory=list)

    def start(self, name: str) -> Process:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PLANNER_")}
        env.update(
            PYTHONUNBUFFERED="1",
            PLANNER_DATABASE_URL=self.database_url,
            PLANNER_MAIL_SMTP_HOST=HOST,
            PLANNER_MAIL_SMTP_PORT=str(self.sink.port),
            PLANNER_MAIL_SMTP_SECURITY="none",
            PLANNER_MAIL_FROM=MAIL_FROM,
            PLANNER_PUBLIC_URL="https://planner.example",
            PLANNER_WORKER_DISPATCH_SECONDS="0.2",
            PLANNER_WORKER_LEASE_SECONDS=str(LEASE_SECONDS),
            # A mail claim lasts at least six SMTP timeouts: keep it at the lease on loopback.
            PLANNER_MAIL_SMTP_TIMEOUT=str(LEASE_SECONDS / 6),
            PLANNER_WORKER_BATCH=str(self.batch),
            PLANNER_MAIL_RETRY_BASE_SECONDS="1",
            # Leave the development instance folder's feed generation file alone.
            PLANNER_FEED_SHARED_GENERATION="false",
        )
        process = spawn(name, [PLANNER, "worker", "--name", name], self.folder / f"{name}.log", env)
        self.started.append(process)
        return process

    def ready(self, process: Process) -> bool:
        return "Scheduler started" in process.tail(100_000)

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()


@pytest.fixture
def workers(app: Flask, database_url: str, sink: Sink, tmp_path: Path) -> Iterator[Workers]:
    """Depends on `app`, so every worker is gone before the tables are emptied."""
    running = Workers(database_url, sink, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


# --- the database ---------------------------------------------------------------------------


def utcnow() -> datetime:
    return datetime.now(UTC)


def queue_plain_mails(app: Flask, count: int, tag: str) -> list[str]:
    """Queue `count` small notices; return their Message-IDs."""
    db = app.extensions["planner.db"]
    now = utcnow()
    message_ids = []
    with db.session() as session:
        for n in range(count):
            message_id = f"<{tag}-{n}-{uuid.uuid4().hex[:12]}@planner.example>"
            address = f"persoon{n}@school.example"
            subject = f"Bericht {n}"
            envelope = Envelope(
                ("Planner", MAIL_FROM), (f"Persoon {n}", address), subject, message_id, now
            )
            message = build_mail(envelope, f"Bericht {n} van de planner.\n")
            queue_mail(
                session,
                kind=MailKind.NOTICE,
                dedupe_key=f"{tag}:{n}",
                message_id=message_id,
                recipient=address,
                subject=subject,
                raw=message.as_string(),
                now=now,
            )
            message_ids.append(message_id)
        session.commit()
    return message_ids


def scalar(app: Flask, query: Any) -> Any:
    with app.extensions["planner.db"].session() as session:
        return session.scalar(query)


def unsent(app: Flask) -> int:
    return int(scalar(app, select(func.count(Mail.id)).where(Mail.sent_at.is_(None))))


def stranded(app: Flask, worker: str) -> int:
    """Mails a (dead) worker holds unsent: they wait until its lease has run out."""
    query = select(func.count(Mail.id)).where(Mail.claimed_by == worker, Mail.sent_at.is_(None))
    return int(scalar(app, query))


def report(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None], **figures: Any
) -> None:
    """Print the figures (`pytest -s`) and keep them as test properties (`--junitxml`)."""
    for key, value in figures.items():
        record_property(key, value)
    dialect = request.getfixturevalue("database_url").split(":", 1)[0].split("+", 1)[0]
    shown = ", ".join(f"{key}={value}" for key, value in figures.items())
    print(f"\n[worker faults] {request.node.name} on {dialect}: {shown}")


def check_delivery(sink: Sink, expected: list[str], kills: int) -> tuple[Counter[str], int]:
    """Every queued Message-ID arrived, nothing else did; return the counts and duplicates."""
    received = sink.message_ids()
    missing = set(expected) - set(received)
    assert not missing, f"{len(missing)} mails lost, e.g. {sorted(missing)[:3]}"
    unknown = set(received) - set(expected)
    assert not unknown, f"mails that were never queued arrived: {sorted(unknown)[:3]}"
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= kills, f"{duplicates} duplicates after {kills} kills: {received}"
    return received, duplicates


# --- 1. SIGKILL in the middle of sending ----------------------------------------------------

MAILS = 300
KILL_AT = (0.2, 0.45, 0.7)  # share of the mails at the sink when a worker is killed


def test_workers_killed_while_sending_lose_no_mail(
    app: Flask,
    sink: Sink,
    workers: Workers,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    expected = queue_plain_mails(app, MAILS, "kill")
    held = []
    for n, share in enumerate(KILL_AT):
        doomed = workers.start(f"doomed-{n}")
        target = int(share * MAILS)
        wait_until(lambda t=target: sink.count() >= t, 30, f"{target} mails", doomed)
        # Seeing a delivery is no moment to kill: that mail's `sent_at` is being committed
        # right then. Kill anywhere in the next few mails instead.
        time.sleep(random.uniform(0, 0.02))
        doomed.kill()
        assert sink.count() < MAILS, "the worker was killed too late: everything had arrived"
        held.append(stranded(app, doomed.name))
    survivor = workers.start("survivor")
    wait_until(lambda: unsent(app) == 0, 40, "every mail sent", survivor)
    survivor.stop()

    _, duplicates = check_delivery(sink, expected, len(KILL_AT))
    # At least one kill hit a worker holding claimed, unsent mails (mid-batch).
    assert sum(held) > 0, held
    report(request, record_property, kills=len(KILL_AT), duplicates=duplicates, stranded=held)


# --- 1b. SIGKILL in the middle of dispatching events ----------------------------------------

COLLABORATIONS = 40
INVITEES = 4  # besides the coordinator who organises
MEETINGS = 3
EVENT_KILL_AT = (0.2, 0.5)  # share of the events done when a worker is killed


@dataclass(frozen=True)
class Planned:
    """What the events should lead to: per address, the UIDs it gets (the organizer's own)."""

    events: int
    invitations: dict[str, set[str]]


def plan_collaborations(app: Flask) -> Planned:
    """Collaborations with people and future meetings, and one `meetings.planned` event each."""
    db = app.extensions["planner.db"]
    now = utcnow()
    invitations: dict[str, set[str]] = {}
    with db.session() as session:
        schools = [
            Organisation(
                kind=OrganisationKind.SCHOOL, name=f"Fout College {region.title()}",
                sector=Sector.VO, region=region, city="Utrecht", created_at=now, updated_at=now,
            )
            for region in ("noord", "zuid")
        ]  # fmt: skip
        session.add_all(schools)
        for c in range(COLLABORATIONS):
            people = [
                Person(
                    name=f"Persoon {c}-{p}", email=f"p{c}-{p}@school.example",
                    organisation=schools[p % 2], created_at=now, updated_at=now,
                )
                for p in range(INVITEES + 1)
            ]  # fmt: skip
            collab = Collaboration(
                name=f"Netwerk {c}", ambition="Samen sterker.", target_weeks=2, max_gap_weeks=4,
                duration_minutes=90, weekdays="1234", earliest_start=clock_time(15, 30),
                latest_start=clock_time(15, 30), location_mode=LocationMode.ROTATE,
                created_at=now, updated_at=now,
            )  # fmt: skip
            collab.members = [
                CollaborationMember(organisation=school, position=n)
                for n, school in enumerate(schools)
            ]
            collab.people = [
                CollaborationPerson(
                    person=person, role=Role.COORDINATOR if n == 0 else Role.PARTICIPANT, position=n
                )
                for n, person in enumerate(people)
            ]
            session.add(collab)
            session.flush()
            meetings = []
            for m in range(MEETINGS):
                day = (now + timedelta(days=30 + 14 * m)).date()
                starts_at = datetime.combine(day, clock_time(14, 30), UTC)
                meetings.append(
                    Meeting(
                        collaboration_id=collab.id, status=MeetingStatus.CONFIRMED, day=day,
                        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90),
                        location=schools[m % 2].name, location_organisation_id=schools[m % 2].id,
                        uid=f"fault-{c}-{m}@planner", sequence=0, created_at=now, updated_at=now,
                    )
                )  # fmt: skip
            session.add_all(meetings)
            session.flush()
            append_event(
                session,
                EventKind.MEETINGS_PLANNED,
                MeetingsPlanned(
                    collaboration_id=collab.id,
                    plan_key=f"fault-{c}",
                    meeting_ids=[meeting.id for meeting in meetings],
                    days=[meeting.day.isoformat() for meeting in meetings],
                ),
                now,
            )
            for person in people[1:]:
                invitations[person.email] = {meeting.uid for meeting in meetings}
            # The organizer's own copies (planner.messaging.organizer_copies).
            invitations[people[0].email] = {f"organizer-{meeting.uid}" for meeting in meetings}
        # The daily and weekly jobs ran just now: a starting worker adds no digests or top-ups.
        for job in ("daily", "weekly"):
            session.add(JobState(name=f"job:{job}", last_run_at=now))
        session.commit()
    return Planned(COLLABORATIONS, invitations)


UID = re.compile(r"^UID:(\S+)\r?$", re.M)


def invited_uids(message: Message) -> set[str] | None:
    """The meeting UIDs of an iTIP REQUEST mail (None: no invitation): one iTIP object per
    meeting, attached as invite-N.ics (the first also inline)."""
    uids: set[str] = set()
    found = False
    for part in message.walk():
        if part.get_content_type() in {"text/calendar", "application/ics"}:
            body = part.get_payload(decode=True)
            assert isinstance(body, bytes)
            text = body.decode("utf-8")
            assert "METHOD:REQUEST" in text
            (uid,) = UID.findall(text)
            uids.add(uid)
            found = True
    return uids if found else None


def events_done(app: Flask) -> int:
    return int(scalar(app, select(func.count(Event.id)).where(Event.done_at.is_not(None))))


def mails_of_pending_events(app: Flask) -> int:
    """Mails whose event is not done: a handler's effects committed without the `done_at`."""
    query = (
        select(func.count(Mail.id))
        .join(Event, Event.id == Mail.event_id)
        .where(Event.done_at.is_(None))
    )
    return int(scalar(app, query))


def test_workers_killed_while_dispatching_events_invite_each_person_once(
    app: Flask,
    sink: Sink,
    workers: Workers,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    workers.batch = 4  # a transaction every four events: kills land between and inside them
    planned = plan_collaborations(app)
    done_at_kill = []
    for n, share in enumerate(EVENT_KILL_AT):
        doomed = workers.start(f"dispatcher-{n}")
        target = int(share * planned.events)
        wait_until(lambda t=target: events_done(app) >= t, 40, f"{target} events done", doomed)
        time.sleep(random.uniform(0.05, 0.2))  # inside the next round, mostly past its first event
        doomed.kill()
        done_at_kill.append(events_done(app))
        assert done_at_kill[-1] < planned.events, "killed too late: every event was done"
        # What the killed transaction did is gone with it, mails included.
        assert mails_of_pending_events(app) == 0
    survivor = workers.start("survivor")
    wait_until(
        lambda: events_done(app) == planned.events and unsent(app) == 0,
        60,
        "every event done and every mail sent",
        survivor,
    )
    survivor.stop()

    with app.extensions["planner.db"].session() as session:
        events = list(session.scalars(select(Event).where(Event.kind == "meetings.planned")))
        assert len(events) == planned.events
        # Each event done once: no handler failed or was retried after a recorded failure.
        assert all(e.done_at and not (e.dead_at or e.attempts or e.last_error) for e in events)
        mails = list(session.scalars(select(Mail)))
        invites = [mail for mail in mails if mail.kind is MailKind.INVITE]
        # One REQUEST per invitee and meeting, not more (and one overview each, a notice).
        assert len(invites) == len(planned.invitations) * MEETINGS
        assert {mail.event_id for mail in invites} <= {event.id for event in events}
        rows = list(session.scalars(select(Attendance)))
        assert len(rows) == COLLABORATIONS * INVITEES * MEETINGS
        assert all(row.sent_sequence == 0 for row in rows)

    _, duplicates = check_delivery(sink, [mail.message_id for mail in mails], len(EVENT_KILL_AT))
    # Each invitee got exactly one invitation (one Message-ID) per meeting.
    per_meeting: dict[tuple[str, str], set[str]] = {}
    for message in sink.messages():
        uids = invited_uids(message)
        if uids is None:
            continue
        for uid in uids:
            key = (str(message["X-RcptTo"]), uid)
            per_meeting.setdefault(key, set()).add(str(message["Message-ID"]))
    wanted = {(address, uid) for address, uids in planned.invitations.items() for uid in uids}
    assert set(per_meeting) == wanted
    assert all(len(ids) == 1 for ids in per_meeting.values())
    report(
        request,
        record_property,
        kills=len(EVENT_KILL_AT),
        duplicates=duplicates,
        events_done_at_kills=done_at_kill,
        mails=len(mails),
    )


# --- 2. two workers at once -----------------------------------------------------------------

PAIR_MAILS = 500


def test_two_workers_at_once_send_every_mail_once(
    app: Flask,
    sink: Sink,
    workers: Workers,
    database_url: str,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    workers.batch = 25
    pair = [workers.start("left"), workers.start("right")]
    wait_until(lambda: all(workers.ready(w) for w in pair), 30, "both workers running", *pair)
    # Queued while both run, so both see the mails at once.
    expected = queue_plain_mails(app, PAIR_MAILS, "pair")
    wait_until(lambda: unsent(app) == 0, 60, "every mail sent", *pair)
    for worker in pair:
        worker.stop()

    received, duplicates = check_delivery(sink, expected, kills=0)
    assert set(received.values()) == {1}
    with app.extensions["planner.db"].session() as session:
        senders = Counter(session.scalars(select(Mail.claimed_by)))
    if database_url.startswith("postgresql"):
        # FOR UPDATE SKIP LOCKED: both dispatch, side by side.
        assert set(senders) == {"left", "right"}, senders
    else:
        # SQLite: the holder of the dispatch lease sends; the other one stands by.
        assert len(senders) == 1, senders
    report(request, record_property, duplicates=duplicates, sent_by=dict(senders))
