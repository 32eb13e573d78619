"""Benchmark: the outbox worker dispatching 10,000 events and sending their 10,000 mails over SMTP.

Run: .venv/bin/python bench/outbox.py [DATABASE_URL]
Default URL: a fresh SQLite file in a temporary folder. A PostgreSQL URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench_outbox) is created when missing and
its schema is dropped and rebuilt by the real migrations. Set-up (not timed): 1,000
collaborations of two schools, each with one coordinator, ten participants and a meeting ahead.
The events are `attendance.answered` with status declined, one per participant (10,000); the
handler turns each into one notice mail to the coordinator.

The SMTP server is aiosmtpd on loopback in a process of its own (`bench/outbox.py --sink`, so it
does not share the GIL with the worker); it writes each Message-ID with time.time() as it
receives the message. Each mail is traced back to its event through `mail.event_id`; the delay is
from the commit of the event's transaction to the sink receiving its mail.

Two runs:
- burst, in-process: all 10,000 events committed in one transaction, then `Worker(app).drain()`
  until every mail is out, its phases timed apart: events/s of dispatching alone (handlers
  composing and queueing mails) and mails/s of sending (SMTP with claiming and recording);
- steady, `planner worker` as deployed (a subprocess, default settings: a dispatch round every
  WORKER_DISPATCH_SECONDS, batches of WORKER_BATCH): 5,000 events committed ten at a time at
  100 events/s, under what the worker can take, so the delay is what a user waits.
Every child process is stopped on exit.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from processes import cpu_model, free_port, terminated_as_exit
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from planner import create_app
from planner.config import DefaultConfig
from planner.database import Database
from planner.domain.kinds import LocationMode, MeetingStatus, OrganisationKind, Role, Sector
from planner.events import EventKind
from planner.messaging.worker import Worker
from planner.migrate import upgrade_database
from planner.models import (
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

COLLABORATIONS = 1_000
PARTICIPANTS = 10
EVENTS = COLLABORATIONS * PARTICIPANTS
STEADY_EVENTS = 5_000  # the first half of the declines, again
STEADY_RATE = 100  # events per second offered in the steady run
STEADY_CHUNK = 10  # events per transaction in the steady run
HOST = "127.0.0.1"
MAIL_FROM = "planner@bench.example"
PUBLIC_URL = "https://planner.bench.example"
TIMEOUT_SECONDS = 300

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PLANNER = str(Path(sys.executable).with_name("planner"))
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.I | re.M)


# -- the SMTP sink (its own process) ---------------------------------------------------------


def sink_main(port: int, log_path: str) -> None:
    """Accept every message; write `time.time() Message-ID` per message before answering 250."""
    from aiosmtpd.controller import Controller

    log = open(log_path, "a", buffering=1, encoding="ascii")  # noqa: SIM115 (closed on exit)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received = time.time()
            found = MESSAGE_ID.search(envelope.content)
            log.write(f"{received:.6f} {found[1].decode() if found else '-'}\n")
            return "250 OK"

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = Controller(Handler(), hostname=HOST, port=port)
    controller.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    log.close()


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Children:
    """Every child process, stopped (by its own pid) when the benchmark ends."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.children: list[Child] = []

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Child:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()


def start_sink(children: Children, workdir: Path) -> tuple[int, Path]:
    port = free_port()
    log = workdir / "received.log"
    sink = children.start("sink", [sys.executable, __file__, "--sink", str(port), str(log)])
    deadline = time.monotonic() + 30
    while "ready" not in sink.log.read_text():
        if sink.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the SMTP sink did not start:\n{sink.log.read_text()[-3000:]}")
        time.sleep(0.05)
    return port, log


def received(log: Path) -> dict[str, float]:
    """Message-ID → when the sink first received it."""
    first: dict[str, float] = {}
    with log.open(encoding="ascii") as handle:
        for line in handle:
            stamp, message_id = line.split()
            first.setdefault(message_id, float(stamp))
    return first


