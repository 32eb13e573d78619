"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 that keeps every message it accepts.

Use the `smtp` fixture (import `smtp_fixture` into the test module): it starts the server on a
free port and points the app's mail settings at it. `stop()` and `start()` simulate an outage on
the same port; `refuse(address)` makes the server answer `550 mailbox unavailable` for that
recipient (or another reply, such as the 4xx of greylisting).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

HOST = "127.0.0.1"
MAIL_FROM = "planner@planner.example"


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the bytes, parsed."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        """The decoded Subject, runs of white space as one space: where CPython's header folder
        folds before an encoded word it keeps a space on both sides, which reads back as two."""
        return " ".join(str(self.message["Subject"]).split())

    def text(self) -> str:
        """The text/plain body."""
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "the mail has no text/plain part"
        return str(part.get_content()).replace("\r\n", "\n")


class _Handler:
    """aiosmtpd handler: refuses the recipients the sink was told to, keeps the rest."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.sink.refused.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.sink._keep(Received(envelope.mail_from, tuple(envelope.rcpt_tos), raw, message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpSink:
    """An SMTP server on 127.0.0.1 that collects messages; stoppable and restartable."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.refused: dict[str, str] = {}  # address: the reply to RCPT TO
        self._messages: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    # --- running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Start (again) on the same port."""
        if self._controller is not None:
            return
        controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening: connections are refused until `start()`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    # --- refusing ---------------------------------------------------------------------------

    def refuse(self, address: str, reply: str = "550 mailbox unavailable") -> None:
        """Answer RCPT TO for this address with `reply` (a 5xx refuses, a 4xx defers)."""
        self.refused[address.lower()] = reply

    def accept(self, address: str | None = None) -> None:
        """Accept this address (or every address) again."""
        if address is None:
            self.refused.clear()
        else:
            self.refused.pop(address.lower(), None)

    # --- what arrived -----------------------------------------------------------------------

    def _keep(self, received: Received) -> None:
        with self._lock:
            self._messages.append(received)

    @property
    def messages(self) -> list[Received]:
        """Everything received so far, in order of arrival."""
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def to(self, address: str) -> list[Received]:
        """The messages whose envelope recipients include `address`."""
        wanted = address.lower()
        return [m for m in self.messages if wanted in (r.lower() for r in m.rcpt_tos)]

    def by_message_id(self) -> dict[str, Received]:
        """The messages by Message-ID; fails if any Message-ID arrived more than once."""
        counts = Counter(m.message_id for m in self.messages)
        twice = sorted(mid for mid, n in counts.items() if n > 1)
        assert not twice, f"delivered more than once: {twice}"
        return {m.message_id: m for m in self.messages}


@pytest.fixture(name="smtp")
def smtp_fixture(app: Flask) -> Iterator[SmtpSink]:
    """A running SMTP sink, with the app's mail settings pointing at it."""
    sink = SmtpSink()
    sink.start()
    app.config.update(
        MAIL_SMTP_HOST=HOST,
        MAIL_SMTP_PORT=sink.port,
        MAIL_SMTP_SECURITY="none",
        MAIL_SMTP_TIMEOUT=10.0,
        MAIL_FROM=MAIL_FROM,
    )
    try:
        yield sink
    finally:
        sink.stop()
