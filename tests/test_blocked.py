"""`planner blocked` and /api/v1/blocked-days on the demo data."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import load_demo
from tests.helpers import CLI


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo on the clock as it is: these tests never froze it."""
    load_demo(app, cli, now=None)


def test_union_of_a_midden_and_a_zuid_school_in_autumn(cli: CLI, demo: None) -> None:
    days = json.loads(
        cli.ok(
            "blocked",
            "--org",
            "91XA",
            "--org",
            "92XC",
            "--from",
            "2026-10-12",
            "--to",
            "2026-11-01",
            "--json",
        )
    )
    by_day = {d["date"]: d for d in days}
    # Both take the autumn holiday 17-25 Oct 2026; the Vakcollege has a test week in week 44.
    assert [d for d in by_day if d < "2026-10-19"] == []
    assert {r["organisation"] for r in by_day["2026-10-19"]["reasons"]} == {
        "Minnaert College",
        "Vakcollege Eindhoven",
    }
    assert by_day["2026-10-26"]["reasons"][0]["label"] == "Toetsweek"
    assert by_day["2026-10-26"]["hard"] is True
    assert all(d["date"] not in ("2026-10-24", "2026-10-25", "2026-10-31") for d in days)


def test_soft_report_meetings_are_listed_but_not_hard(cli: CLI, demo: None) -> None:
    days = json.loads(
        cli.ok("blocked", "--org", "91XA", "--from", "2026-11-23", "--to", "2026-11-27", "--json")
    )
    assert len(days) == 5 and not any(d["hard"] for d in days)
    assert days[0]["reasons"][0]["severity"] == "soft"


def test_text_output_names_school_and_period(cli: CLI, demo: None) -> None:
    out = cli.ok(
        "blocked", "--org", "92XC", "--org", "8", "--from", "2026-12-07", "--to", "2026-12-11"
    )
    assert "■ vr 11 dec 2026" in out
    assert "Vakcollege Eindhoven: Studiedag (hard, vr 11 dec 2026)" in out
    assert "□ ma 7 dec 2026" in out and "Jeugdhulp De Brug: Overig: Jaarafsluiting" in out


def test_partner_without_region_has_public_holidays_only(cli: CLI, demo: None) -> None:
    days = json.loads(
        cli.ok("blocked", "--org", "8", "--from", "2026-12-21", "--to", "2027-01-08", "--json")
    )
    assert [d["date"] for d in days] == ["2026-12-25", "2027-01-01"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--org", "91XA", "--from", "2026-11-10", "--to", "2026-11-01"], "vóór de eerste dag"),
        (["--org", "12AB", "--from", "2026-11-01", "--to", "2026-11-10"], "12AB"),
        (["--org", "91XA", "--from", "2026-01-01", "--to", "2029-12-31"], "hooguit"),
    ],
)
def test_bad_blocked_requests(cli: CLI, demo: None, args: list[str], fragment: str) -> None:
    result = cli("blocked", *args)
    assert result.exit_code == 1 and fragment in result.output


def test_api_matches_cli(client: FlaskClient, cli: CLI, demo: None) -> None:
    api = client.get("/api/v1/blocked-days?org=91XA&org=91XB&from=2026-09-01&to=2027-07-31")
    assert api.status_code == 200
    from_cli = json.loads(
        cli.ok(
            "blocked",
            "--org",
            "91XA",
            "--org",
            "91XB",
            "--from",
            "2026-09-01",
            "--to",
            "2027-07-31",
            "--json",
        )
    )
    assert api.get_json() == from_cli
    assert len(from_cli) > 60


def test_api_errors_speak_the_users_language(client: FlaskClient) -> None:
    nl = client.get("/api/v1/blocked-days?org=1&from=2026-11-10&to=2026-11-01")
    en = client.get(
        "/api/v1/blocked-days?org=1&from=2026-11-10&to=2026-11-01",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert nl.status_code == en.status_code == 400
    assert nl.get_json()["error"]["message"].startswith("De laatste dag (2026-11-01)")
    assert en.get_json()["error"]["message"].startswith("The last day (2026-11-01)")
    missing = client.get("/api/v1/blocked-days?from=2026-11-01&to=2026-11-10")
    assert missing.status_code == 400


def test_summer_holiday_is_blocked_after_the_school_year_ends(cli: CLI, demo: None) -> None:
    # zuid's summer holiday of school year 2026-2027 runs until 5 Sep 2027.
    days = json.loads(
        cli.ok("blocked", "--org", "92XC", "--from", "2027-08-30", "--to", "2027-09-03", "--json")
    )
    assert [d["date"] for d in days] == [
        "2027-08-30",
        "2027-08-31",
        "2027-09-01",
        "2027-09-02",
        "2027-09-03",
    ]
    assert days[0]["reasons"][0]["label"] == "Zomervakantie zuid"


def test_own_holiday_dates_count_even_when_the_official_dates_lie_outside_the_range(
    cli: CLI, demo: None
) -> None:
    # Groenendaal (91XB) takes herfstvakantie 10-18 Oct 2026; midden's official dates are 17-25 Oct.
    days = json.loads(
        cli.ok("blocked", "--org", "91XB", "--from", "2026-10-12", "--to", "2026-10-16", "--json")
    )
    assert [d["date"] for d in days] == [
        "2026-10-12",
        "2026-10-13",
        "2026-10-14",
        "2026-10-15",
        "2026-10-16",
    ]
    assert days[0]["reasons"][0]["label"] == "Herfstvakantie midden (eigen data)"