def lines(log: Path) -> int:
    with log.open("rb") as handle:
        return sum(1 for _ in handle)


# -- data ------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database when missing and empty its schema."""
    from sqlalchemy import create_engine

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@dataclass(frozen=True)
class Answer:
    """One decline to turn into an event."""

    meeting_id: int
    collaboration_id: int
    person_id: int


def populate(db: Database, now: datetime) -> list[Answer]:
    """The collaborations, their people and meetings; returns the declines to send."""
    answers = []
    with db.session() as session:
        schools = [
            Organisation(
                kind=OrganisationKind.SCHOOL, name=f"Bench College {region.title()}",
                sector=Sector.VO, region=region, city="Utrecht", created_at=now, updated_at=now,
            )
            for region in ("noord", "zuid")
        ]  # fmt: skip
        session.add_all(schools)
        for c in range(COLLABORATIONS):
            collab = Collaboration(
                name=f"Netwerk {c}", ambition="Samen het rooster vernieuwen.", target_weeks=4,
                max_gap_weeks=8, duration_minutes=90, weekdays="234",
                earliest_start=clock_time(15, 30), latest_start=clock_time(15, 30),
                location_mode=LocationMode.ROTATE, created_at=now, updated_at=now,
            )  # fmt: skip
            collab.members = [
                CollaborationMember(organisation=school, position=n)
                for n, school in enumerate(schools)
            ]
            collab.people = [
                CollaborationPerson(
                    person=Person(
                        name=f"Persoon {c}-{p}", email=f"p{c}-{p}@school.example",
                        organisation=schools[p % 2], created_at=now, updated_at=now,
                    ),
                    role=Role.COORDINATOR if p == 0 else Role.PARTICIPANT, position=p,
                )
                for p in range(PARTICIPANTS + 1)
            ]  # fmt: skip
            starts_at = now + timedelta(days=20 + c % 60, hours=4)
            collab_meeting = Meeting(
                status=MeetingStatus.CONFIRMED, day=starts_at.date(), starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90), location=schools[c % 2].name,
                uid=f"bench-outbox-{c}@planner", sequence=0, created_at=now, updated_at=now,
            )  # fmt: skip
            collab_meeting.collaboration = collab
            session.add_all([collab, collab_meeting])
        session.flush()
        for collab in session.scalars(select(Collaboration).order_by(Collaboration.id)):
            meeting_id = session.scalar(
                select(Meeting.id).where(Meeting.collaboration_id == collab.id)
            )
            assert meeting_id is not None
            for link in collab.people[1:]:
                answers.append(Answer(meeting_id, collab.id, link.person_id))
        # The daily and weekly jobs ran just now: the worker adds no drift notices or digests.
        for job in ("daily", "weekly"):
            session.add(JobState(name=f"job:{job}", last_run_at=now))
        session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return answers


def commit_events(db: Database, answers: list[Answer]) -> tuple[list[int], float]:
    """Append one `attendance.answered` event per answer in one transaction; return the event
    ids and the instant (time.time()) the commit returned."""
    now = datetime.now(UTC)
    rows = [
        {
            "kind": EventKind.ATTENDANCE_ANSWERED.value,
            "payload": {
                "meeting_id": answer.meeting_id,
                "collaboration_id": answer.collaboration_id,
                "person_id": answer.person_id,
                "status": "declined",
                "previous": "needs_action",
                "via": "link",
            },
            "created_at": now,
            "available_at": now,
            "attempts": 0,
        }
        for answer in answers
    ]
    with db.session() as session:
        ids = list(session.scalars(insert(Event).returning(Event.id), rows))
        session.commit()
    return ids, time.time()


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Result:
    run: str
    events: int
    mails: int
    wall: float
    dispatch_rate: float | None
    send_rate: float | None
    delays: list[float]
    duplicates: int


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def trace(db: Database, log: Path, committed: dict[int, float]) -> tuple[list[float], int, int]:
    """Delays (s) from each event's commit to the sink receiving its mail; mails; duplicates."""
    with db.session() as session:
        mails = [
            (message_id, event_id)
            for message_id, event_id in session.execute(
                select(Mail.message_id, Mail.event_id).where(
                    Mail.event_id.between(min(committed), max(committed))
                )
            )
            if event_id in committed
        ]
    arrivals = received(log)
    delays = []
    for message_id, event_id in mails:
        arrived = arrivals.get(message_id)
        if arrived is None:
            raise RuntimeError(f"mail {message_id} of event {event_id} never arrived")
        delays.append(arrived - committed[event_id])
    return sorted(delays), len(mails), lines(log) - len(arrivals)


