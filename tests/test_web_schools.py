"""School administration pages: a school's calendar, region, own holiday dates, closure days,
busy periods by dates or ISO weeks, and the import of the school's own year calendar."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from planner.domain.kinds import BusyKind, MeetingStatus, Severity
from planner.errors import ValidationError
from planner.models import (
    BusyPeriod,
    ClosureDay,
    CollaborationMember,
    Event,
    HolidayOverride,
    Meeting,
    Organisation,
)
from planner.services.calendar_import import ImportRow, rows_from_data, rows_to_data
from planner.web.views.schools.imports import IMPORT_SALT
from tests.factories import organisation_by_brin, person_by_email
from tests.helpers import count_rows
from tests.web import csrf_token, login, post
from tests.web import text_of as page_text

# A school's year calendar as Outlook exports it: a Windows time zone, folded lines, all-day
# events with exclusive ends, a timed event, a repeating one and one from last year.
SCHOOL_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
X-WR-CALNAME:Jaarplanning Minnaert College 2026-2027
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:tw1@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;VALUE=DATE:20261109
DTEND;VALUE=DATE:20261114
SUMMARY:Toetsweek 1 (klas 1-3)
END:VEVENT
BEGIN:VEVENT
UID:od@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;VALUE=DATE:20270206
DTEND;VALUE=DATE:20270207
SUMMARY:Open dag voor groep 8
END:VEVENT
BEGIN:VEVENT
UID:sd@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;VALUE=DATE:20261130
DTEND;VALUE=DATE:20261201
SUMMARY:Studiedag - leerlingen vrij
END:VEVENT
BEGIN:VEVENT
UID:oa@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;TZID=W. Europe Standard Time:20270210T190000
DTEND;TZID=W. Europe Standard Time:20270210T213000
SUMMARY:Open avond
DESCRIPTION:Voor ouders en leerlingen van groep 8\\, met rondleiding
 door het gebouw.
END:VEVENT
BEGIN:VEVENT
UID:pta@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;VALUE=DATE:20270315
DTEND;VALUE=DATE:20270320
SUMMARY:PTA-week bovenbouw
END:VEVENT
BEGIN:VEVENT
UID:sectie@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;TZID=W. Europe Standard Time:20260908T153000
DTEND;TZID=W. Europe Standard Time:20260908T170000
RRULE:FREQ=MONTHLY;BYDAY=2TU
SUMMARY:Sectieoverleg
END:VEVENT
BEGIN:VEVENT
UID:old@minnaert.example
DTSTAMP:20260601T080000Z
DTSTART;VALUE=DATE:20250901
SUMMARY:Toetsweek vorig jaar
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")

SCHOOL_CSV = """Datum;Tot en met;Omschrijving;Opmerking
9-11-2026;13-11-2026;Proefwerkweek havo/vwo;
03-02-2027;;Open dag;"met informatieavond; ook voor ouders"
2027-03-24;;Rapportvergadering;
12-4-2027;16-4-2027;Schoolreis 2e klas;
"""


@pytest.fixture
def minnaert(session: Session, browser: FlaskClient, demo: None) -> Organisation:
    """Logged in as the school administrator of Minnaert College (91XA), in English."""
    login(browser, person_by_email(session, "roosters@minnaert.example"))
    browser.get("/language/en")
    return organisation_by_brin(session, "91XA")


def _periods(session: Session, org: Organisation, **where: object) -> list[BusyPeriod]:
    session.expire_all()
    query = select(BusyPeriod).where(BusyPeriod.organisation_id == org.id)
    for name, value in where.items():
        query = query.where(getattr(BusyPeriod, name) == value)
    return list(session.scalars(query.order_by(BusyPeriod.first_on)))


def _events(session: Session, kind: str) -> int:
    return session.scalar(select(func.count()).select_from(Event).where(Event.kind == kind)) or 0


def _state(app: Flask, session: Session) -> tuple[object, ...]:
    """Everything a school page can change, to show that a refused request changed nothing."""
    session.expire_all()
    regions = tuple(session.scalars(select(Organisation.region).order_by(Organisation.id)))
    return (
        count_rows(app, BusyPeriod),
        count_rows(app, HolidayOverride),
        count_rows(app, ClosureDay),
        count_rows(app, Event),
        regions,
        tuple(
            (p.kind, p.first_on, p.last_on, p.severity, p.note)
            for p in session.scalars(select(BusyPeriod).order_by(BusyPeriod.id))
        ),
    )


def text_of(response: TestResponse) -> str:
    """The page's visible text, with entities such as &#39; read as characters."""
    return html.unescape(page_text(response))


