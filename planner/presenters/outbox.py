"""JSON shapes of the event and mail queues, shared by the API and the CLI."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from planner.config import NoPublicUrl
from planner.domain.stale_mail import DropReason
from planner.errors import N_
from planner.models import Event, Mail
from planner.services.outbox import (
    QueueState,
    held_events,
    list_events,
    list_mails,
    queue_counts,
)

# Why a mail was dropped at send time, in words (planner.domain.stale_mail).
DROP_REASONS: dict[DropReason, str] = {
    DropReason.GONE: N_("The meeting no longer exists."),
    DropReason.CANCELLED: N_("The meeting was cancelled."),
    DropReason.MOVED: N_("The meeting was moved to another time."),
    DropReason.SUPERSEDED: N_("A newer mail about this meeting replaces it."),
    DropReason.PAST: N_("The meeting has begun or is over."),
    DropReason.NOT_INVITED: N_("The person is no longer invited."),
    DropReason.NOT_ORGANIZER: N_("The person no longer organises this meeting."),
    DropReason.DECLINED: N_("The person declined meanwhile."),
    DropReason.ANSWER_CHANGED: N_("The answer it reports has changed meanwhile."),
    DropReason.RESOLVED: N_("The calendar change no longer hits the meeting."),
    DropReason.CALENDAR_FILLED: N_("The school has filled in its calendar meanwhile."),
}


def drop_reason_text(reason: str | None) -> str | None:
    """Why a mail was not sent, in the reader's language (None: it was not dropped)."""
    if not reason:
        return None
    try:
        return str(gettext(DROP_REASONS[DropReason(reason)]))
    except ValueError:
        return reason


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
        # Out of date when it was to be sent: not sent, never retried.
        "dropped_at": mail.dropped_at.isoformat() if mail.dropped_at else None,
        "dropped_reason": mail.dropped_reason,
        "dropped_because": drop_reason_text(mail.dropped_reason),
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
