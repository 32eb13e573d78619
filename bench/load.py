"""Load benchmark: feed pollers and logged-in page views against gunicorn on PostgreSQL (issue 16).

Run: .venv/bin/python bench/load.py [POSTGRESQL_URL] [--seconds 30] [--pollers 200] [--users 10]
Default URL: postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench_load (created when
missing; its schema is dropped and rebuilt by the real migrations, so never point it at a
database in use, such as the test suite's).
Set-up (not timed): the demo at FROZEN_NOW, one feed token for every collaboration (with and
without blocked days), person and organisation feed in nl and en, plus the six public region
feeds. Then real gunicorn (2 sync workers, 'planner:create_app()', configured by PLANNER_*
environment variables, the login rate limit off) on a free loopback port, and for --seconds:
- --pollers feed pollers, each polling one feed URL in a closed loop; three in four answer an
  ETag/Last-Modified with If-None-Match/If-Modified-Since, as calendar apps that revalidate do;
  one in four sends no validators and always gets the whole feed;
- --users people who log in through the real form (CSRF token, session cookie) and then cycle
  through the pages of their role (dashboard, collaboration, meeting, school, subscriptions),
  --page-think seconds between two pages.
Prints requests by kind (feed 200, feed 304, page), errors (any status other than 2xx/304, a
connection error, a timeout, a 200 whose body does not match its ETag), throughput and
p50/p95/p99 latency per kind and per page. Exits 1 on any error. The load generator is one
asyncio process with a minimal HTTP/1.1 client (the standard library only; gunicorn's sync
workers close every connection) on the same 2 CPUs as gunicorn and PostgreSQL. gunicorn is
stopped on exit, Ctrl-C and SIGTERM included.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.client
import importlib.metadata
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from drift import ensure_database
from processes import cpu_model, free_port, terminated_as_exit
from sqlalchemy import select, text

from planner import create_app
from planner.database import Database, make_engine
from planner.domain.kinds import MeetingStatus
from planner.feeds.tokens import create_token
from planner.migrate import upgrade_database
from planner.models import Collaboration, Meeting, Organisation, Person
from planner.services.demo import DEMO_PASSWORD, load_demo

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench_load"
FROZEN_NOW = "2026-11-21T09:00:00Z"
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
WORKERS = 2
LANGUAGES = ("nl", "en")
REGIONS = ("noord", "midden", "zuid")
REQUEST_TIMEOUT_S = 30.0
PRIME_ROUNDS = WORKERS * 3
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

# Who logs in, in turn for --users people (an account may be logged in more than once).
ACCOUNTS = (
    "a.devries@minnaert.example",
    "f.elamrani@vakcollege-eindhoven.example",
    "beheer@planner.example",
    "roosters@minnaert.example",
    "m.kok@kennemerkind.example",
    "p.jansen@groenendaal.example",
    "roosters@groenendaal.example",
    "a.devries@minnaert.example",
    "beheer@planner.example",
    "f.elamrani@vakcollege-eindhoven.example",
)


# -- set-up ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedTarget:
    kind: str  # collaboration, collaboration+blocked, person, organisation, region
    path: str


@dataclass(frozen=True)
class Data:
    feeds: list[FeedTarget]
    pages: dict[str, list[tuple[str, str]]]  # account → (page name, path)
    server_version: str


def prepare(url: str) -> Data:
    """Empty the database, migrate, load the demo at FROZEN_NOW, make the feed tokens."""
    ensure_database(url)  # creates it when missing, drops and recreates the public schema
    db = Database(url)
    upgrade_database(db.engine)
    with db.engine.connect() as conn:
        server_version = str(conn.scalar(text("SHOW server_version")))
    db.engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-load",
            "FROZEN_NOW": FROZEN_NOW,
            "RATELIMIT_ENABLED": False,
        }
    )
    feeds: list[FeedTarget] = []
    with app.app_context(), app.extensions["planner.db"].session() as session:
        load_demo(session, NOW)
        session.flush()
        collabs = list(session.scalars(select(Collaboration).order_by(Collaboration.id)))
        people = list(session.scalars(select(Person).order_by(Person.id)))
        orgs = list(session.scalars(select(Organisation).order_by(Organisation.id)))

        def issue(kind: str, **target: Any) -> None:
            issued = create_token(session, NOW, label="bench load", **target)
            feeds.append(FeedTarget(kind, f"/feeds/{issued.secret}.ics"))

        for language in LANGUAGES:
            for collab in collabs:
                issue("collaboration", collaboration=collab.id, language=language)
                issue(
                    "collaboration+blocked",
                    collaboration=collab.id,
                    blocked_days=True,
                    language=language,
                )
            for person in people:
                issue("person", person=person.id, language=language)
            for org in orgs:
                issue("organisation", organisation=org.id, language=language)
            for region in REGIONS:
                feeds.append(FeedTarget("region", f"/feeds/regions/{region}.ics?lang={language}"))

        def collab_id(name_start: str) -> int:
            return next(c.id for c in collabs if c.name.startswith(name_start))

        def next_meeting(collaboration_id: int) -> int:
            """The first confirmed meeting from NOW on (else the last one before it)."""
            confirmed = (
                select(Meeting.id)
                .where(
                    Meeting.collaboration_id == collaboration_id,
                    Meeting.status == MeetingStatus.CONFIRMED,
                )
                .limit(1)
            )
            found = session.scalar(
                confirmed.where(Meeting.starts_at >= NOW).order_by(Meeting.starts_at)
            ) or session.scalar(confirmed.order_by(Meeting.starts_at.desc()))
            assert found is not None, f"collaboration {collaboration_id} has no meeting"
            return found

        def school_id(brin: str) -> int:
            return next(o.id for o in orgs if o.brin == brin)

        def coordinator(collaboration_id: int) -> list[tuple[str, str]]:
            return [
                ("dashboard", "/dashboard"),
                ("collaboration", f"/collaborations/{collaboration_id}"),
                ("meeting", f"/meetings/{next_meeting(collaboration_id)}"),
                ("subscriptions", "/subscriptions"),
            ]

        woerden, eindhoven, noord = (
            collab_id("Startersbegeleiding"),
            collab_id("Doorlopende"),
            collab_id("Onderwijs-zorg"),
        )
        pages = {
            "a.devries@minnaert.example": coordinator(woerden),
            "p.jansen@groenendaal.example": coordinator(woerden),
            "f.elamrani@vakcollege-eindhoven.example": coordinator(eindhoven),
            "m.kok@kennemerkind.example": coordinator(noord),
            "roosters@minnaert.example": [
                ("schools", "/schools"),
                ("school", f"/schools/{school_id('91XA')}"),
                ("subscriptions", "/subscriptions"),
            ],
            "roosters@groenendaal.example": [
                ("school", f"/schools/{school_id('91XB')}"),
                ("subscriptions", "/subscriptions"),
            ],
            "beheer@planner.example": [
                ("dashboard (admin)", "/dashboard"),
                ("collaboration", f"/collaborations/{noord}"),
                ("meeting", f"/meetings/{next_meeting(woerden)}"),
                ("school", f"/schools/{school_id('92XC')}"),
                ("subscriptions", "/subscriptions"),
            ],
        }
        session.commit()
    app.extensions["planner.db"].engine.dispose()
    return Data(feeds, pages, server_version)


# -- gunicorn -------------------------------------------------------------------------------


def gunicorn_command(port: int) -> list[str]:
    return [
        GUNICORN, "--workers", str(WORKERS), "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "planner:create_app()",
    ]  # fmt: skip


def gunicorn_env(url: str) -> dict[str, str]:
    """The settings the app reads: PLANNER_* variables (others from this shell removed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    env.update(
        PLANNER_DATABASE_URL=url,
        PLANNER_FROZEN_NOW=FROZEN_NOW,
        PLANNER_SECRET_KEY="bench-load",
        # All users log in from 127.0.0.1: the per-address limit (10 a minute) would refuse some.
        PLANNER_RATELIMIT_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    return env


SHOWN_ENV = ("PLANNER_FROZEN_NOW", "PLANNER_SECRET_KEY", "PLANNER_RATELIMIT_ENABLED")


class Gunicorn:
    """The gunicorn master this benchmark started, stopped by its own pid."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.port = free_port()
        self.command = gunicorn_command(self.port)
        self.log = workdir / "gunicorn.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=gunicorn_env(url), stdout=out, stderr=out
            )

    def fetch(self, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
            try:
                if self.fetch(path) == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.tail()}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        """The pids of the master's children (its workers), from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid:
                found.append(int(entry.name))
        return found

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pids(url: str) -> list[int]:
    """The PostgreSQL backends connected to the benchmark's database (gunicorn's pools)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            )
    finally:
        engine.dispose()


def machine_cpu() -> tuple[int, int]:
    """All CPUs' time so far and the idle part of it, in ticks, from /proc/stat."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]  # idle + iowait


# -- a minimal HTTP/1.1 client on asyncio streams -------------------------------------------


class BadResponse(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes


def _dechunk(raw: bytes) -> bytes:
    body, rest = bytearray(), raw
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(body)
        body += rest[:size]
        rest = rest[size + 2 :]


async def request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Answer:
    """One request on a new connection; the answer is read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, separator, payload = raw.partition(b"\r\n\r\n")
    if not separator:
        raise BadResponse(f"incomplete response ({len(raw)} bytes)")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise BadResponse(f"bad status line {status_line!r}")
    answer_headers: dict[str, str] = {}
    cookies = []
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookies.append(value)
        answer_headers[name] = value
    if answer_headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _dechunk(payload)
    elif int(answer_headers.get("content-length", len(payload))) != len(payload):
        raise BadResponse(
            f"body of {len(payload)} bytes, Content-Length {answer_headers['content-length']}"
        )
    return Answer(int(parts[1]), answer_headers, cookies, payload)


async def timed_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> tuple[Answer, float]:
    started = time.perf_counter()
    async with asyncio.timeout(REQUEST_TIMEOUT_S):
        answer = await request(port, method, path, headers, body)
    return answer, (time.perf_counter() - started) * 1000


class CookieJar:
    """The cookies of one browser: name=value, dropped when the server clears them."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def update(self, answer: Answer) -> None:
        for cookie in answer.cookies:
            first, *attributes = cookie.split(";")
            name, _, value = first.strip().partition("=")
            expired = any(a.strip().lower() == "max-age=0" or "1970" in a for a in attributes)
            if not value or expired:
                self.values.pop(name, None)
            else:
                self.values[name] = value

    def header(self) -> dict[str, str]:
        if not self.values:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.values.items())}


# -- the load -------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pages: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0

    def error(self, kind: str, what: str) -> None:
        self.errors[f"{kind}: {what}"] += 1


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) bench-load"
CONDITIONAL_CLIENT = "bench-load revalidating poller"
PLAIN_CLIENT = "bench-load plain poller"


