"""The coordinator's dashboard: each own collaboration over its whole planned horizon, the most
urgent first, and planning the date that fills its most urgent gap.

A row looks past today's gap: the worst gap above the maximum among the planned meetings, the
meetings that now fall on a blocked day, and who answered the next meeting's invitation. One
health word (planner.domain.drift.health_of) sums it up. The web page, the API and the CLI
all show these rows; the weekly digest mail too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.domain.drift import URGENCY, DriftStatus, Health, drift_status, health_of
from planner.domain.kinds import AttendanceStatus, MeetingStatus, Role
from planner.errors import N_, ConflictError, ValidationError
from planner.models import Attendance, Collaboration, CollaborationPerson, Meeting, Person
from planner.services.accounts import coordinated_collaborations
from planner.services.alternatives import Alternative, GapSummary, summarise
from planner.services.drift import DriftRow, SharedHolidays, drift_report, fill_in_between
from planner.services.plan_context import ACTIVE, load_context, rhythm_of, zone_of
from planner.services.planning import confirm_plan, preview_plan
from planner.text.formatting import format_day

# Fill-in dates are searched for this many collaborations at most per page view (a platform
# administrator sees every collaboration); the others link to their own page for a proposal.
FILL_IN_LIMIT = 60


@dataclass(frozen=True)
class Gap:
    """The time between two meetings (`last_day` None: nothing is planned after `first_day`)."""

    first_day: date | None  # None: the collaboration has never met
    last_day: date | None
    counted_days: int
    excess_days: int


@dataclass(frozen=True)
class Answers:
    """How the invitees answered one meeting's invitation."""

    accepted: int
    tentative: int
    declined: int
    unanswered: int


@dataclass(frozen=True)
class DashboardRow:
    """One collaboration on the dashboard."""

    collaboration: Collaboration
    drift: DriftRow  # the gap now: from the last meeting to the next one
    next_meeting: Meeting | None
    planned_until: date | None  # the day of the last planned meeting
    worst_gap: Gap | None  # the longest gap above the maximum after the next meeting
    long_gaps: int  # gaps above the maximum, now and later
    conflicts: int  # planned meetings that now fall on a blocked day
    answers: Answers | None  # for the next meeting
    target: Gap | None  # the gap a fill-in date is for: the most urgent one
    fill_in: Alternative | None
    fill_in_searched: bool
    health: Health

    @property
    def forced(self) -> bool:
        """Whether the most urgent gap was searched and nothing can make it shorter."""
        return self.target is not None and self.fill_in_searched and self.fill_in is None


def dashboard_rows(
    session: Session,
    person: Person,
    now: datetime,
    *,
    locale: str = "nl",
    fill_in_limit: int = FILL_IN_LIMIT,
) -> list[DashboardRow]:
    """The collaborations a person coordinates (all for an admin), the most urgent first."""
    return overview_rows(
        session,
        coordinated_collaborations(session, person),
        now,
        locale=locale,
        fill_in_limit=fill_in_limit,
    )


