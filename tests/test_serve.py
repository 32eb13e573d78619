"""`planner serve` as `make run` starts it: without PUBLIC_URL, every link the worker writes
into a mail points at the address the server really answers on (issue 15: under `make run`
on port 5555 every link pointed at port 5000)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from planner.cli.serve import serving_url
from tests.browser.conftest import RUNNER, free_port


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:5555"),
        ("0.0.0.0", "http://localhost:5555"),
        ("::", "http://localhost:5555"),
        ("::1", "http://[::1]:5555"),
        ("planner.school.nl", "http://planner.school.nl:5555"),
    ],
)
def test_the_serving_address_as_a_link(host: str, url: str) -> None:
    assert serving_url(host, 5555) == url


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    env.update(
        {
            "BROWSER_TEST_INSTANCE": str(root / "instance"),
            "PLANNER_DATABASE_URL": f"sqlite:///{root / 'planner.sqlite'}",
            "PLANNER_SECRET_KEY": "serve-test",
        }
    )
    return env


@pytest.mark.slow
def test_the_mails_of_a_served_demo_link_to_the_port_it_serves_on(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    env = _env(tmp_path)
    setup = [sys.executable, "-c", RUNNER, "db", "upgrade", "--and", "demo"]
    subprocess.run(setup, env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "serve", "--port", str(port), "--worker"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    outbox = tmp_path / "instance" / "outbox"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(outbox.glob("**/*.eml"))) < 5:
            time.sleep(0.5)
        mails = list(outbox.glob("**/*.eml"))
        assert mails, (tmp_path / "serve.log").read_text("utf-8", "replace")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    said = (tmp_path / "serve.log").read_text("utf-8", "replace")
    assert f"links in mails and feeds point at http://127.0.0.1:{port}" in said
    links = [
        link
        for mail in mails
        for link in re.findall(r"https?://[^\s\"<>]+/rsvp/[\w-]+", mail.read_text("utf-8"))
    ]
    assert links, "the demo's invitations carry answer links"
    assert all(link.startswith(f"http://127.0.0.1:{port}/rsvp/") for link in links), links[:3]