async def poller(
    port: int, target: FeedTarget, conditional: bool, deadline: float, stats: Stats
) -> None:
    """Poll one feed URL until the deadline, with the validators of the last 200 if asked."""
    etag: str | None = None
    last_modified: str | None = None
    agent = CONDITIONAL_CLIENT if conditional else PLAIN_CLIENT
    while time.monotonic() < deadline:
        headers = {"User-Agent": agent, "Accept": "text/calendar, */*"}
        if conditional and etag:
            headers["If-None-Match"] = etag
        if conditional and last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            answer, ms = await timed_request(port, "GET", target.path, headers)
        except (OSError, TimeoutError, BadResponse) as error:
            stats.error("feed", f"{type(error).__name__}: {error}")
            await asyncio.sleep(0.1)
            continue
        stats.bytes_read += len(answer.body)
        if answer.status == 200:
            digest = hashlib.sha256(answer.body).hexdigest()[:32]
            if answer.headers.get("etag") != f'"{digest}"':
                stats.error("feed", "200 whose body does not match its ETag")
                continue
            etag, last_modified = answer.headers["etag"], answer.headers.get("last-modified")
            stats.latencies["feed 200"].append(ms)
        elif answer.status == 304 and conditional and etag is not None:
            if answer.body or answer.headers.get("etag") != etag:
                stats.error("feed", "304 with a body or another ETag")
                continue
            stats.latencies["feed 304"].append(ms)
        else:
            stats.error("feed", f"status {answer.status} ({target.kind})")


