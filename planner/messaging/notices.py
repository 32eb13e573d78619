"""Coordinators are told: drift that puts focus at risk, a partner who declines, a calendar
change that hits a meeting, a meeting that ended with nothing planned after it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus
from planner.domain.kinds import AttendanceStatus
from planner.domain.stale_mail import MailBasis, Says
from planner.events import (
    AttendanceAnswered,
    EventKind,
    FollowupProposed,
    MeetingConflict,
    MeetingRef,
    SeriesAnswered,
)
from planner.messaging.composer import Composer
from planner.messaging.content import Block, Content, digest_key, version_of, when
from planner.messaging.registry import Context, handles
from planner.models import Collaboration, Meeting, Person
from planner.services.collaborations import coordinators, list_collaborations
from planner.services.drift import best_fill_in, drift_report
from planner.text.formatting import format_day, format_weeks
from planner.text.labels import label

NOTIFY_STATUSES = (DriftStatus.AT_RISK, DriftStatus.NO_NEXT_MEETING)


@handles(EventKind.MEETING_HELD)
def _held(ctx: Context, payload: MeetingRef) -> None:
    check_drift(ctx.session, ctx.now, [payload.collaboration_id], ctx.composer)


def planning_links(composer: Composer, collab_id: int) -> list[tuple[str, str]]:
    """Links to the plan wizard and to the dashboard (with its one-click "plan this")."""
    return [
        (gettext("Plan the meetings"), f"{composer.base_url}/collaborations/{collab_id}/plan"),
        (gettext("Open the dashboard"), f"{composer.base_url}/dashboard"),
    ]


def tell_coordinators(
    ctx: Context,
    collab: Collaboration,
    key: str,
    write: Callable[[Person], Content],
    basis: MailBasis | None = None,
) -> None:
    """Queue a notice to each coordinator, written in their own language (`basis`: what it
    says about meetings, checked again just before it is sent)."""
    for person in coordinators(collab):
        with force_locale(person.language):
            content = write(person)
        ctx.composer.notice(digest_key(key, person.id), person, content, basis)


@handles(EventKind.ATTENDANCE_ANSWERED)
def _answered(ctx: Context, payload: AttendanceAnswered) -> None:
    if payload.status != AttendanceStatus.DECLINED.value:
        return
    meeting = ctx.session.get(Meeting, payload.meeting_id)
    person = ctx.session.get(Person, payload.person_id)
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
    if meeting is None or person is None or collab is None:
        return

    def write(coordinator: Person) -> Content:
        locale = coordinator.language
        return Content(
            gettext(
                "%(person)s declined: %(name)s, %(when)s",
                person=person.name,
                name=collab.name,
                when=when(meeting, locale),
            ),
            gettext("Dear %(name)s,", name=coordinator.name),
            [
                gettext(
                    "%(person)s (%(email)s) will not come to this meeting of %(name)s:",
                    person=person.name,
                    email=person.email,
                    name=collab.name,
                )
            ],
            [_attendance_block(ctx, meeting, locale)],
        )

    tell_coordinators(
        ctx,
        collab,
        f"declined:{ctx.event.id}",
        write,
        MailBasis(Says.DECLINED, (version_of(meeting),), about=person.id),
    )


def _attendance_block(ctx: Context, meeting: Meeting, locale: str) -> Block:
    """A meeting in a coordinator's mail, with the link to who is coming."""
    return Block(
        when(meeting, locale),
        [meeting.location] if meeting.location else [],
        [(gettext("See who is coming"), ctx.composer.meeting_url(meeting.id))],
    )


@handles(EventKind.ATTENDANCE_ANSWERED_SERIES)
def _answered_series(ctx: Context, payload: SeriesAnswered) -> None:
    """A partner declined every coming meeting at once: one mail, not one per meeting."""
    if payload.status != AttendanceStatus.DECLINED.value:
        return
    person = ctx.session.get(Person, payload.person_id)
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
    meetings = sorted(
        (m for i in payload.meeting_ids if (m := ctx.session.get(Meeting, i)) is not None),
        key=lambda m: m.starts_at,
    )
    if person is None or collab is None or not meetings:
        return

    def write(coordinator: Person) -> Content:
        locale = coordinator.language
        return Content(
            ngettext(
                "%(person)s declined: %(name)s, %(num)d meeting",
                "%(person)s declined: %(name)s, %(num)d meetings",
                len(meetings),
                person=person.name,
                name=collab.name,
            ),
            gettext("Dear %(name)s,", name=coordinator.name),
            [
                gettext(
                    "%(person)s (%(email)s) will not come to any of these meetings of %(name)s:",
                    person=person.name,
                    email=person.email,
                    name=collab.name,
                )
            ],
            [_attendance_block(ctx, meeting, locale) for meeting in meetings],
        )

    tell_coordinators(
        ctx,
        collab,
        f"declined-series:{ctx.event.id}",
        write,
        MailBasis(Says.DECLINED, tuple(version_of(m) for m in meetings), about=person.id),
    )