def all_sent(db: Database, first: int, last: int) -> bool:
    """Whether events first…last are dispatched and their mails sent."""
    with db.session() as session:
        pending = session.scalar(
            select(func.count(Event.id)).where(
                Event.id.between(first, last), Event.done_at.is_(None)
            )
        )
        unsent = session.scalar(
            select(func.count(Mail.id)).where(
                Mail.event_id.between(first, last), Mail.sent_at.is_(None)
            )
        )
    return not pending and not unsent


class TimedWorker(Worker):
    """The worker, with the time spent dispatching and sending added up."""

    dispatching = 0.0
    sending = 0.0

    def dispatch_events(self) -> int:
        started = time.perf_counter()
        try:
            return super().dispatch_events()
        finally:
            self.dispatching += time.perf_counter() - started

    def send_mails(self) -> tuple[int, int, int]:
        started = time.perf_counter()
        try:
            return super().send_mails()
        finally:
            self.sending += time.perf_counter() - started


def burst_in_process(
    url: str, port: int, log: Path, answers: list[Answer], workdir: Path
) -> Result:
    app = create_app(
        {
            "DATABASE_URL": url,
            "MAIL_SMTP_HOST": HOST,
            "MAIL_SMTP_PORT": port,
            "MAIL_SMTP_SECURITY": "none",
            "MAIL_FROM": MAIL_FROM,
            "PUBLIC_URL": PUBLIC_URL,
            "FEED_SHARED_GENERATION": False,
        }
    )
    app.instance_path = str(workdir / "instance")
    db: Database = app.extensions["planner.db"]
    worker = TimedWorker(app, "bench-in-process")
    ids, committed_at = commit_events(db, answers)
    events = mails = 0
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while mails < len(ids):
        outcome = worker.drain()
        events += outcome.events
        mails += outcome.mails_sent
        if outcome.mails_failed:
            raise RuntimeError(f"{outcome.mails_failed} mails failed")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out: {events} events, {mails} mails")
    wall = max(received(log).values()) - committed_at
    worker.release()  # the dispatch lease, for the next run's worker
    delays, traced, duplicates = trace(db, log, dict.fromkeys(ids, committed_at))
    db.engine.dispose()
    return Result(
        "burst, in-process drain()",
        events,
        traced,
        wall,
        events / worker.dispatching,
        mails / worker.sending,
        delays,
        duplicates,
    )


def steady_subprocess(
    url: str, port: int, log: Path, answers: list[Answer], children: Children
) -> Result:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLANNER_")}
    env.update(
        PLANNER_DATABASE_URL=url,
        PLANNER_MAIL_SMTP_HOST=HOST,
        PLANNER_MAIL_SMTP_PORT=str(port),
        PLANNER_MAIL_SMTP_SECURITY="none",
        PLANNER_MAIL_FROM=MAIL_FROM,
        PLANNER_PUBLIC_URL=PUBLIC_URL,
        PLANNER_FEED_SHARED_GENERATION="false",
    )
    worker = children.start("worker", [PLANNER, "worker", "--name", "bench-worker"], env)
    deadline = time.monotonic() + 30
    while "Scheduler started" not in worker.log.read_text():
        if worker.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{worker.log.read_text()[-3000:]}")
        time.sleep(0.05)
    db = Database(url)
    committed: dict[int, float] = {}
    started = time.time()
    for n in range(0, len(answers), STEADY_CHUNK):
        pause = started + n / STEADY_RATE - time.time()
        if pause > 0:
            time.sleep(pause)
        ids, committed_at = commit_events(db, answers[n : n + STEADY_CHUNK])
        committed.update(dict.fromkeys(ids, committed_at))
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not all_sent(db, min(committed), max(committed)):
        if worker.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker stalled:\n{worker.log.read_text()[-3000:]}")
        time.sleep(0.2)
    worker.stop()
    with db.session() as session:
        dispatched = session.scalar(
            select(func.count(Event.id)).where(
                Event.id.between(min(committed), max(committed)), Event.done_at.is_not(None)
            )
        )
    wall = max(received(log).values()) - started
    delays, traced, duplicates = trace(db, log, committed)
    db.engine.dispose()
    return Result(
        f"steady {STEADY_RATE}/s, `planner worker`",
        int(dispatched or 0),
        traced,
        wall,
        None,
        None,
        delays,
        duplicates,
    )


