"""Feeds and their secret tokens: make, list, revoke and renew; find a feed by its token.

A token is 192 random bits (32 URL-safe characters). Only its SHA-256 is stored: a leaked
database does not leak working feed URLs. A plain hash suffices because the secret is random
and long; there is nothing to guess that a slow hash would protect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from planner.calendar_nl import parse_region
from planner.domain.kinds import FeedScope
from planner.domain.secrets import hash_secret, new_secret, plausible_secret
from planner.errors import N_, ConflictError, NotFoundError, ValidationError
from planner.events import (
    EventKind,
    FeedTokenChange,
    append_event,
)
from planner.inputs import optional_text, parse_id
from planner.models import Collaboration, Feed, FeedToken, Organisation, Person
from planner.services.accounts import may_administer, may_coordinate
from planner.services.collaborations import get_collaboration
from planner.services.organisations import find_organisation
from planner.services.people import find_person

HINT_LENGTH = 4
# Last use is recorded at most this often per token: polling must not turn into writes.
LAST_USED_PRECISION = timedelta(hours=1)
LANGUAGES = ("nl", "en")


def feed_key(
    scope: FeedScope, target: int | str, language: str, *, blocked_days: bool = False
) -> str:
    """Return the unique key of a feed definition."""
    options = ":blocked" if blocked_days else ""
    return f"{scope.value}:{target}{options}:{language}"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the row, and the secret, which is shown this once and never stored."""

    token: FeedToken
    secret: str


def _language(value: Any, default: str) -> str:
    if value in (None, ""):
        return default
    language = str(value).strip().lower()
    if language not in LANGUAGES:
        raise ValidationError(
            N_("Unknown language %(language)s: choose nl or en."), language=language
        )
    return language


def _get_or_create_feed(session: Session, key: str, now: datetime, **fields: Any) -> Feed:
    feed = session.scalars(select(Feed).where(Feed.key == key)).first()
    if feed is None:
        feed = Feed(key=key, revision=0, changed_at=now, created_at=now, **fields)
        session.add(feed)
        session.flush()
    return feed


def create_token(
    session: Session,
    now: datetime,
    *,
    collaboration: str | int | None = None,
    person: str | int | None = None,
    organisation: str | int | None = None,
    blocked_days: bool = False,
    language: str | None = None,
    label: str | None = None,
) -> IssuedToken:
    """Make a new secret link to one collaboration's, person's or organisation's feed."""
    given = [value for value in (collaboration, person, organisation) if value not in (None, "")]
    if len(given) != 1:
        raise ValidationError(
            N_("Name exactly one collaboration, person or organisation for the feed.")
        )
    if blocked_days and collaboration in (None, ""):
        raise ValidationError(N_("Only a collaboration's feed can show blocked days."))
    label = optional_text(label, 200, "label")
    fields: dict[str, Any]
    ref = given[0]
    assert ref is not None
    if collaboration not in (None, ""):
        collab = get_collaboration(session, ref)
        lang = _language(language, "nl")
        key = feed_key(FeedScope.COLLABORATION, collab.id, lang, blocked_days=blocked_days)
        fields = {
            "scope": FeedScope.COLLABORATION,
            "collaboration_id": collab.id,
            "blocked_days": blocked_days,
        }
    elif person not in (None, ""):
        someone = find_person(session, ref)
        lang = _language(language, someone.language or "nl")
        key = feed_key(FeedScope.PERSON, someone.id, lang)
        fields = {"scope": FeedScope.PERSON, "person_id": someone.id}
    else:
        org = find_organisation(session, ref)
        lang = _language(language, "nl")
        key = feed_key(FeedScope.ORGANISATION, org.id, lang)
        fields = {"scope": FeedScope.ORGANISATION, "organisation_id": org.id}
    feed = _get_or_create_feed(session, key, now, language=lang, **fields)
    return _issue(session, feed, now, label=label)


