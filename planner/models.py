"""Typed tables."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.database import Base, UTCDateTime, intpk, str40, str200, utc_instant
from planner.domain.kinds import (
    AttendanceStatus,
    BusyKind,
    FeedScope,
    LocationMode,
    MailKind,
    MeetingStatus,
    OrganisationKind,
    Role,
    Sector,
    Severity,
)

__all__ = [
    "Attendance",
    "Base",
    "BusyPeriod",
    "ClosureDay",
    "Collaboration",
    "CollaborationMember",
    "CollaborationPerson",
    "Event",
    "Feed",
    "FeedToken",
    "HolidayOverride",
    "JobState",
    "Mail",
    "Meeting",
    "Organisation",
    "OrganisationAdmin",
    "Person",
    "RsvpToken",
    "SchoolHolidayRecord",
]


def enum_column(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """A portable enum stored as its value in a VARCHAR with a CHECK constraint."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=enum_class.__name__.lower(),
    )


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
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    organisation: Mapped[Organisation | None] = relationship(back_populates="busy_periods")

    __table_args__ = (
        CheckConstraint("last_on >= first_on", name="range_forward"),
        CheckConstraint("organisation_id IS NULL OR region IS NULL", name="one_scope"),
        Index("ix_busy_period_days", "first_on", "last_on"),
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
    created_at: Mapped[utc_instant]
    available_at: Mapped[utc_instant]
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker sending it holds it until then; after a crash another worker takes over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_mail_pending", "sent_at", "dead_at", "available_at"),)


class JobState(Base):
    """A lease (who runs the scheduler, who dispatches on SQLite) or a periodic job's last run."""

    __tablename__ = "job_state"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class Person(Base):
    """Someone who takes part in collaborations: a coordinator, school staff or a partner."""

    __tablename__ = "person"

    id: Mapped[intpk]
    name: Mapped[str200]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(5), default="nl")
    # A login: set for coordinators and administrators; partners never have one.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Failed logins in a row; at the limit the account waits until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    organisation: Mapped[Organisation | None] = relationship()
    administers: Mapped[list[OrganisationAdmin]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    collaborations: Mapped[list[CollaborationPerson]] = relationship(
        viewonly=True, order_by="CollaborationPerson.collaboration_id"
    )


class OrganisationAdmin(Base):
    """A person who administers one school's calendar (region, busy periods, overrides)."""

    __tablename__ = "organisation_admin"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[utc_instant]

    person: Mapped[Person] = relationship(back_populates="administers")
    organisation: Mapped[Organisation] = relationship()


class Collaboration(Base):
    """Schools and partners who meet in a rhythm, with one or two coordinators."""

    __tablename__ = "collaboration"

    id: Mapped[intpk]
    name: Mapped[str200]
    ambition: Mapped[str | None] = mapped_column(Text)
    target_weeks: Mapped[int]
    max_gap_weeks: Mapped[int]
    count_holidays: Mapped[bool] = mapped_column(default=False)
    duration_minutes: Mapped[int]
    # ISO weekday numbers that are allowed, e.g. "234" for Tuesday to Thursday.
    weekdays: Mapped[str] = mapped_column(String(7))
    earliest_start: Mapped[time] = mapped_column(Time)
    latest_start: Mapped[time] = mapped_column(Time)
    location_mode: Mapped[LocationMode] = mapped_column(enum_column(LocationMode, 10))
    location_note: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str40] = mapped_column(default="Europe/Amsterdam")
    # Hours before a meeting that participants get a reminder; None: the configured default,
    # 0: no reminders.
    reminder_hours: Mapped[int | None]
    # Keep meetings planned this many weeks ahead (the daily job tops the plan up); None: off.
    keep_planned_weeks: Mapped[int | None]
    # The drift status coordinators were last told about, so each change is told once.
    drift_notified: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    members: Mapped[list[CollaborationMember]] = relationship(
        back_populates="collaboration",
        cascade="all, delete-orphan",
        order_by="CollaborationMember.position",
    )
    people: Mapped[list[CollaborationPerson]] = relationship(
        back_populates="collaboration",
        cascade="all, delete-orphan",
        order_by="CollaborationPerson.position",
    )

    __table_args__ = (
        CheckConstraint("target_weeks >= 1", name="target_positive"),
        CheckConstraint("max_gap_weeks >= target_weeks", name="max_gap_not_below_target"),
        CheckConstraint("duration_minutes BETWEEN 15 AND 600", name="duration_sane"),
        CheckConstraint("latest_start >= earliest_start", name="window_forward"),
        CheckConstraint("reminder_hours BETWEEN 0 AND 720", name="reminder_sane"),
        CheckConstraint("keep_planned_weeks BETWEEN 1 AND 104", name="keep_planned_sane"),
    )


class CollaborationMember(Base):
    """An organisation taking part in a collaboration; position orders the location rotation."""

    __tablename__ = "collaboration_member"

    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int]

    collaboration: Mapped[Collaboration] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()


class CollaborationPerson(Base):
    """A person in a collaboration, as coordinator or participant."""

    __tablename__ = "collaboration_person"

    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role))
    position: Mapped[int]

    collaboration: Mapped[Collaboration] = relationship(back_populates="people")
    person: Mapped[Person] = relationship()


class Meeting(Base):
    """One meeting: a wall-clock start in its zone, kept as an aware UTC instant."""

    __tablename__ = "meeting"

    id: Mapped[intpk]
    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE")
    )
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus))
    # The local date of the start, so date rules need no time zone arithmetic.
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[utc_instant]
    ends_at: Mapped[utc_instant]
    timezone: Mapped[str40] = mapped_column(default="Europe/Amsterdam")
    location: Mapped[str | None] = mapped_column(String(500))
    location_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    plan_key: Mapped[str | None] = mapped_column(String(40))
    # Why this date: the explanation the planner gave when it was chosen.
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    # Set when a calendar change made the day blocked: the reasons and a proposed new date.
    conflict: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    collaboration: Mapped[Collaboration] = relationship()

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meeting_collaboration_start", "collaboration_id", "starts_at"),
        Index("ix_meeting_day", "day"),
    )


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


class Attendance(Base):
    """A person's answer to one meeting's invitation, and which version they were last sent."""

    __tablename__ = "attendance"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    # The SEQUENCE of the last invitation (REQUEST or CANCEL) sent; None: never sent.
    sent_sequence: Mapped[int | None]
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # link, reply (an uploaded or mailed iTIP REPLY)
    answered_via: Mapped[str | None] = mapped_column(String(10))
    # DTSTAMP of the last iTIP REPLY accepted: an older reply arriving late is ignored.
    reply_stamp: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[Person] = relationship()


class RsvpToken(Base):
    """The secret in a partner's answer links for one meeting, stored as its SHA-256."""

    __tablename__ = "rsvp_token"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[utc_instant]
    expires_at: Mapped[utc_instant]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_rsvp_token_meeting_person", "meeting_id", "person_id"),)
