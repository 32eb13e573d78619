"""iTIP REPLY messages (RFC 5546 §3.2.3) read from an uploaded or mailed .ics.

Only the shape is checked here; whether the reply may change anything (known UID, invited
attendee, current SEQUENCE, newer DTSTAMP: shared ICAL.md rule 18) is the service's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from icalendar import Calendar


class ReplyFormatError(ValueError):
    """The data is not a usable iTIP REPLY; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReplyItem:
    """One attendee's answer to one event."""

    uid: str
    sequence: int
    stamp: datetime
    attendee: str
    partstat: str
    sent_by: str | None
    # When the attendee answered, as Outlook says it (X-MICROSOFT-CDO-REPLYTIME), if it does.
    reply_time: datetime | None = None


PARTSTATS = frozenset({"ACCEPTED", "TENTATIVE", "DECLINED", "NEEDS-ACTION"})


def address(value: object) -> str:
    """A calendar user address without `mailto:`, in lower case, for comparing."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()


def parse_reply(data: bytes | str) -> list[ReplyItem]:
    """Parse an iTIP REPLY; raise ReplyFormatError when it is not one."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise ReplyFormatError("empty")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise ReplyFormatError("not_icalendar") from error
    if calendar.name != "VCALENDAR":
        raise ReplyFormatError("not_icalendar")
    method = str(calendar.get("METHOD", "")).strip().upper()
    if method != "REPLY":
        raise ReplyFormatError("not_reply")
    items: list[ReplyItem] = []
    for event in calendar.walk("VEVENT"):
        items.append(_item(event))
    if not items:
        raise ReplyFormatError("no_event")
    return items


def _item(event: object) -> ReplyItem:
    component = event  # icalendar.Event; kept untyped for icalendar's loose stubs
    uid = str(component.get("UID", "")).strip()  # type: ignore[attr-defined]
    if not uid:
        raise ReplyFormatError("no_uid")
    attendees = component.get("ATTENDEE")  # type: ignore[attr-defined]
    if attendees is None:
        raise ReplyFormatError("no_attendee")
    if isinstance(attendees, list):
        if len(attendees) != 1:
            raise ReplyFormatError("several_attendees")
        attendees = attendees[0]
    partstat = str(attendees.params.get("PARTSTAT", "")).strip().upper()
    if partstat not in PARTSTATS:
        raise ReplyFormatError("bad_partstat")
    try:
        sequence = int(component.get("SEQUENCE", 0))  # type: ignore[attr-defined]
        stamp_value = component.decoded("DTSTAMP")  # type: ignore[attr-defined]
    except (KeyError, ValueError, TypeError) as error:
        raise ReplyFormatError("no_dtstamp") from error
    if isinstance(stamp_value, datetime):
        stamp = stamp_value if stamp_value.tzinfo else stamp_value.replace(tzinfo=UTC)
    elif isinstance(stamp_value, date):
        raise ReplyFormatError("no_dtstamp")
    else:
        raise ReplyFormatError("no_dtstamp")
    sent_by = attendees.params.get("SENT-BY")
    return ReplyItem(
        uid=uid,
        sequence=sequence,
        stamp=stamp.astimezone(UTC),
        attendee=address(attendees),
        partstat=partstat,
        sent_by=address(sent_by) if sent_by else None,
        reply_time=_reply_time(component),
    )


def _reply_time(component: object) -> datetime | None:
    """X-MICROSOFT-CDO-REPLYTIME as an aware UTC instant (None when absent or unreadable)."""
    raw = component.get("X-MICROSOFT-CDO-REPLYTIME")  # type: ignore[attr-defined]
    if raw is None:
        return None
    text = str(raw.to_ical().decode() if hasattr(raw, "to_ical") else raw).strip()
    try:  # Outlook writes it in UTC: 20261124T101500Z
        return datetime.strptime(text.removesuffix("Z") + "+0000", "%Y%m%dT%H%M%S%z")
    except ValueError:
        pass
    return None
