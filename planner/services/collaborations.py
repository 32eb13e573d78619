"""Collaborations: members, people, meeting template and rhythm."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.domain.kinds import LOCATION_WORDS, LocationMode, MeetingStatus, Role
from planner.errors import N_, NotFoundError, ValidationError
from planner.events import (
    CollaborationDeleted,
    CollaborationRef,
    EventKind,
    append_event,
)
from planner.inputs import (
    optional_text,
    parse_bool,
    parse_choice,
    parse_id,
    parse_int,
    parse_time,
    parse_weekdays,
    reject_unknown_fields,
    required_text,
)
from planner.models import (
    Attendance,
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    Meeting,
    Organisation,
    Person,
)
from planner.services.organisations import find_organisation
from planner.services.people import resolve_person

RHYTHM_FIELDS = {"target_weeks", "max_gap_weeks", "count_holidays", "keep_planned_weeks"}
TEMPLATE_FIELDS = {
    "duration_minutes",
    "weekdays",
    "start_time",
    "latest_start",
    "location",
    "location_note",
    "reminder_hours",
}
FIELDS = (
    {"name", "ambition", "members", "coordinators", "participants", "rhythm", "template"}
    | RHYTHM_FIELDS
    | TEMPLATE_FIELDS
)
DEFAULTS: dict[str, Any] = {
    "duration_minutes": 90,
    "weekdays": "di,wo,do",
    "start_time": "15:30",
    "location": "rotate",
    "target_weeks": 6,
    "max_gap_weeks": 8,
    "count_holidays": False,
}


@dataclass(frozen=True)
class CollaborationData:
    """Validated fields of a collaboration (people and members still as references)."""

    name: str
    ambition: str | None
    target_weeks: int
    max_gap_weeks: int
    count_holidays: bool
    duration_minutes: int
    weekdays: tuple[int, ...]
    earliest_start: time
    latest_start: time
    location_mode: LocationMode
    location_note: str | None
    reminder_hours: int | None = None
    keep_planned_weeks: int | None = None


def _optional_int(value: Any, field: str, low: int, high: int) -> int | None:
    return None if value in (None, "") else parse_int(value, field, low, high)


def flatten(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the nested `rhythm` and `template` objects of the JSON shape as flat fields."""
    flat = dict(raw)
    for key, allowed in (("rhythm", RHYTHM_FIELDS), ("template", TEMPLATE_FIELDS)):
        nested = flat.pop(key, None)
        if nested is None:
            continue
        if not isinstance(nested, Mapping):
            raise ValidationError(N_("%(field)s must be an object."), field=key)
        reject_unknown_fields(nested, allowed | {"timezone"})
        flat.update({k: v for k, v in nested.items() if k != "timezone"})
    return flat


def validate_collaboration(raw: Mapping[str, Any]) -> CollaborationData:
    """Check the scalar fields of a collaboration and return them typed."""
    target = parse_int(raw.get("target_weeks"), "target_weeks", 1, 26)
    max_gap = parse_int(raw.get("max_gap_weeks"), "max_gap_weeks", 1, 52)
    if target > max_gap:
        raise ValidationError(
            N_(
                "The target interval (%(target)s weeks) is longer than the maximum gap "
                "(%(max)s weeks); the maximum gap must be at least the target."
            ),
            target=target,
            max=max_gap,
        )
    earliest = parse_time(raw.get("start_time"), "start_time")
    latest_raw = raw.get("latest_start")
    latest = parse_time(latest_raw, "latest_start") if latest_raw not in (None, "") else earliest
    if latest < earliest:
        raise ValidationError(
            N_("The latest start (%(latest)s) is before the start time (%(earliest)s)."),
            latest=latest.strftime("%H:%M"),
            earliest=earliest.strftime("%H:%M"),
        )
    duration = parse_int(raw.get("duration_minutes"), "duration_minutes", 15, 600)
    return CollaborationData(
        name=required_text(raw.get("name"), 200, "name"),
        ambition=optional_text(raw.get("ambition"), 500, "ambition"),
        target_weeks=target,
        max_gap_weeks=max_gap,
        count_holidays=parse_bool(raw.get("count_holidays"), "count_holidays"),
        duration_minutes=duration,
        weekdays=parse_weekdays(raw.get("weekdays")),
        earliest_start=earliest,
        latest_start=latest,
        location_mode=parse_choice(raw.get("location"), LocationMode, "location", LOCATION_WORDS),
        location_note=optional_text(raw.get("location_note"), 500, "location_note"),
        reminder_hours=_optional_int(raw.get("reminder_hours"), "reminder_hours", 0, 720),
        keep_planned_weeks=_optional_int(
            raw.get("keep_planned_weeks"), "keep_planned_weeks", 1, 104
        ),
    )


