"""Collaborations, their members and people, meetings, attendance and answer links."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, Time, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.database import Base, UTCDateTime, enum_column, intpk, str40, str200, utc_instant
from planner.domain.kinds import AttendanceStatus, LocationMode, MeetingStatus, MemberConsent, Role

if TYPE_CHECKING:
    from planner.models.calendar import Organisation
    from planner.models.people import Person


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
    # Minimum notice: a meeting is planned at least this many school days ahead (weekdays that
    # are not blocked for any member). 0 allows today; a coordinator may go under it on purpose.
    notice_days: Mapped[int] = mapped_column(default=5, server_default="5")
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
        CheckConstraint("notice_days BETWEEN 0 AND 60", name="notice_sane"),
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
    # Whether the organisation's administrators agreed that this collaboration sees the notes
    # of its busy periods (asked when it is added; planner.services.memberships).
    consent: Mapped[MemberConsent] = mapped_column(
        enum_column(MemberConsent, 10), default=MemberConsent.ASKED
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    collaboration: Mapped[Collaboration] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()
    consent_by: Mapped[Person | None] = relationship()


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
    # Marked by a coordinator: a meeting needs this person, so her busy time is a hard
    # obstacle rather than a cost.
    essential: Mapped[bool] = mapped_column(default=False, server_default=false())

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
    # Planned (or last moved) to a day inside the collaboration's minimum notice, on purpose:
    # the invitations say it is at short notice.
    short_notice: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    collaboration: Mapped[Collaboration] = relationship()

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meeting_collaboration_start", "collaboration_id", "starts_at"),
        Index("ix_meeting_day", "day"),
    )


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
    # The meeting's SEQUENCE when this person was last sent it (REQUEST or CANCEL); None:
    # never sent.
    sent_sequence: Mapped[int | None]
    # How far this person's copy is ahead of the meeting's SEQUENCE: someone who was removed
    # got a CANCEL one higher, so her copy after a return must be higher still (RFC 5546).
    sequence_offset: Mapped[int] = mapped_column(default=0, server_default="0")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # link, reply (an uploaded or mailed iTIP REPLY)
    answered_via: Mapped[str | None] = mapped_column(String(10))
    # DTSTAMP of the last iTIP REPLY accepted: an older reply arriving late is ignored.
    reply_stamp: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[utc_instant]
    updated_at: Mapped[utc_instant]

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[Person] = relationship()


class WithdrawnCopy(Base):
    """The SEQUENCE of the CANCEL a person got for a meeting when she left its collaboration:
    should she come back, her next invitation must carry a higher one, or her calendar keeps
    the meeting deleted."""

    __tablename__ = "withdrawn_copy"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    sequence: Mapped[int]
    created_at: Mapped[utc_instant]


class OrganizerCopy(Base):
    """The organizing coordinator's own copy of a meeting. Outlook and Gmail add nothing to the
    calendar of an invitation's own organizer, so her copy has a UID of its own that names the
    planner as organizer and her as the chair, with a SEQUENCE of its own."""

    __tablename__ = "organizer_copy"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The SEQUENCE of the copy last sent (0 first, +1 on every change or cancel).
    sequence: Mapped[int]
    # The meeting's SEQUENCE that copy showed.
    meeting_sequence: Mapped[int]
    # A CANCEL took it out of her calendar (cancelled, or she no longer organises it).
    withdrawn: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[utc_instant]


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
