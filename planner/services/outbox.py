"""The machinery of the two outboxes: events to dispatch and mails to send.

Events are claimed inside the dispatching transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
so several workers share the work; SQLite has one dispatcher, see planner.worker). A handler's
effects and the event's `done_at` commit together, so a crash before the commit redoes the event
and one after it never repeats it.

Mails are claimed with a lease (`claimed_until`) committed before sending, because a send cannot
be rolled back: a worker killed between the SMTP server's "250 OK" and recording `sent_at` leaves
the mail claimed, and it is sent again (same Message-ID) only after the lease has run out.

Just before a mail is sent, the worker checks that it still says what is true
(planner.services.stale_mail); a stale mail is dropped (`drop_mail`): neither sent nor dead,
never retried, and its dedupe key is free for the same decision taken again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.orm import Session

from planner.domain.kinds import MailKind
from planner.domain.stale_mail import DropReason, MailBasis
from planner.errors import N_, ConflictError, NotFoundError
from planner.models import Event, Mail


class QueueState(StrEnum):
    """What an administrator filters the queues on."""

    PENDING = "pending"  # waiting, never failed
    FAILED = "failed"  # failed at least once, will be retried
    DEAD = "dead"  # given up: needs a person
    DONE = "done"  # dispatched or sent
    DROPPED = "dropped"  # a mail that was out of date when it was to be sent (not for events)


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Delay before retry number `attempts` (1, 2, …): base × 2^(attempts-1), at most `cap`."""
    exponent = max(attempts - 1, 0)
    seconds = min(base * (2 ** min(exponent, 30)), cap)
    return timedelta(seconds=seconds)