def _issue(
    session: Session,
    feed: Feed,
    now: datetime,
    *,
    label: str | None,
    renewed_from: FeedToken | None = None,
) -> IssuedToken:
    secret = new_secret()
    token = FeedToken(
        feed=feed,
        token_hash=hash_secret(secret),
        hint=secret[:HINT_LENGTH],
        label=label,
        created_at=now,
        renewed_from_id=renewed_from.id if renewed_from else None,
    )
    session.add(token)
    session.flush()
    append_event(
        session,
        EventKind.FEED_TOKEN_CREATED,
        FeedTokenChange(token.id, feed.id, feed.scope.value),
        now,
    )
    return IssuedToken(token, secret)


def get_token(session: Session, token_id: str | int) -> FeedToken:
    """Return a token row by id."""
    number = parse_id(token_id)
    token = session.get(FeedToken, number) if number is not None else None
    if token is None:
        raise NotFoundError(N_("There is no feed link with id %(id)s."), id=str(token_id))
    return token


def list_tokens(
    session: Session,
    *,
    collaboration: Any = None,
    person: Any = None,
    organisation: Any = None,
    include_revoked: bool = False,
) -> list[FeedToken]:
    """Return feed links, newest first, of at most one collaboration, person or organisation
    (by id); revoked ones only when asked."""
    given = [
        (name, column, value)
        for name, column, value in (
            ("collaboration", Feed.collaboration_id, collaboration),
            ("person", Feed.person_id, person),
            ("organisation", Feed.organisation_id, organisation),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ValidationError(N_("Filter on at most one collaboration, person or organisation."))
    query = (
        select(FeedToken)
        .join(Feed)
        .options(selectinload(FeedToken.feed))
        .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
    )
    if given:
        name, column, value = given[0]
        target = parse_id(value)
        if target is None:
            raise ValidationError(N_("%(field)s must be a number."), field=name)
        query = query.where(column == target)
    if not include_revoked:
        query = query.where(FeedToken.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_token(session: Session, token: FeedToken, now: datetime) -> None:
    """Revoke one link; its URL answers 404 from the next request on. Other links keep working."""
    if token.revoked_at is not None:
        raise ConflictError(N_("This feed link was already revoked."))
    token.revoked_at = now
    append_event(
        session, EventKind.FEED_TOKEN_REVOKED, FeedTokenChange(token.id, token.feed_id), now
    )


def renew_token(session: Session, token: FeedToken, now: datetime) -> IssuedToken:
    """Replace a link by a new secret for the same feed; the old one is revoked."""
    if token.revoked_at is None:
        revoke_token(session, token, now)
    return _issue(session, token.feed, now, label=token.label, renewed_from=token)


# -- the hot path: one indexed lookup per request --------------------------------------------

_REF_COLUMNS = (
    FeedToken.id,
    FeedToken.last_used_at,
    Feed.id,
    Feed.scope,
    Feed.collaboration_id,
    Feed.person_id,
    Feed.organisation_id,
    Feed.region,
    Feed.blocked_days,
    Feed.language,
    Feed.revision,
    Feed.changed_at,
    Feed.created_at,
)
_FEED_FIELDS = (
    "f.id, f.scope, f.collaboration_id, f.person_id, f.organisation_id, f.region,"
    " f.blocked_days, f.language, f.revision, f.changed_at, f.created_at"
)
# Plain SQL with typed result columns: the cheapest statement SQLAlchemy can run per request.
_RESOLVE = text(
    f"SELECT t.id, t.last_used_at, {_FEED_FIELDS}"
    " FROM feed_token t JOIN feed f ON f.id = t.feed_id"
    " WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL"
).columns(*_REF_COLUMNS)
_FEED_BY_KEY = text(f"SELECT NULL, NULL, {_FEED_FIELDS} FROM feed f WHERE f.key = :key").columns(
    *_REF_COLUMNS
)

# A token is URL-safe base64; anything else cannot be one.


@dataclass(frozen=True, slots=True)
class FeedRef:
    """A feed as found for a request: enough to key the cache without loading anything else."""

    token_id: int | None
    last_used_at: datetime | None
    feed_id: int
    scope: FeedScope
    collaboration_id: int | None
    person_id: int | None
    organisation_id: int | None
    region: str | None
    blocked_days: bool
    language: str
    revision: int
    changed_at: datetime
    created_at: datetime

    @property
    def cache_key(self) -> tuple[int, datetime, int]:
        """Identity and version of the feed's data; `created_at` guards against reused ids."""
        return (self.feed_id, self.created_at, self.revision)


def resolve_token(connection: Connection, secret: str) -> FeedRef | None:
    """Return the feed a live token opens, or None for a revoked, unknown or malformed one."""
    if not plausible_secret(secret):
        return None
    row = connection.execute(_RESOLVE, {"token_hash": hash_secret(secret)}).first()
    return FeedRef(*row) if row is not None else None


def use_is_recent(ref: FeedRef, now: datetime) -> bool:
    """Return whether the token's last use is recorded closely enough for `now`."""
    return ref.last_used_at is not None and now - ref.last_used_at < LAST_USED_PRECISION


def record_use(connection: Connection, ref: FeedRef, now: datetime) -> FeedRef:
    """Note the token's last use, at most once per LAST_USED_PRECISION; return the ref as now."""
    if ref.token_id is None or use_is_recent(ref, now):
        return ref
    connection.execute(
        update(FeedToken).where(FeedToken.id == ref.token_id).values(last_used_at=now)
    )
    connection.commit()
    return replace(ref, last_used_at=now)


def region_feed(connection: Connection, region: str, language: str, now: datetime) -> FeedRef:
    """Return the public feed of a region's school holidays, made on first use."""
    region = parse_region(region)
    language = _language(language, "nl")
    key = feed_key(FeedScope.REGION, region, language)
    row = connection.execute(_FEED_BY_KEY, {"key": key}).first()
    if row is None:
        try:
            connection.execute(
                insert(Feed).values(
                    key=key,
                    scope=FeedScope.REGION,
                    region=region,
                    blocked_days=False,
                    language=language,
                    revision=0,
                    changed_at=now,
                    created_at=now,
                )
            )
            connection.commit()
        except IntegrityError:  # made by a concurrent request
            connection.rollback()
        row = connection.execute(_FEED_BY_KEY, {"key": key}).one()
    return FeedRef(*row)


def target_name(session: Session, feed: Feed) -> str:
    """Return a readable name of what the feed shows."""
    found: Collaboration | Person | Organisation | None
    if feed.scope is FeedScope.COLLABORATION:
        found = session.get(Collaboration, feed.collaboration_id)
    elif feed.scope is FeedScope.PERSON:
        found = session.get(Person, feed.person_id)
    elif feed.scope is FeedScope.ORGANISATION:
        found = session.get(Organisation, feed.organisation_id)
    else:
        return feed.region or ""
    return found.name if found is not None else ""


def may_manage_target(
    session: Session, person: Person, target: Person | Collaboration | Organisation
) -> bool:
    """Whether `person` may make, see, revoke and renew feed links of what `target` shows:
    their own meetings, a collaboration they coordinate, a school they administer (a platform
    administrator: anything)."""
    if person.is_admin:
        return True
    if isinstance(target, Person):
        return target.id == person.id
    if isinstance(target, Collaboration):
        return may_coordinate(session, person, target)
    return may_administer(session, person, target)


def may_manage(session: Session, person: Person, feed: Feed) -> bool:
    """Whether `person` may see, revoke and renew the links of this feed (region feeds are
    public and have no links to manage)."""
    if person.is_admin:
        return True
    target: Person | Collaboration | Organisation | None = None
    if feed.scope is FeedScope.PERSON and feed.person_id is not None:
        target = session.get(Person, feed.person_id)
    elif feed.scope is FeedScope.COLLABORATION and feed.collaboration_id is not None:
        target = session.get(Collaboration, feed.collaboration_id)
    elif feed.scope is FeedScope.ORGANISATION and feed.organisation_id is not None:
        target = session.get(Organisation, feed.organisation_id)
    return target is not None and may_manage_target(session, person, target)
