"""Organisations through the API and the CLI, including bad input that must change nothing."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.models import BusyPeriod, Event, Organisation
from tests.factories import IMPOSSIBLE_IDS, load_demo
from tests.helpers import CLI, count_rows

EN = {"Accept-Language": "en"}


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo on the clock as it is: these tests never froze it."""
    load_demo(app, cli, now=None)


SCHOOL = {
    "kind": "school",
    "name": "Minnaert College",
    "brin": "91xa",
    "sector": "vo",
    "region": "Midden",
    "city": "Woerden",
}


def test_create_show_update_delete_via_api(client: FlaskClient, app: Flask) -> None:
    created = client.post("/api/v1/organisations", json=SCHOOL)
    assert created.status_code == 201
    org = created.get_json()
    assert org["brin"] == "91XA" and org["region"] == "midden"
    assert created.headers["Location"].endswith(f"/api/v1/organisations/{org['id']}")

    by_brin = client.get("/api/v1/organisations/91xa").get_json()
    assert by_brin["id"] == org["id"]

    changed = client.patch(f"/api/v1/organisations/{org['id']}", json={"city": "Harmelen"})
    assert changed.status_code == 200 and changed.get_json()["city"] == "Harmelen"

    client.post(
        f"/api/v1/organisations/{org['id']}/busy-periods",
        json={"kind": "toetsweek", "school_year": "2026-2027", "weeks": "45-46"},
    )
    assert client.delete(f"/api/v1/organisations/{org['id']}").status_code == 204
    assert client.get(f"/api/v1/organisations/{org['id']}").status_code == 404
    assert count_rows(app, BusyPeriod) == 0  # its busy periods went with it
    kinds = [e for e in _event_kinds(app)]
    assert kinds[0] == "organisation.created" and "organisation.deleted" in kinds


def _event_kinds(app: Flask) -> list[str]:
    from sqlalchemy import select

    with app.extensions["planner.db"].session() as session:
        return list(session.scalars(select(Event.kind).order_by(Event.id)))


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({**SCHOOL, "region": "oost"}, 400, "oost"),
        ({**SCHOOL, "region": None}, 400, "holiday region"),
        ({**SCHOOL, "brin": "XYZ"}, 400, "BRIN"),
        ({**SCHOOL, "name": "  "}, 400, "name is required"),
        ({**SCHOOL, "colour": "blue"}, 400, "colour"),
        ({**SCHOOL, "kind": "club"}, 400, "club"),
        ({"kind": "partner", "name": "Jeugdhulp", "sector": "vo"}, 400, "sector"),
    ],
)
def test_bad_organisation_is_refused_and_nothing_stored(
    client: FlaskClient, app: Flask, body: dict[str, object], status: int, fragment: str
) -> None:
    response = client.post("/api/v1/organisations", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert fragment in response.get_json()["error"]["message"]
    assert count_rows(app, Organisation) == 0
    assert count_rows(app, Event) == 0


def test_duplicate_brin_is_a_conflict_in_dutch_by_default(client: FlaskClient, app: Flask) -> None:
    client.post("/api/v1/organisations", json=SCHOOL)
    response = client.post("/api/v1/organisations", json={**SCHOOL, "name": "Ander College"})
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        "BRIN-code 91XA is al in gebruik bij Minnaert College."
    )
    assert count_rows(app, Organisation) == 1


def test_unknown_organisation_is_404_with_message(client: FlaskClient) -> None:
    response = client.get("/api/v1/organisations/99ZZ", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "99ZZ" in response.get_json()["error"]["message"]


def test_partner_needs_no_region(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/organisations", json={"kind": "partner", "name": "Jeugdhulp De Brug"}
    )
    assert response.status_code == 201
    assert response.get_json()["region"] is None


def test_cli_add_list_update_delete(cli: CLI, app: Flask) -> None:
    out = cli.ok(
        "organisations",
        "add",
        "--name",
        "Vakcollege Eindhoven",
        "--brin",
        "92XC",
        "--sector",
        "vo",
        "--region",
        "zuid",
        "--json",
    )
    org = json.loads(out)
    listed = json.loads(cli.ok("organisations", "list", "--json"))
    assert [o["name"] for o in listed] == ["Vakcollege Eindhoven"]
    cli.ok("organisations", "update", "92XC", "--city", "Eindhoven")
    shown = json.loads(cli.ok("organisations", "show", "92XC", "--json"))
    assert shown["city"] == "Eindhoven" and shown["id"] == org["id"]
    cli.ok("organisations", "delete", "92XC", "--yes")
    assert count_rows(app, Organisation) == 0


def test_cli_duplicate_brin_fails_in_dutch_and_changes_nothing(cli: CLI, app: Flask) -> None:
    cli.ok("organisations", "add", "--name", "A", "--brin", "91XA", "--region", "midden")
    result = cli("organisations", "add", "--name", "B", "--brin", "91XA", "--region", "noord")
    assert result.exit_code == 1
    assert "Fout: BRIN-code 91XA is al in gebruik bij A." in result.output
    assert count_rows(app, Organisation) == 1


def test_cli_unknown_school_is_an_error(cli: CLI) -> None:
    result = cli("organisations", "show", "12AB")
    assert result.exit_code == 1
    assert "12AB" in result.output


@pytest.mark.parametrize("ref", IMPOSSIBLE_IDS)
def test_impossible_organisation_ids_are_404_not_500(
    client: FlaskClient, demo: None, ref: str
) -> None:
    assert client.get(f"/api/v1/organisations/{ref}").status_code == 404


def test_brin_lookup_ignores_case_and_spaces(client: FlaskClient, demo: None) -> None:
    assert client.get("/api/v1/organisations/91%20xa").get_json()["name"] == "Minnaert College"


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
