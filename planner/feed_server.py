"""Serve feeds from a cache keyed on the feed's revision: render once per change and day.

The cache key is (feed id, created, revision, local day). The revision rises in the same
transaction as any change to what the feed shows (see feed_invalidation), and the day is in
the key because the window and the warnings move with it. So a cached feed is never stale,
in any process, and an unchanged feed costs one indexed lookup and no rendering.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.http import http_date

from planner.database import Database
from planner.feed_content import feed_content, feed_window, local_midnight
from planner.ical.render import FragmentCache, render_calendar
from planner.models import Feed
from planner.services.feeds import FeedRef

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


class FeedServer:
    """Renders and caches feeds for one application."""

    def __init__(self, db: Database, config: dict[str, Any] | Any) -> None:
        self.db = db
        self.zone = ZoneInfo(config["DEFAULT_TIMEZONE"])
        self.past_days = int(config["FEED_PAST_DAYS"])
        self.future_days = int(config["FEED_FUTURE_DAYS"])
        self.cache = FeedCache(int(config["FEED_CACHE_MB"]) * 1024 * 1024)
        self.fragments = FragmentCache(int(config["FEED_FRAGMENT_CACHE_ITEMS"]))
        self.renders = 0

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
