"""What each kind of feed shows, as FeedItems: meetings, drift warnings, holidays, busy periods.

Texts are in the feed's own language (fixed when the feed was made), not the requester's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.calendar_nl import display_name
from planner.domain.kinds import FeedScope, Role
from planner.feeds.items import (
    ONE_DAY,
    Window,
    _,
    collab_texts,
    meeting_items,
    meeting_rows,
    merged_periods,
    period_items,
)
from planner.feeds.warnings import warning_items
from planner.ical.items import CalendarHead, FeedItem
from planner.models import (
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Feed,
    Organisation,
    Person,
)
from planner.services.availability import organisation_calendars
from planner.services.memberships import withheld_organisations
from planner.services.school_calendar import effective_school_holidays
from planner.text.labels import label


@dataclass(frozen=True, slots=True)
class FeedContent:
    """A feed's header and its items, in order."""

    head: CalendarHead
    items: list[FeedItem]


def _load_collabs(session: Session, ids: Iterable[int]) -> list[Collaboration]:
    return list(
        session.scalars(
            select(Collaboration)
            .where(Collaboration.id.in_(list(ids)))
            .order_by(Collaboration.id)
            .options(
                selectinload(Collaboration.members).selectinload(CollaborationMember.organisation),
                selectinload(Collaboration.people).selectinload(CollaborationPerson.person),
            )
        )
    )


def _collaboration_feed(
    session: Session, feed: Feed, now: datetime, window: Window, language: str
) -> FeedContent:
    assert feed.collaboration_id is not None
    collabs = _load_collabs(session, [feed.collaboration_id])
    collab = collabs[0]
    rows = meeting_rows(session, [collab.id], window)
    items = meeting_items(rows, collab_texts(collabs, language), window, language)
    items += warning_items(session, collab, rows, now, window, language)
    if feed.blocked_days:
        orgs = [member.organisation for member in collab.members]
        periods = merged_periods(
            session,
            orgs,
            window.first,
            window.last,
            language,
            withheld=withheld_organisations(collab),
        )
        items += period_items(periods, f"blocked-{collab.id}", feed.changed_at, language)
    head = CalendarHead(
        _("%(name)s — meetings", name=collab.name),
        _(
            "The meetings of %(name)s, with a warning when the next meeting is too far away.",
            name=collab.name,
        ),
        language,
    )
    return FeedContent(head, items)


def _person_feed(
    session: Session, feed: Feed, now: datetime, window: Window, language: str
) -> FeedContent:
    person = session.get(Person, feed.person_id)
    assert person is not None
    roles: dict[int, Role] = {
        collab_id: role
        for collab_id, role in session.execute(
            select(CollaborationPerson.collaboration_id, CollaborationPerson.role).where(
                CollaborationPerson.person_id == person.id
            )
        )
    }
    collabs = _load_collabs(session, roles)
    rows = meeting_rows(session, [c.id for c in collabs], window)
    items = meeting_items(rows, collab_texts(collabs, language), window, language)
    by_collab: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_collab[row.collaboration_id].append(row)
    for collab in collabs:
        if roles[collab.id] is Role.COORDINATOR:
            items += warning_items(
                session, collab, by_collab[collab.id], now, window, language, with_name=True
            )
    head = CalendarHead(
        _("Meetings of %(name)s", name=person.name),
        _("Every meeting of the collaborations %(name)s takes part in.", name=person.name),
        language,
    )
    return FeedContent(head, items)


def _organisation_feed(session: Session, feed: Feed, window: Window, language: str) -> FeedContent:
    org = session.scalars(
        select(Organisation)
        .where(Organisation.id == feed.organisation_id)
        .options(selectinload(Organisation.holiday_overrides))
    ).one()
    calendar = organisation_calendars(session, [org], window.first, window.calendar_last, language)
    items = period_items(
        ((period, []) for period in calendar[0].periods),
        f"org-{org.id}",
        feed.changed_at,
        language,
    )
    head = CalendarHead(
        _("%(name)s — holidays and busy periods", name=org.name),
        _(
            "School holidays, public holidays and busy periods of %(name)s.",
            name=org.name,
        ),
        language,
    )
    return FeedContent(head, items)


def _region_feed(session: Session, feed: Feed, window: Window, language: str) -> FeedContent:
    region = feed.region
    assert region is not None
    items = []
    source = _("Source: Rijksoverheid, school holidays.")
    for holiday in effective_school_holidays(session):
        if holiday.region != region:
            continue
        if holiday.last_day < window.first or holiday.first_day > window.calendar_last:
            continue
        if holiday.compulsory:
            rule = _("The dates are fixed for every school in the region.")
        else:
            rule = _("Advisory dates: a school may choose its own dates.")
        items.append(
            FeedItem(
                uid=f"schoolholiday-{region}-{holiday.school_year}-{holiday.name}@planner",
                summary=f"{display_name(holiday.name, language)} {region}",
                stamp=feed.changed_at,
                start=holiday.first_day,
                end=holiday.last_day + ONE_DAY,
                transparent=True,
                categories=(label("school_holiday", language), region),
                description=f"{rule}\n{source}",
            )
        )
    items.sort(key=lambda item: (item.start, item.uid))
    head = CalendarHead(
        _("School holidays region %(region)s", region=region),
        _("The school holidays of region %(region)s.", region=region),
        language,
    )
    return FeedContent(head, items)


def feed_content(session: Session, feed: Feed, now: datetime, window: Window) -> FeedContent:
    """Build what `feed` shows on `window.today`, in the feed's language."""
    language = feed.language
    with force_locale(language):
        if feed.scope is FeedScope.COLLABORATION:
            return _collaboration_feed(session, feed, now, window, language)
        if feed.scope is FeedScope.PERSON:
            return _person_feed(session, feed, now, window, language)
        if feed.scope is FeedScope.ORGANISATION:
            return _organisation_feed(session, feed, window, language)
        return _region_feed(session, feed, window, language)
