"""Calendar feeds and their secret links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.database import Base, UTCDateTime, enum_column, intpk, utc_instant
from planner.domain.kinds import FeedScope

if TYPE_CHECKING:
    pass


class Feed(Base):
    """What one calendar feed shows; `revision` rises in the transaction of every change to it."""

    __tablename__ = "feed"

    id: Mapped[intpk]
    # scope, target, options and language in one string, e.g. "collaboration:12:blocked:nl".
    key: Mapped[str] = mapped_column(String(80), unique=True)
    scope: Mapped[FeedScope] = mapped_column(enum_column(FeedScope))
    collaboration_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    region: Mapped[str | None] = mapped_column(String(10))
    # Collaboration feeds only: also show the members' blocked days.
    blocked_days: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    revision: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[utc_instant]
    created_at: Mapped[utc_instant]

    tokens: Mapped[list[FeedToken]] = relationship(
        back_populates="feed", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(
            "(scope = 'collaboration') = (collaboration_id IS NOT NULL)"
            " AND (scope = 'person') = (person_id IS NOT NULL)"
            " AND (scope = 'organisation') = (organisation_id IS NOT NULL)"
            " AND (scope = 'region') = (region IS NOT NULL)",
            name="one_target",
        ),
    )


class FeedToken(Base):
    """The secret in one subscription URL, stored as its SHA-256; revocable one by one."""

    __tablename__ = "feed_token"

    id: Mapped[intpk]
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, so a user can tell their links apart.
    hint: Mapped[str] = mapped_column(String(8))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[utc_instant]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    renewed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_token.id", ondelete="SET NULL")
    )

    feed: Mapped[Feed] = relationship(back_populates="tokens")
