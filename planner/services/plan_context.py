"""What the planner knows about a collaboration over a range of days: member calendars, its
own meetings, the participants' other meetings, and which days a new meeting may take."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.availability import (
    BlockedDay,
    OrgCalendar,
    Reason,
    blocked_days,
    days_between,
    shared_holiday_days,
    withhold_notes,
)
from planner.domain.explain import (
    Obstacle,
)
from planner.domain.gaps import ONE_DAY, GapCounter, Rhythm
from planner.domain.kinds import MeetingStatus, PollChoice, Severity
from planner.domain.notice import LONGEST_COUNT, earliest_day, is_day_off, school_days_before
from planner.domain.people_costs import DayChoice, choose_start, local_day
from planner.domain.slots import day_window, free_starts
from planner.errors import N_, ConflictError, ValidationError
from planner.models import (
    Collaboration,
    CollaborationPerson,
    Meeting,
    Organisation,
    Person,
)
from planner.services.availability import organisation_calendars
from planner.services.memberships import withheld_organisations
from planner.services.people_availability import DayBusy, PeopleContext, people_context
from planner.text.formatting import format_day
from planner.text.labels import label

ACTIVE = (MeetingStatus.CONFIRMED, MeetingStatus.HELD)

# The kinds of obstacle that are about people rather than calendars: busy in her own calendar,
# a poll's answer, a school nobody of which can come.
PERSON_BUSY = "person_busy"
POLL = "poll"
REPRESENTATION = "representation"
PEOPLE_KINDS = frozenset({PERSON_BUSY, POLL, REPRESENTATION})


def rhythm_of(collab: Collaboration) -> Rhythm:
    """Return the collaboration's rhythm in days."""
    return Rhythm(collab.target_weeks * 7, collab.max_gap_weeks * 7)


def zone_of(collab: Collaboration) -> ZoneInfo:
    """Return the collaboration's time zone."""
    return ZoneInfo(collab.timezone)


def allowed_weekdays(collab: Collaboration) -> frozenset[int]:
    """Return the allowed weekdays, Monday 0 (as `date.weekday()` counts)."""
    return frozenset(int(day) - 1 for day in collab.weekdays)


@dataclass
class CalendarCache:
    """Organisation calendars over one range, shared by many collaborations (re-planning)."""

    first: date
    last: date
    calendars: dict[int, OrgCalendar] = field(default_factory=dict)
    _hard: dict[int, frozenset[date]] = field(default_factory=dict)

    def covers(self, first: date, last: date) -> bool:
        """Return whether the cache holds the range."""
        return self.first <= first and last <= self.last

    def fill(self, session: Session, organisations: Iterable[Organisation], locale: str) -> None:
        """Load the calendars of the organisations not cached yet, in one go."""
        missing = {org.id: org for org in organisations if org.id not in self.calendars}
        found = organisation_calendars(
            session, list(missing.values()), self.first, self.last, locale
        )
        for calendar in found:
            self.calendars[calendar.organisation_id] = calendar

    def hard_days(self, organisation_id: int) -> frozenset[date]:
        """Return the days on which the organisation can never meet."""
        if organisation_id not in self._hard:
            days: set[date] = set()
            for period in self.calendars[organisation_id].periods:
                if period.severity is Severity.HARD:
                    days.update(days_between(period.first_day, period.last_day))
            self._hard[organisation_id] = frozenset(days)
        return self._hard[organisation_id]


