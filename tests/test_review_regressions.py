"""Edge cases found in review: each once gave wrong blocked days, a 500, or silently bad data."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.models import BusyPeriod, Organisation
from tests.helpers import CLI, count_rows

EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(cli: CLI) -> None:
    cli.ok("demo")


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


@pytest.mark.parametrize("ref", ["9999999999", "99999999999999999999", "²", "0"])
def test_impossible_ids_are_404_not_500(client: FlaskClient, demo: None, ref: str) -> None:
    assert client.get(f"/api/v1/organisations/{ref}").status_code == 404
    assert client.get(f"/api/v1/busy-periods/{ref}").status_code == 404
    assert client.delete(f"/api/v1/holiday-overrides/{ref}").status_code == 404


def test_brin_lookup_ignores_case_and_spaces(client: FlaskClient, demo: None) -> None:
    assert client.get("/api/v1/organisations/91%20xa").get_json()["name"] == "Minnaert College"


@pytest.mark.parametrize(
    "scope",
    [
        {"organisation": 0},
        {"organisation": False},
        {"national": "false"},
        {"national": "misschien"},
        {"region": ["zuid"]},
    ],
)
def test_mistyped_scope_never_becomes_national(
    client: FlaskClient, app: Flask, demo: None, scope: dict[str, object]
) -> None:
    before = count_rows(app, BusyPeriod)
    response = client.post(
        "/api/v1/busy-periods", json={**scope, "kind": "other", "first_day": "2027-03-10"}
    )
    assert response.status_code in (400, 404)
    assert count_rows(app, BusyPeriod) == before


def test_source_cannot_be_set_through_the_api(client: FlaskClient, demo: None) -> None:
    response = client.post(
        "/api/v1/organisations/91XA/busy-periods",
        json={"kind": "other", "first_day": "2027-03-10", "source": "rijksoverheid"},
    )
    assert response.status_code == 400


def test_region_change_with_own_holiday_dates_is_refused(client: FlaskClient, demo: None) -> None:
    # Groenendaal (91XB) has its own herfstvakantie dates in the demo.
    response = client.patch("/api/v1/organisations/91XB", json={"region": "zuid"})
    assert response.status_code == 409
    assert "eigen data" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/organisations/91XB").get_json()["region"] == "midden"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "a\u0000b"}, "control characters"),
        ({"name": ["a"]}, "must be text"),
    ],
)
def test_bad_text_is_refused_on_every_database(
    client: FlaskClient, app: Flask, body: dict[str, object], fragment: str
) -> None:
    response = client.post("/api/v1/organisations", json={"region": "noord", **body}, headers=EN)
    assert response.status_code == 400 and fragment in response.get_json()["error"]["message"]
    assert count_rows(app, Organisation) == 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"first_day": "0001-01-01", "last_day": "9999-12-31"}, "between 2000 and 2100"),
        ({"school_year": "2026-2027", "weeks": "45-"}, "is not a week"),
        ({"school_year": "2026-2027", "weeks": "4546"}, "is not a week"),
        ({"school_year": "2026-2027", "weeks": "45", "first_day": "2026-01-01"}, "not both"),
    ],
)
def test_implausible_busy_period_input(
    client: FlaskClient, app: Flask, demo: None, body: dict[str, object], fragment: str
) -> None:
    before = count_rows(app, BusyPeriod)
    response = client.post(
        "/api/v1/organisations/91XA/busy-periods", json={"kind": "other", **body}, headers=EN
    )
    assert response.status_code == 400 and fragment in response.get_json()["error"]["message"]
    assert count_rows(app, BusyPeriod) == before


def test_update_by_weeks_keeps_the_periods_school_year(client: FlaskClient, demo: None) -> None:
    period = client.post(
        "/api/v1/organisations/91XA/busy-periods",
        json={"kind": "test_week", "school_year": "2026-2027", "weeks": "3"},
    ).get_json()
    moved = client.patch(f"/api/v1/busy-periods/{period['id']}", json={"weeks": "4"}).get_json()
    assert (moved["first_day"], moved["last_day"]) == ("2027-01-25", "2027-01-29")
    alone = client.patch(f"/api/v1/busy-periods/{period['id']}", json={"school_year": "2027-2028"})
    assert alone.status_code == 400


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