# --- Who may see what ----------------------------------------------------------------------------


def test_school_admin_sees_only_their_school(browser: FlaskClient, minnaert: Organisation) -> None:
    page = browser.get("/schools")
    assert page.status_code == 200
    text = text_of(page)
    assert "Minnaert College" in text and "91XA" in text and "midden" in text
    assert "Groenendaal" not in text
    assert f'href="/schools/{minnaert.id}?year=2026-2027"' in page.get_data(as_text=True)


def test_platform_admin_sees_every_school(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    login(browser, person_by_email(session, "beheer@planner.example"))
    text = text_of(browser.get("/schools?lang=en"))
    assert "Minnaert College" in text and "Groenendaal Lyceum" in text
    groenendaal = organisation_by_brin(session, "91XB")
    assert browser.get(f"/schools/{groenendaal.id}").status_code == 200


def test_someone_who_administers_no_school_gets_an_empty_state(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    login(browser, person_by_email(session, "a.devries@minnaert.example"))
    text = text_of(browser.get("/schools?lang=en"))
    assert "You do not administer a school's calendar." in text
    assert "Ask a platform administrator" in text
    minnaert = organisation_by_brin(session, "91XA")
    assert browser.get(f"/schools/{minnaert.id}").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    org = organisation_by_brin(session, "91XA")
    for url in ("/schools", f"/schools/{org.id}", f"/schools/{org.id}/import"):
        response = browser.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    before = _state(app, session)
    response = post(
        browser,
        f"/schools/{org.id}/busy-periods?year=2026-2027",
        {"kind": "test_week", "weeks": "45", "school_year": "2026-2027"},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _state(app, session) == before


def test_another_school_is_forbidden_and_nothing_changes(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    groenendaal = organisation_by_brin(session, "91XB")
    theirs = _periods(session, groenendaal)[0]
    override = session.scalars(
        select(HolidayOverride).where(HolidayOverride.organisation_id == groenendaal.id)
    ).first()
    assert override is not None
    base = f"/schools/{groenendaal.id}"
    for url in (base, f"{base}/import", f"{base}/busy-periods/{theirs.id}/edit"):
        assert browser.get(url).status_code == 403
    before = _state(app, session)
    attempts = {
        f"{base}/region": {"region": "noord"},
        f"{base}/closure-days": {"kinds": "bevrijdingsdag"},
        f"{base}/holidays/voorjaarsvakantie?year=2026-2027": {
            "voorjaarsvakantie-first_day": "2027-02-13",
            "voorjaarsvakantie-last_day": "2027-02-21",
        },
        f"{base}/holiday-overrides/{override.id}/delete": {},
        f"{base}/busy-periods?year=2026-2027": {
            "kind": "test_week",
            "weeks": "45",
            "school_year": "2026-2027",
        },
        f"{base}/busy-periods/{theirs.id}/edit": {"kind": "other", "first_day": "2026-11-02"},
        f"{base}/busy-periods/{theirs.id}/delete": {},
        f"{base}/import/confirm": {"payload": "x"},
    }
    for url, data in attempts.items():
        assert post(browser, url, data).status_code == 403, url
    # Through their own school's address, another school's rows are not found.
    mine = f"/schools/{minnaert.id}"
    assert browser.get(f"{mine}/busy-periods/{theirs.id}/edit").status_code == 404
    assert post(browser, f"{mine}/busy-periods/{theirs.id}/delete").status_code == 404
    assert post(browser, f"{mine}/holiday-overrides/{override.id}/delete").status_code == 404
    assert browser.get("/schools/9999").status_code == 404
    assert _state(app, session) == before


# --- The school's calendar -----------------------------------------------------------------------


def test_school_page_shows_the_calendar_of_the_school_year(
    browser: FlaskClient, minnaert: Organisation
) -> None:
    page = browser.get(f"/schools/{minnaert.id}?year=2026-2027")
    assert page.status_code == 200
    text = text_of(page)
    # Its test weeks with ISO week numbers, the school holidays of midden, public holidays.
    assert "Test week Mon 9 Nov 2026 – Fri 20 Nov 2026 46–47 hard" in text
    assert "Autumn holiday Sat 17 Oct 2026 – Sun 25 Oct 2026 42–43 advisory" in text
    assert "Christmas holiday Sat 19 Dec 2026 – Sun 3 Jan 2027 51–53 compulsory" in text
    assert "Koningsdag" in text or "King's Day" in text
    # Closure days the school chose are ticked.
    html = page.get_data(as_text=True)
    assert re.search(r'value="goede_vrijdag"[^>]*checked|checked[^>]*value="goede_vrijdag"', html)
    assert not re.search(
        r'checked[^>]*value="bevrijdingsdag"|value="bevrijdingsdag"[^>]*checked', html
    )
    assert "Goede Vrijdag (Fri 26 Mar 2027)" in text
    # Another year by ?year=; a malformed one is refused.
    assert "Test week Mon 10 Nov 2025 – Fri 21 Nov 2025" in text_of(
        browser.get(f"/schools/{minnaert.id}?year=2025-2026")
    )
    assert browser.get(f"/schools/{minnaert.id}?year=2026").status_code == 400


def test_default_school_year_is_the_current_one(
    app: Flask, browser: FlaskClient, minnaert: Organisation
) -> None:
    assert "school year 2026-2027" in text_of(browser.get(f"/schools/{minnaert.id}"))
    app.config["FROZEN_NOW"] = "2027-08-02T08:00:00Z"
    assert "school year 2027-2028" in text_of(browser.get(f"/schools/{minnaert.id}"))


# --- Busy periods --------------------------------------------------------------------------------


def test_adding_a_test_week_by_iso_week_stores_monday_to_friday(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    events = _events(session, "busy_period.created")
    response = post(
        browser,
        f"/schools/{minnaert.id}/busy-periods?year=2026-2027",
        {
            "kind": "test_week",
            "severity": "",
            "weeks": "45",
            "school_year": "2026-2027",
            "note": "Extra toetsweek",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/schools/{minnaert.id}?year=2026-2027#busy-periods"
    )
    [added] = _periods(session, minnaert, note="Extra toetsweek")
    assert (added.first_on, added.last_on) == (date(2026, 11, 2), date(2026, 11, 6))
    assert added.kind is BusyKind.TEST_WEEK and added.severity is Severity.HARD
    assert added.source == "manual"
    assert _events(session, "busy_period.created") == events + 1
    page = text_of(browser.get(response.headers["Location"]))
    assert "Added: Test week, Mon 2 Nov 2026 – Fri 6 Nov 2026 (week 45)." in page


def test_adding_by_dates_and_a_week_range(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    url = f"/schools/{minnaert.id}/busy-periods?year=2026-2027"
    post(browser, url, {"kind": "open_day", "first_day": "2027-02-13", "note": "Open dag 2"})
    post(
        browser,
        url,
        {"kind": "report_meetings", "weeks": "week 3 t/m 4", "school_year": "2026-2027"},
    )
    post(browser, url, {"kind": "other", "first_day": "28-6-2027", "last_day": "30-6-2027"})
    [open_day] = _periods(session, minnaert, note="Open dag 2")
    assert (open_day.first_on, open_day.last_on) == (date(2027, 2, 13), date(2027, 2, 13))
    [reports] = _periods(session, minnaert, first_on=date(2027, 1, 18))
    assert reports.last_on == date(2027, 1, 29) and reports.severity is Severity.SOFT
    [other] = _periods(session, minnaert, first_on=date(2027, 6, 28))
    assert other.last_on == date(2027, 6, 30)


def test_backwards_dates_are_refused_in_dutch_and_nothing_is_stored(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    browser.get("/language/nl")
    before = _state(app, session)
    url = f"/schools/{minnaert.id}/busy-periods?year=2026-2027"
    response = post(
        browser, url, {"kind": "test_week", "first_day": "2026-11-09", "last_day": "2026-11-02"}
    )
    assert response.status_code == 400
    assert "De laatste dag (2026-11-02) ligt vóór de eerste dag (2026-11-09)." in text_of(response)
    both = post(
        browser,
        url,
        {"kind": "test_week", "first_day": "2026-11-09", "weeks": "45", "school_year": "2026-2027"},
    )
    assert both.status_code == 400
    assert "Geef data of weken op, niet allebei." in text_of(both)
    bad_week = post(browser, url, {"kind": "test_week", "weeks": "54", "school_year": "2026-2027"})
    assert bad_week.status_code == 400 and "Week 54 bestaat niet" in text_of(bad_week)
    bad_day = post(browser, url, {"kind": "test_week", "first_day": "31-02-2027"})
    assert bad_day.status_code == 400 and "'31-02-2027' is geen datum" in text_of(bad_day)
    bad_kind = post(browser, url, {"kind": "party", "first_day": "2026-11-09"})
    assert bad_kind.status_code == 400
    assert _state(app, session) == before


def test_a_busy_period_on_a_planned_meeting_warns_about_it(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    meeting = session.scalars(
        select(Meeting)
        .join(CollaborationMember, CollaborationMember.collaboration_id == Meeting.collaboration_id)
        .where(
            CollaborationMember.organisation_id == minnaert.id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Meeting.day > date(2026, 9, 1),
        )
        .order_by(Meeting.starts_at)
    ).first()
    assert meeting is not None
    conflicts = _events(session, "busy_period.created")
    response = post(
        browser,
        f"/schools/{minnaert.id}/busy-periods?year=2026-2027",
        {"kind": "study_day", "first_day": meeting.day.isoformat()},
        follow_redirects=True,
    )
    text = text_of(response)
    assert "This falls on 1 planned meeting: Startersbegeleiding Woerden" in text
    assert "coordinators will be told" in text
    assert _events(session, "busy_period.created") == conflicts + 1


def test_editing_and_deleting_a_busy_period(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    period = _periods(session, minnaert, kind=BusyKind.STUDY_DAY, first_on=date(2026, 10, 5))[0]
    edit = f"/schools/{minnaert.id}/busy-periods/{period.id}/edit"
    form = browser.get(edit)
    assert form.status_code == 200 and 'value="2026-10-05"' in form.get_data(as_text=True)
    # Week numbers typed over the dates as shown replace them.
    response = post(
        browser,
        edit,
        {
            "kind": "study_day",
            "severity": "soft",
            "first_day": "2026-10-05",
            "last_day": "2026-10-05",
            "weeks": "41",
            "school_year": "2026-2027",
        },
    )
    assert response.status_code == 302
    session.refresh(period)
    assert (period.first_on, period.last_on) == (date(2026, 10, 5), date(2026, 10, 9))
    assert period.severity is Severity.SOFT
    assert "Saved: Study day, Mon 5 Oct 2026 – Fri 9 Oct 2026 (week 41)." in text_of(
        browser.get(response.headers["Location"])
    )
    refused = post(
        browser, edit, {"kind": "study_day", "first_day": "2026-10-09", "last_day": "2026-10-05"}
    )
    assert refused.status_code == 400
    session.refresh(period)
    assert period.last_on == date(2026, 10, 9)

    delete = f"/schools/{minnaert.id}/busy-periods/{period.id}/delete"
    confirm = text_of(browser.get(delete))
    assert "Delete this busy period of Minnaert College?" in confirm
    assert "Study day, Mon 5 Oct 2026 – Fri 9 Oct 2026 (week 41)" in confirm
    assert _periods(session, minnaert, id=period.id)  # asking deletes nothing
    deleted = post(browser, delete, follow_redirects=True)
    assert "Deleted: Study day" in text_of(deleted)
    assert not _periods(session, minnaert, id=period.id)
    assert _events(session, "busy_period.deleted") == 1


def test_delete_without_a_csrf_token_is_refused(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    period = _periods(session, minnaert)[0]
    response = browser.post(f"/schools/{minnaert.id}/busy-periods/{period.id}/delete")
    assert response.status_code == 400
    assert _periods(session, minnaert, id=period.id)


# --- Region, own holiday dates, closure days -----------------------------------------------------


def test_changing_the_holiday_region(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    response = post(browser, f"/schools/{minnaert.id}/region?year=2026-2027", {"region": "noord"})
    assert response.status_code == 302
    session.refresh(minnaert)
    assert minnaert.region == "noord"
    assert _events(session, "organisation.changed") == 1
    page = text_of(browser.get(response.headers["Location"]))
    assert "Holiday region is now noord." in page
    assert "School holidays 2026-2027, region noord" in page
    bad = post(browser, f"/schools/{minnaert.id}/region", {"region": "oost"})
    assert bad.status_code == 400
    session.refresh(minnaert)
    assert minnaert.region == "noord"


def test_a_region_change_that_conflicts_with_own_holiday_dates_is_refused(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    login(browser, person_by_email(session, "roosters@groenendaal.example"))
    groenendaal = organisation_by_brin(session, "91XB")
    before = _state(app, session)
    response = post(browser, f"/schools/{groenendaal.id}/region?year=2026-2027", {"region": "zuid"})
    assert response.status_code == 409
    assert (
        "Groenendaal Lyceum heeft eigen data voor 1 schoolvakantie(s) van regio midden"
        in text_of(response)
    )
    assert _state(app, session) == before


def test_own_dates_for_an_advisory_holiday(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    url = f"/schools/{minnaert.id}/holidays/voorjaarsvakantie?year=2026-2027"
    events = _events(session, "holiday_override.set")
    response = post(
        browser,
        url,
        {
            "voorjaarsvakantie-first_day": "2027-02-13",
            "voorjaarsvakantie-last_day": "2027-02-21",
            "voorjaarsvakantie-note": "Zoals het primair onderwijs",
        },
    )
    assert response.status_code == 302
    [override] = session.scalars(
        select(HolidayOverride).where(HolidayOverride.organisation_id == minnaert.id)
    ).all()
    assert (override.name, override.school_year) == ("voorjaarsvakantie", "2026-2027")
    assert (override.first_on, override.last_on) == (date(2027, 2, 13), date(2027, 2, 21))
    page = text_of(browser.get(response.headers["Location"]))
    assert "Own dates for the Spring holiday: Sat 13 Feb 2027 – Sun 21 Feb 2027." in page
    assert (
        "Spring holiday Sat 13 Feb 2027 – Sun 21 Feb 2027 official: "
        "Sat 20 Feb 2027 – Sun 28 Feb 2027" in page
    )
    assert _events(session, "holiday_override.set") == events + 1

    # Compulsory dates cannot be moved, dates outside the school year are refused.
    refused = post(
        browser,
        f"/schools/{minnaert.id}/holidays/kerstvakantie?year=2026-2027",
        {"kerstvakantie-first_day": "2026-12-12", "kerstvakantie-last_day": "2026-12-27"},
    )
    assert refused.status_code == 400
    assert "has compulsory dates; a school cannot move it" in text_of(refused)
    outside = post(
        browser,
        url,
        {"voorjaarsvakantie-first_day": "2027-08-13", "voorjaarsvakantie-last_day": "2027-08-21"},
    )
    assert outside.status_code == 400
    session.expire_all()
    assert override.first_on == date(2027, 2, 13)
    assert post(browser, f"/schools/{minnaert.id}/holidays/paasvakantie").status_code == 404

    removed = post(browser, f"/schools/{minnaert.id}/holiday-overrides/{override.id}/delete")
    assert removed.status_code == 302
    assert "The official dates of the Spring holiday apply again." in text_of(
        browser.get(removed.headers["Location"])
    )
    assert (
        session.scalars(
            select(HolidayOverride).where(HolidayOverride.organisation_id == minnaert.id)
        ).all()
        == []
    )


def test_closure_days(browser: FlaskClient, session: Session, minnaert: Organisation) -> None:
    def chosen() -> set[str]:
        session.expire_all()
        return set(
            session.scalars(
                select(ClosureDay.kind).where(ClosureDay.organisation_id == minnaert.id)
            )
        )

    assert chosen() == {"goede_vrijdag", "vrijdag_na_hemelvaart"}
    events = _events(session, "closure_days.changed")
    url = f"/schools/{minnaert.id}/closure-days?year=2026-2027"
    response = browser.post(
        url,
        data={"csrf_token": _csrf(browser), "kinds": ["goede_vrijdag", "bevrijdingsdag"]},
    )
    assert response.status_code == 302
    assert chosen() == {"goede_vrijdag", "bevrijdingsdag"}
    assert "Closure days saved." in text_of(browser.get(response.headers["Location"]))
    assert post(browser, url, {}).status_code == 302  # nothing ticked: none
    assert chosen() == set()
    assert post(browser, url, {"kinds": "kermis"}).status_code == 400
    assert chosen() == set()
    assert _events(session, "closure_days.changed") == events + 2


def _csrf(browser: FlaskClient) -> str:
    return csrf_token(browser)


# --- Import of the school's own year calendar ----------------------------------------------------


def _upload(
    browser: FlaskClient, org: Organisation, content: str | bytes, name: str
) -> TestResponse:
    data = content.encode() if isinstance(content, str) else content
    # The body is built here: the test client spools big bodies to a file it never closes.
    boundary = "planner-test-boundary"
    fields = {"csrf_token": _csrf(browser), "school_year": "2026-2027"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return browser.post(
        f"/schools/{org.id}/import?year=2026-2027",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)


def _preview_rows(response: TestResponse) -> list[dict[str, str]]:
    """The preview table as the user sees it: entry, days, chosen kind and severity, ticked."""
    html = response.get_data(as_text=True)
    table = html.split('<table class="preview">', 1)[1].split("</table>", 1)[0]
    rows = []
    for body in _ROW.findall(table.split("<tbody>", 1)[1]):
        entry = re.search(r'<th scope="row">(.*?)</th>', body, re.S)
        assert entry is not None
        cells = re.findall(r"<td>(.*?)</td>", body, re.S)
        kind = re.search(r'name="kind-\d+".*?<option value="(\w+)" selected', body, re.S)
        severity = re.search(r'name="severity-\d+".*?<option value="(\w+)" selected', body, re.S)
        index = re.search(r'name="row-(\d+)"', body)
        rows.append(
            {
                "entry": " ".join(re.sub(r"<[^>]+>", " ", entry[1]).split()),
                "days": " ".join(re.sub(r"<[^>]+>", " ", cells[2]).split()),
                "kind": kind[1] if kind else "",
                "severity": severity[1] if severity else "",
                "index": index[1] if index else "",
            }
        )
    return rows


def _payload(response: TestResponse) -> str:
    found = re.search(r'name="payload" value="([^"]+)"', response.get_data(as_text=True))
    assert found is not None
    return found[1]


def _confirm_all(browser: FlaskClient, org: Organisation, preview: TestResponse) -> TestResponse:
    """Confirm a preview as shown: every ticked row with the kind and severity shown."""
    data = {"payload": _payload(preview)}
    for row in _preview_rows(preview):
        if row["index"]:
            data[f"row-{row['index']}"] = "1"
            data[f"kind-{row['index']}"] = row["kind"]
            data[f"severity-{row['index']}"] = row["severity"]
    return post(browser, f"/schools/{org.id}/import/confirm", data)


def test_import_an_ics_year_calendar(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    assert "Import a year calendar" in text_of(browser.get(f"/schools/{minnaert.id}/import"))
    before = count_rows(app, BusyPeriod)
    preview = _upload(browser, minnaert, SCHOOL_ICS, "jaarplanning.ics")
    assert preview.status_code == 200
    assert count_rows(app, BusyPeriod) == before  # a preview stores nothing
    rows = {row["entry"]: row for row in _preview_rows(preview)}
    assert rows["Toetsweek 1 (klas 1-3)"]["days"] == "Mon 9 Nov 2026 – Fri 13 Nov 2026"
    assert rows["Toetsweek 1 (klas 1-3)"]["kind"] == "test_week"
    assert rows["Open dag voor groep 8"]["days"] == "Sat 6 Feb 2027"
    assert rows["Open dag voor groep 8"]["kind"] == "open_day"
    assert rows["Studiedag - leerlingen vrij"]["kind"] == "study_day"
    assert rows["Open avond"]["days"] == "Wed 10 Feb 2027"  # the timed event's local date
    assert rows["Open avond"]["kind"] == "open_day"
    assert rows["PTA-week bovenbouw"]["kind"] == "test_week"
    assert rows["PTA-week bovenbouw"]["severity"] == "hard"
    repeating = rows["Sectieoverleg repeats (FREQ=MONTHLY;BYDAY=2TU): enter by hand"]
    assert repeating["index"] == "" and repeating["kind"] == ""  # cannot be ticked
    text = text_of(preview)
    assert "5 entries can be imported." in text
    assert "1 event repeats in a way the planner cannot read" in text
    assert "1 entry falls outside school year 2026-2027 and is left out." in text
    assert "Toetsweek vorig jaar" not in text

    events = _events(session, "busy_period.created")
    done = _confirm_all(browser, minnaert, preview)
    assert done.status_code == 302
    assert "5 busy periods imported." in text_of(browser.get(done.headers["Location"]))
    imported = _periods(session, minnaert, source="import")
    assert [(p.kind, p.first_on, p.last_on, p.note) for p in imported] == [
        (BusyKind.TEST_WEEK, date(2026, 11, 9), date(2026, 11, 13), "Toetsweek 1 (klas 1-3)"),
        (BusyKind.STUDY_DAY, date(2026, 11, 30), date(2026, 11, 30), "Studiedag - leerlingen vrij"),
        (BusyKind.OPEN_DAY, date(2027, 2, 6), date(2027, 2, 6), "Open dag voor groep 8"),
        (BusyKind.OPEN_DAY, date(2027, 2, 10), date(2027, 2, 10), "Open avond"),
        (BusyKind.TEST_WEEK, date(2027, 3, 15), date(2027, 3, 19), "PTA-week bovenbouw"),
    ]
    assert _events(session, "busy_period.created") == events + 5

    # The same file again: everything is already there.
    again = _upload(browser, minnaert, SCHOOL_ICS, "jaarplanning.ics")
    assert "5 entries are already in the calendar and are skipped." in text_of(again)
    assert "0 entries can be imported." in text_of(again)
    assert "Import the ticked entries" not in text_of(again)
    nothing = post(browser, f"/schools/{minnaert.id}/import/confirm", {"payload": _payload(again)})
    assert "No row was ticked, so nothing was imported." in text_of(
        browser.get(nothing.headers["Location"])
    )
    assert len(_periods(session, minnaert, source="import")) == 5


def test_import_a_csv_with_semicolons_and_dutch_headers(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    preview = _upload(browser, minnaert, SCHOOL_CSV.encode("cp1252"), "jaarplanning.csv")
    assert preview.status_code == 200
    rows = _preview_rows(preview)
    assert [(r["entry"], r["days"], r["kind"], r["severity"]) for r in rows] == [
        ("Proefwerkweek havo/vwo", "Mon 9 Nov 2026 – Fri 13 Nov 2026", "test_week", "hard"),
        ("Open dag", "Wed 3 Feb 2027", "open_day", "hard"),
        ("Rapportvergadering", "Wed 24 Mar 2027", "report_meetings", "soft"),
        ("Schoolreis 2e klas", "Mon 12 Apr 2027 – Fri 16 Apr 2027", "other", "soft"),
    ]
    # Untick the school trip, and make the report meeting hard.
    data = {"payload": _payload(preview)}
    for row in rows[:3]:
        data[f"row-{row['index']}"] = "1"
        data[f"kind-{row['index']}"] = row["kind"]
        data[f"severity-{row['index']}"] = row["severity"]
    data[f"severity-{rows[2]['index']}"] = "hard"
    done = post(browser, f"/schools/{minnaert.id}/import/confirm", data)
    assert done.status_code == 302
    imported = _periods(session, minnaert, source="import")
    assert [(p.kind, p.first_on, p.severity, p.note) for p in imported] == [
        (BusyKind.TEST_WEEK, date(2026, 11, 9), Severity.HARD, "Proefwerkweek havo/vwo"),
        (
            BusyKind.OPEN_DAY,
            date(2027, 2, 3),
            Severity.HARD,
            "Open dag – met informatieavond; ook voor ouders",
        ),
        (BusyKind.REPORT_MEETINGS, date(2027, 3, 24), Severity.HARD, "Rapportvergadering"),
    ]
    # Importing the file again adds only the row left out the first time.
    again = _preview_rows(_upload(browser, minnaert, SCHOOL_CSV, "jaarplanning.csv"))
    assert [r["entry"] for r in again if r["index"]] == ["Schoolreis 2e klas"]


def test_confirm_skips_rows_that_became_duplicates(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    first = _upload(browser, minnaert, SCHOOL_CSV, "a.csv")
    second = _upload(browser, minnaert, SCHOOL_CSV, "a.csv")
    assert _confirm_all(browser, minnaert, first).status_code == 302
    done = _confirm_all(browser, minnaert, second)
    page = text_of(browser.get(done.headers["Location"]))
    assert "4 rows were already in the calendar and were skipped." in page
    assert len(_periods(session, minnaert, source="import")) == 4


def test_a_malformed_csv_line_is_named_and_nothing_is_stored(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    before = _state(app, session)
    bad = SCHOOL_CSV.replace("2027-03-24", "31-02-2027")
    response = _upload(browser, minnaert, bad, "jaarplanning.csv")
    assert response.status_code == 400
    assert "line 4: '31-02-2027' is not a date; write e.g. 3-2-2027 or 2027-02-03." in text_of(
        response
    )
    no_header = _upload(browser, minnaert, "9-11-2026;Toetsweek\n", "x.csv")
    assert "line 1: The first line must name the columns" in text_of(no_header)
    assert _state(app, session) == before


def test_a_malformed_ics_is_rejected_with_its_line(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    before = _state(app, session)
    broken_date = SCHOOL_ICS.replace("DTSTART;VALUE=DATE:20270206", "DTSTART;VALUE=DATE:20270231")
    response = _upload(browser, minnaert, broken_date, "jaarplanning.ics")
    assert response.status_code == 400
    assert "line 30: '20270231' is not a valid date or time." in text_of(response)
    broken_line = SCHOOL_ICS.replace("SUMMARY:Open avond", "SUMMARY Open avond")
    assert "line 46: 'SUMMARY Open avond' is not an iCalendar line (NAME:value)." in text_of(
        _upload(browser, minnaert, broken_line, "jaarplanning.ics")
    )
    not_ics = _upload(browser, minnaert, "Hallo", "jaarplanning.ics")
    assert "so it is no iCalendar (.ics) file" in text_of(not_ics)
    assert _state(app, session) == before


def test_uploads_that_are_too_big_empty_or_missing(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    before = _state(app, session)
    big = "datum;omschrijving\n" + "1-2-2027;x\n" * 100_000
    response = _upload(browser, minnaert, big, "big.csv")
    assert response.status_code == 400
    assert "The file is larger than 1 MB" in text_of(response)
    many = "datum;omschrijving\n" + "".join(f"{d}-3-2027;x{d}\n" for d in range(1, 32)) * 20
    assert "The file has more than 500 entries" in text_of(
        _upload(browser, minnaert, many, "many.csv")
    )
    assert "The file is empty." in text_of(_upload(browser, minnaert, "", "empty.csv"))
    assert "not a text file" in text_of(_upload(browser, minnaert, b"PK\x03\x04\x00", "x.xlsx"))
    missing = post(browser, f"/schools/{minnaert.id}/import", {"school_year": "2026-2027"})
    assert missing.status_code == 400 and "Choose a file to import." in text_of(missing)
    assert _state(app, session) == before


def test_a_tampered_preview_is_refused(
    app: Flask, browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    preview = _upload(browser, minnaert, SCHOOL_CSV, "jaarplanning.csv")
    payload = _payload(preview)
    before = _state(app, session)
    url = f"/schools/{minnaert.id}/import/confirm"
    forged_key = URLSafeSerializer("not-the-key", salt=IMPORT_SALT)
    groenendaal = organisation_by_brin(session, "91XB")
    genuine = URLSafeSerializer(app.config["SECRET_KEY"], salt=IMPORT_SALT).loads(payload)
    made_up_row = [[1, "Nep", "2026-11-02", "2026-11-06", "test_week", "hard", None, None, False]]
    attempts = [
        payload[:-3] + ("abc" if not payload.endswith("abc") else "xyz"),
        forged_key.dumps({**genuine, "r": made_up_row}),
        # Signed with the real key but for another school, or another person.
        URLSafeSerializer(app.config["SECRET_KEY"], salt=IMPORT_SALT).dumps(
            {**genuine, "o": groenendaal.id}
        ),
        URLSafeSerializer(app.config["SECRET_KEY"], salt=IMPORT_SALT).dumps(
            {**genuine, "p": genuine["p"] + 1}
        ),
        "",
    ]
    for forged in attempts:
        response = post(browser, url, {"payload": forged, "row-0": "1"})
        assert response.status_code == 400
        assert "The preview is damaged or was changed; upload the file again." in text_of(response)
    # A genuine preview with a made-up kind for a row is refused as a whole.
    response = post(browser, url, {"payload": payload, "row-0": "1", "kind-0": "party"})
    assert response.status_code == 400
    # Another school's address with this school's preview: forbidden.
    other = post(browser, f"/schools/{groenendaal.id}/import/confirm", {"payload": payload})
    assert other.status_code == 403
    assert _state(app, session) == before


@pytest.mark.parametrize(
    "data",
    [
        "not a list",
        [["too", "short"]],
        [[1, "x", "2026-11-06", "2026-11-02", "test_week", "hard", None, None, False]],
        [[1, "x", "2026-11-02", "2026-11-06", "party", "hard", None, None, False]],
        [[1, "x", "2026-13-02", "2026-11-06", "test_week", "hard", None, None, False]],
        [[True, "x", "2026-11-02", "2026-11-06", "test_week", "hard", None, None, False]],
        [[1, "x", "2026-11-02", "2026-11-06", "test_week", "hard", None, None, "no"]],
    ],
)
def test_preview_data_of_another_shape_is_refused(data: object) -> None:
    with pytest.raises(ValidationError):
        rows_from_data(data)


def test_preview_data_round_trips() -> None:
    rows = [
        ImportRow(
            3,
            "Toetsweek",
            date(2026, 11, 9),
            date(2026, 11, 13),
            BusyKind.TEST_WEEK,
            Severity.HARD,
            "Toetsweek",
        ),
        ImportRow(
            9,
            "Overleg",
            date(2026, 9, 8),
            date(2026, 9, 8),
            BusyKind.OTHER,
            Severity.SOFT,
            None,
            repeats="FREQ=MONTHLY;BYDAY=2TU",
            duplicate=False,
        ),
    ]
    assert rows_from_data(rows_to_data(rows)) == rows


def test_imported_periods_show_on_the_school_page(
    browser: FlaskClient, session: Session, minnaert: Organisation
) -> None:
    _confirm_all(browser, minnaert, _upload(browser, minnaert, SCHOOL_CSV, "x.csv"))
    text = text_of(browser.get(f"/schools/{minnaert.id}?year=2026-2027"))
    assert "Other imported Mon 12 Apr 2027 – Fri 16 Apr 2027 15 soft Schoolreis 2e klas" in text
