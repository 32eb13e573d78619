"""Input no page form expects, as a clumsy user or an attacker sends it: dates outside the
planner's years, impossible calendar and holiday files, a huge request, garbage in every field of
every form, forged hidden ids and NUL characters. Never a server error, and nothing changes. The
demo is seen on 1 Sep 2026 (the shared `demo` fixture)."""

from __future__ import annotations

import io
import json
import random
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.feeds import tokens as feeds
from planner.models import BusyPeriod, HolidayOverride, Meeting, Organisation
from planner.web.security import limiter
from tests.factories import (
    ADMIN,
    ANOUK,
    SCHOOL_ADMIN,
    WOERDEN,
    log_in_as,
    next_meeting,
    organisation_by_brin,
    pages_snapshot,
    person_by_email,
    woerden_form,
)
from tests.web import NOW, login, post, text_of


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-04"])
def test_a_move_outside_the_planners_years_is_refused(
    app: Flask, browser: FlaskClient, session: Session, demo: None, day: str
) -> None:
    """9999-12-31 crashed the search for a start time (a date overflow: 500)."""
    log_in_as(browser, session, ANOUK)
    meeting = next_meeting(session)
    before = pages_snapshot(app, session)
    response = post(
        browser,
        f"/meetings/{meeting.id}/move?lang=en",
        {"choice": "other", "day": day, "time": "15:00"},
    )
    assert response.status_code == 400
    assert "is not between 2000 and 2100" in text_of(response)
    assert pages_snapshot(app, session) == before


