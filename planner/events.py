"""The transactional outbox: services append what happened in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from planner.models import Event


def append_event(session: Session, kind: str, payload: dict[str, Any], now: datetime) -> Event:
    """Append an event row to the outbox; it is committed with the change that caused it."""
    event = Event(kind=kind, payload=payload, created_at=now, available_at=now, attempts=0)
    session.add(event)
    return event
