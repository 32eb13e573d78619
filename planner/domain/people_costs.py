"""What the people of a collaboration can do on a day: their own busy time (free/busy) and
their answers to a series poll, as a cost on the day and a choice of start time.

A day's cost counts in soft reasons (planner.domain.planning.SOFT_COST each), next to the
schools' soft busy periods. In order of weight:

- a member school none of whose people can come (UNREPRESENTED_COST): every school should be
  at the table;
- a participant who cannot come, because her own calendar is busy at the start or she answered
  "kan niet" (ABSENT_COST);
- a participant who answered "liever niet" (MAYBE_COST).

When a poll re-plans, the people's word counts finer: the weights above double (POLL_SCALE) and
a person without an answer for the day costs UNANSWERED_COST, on an asked day she skipped as on
a day the poll did not ask about (for which nobody has an answer). So "kan" beats no answer,
no answer beats "liever niet", and the re-plan keeps to the dates the poll asked about unless
the rhythm needs another.

A person the coordinator marks as essential makes it hard: a start at which she is busy is no
start, and a day she answered "kan niet" is no meeting day. An answer about a day speaks for
that day instead of her calendar (she knows best). Nothing here knows a title, a description or
who else is in a busy interval: only when.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from planner.domain.kinds import PollChoice

ABSENT_COST = 2
MAYBE_COST = 1
UNREPRESENTED_COST = 3
POLL_SCALE = 2
UNANSWERED_COST = 1

Interval = tuple[datetime, datetime]

ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class Participant:
    """A person of the collaboration, as the planner weighs her."""

    person_id: int
    name: str
    organisation_id: int | None = None
    essential: bool = False


@dataclass(frozen=True, slots=True)
class DayPeople:
    """What is known about the people on one day."""

    participants: Sequence[Participant]
    # Busy time per person on the day, as Europe/Amsterdam wall-clock minutes after the day's
    # midnight: (first, last), last 1440 for the next midnight (as stored, see local_span).
    busy: Mapping[int, Sequence[tuple[int, int]]] = field(default_factory=dict)
    # The poll's answers for the day per person ({} for a day it did not ask about); None when
    # no poll is weighed.
    answers: Mapping[int, PollChoice] | None = None
    # A poll is weighed and did not ask about this day (for explanations).
    unasked: bool = False
    # The member schools whose people should be at the table: their names with the ids of
    # their people (school_groups).
    schools: Sequence[tuple[str, frozenset[int]]] = ()


@dataclass(frozen=True, slots=True)
class DayChoice:
    """The best start on a day for the people, and what it costs them."""

    start: datetime | None  # None: no start suits the essential people
    cost: int = 0
    absent: tuple[Participant, ...] = ()  # busy at the start, or answered "kan niet"
    maybe: tuple[Participant, ...] = ()  # answered "liever niet"
    unrepresented: tuple[str, ...] = ()  # schools none of whose people can come
    unasked: bool = False
    # Essential people who cannot come on this day at any start.
    blocking: tuple[Participant, ...] = ()


def choose_start(
    starts: Sequence[datetime], duration: timedelta, people: DayPeople, zone: ZoneInfo = ZONE
) -> DayChoice:
    """Choose among the free starts of a day the one the people suit best (earliest on a tie).

    `starts` are the starts no hard obstacle rules out (quarter hours in the collaboration's
    window, clear of the participants' other meetings), in time order. They are compared with
    the busy time in wall-clock minutes (the night of a DST change aside, the same thing).
    """
    answers = people.answers or {}
    said_no = [p for p in people.participants if answers.get(p.person_id) is PollChoice.NO]
    blocking = tuple(p for p in said_no if p.essential)
    candidates = list(starts)
    minutes = [_minute_of(start, zone) for start in candidates]
    length = int(duration.total_seconds() // 60)
    if blocking or not candidates:
        return DayChoice(None, blocking=blocking)
    maybe = tuple(p for p in people.participants if answers.get(p.person_id) is PollChoice.MAYBE)
    poll = people.answers is not None
    scale = POLL_SCALE if poll else 1
    unanswered = sum(1 for p in people.participants if p.person_id not in answers) if poll else 0
    fixed_cost = scale * MAYBE_COST * len(maybe) + UNANSWERED_COST * unanswered
    # Who is busy at which start: people with busy time that day and no answer for it (an
    # answer speaks for the day). A start t meets an interval (a, b) when a - duration < t < b.
    busy_at: list[list[Participant]] = [[] for _ in candidates]
    for person in people.participants:
        intervals = people.busy.get(person.person_id)
        if not intervals or person.person_id in answers:
            continue
        hit: set[int] = set()
        for first, last in intervals:
            hit.update(range(bisect_right(minutes, first - length), bisect_left(minutes, last)))
        for index in hit:
            busy_at[index].append(person)
    best: DayChoice | None = None
    essential_busy: dict[int, Participant] = {}
    for start, busy in zip(candidates, busy_at, strict=True):
        if any(p.essential for p in busy):
            essential_busy.update((p.person_id, p) for p in busy if p.essential)
            continue
        absent = [*said_no, *busy]
        unrepresented = _unrepresented(people, {p.person_id for p in absent})
        cost = fixed_cost + scale * (
            ABSENT_COST * len(absent) + UNREPRESENTED_COST * len(unrepresented)
        )
        if best is None or cost < best.cost:
            ordered = tuple(sorted(absent, key=lambda p: (p.name.lower(), p.person_id)))
            best = DayChoice(start, cost, ordered, maybe, unrepresented, people.unasked)
            if not absent:
                break  # nobody misses it: nothing later can be better
    if best is None:
        return DayChoice(None, blocking=tuple(essential_busy.values()))
    return best


def _minute_of(instant: datetime, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    return local.hour * 60 + local.minute


def _unrepresented(people: DayPeople, absent: set[int]) -> tuple[str, ...]:
    if not absent:
        return ()
    return tuple(name for name, members in people.schools if members <= absent)


def school_groups(
    participants: Iterable[Participant], schools: Mapping[int, str]
) -> tuple[tuple[str, frozenset[int]], ...]:
    """Per member school (id -> name) with people of its own: its name and their ids, by name."""
    members: dict[int, set[int]] = {}
    for person in participants:
        org = person.organisation_id
        if org is not None and org in schools:
            members.setdefault(org, set()).add(person.person_id)
    return tuple(sorted((schools[org], frozenset(ids)) for org, ids in members.items()))


def local_day(instant: datetime, zone: ZoneInfo = ZONE) -> date:
    """The local date of an instant (a stored busy interval's day)."""
    return instant.astimezone(zone).date()


def local_span(start: datetime, end: datetime, zone: ZoneInfo = ZONE) -> tuple[date, int, int]:
    """An interval within one local day as (day, first minute, last minute) after its local
    midnight; an end on the next midnight (or later) is minute 1440."""
    local_start = start.astimezone(zone)
    local_end = end.astimezone(zone)
    day = local_start.date()
    first = local_start.hour * 60 + local_start.minute
    last = 1440 if local_end.date() > day else local_end.hour * 60 + local_end.minute
    return day, first, last


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The intervals sorted, with overlapping and touching ones joined."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def split_at_midnights(intervals: Iterable[Interval], zone: ZoneInfo = ZONE) -> list[Interval]:
    """Merged intervals (aware UTC), cut at every local midnight: each piece lies on one local
    day, so the planner finds a day's busy time by its day (local_span)."""
    pieces: list[Interval] = []
    for start, end in merged(intervals):
        cursor = start
        while cursor < end:
            local_day = cursor.astimezone(zone).date()
            midnight = datetime.combine(local_day + timedelta(days=1), time(), tzinfo=zone)
            cut = min(end, midnight.astimezone(UTC))
            pieces.append((cursor, cut))
            cursor = cut
    return pieces