def collaboration_fields(collab: Collaboration) -> dict[str, Any]:
    """Return the scalar fields of a collaboration as raw values."""
    return {
        "name": collab.name,
        "ambition": collab.ambition,
        "target_weeks": collab.target_weeks,
        "max_gap_weeks": collab.max_gap_weeks,
        "count_holidays": collab.count_holidays,
        "duration_minutes": collab.duration_minutes,
        "weekdays": [int(day) for day in collab.weekdays],
        "start_time": collab.earliest_start.strftime("%H:%M"),
        "latest_start": collab.latest_start.strftime("%H:%M"),
        "location": collab.location_mode.value,
        "location_note": collab.location_note,
        "reminder_hours": collab.reminder_hours,
        "keep_planned_weeks": collab.keep_planned_weeks,
    }


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


def _apply(collab: Collaboration, data: CollaborationData) -> None:
    collab.name = data.name
    collab.ambition = data.ambition
    collab.target_weeks = data.target_weeks
    collab.max_gap_weeks = data.max_gap_weeks
    collab.count_holidays = data.count_holidays
    collab.duration_minutes = data.duration_minutes
    collab.weekdays = "".join(str(day) for day in data.weekdays)
    collab.earliest_start = data.earliest_start
    collab.latest_start = data.latest_start
    collab.location_mode = data.location_mode
    collab.location_note = data.location_note
    collab.reminder_hours = data.reminder_hours
    collab.keep_planned_weeks = data.keep_planned_weeks


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
    _apply(collab, data)
    collab.members = [
        CollaborationMember(organisation=org, position=index) for index, org in enumerate(members)
    ]
    collab.people = [
        CollaborationPerson(person=person, role=role, position=index)
        for index, (person, role) in enumerate(people)
    ]
    session.add(collab)
    session.flush()
    append_event(session, EventKind.COLLABORATION_CREATED, CollaborationRef(collab.id), now)
    return collab


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
    _apply(collab, data)
    changed = collaboration_fields(collab) != before
    if "members" in fields:
        members = _members(session, fields["members"])
        old = [member.organisation_id for member in collab.members]
        if old != [org.id for org in members]:
            collab.members.clear()
            session.flush()
            collab.members.extend(
                CollaborationMember(organisation=org, position=index)
                for index, org in enumerate(members)
            )
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
            collab.people.clear()
            session.flush()
            collab.people.extend(
                CollaborationPerson(person=person, role=role, position=index)
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
            select(Attendance.person_id, Attendance.meeting_id).where(
                Attendance.meeting_id.in_([m.id for m in future]),
                Attendance.sent_sequence.is_not(None),
            )
        ).all()
        if future
        else []
    )
    organizer = next((p.person_id for p in collab.people if p.role is Role.COORDINATOR), None)
    append_event(
        session,
        EventKind.COLLABORATION_DELETED,
        CollaborationDeleted(
            collaboration_id=collab.id,
            name=collab.name,
            organizer_id=organizer,
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
            invited=[[person_id, meeting_id] for person_id, meeting_id in invited],
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
