"""Handlers by event kind: each kind has at most one, registered with `@handles(kind, …)`.

A handler runs inside the dispatching transaction; its effects (queued mails, flags, new
events) commit together with the event's `done_at`. Running a handler twice for the same event
(after a crash before that commit) changes nothing more, because mails have dedupe keys and
invitations remember per person which SEQUENCE they were sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from planner.events import EventKind
from planner.messaging.composer import Composer
from planner.models import Event


@dataclass
class Context:
    """What a handler works with."""

    session: Session
    now: datetime
    event: Event
    composer: Composer


H = TypeVar("H", bound=Callable[[Context, Any], None])
HANDLERS: dict[EventKind, Callable[[Context, Any], None]] = {}


def handles(*kinds: EventKind) -> Callable[[H], H]:
    """Register a handler for event kinds; it receives the kind's payload class."""

    def register(handler: H) -> H:
        for kind in kinds:
            if kind in HANDLERS:
                raise ValueError(f"{kind} has a handler already: {HANDLERS[kind].__name__}")
            HANDLERS[kind] = handler
        return handler

    return register
