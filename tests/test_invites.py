"""iTIP invitations read back by two parsers: method, organizer, attendee, UID and SEQUENCE."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
import vobject

from planner.ical.invites import Invitation, Method, Party, render_invitation

COORDINATOR = Party("Anouk de Vries", "a.devries@minnaert.example")
PARTNER = Party("Esra Yilmaz, Groenendaal", "e.yilmaz@groenendaal.example")
SENT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _invitation(start: datetime, end: datetime, sequence: int = 0) -> Invitation:
    return Invitation(
        uid="9b1c6a3e-meeting@planner",
        sequence=sequence,
        summary="Startersbegeleiding Woerden",
        start=start,
        end=end,
        zone="Europe/Amsterdam",
        organizer=COORDINATOR,
        attendee=PARTNER,
        location="Minnaert College, Woerden",
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # 19:00 the day before and the day after the autumn DST Sunday, 25 Oct 2026.
        (datetime(2026, 10, 24, 17, 0, tzinfo=UTC), datetime(2026, 10, 24, 18, 30, tzinfo=UTC)),
        (datetime(2026, 10, 26, 18, 0, tzinfo=UTC), datetime(2026, 10, 26, 19, 30, tzinfo=UTC)),
        # …and around the spring one, 28 Mar 2027.
        (datetime(2027, 3, 27, 18, 0, tzinfo=UTC), datetime(2027, 3, 27, 19, 30, tzinfo=UTC)),
        (datetime(2027, 3, 29, 17, 0, tzinfo=UTC), datetime(2027, 3, 29, 18, 30, tzinfo=UTC)),
    ],
)
def test_a_request_reads_back_the_same_in_two_parsers(start: datetime, end: datetime) -> None:
    data = render_invitation(_invitation(start, end), Method.REQUEST, SENT)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == start
    assert event.decoded("DTEND").astimezone(UTC) == end
    assert event.decoded("DTSTART").hour == 19  # wall clock in Amsterdam
    assert str(event["ORGANIZER"]) == "mailto:a.devries@minnaert.example"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:e.yilmaz@groenendaal.example"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["CN"] == "Esra Yilmaz, Groenendaal"
    assert event["SEQUENCE"] == 0 and event.decoded("DTSTAMP") == SENT
    parsed = vobject.readOne(data.decode())
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.dtstart.value.astimezone(UTC) == start
    assert parsed.vevent.uid.value == "9b1c6a3e-meeting@planner"
    assert b"BEGIN:VTIMEZONE" in data and b"RDATE" not in data


def test_an_update_and_a_cancel_keep_the_uid_and_raise_the_sequence() -> None:
    start = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    end = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    update = icalendar.Calendar.from_ical(
        render_invitation(_invitation(start, end, sequence=1), Method.REQUEST, SENT)
    )
    cancel = icalendar.Calendar.from_ical(
        render_invitation(_invitation(start, end, sequence=2), Method.CANCEL, SENT)
    )
    (updated,) = update.walk("VEVENT")
    (cancelled,) = cancel.walk("VEVENT")
    assert updated["UID"] == cancelled["UID"] == "9b1c6a3e-meeting@planner"
    assert (updated["SEQUENCE"], cancelled["SEQUENCE"]) == (1, 2)
    assert cancel["METHOD"] == "CANCEL" and cancelled["STATUS"] == "CANCELLED"
    assert updated["STATUS"] == "CONFIRMED"
