"""Benchmark: iCal feeds of 100 and 2,000 meetings, rendered in-process and served over HTTP.

Run: .venv/bin/python bench/feeds.py [POSTGRESQL_URL]
Default URL: postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench_feeds (created when
missing; its schema is dropped and rebuilt by the real migrations). Set-up (not timed): two
schools, four people, two collaborations with 100 and 2,000 confirmed meetings inside the feed
window around FROZEN_NOW, and a feed token for each.

Prints, in one run:
- cold renders in-process, median/min/p90 of 20: fully cold (no fragments: icalendar for every
  event) and after a change to one meeting (the other events' fragments reused);
- HTTP under load, wrk -t2 -c16 against gunicorn (sync workers) on loopback, side by side: a
  minimal Flask app returning constant bytes of the feed's size (the floor), the planner's
  cached feed as 200 and as 304, nginx serving the same bytes as a static file, and the planner
  rendering every request (feed and fragment caches off);
- an invalidation check: one meeting changes, the next request must show it under a new ETag.
Needs wrk, nginx and gunicorn; every child process is stopped on exit.
"""

from __future__ import annotations

import grp
import http.client
import importlib.metadata
import math
import os
import platform
import pwd
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from drift import ensure_database
from flask import Flask
from processes import cpu_model, free_port, terminated_as_exit
from sqlalchemy import select, text

