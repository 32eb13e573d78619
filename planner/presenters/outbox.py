"""JSON shapes of the event and mail queues, shared by the API and the CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from planner.config import NoPublicUrl
from planner.models import Event, Mail
from planner.services.outbox import (
    QueueState,
    held_events,
    list_events,
    list_mails,
    queue_counts,
)


def event_json(event: Event) -> dict[str, Any]:
    """One event with its state."""
    return {
        "id": event.id,
        "kind": event.kind,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
        "available_at": event.available_at.isoformat(),
        "attempts": event.attempts,
        "done_at": event.done_at.isoformat() if event.done_at else None,
        "dead_at": event.dead_at.isoformat() if event.dead_at else None,
        "error": event.last_error,
    }


def mail_json(mail: Mail) -> dict[str, Any]:
    """One mail with its state (not its body)."""
    return {
        "id": mail.id,
        "kind": mail.kind.value,
        "recipient": mail.recipient,
        "subject": mail.subject,
        "message_id": mail.message_id,
        "created_at": mail.created_at.isoformat(),
        "available_at": mail.available_at.isoformat(),
        "attempts": mail.attempts,
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
        "dead_at": mail.dead_at.isoformat() if mail.dead_at else None,
        "error": mail.last_error,
    }


def queues_json(session: Session, state: QueueState | None, limit: int) -> dict[str, Any]:
    """Counts of both queues, and the rows in `state` (pending, failed, dead or done)."""
    events, mails = queue_counts(session)
    data: dict[str, Any] = {
        "events": {key: getattr(events, key) for key in QueueState},
        "mails": {key: getattr(mails, key) for key in QueueState},
        # Events whose mails wait for the service's address (PUBLIC_URL).
        "held_for_public_url": held_events(session, NoPublicUrl.message),
    }
    if state is not None:
        data["event_rows"] = [event_json(e) for e in list_events(session, state, limit)]
        data["mail_rows"] = [mail_json(m) for m in list_mails(session, state, limit)]
    return data