# -- the run ---------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    print(
        f"{'run':<34} {'events':>6} {'mails':>6} {'events/s':>9} {'mails/s':>8} {'wall s':>7} "
        f"{'p50 s':>7} {'p99 s':>7} {'max s':>7} {'dupl.':>5}"
    )
    for r in results:
        dispatch = f"{r.dispatch_rate:9.0f}" if r.dispatch_rate else f"{'—':>9}"
        send = f"{r.send_rate:8.0f}" if r.send_rate else f"{'—':>8}"
        print(
            f"{r.run:<34} {r.events:>6} {r.mails:>6} {dispatch} {send} {r.wall:>7.1f} "
            f"{percentile(r.delays, 0.50):>7.2f} {percentile(r.delays, 0.99):>7.2f} "
            f"{r.delays[-1]:>7.2f} {r.duplicates:>5}"
        )


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        workdir = Path(tmp)
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{workdir / 'outbox.sqlite'}"
        db = Database(url)
        if db.engine.dialect.name == "postgresql":
            ensure_database(url)
        upgrade_database(db.engine)
        with db.engine.connect() as conn:
            server = (
                f"PostgreSQL {conn.scalar(text('SHOW server_version'))}"
                if db.engine.dialect.name == "postgresql"
                else f"SQLite {conn.scalar(text('SELECT sqlite_version()'))}"
            )
        answers = populate(db, datetime.now(UTC))
        db.engine.dispose()
        set_up = time.perf_counter() - started

        defaults = DefaultConfig
        print(f"machine: nproc {os.cpu_count()}, {cpu_model()}, {platform.platform()}")
        print(
            f"versions: Python {sys.version.split()[0]}, {server}, SQLAlchemy "
            f"{importlib.metadata.version('sqlalchemy')}, aiosmtpd "
            f"{importlib.metadata.version('aiosmtpd')}"
        )
        print(f"database: {make_url(url).render_as_string(hide_password=True)}")
        print(
            f"settings: WORKER_BATCH {defaults.WORKER_BATCH}, WORKER_DISPATCH_SECONDS "
            f"{defaults.WORKER_DISPATCH_SECONDS} (subprocess), SMTP on loopback without TLS"
        )
        print(
            f"data: {COLLABORATIONS} collaborations, {len(answers)} declines → one notice each "
            f"(set up in {set_up:.1f} s)"
        )
        children = Children(workdir)
        results = []
        try:
            with terminated_as_exit():
                port, log = start_sink(children, workdir)
                results.append(burst_in_process(url, port, log, answers, workdir))
                steady = answers[:STEADY_EVENTS]
                results.append(steady_subprocess(url, port, log, steady, children))
        finally:
            children.stop_all()
        print()
        print_table(results)
        print(
            "\nevents/s: dispatching alone; mails/s: sending alone (SMTP, claim and record); "
            "wall: first commit to last mail received; p50/p99/max: commit → received."
        )
    print(f"\ntotal run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sink"]:
        sink_main(int(sys.argv[2]), sys.argv[3])
    else:
        main()