@dataclass
class User:
    account: str
    pages: list[tuple[str, str]]
    jar: CookieJar = field(default_factory=CookieJar)


async def log_in(port: int, user: User) -> float:
    """Log in through the real form: GET it for the CSRF token and cookie, POST it back."""
    started = time.perf_counter()
    headers = {"User-Agent": BROWSER, "Accept": "text/html"}
    async with asyncio.timeout(REQUEST_TIMEOUT_S):
        form = await request(port, "GET", "/login", headers)
    user.jar.update(form)
    token = CSRF.search(form.body.decode())
    if form.status != 200 or token is None:
        raise RuntimeError(f"login form of {user.account}: status {form.status}, no CSRF token")
    body = urlencode(
        {"csrf_token": token[1], "email": user.account, "password": DEMO_PASSWORD}
    ).encode()
    post_headers = {
        **headers,
        **user.jar.header(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/login",
    }
    async with asyncio.timeout(REQUEST_TIMEOUT_S):
        answer = await request(port, "POST", "/login", post_headers, body)
    user.jar.update(answer)
    if answer.status != 302:
        raise RuntimeError(f"login of {user.account}: status {answer.status}, not 302")
    return (time.perf_counter() - started) * 1000


async def page_viewer(
    port: int, user: User, offset: int, think: float, deadline: float, stats: Stats
) -> None:
    """Cycle through the user's pages until the deadline, thinking `think` s between two."""
    n = offset
    while time.monotonic() < deadline:
        name, path = user.pages[n % len(user.pages)]
        n += 1
        headers = {"User-Agent": BROWSER, "Accept": "text/html", **user.jar.header()}
        try:
            answer, ms = await timed_request(port, "GET", path, headers)
        except (OSError, TimeoutError, BadResponse) as error:
            stats.error("page", f"{type(error).__name__}: {error}")
        else:
            user.jar.update(answer)
            stats.bytes_read += len(answer.body)
            if answer.status == 200:
                stats.latencies["page"].append(ms)
                stats.pages[name].append(ms)
            else:
                stats.error("page", f"status {answer.status} on {name} ({user.account})")
        await asyncio.sleep(think)


async def loop_lag(deadline: float, samples: list[float]) -> None:
    """How late the load generator's event loop wakes up: its own share of the latencies."""
    while time.monotonic() < deadline:
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        samples.append((time.perf_counter() - started) * 1000 - 10)


@dataclass(frozen=True)
class Run:
    stats: Stats
    elapsed: float
    logins_ms: list[float]
    lag_ms: list[float]
    own_cpu: float
    workers_cpu: float
    backends_cpu: float  # PostgreSQL backends serving the benchmark's database
    machine_busy: float  # share of all CPUs busy during the run, whoever used them


async def run_load(port: int, data: Data, args: argparse.Namespace, workers: list[int]) -> Run:
    """Log the users in, prime every feed, then run the pollers and page viewers."""
    users = [
        User(account, data.pages[account])
        for account in (ACCOUNTS[n % len(ACCOUNTS)] for n in range(args.users))
    ]
    logins_ms = list(await asyncio.gather(*(log_in(port, user) for user in users)))
    # After the logins (a login changes the person, so it renews that person's feeds): each
    # worker renders each feed once; prime both, so that the run measures polling.
    for target in data.feeds:
        for _ in range(PRIME_ROUNDS):
            primed = await request(port, "GET", target.path)
            if primed.status != 200:
                raise RuntimeError(f"priming {target.kind} feed: status {primed.status}")
    stats = Stats()
    lag: list[float] = []
    cpu_before = {pid: cpu_seconds(pid) for pid in workers}
    backends_before = {pid: cpu_seconds(pid) for pid in backend_pids(args.url)}
    own_before = time.process_time()
    machine_before = machine_cpu()
    started = time.monotonic()
    deadline = started + args.seconds
    tasks = [
        poller(port, data.feeds[n % len(data.feeds)], n % 4 != 3, deadline, stats)
        for n in range(args.pollers)
    ]
    tasks += [
        page_viewer(port, user, n, args.page_think, deadline, stats) for n, user in enumerate(users)
    ]
    await asyncio.gather(*tasks, loop_lag(deadline, lag))
    elapsed = time.monotonic() - started
    own_cpu = time.process_time() - own_before
    workers_cpu = sum(cpu_seconds(pid) - cpu_before[pid] for pid in workers)
    backends_cpu = sum(
        cpu_seconds(pid) - backends_before.get(pid, 0.0) for pid in backend_pids(args.url)
    )
    total, idle = (
        after - before for after, before in zip(machine_cpu(), machine_before, strict=True)
    )
    busy = 1 - idle / total if total else math.nan
    return Run(stats, elapsed, logins_ms, lag, own_cpu, workers_cpu, backends_cpu, busy)


# -- report ---------------------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def row(name: str, samples: list[float], elapsed: float, width: int = 24) -> str:
    ordered = sorted(samples)
    return (
        f"{name:<{width}} {len(ordered):>9} {len(ordered) / elapsed:>8.1f} "
        f"{percentile(ordered, 0.50):>8.1f} {percentile(ordered, 0.95):>8.1f} "
        f"{percentile(ordered, 0.99):>8.1f} {(ordered[-1] if ordered else math.nan):>8.1f}"
    )


def header(first: str, width: int = 24) -> str:
    return (
        f"{first:<{width}} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="PostgreSQL URL")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pollers", type=int, default=200)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--page-think", type=float, default=0.5, help="seconds between pages")
    args = parser.parse_args()

    started = time.perf_counter()
    data = prepare(args.url)
    kinds = Counter(target.kind for target in data.feeds)
    set_up = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, terminated_as_exit():
        server = Gunicorn(args.url, Path(tmp))
        try:
            server.wait_ready("/login")
            result = asyncio.run(run_load(server.port, data, args, server.workers()))
        finally:
            server.stop()
            log = server.tail(200)

    stats, elapsed = result.stats, result.elapsed
    env = gunicorn_env(args.url)
    conditional = sum(1 for n in range(args.pollers) if n % 4 != 3)
    print(f"machine: nproc {os.cpu_count()}, {cpu_model()}, {platform.platform()}")
    print(
        f"versions: Python {sys.version.split()[0]}, gunicorn "
        f"{importlib.metadata.version('gunicorn')}, PostgreSQL {data.server_version}"
    )
    print(f"gunicorn: {' '.join(server.command)}")
    print(
        "  environment: "
        + " ".join(f"{name}={env[name]}" for name in SHOWN_ENV)
        + " PLANNER_DATABASE_URL=<the URL>; the login rate limit is off: every user logs in "
        "from 127.0.0.1"
    )
    print(
        f"data: demo at FROZEN_NOW {FROZEN_NOW}; {len(data.feeds)} distinct feeds ("
        + ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        + f"), each primed {PRIME_ROUNDS} times after the logins; set up in {set_up:.1f} s"
    )
    print(
        f"load: {args.seconds:g} s; {args.pollers} feed pollers in a closed loop over the "
        f"{len(data.feeds)} feeds ({conditional} send If-None-Match/If-Modified-Since after "
        f"their first 200, {args.pollers - conditional} never do); {args.users} logged-in "
        f"users, {args.page_think:g} s between pages"
    )
    cpus = os.cpu_count() or 1
    mine = result.own_cpu + result.workers_cpu + result.backends_cpu
    print(
        f"  the load generator (one asyncio process, stdlib HTTP/1.1, a new connection per "
        f"request) shares the {cpus} CPUs with gunicorn and PostgreSQL; CPU used in the run: "
        f"load generator {result.own_cpu:.1f} s, gunicorn workers {result.workers_cpu:.1f} s, "
        f"PostgreSQL backends of its database {result.backends_cpu:.1f} s, every other process "
        f"on the machine (not this benchmark's) "
        f"{result.machine_busy * elapsed * cpus - mine:.1f} s; "
        f"the machine's CPUs were {result.machine_busy:.0%} busy ({elapsed * cpus:.0f} CPU-s)"
    )
    logins = sorted(result.logins_ms)
    lag = sorted(result.lag_ms)
    if logins:
        print(
            f"  {len(logins)} logins through the form before the run: p50 "
            f"{percentile(logins, 0.5):.0f} ms, max {logins[-1]:.0f} ms"
        )
    print(
        f"  the generator's event loop woke late by p50 {percentile(lag, 0.5):.1f} ms, "
        f"p99 {percentile(lag, 0.99):.1f} ms (its own share of the latencies below)"
    )
    print()
    print(header("kind"))
    for kind in ("feed 200", "feed 304", "page"):
        print(row(kind, stats.latencies[kind], elapsed))
    everything = [ms for samples in stats.latencies.values() for ms in samples]
    print(row("all", everything, elapsed))
    print()
    print(header("page"))
    for name in sorted(stats.pages):
        print(row(name, stats.pages[name], elapsed))
    print()
    total_errors = sum(stats.errors.values())
    print(
        f"total: {len(everything)} requests in {elapsed:.1f} s, {len(everything) / elapsed:.0f} "
        f"req/s, {stats.bytes_read / elapsed / 1024 / 1024:.1f} MiB/s read; errors: "
        f"{total_errors}"
    )
    for what, count in stats.errors.most_common(10):
        print(f"  {count:>6} × {what}")
    problems = [
        line for line in log.splitlines() if re.search(r"\[(ERROR|CRITICAL|WARNING)\]", line)
    ]
    if problems:
        print(f"gunicorn log: {len(problems)} warnings/errors, the last: {problems[-1]}")
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
