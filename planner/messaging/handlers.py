"""What the worker does with each kind of event: idempotent handlers.

A handler runs inside the dispatching transaction; its effects (queued mails, flags, new
events) commit together with the event's `done_at`. Running a handler twice for the same event
(after a crash before that commit) changes nothing more, because mails have dedupe keys and
invitations remember per person which SEQUENCE they were sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.drift import DriftStatus
from planner.domain.kinds import AttendanceStatus, MeetingStatus
from planner.messaging.composer import Block, Composer, Content, digest_key, when
from planner.models import (
    Attendance,
    Collaboration,
    CollaborationMember,
    Event,
    Meeting,
    Organisation,
    Person,
)
from planner.services.attendance import organizer_of, revoke_departed
from planner.services.collaborations import coordinators, list_collaborations
from planner.services.conflicts import scan_conflicts
from planner.services.drift import best_fill_in, drift_report
from planner.text.formatting import format_day
from planner.text.labels import label

NOTIFY_STATUSES = (DriftStatus.AT_RISK, DriftStatus.NO_NEXT_MEETING)


@dataclass
class Context:
    """What a handler works with."""

    session: Session
    now: datetime
    event: Event
    composer: Composer


Handler = Callable[[Context, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    """Register a handler for event kinds."""

    def register(handler: Handler) -> Handler:
        for kind in kinds:
            HANDLERS[kind] = handler
        return handler

    return register


def handle(session: Session, event: Event, now: datetime) -> None:
    """Run the handler of an event (none: nothing to do)."""
    handler = HANDLERS.get(event.kind)
    if handler is not None:
        handler(Context(session, now, event, Composer(session, now, event.id)), event.payload)


def _meetings(session: Session, ids: Iterable[int]) -> list[Meeting]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(session.scalars(select(Meeting).where(Meeting.id.in_(wanted))))


# --- invitations --------------------------------------------------------------------------


@handles("meetings.planned", "meetings.moved")
def _planned(ctx: Context, payload: dict[str, Any]) -> None:
    ctx.composer.invitations(_meetings(ctx.session, payload["meeting_ids"]))
    check_drift(ctx.session, ctx.now, [payload["collaboration_id"]], ctx.composer)


@handles("meeting.moved", "meeting.cancelled")
def _changed(ctx: Context, payload: dict[str, Any]) -> None:
    ctx.composer.invitations(_meetings(ctx.session, [payload["meeting_id"]]))
    check_drift(ctx.session, ctx.now, [payload["collaboration_id"]], ctx.composer)


@handles("collaboration.changed")
def _collaboration_changed(ctx: Context, payload: dict[str, Any]) -> None:
    collab = ctx.session.get(Collaboration, payload["collaboration_id"])
    if collab is None:
        return
    revoke_departed(ctx.session, collab, ctx.now)
    future = list(
        ctx.session.scalars(
            select(Meeting)
            .where(Meeting.collaboration_id == collab.id, Meeting.ends_at > ctx.now)
            .order_by(Meeting.starts_at)
        )
    )
    # Who left gets a CANCEL for the meetings they had; their rows go, so a return re-invites.
    present = {link.person_id for link in collab.people}
    left = [
        row
        for row in ctx.session.scalars(
            select(Attendance).where(
                Attendance.meeting_id.in_([m.id for m in future]),
                Attendance.person_id.not_in(present),
            )
        )
    ]
    by_person: dict[int, list[Attendance]] = defaultdict(list)
    for row in left:
        by_person[row.person_id].append(row)
    organizer = organizer_of(collab)
    for person_id, rows in by_person.items():
        person = ctx.session.get(Person, person_id)
        sent = {row.meeting_id for row in rows if row.sent_sequence is not None}
        had = [m for m in future if m.id in sent and m.status is MeetingStatus.CONFIRMED]
        if person is not None:
            ctx.composer.withdraw(
                collab,
                organizer,
                person,
                had,
                {(row.meeting_id, row.person_id): row for row in rows},
                f"left{ctx.event.id}",
            )
        for row in rows:
            ctx.session.delete(row)
    # Newcomers get the future meetings; everyone else already has them.
    ctx.composer.invitations(future)


@handles("collaboration.deleted")
def _collaboration_deleted(ctx: Context, payload: dict[str, Any]) -> None:
    """The meetings are gone: rebuild them from the event to send everyone invited a CANCEL."""
    meetings = {
        item["id"]: Meeting(
            id=item["id"],
            uid=item["uid"],
            sequence=item["sequence"],
            status=MeetingStatus.CANCELLED,
            starts_at=datetime.fromisoformat(item["starts_at"]),
            ends_at=datetime.fromisoformat(item["ends_at"]),
            timezone=item["timezone"],
            location=item["location"],
        )
        for item in payload.get("meetings", [])
        if datetime.fromisoformat(item["ends_at"]) > ctx.now
    }
    if not meetings:
        return
    collab = Collaboration(name=payload["name"], ambition=None)
    organizer_id = payload.get("organizer_id")
    organizer = ctx.session.get(Person, organizer_id) if organizer_id else None
    invited: dict[int, list[int]] = defaultdict(list)
    for person_id, meeting_id in payload.get("invited", []):
        if meeting_id in meetings:
            invited[person_id].append(meeting_id)
    for person_id, meeting_ids in invited.items():
        person = ctx.session.get(Person, person_id)
        if person is None:
            continue
        chosen = sorted((meetings[i] for i in meeting_ids), key=lambda m: m.starts_at)
        rows = {(i, person_id): SimpleNamespace(sent_sequence=0) for i in meeting_ids}
        ctx.composer.withdraw(collab, organizer, person, chosen, rows, f"deleted{ctx.event.id}")


@handles("meeting.held")
def _held(ctx: Context, payload: dict[str, Any]) -> None:
    check_drift(ctx.session, ctx.now, [payload["collaboration_id"]], ctx.composer)


# --- coordinators are told ----------------------------------------------------------------


def meeting_url(composer: Composer, meeting_id: int) -> str:
    """The meeting's page (move, cancel, answers), at the public address: mails leave requests."""
    return f"{composer.base_url}/meetings/{meeting_id}"


