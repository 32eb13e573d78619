"""Serve feeds from a cache keyed on the feed's revision: render once per change and day.

The cache key is (feed id, created, revision, local day). The revision rises in the same
transaction as any change to what the feed shows (see feed_invalidation), and the day is in
the key because the window and the warnings move with it. So a cached feed is never stale,
in any process, and an unchanged feed costs one indexed lookup and no rendering.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from werkzeug.http import http_date

from planner.database import Database
from planner.domain.secrets import hash_secret, plausible_secret
from planner.feeds.content import feed_content
from planner.feeds.items import feed_window, local_midnight
from planner.feeds.tokens import (
    FeedRef,
    record_use,
    region_feed,
    resolve_token,
    use_is_recent,
)
from planner.ical.render import FragmentCache, render_calendar
from planner.models import Feed

CacheKey = tuple[int, datetime, int, date]


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    """A feed's bytes and the headers that go with them, computed once."""

    body: bytes
    etag: str
    last_modified: datetime
    headers: tuple[tuple[str, str], ...]


class FeedCache:
    """Rendered feeds by key, least recently used dropped first once `max_bytes` is reached."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._feeds: OrderedDict[CacheKey, RenderedFeed] = OrderedDict()
        # The one key kept per feed: older revisions and days are never asked for again.
        self._current: dict[tuple[int, datetime], CacheKey] = {}
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> RenderedFeed | None:
        with self._lock:
            found = self._feeds.get(key)
            if found is not None:
                self._feeds.move_to_end(key)
            return found

    def put(self, key: CacheKey, feed: RenderedFeed) -> None:
        if self.max_bytes <= 0:  # caching switched off (benchmarks of the naive path)
            return
        with self._lock:
            previous = self._current.get(key[:2])
            if previous is not None:
                self._drop(previous)
            self._feeds[key] = feed
            self._current[key[:2]] = key
            self.size += len(feed.body)
            while self.size > self.max_bytes and len(self._feeds) > 1:
                self._drop(next(iter(self._feeds)))

    def _drop(self, key: CacheKey) -> None:
        dropped = self._feeds.pop(key, None)
        if dropped is not None:
            self.size -= len(dropped.body)
            if self._current.get(key[:2]) == key:
                del self._current[key[:2]]

    def clear(self) -> None:
        with self._lock:
            self._feeds.clear()
            self._current.clear()
            self.size = 0


class Generation:
    """A change mark shared by every process of one host: 8 bytes of a file, mapped in memory.

    After each commit that changes a feed or a token, the committing process writes new random
    bytes; a process that reads the same bytes as when it last checked a token knows that no
    feed or token changed since, without asking the database.
    """

    SIZE = 8

    def __init__(self, path: Callable[[], str]) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._pid = 0

    def _mapped(self) -> mmap.mmap:
        if self._map is None or self._pid != os.getpid():  # a fork needs its own mapping
            path = self.path()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_size < self.SIZE:
                    os.write(fd, os.urandom(self.SIZE))
                self._map = mmap.mmap(fd, self.SIZE)
            finally:
                os.close(fd)
            self._pid = os.getpid()
        return self._map

    def read(self) -> bytes:
        return self._mapped()[: self.SIZE]

    def bump(self) -> None:
        self._mapped()[: self.SIZE] = os.urandom(self.SIZE)


class FeedServer:
    """Finds, renders and caches feeds for one application."""

    # A token checked in memory is checked in the database again after this long anyway: a
    # safety net should a process die between its commit and writing the generation.
    RECHECK_SECONDS = 60.0
    MAX_REFS = 200_000

    def __init__(
        self, db: Database, config: dict[str, Any] | Any, generation_path: Callable[[], str]
    ) -> None:
        self.db = db
        self.generation = Generation(generation_path) if config["FEED_SHARED_GENERATION"] else None
        self._refs: dict[str, tuple[FeedRef, bytes, float]] = {}
        self.zone = ZoneInfo(config["DEFAULT_TIMEZONE"])
        self.past_days = int(config["FEED_PAST_DAYS"])
        self.future_days = int(config["FEED_FUTURE_DAYS"])
        self.cache = FeedCache(int(config["FEED_CACHE_MB"]) * 1024 * 1024)
        self.fragments = FragmentCache(int(config["FEED_FRAGMENT_CACHE_ITEMS"]))
        self.renders = 0

    def changed(self) -> None:
        """Tell every process of this host that a feed or a token changed (after a commit)."""
        if self.generation is not None:
            self.generation.bump()

    def _remembered(self, key: str, now: datetime) -> tuple[FeedRef | None, bytes | None]:
        if self.generation is None:
            return None, None
        mark = self.generation.read()
        hit = self._refs.get(key)
        if (
            hit is not None
            and hit[1] == mark
            and time.monotonic() - hit[2] < self.RECHECK_SECONDS
            and (hit[0].token_id is None or use_is_recent(hit[0], now))
        ):
            return hit[0], mark
        return None, mark

    def _remember(self, key: str, ref: FeedRef | None, mark: bytes | None) -> None:
        if mark is None:
            return
        if ref is None:
            self._refs.pop(key, None)
            return
        if len(self._refs) >= self.MAX_REFS:
            self._refs.clear()
        self._refs[key] = (ref, mark, time.monotonic())

    def _connect(self) -> Connection:
        # Autocommit: one round trip per statement, no BEGIN/ROLLBACK around a lookup.
        return self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def find_token(self, secret: str, now: datetime) -> FeedRef | None:
        """Return the feed a live token opens; from memory when nothing changed since."""
        if not plausible_secret(secret):
            return None
        key = hash_secret(secret)
        ref, mark = self._remembered(key, now)
        if ref is not None:
            return ref
        # The mark is read before the database: a change committed meanwhile bumps it again.
        with self._connect() as connection:
            ref = resolve_token(connection, secret)
            if ref is not None:
                ref = record_use(connection, ref, now)
        self._remember(key, ref, mark)
        return ref

    def find_region(self, region: str, language: str, now: datetime) -> FeedRef:
        """Return a region's public feed (made on first use)."""
        key = f"region:{region}:{language}"
        ref, mark = self._remembered(key, now)
        if ref is not None:
            return ref
        with self._connect() as connection:
            ref = region_feed(connection, region, language, now)
        self._remember(key, ref, mark)
        return ref

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def rendered(self, ref: FeedRef, now: datetime) -> RenderedFeed | None:
        """Return the feed's bytes for today, rendering them when its data changed."""
        today = self.today(now)
        key: CacheKey = (*ref.cache_key, today)
        found = self.cache.get(key)
        if found is not None:
            return found
        result = self.render(ref.feed_id, now)
        if result is not None:
            self.cache.put(key, result)
        return result

    def render(self, feed_id: int, now: datetime) -> RenderedFeed | None:
        """Render a feed from the database, without the feed cache (the fragments are reused)."""
        today = self.today(now)
        window = feed_window(today, self.past_days, self.future_days)
        with self.db.session() as session:
            feed = session.get(Feed, feed_id)
            if feed is None:  # deleted since the lookup
                return None
            content = feed_content(session, feed, now, window)
            changed_at = feed.changed_at
            filename = f"planner-{feed.scope.value}.ics"
        body = render_calendar(content.head, content.items, self.fragments)
        self.renders += 1
        etag = hashlib.sha256(body).hexdigest()[:32]
        # The content may change at midnight (the window moves) without a change to the data.
        last_modified = max(changed_at, local_midnight(today, self.zone.key))
        headers = (
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("ETag", f'"{etag}"'),
            ("Last-Modified", http_date(last_modified)),
            ("Cache-Control", "private, max-age=0, must-revalidate"),
            ("Content-Disposition", f'inline; filename="{filename}"'),
        )
        return RenderedFeed(body, etag, last_modified, headers)
