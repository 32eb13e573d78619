"""Series planning for a collaboration: stored data in, a preview with explanations out.

The pure planner (`planner.domain.planning`) chooses the days; this module gathers what it needs
(member calendars, the collaboration's own meetings, the participants' other meetings), picks a
start time per day, assigns locations, and stores a confirmed plan."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.calendar_nl import parse_school_year, school_year_bounds, school_year_of
from planner.domain.explain import (
    Explanation,
    Obstacle,
    explain_day,
    gap_obstacles,
)
from planner.domain.gaps import ONE_DAY
from planner.domain.kinds import LocationMode, MeetingStatus, OrganisationKind, PollChoice
from planner.domain.planning import (
    NotEnoughDays,
    PlanProblem,
    SeriesPlan,
    plan_from_days,
    plan_series,
)
from planner.errors import N_, ConflictError, ValidationError
from planner.events import (
    CalendarsMissing,
    EventKind,
    MeetingsPlanned,
    append_event,
)
from planner.inputs import parse_date, parse_id
from planner.models import (
    Collaboration,
    Meeting,
    Organisation,
    Poll,
    PollStatus,
)
from planner.services.completeness import missing_calendars, without_administrators
from planner.services.explanations import explanation_data
from planner.services.plan_context import (
    ACTIVE,
    PEOPLE_KINDS,
    CalendarCache,
    Candidates,
    PlanContext,
    allowed_weekdays,
    check_notice,
    day_refused,
    find_candidates,
    load_context,
    notice_start,
    zone_of,
)
from planner.text.formatting import format_day

MAX_COUNT = 60


# How far back the last meeting before a horizon is looked for.
ANCHOR_LOOKBACK = timedelta(days=400)


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
    # Who would miss it, and why (busy in her own calendar, a poll's answer, a school nobody of
    # which can come): the people's soft reasons on the chosen day and start.
    missing: tuple[Obstacle, ...] = ()

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
    # The first day the minimum notice allows; new days before it were asked for on purpose.
    earliest: date | None = None
    # Per school year of the new meetings: the member schools that have not entered their
    # busy periods for it (services.completeness); planning goes on, they are asked to.
    missing_calendars: dict[str, list[Organisation]] = field(default_factory=dict)
    # Of those, the schools nobody administers in the planner: nobody gets the mail.
    unasked: list[Organisation] = field(default_factory=list)

    @property
    def new_meetings(self) -> list[ProposedMeeting]:
        """Return the meetings the plan adds."""
        return [item for item in self.meetings if not item.fixed]

    @property
    def short_notice(self) -> list[ProposedMeeting]:
        """The new meetings inside the minimum notice (only when the coordinator asked)."""
        earliest = self.earliest
        return [item for item in self.new_meetings if earliest and item.day < earliest]


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
    short_notice: bool = False,
    answers: Mapping[date, Mapping[int, PollChoice]] | None = None,
) -> PlanPreview:
    """Plan the collaboration's meetings over a horizon; `days` replaces the search.

    No proposed day lies inside the minimum notice. A day in `days` inside it is refused
    (ShortNotice) unless `short_notice` says the coordinator means it. With a poll's `answers`
    (every asked day -> person id -> choice; a day nobody answered maps to {}), the plan weighs
    them (planner.domain.people_costs): "kan niet" as absent, "liever niet" lightly, a day not
    asked about as slightly worse, and an essential person's "kan niet" as hard.
    """
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
    ctx = load_context(
        session,
        collab,
        calendar_first,
        horizon_last + ONE_DAY,
        locale,
        cache=cache,
        now=now,
        answers=answers,
    )
    preview = _preview(ctx, year, horizon_first, horizon_last, now, count, days, short_notice)
    missing = missing_calendars(
        session, ctx.members, {school_year_of(item.day) for item in preview.new_meetings}
    )
    preview.missing_calendars = missing
    if missing:
        preview.unasked = without_administrators(
            session, {org.id: org for orgs in missing.values() for org in orgs}.values()
        )
    return preview


def _preview(
    ctx: PlanContext,
    year: str | None,
    horizon_first: date,
    horizon_last: date,
    now: datetime,
    count: int | None,
    days: Sequence[date] | None,
    short_notice: bool = False,
) -> PlanPreview:
    collab = ctx.collab
    zone = zone_of(collab)
    before = [m for m in ctx.meetings if m.day < horizon_first]
    anchor = before[-1] if before else None
    fixed = {m.day: m for m in ctx.meetings if horizon_first <= m.day <= horizon_last}
    earliest = notice_start(ctx, now)
    if days is not None:
        check_notice(ctx, [d for d in days if d not in fixed], now, short_notice=short_notice)
    candidates = find_candidates(
        ctx, horizon_first, horizon_last, now, taken=fixed, notice=days is None
    )
    problem = PlanProblem(
        first_day=horizon_first,
        last_day=horizon_last,
        rhythm=ctx.rhythm,
        candidates=candidates.soft,
        fixed=frozenset(fixed),
        anchor=anchor.day if anchor else None,
        uncounted=ctx.uncounted,
        count=count,
        today=now.astimezone(zone).date(),
        earliest=earliest,
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
                missing=tuple(
                    obstacle
                    for obstacle in candidates.obstacles.get(planned.day, ())
                    if obstacle.kind in PEOPLE_KINDS
                ),
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
        earliest=earliest,
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
    new_days = [item.day for item in preview.new_meetings]
    if session.scalar(
        select(Poll.id).where(
            Poll.collaboration_id == collab.id,
            Poll.status == PollStatus.OPEN,
            Poll.first_day <= max(new_days),
            Poll.last_day >= min(new_days),
        )
    ):
        raise ConflictError(
            N_(
                "A poll asks the participants about these dates: confirm the plan from the poll,"
                " or cancel the poll first."
            )
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
            short_notice=bool(preview.earliest and item.day < preview.earliest),
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
        for school_year, organisations in preview.missing_calendars.items():
            append_event(
                session,
                EventKind.CALENDARS_MISSING,
                CalendarsMissing(collab.id, school_year, [org.id for org in organisations]),
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
