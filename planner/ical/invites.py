"""iTIP invitations (RFC 5546) for iMIP mail: REQUEST on plan and change, CANCEL on cancel.

Rules from shared ICAL.md §Invites: the coordinator is ORGANIZER (a bare mailto: that is the
From address), each partner one ATTENDEE with RSVP=TRUE (one message per partner keeps
addresses private), SEQUENCE 0 first and +1 per change, a fresh DTSTAMP on every message,
PARTSTAT back to NEEDS-ACTION when the time changed, and the VTIMEZONE included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vText

from planner.ical.items import AMSTERDAM
from planner.ical.render import PRODID, amsterdam_timezone, edge_value


class Method(StrEnum):
    """The iTIP methods the planner sends."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    REPLY = "REPLY"


@dataclass(frozen=True, slots=True)
class Party:
    """Someone on an invitation: a name and an e-mail address."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Invitation:
    """One meeting as sent to one attendee."""

    uid: str
    sequence: int
    summary: str
    start: datetime
    end: datetime
    zone: str
    organizer: Party
    attendee: Party
    description: str | None = None
    location: str | None = None
    # The attendee's answer so far (iCalendar PARTSTAT); NEEDS-ACTION after a change of time.
    partstat: str = "NEEDS-ACTION"
    # The mailbox that really sends for the organizer (RFC 5545 SENT-BY), if not the organizer.
    sent_by: str | None = None
    url: str | None = None
    # CHAIR on the organizing coordinator's own copy (see organizer_copy_uid), which asks for
    # no answer (RSVP=FALSE).
    role: str = "REQ-PARTICIPANT"
    rsvp: bool = True


# The organizing coordinator's copy of a meeting has a UID of its own: it names the planner as
# organizer (Outlook and Gmail add nothing to the calendar of an invitation's own organizer),
# and the partners' answers, which reach her mailbox under the meeting's UID, are not about it.
ORGANIZER_COPY_PREFIX = "organizer-"


def organizer_copy_uid(uid: str) -> str:
    """The UID of the organizing coordinator's own copy of the meeting with this UID."""
    return ORGANIZER_COPY_PREFIX + uid


def _address(party: Party, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{party.email}")
    address.params["CN"] = vText(party.name)
    for key, value in params.items():
        address.params[key] = value
    return address


def render_invitation(invitation: Invitation, method: Method, sent_at: datetime) -> bytes:
    """Return the VCALENDAR of one iTIP message (one meeting: iTIP allows one UID per message);
    `sent_at` becomes its DTSTAMP."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    if invitation.zone == AMSTERDAM:
        calendar.add_component(amsterdam_timezone())
    calendar.add_component(_event(invitation, method, sent_at))
    data: bytes = calendar.to_ical()
    return data


def _event(invitation: Invitation, method: Method, sent_at: datetime) -> Event:
    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", sent_at.astimezone(UTC))
    event.add("dtstart", edge_value(invitation.start, invitation.zone))
    event.add("dtend", edge_value(invitation.end, invitation.zone))
    event.add("summary", invitation.summary)
    if invitation.location:
        event.add("location", invitation.location)
    if invitation.description:
        event.add("description", invitation.description)
    if invitation.url:
        event.add("url", invitation.url)
    organizer = {"SENT-BY": f"mailto:{invitation.sent_by}"} if invitation.sent_by else {}
    event.add("organizer", _address(invitation.organizer, **organizer))
    if method is Method.CANCEL:
        # Nothing to answer: no RSVP request on a cancellation.
        event.add("attendee", _address(invitation.attendee, ROLE=invitation.role))
    else:
        event.add(
            "attendee",
            _address(
                invitation.attendee,
                ROLE=invitation.role,
                PARTSTAT=invitation.partstat,
                RSVP="TRUE" if invitation.rsvp else "FALSE",
            ),
        )
    if method is Method.CANCEL:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
    return event
