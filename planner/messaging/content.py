"""What a mail says before it is rendered: its blocks, and the words for a meeting's time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from planner.domain.stale_mail import Version
from planner.models import Meeting
from planner.text.formatting import format_meeting_time


@dataclass
class Block:
    """One item of a mail: a meeting, a collaboration, a warning."""

    title: str
    lines: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


@dataclass
class Content:
    """What a mail says, before it is rendered as text and HTML."""

    subject: str
    greeting: str
    intro: list[str]
    blocks: list[Block] = field(default_factory=list)
    outro: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """What a mail says about a meeting that changed: when it was, why, and the coordinator's
    note (each when known)."""

    before: datetime | None = None  # the old start
    reason: str | None = None
    note: str | None = None


def when(meeting: Meeting, locale: str) -> str:
    """'di 3 feb 2026 19:00–20:30' in the meeting's own zone."""
    return format_meeting_time(
        meeting.starts_at, meeting.ends_at, ZoneInfo(meeting.timezone), locale
    )


def digest_key(*parts: object) -> str:
    """A dedupe key of bounded length."""
    text = ":".join(str(part) for part in parts)
    if len(text) <= 200:
        return text
    return f"{text[:150]}#{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def version_of(meeting: Meeting, copy: int | None = None) -> Version:
    """The meeting as a mail describes it now (`copy`: the SEQUENCE of the recipient's iTIP
    object), recorded with the mail for the send-time check (planner.domain.stale_mail)."""
    return Version(meeting.id, meeting.sequence, meeting.starts_at, copy)