def claim_events(session: Session, now: datetime, limit: int) -> list[Event]:
    """Lock up to `limit` due events for this transaction, oldest first."""
    query = (
        select(Event)
        .where(Event.done_at.is_(None), Event.dead_at.is_(None), Event.available_at <= now)
        .order_by(Event.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def event_failed(
    event: Event, now: datetime, error: str, *, base: float, max_attempts: int
) -> None:
    """Record a handler failure: retry later with backoff, or dead-letter it."""
    event.attempts += 1
    event.last_error = error[:4000]
    if event.attempts >= max_attempts:
        event.dead_at = now
    else:
        event.available_at = now + backoff(event.attempts, base, base * 2**10)


def event_held(event: Event, now: datetime, reason: str, *, seconds: float = 60) -> None:
    """Hold an event that cannot be handled yet for a reason outside it (the service's address
    is not set): try again later, without using up an attempt."""
    event.last_error = reason[:4000]
    event.available_at = now + timedelta(seconds=seconds)


def held_events(session: Session, reason: str) -> int:
    """How many events wait for this reason (see event_held)."""
    return int(
        session.scalar(
            select(func.count(Event.id)).where(
                Event.done_at.is_(None), Event.dead_at.is_(None), Event.last_error == reason[:4000]
            )
        )
        or 0
    )


def queue_mail(
    session: Session,
    *,
    kind: MailKind,
    dedupe_key: str,
    message_id: str,
    recipient: str,
    subject: str,
    raw: str,
    now: datetime,
    person_id: int | None = None,
    event_id: int | None = None,
    basis: MailBasis | None = None,
) -> Mail | None:
    """Queue a mail unless one with the same `dedupe_key` exists; return it, or None.

    `basis` is what the mail says about meetings, checked just before it is sent. A mail that
    was dropped as out of date does not count: the same decision taken again (a reminder for a
    meeting moved back to its first start) queues a new mail, and the dropped one keeps its
    record under a key of its own.
    """
    earlier = session.scalar(select(Mail).where(Mail.dedupe_key == dedupe_key))
    if earlier is not None:
        if earlier.dropped_at is None:
            return None
        earlier.dedupe_key = f"{dedupe_key[:170]}~dropped{earlier.id}"
        session.flush()
    mail = Mail(
        kind=kind,
        dedupe_key=dedupe_key,
        message_id=message_id,
        recipient=recipient,
        subject=subject[:300],
        raw=raw,
        person_id=person_id,
        event_id=event_id,
        meeting_id=basis.meeting_id if basis else None,
        basis=basis.to_json() if basis else None,
        created_at=now,
        available_at=now,
        attempts=0,
    )
    session.add(mail)
    return mail


def claim_mails(
    session: Session, now: datetime, worker: str, limit: int, lease: timedelta
) -> list[Mail]:
    """Take up to `limit` due mails for `worker` until now + lease. The caller commits."""
    query = (
        select(Mail)
        .where(
            Mail.sent_at.is_(None),
            Mail.dead_at.is_(None),
            Mail.dropped_at.is_(None),
            Mail.available_at <= now,
            or_(Mail.claimed_until.is_(None), Mail.claimed_until < now),
        )
        .order_by(Mail.available_at, Mail.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    mails = list(session.scalars(query))
    for mail in mails:
        mail.claimed_by = worker
        mail.claimed_until = now + lease
    return mails


def extend_claim(
    session: Session, mail_id: int, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Renew this worker's claim on a mail just before sending it; False if it lost the claim
    (its lease ran out and another worker took it) or the mail was sent or dropped meanwhile."""
    result = session.execute(
        update(Mail)
        .where(
            Mail.id == mail_id,
            Mail.claimed_by == worker,
            Mail.sent_at.is_(None),
            Mail.dropped_at.is_(None),
        )
        .values(claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mail_sent(session: Session, mail_id: int, worker: str, now: datetime) -> None:
    """Record a delivery (only while this worker still holds the mail)."""
    session.execute(
        update(Mail)
        .where(Mail.id == mail_id, Mail.claimed_by == worker)
        .values(sent_at=now, claimed_until=None, last_error=None)
    )


def mail_failed(
    session: Session,
    mail_id: int,
    worker: str,
    now: datetime,
    error: str,
    *,
    permanent: bool,
    count: bool,
    base: float,
    cap: float,
    max_attempts: int,
) -> None:
    """Record a failed send: dead at once if permanent, else retry with backoff.

    `count` is False when the server could not be reached: an outage delays a mail and never
    uses up its attempts.
    """
    mail = session.get(Mail, mail_id)
    if (
        mail is None
        or mail.claimed_by != worker
        or mail.sent_at is not None
        or mail.dropped_at is not None
    ):
        return
    if count or permanent:
        mail.attempts += 1
    mail.last_error = error[:4000]
    mail.claimed_until = None
    if permanent or mail.attempts >= max_attempts:
        mail.dead_at = now
    else:
        mail.available_at = now + backoff(max(mail.attempts, 1), base, cap)


def drop_mail(mail: Mail, reason: DropReason, now: datetime) -> None:
    """Record that a mail is out of date and will not be sent (a final state, like sent)."""
    mail.dropped_at = now
    mail.dropped_reason = reason.value
    mail.claimed_until = None


def release_mails(session: Session, mail_ids: Sequence[int], worker: str) -> None:
    """Give claimed mails back unsent (shutting down)."""
    if mail_ids:
        session.execute(
            update(Mail)
            .where(Mail.id.in_(list(mail_ids)), Mail.claimed_by == worker, Mail.sent_at.is_(None))
            .values(claimed_until=None)
        )


# --- what administrators see -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """How many rows a queue has in each state."""

    pending: int
    failed: int
    dead: int
    done: int
    dropped: int


def _event_state(state: QueueState):  # type: ignore[no-untyped-def]
    waiting = [Event.done_at.is_(None), Event.dead_at.is_(None)]
    return {
        QueueState.PENDING: [*waiting, Event.attempts == 0],
        QueueState.FAILED: [*waiting, Event.attempts > 0],
        QueueState.DEAD: [Event.dead_at.is_not(None)],
        QueueState.DONE: [Event.done_at.is_not(None)],
        QueueState.DROPPED: [false()],  # an event is never dropped
    }[state]


def _mail_state(state: QueueState):  # type: ignore[no-untyped-def]
    waiting = [Mail.sent_at.is_(None), Mail.dead_at.is_(None), Mail.dropped_at.is_(None)]
    return {
        QueueState.PENDING: [*waiting, Mail.last_error.is_(None)],
        QueueState.FAILED: [*waiting, Mail.last_error.is_not(None)],
        QueueState.DEAD: [Mail.dead_at.is_not(None)],
        QueueState.DONE: [Mail.sent_at.is_not(None)],
        QueueState.DROPPED: [Mail.dropped_at.is_not(None)],
    }[state]


def queue_counts(session: Session) -> tuple[QueueCounts, QueueCounts]:
    """Counts per state of the event queue and of the mail queue."""
    events = QueueCounts(
        *(
            session.scalar(select(func.count(Event.id)).where(*_event_state(state))) or 0
            for state in QueueState
        )
    )
    mails = QueueCounts(
        *(
            session.scalar(select(func.count(Mail.id)).where(*_mail_state(state))) or 0
            for state in QueueState
        )
    )
    return events, mails


def list_events(session: Session, state: QueueState, limit: int = 50) -> list[Event]:
    """Events in a state, newest first."""
    return list(
        session.scalars(
            select(Event).where(*_event_state(state)).order_by(Event.id.desc()).limit(limit)
        )
    )


def list_mails(session: Session, state: QueueState, limit: int = 50) -> list[Mail]:
    """Mails in a state, newest first."""
    return list(
        session.scalars(
            select(Mail).where(*_mail_state(state)).order_by(Mail.id.desc()).limit(limit)
        )
    )


def retry_event(session: Session, event_id: int, now: datetime) -> Event:
    """Put a failed or dead event back in the queue, due now, with fresh attempts."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFoundError(N_("There is no event %(id)s."), id=event_id)
    if event.done_at is not None:
        raise ConflictError(N_("Event %(id)s was already handled."), id=event_id)
    event.dead_at = None
    event.attempts = 0
    event.available_at = now
    return event


def retry_mail(session: Session, mail_id: int, now: datetime) -> Mail:
    """Put a failed or dead mail back in the queue, due now, with fresh attempts."""
    mail = session.get(Mail, mail_id)
    if mail is None:
        raise NotFoundError(N_("There is no mail %(id)s."), id=mail_id)
    if mail.sent_at is not None:
        raise ConflictError(N_("Mail %(id)s was already sent."), id=mail_id)
    if mail.dropped_at is not None:
        raise ConflictError(
            N_("Mail %(id)s was out of date when it was to be sent; it is not sent again."),
            id=mail_id,
        )
    if mail.dead_at is None and mail.claimed_until is not None and mail.claimed_until > now:
        raise ConflictError(N_("Mail %(id)s is being sent right now."), id=mail_id)
    mail.dead_at = None
    mail.attempts = 0
    mail.available_at = now
    mail.claimed_until = None
    return mail
