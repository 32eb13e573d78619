"""Invitations follow the meetings: new, moved and cancelled meetings, people who join or
leave a collaboration, and a deleted collaboration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.domain.kinds import MeetingStatus
from planner.events import (
    CollaborationDeleted,
    CollaborationRef,
    EventKind,
    MeetingCancelled,
    MeetingMoved,
    MeetingsMoved,
    MeetingsPlanned,
)
from planner.messaging.composer import Change
from planner.messaging.notices import check_drift
from planner.messaging.registry import Context, handles
from planner.models import Attendance, Collaboration, Meeting, Person
from planner.services.attendance import organizer_of, revoke_departed


def _meetings(session: Session, ids: Iterable[int]) -> list[Meeting]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(session.scalars(select(Meeting).where(Meeting.id.in_(wanted))))


@handles(EventKind.MEETINGS_PLANNED, EventKind.MEETINGS_MOVED)
def _planned(ctx: Context, payload: MeetingsPlanned | MeetingsMoved) -> None:
    changes = (
        {
            int(move["meeting_id"]): Change(
                before=_instant(move.get("before", {}).get("starts_at")),
                reason=move.get("reason"),
            )
            for move in payload.moves
        }
        if isinstance(payload, MeetingsMoved)
        else {}
    )
    ctx.composer.invitations(_meetings(ctx.session, payload.meeting_ids), changes)
    check_drift(ctx.session, ctx.now, [payload.collaboration_id], ctx.composer)


@handles(EventKind.MEETING_MOVED, EventKind.MEETING_CANCELLED)
def _changed(ctx: Context, payload: MeetingMoved | MeetingCancelled) -> None:
    if isinstance(payload, MeetingMoved):
        change = Change(
            before=_instant(payload.before.get("starts_at")),
            reason=payload.reason,
            note=payload.note,
        )
    else:
        change = Change(note=payload.note)
    ctx.composer.invitations(
        _meetings(ctx.session, [payload.meeting_id]), {payload.meeting_id: change}
    )
    check_drift(ctx.session, ctx.now, [payload.collaboration_id], ctx.composer)


def _instant(text: str | None) -> datetime | None:
    """A stored ISO instant (None when absent)."""
    return datetime.fromisoformat(text) if text else None


@handles(EventKind.COLLABORATION_CHANGED)
def _collaboration_changed(ctx: Context, payload: CollaborationRef) -> None:
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
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
    left = list(
        ctx.session.scalars(
            select(Attendance).where(
                Attendance.meeting_id.in_([m.id for m in future]),
                Attendance.person_id.not_in(present),
            )
        )
    )
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


@handles(EventKind.COLLABORATION_DELETED)
def _collaboration_deleted(ctx: Context, payload: CollaborationDeleted) -> None:
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
        for item in payload.meetings
        if datetime.fromisoformat(item["ends_at"]) > ctx.now
    }
    if not meetings:
        return
    collab = Collaboration(name=payload.name, ambition=None)
    organizer = ctx.session.get(Person, payload.organizer_id) if payload.organizer_id else None
    invited: dict[int, list[int]] = defaultdict(list)
    for person_id, meeting_id in payload.invited:
        if meeting_id in meetings:
            invited[person_id].append(meeting_id)
    for person_id, meeting_ids in invited.items():
        person = ctx.session.get(Person, person_id)
        if person is None:
            continue
        chosen = sorted((meetings[i] for i in meeting_ids), key=lambda m: m.starts_at)
        rows = {(i, person_id): SimpleNamespace(sent_sequence=0) for i in meeting_ids}
        ctx.composer.withdraw(collab, organizer, person, chosen, rows, f"deleted{ctx.event.id}")
