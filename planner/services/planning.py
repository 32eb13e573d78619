"""Series planning for a collaboration: stored data in, a preview with explanations out.

The pure planner (`planner.domain.planning`) chooses the days; this module gathers what it needs
(member calendars, the collaboration's own meetings, the participants' other meetings), picks a
start time per day, assigns locations, and stores a confirmed plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.calendar_nl import parse_school_year, school_year_bounds, school_year_of
from planner.domain.availability import (
    BlockedDay,
    OrgCalendar,
    Reason,
    blocked_days,
    days_between,
    shared_holiday_days,
)
from planner.domain.explain import (
    Explanation,
    Obstacle,
    RejectedDay,
    explain_day,
    gap_obstacles,
)
from planner.domain.kinds import LocationMode, MeetingStatus, OrganisationKind, Severity
from planner.domain.planning import (
    ONE_DAY,
    Gap,
    GapCounter,
    NotEnoughDays,
    PlanProblem,
    Rhythm,
    SeriesPlan,
    plan_from_days,
    plan_series,
)
from planner.domain.slots import free_start
from planner.errors import N_, ConflictError, ValidationError
from planner.events import (
    EventKind,
    MeetingsPlanned,
    append_event,
)
from planner.inputs import parse_date, parse_id
from planner.models import (
    Collaboration,
    CollaborationPerson,
    Meeting,
    Organisation,
    Person,
)
from planner.services.availability import organisation_calendars
from planner.text.formatting import format_day
from planner.text.labels import label

ACTIVE = (MeetingStatus.CONFIRMED, MeetingStatus.HELD)
MAX_COUNT = 60
# How far back the last meeting before a horizon is looked for.
ANCHOR_LOOKBACK = timedelta(days=400)


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
        return tuple(_obstacle(reason) for reason in item.reasons if reason.hard)


def _obstacle(reason: Reason) -> Obstacle:
    return Obstacle(
        reason.period.label,
        reason.organisation_name,
        reason.hard,
        reason.period.first_day,
        reason.period.last_day,
    )


def load_context(
    session: Session,
    collab: Collaboration,
    first: date,
    last: date,
    locale: str = "nl",
    *,
    cache: CalendarCache | None = None,
) -> PlanContext:
    """Gather member calendars, meetings and participants' other meetings over [first, last]."""
    members = [member.organisation for member in collab.members]
    if cache is not None and cache.covers(first, last):
        cache.fill(session, members, locale)
        calendars = [cache.calendars[org.id] for org in members]
    else:
        calendars = organisation_calendars(session, members, first, last, locale)
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
    )


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
        obstacle = Obstacle(text, ", ".join(names), True)
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

    def __setitem__(self, day: date, obstacles: tuple[Obstacle, ...]) -> None:
        self._ready[day] = obstacles

    def __getitem__(self, day: date) -> tuple[Obstacle, ...]:
        if day not in self._ready:
            # One Reason object stands for a whole period on every day of it: convert it once.
            converted = self._converted
            self._ready[day] = tuple(
                converted.get(id(reason)) or converted.setdefault(id(reason), _obstacle(reason))
                for reason in self._reasons[day]
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


def find_candidates(
    ctx: PlanContext,
    first: date,
    last: date,
    now: datetime,
    *,
    taken: Iterable[date] = (),
) -> Candidates:
    """Return the possible meeting days in [first, last] (no day in `taken`), and why not."""
    collab = ctx.collab
    zone = zone_of(collab)
    weekdays = allowed_weekdays(collab)
    duration = timedelta(minutes=collab.duration_minutes)
    skip = set(taken)
    result = Candidates({}, {}, ObstacleMap())
    for day in days_between(first, last):
        if day.weekday() not in weekdays:
            continue
        item = ctx.blocked.get(day)
        reasons = item.reasons if item else ()
        if item is not None and item.hard:
            result.obstacles.add_reasons(day, reasons)
            continue
        if day in skip:
            continue
        slots = ctx.busy.get(day, [])
        start = free_start(
            day,
            collab.earliest_start,
            collab.latest_start,
            duration,
            zone,
            [(start, end) for start, end, _ in slots],
            not_before=now,
        )
        if start is None:
            if slots:
                result.obstacles[day] = tuple(obstacle for _, _, obstacle in slots)
            continue
        result.soft[day] = len(reasons)
        result.starts[day] = start
        if reasons:
            result.obstacles.add_reasons(day, reasons)
    return result


@dataclass
class ProposedMeeting:
    """One day of a plan: a new meeting with its start and location, or a fixed one."""

    day: date
    starts_at: datetime
    ends_at: datetime
    location: str | None
    location_organisation: Organisation | None
    explanation: Explanation
    meeting: Meeting | None = None  # the stored meeting when this day is fixed

    @property
    def fixed(self) -> bool:
        """Return whether this meeting was already confirmed."""
        return self.meeting is not None


@dataclass
class PlanPreview:
    """A proposed series: what would be stored on confirmation, and why."""

    collab: Collaboration
    school_year: str | None
    first_day: date
    last_day: date
    count: int | None
    anchor: Meeting | None
    problem: PlanProblem
    plan: SeriesPlan
    meetings: list[ProposedMeeting]
    trailing_forced_by: tuple[Obstacle, ...]
    zone: ZoneInfo

    @property
    def new_meetings(self) -> list[ProposedMeeting]:
        """Return the meetings the plan adds."""
        return [item for item in self.meetings if not item.fixed]


def resolve_horizon(
    school_year: str | None, first: date | None, last: date | None, today: date
) -> tuple[str, date, date]:
    """Return (school year, first day, last day) of a planning horizon, never before today."""
    year = parse_school_year(school_year) if school_year else school_year_of(first or today)
    start, end = school_year_bounds(year)
    horizon_first = max(start, today, first or start)
    horizon_last = min(end, last or end)
    if horizon_first > horizon_last:
        raise ValidationError(
            N_(
                "Nothing to plan: the horizon from %(first)s to %(last)s is empty "
                "(school year %(year)s, never before today)."
            ),
            first=horizon_first.isoformat(),
            last=horizon_last.isoformat(),
            year=year,
        )
    return year, horizon_first, horizon_last


def preview_plan(
    session: Session,
    collab: Collaboration,
    now: datetime,
    *,
    school_year: str | None = None,
    first: date | None = None,
    last: date | None = None,
    count: int | None = None,
    days: Sequence[date] | None = None,
    locale: str = "nl",
    cache: CalendarCache | None = None,
) -> PlanPreview:
    """Plan the collaboration's meetings over a horizon; `days` replaces the search."""
    zone = zone_of(collab)
    today = now.astimezone(zone).date()
    year, horizon_first, horizon_last = resolve_horizon(school_year, first, last, today)
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise ValidationError(N_("count: give a number from 1 to %(max)s."), max=MAX_COUNT)
    anchor_day = session.scalar(
        select(func.max(Meeting.day)).where(
            Meeting.collaboration_id == collab.id,
            Meeting.status.in_(ACTIVE),
            Meeting.day < horizon_first,
            Meeting.day >= horizon_first - ANCHOR_LOOKBACK,
        )
    )
    calendar_first = min(anchor_day, horizon_first) if anchor_day else horizon_first
    ctx = load_context(session, collab, calendar_first, horizon_last + ONE_DAY, locale, cache=cache)
    return _preview(ctx, year, horizon_first, horizon_last, now, count, days)


def _preview(
    ctx: PlanContext,
    year: str | None,
    horizon_first: date,
    horizon_last: date,
    now: datetime,
    count: int | None,
    days: Sequence[date] | None,
) -> PlanPreview:
    collab = ctx.collab
    zone = zone_of(collab)
    before = [m for m in ctx.meetings if m.day < horizon_first]
    anchor = before[-1] if before else None
    fixed = {m.day: m for m in ctx.meetings if horizon_first <= m.day <= horizon_last}
    candidates = find_candidates(ctx, horizon_first, horizon_last, now, taken=fixed)
    problem = PlanProblem(
        first_day=horizon_first,
        last_day=horizon_last,
        rhythm=ctx.rhythm,
        candidates=candidates.soft,
        fixed=frozenset(fixed),
        anchor=anchor.day if anchor else None,
        uncounted=ctx.uncounted,
        count=count,
    )
    if days is not None:
        _check_days(ctx, days, candidates, horizon_first, horizon_last, set(fixed))
        plan = plan_from_days(problem, days)
    else:
        if not candidates.soft and not fixed:
            raise ValidationError(
                N_(
                    "No day from %(first)s to %(last)s is possible: every allowed weekday is "
                    "blocked for a member or taken by a participant's other meeting."
                ),
                first=format_day(horizon_first, ctx.locale),
                last=format_day(horizon_last, ctx.locale),
            )
        try:
            plan = plan_series(problem)
        except NotEnoughDays as error:
            raise ValidationError(
                N_("Only %(available)s meeting days are possible in this horizon, not %(count)s."),
                available=error.available,
                count=count,
            ) from None
    counter = problem.counter()
    weekdays = allowed_weekdays(collab)
    proposals: list[ProposedMeeting] = []
    location_cursor = anchor.location_organisation_id if anchor else None
    duration = timedelta(minutes=collab.duration_minutes)
    used = {planned.day for planned in plan.days}
    for planned in plan.days:
        explanation = explain_day(
            planned.day,
            planned.gap_before,
            problem,
            counter,
            candidates.obstacles,
            weekdays,
            fixed=planned.fixed,
            used=used,
        )
        stored = fixed.get(planned.day)
        if stored is not None:
            location_cursor = stored.location_organisation_id or location_cursor
            proposals.append(
                ProposedMeeting(
                    planned.day,
                    stored.starts_at,
                    stored.ends_at,
                    stored.location,
                    None,
                    explanation,
                    stored,
                )
            )
            continue
        org = _next_location(ctx, location_cursor)
        location_cursor = org.id if org else location_cursor
        start = candidates.starts[planned.day]
        proposals.append(
            ProposedMeeting(
                planned.day,
                start,
                start + duration,
                _location_text(collab, org),
                org,
                explanation,
            )
        )
    trailing: tuple[Obstacle, ...] = ()
    if plan.trailing is not None and plan.trailing.excess_days:
        trailing = gap_obstacles(
            plan.trailing.first, plan.trailing.last, candidates.obstacles, weekdays
        )
    return PlanPreview(
        collab=collab,
        school_year=year,
        first_day=horizon_first,
        last_day=horizon_last,
        count=count,
        anchor=anchor,
        problem=problem,
        plan=plan,
        meetings=proposals,
        trailing_forced_by=trailing,
        zone=zone,
    )


def _check_days(
    ctx: PlanContext,
    days: Sequence[date],
    candidates: Candidates,
    first: date,
    last: date,
    fixed: set[date],
) -> None:
    if not days:
        raise ValidationError(N_("Choose at least one day."))
    for day in days:
        if day in candidates.soft:
            continue
        text = format_day(day, ctx.locale)
        if not first <= day <= last:
            raise ValidationError(
                N_("%(day)s lies outside the horizon %(first)s – %(last)s."),
                day=text,
                first=format_day(first, ctx.locale),
                last=format_day(last, ctx.locale),
            )
        if day in fixed:
            raise ValidationError(N_("%(day)s already has a meeting."), day=text)
        raise day_refused(day, candidates.obstacles.get(day, ()), ctx.locale)


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


def _rotation(ctx: PlanContext) -> list[Organisation]:
    schools = [org for org in ctx.members if org.kind is not OrganisationKind.PARTNER]
    return schools or list(ctx.members)


def _next_location(ctx: PlanContext, cursor: int | None) -> Organisation | None:
    if ctx.collab.location_mode is LocationMode.ONLINE:
        return None
    rotation = _rotation(ctx)
    if not rotation:
        return None
    ids = [org.id for org in rotation]
    if cursor in ids:
        return rotation[(ids.index(cursor) + 1) % len(rotation)]
    return rotation[0]


def _location_text(collab: Collaboration, org: Organisation | None) -> str | None:
    if collab.location_mode is LocationMode.ONLINE:
        return collab.location_note or "Online"
    if org is None:
        return collab.location_note
    return f"{org.name}, {org.city}" if org.city else org.name


def explanation_data(explanation: Explanation) -> dict[str, Any]:
    """Return an explanation as plain JSON data (stored with a confirmed meeting)."""
    gap = explanation.gap
    return {
        "gap": None
        if gap is None
        else {
            "from": gap.first.isoformat(),
            "calendar_days": gap.calendar_days,
            "counted_days": gap.counted_days,
            "excess_days": gap.excess_days,
        },
        "ideal_day": explanation.ideal_day.isoformat() if explanation.ideal_day else None,
        "rejected": [
            {"day": item.day.isoformat(), "reasons": [obstacle_data(o) for o in item.obstacles]}
            for item in explanation.rejected
        ],
        "more_rejected": explanation.more_rejected,
        "forced_by": [obstacle_data(o) for o in explanation.forced_by],
        "uncounted_days": explanation.uncounted_days,
    }


def explanation_from_data(meeting: Meeting) -> Explanation | None:
    """The planner's reasons for a meeting's date, as stored when it was confirmed (None for a
    meeting planned by hand or before reasons were stored)."""
    data = meeting.explanation
    if not data:
        return None
    gap_data = data.get("gap")
    gap = None
    if gap_data:
        start = date.fromisoformat(gap_data["from"])
        gap = Gap(
            start,
            start + timedelta(days=int(gap_data["calendar_days"])),
            int(gap_data["counted_days"]),
            int(gap_data["excess_days"]),
        )
    return Explanation(
        day=meeting.day,
        fixed=False,
        gap=gap,
        ideal_day=date.fromisoformat(data["ideal_day"]) if data.get("ideal_day") else None,
        rejected=tuple(
            RejectedDay(date.fromisoformat(item["day"]), _obstacles(item.get("reasons", [])))
            for item in data.get("rejected", [])
        ),
        more_rejected=int(data.get("more_rejected") or 0),
        forced_by=_obstacles(data.get("forced_by", [])),
        uncounted_days=int(data.get("uncounted_days") or 0),
    )


def _obstacles(items: list[dict[str, Any]]) -> tuple[Obstacle, ...]:
    return tuple(
        Obstacle(
            str(item.get("label") or ""),
            str(item.get("who") or ""),
            bool(item.get("hard")),
            date.fromisoformat(item["first_day"]) if item.get("first_day") else None,
            date.fromisoformat(item["last_day"]) if item.get("last_day") else None,
        )
        for item in items
    )


def obstacle_data(obstacle: Obstacle) -> dict[str, Any]:
    """Return an obstacle as plain JSON data."""
    data: dict[str, Any] = {"label": obstacle.label, "who": obstacle.who, "hard": obstacle.hard}
    if obstacle.first_day is not None and obstacle.last_day is not None:
        data["first_day"] = obstacle.first_day.isoformat()
        data["last_day"] = obstacle.last_day.isoformat()
    return data


def new_uid() -> str:
    """Return a stable, globally unique iCalendar UID for a new meeting."""
    return f"{uuid.uuid4()}@planner"


def require_fixed(preview: PlanPreview, shown: Iterable[Any]) -> None:
    """The confirmed meetings a plan keeps must be those the person saw when they chose it
    (`shown`: their ids); otherwise the plan they confirm is not the one they looked at."""
    kept = sorted(item.meeting.id for item in preview.meetings if item.meeting is not None)
    values = list(shown)
    ids = [parse_id(value) for value in values]
    given = sorted(number for number in ids if number is not None)
    if len(given) != len(values) or given != kept:  # a value that is no id: a changed form
        raise ConflictError(
            N_("The collaboration's meetings changed since this plan was made; plan again.")
        )


def confirm_plan(session: Session, preview: PlanPreview, now: datetime) -> list[Meeting]:
    """Store the preview's new meetings as confirmed and append one event for the batch.

    A plan that adds nothing is refused: confirming it would tell nobody anything.
    """
    if not preview.new_meetings:
        raise ValidationError(N_("Choose at least one day."))
    collab = preview.collab
    taken = set(
        session.scalars(
            select(Meeting.day).where(
                Meeting.collaboration_id == collab.id,
                Meeting.status.in_(ACTIVE),
                Meeting.day >= preview.first_day,
                Meeting.day <= preview.last_day,
            )
        )
    )
    fixed_days = {item.day for item in preview.meetings if item.fixed}
    if taken != fixed_days:
        raise ConflictError(
            N_("The collaboration's meetings changed since this plan was made; plan again.")
        )
    plan_key = uuid.uuid4().hex
    previous = preview.anchor
    created: list[Meeting] = []
    for item in preview.meetings:
        if item.meeting is not None:
            previous = item.meeting
            continue
        meeting = Meeting(
            collaboration_id=collab.id,
            status=MeetingStatus.CONFIRMED,
            day=item.day,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            timezone=collab.timezone,
            location=item.location,
            location_organisation_id=item.location_organisation.id
            if item.location_organisation
            else None,
            uid=new_uid(),
            sequence=0,
            plan_key=plan_key,
            explanation=explanation_data(item.explanation),
            previous_id=previous.id if previous else None,
            created_at=now,
            updated_at=now,
        )
        session.add(meeting)
        session.flush()
        created.append(meeting)
        previous = meeting
    if created:
        append_event(
            session,
            EventKind.MEETINGS_PLANNED,
            MeetingsPlanned(
                collaboration_id=collab.id,
                plan_key=plan_key,
                meeting_ids=[meeting.id for meeting in created],
                days=[meeting.day.isoformat() for meeting in created],
            ),
            now,
        )
    return created


def parse_days(values: Iterable[Any], locale: str = "nl") -> list[date]:
    """Parse chosen days given as ISO dates; one day given twice would be two meetings on one
    day, which is refused."""
    days = [parse_date(value, "days") for value in values]
    for day in days:
        if days.count(day) > 1:
            raise ValidationError(
                N_("Two meetings would fall on %(day)s; pick another date for one of them."),
                day=format_day(day, locale),
            )
    return sorted(days)
