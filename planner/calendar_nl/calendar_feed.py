"""A school's published calendar (.ics at an address) read into the busy periods it stands for.

Pure: bytes, a window of dates and the administrator's rules in; frozen entries out, or a
ValidationError. Unlike the upload (planner.calendar_nl.year_calendar), which shows rows to
tick, this reads a calendar a machine keeps: every occurrence of every event in the window,
repeats expanded by recurring-ical-events (RRULE, RDATE, EXDATE, moved and cancelled
occurrences, Windows zone names, UTC without VTIMEZONE), and each entry carries a stable key
(its UID and occurrence) so a later fetch can tell what was added, changed or removed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import recurring_ical_events
from icalendar import Calendar

from planner.calendar_nl.year_calendar.rows import (
    ZONE,
    clean,
    decode_text,
    guess_kind,
    is_icalendar,
)
from planner.domain.kinds import BUSY_KIND_WORDS, SEVERITY_WORDS, BusyKind, Severity
from planner.errors import N_, ValidationError
from planner.inputs import parse_choice

MAX_ENTRIES = 2000  # occurrences in the window; two school years of a school's calendar
MAX_RULES = 50
MAX_RULE_TEXT = 100
MAX_NOTE = 500
SKIP_WORDS = {"skip", "overslaan", "negeren", "ignore", "weglaten", "-"}


@dataclass(frozen=True)
class FeedEntry:
    """One occurrence of an event in the window: inclusive local first and last day."""

    key: str  # a hash of the event's UID and occurrence
    summary: str
    categories: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class SyncRule:
    """ "SUMMARY contains 'toets' → test week, hard"; kind None leaves matching events out."""

    contains: str
    kind: BusyKind | None
    severity: Severity | None = None  # None: as usual for the kind

    def to_json(self) -> dict[str, Any]:
        """The rule as stored."""
        return {
            "contains": self.contains,
            "kind": self.kind.value if self.kind else None,
            "severity": self.severity.value if self.severity else None,
        }


@dataclass(frozen=True)
class Wanted:
    """The busy period an entry stands for after the rules."""

    key: str
    kind: BusyKind
    severity: Severity | None  # None: as usual for the kind
    first_day: date
    last_day: date
    note: str | None


# What icalendar and recurring-ical-events raise on a damaged calendar.
READ_ERRORS = (ValueError, IndexError, KeyError, TypeError, OverflowError, AttributeError)


def unreadable() -> ValidationError:
    """The refusal of a calendar the libraries cannot read."""
    return ValidationError(
        N_("The calendar at the address cannot be read: it is damaged or no iCalendar file.")
    )


def read_calendar(data: bytes) -> Calendar:
    """The fetched bytes as a calendar: text (a known encoding, no binary), starting with
    BEGIN:VCALENDAR, readable by icalendar; else a ValidationError saying which."""
    text = decode_text(data)
    if not is_icalendar(text):
        raise ValidationError(
            N_(
                "The address does not give an iCalendar (.ics) file (it does not start with"
                " BEGIN:VCALENDAR); check that it is the calendar's own export address."
            )
        )
    try:
        return Calendar.from_ical(text)
    except READ_ERRORS:
        raise unreadable() from None


def parse_feed(data: bytes, first: date, last: date) -> tuple[FeedEntry, ...]:
    """Every occurrence of the calendar's events that touches [first, last], cancelled left out."""
    calendar = read_calendar(data)
    try:
        occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(
            first, last + timedelta(days=1)
        )
        series = {
            str(event.get("UID", ""))
            for event in calendar.walk("VEVENT")
            if any(event.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
        }
        entries: dict[str, FeedEntry] = {}
        for event in occurrences:
            entry = _entry(event, series)
            if entry is None or entry.last_day < first or entry.first_day > last:
                continue
            entries[entry.key] = entry
            if len(entries) > MAX_ENTRIES:
                raise ValidationError(
                    N_("The calendar holds more than %(max)s events in two school years."),
                    max=MAX_ENTRIES,
                )
    except ValidationError:
        raise
    except READ_ERRORS:
        raise unreadable() from None
    return tuple(sorted(entries.values(), key=lambda e: (e.first_day, e.last_day, e.key)))


def _entry(event: Any, series: set[str]) -> FeedEntry | None:
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    if event.get("DTSTART") is None:
        return None
    start: date = event.get("DTSTART").dt
    end: date = event.get("DTEND").dt if event.get("DTEND") is not None else start
    if event.get("DTEND") is None and event.get("DURATION") is not None:
        end = start + event.get("DURATION").dt
    first_day, last_day = _days(start, end)
    recurrence = event.get("RECURRENCE-ID")
    uid = str(event.get("UID", "")) or clean(str(event.get("SUMMARY", "")), 200)
    # One occurrence of a series is its UID and RECURRENCE-ID (recurring-ical-events sets one on
    # every occurrence); a single event is its UID alone, so moving it is a change.
    repeats = recurrence is not None and str(event.get("UID", "")) in series
    moment = _instant_text(recurrence.dt) if repeats else ""
    key = hashlib.sha256(f"{uid}\x00{moment}".encode()).hexdigest()[:40]
    categories = event.get("CATEGORIES")
    items = categories if isinstance(categories, list) else [categories] if categories else []
    category_text = " ".join(str(c) for item in items for c in getattr(item, "cats", [item]))
    return FeedEntry(
        key=key,
        summary=clean(str(event.get("SUMMARY", "")), 200),
        categories=clean(category_text, 200),
        first_day=first_day,
        last_day=last_day,
    )


def _instant_text(value: date) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(ZONE).replace(tzinfo=None).isoformat()
    return value.isoformat()


def _local_day(value: date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(ZONE).date() if value.tzinfo else value.date()
    return value


def _days(start: date, end: date) -> tuple[date, date]:
    """Inclusive local first and last day: an all-day DTEND is exclusive; a timed event covers
    the Amsterdam dates it touches."""
    first = _local_day(start)
    if isinstance(start, datetime):
        if isinstance(end, datetime) and end > start:
            last = _local_day(end - timedelta(microseconds=1))
        else:
            last = first
    else:
        last = _local_day(end) - timedelta(days=1)
    return first, max(first, last)


@dataclass(frozen=True)
class Reading:
    """How the rules read one entry: the rule that decided (None: the kind is guessed) and the
    busy period it becomes (None: a rule leaves it out)."""

    entry: FeedEntry
    rule: SyncRule | None
    wanted: Wanted | None


def words_of(text: str) -> str:
    """Lower-case words with punctuation as spaces ("SE-week 2" → "se week 2"), as the guess
    reads them, so a rule's text is found however a calendar writes it."""
    return " ".join(re.sub(r"[^0-9a-zà-ÿ]+", " ", text.lower()).split())


def _contains(rule: SyncRule, raw: str, words: str) -> bool:
    wanted = words_of(rule.contains)
    return rule.contains.lower() in raw or (bool(wanted) and wanted in words)


def read_entries(entries: Iterable[FeedEntry], rules: Sequence[SyncRule]) -> list[Reading]:
    """What each entry becomes: the first rule whose text it contains (summary or categories),
    else the kind guessed from its words, as the upload preview guesses it."""
    result = []
    for entry in entries:
        raw = f"{entry.summary} {entry.categories}".lower()
        words = words_of(raw)
        rule = next((r for r in rules if _contains(r, raw, words)), None)
        if rule is not None and rule.kind is None:
            result.append(Reading(entry, rule, None))
            continue
        kind = rule.kind if rule is not None and rule.kind else guess_kind(raw)
        wanted = Wanted(
            entry.key,
            kind,
            rule.severity if rule else None,
            entry.first_day,
            entry.last_day,
            entry.summary[:MAX_NOTE] or None,
        )
        result.append(Reading(entry, rule, wanted))
    return result


def wanted_periods(entries: Iterable[FeedEntry], rules: Sequence[SyncRule]) -> list[Wanted]:
    """The busy periods the entries become under the rules (those left out are not there)."""
    return [reading.wanted for reading in read_entries(entries, rules) if reading.wanted]


# --- Guessing the rules -------------------------------------------------------------------------

MIN_GUESSED_TEXT = 4  # shorter words ("ce", "pta") are found inside too many other titles


def guess_rules(
    entries: Iterable[FeedEntry], usual_severity: Callable[[BusyKind], Severity]
) -> list[SyncRule]:
    """Rules that say what the guess makes of this calendar, for the administrator to correct:
    per guessed kind the shortest words that made the guess ("Toetsweek 1" → "toets = toetsweek,
    hard"), only words that no title of another kind contains, with the kind's usual severity.
    Titles the guess does not recognise (kind "other") get no rule."""
    titles: dict[str, BusyKind] = {}
    for entry in entries:
        words = words_of(f"{entry.summary} {entry.categories}")
        if words:
            titles.setdefault(words, guess_kind(words))
    rules: list[SyncRule] = []
    for words, kind in titles.items():
        if kind is BusyKind.OTHER or any(words_of(rule.contains) in words for rule in rules):
            continue
        found = _deciding_words(words, kind, titles)
        if found is not None:
            rules.append(SyncRule(found, kind, usual_severity(kind)))
        if len(rules) >= MAX_RULES:
            break
    order = list(BusyKind)
    return sorted(rules, key=lambda rule: (order.index(rule.kind or BusyKind.OTHER), rule.contains))


def _deciding_words(words: str, kind: BusyKind, titles: Mapping[str, BusyKind]) -> str | None:
    """The words of a title that made the guess: of a word the guess reads as `kind`, its
    shortest start or end that it still reads so ("toets" of "toetsweek", "vakantie" of
    "kerstvakantie"), else the whole word; else two words ("pta week"). Only text that no title
    of another kind contains, so the rule changes no other guess; None if there is none (the
    title is then guessed, as without rules)."""
    tokens = words.split()
    candidates: list[str] = []
    for token in tokens:
        if guess_kind(token) is kind:
            parts = [token[:end] for end in range(1, len(token))]
            parts += [token[start:] for start in range(1, len(token))]
            shortest = sorted(
                (p for p in parts if len(p) >= MIN_GUESSED_TEXT and guess_kind(p) is kind),
                key=len,
            )
            candidates += [*shortest[:1], token]
    candidates += [
        " ".join(pair) for pair in pairwise(tokens) if not any(t.isdigit() for t in pair)
    ]
    for candidate in candidates:
        if (
            MIN_GUESSED_TEXT <= len(candidate) <= MAX_RULE_TEXT
            and guess_kind(candidate) is kind
            and all(other is kind for title, other in titles.items() if candidate in title)
        ):
            return candidate
    return None


def parse_rules(raw: Any) -> list[SyncRule]:
    """Rules as JSON ([{"contains", "kind", "severity"}]) or as text, one a line
    ("toets = toetsweek, hard"; "ouderavond = overslaan")."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, list):
        raise ValidationError(N_("rules must be a list of rules."))
    if len(raw) > MAX_RULES:
        raise ValidationError(N_("At most %(max)s rules."), max=MAX_RULES)
    return [_rule_of(item) for item in raw]


def _rule_of(item: Any) -> SyncRule:
    if isinstance(item, str):
        return parse_rule_line(item)
    if not isinstance(item, Mapping) or set(item) - {"contains", "kind", "severity"}:
        raise ValidationError(
            N_('A rule is {"contains": text, "kind": kind or null, "severity": "hard" or "soft"}.')
        )
    return _make_rule(item.get("contains"), item.get("kind"), item.get("severity"))


def parse_rule_line(line: str) -> SyncRule:
    """A rule written as text: "toets = toetsweek, hard" (also "→", "->" or ":")."""
    text = line.strip()
    for arrow in ("→", "=>", "->", "=", ":"):
        if arrow in text:
            contains, _, target = text.partition(arrow)
            break
    else:
        raise ValidationError(
            N_("The rule '%(rule)s' has no '='; write e.g. 'toets = toetsweek, hard'."),
            rule=clean(text, 60),
        )
    kind, _, severity = target.replace(";", ",").partition(",")
    return _make_rule(contains.strip().strip("'\""), kind.strip(), severity.strip() or None)


def _make_rule(contains: Any, kind: Any, severity: Any) -> SyncRule:
    if not isinstance(contains, str) or not contains.strip():
        raise ValidationError(N_("A rule needs the text the event's title contains."))
    if len(contains) > MAX_RULE_TEXT:
        raise ValidationError(
            N_("The text of a rule is at most %(max)s characters."), max=MAX_RULE_TEXT
        )
    if kind is None or (isinstance(kind, str) and kind.strip().lower() in SKIP_WORDS):
        if severity not in (None, ""):
            raise ValidationError(N_("A rule that leaves events out has no severity."))
        return SyncRule(contains.strip(), None)
    if not isinstance(kind, str):
        raise ValidationError(N_("The kind of a rule is a word such as toetsweek."))
    found = parse_choice(kind.strip().lower().replace(" ", "-"), BusyKind, "kind", BUSY_KIND_WORDS)
    level = (
        None
        if severity in (None, "")
        else parse_choice(severity, Severity, "severity", {**SEVERITY_WORDS, "soft": Severity.SOFT})
    )
    return SyncRule(contains.strip(), found, level)
