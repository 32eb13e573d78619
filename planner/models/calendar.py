"""Organisations and their calendars: busy periods, imported school holidays, own holiday
dates and closure days."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.database import Base, UTCDateTime, enum_column, intpk, str40, str200, utc_instant
from planner.domain.kinds import BusyKind, OrganisationKind, Sector, Severity

if TYPE_CHECKING:
    from planner.models.people import Person


class Organisation(Base):
    """A school, a school board or an external partner."""

    __tablename__ = "organisation"

    id: Mapped[intpk]
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    name: Mapped[str200]
    brin: Mapped[str | None] = mapped_column(String(6), unique=True)
    sector: Mapped[Sector | None] = mapped_column(enum_column(Sector))
    region: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str40] = mapped_column(default="Europe/Amsterdam")
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    busy_periods: Mapped[list[BusyPeriod]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True
    )
    holiday_overrides: Mapped[list[HolidayOverride]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    closure_days: Mapped[list[ClosureDay]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("region IN ('noord', 'midden', 'zuid')", name="region_known"),
        CheckConstraint("kind = 'partner' OR region IS NOT NULL", name="school_has_region"),
    )


class BusyPeriod(Base):
    """Days a school (or a region, or the whole country) is busy: never or rather not plan then."""

    __tablename__ = "busy_period"

    id: Mapped[intpk]
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Set for a region-wide period (organisation_id null); both null means national.
    region: Mapped[str | None] = mapped_column(String(10))
    kind: Mapped[BusyKind] = mapped_column(enum_column(BusyKind))
    first_on: Mapped[date] = mapped_column(Date)
    last_on: Mapped[date] = mapped_column(Date)
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, 10))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str40] = mapped_column(default="manual")
    # A period read from a linked calendar (source "sync"): which calendar, and which of its
    # events (a hash of the event's UID and occurrence), so a later fetch changes or removes it.
    calendar_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_source.id", ondelete="CASCADE"), index=True
    )
    sync_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    organisation: Mapped[Organisation | None] = relationship(back_populates="busy_periods")

    __table_args__ = (
        CheckConstraint("last_on >= first_on", name="range_forward"),
        CheckConstraint("organisation_id IS NULL OR region IS NULL", name="one_scope"),
        Index("ix_busy_period_days", "first_on", "last_on"),
        # One period per event of a linked calendar, whoever syncs it (NULLs: entered by hand).
        UniqueConstraint("calendar_source_id", "sync_key"),
    )


class SchoolHolidayRecord(Base):
    """A school holiday imported from the Rijksoverheid open data; overrides the shipped data."""

    __tablename__ = "school_holiday"

    id: Mapped[intpk]
    school_year: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(30))
    region: Mapped[str] = mapped_column(String(10))
    first_on: Mapped[date] = mapped_column(Date)
    last_on: Mapped[date] = mapped_column(Date)
    compulsory: Mapped[bool]
    source: Mapped[str200]
    imported_at: Mapped[utc_instant]

    __table_args__ = (
        UniqueConstraint("school_year", "name", "region"),
        CheckConstraint("last_on >= first_on", name="range_forward"),
    )


class HolidayOverride(Base):
    """A school's own dates for an advisory school holiday."""

    __tablename__ = "holiday_override"

    id: Mapped[intpk]
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    school_year: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(30))
    first_on: Mapped[date] = mapped_column(Date)
    last_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    __table_args__ = (
        UniqueConstraint("organisation_id", "school_year", "name"),
        CheckConstraint("last_on >= first_on", name="range_forward"),
    )


class ClosureDay(Base):
    """A day off the law does not make national, switched on for one school."""

    __tablename__ = "closure_day"

    id: Mapped[intpk]
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[utc_instant]

    __table_args__ = (UniqueConstraint("organisation_id", "kind"),)


class CalendarCompletion(Base):
    """A school administrator's word that the school's busy periods of a school year are all
    entered (a school with no test weeks or open days at all says so this way)."""

    __tablename__ = "calendar_completion"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    school_year: Mapped[str] = mapped_column(String(9), primary_key=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[utc_instant]

    marked_by: Mapped[Person | None] = relationship()


class FetchedByAddress:
    """The columns of a calendar fetched by its address on a schedule, a school's or a
    person's (planner.services.calendar_sync): the address, the conditional-GET validators and
    the sync status."""

    url: Mapped[str] = mapped_column(String(2000))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    last_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # {"message": English msgid, "params": {...}}: translated when shown.
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CalendarSource(FetchedByAddress, Base):
    """A school's published year calendar (.ics) by its address, fetched on a schedule into
    busy periods (source "sync"), with the administrator's rules for the kinds."""

    __tablename__ = "calendar_source"

    id: Mapped[intpk]
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # [{"contains": "toets", "kind": "test_week" | null (leave out), "severity": "hard" | null}]
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # {"added": n, "changed": n, "removed": n, "examples": [...]} of the last sync that changed.
    last_change: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    last_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("organisation_id", "url"),)
