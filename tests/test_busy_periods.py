"""Busy periods: by dates or ISO weeks, per school, region or nation; bad input changes nothing."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.models import BusyPeriod
from tests.factories import IMPOSSIBLE_IDS, load_demo
from tests.helpers import CLI, count_rows

EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo on the clock as it is: these tests never froze it."""
    load_demo(app, cli, now=None)


@pytest.fixture
def school(client: FlaskClient) -> dict[str, object]:
    response = client.post(
        "/api/v1/organisations",
        json={"name": "Groenendaal Lyceum", "brin": "91XB", "sector": "vo", "region": "midden"},
    )
    data: dict[str, object] = response.get_json()
    return data


def test_weeks_of_a_school_year_become_monday_to_friday(client: FlaskClient, school: dict) -> None:
    response = client.post(
        "/api/v1/organisations/91XB/busy-periods",
        json={"kind": "toetsweek", "school_year": "2026-2027", "weeks": "45-46"},
    )
    assert response.status_code == 201
    period = response.get_json()
    assert (period["first_day"], period["last_day"]) == ("2026-11-02", "2026-11-13")
    assert period["kind"] == "test_week" and period["severity"] == "hard"
    assert period["iso_weeks"] == "45-46"


def test_weeks_in_the_second_half_of_the_school_year(client: FlaskClient, school: dict) -> None:
    response = client.post(
        "/api/v1/organisations/91XB/busy-periods",
        json={"kind": "exam_period", "school_year": "2026-2027", "weeks": "week 20 t/m 22"},
    )
    period = response.get_json()
    assert (period["first_day"], period["last_day"]) == ("2027-05-17", "2027-06-04")


def test_report_meetings_are_soft_by_default_and_can_be_made_hard(
    client: FlaskClient, school: dict
) -> None:
    soft = client.post(
        "/api/v1/organisations/91XB/busy-periods",
        json={"kind": "report_meetings", "first_day": "2026-11-25"},
    ).get_json()
    assert soft["severity"] == "soft" and soft["last_day"] == "2026-11-25"
    hard = client.patch(f"/api/v1/busy-periods/{soft['id']}", json={"severity": "hard"})
    assert hard.get_json()["severity"] == "hard"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {"kind": "test_week", "first_day": "2026-11-13", "last_day": "2026-11-02"},
            "The last day (2026-11-02) is before the first day (2026-11-13).",
        ),
        ({"kind": "test_week", "school_year": "2026-2027", "weeks": "54"}, "Week 54"),
        ({"kind": "test_week", "school_year": "2026-2027", "weeks": "46-45"}, "Week 45"),
        ({"kind": "test_week", "school_year": "2027-2028", "weeks": "53"}, "Week 53"),
        ({"kind": "test_week", "weeks": "45"}, "school year"),
        ({"kind": "toets", "first_day": "2026-11-02"}, "toets"),
        ({"kind": "open_day", "first_day": "2 november"}, "is not a date"),
        ({"kind": "open_day", "first_day": "2026-11-02", "severity": "medium"}, "medium"),
    ],
)
def test_bad_busy_period_is_refused_and_nothing_stored(
    client: FlaskClient, app: Flask, school: dict, body: dict, fragment: str
) -> None:
    response = client.post("/api/v1/organisations/91XB/busy-periods", json=body, headers=EN)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]["message"]
    assert count_rows(app, BusyPeriod) == 0


def test_busy_period_for_unknown_school_is_404(client: FlaskClient, app: Flask) -> None:
    response = client.post(
        "/api/v1/organisations/12AB/busy-periods",
        json={"kind": "open_day", "first_day": "2026-11-02"},
    )
    assert response.status_code == 404
    assert count_rows(app, BusyPeriod) == 0


def test_bad_update_changes_nothing(client: FlaskClient, school: dict) -> None:
    period = client.post(
        "/api/v1/organisations/91XB/busy-periods",
        json={"kind": "open_day", "first_day": "2027-02-03"},
    ).get_json()
    response = client.patch(f"/api/v1/busy-periods/{period['id']}", json={"last_day": "2027-01-01"})
    assert response.status_code == 400
    after = client.get(f"/api/v1/busy-periods/{period['id']}").get_json()
    assert after == {key: value for key, value in period.items() if key != "meetings_hit"}


def test_region_and_national_periods_apply_to_schools_there(
    client: FlaskClient, school: dict
) -> None:
    region = client.post(
        "/api/v1/busy-periods",
        json={"region": "midden", "kind": "other", "first_day": "2027-03-10", "note": "Regiodag"},
    )
    national = client.post(
        "/api/v1/busy-periods",
        json={"national": True, "kind": "other", "first_day": "2027-03-11", "severity": "soft"},
    )
    elsewhere = client.post(
        "/api/v1/busy-periods", json={"region": "zuid", "kind": "other", "first_day": "2027-03-12"}
    )
    assert {region.status_code, national.status_code, elsewhere.status_code} == {201}
    listed = client.get("/api/v1/organisations/91XB/busy-periods").get_json()
    assert [(p["scope"], p["first_day"]) for p in listed] == [
        ("region", "2027-03-10"),
        ("national", "2027-03-11"),
    ]


def test_scope_must_be_exactly_one(client: FlaskClient, school: dict) -> None:
    response = client.post(
        "/api/v1/busy-periods",
        json={"organisation": "91XB", "region": "zuid", "kind": "other", "first_day": "2027-03-12"},
    )
    assert response.status_code == 400


def test_cli_add_by_weeks_list_update_delete(cli: CLI, app: Flask, school: dict) -> None:
    added = json.loads(
        cli.ok(
            "busy-periods",
            "add",
            "--org",
            "91XB",
            "--kind",
            "toetsweek",
            "--school-year",
            "2026-2027",
            "--weeks",
            "52-2",
            "--json",
        )
    )
    assert (added["first_day"], added["last_day"]) == ("2026-12-21", "2027-01-15")
    listed = json.loads(cli.ok("busy-periods", "list", "--org", "91XB", "--json"))
    assert [p["id"] for p in listed] == [added["id"]]
    cli.ok("busy-periods", "update", str(added["id"]), "--soft", "--note", "Herkansingen")
    shown = json.loads(cli.ok("busy-periods", "list", "--json"))[0]
    assert shown["severity"] == "soft" and shown["note"] == "Herkansingen"
    text = cli.ok("busy-periods", "list", "--org", "91XB")
    assert "ma 21 dec 2026 – vr 15 jan 2027" in text
    cli.ok("busy-periods", "delete", str(added["id"]))
    assert count_rows(app, BusyPeriod) == 0


def test_cli_backwards_range_is_refused(cli: CLI, app: Flask, school: dict) -> None:
    result = cli(
        "busy-periods",
        "add",
        "--org",
        "91XB",
        "--kind",
        "studiedag",
        "--from",
        "2026-11-13",
        "--to",
        "2026-11-02",
    )
    assert result.exit_code == 1
    assert "2026-11-02" in result.output and "2026-11-13" in result.output
    assert count_rows(app, BusyPeriod) == 0


@pytest.mark.parametrize("ref", IMPOSSIBLE_IDS)
def test_impossible_busy_period_ids_are_404_not_500(
    client: FlaskClient, demo: None, ref: str
) -> None:
    assert client.get(f"/api/v1/busy-periods/{ref}").status_code == 404


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
