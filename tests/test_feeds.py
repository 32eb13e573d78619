"""Feeds as a subscriber and a coordinator meet them: links, tokens, caching and invalidation.

The demo data is seen on Saturday 21 Nov 2026: Startersbegeleiding Woerden (1) has a whole
year planned, Doorlopende leerlijn techniek Eindhoven (2) met on 16 Sep 2026 and has nothing
planned (its maximum gap of 8 weeks was crossed on 19 Nov), and the Noord-Holland–Brabant
arrangement (3) meets on 26 Jan 2027. Parsing by four independent parsers and the iCalendar
rules are in test_feed_parsers.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select, text

from planner import create_app
from planner.models import Feed, FeedToken
from tests.factories import load_demo
from tests.helpers import CLI, count_rows

NOW = "2026-11-21T10:00:00Z"
EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo on Saturday 21 Nov 2026."""
    load_demo(app, cli, NOW)


def _create(cli: CLI, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cli.ok("feeds", "create", *args, "--json"))
    return data


def _path(data: dict[str, Any]) -> str:
    return urlsplit(data["links"]["https"]).path


def _events(body: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def _by_uid(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in _events(body)}


# --- Links and tokens ----------------------------------------------------------------------


def test_a_new_link_holds_a_long_random_secret_that_is_stored_only_hashed(
    app: Flask, cli: CLI, demo: None
) -> None:
    first = _create(cli, "--collab", "1")
    second = _create(cli, "--collab", "1")
    secret = first["token"]
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    assert len(raw) * 8 >= 128
    assert secret != second["token"]
    with app.extensions["planner.db"].engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM feed_token")).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored and second["token"] not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert first["hint"] == secret[:4]


def test_create_prints_links_for_every_client_and_they_work(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    output = cli.ok("feeds", "create", "--collab", "1")
    assert "webcal://" in output and "calendar.google.com" in output
    assert "outlook.live.com" in output
    data = _create(cli, "--collab", "1")
    links = data["links"]
    assert links["https"].startswith("http") and links["https"].endswith(".ics")
    assert links["webcal"] == "webcal://" + links["https"].split("://", 1)[1]
    assert "cid=webcal%3A%2F%2F" in links["google"]
    assert "addfromweb?url=http" in links["outlook"]
    response = client.get(_path(data))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"X-WR-CALNAME:Startersbegeleiding Woerden" in response.data


def test_the_public_url_setting_is_used_in_links(app: Flask, cli: CLI, demo: None) -> None:
    app.config["PUBLIC_URL"] = "https://planner.example.nl/"
    data = _create(cli, "--org", "91XA")
    assert data["links"]["https"].startswith("https://planner.example.nl/feeds/")
    assert data["links"]["webcal"].startswith("webcal://planner.example.nl/feeds/")


def test_revoking_one_link_stops_it_at_once_and_leaves_the_others(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    kept = _create(cli, "--collab", "1", "--label", "Anouk")
    gone = _create(cli, "--collab", "1", "--label", "oude laptop")
    assert client.get(_path(gone)).status_code == 200  # cached now
    assert "ingetrokken" in cli.ok("feeds", "revoke", str(gone["id"]))
    assert client.get(_path(gone)).status_code == 404
    assert client.get(_path(kept)).status_code == 200
    again = cli("feeds", "revoke", str(gone["id"]))
    assert again.exit_code == 1 and "al ingetrokken" in again.output
    listed = json.loads(cli.ok("feeds", "list", "--json"))
    assert [item["id"] for item in listed] == [kept["id"]]
    everything = json.loads(cli.ok("feeds", "list", "--all", "--json"))
    assert {item["label"] for item in everything} == {"Anouk", "oude laptop"}


def test_renewing_a_link_replaces_its_secret(client: FlaskClient, cli: CLI, demo: None) -> None:
    old = _create(cli, "--person", "a.devries@minnaert.example", "--label", "telefoon")
    new: dict[str, Any] = json.loads(cli.ok("feeds", "renew", str(old["id"]), "--json"))
    assert new["token"] != old["token"] and new["label"] == "telefoon"
    assert new["renewed_from_id"] == old["id"]
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200


def test_unknown_forged_and_revoked_links_get_the_same_answer(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    revoked = _create(cli, "--collab", "2")
    cli.ok("feeds", "revoke", str(revoked["id"]))
    forged = revoked["token"][:-1] + ("A" if revoked["token"][-1] != "A" else "B")
    answers = [
        client.get(path)
        for path in (
            _path(revoked),
            f"/feeds/{forged}.ics",
            "/feeds/short.ics",
            "/feeds/" + "x" * 300 + ".ics",
            "/feeds/%27%3B--.ics",
        )
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.data for answer in answers}) == 1
    assert "Deze agendalink bestaat niet" in answers[0].get_data(as_text=True)
    assert b"BEGIN:VCALENDAR" not in answers[0].data


def test_a_real_link_in_any_other_form_gets_the_unknown_links_answer(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    """A feed link takes exactly its own form: the same 404 for an extra segment, a suffix, an
    encoded slash, another case, as for a link that never existed. (An encoded dot, `%2E`, is
    the same address as a dot by RFC 3986 §6.2.2.2, and is served like one.)"""
    link = _create(cli, "--collab", "1")
    token = link["token"]
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    unknown = client.get("/feeds/short.ics")
    variants = [
        f"/feeds/{token}.ics/x",
        f"/feeds/{token}.icsx",
        f"/feeds/{token}.ics%2Fx",
        f"/feeds/{token}.ICS",
        f"/feeds/x/{token}.ics",
        f"/feeds/{token.swapcase()}.ics",
        f"/feeds/{token}",
    ]
    for path in variants:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert b"BEGIN:VCALENDAR" not in answer.data, path
        if answer.mimetype == unknown.mimetype:
            assert answer.data == unknown.data, path


def test_the_list_shows_when_a_link_was_last_used(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    data = _create(cli, "--org", "92XC")
    assert json.loads(cli.ok("feeds", "list", "--json"))[0]["last_used_at"] is None
    client.get(_path(data))
    used = json.loads(cli.ok("feeds", "list", "--org", "6", "--json"))
    assert used[0]["last_used_at"] == "2026-11-21T10:00:00+00:00"
    table = cli.ok("feeds", "list")
    assert "Vakcollege Eindhoven" in table and "2026-11-21 10:00" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "precies één samenwerking, persoon of organisatie"),
        (("--collab", "1", "--org", "91XA"), "precies één samenwerking, persoon of organisatie"),
        (("--org", "91XA", "--blocked"), "Alleen de agenda van een samenwerking"),
        (("--collab", "99"), "99"),
        (("--person", "niemand@example.org"), "niemand@example.org"),
        (("--collab", "1", "--lang", "de"), "Onbekende taal de"),
    ],
)
def test_bad_requests_for_a_link_are_explained_and_change_nothing(
    app: Flask, cli: CLI, demo: None, args: tuple[str, ...], message: str
) -> None:
    result = cli("feeds", "create", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert count_rows(app, FeedToken) == 0 and count_rows(app, Feed) == 0


def test_the_api_makes_lists_revokes_and_renews_links(client: FlaskClient, demo: None) -> None:
    made = client.post("/api/v1/feeds", json={"collaboration": 3, "blocked_days": True})
    assert made.status_code == 201
    data = made.get_json()
    assert data["blocked_days"] is True and data["links"]["https"].startswith("http://localhost/")
    assert client.get(_path(data)).status_code == 200
    listed = client.get("/api/v1/feeds?collaboration=3").get_json()
    assert [item["id"] for item in listed] == [data["id"]] and "token" not in listed[0]
    renewed = client.post(f"/api/v1/feeds/{data['id']}/renew").get_json()
    assert client.get(_path(data)).status_code == 404
    revoked = client.post(f"/api/v1/feeds/{renewed['id']}/revoke")
    assert revoked.get_json()["revoked_at"] is not None
    assert client.get(_path(renewed)).status_code == 404
    bad = client.post("/api/v1/feeds", json={"person": 1, "blocked_days": True}, headers=EN)
    assert bad.status_code == 400
    assert bad.get_json()["error"]["message"] == (
        "Only a collaboration's feed can show blocked days."
    )
    unknown = client.post("/api/v1/feeds", json={"colab": 3})
    assert unknown.status_code == 400
    regions = client.get("/api/v1/feeds/regions").get_json()
    assert [item["region"] for item in regions] == ["noord", "midden", "zuid"]
    assert regions[1]["links"]["webcal"] == "webcal://localhost/feeds/regions/midden.ics"


# --- HTTP: caching and conditional requests ------------------------------------------------


def test_conditional_requests_get_304_and_head_no_body(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "1"))
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith('W/"')
    assert first.headers["Cache-Control"].startswith("private")
    same = client.get(path, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == etag
    listed = client.get(path, headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    head = client.head(path)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_a_region_feed_is_public(client: FlaskClient, demo: None) -> None:
    dutch = client.get("/feeds/regions/midden.ics")
    assert dutch.status_code == 200 and "public" in dutch.headers["Cache-Control"]
    summaries = [str(e["SUMMARY"]) for e in _events(dutch.data)]
    assert "Herfstvakantie midden" in summaries and "Kerstvakantie midden" in summaries
    english = client.get("/feeds/regions/midden.ics?lang=en")
    assert "Christmas holiday midden" in [str(e["SUMMARY"]) for e in _events(english.data)]
    assert client.get("/feeds/regions/oost.ics").status_code == 404
    head = client.head("/feeds/regions/zuid.ics")
    assert head.status_code == 200 and head.data == b""


# --- Exact invalidation --------------------------------------------------------------------


def test_a_moved_meeting_shows_on_the_very_next_request(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "1"))
    before = client.get(path)
    meeting = json.loads(cli.ok("meetings", "list", "--collab", "1", "--json"))[3]
    assert meeting["day"] == "2026-11-24"
    old = _by_uid(before.data)[meeting["uid"]]
    cli.ok("meetings", "move", str(meeting["id"]), "--to", "2026-11-26", "--short-notice")
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    new = _by_uid(after.data)[meeting["uid"]]
    assert new.decoded("DTSTART").date() == date(2026, 11, 26)
    assert new["SEQUENCE"] == old["SEQUENCE"] + 1


def test_a_cancelled_meeting_stays_visible_as_cancelled(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "1"))
    client.get(path)
    meeting = json.loads(cli.ok("meetings", "list", "--collab", "1", "--json"))[4]
    cli.ok("meetings", "cancel", str(meeting["id"]))
    event = _by_uid(client.get(path).data)[meeting["uid"]]
    assert event["STATUS"] == "CANCELLED" and event["TRANSP"] == "TRANSPARENT"
    assert str(event["SUMMARY"]).startswith("GEANNULEERD: ")


def test_a_busy_period_reaches_exactly_the_feeds_that_show_it(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    school = _path(_create(cli, "--org", "92XC"))  # Vakcollege Eindhoven (zuid)
    blocked = _path(_create(cli, "--collab", "2", "--blocked"))
    unrelated = _path(_create(cli, "--collab", "1"))
    region = "/feeds/regions/zuid.ics"
    before = {
        path: client.get(path).headers["ETag"] for path in (school, blocked, unrelated, region)
    }
    response = client.post(
        "/api/v1/organisations/92XC/busy-periods",
        json={"kind": "toetsweek", "first_day": "2027-01-18", "last_day": "2027-01-22"},
    )
    assert response.status_code == 201
    after = {path: client.get(path) for path in before}
    assert after[school].headers["ETag"] != before[school]
    assert after[blocked].headers["ETag"] != before[blocked]
    assert after[unrelated].headers["ETag"] == before[unrelated]
    assert after[region].headers["ETag"] == before[region]
    uid = f"busy-{response.get_json()['id']}@planner"
    for path in (school, blocked):
        event = _by_uid(after[path].data)[uid]
        assert event.decoded("DTSTART") == date(2027, 1, 18)
        assert event.decoded("DTEND") == date(2027, 1, 23)  # exclusive
    client.delete(f"/api/v1/busy-periods/{response.get_json()['id']}")
    assert uid not in _by_uid(client.get(school).data)


def test_a_holiday_override_reaches_the_school_feed(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--org", "91XA"))

    def spring(body: bytes) -> dict[str, Any]:
        return {
            str(e["SUMMARY"]): e
            for e in _events(body)
            if e.decoded("DTSTART").year == 2027 and "Voorjaars" in str(e["SUMMARY"])
        }

    assert spring(client.get(path).data)["Voorjaarsvakantie midden"].decoded("DTSTART") == date(
        2027, 2, 20
    )
    response = client.post(
        "/api/v1/organisations/91XA/holiday-overrides",
        json={
            "school_year": "2026-2027",
            "holiday": "voorjaarsvakantie",
            "first_day": "2027-02-13",
            "last_day": "2027-02-21",
        },
    )
    assert response.status_code == 201, response.get_json()
    moved = spring(client.get(path).data)
    assert list(moved) == ["Voorjaarsvakantie midden (eigen data)"]
    own = moved["Voorjaarsvakantie midden (eigen data)"]
    assert (own.decoded("DTSTART"), own.decoded("DTEND")) == (date(2027, 2, 13), date(2027, 2, 22))


def test_a_change_made_by_another_process_is_seen_at_once(
    app: Flask, client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "3"))
    # Another process of the same deployment: same database, same instance folder.
    other = create_app(dict(app.config))
    other.instance_path = app.instance_path
    try:
        other_client = other.test_client()
        before = other_client.get(path).headers["ETag"]
        assert client.get(path).headers["ETag"] == before
        meeting = json.loads(cli.ok("meetings", "list", "--collab", "3", "--json"))[-1]
        cli.ok("meetings", "cancel", str(meeting["id"]))
        assert other_client.get(path).headers["ETag"] != before
    finally:
        other.extensions["planner.db"].engine.dispose()


def test_deleting_a_collaboration_ends_its_feed(
    app: Flask, client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "3"))
    assert client.get(path).status_code == 200
    cli.ok("collaborations", "delete", "3", "--yes")
    assert client.get(path).status_code == 404
    assert count_rows(app, FeedToken) == 0


# --- What the feeds show -------------------------------------------------------------------


def test_a_drift_warning_sits_on_the_day_the_gap_grows_too_long_and_goes_when_filled(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "2"))
    warnings = [e for e in _events(client.get(path).data) if "WARNING" in e["CATEGORIES"].cats]
    # On its crossing day, and (crossed two days ago) on today's date, where it is seen.
    assert [e.decoded("DTSTART") for e in warnings] == [date(2026, 11, 19), date(2026, 11, 21)]
    assert "sinds do 19 nov 2026" in str(warnings[1]["DESCRIPTION"])
    warning = warnings[0]
    assert str(warning["SUMMARY"]) == "⚠ Nog geen vervolgoverleg — focus kan weglekken"
    # 16 Sep 2026 + 8 weeks, the herfstvakantie zuid (17–25 Oct) not counted: 19 Nov 2026.
    assert warning.decoded("DTSTART") == date(2026, 11, 19)
    assert warning.decoded("DTEND") == date(2026, 11, 20)
    assert warning["TRANSP"] == "TRANSPARENT"
    # Not Mon 23 Nov: seen on Sat 21 Nov, five school days of notice end on Fri 27 Nov.
    assert "Beste datum om het gat te vullen: ma 30 nov 2026 om 14:00" in str(
        warning["DESCRIPTION"]
    )
    # Planning the next meeting cannot undo the long gap, but the warning now says so.
    cli.ok("plan", "--collab", "2", "--count", "1", "--confirm")
    after = [e for e in _events(client.get(path).data) if "WARNING" in e["CATEGORIES"].cats]
    assert str(after[0]["SUMMARY"]) == "⚠ Lang gat tot het volgende overleg — focus kan weglekken"
    assert after[0].decoded("DTSTART") == date(2026, 11, 19)
    assert "Volgend overleg: ma 30 nov 2026." in str(after[0]["DESCRIPTION"])
    assert "vult het gat zo vroeg als de kalender toelaat" in str(after[0]["DESCRIPTION"])
    # The gap is over the maximum already: it shows today (Sat 21 Nov) too, where it is seen;
    # the next warning is the first day past 8 counted weeks after Mon 30 Nov (kerstvakantie
    # zuid, 19 Dec – 3 Jan, not counted): Tue 9 Feb.
    assert [e.decoded("DTSTART") for e in after[1:]] == [date(2026, 11, 21), date(2027, 2, 9)]
    assert str(after[1]["UID"]) == "drift-2-20261119-now@planner"


def test_warnings_appear_and_disappear_as_the_plan_changes(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    path = _path(_create(cli, "--collab", "1"))

    def warnings() -> list[date]:
        body = client.get(path).data
        return [e.decoded("DTSTART") for e in _events(body) if "WARNING" in e["CATEGORIES"].cats]

    before = warnings()
    meetings = json.loads(cli.ok("meetings", "list", "--collab", "1", "--json"))
    december = next(m for m in meetings if m["day"] == "2026-12-17")
    cli.ok("meetings", "cancel", str(december["id"]))
    # 24 Nov → 21 Jan is 58 days, 44 counted without the kerstvakantie: above 6 weeks.
    appeared = warnings()
    assert set(appeared) - set(before) == {date(2027, 1, 20)}
    cli.ok("plan", "--collab", "1", "--day", "2027-01-07", "--confirm")
    assert warnings() == before


def test_a_persons_feed_has_all_their_meetings_and_the_warnings_they_coordinate(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    # Sanne Visser coordinates collaboration 3 and takes part in collaboration 2.
    body = client.get(_path(_create(cli, "--person", "s.visser@jeugdhulpdebrug.example"))).data
    events = _events(body)
    categories = {str(cat) for e in events for cat in e["CATEGORIES"].cats}
    assert {"Doorlopende leerlijn techniek Eindhoven"} <= categories
    assert any("Onderwijs-zorgarrangement" in cat for cat in categories)
    warned = [str(e["SUMMARY"]) for e in events if "WARNING" in e["CATEGORIES"].cats]
    assert all("Onderwijs-zorgarrangement" in summary for summary in warned)
    assert b"@" not in body.replace(b"@planner", b"")
    assert b"Overleggen van Sanne Visser" in body


def test_a_feed_in_english(client: FlaskClient, cli: CLI, demo: None) -> None:
    body = client.get(_path(_create(cli, "--collab", "2", "--lang", "en"))).data
    summaries = [str(e["SUMMARY"]) for e in _events(body)]
    assert "⚠ No follow-up meeting yet — focus may slip away" in summaries
    assert b"Meeting of Doorlopende leerlijn techniek Eindhoven." in body


def test_blocked_days_name_the_schools_they_hold_for(
    client: FlaskClient, cli: CLI, demo: None
) -> None:
    body = client.get(_path(_create(cli, "--collab", "2", "--blocked"))).data
    summaries = [str(e["SUMMARY"]) for e in _events(body)]
    assert "Herfstvakantie zuid — Vakcollege Eindhoven, Kempen Vakschool mbo" in summaries
    # Public holidays: once for everyone, not once per school.
    christmas = [e for e in _events(body) if e.decoded("DTSTART") == date(2026, 12, 26)]
    assert [str(e["SUMMARY"]) for e in christmas] == ["Tweede kerstdag"]
    plain = client.get(_path(_create(cli, "--collab", "2"))).data
    assert b"Herfstvakantie" not in plain


def test_only_tokens_are_stored_per_feed_definition(app: Flask, cli: CLI, demo: None) -> None:
    for _ in range(3):
        _create(cli, "--collab", "1")
    _create(cli, "--collab", "1", "--lang", "en")
    with app.extensions["planner.db"].session() as session:
        keys = sorted(session.scalars(select(Feed.key)))
    assert keys == ["collaboration:1:en", "collaboration:1:nl"]


def _statements(app: Flask) -> list[str]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sqlalchemy_event.listen(app.extensions["planner.db"].engine, "before_cursor_execute", note)
    return seen


def test_an_unchanged_feed_is_served_without_asking_the_database(
    app: Flask, client: FlaskClient, cli: CLI, demo: None
) -> None:
    data = _create(cli, "--collab", "1")
    client.get(_path(data))
    seen = _statements(app)
    for _ in range(3):
        assert client.get(_path(data)).status_code == 200
    assert seen == []
    # A revocation by another process of the deployment reaches this one at once.
    other = create_app(dict(app.config))
    other.instance_path = app.instance_path
    try:
        other_cli = CLI(other.test_cli_runner())
        other_cli.ok("feeds", "revoke", str(data["id"]))
    finally:
        other.extensions["planner.db"].engine.dispose()
    assert client.get(_path(data)).status_code == 404
    assert seen and "feed_token" in seen[0]


def test_without_a_shared_generation_every_request_asks_the_database(
    app: Flask, client: FlaskClient, cli: CLI, demo: None
) -> None:
    app.extensions["planner.feeds"].generation = None  # FEED_SHARED_GENERATION = False
    data = _create(cli, "--collab", "1")
    client.get(_path(data))
    seen = _statements(app)
    assert client.get(_path(data)).status_code == 200
    assert len(seen) == 1 and "feed_token" in seen[0]
    cli.ok("feeds", "revoke", str(data["id"]))
    assert client.get(_path(data)).status_code == 404


def test_a_login_does_not_re_render_the_persons_feed_but_a_new_name_does(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    """A person's feed shows their name and language; logging in (or a wrong password) writes
    other columns of the person and must not make every calendar app download it again."""
    from planner.services.demo import DEMO_PASSWORD
    from tests.factories import ANOUK
    from tests.web import post

    made = client.post("/api/v1/feeds", json={"person": ANOUK})
    assert made.status_code == 201, made.get_data(as_text=True)
    token_id = made.get_json()["id"]

    def revision() -> int:
        with app.extensions["planner.db"].session() as session:
            token = session.get(FeedToken, token_id)
            assert token is not None
            return int(token.feed.revision)

    before = revision()
    browser = app.test_client()
    for password in ("wrong password", DEMO_PASSWORD):  # a failed login, then a real one
        answer = post(browser, "/login", {"email": ANOUK, "password": password})
        assert answer.status_code == (302 if password == DEMO_PASSWORD else 401)
    assert revision() == before
    client.patch(f"/api/v1/people/{ANOUK}", json={"name": "Anouk de Vries-Jansen"})
    assert revision() > before
