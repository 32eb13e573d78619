"""Browser fixtures: the real service over HTTP with the demo, and headless Debian Chromium.

The service runs as `planner serve` in a subprocess on a fresh SQLite database in a temporary
instance folder, with a frozen clock (the demo's dates stay put) and mail written as .eml files.
Playwright drives /usr/bin/chromium (never a browser of its own). Without Chromium the browser
tests are skipped, unless PLANNER_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import gettext
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = "/usr/bin/chromium"
# The demo as it is meant to be seen: Woerden on track, Eindhoven with no next meeting after
# its one of September, Noord-Holland–Brabant at risk with a long gap to January.
FROZEN_NOW = "2026-11-21T09:00:00Z"
DEMO_PASSWORD = "planner-demo"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
TRANSLATIONS = REPO_ROOT / "planner" / "translations"
VIEWPORT = {"width": 1280, "height": 900}

# `planner` with its instance folder moved to a temporary directory: Flask finds the instance
# folder next to the package, and the tests must not write mail or caches into the work tree's.
# Each argument "--and" starts another command in the same process (saves start-up time).
RUNNER = """
import os, sys
import flask
flask.Flask.auto_find_instance_path = lambda self: os.environ["BROWSER_TEST_INSTANCE"]
from planner.cli import build_cli
commands = [[]]
for arg in sys.argv[1:]:
    if arg == "--and":
        commands.append([])
    else:
        commands[-1].append(arg)
for args in commands:
    build_cli().main(args, prog_name="planner", standalone_mode=len(commands) == 1)
"""


def browser_required() -> bool:
    """CI sets PLANNER_REQUIRE_BROWSER=1: a missing browser is then a failure, not a skip."""
    return os.environ.get("PLANNER_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> NoReturn:
    if browser_required():
        pytest.fail(f"{reason} (PLANNER_REQUIRE_BROWSER=1; run .ci/install-browser)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """The running service: its address, environment and instance folder."""

    url: str
    env: dict[str, str]
    instance: Path
    log: Path

    def planner(self, *args: str, timeout: float = 60) -> str:
        """Run a `planner` command against the same database and instance; return its output."""
        result = subprocess.run(
            [sys.executable, "-c", RUNNER, *args],
            env=self.env,
            cwd=self.instance,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"planner {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def worker_once(self) -> str:
        """Let the worker do what is due: events (invitations, conflict scans) and mails."""
        return self.planner("worker", "--once")

    def mails(self) -> list[Path]:
        """The mails written so far (development transport: instance/outbox/*.eml)."""
        return sorted((self.instance / "outbox").glob("**/*.eml"))


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"planner serve stopped:\n{log.read_text('utf-8', 'replace')}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"planner serve did not answer:\n{log.read_text('utf-8', 'replace')}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`planner serve` on a migrated demo database, on a free port, stopped afterwards."""
    root = tmp_path_factory.mktemp("live")
    instance = root / "instance"
    instance.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PLANNER_") and key not in {"FLASK_APP", "FLASK_DEBUG"}
    }
    env.update(
        {
            "BROWSER_TEST_INSTANCE": str(instance),
            "PLANNER_DATABASE_URL": f"sqlite:///{root / 'planner.sqlite'}",
            "PLANNER_SECRET_KEY": "browser-tests",
            "PLANNER_FROZEN_NOW": FROZEN_NOW,
            "PLANNER_PUBLIC_URL": url,
            # Every test logs in again from 127.0.0.1; the limit itself has its own tests.
            "PLANNER_LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    server = LiveServer(url=url, env=env, instance=instance, log=root / "serve.log")
    # The demo's own invitations go out before any journey starts.
    server.planner("db", "upgrade", "--and", "demo", "--and", "worker", "--once")
    with server.log.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", RUNNER, "serve", "--port", str(port), "--no-worker"],
            env=env,
            cwd=instance,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, process, server.log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def new_context(chromium: Any, server: LiveServer, **options: Any) -> Any:
    """A fresh browser profile that speaks Dutch (a Dutch user's browser)."""
    context = chromium.new_context(
        base_url=server.url, viewport=VIEWPORT, locale="nl-NL", **options
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    """A page in a fresh browser profile with JavaScript on."""
    context = new_context(chromium, live_server)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def sharp_page(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    """A page at twice the pixel density, for screenshots that stay sharp in the README."""
    context = new_context(chromium, live_server, device_scale_factor=2)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page_without_js(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    """A page in a fresh browser profile with JavaScript off."""
    context = new_context(chromium, live_server, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def dutch() -> gettext.GNUTranslations:
    """The compiled Dutch catalogue the service uses: what a Dutch user reads for a msgid."""
    with (TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo").open("rb") as catalogue:
        return gettext.GNUTranslations(catalogue)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
