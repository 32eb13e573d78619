"""The event contract: every kind has one payload class, and is either handled by the worker
or recorded only, with a reason."""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from types import UnionType

import pytest
from sqlalchemy.orm import Session

from planner.events import (
    PAYLOADS,
    RECORD_ONLY,
    BusyPeriodChange,
    EventKind,
    MeetingMoved,
    PersonRef,
    append_event,
    payload_of,
)
from planner.messaging import dispatch  # noqa: F401  (registers every handler)
from planner.messaging.registry import HANDLERS

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def test_every_kind_is_handled_or_recorded_only() -> None:
    handled = set(HANDLERS)
    record_only = set(RECORD_ONLY)
    assert handled & record_only == set(), "a kind is both handled and record-only"
    assert handled | record_only == set(EventKind), set(EventKind) - handled - record_only
    assert all(reason.strip() for reason in RECORD_ONLY.values())
    assert set(PAYLOADS) == set(EventKind)


@pytest.mark.parametrize("kind", sorted(HANDLERS), ids=str)
def test_a_handler_takes_the_payload_class_of_its_kind(kind: EventKind) -> None:
    handler = HANDLERS[kind]
    annotated = typing.get_type_hints(handler)["payload"]
    accepted = set(typing.get_args(annotated)) if isinstance(annotated, UnionType) else {annotated}
    assert PAYLOADS[kind] in accepted, f"{handler.__name__} does not take {PAYLOADS[kind]}"


def test_an_event_refuses_a_payload_of_another_kind(session: Session) -> None:
    with pytest.raises(TypeError, match="carries"):
        append_event(session, EventKind.MEETING_MOVED, PersonRef(1), NOW)
    assert list(session.new) == []


def test_a_payload_is_stored_as_json_and_read_back_typed(session: Session) -> None:
    moved = MeetingMoved(
        meeting_id=3,
        collaboration_id=1,
        before={"day": "2026-10-06", "starts_at": "2026-10-06T13:30:00+00:00"},
        after={"day": "2026-10-13", "starts_at": "2026-10-13T13:30:00+00:00"},
        sequence=1,
    )
    event = append_event(session, EventKind.MEETING_MOVED, moved, NOW)
    session.flush()
    assert event.kind == "meeting.moved" and event.payload["after"]["day"] == "2026-10-13"
    assert payload_of(event) == moved


def test_an_older_row_still_reads_fields_it_lacks_get_their_default(session: Session) -> None:
    """A row written before `before` existed, with a field no longer known, still dispatches."""
    event = append_event(
        session,
        EventKind.BUSY_PERIOD_CREATED,
        BusyPeriodChange(1, 2, None, "2026-10-05", "2026-10-09", "hard"),
        NOW,
    )
    event.payload = {key: value for key, value in event.payload.items() if key != "before"}
    event.payload["retired_field"] = True
    payload = payload_of(event)
    assert isinstance(payload, BusyPeriodChange) and payload.before is None
