"""What a feed shows, as plain values: one FeedItem per VEVENT."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

AMSTERDAM = "Europe/Amsterdam"


class ItemStatus(StrEnum):
    """The STATUS of a VEVENT."""

    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One calendar entry. Hashable: equal items render to equal bytes.

    A timed item has aware `start`/`end` instants and the IANA `zone` they are shown in; an
    all-day item has dates, `end` exclusive (as in iCalendar), and no zone.
    """

    uid: str
    summary: str
    # The record's last change: DTSTAMP and LAST-MODIFIED, so bytes change only with the data.
    stamp: datetime
    start: datetime | date
    end: datetime | date
    zone: str | None = None
    status: ItemStatus | None = None
    transparent: bool = False
    sequence: int = 0
    categories: tuple[str, ...] = ()
    description: str | None = None
    location: str | None = None

    @property
    def all_day(self) -> bool:
        """Return whether the item spans whole days (VALUE=DATE)."""
        return not isinstance(self.start, datetime)

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime) != isinstance(self.end, datetime):
            raise ValueError("an item's start and end are both dates or both instants")
        if isinstance(self.start, datetime):
            if self.start.tzinfo is None or not isinstance(self.end, datetime):
                raise ValueError("timed items need aware instants")
            if self.zone is None:
                raise ValueError("timed items need a zone")
        elif self.zone is not None:
            raise ValueError("all-day items carry no zone")
        if self.end <= self.start:
            raise ValueError("an item must end after it starts")
        if self.stamp.tzinfo is None:
            raise ValueError("the stamp must be an aware instant")


@dataclass(frozen=True, slots=True)
class CalendarHead:
    """The calendar's own properties."""

    name: str
    description: str
    language: str
    refresh_minutes: int = 60