ICS_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:x@school\r\n"
    "SUMMARY:Toetsweek\r\n{lines}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "DTSTART;VALUE=DATE:20261109\r\nDURATION:P9999999D",
            "line 8: The duration 'P9999999D' makes the event end after 2100.",
        ),
        (
            "DTSTART:99991231T235959Z",
            "line 7: '99991231T235959Z' is not a date the planner can work with",
        ),
        (
            "DTSTART:20261109T100000Z\r\nDTEND:99991231T235959Z",
            "line 8: '99991231T235959Z' is not a date the planner can work with",
        ),
    ],
)
def test_a_calendar_file_with_an_impossible_date_is_refused(
    app: Flask, browser: FlaskClient, session: Session, demo: None, lines: str, message: str
) -> None:
    """These overflowed (a 500), then were refused without naming the line."""
    log_in_as(browser, session, SCHOOL_ADMIN)
    org = organisation_by_brin(session, "91XA")
    before = pages_snapshot(app, session)
    response = post(
        browser,
        f"/schools/{org.id}/import?year=2026-2027&lang=en",
        {
            "school_year": "2026-2027",
            "file": (io.BytesIO(ICS_EVENT.format(lines=lines).encode()), "jaar.ics"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in text_of(response).replace("&#39;", "'")
    assert pages_snapshot(app, session) == before


def _rijksoverheid(first: str, last: str) -> bytes:
    vacation = {
        "type": "Herfstvakantie",
        "compulsorydates": "false",
        "regions": [{"region": "noord", "startdate": first, "enddate": last}],
    }
    return json.dumps({"content": [{"schoolyear": "2026-2027", "vacations": [vacation]}]}).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _rijksoverheid("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
            "Document 1, school year 2026-2027, vacation 1, region 1: startdate"
            " '9999-12-31T23:59:59Z' is not between 2000 and 2100.",
        ),
        (b"[" * 100_000, "Rijksoverheid data is nested far too deeply"),
    ],
)
def test_holiday_data_with_impossible_dates_or_nesting_is_refused(
    app: Flask, browser: FlaskClient, session: Session, demo: None, data: bytes, message: str
) -> None:
    log_in_as(browser, session, ADMIN)
    before = pages_snapshot(app, session)
    response = post(
        browser,
        "/admin/holidays/preview?lang=en",
        {"file": (io.BytesIO(data), "vakanties.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in text_of(response).replace("&#39;", "'")
    confirm = post(browser, "/admin/holidays/import?lang=en", {"holidays": data.decode()})
    assert confirm.status_code == 302
    assert message in text_of(browser.get("/admin/holidays?lang=en")).replace("&#39;", "'")
    assert pages_snapshot(app, session) == before


def test_a_huge_request_is_refused_before_it_is_read(
    browser: FlaskClient, session: Session, demo: None
) -> None:
    """Anyone may post to the login form; a huge body must not be spooled to disk first."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        + b"x" * (9 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    response = browser.post("/login", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413


# Values no form expects: empty, words, impossible or far-away dates, numbers beyond any id,
# a huge text, control characters, markup.
GARBAGE = [
    "",
    "x",
    "2026-02-30",
    "31-13-2026",
    "0001-01-01",
    "9999-12-31",
    "9999-10000",
    "25:61",
    "99999999999999999999",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic 12: a digit to both
    "-1",
    "0",
    "1.5",
    "53",
    "45-44",
    "A" * 20_000,
    "\x00",
    "<b>",
    "other",
    "€",
]
# Every field name a page form has (prefixed ones included), so garbage reaches each check.
FIELDS = [
    "day",
    "time",
    "back",
    "name",
    "ambition",
    "target_weeks",
    "max_gap_weeks",
    "count_holidays",
    "weekdays",
    "start_time",
    "latest_start",
    "duration_minutes",
    "location",
    "location_note",
    "members",
    "coordinator_lines",
    "participant_lines",
    "reminder_hours",
    "scope",
    "school_year",
    "first",
    "last",
    "choice",
    "action",
    "fixed",
    "confirm",
    "region",
    "first_day",
    "last_day",
    "note",
    "kinds",
    "kind",
    "severity",
    "weeks",
    "payload",
    "row-0",
    "kind-0",
    "severity-0",
    "label",
    "language",
    "email",
    "admin",
    "school",
    "organisation",
    "holidays",
    "make",
    "state",
    "brin",
    "sector",
    "city",
    "password",
    "remember",
    "answer",
    "voorjaarsvakantie-first_day",
    "voorjaarsvakantie-last_day",
    "voorjaarsvakantie-note",
    "collaboration-1-label",
    "collaboration-1-language",
]


def _fuzz_urls(app: Flask, session: Session, method: str = "POST") -> dict[str, str]:
    """Every address of the pages (not the JSON API) for this method, with ids the user may
    use."""
    # Groenendaal (91XB) has its own holiday dates and busy periods in the demo.
    org = session.scalars(select(Organisation).where(Organisation.brin == "91XB")).one()
    period = session.scalars(select(BusyPeriod).where(BusyPeriod.organisation_id == org.id)).first()
    override = session.scalars(
        select(HolidayOverride).where(HolidayOverride.organisation_id == org.id)
    ).first()
    issued = feeds.create_token(session, NOW, collaboration=WOERDEN, language="nl", label="x")
    session.commit()
    assert period is not None and override is not None
    values = {
        "collab_id": WOERDEN,
        "meeting_id": next_meeting(session).id,
        "org_id": org.id,
        "name": "voorjaarsvakantie",
        "override_id": override.id,
        "period_id": period.id,
        "kind": "collaboration",
        "target_id": WOERDEN,
        "token_id": issued.token.id,
        "person_id": person_by_email(session, ANOUK).id,
        "event_id": 1,
        "mail_id": 1,
        "token": "not-a-token",
        "secret": "not-a-secret",
        "code": "nl",
        "region": "midden",
        "answer": "agreed",
        "source_id": 1,
        "poll_id": 1,  # none in the demo: its pages answer 404
        "calendar_id": 1,
    }
    urls = {}
    for rule in app.url_map.iter_rules():
        if method not in (rule.methods or ()) or rule.endpoint.startswith(("api.", "static")):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), rule.rule)
        urls[rule.endpoint] = url
    return urls


def test_garbage_posted_to_every_form_never_breaks_the_server(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    """As someone allowed there (a platform administrator may everything): every field of
    every form at once gets each garbage value, then random mixes; never a server error."""
    admin = person_by_email(session, ADMIN)
    urls = _fuzz_urls(app, session)
    assert len(urls) > 30 and "meetings.move" in urls and "schools.confirm_import" in urls
    limiter.enabled = False  # the login form would answer 429 after a few tries
    try:
        rnd = random.Random(6)
        for endpoint, url in urls.items():
            trials = [dict.fromkeys(FIELDS, value) for value in GARBAGE]
            trials += [
                {field: rnd.choice(GARBAGE) for field in FIELDS if rnd.random() < 0.6}
                for _ in range(10)
            ]
            for index, data in enumerate(trials):
                login(browser, admin)
                query = "?year=garbage" if index == 1 else ""
                response = post(browser, url + query, data)
                assert response.status_code < 500, (endpoint, data)
    finally:
        limiter.enabled = True


def test_every_page_sends_the_security_headers(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    """Every page of the URL map, as a platform administrator (who may see them all) and as a
    stranger: scripts only from the planner itself, never framed, never sniffed, and no
    address leaked to other sites (error pages too)."""
    urls = _fuzz_urls(app, session, "GET")
    assert len(urls) > 30
    assert "rsvp.show" in urls
    login(browser, person_by_email(session, ADMIN))
    pages = 0
    for client in (browser, app.test_client()):
        for endpoint, url in urls.items():
            response = client.get(url)
            if response.mimetype != "text/html":
                assert response.headers["X-Content-Type-Options"] == "nosniff", endpoint
                continue
            pages += response.status_code == 200
            policy = response.headers["Content-Security-Policy"]
            directives = dict(
                [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";"))
            )
            assert directives["script-src"] == "'self'", (endpoint, policy)
            assert "unsafe-inline" not in directives["script-src"]
            assert directives["frame-ancestors"] == "'none'", (endpoint, policy)
            assert response.headers["X-Content-Type-Options"] == "nosniff", endpoint
            assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer"}, endpoint
    assert pages > 20  # real pages, not only error pages and redirects


# Per form: a valid post, so one bad field at a time gets past the others.
def _valid_posts(
    session: Session, meeting: Meeting, org: Organisation
) -> dict[str, dict[str, str]]:
    period = session.scalars(select(BusyPeriod).where(BusyPeriod.organisation_id == org.id)).first()
    assert period is not None
    schools = f"/schools/{org.id}"
    return {
        f"/collaborations/{WOERDEN}/fill-in": {"day": "2026-10-06", "time": "15:30", "back": ""},
        f"/collaborations/{WOERDEN}/edit": {
            k: v if isinstance(v, str) else v[0] for k, v in woerden_form().items()
        },
        f"/collaborations/{WOERDEN}/plan": {
            "scope": "period",
            "first": "2027-03-01",
            "last": "2027-06-30",
            "day": "2027-03-09",
            "choice-2027-03-09": "2027-03-16",
            "action": "confirm",
        },
        f"/meetings/{meeting.id}/move": {"choice": "other", "day": "2026-10-07", "time": "15:00"},
        f"{schools}/busy-periods?year=2026-2027": {
            "kind": "test_week",
            "severity": "hard",
            "first_day": "2026-11-02",
            "last_day": "2026-11-06",
            "weeks": "",
            "school_year": "2026-2027",
            "note": "n",
        },
        f"{schools}/busy-periods/{period.id}/edit": {
            "kind": "test_week",
            "severity": "",
            "weeks": "45",
            "school_year": "2026-2027",
        },
        f"{schools}/holidays/voorjaarsvakantie?year=2026-2027": {
            "voorjaarsvakantie-first_day": "2027-02-13",
            "voorjaarsvakantie-last_day": "2027-02-21",
            "voorjaarsvakantie-note": "x",
        },
    }


def test_one_bad_field_in_an_otherwise_valid_form_is_refused_cleanly(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    coordinator = person_by_email(session, ANOUK)
    school_admin = person_by_email(session, SCHOOL_ADMIN)
    forms = _valid_posts(session, next_meeting(session), organisation_by_brin(session, "91XA"))
    for url, valid in forms.items():
        for field in valid:
            for value in [*GARBAGE, None]:
                data = dict(valid)
                if value is None:
                    del data[field]
                else:
                    data[field] = value
                login(browser, school_admin if url.startswith("/schools") else coordinator)
                response = post(browser, url, data)
                assert response.status_code < 500, (url, field, value)


@pytest.mark.parametrize("fixed", ["²", "99999999999999999999", "x"])
def test_a_forged_kept_meeting_id_in_the_plan_is_refused(
    app: Flask, browser: FlaskClient, session: Session, demo: None, fixed: str
) -> None:
    """The kept meetings travel as hidden ids; "²" passed str.isdigit() and broke int(), and
    a value that is no id at all was ignored instead of refused as a changed form."""
    log_in_as(browser, session, ANOUK)
    horizon = {"scope": "year", "school_year": "2027-2028"}
    shown = browser.get(f"/collaborations/{WOERDEN}/plan", query_string=horizon)
    days = re.findall(r'name="day" value="([\d-]+)"', shown.get_data(as_text=True))
    assert days, "the next school year has days to plan"
    before = pages_snapshot(app, session)
    data: dict[str, Any] = {**horizon, "day": days, "fixed": fixed, "action": "confirm"}
    response = post(browser, f"/collaborations/{WOERDEN}/plan?lang=en", data)
    assert response.status_code == 409
    assert "changed since this plan was made" in text_of(response)
    assert pages_snapshot(app, session) == before


def test_a_nul_character_is_refused_before_it_reaches_the_database(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    """PostgreSQL cannot even compare text holding NUL: anyone could get a 500 from the
    password form, the login form, and an administrator from the account form and search."""
    before = pages_snapshot(app, session)
    forgotten = post(browser, "/password/forgotten?lang=en", {"email": "a\x00@b.example"})
    assert forgotten.status_code == 200
    assert "E-mail address contains control characters." in text_of(forgotten)
    login_form = post(browser, "/login?lang=en", {"email": "\x00", "password": "x"})
    assert login_form.status_code == 400
    assert "contains control characters" in text_of(login_form)
    log_in_as(browser, session, ADMIN)
    account = post(
        browser,
        "/admin/accounts?lang=en",
        {"email": "nul\x00@school.example", "name": "Nul", "language": "nl", "school": ""},
    )
    assert account.status_code == 400 and "contains control characters" in text_of(account)
    search = browser.get("/admin/organisations", query_string={"q": "Minnaert\x00"})
    assert search.status_code == 200 and "Minnaert College" in text_of(search)
    assert pages_snapshot(app, session) == before
