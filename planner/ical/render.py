"""Render feed items with icalendar, one VEVENT at a time, and join them into a calendar.

Rendering a VEVENT costs ~0.2 ms with icalendar; a feed of 2,000 events would take ~0.4 s to
build from scratch. Each item's bytes are therefore kept in a FragmentCache keyed by the item
itself: an unchanged event is rendered once and reused until any of its values changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
    vText,
)

from planner.ical.items import AMSTERDAM, CalendarHead, FeedItem

PRODID = "-//planner//Dutch school collaborations//NL"
CRLF = b"\r\n"
END_CALENDAR = b"END:VCALENDAR\r\n"


def amsterdam_timezone() -> Timezone:
    """Europe/Amsterdam in the RRULE form every client reads (not one RDATE per transition)."""
    zone = Timezone()
    zone.add("tzid", AMSTERDAM)
    summer = TimezoneDaylight()
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))  # noqa: DTZ001 (local time)
    summer.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    winter = TimezoneStandard()
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))  # noqa: DTZ001 (local time)
    winter.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


_AMSTERDAM_BYTES = amsterdam_timezone().to_ical()
_ZONES: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    zone = _ZONES.get(name)
    if zone is None:
        zone = _ZONES.setdefault(name, ZoneInfo(name))
    return zone


def edge_value(value: datetime | date, zone: str | None) -> datetime | date:
    """A DTSTART/DTEND value: local time with TZID for Amsterdam, UTC for any other zone."""
    if not isinstance(value, datetime):
        return value
    if zone == AMSTERDAM:
        return value.astimezone(_zone(AMSTERDAM))
    return value.astimezone(UTC)


def render_item(item: FeedItem) -> bytes:
    """Return one VEVENT, CRLF-terminated and folded, as icalendar writes it."""
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.stamp.astimezone(UTC))
    event.add("last-modified", item.stamp.astimezone(UTC))
    event.add("dtstart", edge_value(item.start, item.zone))
    event.add("dtend", edge_value(item.end, item.zone))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.categories:
        event.add("categories", list(item.categories))
    if item.status is not None:
        event.add("status", item.status.value)
    event.add("transp", "TRANSPARENT" if item.transparent else "OPAQUE")
    event.add("sequence", item.sequence)
    fragment: bytes = event.to_ical()
    return fragment


class FragmentCache:
    """Rendered VEVENT bytes by item, least recently used dropped first. Thread-safe."""

    def __init__(self, max_items: int = 200_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[FeedItem, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.rendered = 0

    def get(self, item: FeedItem) -> bytes:
        """Return the item's bytes, rendering them only if this exact item is not cached."""
        with self._lock:
            found = self._items.get(item)
            if found is not None:
                self._items.move_to_end(item)
                return found
        fragment = render_item(item)
        if self.max_items <= 0:
            return fragment
        with self._lock:
            self.rendered += 1
            self._items[item] = fragment
            if len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return fragment

    def clear(self) -> None:
        """Forget every fragment."""
        with self._lock:
            self._items.clear()


def _head(head: CalendarHead, with_timezone: bool) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", vText(head.name))
    calendar.add("x-wr-calname", vText(head.name))
    calendar.add("description", vText(head.description))
    calendar.add("x-wr-caldesc", vText(head.description))
    refresh = vDuration(timedelta(minutes=head.refresh_minutes))
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(minutes=head.refresh_minutes)))
    text: bytes = calendar.to_ical()
    assert text.endswith(END_CALENDAR)
    text = text[: -len(END_CALENDAR)]
    return text + _AMSTERDAM_BYTES if with_timezone else text


def render_calendar(
    head: CalendarHead, items: Iterable[FeedItem], cache: FragmentCache | None = None
) -> bytes:
    """Return the whole VCALENDAR: header, the VTIMEZONE when needed, then one VEVENT per item."""
    items = list(items)
    fragments = [cache.get(item) if cache else render_item(item) for item in items]
    with_timezone = any(item.zone == AMSTERDAM for item in items)
    return b"".join([_head(head, with_timezone), *fragments, END_CALENDAR])
