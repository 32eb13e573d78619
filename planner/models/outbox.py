"""The transactional outbox: events, mails to send, and job state (leases, last runs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.database import Base, UTCDateTime, enum_column, intpk, utc_instant
from planner.domain.kinds import MailKind


class Event(Base):
    """Transactional outbox: what happened, appended in the same transaction as the change."""

    __tablename__ = "event"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[utc_instant]
    available_at: Mapped[utc_instant]
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_event_pending", "done_at", "dead_at", "available_at"),)


class Mail(Base):
    """A mail to send (a second outbox): composed in the transaction that decided to send it.

    `message_id` is the Message-ID header and the idempotency key of the send; `dedupe_key` makes
    the decision itself idempotent (e.g. one reminder per meeting, person and start).

    `basis` is what the mail says about meetings, recorded when it is composed (a
    planner.domain.stale_mail.MailBasis); just before sending, the worker checks it against the
    database and drops a mail that is out of date (`dropped_at`, `dropped_reason`): it is then
    neither sent nor dead, and never retried.
    """

    __tablename__ = "mail"

    id: Mapped[intpk]
    kind: Mapped[MailKind] = mapped_column(enum_column(MailKind, 10))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The complete RFC 5322 message as sent (headers and MIME body).
    raw: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    # The one meeting the mail is about (no foreign key: a deleted meeting's CANCEL keeps it).
    meeting_id: Mapped[int | None] = mapped_column(index=True)
    basis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[utc_instant]
    available_at: Mapped[utc_instant]
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker sending it holds it until then; after a crash another worker takes over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # Out of date when it was about to be sent (planner.domain.stale_mail.DropReason).
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dropped_reason: Mapped[str | None] = mapped_column(String(30))

    __table_args__ = (Index("ix_mail_pending", "sent_at", "dead_at", "dropped_at", "available_at"),)


class JobState(Base):
    """A lease (who runs the scheduler, who dispatches on SQLite) or a periodic job's last run."""

    __tablename__ = "job_state"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
