"""Invitations follow the meetings: new, moved and cancelled meetings, people who join or
leave a collaboration, and a deleted collaboration."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from planner.domain.kinds import MeetingStatus
from planner.events import (
    CollaborationDeleted,
    CollaborationRef,
    EventKind,
    MailDropped,
    MeetingCancelled,
    MeetingMoved,
    MeetingsMoved,
    MeetingsPlanned,
)
from planner.messaging.content import Change
from planner.messaging.notices import check_drift
from planner.messaging.organizer_copies import (
    cancel_deleted_copies,
    withdraw_organizer_copies,
)
from planner.messaging.registry import Context, handles
from planner.models import Attendance, Collaboration, Meeting, OrganizerCopy, Person
from planner.services.attendance import (
    invitees_of,
    organizer_of,
    record_withdrawn,
    revoke_departed,
)


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


@handles(EventKind.MAIL_DROPPED)
def _mail_dropped(ctx: Context, payload: MailDropped) -> None:
    """An invitation was out of date when it was to be sent: make sure everyone has the current
    one. What a person already has (by SEQUENCE) is skipped, so this queues nothing when the
    change that made the mail stale has queued its update or CANCEL already, as it normally
    has (its event came first)."""
    ctx.composer.invitations(_meetings(ctx.session, [payload.meeting_id]))


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
    # Who left gets a CANCEL for the meetings they had; their rows go, so a return re-invites
    # (above that CANCEL: record_withdrawn). So does a coordinator who now organises: her own
    # copies (organizer_copies) replace her invitations.
    organizer = organizer_of(collab)
    # Whoever still has organizer's copies but no longer organises: the one before.
    former = [
        person
        for person_id in ctx.session.scalars(
            select(OrganizerCopy.person_id)
            .where(
                OrganizerCopy.meeting_id.in_([m.id for m in future]),
                OrganizerCopy.withdrawn.is_(False),
                OrganizerCopy.person_id != (organizer.id if organizer else -1),
            )
            .distinct()
            .order_by(OrganizerCopy.person_id)
        )
        if (person := ctx.session.get(Person, person_id)) is not None
    ]
    invited = {person.id for person in invitees_of(collab)}
    left = list(
        ctx.session.scalars(
            select(Attendance).where(
                Attendance.meeting_id.in_([m.id for m in future]),
                Attendance.person_id.not_in(invited) if invited else true(),
            )
        )
    )
    by_person: dict[int, list[Attendance]] = defaultdict(list)
    for row in left:
        by_person[row.person_id].append(row)
    for person_id, rows in by_person.items():
        person = ctx.session.get(Person, person_id)
        sent = {row.meeting_id: row.sent_sequence for row in rows if row.sent_sequence is not None}
        had = [m for m in future if m.id in sent and m.status is MeetingStatus.CONFIRMED]
        # A meeting cancelled in the same round as her removal (both waited for the worker)
        # was not cancelled for her yet: the cancel handler saw her gone already.
        uncancelled = [
            m
            for m in future
            if m.id in sent and m.status is MeetingStatus.CANCELLED and sent[m.id] < m.sequence
        ]
        if person is not None:
            mine = {(row.meeting_id, row.person_id): row for row in rows}
            organises = organizer is not None and person_id == organizer.id
            # A CANCEL comes from the organizer of the copy it cancels.
            sender = (former[0] if former else None) if organises else organizer
            ctx.composer.withdraw(
                collab,
                sender,
                person,
                uncancelled,
                mine,
                f"left{ctx.event.id}-cancelled",
                removed=False,
            )
            ctx.composer.withdraw(
                collab,
                sender,
                person,
                had,
                mine,
                f"left{ctx.event.id}",
                removed=True,
                organises=organises,
            )
            record_withdrawn(ctx.session, [(m, mine[(m.id, person_id)]) for m in had], ctx.now)
        for row in rows:
            ctx.session.delete(row)
    # Who no longer organises (another coordinator does, or she left) loses her own copies.
    for person in former:
        withdraw_organizer_copies(ctx.composer, collab, person, future, f"left{ctx.event.id}")
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
    offsets: dict[tuple[int, int], int] = {}
    for person_id, meeting_id, *offset in payload.invited:
        if meeting_id in meetings:
            invited[person_id].append(meeting_id)
            offsets[(meeting_id, person_id)] = offset[0] if offset else 0
    for person_id, meeting_ids in invited.items():
        person = ctx.session.get(Person, person_id)
        if person is None:
            continue
        chosen = sorted((meetings[i] for i in meeting_ids), key=lambda m: m.starts_at)
        rows = {
            (i, person_id): SimpleNamespace(
                sent_sequence=0, sequence_offset=offsets[(i, person_id)]
            )
            for i in meeting_ids
        }
        ctx.composer.withdraw(
            collab, organizer, person, chosen, rows, f"deleted{ctx.event.id}", removed=False
        )
    copies: dict[int, list[tuple[Meeting, int]]] = defaultdict(list)
    for person_id, meeting_id, sequence in payload.organizer_copies:
        if meeting_id in meetings:
            copies[person_id].append((meetings[meeting_id], sequence))
    for person_id, items in copies.items():
        if (person := ctx.session.get(Person, person_id)) is not None:
            cancel_deleted_copies(ctx.composer, collab, person, items)
