"""Series polls: before a plan is confirmed, the collaboration's people mark the proposed dates
and their nearest alternatives "kan" / "liever niet" / "kan niet" (planner.services.polls)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.database import Base, UTCDateTime, enum_column, intpk, utc_instant
from planner.domain.kinds import PollChoice

if TYPE_CHECKING:
    from planner.models.collaborations import Collaboration
    from planner.models.people import Person


class PollStatus(StrEnum):
    """Where a poll is: open for answers, confirmed as a plan, or cancelled."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Poll(Base):
    """A series poll of one collaboration for one school year (at most one open at a time)."""

    __tablename__ = "poll"

    id: Mapped[intpk]
    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    school_year: Mapped[str] = mapped_column(String(9))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # How many new meetings the plan adds (the number of meeting slots of the poll).
    count: Mapped[int]
    status: Mapped[PollStatus] = mapped_column(enum_column(PollStatus, 10))
    # Answers are asked for until this instant (the end of the deadline day, local time).
    deadline_at: Mapped[utc_instant]
    # The one reminder to those who have not answered; None: no room for one.
    reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the coordinators were told the deadline passed (once).
    deadline_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The plan_key of the meetings the confirmation stored.
    plan_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    collaboration: Mapped[Collaboration] = relationship()
    created_by: Mapped[Person | None] = relationship()
    dates: Mapped[list[PollDate]] = relationship(
        back_populates="poll",
        cascade="all, delete-orphan",
        order_by="[PollDate.slot, PollDate.day]",
    )
    invitees: Mapped[list[PollInvitee]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollInvitee.id"
    )

    __table_args__ = (
        # One open poll per collaboration and school year (the service says so in words first).
        Index(
            "uq_poll_open",
            "collaboration_id",
            "school_year",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class PollDate(Base):
    """One date of a poll: a proposed meeting day or one of its nearest alternatives."""

    __tablename__ = "poll_date"

    id: Mapped[intpk]
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[utc_instant]
    ends_at: Mapped[utc_instant]
    # Which new meeting of the proposal this date is for (0 for the first).
    slot: Mapped[int]
    proposed: Mapped[bool] = mapped_column(default=False, server_default=false())

    poll: Mapped[Poll] = relationship(back_populates="dates")

    __table_args__ = (UniqueConstraint("poll_id", "day"),)


class PollInvitee(Base):
    """A person asked in a poll: when she was mailed, reminded and last answered."""

    __tablename__ = "poll_invitee"

    id: Mapped[intpk]
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[utc_instant]

    poll: Mapped[Poll] = relationship(back_populates="invitees")
    person: Mapped[Person] = relationship()

    __table_args__ = (UniqueConstraint("poll_id", "person_id"),)


class PollLink(Base):
    """The secret of one poll mail (the invitation or the reminder), stored as its SHA-256: it
    opens the invitee's answer page without an account."""

    __tablename__ = "poll_link"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("poll_invitee.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[utc_instant]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PollAnswer(Base):
    """An invitee's choice for one date. An answer given after the confirmation is kept apart
    (`late`): the coordinator sees it, the confirmed plan does not change."""

    __tablename__ = "poll_answer"

    id: Mapped[intpk]
    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("poll_invitee.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    choice: Mapped[PollChoice] = mapped_column(enum_column(PollChoice, 10))
    late: Mapped[bool] = mapped_column(default=False, server_default=false())
    answered_at: Mapped[utc_instant]

    __table_args__ = (UniqueConstraint("invitee_id", "day", "late"),)
