"""What the benchmarks that start servers share: a free loopback port, SIGTERM unwinding like
Ctrl-C so that the servers they started are stopped, and the CPU they ran on."""

from __future__ import annotations

import platform
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


def cpu_model() -> str:
    """The CPU's model name, for the figures' heading."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"
