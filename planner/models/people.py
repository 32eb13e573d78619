"""People, their logins, and who administers which school."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.database import Base, UTCDateTime, intpk, str200, utc_instant

if TYPE_CHECKING:
    from planner.models.calendar import Organisation
    from planner.models.collaborations import CollaborationPerson


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