@handles(EventKind.MEETING_CONFLICT)
def _conflict(ctx: Context, payload: MeetingConflict) -> None:
    meeting = ctx.session.get(Meeting, payload.meeting_id)
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
    if meeting is None or collab is None or meeting.ends_at <= ctx.now:
        return
    reasons = payload.reasons

    def write(coordinator: Person) -> Content:
        locale = coordinator.language
        lines = [_reason_text(reason) for reason in reasons]
        proposed = payload.proposed_day
        if proposed:
            lines.append(
                gettext(
                    "Proposed new date: %(day)s",
                    day=format_day(date.fromisoformat(proposed), locale),
                )
            )
        else:
            lines.append(gettext("No good new date was found nearby; choose one yourself."))
        return Content(
            gettext(
                "Calendar change hits a meeting: %(name)s, %(when)s",
                name=collab.name,
                when=when(meeting, locale),
            ),
            gettext("Dear %(name)s,", name=coordinator.name),
            [
                gettext(
                    "A change in a member school's calendar blocks a planned meeting of %(name)s.",
                    name=collab.name,
                )
            ],
            [
                Block(
                    when(meeting, locale),
                    lines,
                    [(gettext("Move the meeting"), ctx.composer.meeting_url(meeting.id))],
                )
            ],
            [gettext("The meeting page shows the proposed date and other good dates.")],
        )

    basis = MailBasis(Says.CONFLICT, (version_of(meeting),))
    tell_coordinators(ctx, collab, f"conflict:{ctx.event.id}", write, basis)


def _reason_text(reason: dict[str, Any]) -> str:
    parts = [str(reason.get("label") or "")]
    if reason.get("who"):
        parts.append(str(reason["who"]))
    return " — ".join(part for part in parts if part)


@handles(EventKind.FOLLOWUP_PROPOSED)
def _followup(ctx: Context, payload: FollowupProposed) -> None:
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
    if collab is None:
        return
    proposed = payload.proposed_day

    def write(coordinator: Person) -> Content:
        locale = coordinator.language
        line = (
            gettext("Proposed date: %(day)s", day=format_day(date.fromisoformat(proposed), locale))
            if proposed
            else gettext("No good date was found within the maximum gap; plan one yourself.")
        )
        return Content(
            gettext("Plan the next meeting: %(name)s", name=collab.name),
            gettext("Dear %(name)s,", name=coordinator.name),
            [
                gettext(
                    "The last meeting of %(name)s has taken place and no next meeting is planned.",
                    name=collab.name,
                )
            ],
            [Block(collab.name, [line], planning_links(ctx.composer, collab.id))],
        )

    tell_coordinators(ctx, collab, f"followup:{ctx.event.id}", write)


def check_drift(
    session: Session, now: datetime, collaboration_ids: Iterable[int] | None, composer: Composer
) -> int:
    """Tell coordinators when a collaboration's drift becomes at risk or no-next-meeting (once
    per change of status); return the number of collaborations they were told about."""
    ids = None if collaboration_ids is None else list(collaboration_ids)
    rows = drift_report(session, now, collaboration_ids=ids, fill_in=False)
    collabs = {
        c.id: c for c in list_collaborations(session, [row.collaboration_id for row in rows])
    }
    told = 0
    for row in rows:
        collab = collabs[row.collaboration_id]
        status = row.status if row.status in NOTIFY_STATUSES else None
        current = status.value if status else None
        if collab.drift_notified == current:
            continue
        collab.drift_notified = current
        if status is None:
            continue
        told += 1
        fill = best_fill_in(session, row, now)
        for person in coordinators(collab):
            with force_locale(person.language):
                locale = person.language
                lines = []
                if row.last_day:
                    lines.append(
                        gettext("Last meeting: %(day)s", day=format_day(row.last_day, locale))
                    )
                if row.next_day:
                    lines.append(
                        gettext("Next meeting: %(day)s", day=format_day(row.next_day, locale))
                    )
                if fill is not None:
                    lines.append(
                        gettext(
                            "Best date to fill the gap: %(day)s %(time)s",
                            day=format_day(fill.day, locale),
                            time=fill.starts_at.astimezone(ZoneInfo(collab.timezone)).strftime(
                                "%H:%M"
                            ),
                        )
                    )
                content = Content(
                    gettext(
                        "Focus may leak away: %(name)s (%(status)s)",
                        name=collab.name,
                        status=label(status.value, locale),
                    ),
                    gettext("Dear %(name)s,", name=person.name),
                    [
                        gettext(
                            "The gap between the meetings of %(name)s is now longer than the"
                            " maximum of %(max)s.",
                            name=collab.name,
                            max=format_weeks(collab.max_gap_weeks * 7, locale),
                        )
                        if status is DriftStatus.AT_RISK
                        else gettext("No next meeting of %(name)s is planned.", name=collab.name)
                    ],
                    [Block(collab.name, lines, planning_links(composer, collab.id))],
                )
            composer.notice(
                digest_key("drift", collab.id, status.value, row.last_day, row.next_day, person.id),
                person,
                content,
            )
    return told