from planner import create_app
from planner.database import Database
from planner.domain.kinds import LocationMode, MeetingStatus, OrganisationKind, Role, Sector
from planner.feeds.server import FeedServer
from planner.feeds.tokens import create_token, resolve_token
from planner.migrate import upgrade_database
from planner.models import (
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Feed,
    Meeting,
    Organisation,
    Person,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench_feeds"
FROZEN_NOW = "2026-11-21T10:00:00Z"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Amsterdam")
PAST_DAYS, FUTURE_DAYS = 92, 548
SIZES = (100, 2_000)
SLOTS = (clock_time(9, 0), clock_time(11, 30), clock_time(14, 0), clock_time(19, 0))
ROUNDS = 20
WORKERS = 2
WRK_THREADS, WRK_CONNECTIONS = 2, 16
RUN_SECONDS, WARM_SECONDS, NAIVE_SECONDS = 10, 2, 5
# Goals printed beside the figures (never asserted).
GOAL_COLD_2000_MS = 150
GOAL_FLOOR_SHARE = 0.80
GOAL_P99_MS = 20

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WRK = shutil.which("wrk") or "/usr/bin/wrk"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


# -- data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """One collaboration's feed: its size, ids and the token's secret."""

    meetings: int
    collaboration_id: int
    feed_id: int
    secret: str
    meeting_ids: list[int]

    @property
    def path(self) -> str:
        return f"/feeds/{self.secret}.ics"


def local_instant(day: date, at: clock_time) -> datetime:
    return datetime.combine(day, at, ZONE).astimezone(UTC)


def populate(db: Database) -> list[Subject]:
    """Two schools, four people, one collaboration per size with its meetings, a token each."""
    today = NOW.astimezone(ZONE).date()
    first = today - timedelta(days=PAST_DAYS)
    span = PAST_DAYS + FUTURE_DAYS + 1  # days in the window, both ends included
    subjects = []
    with db.session() as session:
        schools = [
            Organisation(
                kind=OrganisationKind.SCHOOL, name=f"Bench College {region.title()}",
                sector=Sector.VO, region=region, city="Utrecht", created_at=NOW, updated_at=NOW,
            )
            for region in ("noord", "zuid")
        ]  # fmt: skip
        people = [
            Person(
                name=f"Persoon {n}", email=f"persoon{n}@bench.example.org",
                organisation=schools[n % 2], created_at=NOW, updated_at=NOW,
            )
            for n in range(4)
        ]  # fmt: skip
        session.add_all([*schools, *people])
        for size in SIZES:
            collab = Collaboration(
                name=f"Netwerk {size} bijeenkomsten", ambition="Samen het rooster vernieuwen.",
                target_weeks=1, max_gap_weeks=2, duration_minutes=90, weekdays="12345",
                earliest_start=SLOTS[0], latest_start=SLOTS[-1],
                location_mode=LocationMode.ROTATE, location_note="Om en om op elke school.",
                created_at=NOW, updated_at=NOW,
            )  # fmt: skip
            collab.members = [
                CollaborationMember(organisation=school, position=n)
                for n, school in enumerate(schools)
            ]
            collab.people = [
                CollaborationPerson(
                    person=person, role=Role.COORDINATOR if n < 2 else Role.PARTICIPANT, position=n
                )
                for n, person in enumerate(people)
            ]
            session.add(collab)
            session.flush()
            meetings = []
            for n in range(size):
                # Spread over the whole window; up to four a day at different hours, and the
                # 100-meeting series all at 19:00 local, across both DST changes.
                day = first + timedelta(days=n * span // size)
                at = SLOTS[n % len(SLOTS)] if size > span else SLOTS[-1]
                starts_at = local_instant(day, at)
                meetings.append(
                    Meeting(
                        collaboration_id=collab.id,
                        status=MeetingStatus.CONFIRMED,
                        day=day,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=90),
                        timezone="Europe/Amsterdam",
                        location=schools[n % 2].name,
                        location_organisation_id=schools[n % 2].id,
                        uid=f"bench-{collab.id}-{n}@planner",
                        sequence=0,
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )
            session.add_all(meetings)
            issued = create_token(session, NOW, collaboration=collab.id, label="bench")
            session.flush()
            subjects.append(
                Subject(
                    size, collab.id, issued.token.feed_id, issued.secret, [m.id for m in meetings]
                )
            )
        session.commit()
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return subjects


def change_meeting(db: Database, meeting_id: int, location: str) -> None:
    """Move one meeting to another room, as a user would: the feed's revision rises on commit."""
    with db.session() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meeting.location = location
        meeting.updated_at = meeting.updated_at + timedelta(seconds=1)
        session.commit()


# -- in-process cold renders ----------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    p90: float

    def __str__(self) -> str:
        return f"median {self.median:7.1f} ms  min {self.low:7.1f} ms  p90 {self.p90:7.1f} ms"


def spread(samples: list[float]) -> Spread:
    ordered = sorted(samples)
    return Spread(
        statistics.median(ordered), ordered[0], ordered[math.ceil(0.9 * len(ordered)) - 1]
    )


def time_ms(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def cold_renders(app: Flask, subject: Subject) -> tuple[Spread, Spread, int]:
    """Fully cold renders, then renders after a one-meeting change; returns both and the size."""
    server: FeedServer = app.extensions["planner.feeds"]
    db: Database = app.extensions["planner.db"]
    fully_cold = []
    for _ in range(ROUNDS):
        server.fragments.clear()
        fully_cold.append(time_ms(lambda: server.render(subject.feed_id, NOW)))
    after_change = []
    for n in range(ROUNDS):
        meeting_id = subject.meeting_ids[(n * 37) % len(subject.meeting_ids)]
        change_meeting(db, meeting_id, f"Lokaal {n + 1}")
        with db.engine.connect() as conn:
            ref = resolve_token(conn, subject.secret)
        assert ref is not None
        after_change.append(time_ms(lambda: server.rendered(ref, NOW)))  # noqa: B023
    rendered = server.rendered(ref, NOW)
    assert rendered is not None
    return spread(fully_cold), spread(after_change), len(rendered.body)


# -- HTTP -----------------------------------------------------------------------------------


@dataclass
class Child:
    """A server this benchmark started."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path


class Children:
    """Every child process, stopped (by its own pid) when the benchmark ends."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.children: list[Child] = []

    def start(self, name: str, command: list[str], port: int, env: dict[str, str]) -> Child:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        child = Child(name, process, port, log)
        self.children.append(child)
        return child

    def stop(self, child: Child) -> None:
        if child.process.poll() is None:
            # gunicorn and nginx both stop their workers on TERM (nginx: fast shutdown).
            child.process.send_signal(signal.SIGTERM)
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self) -> None:
        for child in list(reversed(self.children)):
            self.stop(child)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


def wait_ready(child: Child, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited:\n{child.log.read_text()[-3000:]}")
        try:
            if fetch(child.port, path).status < 500:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{child.name} not ready:\n{child.log.read_text()[-3000:]}")
        time.sleep(0.1)


def prime(port: int, path: str, workers: int = WORKERS) -> None:
    """Send concurrent requests so that every worker has rendered (and cached) the feed."""
    with ThreadPoolExecutor(workers * 4) as pool:
        for _ in range(3):
            answers = list(pool.map(lambda _n: fetch(port, path), range(workers * 4)))
            assert all(answer.status == 200 for answer in answers), {a.status for a in answers}


def gunicorn_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    env.update(PLANNER_DATABASE_URL=url, PLANNER_FROZEN_NOW=FROZEN_NOW, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def gunicorn_command(app_spec: str, port: int, *pythonpath: str) -> list[str]:
    command = [GUNICORN, "--workers", str(WORKERS), "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
    for path in pythonpath:
        command += ["--pythonpath", path]
    return [*command, app_spec]


def nginx_config(workdir: Path, port: int) -> Path:
    user = ""
    if os.geteuid() == 0:  # workers would otherwise switch to nobody: keep the current user
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    config = workdir / "nginx.conf"
    config.write_text(
        f"""{user}daemon off;
master_process on;
worker_processes 2;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    types {{ text/calendar ics; }}
    charset utf-8;
    charset_types text/calendar;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {workdir}/www;
    }}
}}
"""
    )
    return config


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bytes_read: float
    bad_status: int
    socket_errors: str | None
    output: str

    @property
    def kib_per_response(self) -> float:
        return self.bytes_read / max(self.requests, 1) / 1024

    @property
    def errors(self) -> str:
        parts = []
        if self.bad_status:
            parts.append(f"{self.bad_status} non-2xx/3xx")
        if self.socket_errors:
            parts.append(self.socket_errors)
        return "; ".join(parts) or "none"


_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _latency(output: str, percentile: str) -> float:
    found = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    if found is None:
        return math.nan
    return float(found[1]) * _TIME_UNITS[found[2]]


def wrk(
    port: int,
    path: str,
    seconds: int,
    headers: dict[str, str] | None = None,
    timeout_s: int = 2,
) -> WrkResult:
    command = [WRK, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += [f"--timeout={timeout_s}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", output, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.+)", output)
    return WrkResult(
        float(rps[1]) if rps else 0.0,
        _latency(output, "50"),
        _latency(output, "99"),
        int(total[1]) if total else 0,
        float(total[2]) * _BYTE_UNITS[total[3]] if total else 0.0,
        int(bad[1]) if bad else 0,
        sockets[1].strip() if sockets else None,
        output,
    )


@dataclass(frozen=True)
class Row:
    case: str
    feed: str
    result: WrkResult
    floor: WrkResult | None
    goal: bool


def load(
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    seconds: int = RUN_SECONDS,
    timeout_s: int = 2,
) -> WrkResult:
    """A short warm-up run, then the measured one."""
    wrk(port, path, WARM_SECONDS, headers, timeout_s)
    return wrk(port, path, seconds, headers, timeout_s)


def print_table(rows: list[Row]) -> None:
    print(
        f"{'case':<36} {'feed':<19} {'requests':>8} {'req/s':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'KiB/resp':>8} {'÷ floor':>7}  errors; goal"
    )
    for row in rows:
        result = row.result
        share = result.rps / row.floor.rps if row.floor else math.nan
        verdict = ""
        if row.goal:
            met = share >= GOAL_FLOOR_SHARE and result.p99_ms <= GOAL_P99_MS
            verdict = f"; goal ≥ {GOAL_FLOOR_SHARE:.0%}, p99 ≤ {GOAL_P99_MS} ms: " + (
                "met" if met else "NOT met"
            )
        print(
            f"{row.case:<36} {row.feed:<19} {result.requests:>8} {result.rps:>6.0f} "
            f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {result.kib_per_response:>8.1f} "
            f"{share:>7.0%}  {result.errors}{verdict}"
        )


# -- the run --------------------------------------------------------------------------------


def version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL
    started = time.perf_counter()
    ensure_database(url)
    bench_db = Database(url)
    upgrade_database(bench_db.engine)
    subjects = populate(bench_db)
    with bench_db.engine.connect() as conn:
        server_version = conn.scalar(text("SHOW server_version"))
    bench_db.engine.dispose()
    set_up = time.perf_counter() - started

    print(f"machine: nproc {version(['nproc'])}, {cpu_model()}, {platform.platform()}")
    print(
        f"versions: Python {sys.version.split()[0]}, Flask {importlib.metadata.version('flask')}, "
        f"icalendar {icalendar.__version__}, PostgreSQL {server_version}; "
        f"{version([GUNICORN, '--version'])}; {version([NGINX, '-v'])}; {version([WRK, '-v'])}"
    )
    print(
        f"settings: FROZEN_NOW {FROZEN_NOW}, window {PAST_DAYS} days back, {FUTURE_DAYS} ahead; "
        f"gunicorn {WORKERS} sync workers; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} "
        f"-d{RUN_SECONDS}s --latency after a {WARM_SECONDS} s warm-up; nginx 2 workers"
    )
    print(
        f"data: {', '.join(f'{s.meetings} meetings' for s in subjects)} (set up in {set_up:.1f} s)"
    )

    app = create_app(
        {"DATABASE_URL": url, "FROZEN_NOW": FROZEN_NOW, "TESTING": False}
    )  # the defaults otherwise: caches on, as in production
    db: Database = app.extensions["planner.db"]
    server: FeedServer = app.extensions["planner.feeds"]

    print()
    print(f"cold render in-process, {ROUNDS} rounds each:")
    with app.app_context():
        for subject in subjects:
            cold, changed, size = cold_renders(app, subject)
            goal = ""
            if subject.meetings == 2_000:
                met = changed.median <= GOAL_COLD_2000_MS
                goal = f"   goal ≤ {GOAL_COLD_2000_MS} ms: {'met' if met else 'NOT met'}"
            print(f"  {subject.meetings:>5} events ({size / 1024:.0f} KiB)")
            print(f"    fully cold (no fragments)      {cold}")
            print(f"    after a change to one meeting  {changed}{goal}")

    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        children = Children(Path(tmp))
        try:
            with terminated_as_exit():
                serve(url, app, db, server, subjects, children, Path(tmp))
        finally:
            children.stop_all()
    print(f"\ntotal run time: {time.perf_counter() - started:.0f} s")


def serve(
    url: str,
    app: Flask,
    db: Database,
    server: FeedServer,
    subjects: list[Subject],
    children: Children,
    workdir: Path,
) -> None:
    """Start the servers, load them with wrk, print the table; then check invalidation."""
    small, large = subjects
    port = free_port()
    cached = children.start(
        "planner-cached", gunicorn_command("planner:create_app()", port), port, gunicorn_env(url)
    )
    wait_ready(cached, small.path)
    for subject in subjects:
        prime(cached.port, subject.path)
    feeds = {subject.meetings: fetch(cached.port, subject.path) for subject in subjects}

    # The same bytes, in-process, from a freshly resolved ref: HTTP serves what render makes.
    checks = []
    with app.app_context():
        for subject in subjects:
            with db.engine.connect() as conn:
                ref = resolve_token(conn, subject.secret)
            assert ref is not None
            expected = server.rendered(ref, NOW)
            assert expected is not None
            same = feeds[subject.meetings].body == expected.body
            checks.append(
                f"{subject.meetings} events: HTTP bytes equal a fresh in-process render: "
                + ("yes" if same else "NO")
            )

    www = workdir / "www"
    www.mkdir()
    for size, answer in feeds.items():
        (www / f"feed-{size}.ics").write_bytes(answer.body)
    port = free_port()
    nginx = children.start(
        "nginx",
        [NGINX, "-p", str(workdir), "-c", str(nginx_config(workdir, port)), "-e",
         str(workdir / "nginx-error.log")],
        port,
        dict(os.environ),
    )  # fmt: skip
    port = free_port()
    sizes = ",".join(str(len(answer.body)) for answer in feeds.values())
    floor = children.start(
        "floor",
        gunicorn_command("floor_app:create_app()", port, str(BENCH)),
        port,
        {**os.environ, "FLOOR_SIZES": sizes},
    )
    wait_ready(nginx, f"/feed-{small.meetings}.ics")
    wait_ready(floor, f"/{len(feeds[small.meetings].body)}.ics")

    rows: list[Row] = []
    floors: dict[int, WrkResult] = {}
    for subject in subjects:
        feed = feeds[subject.meetings]
        etag = feed.headers["etag"]
        match = {"If-None-Match": etag}
        size = len(feed.body)
        label = f"{subject.meetings} ev ({size / 1024:.0f} KiB)"
        before_run = fetch(cached.port, subject.path, match)
        floor_result = floors[subject.meetings] = load(floor.port, f"/{size}.ics")
        rows.append(Row("floor: Flask, constant bytes", label, floor_result, floor_result, False))
        result = load(cached.port, subject.path)
        rows.append(Row("planner cached, 200", label, result, floor_result, True))
        result = load(cached.port, subject.path, match)
        # A 304 has no body: measured against the floor with the smallest body (the brief's).
        rows.append(
            Row("planner cached, If-None-Match → 304", label, result, floors[small.meetings], True)
        )
        after_run = fetch(cached.port, subject.path, match)
        checks.append(
            f"{subject.meetings} events: 200 {feed.headers['content-type']!r}, ETag {etag}; "
            f"with If-None-Match before/after the run: {before_run.status}/{after_run.status} "
            f"({len(after_run.body)} bytes)"
        )
        static = fetch(nginx.port, f"/feed-{subject.meetings}.ics")
        assert static.body == feed.body, "nginx serves other bytes"
        result = load(nginx.port, f"/feed-{subject.meetings}.ics")
        rows.append(Row("nginx static file, keep-alive", label, result, floor_result, False))
        if subject is small:  # as gunicorn does: one connection per request
            result = load(nginx.port, f"/feed-{subject.meetings}.ics", {"Connection": "close"})
            rows.append(
                Row("nginx static file, Connection: close", label, result, floor_result, False)
            )

    children.stop(nginx)
    children.stop(floor)
    port = free_port()
    naive = children.start(
        "planner-naive",
        gunicorn_command("planner:create_app()", port),
        port,
        gunicorn_env(url, PLANNER_FEED_CACHE_MB="0", PLANNER_FEED_FRAGMENT_CACHE_ITEMS="0"),
    )
    wait_ready(naive, small.path)
    for subject in subjects:
        one = time_ms(lambda: fetch(naive.port, subject.path))  # noqa: B023
        queue_s = one / 1000 * WRK_CONNECTIONS / WORKERS
        if queue_s > 30:
            print(f"naive {subject.meetings}: one request takes {one:.0f} ms; wrk run skipped")
            continue
        timeout_s = max(2, math.ceil(queue_s * 3))
        result = wrk(naive.port, subject.path, NAIVE_SECONDS, timeout_s=timeout_s)
        label = f"{subject.meetings} ev ({len(feeds[subject.meetings].body) / 1024:.0f} KiB)"
        case = f"planner, render per request (-d{NAIVE_SECONDS}s)"
        rows.append(Row(case, label, result, floors[subject.meetings], False))
    children.stop(naive)

    print()
    print(
        f"HTTP on loopback, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{RUN_SECONDS}s --latency "
        f"after a {WARM_SECONDS} s warm-up (render per request: -d{NAIVE_SECONDS}s, no warm-up, "
        "longer wrk timeout); gunicorn closes the connection after each response:"
    )
    print_table(rows)
    print(
        "÷ floor: requests/s against the Flask floor sending a body of the same size; the 304 rows "
        f"against the {len(feeds[small.meetings].body) / 1024:.0f} KiB floor (a 304 has no body)."
    )
    print("checks: " + "\n        ".join(checks))

    invalidation(app, db, cached, small, large, feeds)


def invalidation(
    app: Flask,
    db: Database,
    cached: Child,
    changed: Subject,
    other: Subject,
    before: dict[int, Answer],
) -> None:
    """Change one meeting; the very next request must show it, under a new ETag."""
    location = "Invalidatiecheck lokaal 42"
    with db.session() as session:
        revision = session.scalar(select(Feed.revision).where(Feed.id == changed.feed_id))
    change_meeting(db, changed.meeting_ids[len(changed.meeting_ids) // 2], location)
    with db.session() as session:
        new_revision = session.scalar(select(Feed.revision).where(Feed.id == changed.feed_id))
    started = time.perf_counter()
    first = fetch(cached.port, changed.path)
    first_ms = (time.perf_counter() - started) * 1000
    following = [fetch(cached.port, changed.path) for _ in range(WORKERS * 4)]
    server: FeedServer = app.extensions["planner.feeds"]
    with app.app_context(), db.engine.connect() as conn:
        ref = resolve_token(conn, changed.secret)
        assert ref is not None
        expected = server.rendered(ref, NOW)
    assert expected is not None
    unchanged = fetch(cached.port, other.path)
    old = before[changed.meetings]
    failures = []
    if first.status != 200:
        failures.append(f"status {first.status}")
    if first.headers.get("etag") == old.headers["etag"]:
        failures.append("the ETag did not change")
    if f"LOCATION:{location}".encode() not in first.body:
        failures.append("the new location is missing")
    if first.body != expected.body:
        failures.append("the body differs from a fresh in-process render")
    if any(answer.body != first.body for answer in following):
        failures.append("later requests (other workers) answer other bytes")
    if unchanged.headers.get("etag") != before[other.meetings].headers["etag"]:
        failures.append("the other collaboration's feed changed too")
    print()
    print(
        f"invalidation: revision {revision} → {new_revision}; ETag {old.headers['etag']} → "
        f"{first.headers.get('etag')} (first request after the commit: {first_ms:.0f} ms); "
        f"next {len(following)} requests identical: {all(a.body == first.body for a in following)}"
    )
    print("invalidation: " + ("exact" if not failures else "FAILED: " + "; ".join(failures)))


if __name__ == "__main__":
    main()
