"""People's own availability: a free/busy address a participant gave, and the busy intervals
fetched from it (only start and end: no titles, descriptions or attendees are ever stored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.database import Base, UTCDateTime, intpk, utc_instant
from planner.domain.people_costs import local_span
from planner.models.calendar import FetchedByAddress


class PersonCalendar(FetchedByAddress, Base):
    """A participant's free/busy address (a secret iCal address, a published calendar, a CalDAV
    free/busy URL), fetched on the same schedule as school calendars."""

    __tablename__ = "person_calendar"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # Its address (FetchedByAddress.url) is itself a secret (anyone holding it reads the
    # calendar): shown only as its host, never in full, and never logged.
    busy_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    __table_args__ = (UniqueConstraint("person_id", "url"),)


def _local_day(context: Any) -> date:
    """The local date of a new interval's start (the column's default)."""
    return local_span(*_span(context))[0]


def _start_minute(context: Any) -> int:
    return local_span(*_span(context))[1]


def _end_minute(context: Any) -> int:
    return local_span(*_span(context))[2]


def _span(context: Any) -> tuple[datetime, datetime]:
    values = context.get_current_parameters()
    return values["starts_at"], values["ends_at"]


class PersonBusy(Base):
    """One busy interval of a person, from one of her addresses: when, and nothing else."""

    __tablename__ = "person_busy"

    id: Mapped[intpk]
    person_calendar_id: Mapped[int] = mapped_column(
        ForeignKey("person_calendar.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    starts_at: Mapped[utc_instant]
    ends_at: Mapped[utc_instant]
    # Where the interval lies in Europe/Amsterdam wall-clock terms, filled in from the instants:
    # intervals are stored cut at every local midnight (people_costs.split_at_midnights), so
    # each lies on one local day, from start_minute to end_minute after its midnight (1440:
    # the next midnight). The planner asks for the days and the hours it weighs by these.
    day: Mapped[date] = mapped_column(Date, default=_local_day)
    start_minute: Mapped[int] = mapped_column(SmallInteger, default=_start_minute)
    end_minute: Mapped[int] = mapped_column(SmallInteger, default=_end_minute)

    __table_args__ = (Index("ix_person_busy_person_day", "person_id", "day"),)


class PersonLink(Base):
    """The secret in a person's own-availability link (in mails and on the answer page), stored
    as its SHA-256: it opens her free/busy page without an account."""

    __tablename__ = "person_link"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[utc_instant]
    expires_at: Mapped[utc_instant]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