@dataclass
class PlanContext:
    """What the planner knows about one collaboration over a range of days."""

    collab: Collaboration
    first: date
    last: date
    locale: str
    members: list[Organisation]
    calendars: list[OrgCalendar]
    blocked: dict[date, BlockedDay]
    uncounted: frozenset[date]
    meetings: list[Meeting]  # this collaboration's confirmed and held meetings, by start
    busy: dict[date, list[tuple[datetime, datetime, Obstacle]]]
    # The members' blocked days from today on, to count the minimum notice on, when the
    # context's own range does not cover them (a horizon that starts later than today).
    notice_blocked: Mapping[date, BlockedDay] | None = None
    # The people's own busy time and a poll's answers (planner.services.people_availability).
    people: PeopleContext | None = None

    @property
    def rhythm(self) -> Rhythm:
        """Return the collaboration's rhythm."""
        return rhythm_of(self.collab)

    def counter(self) -> GapCounter:
        """Return a gap counter over the context's range."""
        return GapCounter(self.uncounted, self.first, self.last + ONE_DAY)

    def hard_obstacles(self, day: date) -> tuple[Obstacle, ...]:
        """Return the hard calendar obstacles on a day."""
        item = self.blocked.get(day)
        if item is None:
            return ()
        return tuple(obstacle_of(reason) for reason in item.reasons if reason.hard)


def obstacle_of(reason: Reason) -> Obstacle:
    """A calendar reason as an obstacle for explanations."""
    return Obstacle(
        reason.period.label,
        reason.organisation_name,
        reason.hard,
        reason.period.first_day,
        reason.period.last_day,
        reason.period.kind,
        reason.period.withheld_label,
    )


def load_context(
    session: Session,
    collab: Collaboration,
    first: date,
    last: date,
    locale: str = "nl",
    *,
    cache: CalendarCache | None = None,
    now: datetime | None = None,
    answers: Mapping[date, Mapping[int, PollChoice]] | None = None,
) -> PlanContext:
    """Gather member calendars, meetings and participants' other meetings over [first, last],
    and what the people can do (their free/busy, a poll's `answers`: day -> person -> choice).

    With `now`, the minimum notice is counted on the members' calendars from today on, however
    far the range starts from today (a holiday before the range still stretches the notice)."""
    members = [member.organisation for member in collab.members]
    withheld = withheld_organisations(collab)
    if cache is not None and cache.covers(first, last):
        cache.fill(session, members, locale)
        calendars = [
            withhold_notes(cache.calendars[org.id])
            if org.id in withheld
            else cache.calendars[org.id]
            for org in members
        ]
    else:
        calendars = organisation_calendars(session, members, first, last, locale, withheld=withheld)
    blocked = {item.day: item for item in blocked_days(calendars, first, last)}
    schools = [cal for org, cal in zip(members, calendars, strict=True) if org.region]
    uncounted = frozenset() if collab.count_holidays else shared_holiday_days(schools, first, last)
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.collaboration_id == collab.id,
                Meeting.status.in_(ACTIVE),
                Meeting.day >= first,
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    return PlanContext(
        collab=collab,
        first=first,
        last=last,
        locale=locale,
        members=members,
        calendars=calendars,
        blocked=blocked,
        uncounted=uncounted,
        meetings=meetings,
        busy=_participant_meetings(session, collab, first, last, locale),
        notice_blocked=_notice_calendar(session, collab, members, first, last, blocked, now),
        people=people_context(session, collab, answers),
    )


def _notice_calendar(
    session: Session,
    collab: Collaboration,
    members: list[Organisation],
    first: date,
    last: date,
    blocked: dict[date, BlockedDay],
    now: datetime | None,
) -> Mapping[date, BlockedDay] | None:
    """The blocked days the notice is counted on, loaded apart only when the range misses
    some of the days from today to as far as the notice can reach."""
    if now is None or not collab.notice_days:
        return None
    today = now.astimezone(zone_of(collab)).date()
    until = today + notice_reach(collab.notice_days)
    if first <= today and until <= last:
        return None  # the context's own calendar covers the notice
    calendars = organisation_calendars(
        session, members, today, until, "nl", withheld=withheld_organisations(collab)
    )
    return {item.day: item for item in blocked_days(calendars, today, until)}


