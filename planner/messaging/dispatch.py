"""Hand a stored event to its handler, with its typed payload."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from planner.events import EventKind, payload_of

# Importing the handler modules registers their handlers.
from planner.messaging import (  # noqa: F401
    calendar_changes,
    calendar_nudges,
    calendar_sync_notices,
    invitations,
    membership_requests,
    notices,
    passwords,
    poll_mails,
)
from planner.messaging.composer import Composer
from planner.messaging.registry import HANDLERS, Context
from planner.models import Event


def handle(session: Session, event: Event, now: datetime) -> None:
    """Run the handler of an event (a record-only kind has none: nothing to do)."""
    handler = HANDLERS.get(EventKind(event.kind))
    if handler is not None:
        handler(Context(session, now, event, Composer(session, now, event.id)), payload_of(event))