def overview_rows(
    session: Session,
    collaborations: Sequence[Collaboration],
    now: datetime,
    *,
    locale: str = "nl",
    fill_in_limit: int = FILL_IN_LIMIT,
) -> list[DashboardRow]:
    """Rows for these collaborations, the most urgent first, with a fill-in date for the most
    urgent gap of each (for at most `fill_in_limit` of them: the search costs time)."""
    collabs = {collab.id: collab for collab in collaborations}
    if not collabs:
        return []
    report = drift_report(
        session, now, collaboration_ids=list(collabs), fill_in=False, locale=locale
    )
    planned: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in session.scalars(
        select(Meeting)
        .where(
            Meeting.collaboration_id.in_(list(collabs)),
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.ends_at > now,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ):
        planned[meeting.collaboration_id].append(meeting)
    reach = [day for row in report for day in (row.last_day, row.next_day) if day]
    reach += [meetings[-1].day for meetings in planned.values()]
    today = now.date()
    holidays = SharedHolidays(
        session,
        min([today, *reach]) - timedelta(days=7),
        max([today, *reach]) + timedelta(days=7),
    )
    answers = _answers(session, [m[0] for m in planned.values()])
    drafts = []
    for row in report:
        upcoming = planned.get(row.collaboration_id, [])
        gaps = _later_gaps(row, upcoming, holidays)
        long_gaps = [gap for gap in gaps if gap.excess_days > 0]
        current = _current_gap(row)
        if current.excess_days > 0:
            long_gaps.insert(0, current)
        worst = max(gaps, key=lambda gap: gap.excess_days, default=None)
        drafts.append(
            (
                row,
                upcoming,
                worst if worst is not None and worst.excess_days > 0 else None,
                long_gaps,
                _target(row, current, long_gaps),
                sum(1 for m in upcoming if m.conflict is not None),
            )
        )
    drafts.sort(
        key=lambda d: (
            URGENCY[health_of(d[0].status, conflicts=d[5], long_gaps=len(d[3]))],
            d[0].name.lower(),
            d[0].collaboration_id,
        )
    )
    rows = []
    searched = 0
    for row, upcoming, worst, long_gaps, target, conflicts in drafts:
        fill_in = None
        was_searched = False
        if target is not None and searched < fill_in_limit:
            fill_in = fill_in_between(
                session,
                collabs[row.collaboration_id],
                row.rhythm,
                target.first_day,
                target.last_day,
                now,
                locale,
            )
            searched += 1
            was_searched = True
        forced = was_searched and fill_in is None and target is not None
        rows.append(
            DashboardRow(
                collaboration=collabs[row.collaboration_id],
                drift=row,
                next_meeting=upcoming[0] if upcoming else None,
                planned_until=upcoming[-1].day if upcoming else None,
                worst_gap=worst,
                long_gaps=len(long_gaps),
                conflicts=conflicts,
                answers=answers.get(upcoming[0].id) if upcoming else None,
                target=target,
                fill_in=fill_in,
                fill_in_searched=was_searched,
                health=health_of(
                    row.status,
                    conflicts=conflicts,
                    long_gaps=len(long_gaps),
                    forced=forced and bool(long_gaps) and target is long_gaps[0],
                ),
            )
        )
    rows.sort(key=lambda r: (URGENCY[r.health], r.drift.name.lower(), r.collaboration.id))
    return rows


def _current_gap(row: DriftRow) -> Gap:
    """The gap now, as the drift report counts it."""
    counted = row.gap_days or 0
    return Gap(row.last_day, row.next_day, counted, max(0, counted - row.rhythm.max_gap_days))


def _later_gaps(row: DriftRow, upcoming: Sequence[Meeting], holidays: SharedHolidays) -> list[Gap]:
    """The gaps between the planned meetings after the next one."""
    counter = holidays.counter(row.regions)
    limit = row.rhythm.max_gap_days
    gaps = []
    for before, after in pairwise(m.day for m in upcoming):
        counted = counter.counted(before, after)
        gaps.append(Gap(before, after, counted, max(0, counted - limit)))
    return gaps


def _target(row: DriftRow, current: Gap, long_gaps: Sequence[Gap]) -> Gap | None:
    """The gap a fill-in date should fill: no next meeting or a long gap now, else the
    longest later one, else a gap now that needs attention."""
    if row.status in (DriftStatus.NO_NEXT_MEETING, DriftStatus.AT_RISK):
        return current
    if long_gaps:
        return max(long_gaps, key=lambda gap: gap.excess_days)
    if row.status is DriftStatus.ATTENTION:
        return current
    return None


def _answers(session: Session, meetings: Sequence[Meeting]) -> dict[int, Answers]:
    """Per meeting: the invitees' answers (one query; anyone who left is not counted)."""
    if not meetings:
        return {}
    ids = [meeting.id for meeting in meetings]
    collab_of = {meeting.id: meeting.collaboration_id for meeting in meetings}
    counts: dict[int, dict[AttendanceStatus, int]] = defaultdict(dict)
    for meeting_id, status, number in session.execute(
        select(Attendance.meeting_id, Attendance.status, func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(
            CollaborationPerson,
            (CollaborationPerson.collaboration_id == Meeting.collaboration_id)
            & (CollaborationPerson.person_id == Attendance.person_id),
        )
        .where(Attendance.meeting_id.in_(ids))
        .group_by(Attendance.meeting_id, Attendance.status)
    ):
        counts[meeting_id][status] = int(number)
    invited = _invitee_counts(session, set(collab_of.values()))
    result = {}
    for meeting_id, collab_id in collab_of.items():
        seen = counts.get(meeting_id, {})
        accepted = seen.get(AttendanceStatus.ACCEPTED, 0)
        tentative = seen.get(AttendanceStatus.TENTATIVE, 0)
        declined = seen.get(AttendanceStatus.DECLINED, 0)
        unanswered = max(0, invited.get(collab_id, 0) - accepted - tentative - declined)
        result[meeting_id] = Answers(accepted, tentative, declined, unanswered)
    return result


def _invitee_counts(session: Session, collab_ids: set[int]) -> dict[int, int]:
    """Per collaboration: how many people get its invitations (everyone but the organizer,
    the first coordinator: services.attendance.invitees_of)."""
    people = dict(
        session.execute(
            select(CollaborationPerson.collaboration_id, func.count())
            .where(CollaborationPerson.collaboration_id.in_(collab_ids))
            .group_by(CollaborationPerson.collaboration_id)
        ).all()
    )
    organised = set(
        session.scalars(
            select(CollaborationPerson.collaboration_id).where(
                CollaborationPerson.collaboration_id.in_(collab_ids),
                CollaborationPerson.role == Role.COORDINATOR,
            )
        )
    )
    return {
        int(collab_id): int(number) - (1 if collab_id in organised else 0)
        for collab_id, number in people.items()
    }


@dataclass(frozen=True)
class FilledIn:
    """A fill-in meeting just planned, and the gaps on either side of it now."""

    meeting: Meeting
    effect: GapSummary
    # A gap around it is still above the maximum and no date can make it shorter.
    forced: bool = False


def plan_fill_in(
    session: Session,
    collab: Collaboration,
    day: date,
    at: time,
    now: datetime,
    *,
    locale: str = "nl",
) -> FilledIn:
    """Plan and confirm one meeting on a proposed fill-in day, if that day is still right.

    The day must still fall inside a gap that needs filling (between two consecutive planned
    meetings, or after the last one), still be free for every member and participant, and
    still start at `at`; otherwise nothing changes. The confirmation appends the usual
    `meetings.planned` event, so invitations go out. Returns the meeting with the gaps
    around it now.
    """
    zone = zone_of(collab)
    today = now.astimezone(zone).date()
    text = format_day(day, locale)
    if day < today:
        raise ValidationError(N_("%(day)s %(time)s is in the past or does not exist."), day=text,
                              time=at.strftime("%H:%M"))  # fmt: skip
    row = drift_report(session, now, collaboration_ids=[collab.id], fill_in=False, locale=locale)[0]
    before, after = _meetings_around(session, collab, day, now)
    if (before, after) == (row.last_day, row.next_day) and row.status is DriftStatus.ON_TRACK:
        raise ConflictError(
            N_("%(name)s is on track again: no fill-in meeting is needed. Nothing was planned."),
            name=collab.name,
        )
    if day in (before, after) or not _needs_filling(session, row, before, after):
        raise ConflictError(
            N_(
                "%(day)s no longer lies between the last and the next meeting. Nothing was "
                "planned; see the new proposal."
            ),
            day=text,
        )
    preview = preview_plan(session, collab, now, first=day, last=day, days=[day], locale=locale)
    new = preview.new_meetings
    if len(new) != 1 or new[0].starts_at.astimezone(zone).time() != at:
        raise ConflictError(
            N_("%(day)s at %(time)s is no longer free. Nothing was planned; see the new proposal."),
            day=text,
            time=at.strftime("%H:%M"),
        )
    meeting = confirm_plan(session, preview, now)[0]
    ctx = load_context(session, collab, before or day, (after or day) + timedelta(days=1), locale)
    effect = summarise(ctx, ctx.counter(), before, day, after)
    return FilledIn(meeting, effect, _still_forced(session, collab, effect, now, locale))


def _still_forced(
    session: Session, collab: Collaboration, effect: GapSummary, now: datetime, locale: str
) -> bool:
    """Whether the gap a fill-in left above the maximum cannot be made shorter by another date
    (else the dashboard proposes the next one, and saying 'it cannot be shorter' is wrong)."""
    if effect.status is not DriftStatus.AT_RISK:
        return False
    long = [gap for gap in (effect.before, effect.after) if gap and gap.excess_days > 0]
    if not long:
        return False
    gap = max(long, key=lambda item: item.excess_days)
    found = fill_in_between(session, collab, rhythm_of(collab), gap.first, gap.last, now, locale)
    return found is None


def _meetings_around(
    session: Session, collab: Collaboration, day: date, now: datetime
) -> tuple[date | None, date | None]:
    """The days of the planned or held meetings just before and just after `day` (on `day`
    itself: that day, as both or either)."""
    before = session.scalar(
        select(func.max(Meeting.day)).where(
            Meeting.collaboration_id == collab.id,
            Meeting.status.in_(ACTIVE),
            Meeting.day <= day,
        )
    )
    after = session.scalar(
        select(func.min(Meeting.day)).where(
            Meeting.collaboration_id == collab.id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.ends_at > now,
            Meeting.day >= day,
        )
    )
    return before, after


def _needs_filling(
    session: Session, row: DriftRow, before: date | None, after: date | None
) -> bool:
    """Whether the gap from `before` to `after` is one a fill-in date is for: the gap now when
    it is not on track, or a later one above the maximum."""
    if (before, after) == (row.last_day, row.next_day):
        return row.status is not DriftStatus.ON_TRACK
    if before is None or after is None:
        return False
    # Counted like the drift report: the members' shared holiday weeks left out.
    holidays = SharedHolidays(session, before - timedelta(days=7), after + timedelta(days=7))
    counted = holidays.counter(row.regions).counted(before, after)
    return drift_status(counted, row.rhythm) is DriftStatus.AT_RISK
