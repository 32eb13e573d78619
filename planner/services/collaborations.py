"""Collaborations: members, people, meeting template and rhythm."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.domain.kinds import MeetingStatus, Role
from planner.errors import N_, NotFoundError, ValidationError
from planner.events import (
    CollaborationDeleted,
    CollaborationRef,
    EventKind,
    append_event,
)
from planner.inputs import (
    parse_id,
    reject_unknown_fields,
)
from planner.models import (
    Attendance,
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Meeting,
    Organisation,
    OrganizerCopy,
    Person,
)
from planner.services import memberships
from planner.services.attendance import organizer_of
from planner.services.collaboration_fields import (
    DEFAULTS,
    FIELDS,
    apply_fields,
    collaboration_fields,
    flatten,
    validate_collaboration,
)
from planner.services.organisations import find_organisation
from planner.services.people import find_person, resolve_person


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return value
    raise ValidationError(N_("%(field)s must be a list."), field=field)


def _members(session: Session, refs: Any) -> list[Organisation]:
    found: dict[int, Organisation] = {}
    for ref in _list(refs, "members"):
        org = find_organisation(session, ref)
        found.setdefault(org.id, org)
    if not found:
        raise ValidationError(N_("A collaboration needs at least one member organisation."))
    return list(found.values())


def _people(
    session: Session,
    coordinators: Any,
    participants: Any,
    now: datetime,
    actor: Person | None = None,
) -> list[tuple[Person, Role]]:
    chosen: dict[int, tuple[Person, Role]] = {}
    for ref in _list(coordinators, "coordinators"):
        person = _resolve(session, ref, now, actor)
        chosen.setdefault(person.id, (person, Role.COORDINATOR))
    if not 1 <= len(chosen) <= 2:
        raise ValidationError(N_("A collaboration has one or two coordinators."))
    for ref in _list(participants, "participants"):
        person = _resolve(session, ref, now, actor)
        chosen.setdefault(person.id, (person, Role.PARTICIPANT))
    return list(chosen.values())


def _resolve(session: Session, ref: Any, now: datetime, actor: Person | None) -> Person:
    """A person named in the people fields (or a stored one). A coordinator who is not a
    platform administrator names people by address only: a bare id would let them add anyone
    stored, and so see their name and address (the API and the CLI are for administrators,
    who may use ids)."""
    if isinstance(ref, Person):
        return ref
    if actor is not None and not actor.is_admin and parse_id(ref) is not None:
        raise NotFoundError(N_("Unknown person '%(ref)s'."), ref=str(ref).strip())
    return resolve_person(session, ref, now)


def _acting_coordinator(actor: Person | None) -> Person | None:
    """The person who must stay a coordinator of what they change: anyone but an administrator
    (who can open every collaboration anyway) and the API or CLI (no actor)."""
    return actor if actor is not None and not actor.is_admin else None


def _keep_actor(people: list[tuple[Person, Role]], actor: Person | None) -> None:
    coordinator = _acting_coordinator(actor)
    if coordinator is None:
        return
    if not any(person.id == coordinator.id and role is Role.COORDINATOR for person, role in people):
        raise ValidationError(
            N_(
                "Keep yourself as a coordinator: otherwise you could no longer open this "
                "collaboration. A platform administrator can hand it over."
            )
        )


def create_collaboration(
    session: Session, raw: Mapping[str, Any], now: datetime, *, actor: Person | None = None
) -> Collaboration:
    """Create a collaboration with its members, coordinators and participants.

    `actor` is who does it on a page: unless they are a platform administrator, they become a
    coordinator of what they make (the first one) when they did not name themselves.
    """
    fields = flatten(raw)
    reject_unknown_fields(fields, FIELDS - {"rhythm", "template"})
    merged = {**DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
    data = validate_collaboration(merged)
    members = _members(session, fields.get("members"))
    coordinators = _list(fields.get("coordinators"), "coordinators")
    if (me := _acting_coordinator(actor)) is not None:
        named = [_resolve(session, ref, now, actor).id for ref in coordinators]
        if me.id not in named:
            coordinators = [me, *coordinators]
    people = _people(session, coordinators, fields.get("participants"), now, actor)
    collab = Collaboration(created_at=now, updated_at=now)
    apply_fields(collab, data)
    collab.members = [
        memberships.new_member(session, collab, org, index, now, actor)
        for index, org in enumerate(members)
    ]
    collab.people = [
        CollaborationPerson(person=person, role=role, position=index)
        for index, (person, role) in enumerate(people)
    ]
    session.add(collab)
    session.flush()
    append_event(session, EventKind.COLLABORATION_CREATED, CollaborationRef(collab.id), now)
    memberships.ask_new_members(session, collab, list(collab.members), now)
    return collab


def _replace_members(
    session: Session,
    collab: Collaboration,
    members: list[Organisation],
    now: datetime,
    actor: Person | None,
) -> None:
    """Set the members in this order: a school that stays keeps its answer (and is not asked
    again), a school added is asked, a school dropped loses its membership."""
    kept = {member.organisation_id: member for member in collab.members}
    wanted = {org.id for org in members}
    for member in list(collab.members):
        if member.organisation_id not in wanted:
            collab.members.remove(member)
    session.flush()
    added = []
    for index, org in enumerate(members):
        if (staying := kept.get(org.id)) is not None:
            staying.position = index
        else:
            member = memberships.new_member(session, collab, org, index, now, actor)
            collab.members.append(member)
            added.append(member)
    collab.members.sort(key=lambda member: member.position)
    session.flush()
    memberships.ask_new_members(session, collab, added, now)


def update_collaboration(
    session: Session,
    collab: Collaboration,
    changes: Mapping[str, Any],
    now: datetime,
    *,
    actor: Person | None = None,
) -> Collaboration:
    """Change a collaboration; members and people are replaced when given.

    `actor` is who does it on a page: unless they are a platform administrator, they may not
    drop themselves as a coordinator (they could no longer open it).
    """
    fields = flatten(changes)
    reject_unknown_fields(fields, FIELDS - {"rhythm", "template"})
    before = collaboration_fields(collab)
    scalar_changes = {k: v for k, v in fields.items() if k in before}
    if (
        "start_time" in scalar_changes
        and "latest_start" not in scalar_changes
        and before["latest_start"] == before["start_time"]
    ):
        # A new fixed start moves the window with it.
        scalar_changes["latest_start"] = scalar_changes["start_time"]
    data = validate_collaboration({**before, **scalar_changes})
    apply_fields(collab, data)
    changed = collaboration_fields(collab) != before
    if "members" in fields:
        members = _members(session, fields["members"])
        old = [member.organisation_id for member in collab.members]
        if old != [org.id for org in members]:
            _replace_members(session, collab, members, now, actor)
            changed = True
    if "coordinators" in fields or "participants" in fields:
        current_coordinators = [p.person for p in collab.people if p.role is Role.COORDINATOR]
        current_participants = [p.person for p in collab.people if p.role is Role.PARTICIPANT]
        people = _people(
            session,
            fields.get("coordinators", current_coordinators),
            fields.get("participants", current_participants),
            now,
            actor,
        )
        _keep_actor(people, actor)
        if [(p.person_id, p.role) for p in collab.people] != [(p.id, r) for p, r in people]:
            essential = {p.person_id for p in collab.people if p.essential}  # who stays, keeps it
            collab.people.clear()
            session.flush()
            collab.people.extend(
                CollaborationPerson(
                    person=person, role=role, position=index, essential=person.id in essential
                )
                for index, (person, role) in enumerate(people)
            )
            changed = True
    if changed:
        collab.updated_at = now
        session.flush()
        append_event(session, EventKind.COLLABORATION_CHANGED, CollaborationRef(collab.id), now)
    return collab


def delete_collaboration(session: Session, collab: Collaboration, now: datetime) -> None:
    """Delete a collaboration with its meetings.

    The event carries what the worker needs to send a CANCEL for every future meeting to
    everyone who was invited to it, since the meetings themselves are gone by then.
    """
    future = list(
        session.scalars(
            select(Meeting).where(
                Meeting.collaboration_id == collab.id,
                Meeting.status == MeetingStatus.CONFIRMED,
                Meeting.ends_at > now,
            )
        )
    )
    invited = (
        session.execute(
            select(Attendance.person_id, Attendance.meeting_id, Attendance.sequence_offset).where(
                Attendance.meeting_id.in_([m.id for m in future]),
                Attendance.sent_sequence.is_not(None),
            )
        ).all()
        if future
        else []
    )
    copies = (
        session.execute(
            select(OrganizerCopy.person_id, OrganizerCopy.meeting_id, OrganizerCopy.sequence).where(
                OrganizerCopy.meeting_id.in_([m.id for m in future]),
                OrganizerCopy.withdrawn.is_(False),
            )
        ).all()
        if future
        else []
    )
    organizer = organizer_of(collab)
    append_event(
        session,
        EventKind.COLLABORATION_DELETED,
        CollaborationDeleted(
            collaboration_id=collab.id,
            name=collab.name,
            organizer_id=organizer.id if organizer else None,
            meetings=[
                {
                    "id": m.id,
                    "uid": m.uid,
                    "sequence": m.sequence + 1,
                    "starts_at": m.starts_at.isoformat(),
                    "ends_at": m.ends_at.isoformat(),
                    "timezone": m.timezone,
                    "location": m.location,
                }
                for m in future
            ],
            invited=[list(row) for row in invited],
            organizer_copies=[list(row) for row in copies],
        ),
        now,
    )
    session.delete(collab)
    session.flush()


def _loaded() -> Any:
    return (
        selectinload(Collaboration.members).selectinload(CollaborationMember.organisation),
        selectinload(Collaboration.people).selectinload(CollaborationPerson.person),
    )


def get_collaboration(session: Session, ref: str | int) -> Collaboration:
    """Return a collaboration by id, or raise NotFoundError."""
    text = str(ref).strip()
    collab_id = parse_id(text)
    collab = (
        session.scalar(
            select(Collaboration).where(Collaboration.id == collab_id).options(*_loaded())
        )
        if collab_id
        else None
    )
    if collab is None:
        raise NotFoundError(N_("Unknown collaboration '%(ref)s'."), ref=text)
    return collab


def list_collaborations(session: Session, ids: Iterable[int] | None = None) -> list[Collaboration]:
    """List every collaboration (or those with the given ids) by name, members and people loaded."""
    query = select(Collaboration).order_by(Collaboration.name, Collaboration.id).options(*_loaded())
    if ids is not None:
        query = query.where(Collaboration.id.in_(list(ids)))
    return list(session.scalars(query))


def member_organisations(collab: Collaboration) -> list[Organisation]:
    """Return the member organisations in rotation order."""
    return [member.organisation for member in collab.members]


def coordinators(collab: Collaboration) -> list[Person]:
    """Return the coordinators."""
    return [link.person for link in collab.people if link.role is Role.COORDINATOR]


def set_essential(
    session: Session, collab: Collaboration, ref: Any, essential: bool, now: datetime
) -> CollaborationPerson:
    """Mark one of the collaboration's people as essential (a meeting needs her, so her own
    busy time is a hard obstacle for the planner), or no longer."""
    if not isinstance(essential, bool):
        raise ValidationError(N_("essential: give true or false."))
    person = find_person(session, ref)
    link = next((p for p in collab.people if p.person_id == person.id), None)
    if link is None:
        raise NotFoundError(
            N_("%(name)s does not take part in %(collaboration)s."),
            name=person.name,
            collaboration=collab.name,
        )
    if link.essential != essential:
        link.essential = essential
        collab.updated_at = now
        session.flush()
    return link
