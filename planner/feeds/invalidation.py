"""Exact feed invalidation: every flush that changes what a feed shows raises its revision.

A session listener sees each ORM change (new, changed or deleted rows) and, in the same
transaction, raises `feed.revision` of every feed that shows the changed data, following
region → school → collaboration → person. A feed is cached by its revision, so the next
request after the commit renders anew, in any process; no service can forget to invalidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, event, false, inspect, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from planner.clock import utcnow
from planner.domain.kinds import FeedScope
from planner.models import (
    BusyPeriod,
    ClosureDay,
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Feed,
    FeedToken,
    HolidayOverride,
    Meeting,
    Organisation,
    Person,
    SchoolHolidayRecord,
)


@dataclass
class Touched:
    """What a flush changed, by the scopes feeds are defined on."""

    national: bool = False
    regions: set[str] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)
    collaborations: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(
            self.national
            or self.regions
            or self.organisations
            or self.collaborations
            or self.persons
        )


def _values(obj: Any, name: str) -> list[Any]:
    """The attribute's current value and, for a changed row, the value it had."""
    history = inspect(obj).attrs[name].history
    values = [*history.added, *history.unchanged, *history.deleted]
    return [value for value in values if value is not None]


# What of a person their feeds show (the title, the language, the school); a login, a wrong
# password or a new password hash changes none of it and re-renders nothing.
PERSON_SHOWN = ("name", "email", "language", "organisation_id")


def _shows_in_feeds(person: Person) -> bool:
    state = inspect(person)
    if not state.persistent or state.deleted:
        return True  # new or deleted
    return any(state.attrs[name].history.has_changes() for name in PERSON_SHOWN)


def _note(touched: Touched, obj: Any) -> None:
    if isinstance(obj, Meeting | CollaborationMember | Collaboration):
        name = "id" if isinstance(obj, Collaboration) else "collaboration_id"
        touched.collaborations.update(_values(obj, name))
    if isinstance(obj, CollaborationMember):
        touched.organisations.update(_values(obj, "organisation_id"))
    elif isinstance(obj, CollaborationPerson):
        touched.collaborations.update(_values(obj, "collaboration_id"))
        touched.persons.update(_values(obj, "person_id"))
    elif isinstance(obj, Person) and _shows_in_feeds(obj):
        touched.persons.update(_values(obj, "id"))
    elif isinstance(obj, Organisation):
        touched.organisations.update(_values(obj, "id"))
    elif isinstance(obj, HolidayOverride | ClosureDay):
        touched.organisations.update(_values(obj, "organisation_id"))
    elif isinstance(obj, SchoolHolidayRecord):
        touched.regions.update(_values(obj, "region"))
    elif isinstance(obj, BusyPeriod):
        orgs = _values(obj, "organisation_id")
        regions = _values(obj, "region")
        touched.organisations.update(orgs)
        touched.regions.update(regions)
        if not orgs and not regions:
            touched.national = True


def changes_of(session: Session) -> Touched:
    """What the session's pending flush changes (called after the flush, before history resets).

    After the flush the foreign keys set through relationships are filled in, and the
    attribute history still holds the old values, so a row moved between scopes touches both.
    """
    touched = Touched()
    for obj in session.new:
        _note(touched, obj)
    for obj in session.deleted:
        _note(touched, obj)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _note(touched, obj)
    return touched


def bump_feeds(connection: Connection, touched: Touched, now: datetime) -> None:
    """Raise the revision of every feed showing something in `touched`."""
    organisations = set(touched.organisations)
    if touched.regions:
        organisations.update(
            connection.scalars(
                select(Organisation.id).where(Organisation.region.in_(touched.regions))
            )
        )
    collaborations = set(touched.collaborations)
    if organisations:
        collaborations.update(
            connection.scalars(
                select(CollaborationMember.collaboration_id).where(
                    CollaborationMember.organisation_id.in_(organisations)
                )
            )
        )
    persons = set(touched.persons)
    if collaborations:
        persons.update(
            connection.scalars(
                select(CollaborationPerson.person_id).where(
                    CollaborationPerson.collaboration_id.in_(collaborations)
                )
            )
        )
    # A national busy period shows in every school's feed and sways every warning.
    everything = Feed.scope != FeedScope.REGION if touched.national else false()
    which = or_(
        everything,
        and_(Feed.scope == FeedScope.REGION, Feed.region.in_(touched.regions)),
        and_(Feed.scope == FeedScope.ORGANISATION, Feed.organisation_id.in_(organisations)),
        and_(Feed.scope == FeedScope.COLLABORATION, Feed.collaboration_id.in_(collaborations)),
        and_(Feed.scope == FeedScope.PERSON, Feed.person_id.in_(persons)),
    )
    connection.execute(update(Feed).where(which).values(revision=Feed.revision + 1, changed_at=now))


CHANGED = "planner.feeds.changed"


def _after_flush(session: Session, _context: Any) -> None:
    touched = changes_of(session)
    if touched:
        bump_feeds(session.connection(), touched, utcnow())
        session.info[CHANGED] = True
    elif any(
        isinstance(obj, Feed | FeedToken)
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    ):
        session.info[CHANGED] = True


def _bulk_statement(state: ORMExecuteState) -> None:
    # An UPDATE or DELETE by statement (e.g. the demo's reset) passes no flush: assume it
    # changed something a feed shows.
    if state.is_update or state.is_delete:
        state.session.info[CHANGED] = True


def watch(factory: sessionmaker[Session], on_commit: Callable[[], None]) -> None:
    """Raise feed revisions on every flush of sessions made by `factory`; after a commit that
    changed a feed or a token, call `on_commit` (which tells the other processes)."""

    def after_commit(session: Session) -> None:
        if session.info.pop(CHANGED, False):
            on_commit()

    def after_rollback(session: Session) -> None:
        session.info.pop(CHANGED, None)

    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _bulk_statement)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", after_rollback)