def notice_reach(notice_days: int) -> timedelta:
    """How far from today a notice of this many school days can reach: its weeks, and room for
    the longest run of days off (a summer holiday staggered over three regions, Christmas)."""
    return timedelta(days=min(LONGEST_COUNT, notice_days * 7 // 5 + 7 + 70))


def _participant_meetings(
    session: Session, collab: Collaboration, first: date, last: date, locale: str
) -> dict[date, list[tuple[datetime, datetime, Obstacle]]]:
    person_ids = [link.person_id for link in collab.people]
    if not person_ids:
        return {}
    rows = session.execute(
        select(Meeting, Collaboration.name, Person.name)
        .join(CollaborationPerson, CollaborationPerson.collaboration_id == Meeting.collaboration_id)
        .join(Person, Person.id == CollaborationPerson.person_id)
        .join(Collaboration, Collaboration.id == Meeting.collaboration_id)
        .where(
            CollaborationPerson.person_id.in_(person_ids),
            Meeting.collaboration_id != collab.id,
            Meeting.status.in_(ACTIVE),
            Meeting.day >= first,
            Meeting.day <= last,
        )
        .order_by(Meeting.starts_at, Meeting.id, Person.name)
    )
    grouped: dict[int, tuple[Meeting, str, list[str]]] = {}
    for meeting, collab_name, person_name in rows:
        grouped.setdefault(meeting.id, (meeting, collab_name, []))[2].append(person_name)
    busy: dict[date, list[tuple[datetime, datetime, Obstacle]]] = {}
    zone = zone_of(collab)
    for meeting, collab_name, names in grouped.values():
        start = meeting.starts_at.astimezone(zone).strftime("%H:%M")
        end = meeting.ends_at.astimezone(zone).strftime("%H:%M")
        text = f"{label('meeting', locale)} {collab_name} {start}–{end}"
        obstacle = Obstacle(text, ", ".join(names), True, kind="meeting")
        busy.setdefault(meeting.day, []).append((meeting.starts_at, meeting.ends_at, obstacle))
    return busy


class ObstacleMap(Mapping[date, tuple[Obstacle, ...]]):
    """Obstacles per day, turned from calendar reasons into obstacles only when asked for.

    A year of twenty schools has tens of thousands of reasons; an explanation reads a few.
    """

    def __init__(self) -> None:
        self._reasons: dict[date, tuple[Reason, ...]] = {}
        self._ready: dict[date, tuple[Obstacle, ...]] = {}
        self._converted: dict[int, Obstacle] = {}

    def add_reasons(self, day: date, reasons: tuple[Reason, ...]) -> None:
        """Record calendar reasons for a day."""
        self._reasons[day] = reasons

    def add(self, day: date, obstacles: tuple[Obstacle, ...]) -> None:
        """Add obstacles to a day's (the people's, after its calendar reasons)."""
        if obstacles:
            self[day] = self[day] + obstacles if day in self else obstacles

    def __setitem__(self, day: date, obstacles: tuple[Obstacle, ...]) -> None:
        self._ready[day] = obstacles

    def __getitem__(self, day: date) -> tuple[Obstacle, ...]:
        if day not in self._ready:
            # One Reason object stands for a whole period on every day of it: convert it once.
            converted = self._converted
            self._ready[day] = tuple(
                converted.get(id(reason)) or converted.setdefault(id(reason), obstacle_of(reason))
                for reason in self._reasons.get(day, ())
            )
        return self._ready[day]

    def __contains__(self, day: object) -> bool:
        return day in self._ready or day in self._reasons

    def __iter__(self) -> Iterator[date]:
        return iter(set(self._ready) | set(self._reasons))

    def __len__(self) -> int:
        return len(set(self._ready) | set(self._reasons))


@dataclass
class Candidates:
    """The days a new meeting may fall on, with start times, soft costs and obstacles."""

    soft: dict[date, int]
    starts: dict[date, datetime]
    obstacles: ObstacleMap


def school_day_of(ctx: PlanContext) -> Callable[[date], bool]:
    """Whether a day counts towards the minimum notice: a weekday that is no day off (holiday,
    public holiday, closure day) for any member. Days outside the context's range count by
    their weekday alone."""

    blocked = ctx.notice_blocked if ctx.notice_blocked is not None else ctx.blocked

    def school_day(day: date) -> bool:
        if day.weekday() >= 5:
            return False
        item = blocked.get(day)
        if item is None:
            return True
        return not is_day_off(reason.period.kind for reason in item.reasons if reason.hard)

    return school_day


def notice_start(ctx: PlanContext, now: datetime) -> date:
    """The first day a meeting may take with the collaboration's minimum notice."""
    today = now.astimezone(zone_of(ctx.collab)).date()
    return earliest_day(today, ctx.collab.notice_days, school_day_of(ctx))


def notice_obstacle(ctx: PlanContext, today: date, earliest: date) -> Obstacle:
    """What a day inside the minimum notice is refused for, in explanations."""
    return Obstacle(
        label("notice", ctx.locale),
        label("school_days", ctx.locale) % {"num": ctx.collab.notice_days},
        True,
        today,
        earliest - ONE_DAY,
        "notice",
    )


class ShortNotice(ConflictError):
    """A day inside the minimum notice, asked for without saying it is meant."""


def check_notice(
    ctx: PlanContext, days: Iterable[date], now: datetime, *, short_notice: bool
) -> bool:
    """Whether any of the days lies inside the minimum notice; refused unless `short_notice`
    says the coordinator means it (partners' calendars may already be full)."""
    today = now.astimezone(zone_of(ctx.collab)).date()
    earliest = notice_start(ctx, now)
    short = sorted(day for day in days if day < earliest)
    if short and not short_notice:
        day = short[0]
        raise ShortNotice(
            N_(
                "%(day)s is only %(given)s school day(s) away, less than the minimum notice of"
                " %(notice)s school days: partners' calendars may already be full. Confirm that"
                " you want to plan at short notice."
            ),
            day=format_day(day, ctx.locale),
            given=school_days_before(today, day, school_day_of(ctx)),
            notice=ctx.collab.notice_days,
        )
    return bool(short)


def find_candidates(
    ctx: PlanContext,
    first: date,
    last: date,
    now: datetime,
    *,
    taken: Iterable[date] = (),
    notice: bool = True,
) -> Candidates:
    """Return the possible meeting days in [first, last] (no day in `taken`), and why not.

    With `notice` (every proposal) no day inside the minimum notice is a candidate; a day the
    coordinator picks on purpose is checked with `check_notice` instead.
    """
    collab = ctx.collab
    zone = zone_of(collab)
    weekdays = allowed_weekdays(collab)
    duration = timedelta(minutes=collab.duration_minutes)
    skip = set(taken)
    result = Candidates({}, {}, ObstacleMap())
    earliest = notice_start(ctx, now) if notice else first
    people = ctx.people
    weigh_people = people is not None and people.active
    open_starts: dict[date, list[datetime]] = {}
    too_soon: tuple[Obstacle, ...] = ()
    if earliest > first:
        too_soon = (notice_obstacle(ctx, now.astimezone(zone).date(), earliest),)
    for day in days_between(first, last):
        if day.weekday() not in weekdays:
            continue
        if day < earliest:
            result.obstacles[day] = too_soon
            continue
        item = ctx.blocked.get(day)
        reasons = item.reasons if item else ()
        if item is not None and item.hard:
            result.obstacles.add_reasons(day, reasons)
            continue
        if day in skip:
            continue
        slots = [(start, end) for start, end, _ in ctx.busy.get(day, [])]
        found = free_starts(
            day,
            collab.earliest_start,
            collab.latest_start,
            duration,
            zone,
            slots,
            not_before=now,
        )
        # Weighing the people needs every free start; otherwise the first is the one.
        starts = list(found) if weigh_people else []
        start = starts[0] if starts else (None if weigh_people else next(found, None))
        if start is None:
            if slots:
                result.obstacles[day] = tuple(obstacle for _, _, obstacle in ctx.busy[day])
            continue
        result.soft[day] = len(reasons)
        result.starts[day] = start
        if reasons:
            result.obstacles.add_reasons(day, reasons)
        if weigh_people:
            open_starts[day] = starts
    if open_starts:
        _weigh_people(ctx, result, open_starts, duration)
    return result


def _weigh_people(
    ctx: PlanContext,
    result: Candidates,
    open_starts: dict[date, list[datetime]],
    duration: timedelta,
) -> None:
    """Second pass over the possible days: the people's busy time and a poll's answers choose
    the start and add to the day's cost; an essential person who cannot takes the day out."""
    people = ctx.people
    assert people is not None
    collab = ctx.collab
    zone = zone_of(collab)
    windows = {
        day: day_window(day, collab.earliest_start, collab.latest_start, duration, zone)
        for day in open_starts
    }
    busy = people.load_busy(list(windows.values())) if people.load_busy else {}
    for day, starts in open_starts.items():
        choice = choose_start(starts, duration, people.day(day, _busy_on(busy, day, windows[day])))
        if choice.start is None:
            del result.soft[day], result.starts[day]
            result.obstacles.add(day, _people_obstacles(ctx, choice, day, hard=True))
            continue
        result.soft[day] += choice.cost
        result.starts[day] = choice.start
        result.obstacles.add(day, _people_obstacles(ctx, choice, day, hard=False))


def _busy_on(
    busy: DayBusy, day: date, window: tuple[datetime, datetime]
) -> Mapping[int, Sequence[tuple[int, int]]]:
    """The people's busy minutes a meeting on `day` can meet: the day's, and when its window
    runs past midnight the next day's too, as minutes after 1440."""
    today = busy.get(day, {})
    if local_day(window[1]) <= day:
        return today
    joined = {person: list(spans) for person, spans in today.items()}
    for person, spans in busy.get(day + ONE_DAY, {}).items():
        joined.setdefault(person, []).extend((first + 1440, last + 1440) for first, last in spans)
    return joined


def _people_obstacles(
    ctx: PlanContext, choice: DayChoice, day: date, *, hard: bool
) -> tuple[Obstacle, ...]:
    """The people's reasons against a day, for explanations (names, never what they do)."""
    people = ctx.people
    assert people is not None
    answers = people.answers.get(day, {}) if people.answers is not None else {}
    locale = ctx.locale

    found: list[Obstacle] = []
    for person in choice.blocking if hard else choice.absent:
        said_no = answers.get(person.person_id) is PollChoice.NO
        key, kind = ("poll_no", POLL) if said_no else ("person_busy", PERSON_BUSY)
        found.append(Obstacle(label(key, locale), person.name, hard, day, day, kind))
    if not hard:
        found.extend(
            Obstacle(label("poll_maybe", locale), person.name, False, day, day, POLL)
            for person in choice.maybe
        )
        found.extend(
            Obstacle(label("unrepresented", locale), school, False, day, day, REPRESENTATION)
            for school in choice.unrepresented
        )
        if choice.unasked:
            found.append(Obstacle(label("poll_unasked", locale), "", False, day, day, POLL))
    return tuple(found)


def day_refused(day: date, obstacles: Iterable[Obstacle], locale: str) -> ValidationError:
    """Return the error for a day a meeting cannot take, naming its hard obstacles."""
    text = format_day(day, locale)
    hard = [o for o in obstacles if o.hard]
    if hard:
        return ValidationError(
            N_("%(day)s is not possible: %(reasons)s."),
            day=text,
            reasons="; ".join(f"{o.label} — {o.who}" for o in hard),
        )
    return ValidationError(
        N_("%(day)s is not possible: not an allowed weekday or no free start time."), day=text
    )