def planning_links(composer: Composer, collab_id: int) -> list[tuple[str, str]]:
    """Links to the plan wizard and to the dashboard (with its one-click "plan this")."""
    return [
        (gettext("Plan the meetings"), f"{composer.base_url}/collaborations/{collab_id}/plan"),
        (gettext("Open the dashboard"), f"{composer.base_url}/dashboard"),
    ]


def tell_coordinators(
    ctx: Context, collab: Collaboration, key: str, write: Callable[[Person], Content]
) -> None:
    """Queue a notice to each coordinator, written in their own language."""
    for person in coordinators(collab):
        with force_locale(person.language):
            content = write(person)
        ctx.composer.notice(digest_key(key, person.id), person, content)


@handles("attendance.answered")
def _answered(ctx: Context, payload: dict[str, Any]) -> None:
    if payload["status"] != AttendanceStatus.DECLINED.value:
        return
    meeting = ctx.session.get(Meeting, payload["meeting_id"])
    person = ctx.session.get(Person, payload["person_id"])
    collab = ctx.session.get(Collaboration, payload["collaboration_id"])
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
            [
                Block(
                    when(meeting, locale),
                    [meeting.location] if meeting.location else [],
                    [(gettext("See who is coming"), meeting_url(ctx.composer, meeting.id))],
                )
            ],
        )

    tell_coordinators(ctx, collab, f"declined:{ctx.event.id}", write)


@handles("meeting.conflict")
def _conflict(ctx: Context, payload: dict[str, Any]) -> None:
    meeting = ctx.session.get(Meeting, payload["meeting_id"])
    collab = ctx.session.get(Collaboration, payload["collaboration_id"])
    if meeting is None or collab is None or meeting.ends_at <= ctx.now:
        return
    reasons = payload.get("reasons") or []

    def write(coordinator: Person) -> Content:
        locale = coordinator.language
        lines = [_reason_text(reason) for reason in reasons]
        proposed = payload.get("proposed_day")
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
                    [(gettext("Move the meeting"), meeting_url(ctx.composer, meeting.id))],
                )
            ],
            [gettext("The meeting page shows the proposed date and other good dates.")],
        )

    tell_coordinators(ctx, collab, f"conflict:{ctx.event.id}", write)


def _reason_text(reason: dict[str, Any]) -> str:
    parts = [str(reason.get("label") or "")]
    if reason.get("who"):
        parts.append(str(reason["who"]))
    return " — ".join(part for part in parts if part)


@handles("followup.proposed")
def _followup(ctx: Context, payload: dict[str, Any]) -> None:
    collab = ctx.session.get(Collaboration, payload["collaboration_id"])
    if collab is None:
        return
    proposed = payload.get("proposed_day")

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
                            " maximum of %(weeks)s weeks.",
                            name=collab.name,
                            weeks=collab.max_gap_weeks,
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


# --- calendar changes: find the meetings they hit -----------------------------------------


def _collaborations_of(session: Session, organisation_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CollaborationMember.collaboration_id).where(
                CollaborationMember.organisation_id == organisation_id
            )
        )
    )


@handles(
    "busy_period.created",
    "busy_period.changed",
    "busy_period.deleted",
    "holiday_override.set",
    "holiday_override.deleted",
    "closure_days.changed",
    "organisation.changed",
    "school_holidays.imported",
)
def _calendar_changed(ctx: Context, payload: dict[str, Any]) -> None:
    org_id = payload.get("organisation_id")
    if org_id is not None:
        if ctx.session.get(Organisation, org_id) is None:
            return
        ids: list[int] | None = _collaborations_of(ctx.session, org_id)
        if not ids:
            return
    else:
        ids = None  # a region's, the country's or the holiday data: every collaboration
    scan_conflicts(ctx.session, ctx.now, collaboration_ids=ids)
