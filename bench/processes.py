"""What the benchmarks that start servers share: a free loopback port, and SIGTERM unwinding
like Ctrl-C so that the servers they started are stopped."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def terminated_as_exit() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C, so that the child processes are stopped."""

    def _exit(_signum: int, _frame: object) -> None:
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
