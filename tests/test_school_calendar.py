"""School holidays as listed and imported, per-school overrides and closure days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.models import Event, HolidayOverride, SchoolHolidayRecord
from tests.factories import IMPOSSIBLE_IDS, load_demo
from tests.helpers import CLI, count_rows

SCHOOL_YEARS = [f"{y}-{y + 1}" for y in range(2022, 2030)]


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo on the clock as it is: these tests never froze it."""
    load_demo(app, cli, now=None)


@pytest.mark.parametrize("region", ["noord", "midden", "zuid"])
def test_holiday_list_matches_the_shared_data_for_every_school_year(
    cli: CLI, shared_data: Path, region: str
) -> None:
    shared = json.loads((shared_data / "nl-schoolvakanties.json").read_text())["school_years"]
    for school_year in SCHOOL_YEARS:
        listed = json.loads(
            cli.ok("holidays", "list", "--region", region, "--school-year", school_year, "--json")
        )
        expected = {
            name: (
                h["regions"][region]["first_day"],
                h["regions"][region]["last_day"],
                h["compulsory"],
            )
            for name, h in shared[school_year].items()
        }
        assert {
            h["name"]: (h["first_day"], h["last_day"], h["compulsory"]) for h in listed
        } == expected


def test_holiday_list_text_is_dutch(cli: CLI) -> None:
    out = cli.ok("holidays", "list", "--region", "noord", "--school-year", "2026-2027")
    assert "Herfstvakantie" in out and "za 10 okt 2026" in out and "nee (advies)" in out


def test_unknown_region_and_school_year_are_errors(cli: CLI) -> None:
    assert (
        "oost" in cli("holidays", "list", "--region", "oost", "--school-year", "2026-2027").output
    )
    result = cli("holidays", "list", "--region", "noord", "--school-year", "2040-2041")
    assert result.exit_code == 1 and "2040-2041" in result.output


def _sample_files(shared_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    sample = json.loads((shared_data / "rijksoverheid-schoolholidays-sample.json").read_text())
    list_file = tmp_path / "list.json"
    per_year = tmp_path / "per_year.json"
    list_file.write_text(json.dumps(sample["list"]))
    per_year.write_text(json.dumps(sample["per_year"]))
    return list_file, per_year


def test_import_of_the_samples_reproduces_the_data_and_is_idempotent(
    cli: CLI, app: Flask, shared_data: Path, tmp_path: Path
) -> None:
    list_file, per_year = _sample_files(shared_data, tmp_path)
    before = cli.ok("holidays", "list", "--region", "zuid", "--school-year", "2026-2027", "--json")
    out = cli.ok("holidays", "import", str(list_file))
    # The list sample holds 2026-2027's first three holidays, with exactly the shipped dates.
    assert "0 toegevoegd, 0 gewijzigd, 9 ongewijzigd" in out
    assert count_rows(app, SchoolHolidayRecord) == 0
    assert (
        cli.ok("holidays", "list", "--region", "zuid", "--school-year", "2026-2027", "--json")
        == before
    )

    # The per-year document of 2025-2026 agrees on every date; it calls the May holiday
    # advisory where the shipped (verified) data calls it compulsory: the import records that.
    out = cli.ok("holidays", "import", str(per_year))
    assert "0 toegevoegd, 3 gewijzigd, 12 ongewijzigd" in out
    meivakantie = next(
        h
        for h in json.loads(
            cli.ok("holidays", "list", "--region", "midden", "--school-year", "2025-2026", "--json")
        )
        if h["name"] == "meivakantie"
    )
    assert meivakantie == {
        **meivakantie,
        "first_day": "2026-04-25",
        "last_day": "2026-05-03",
        "compulsory": False,
    }
    events = count_rows(app, Event)

    again = cli.ok("holidays", "import", str(per_year))
    assert "0 toegevoegd, 0 gewijzigd, 15 ongewijzigd" in again
    assert count_rows(app, Event) == events  # nothing happened, nothing announced


def test_import_changed_dates_are_stored_and_announced(
    cli: CLI, app: Flask, shared_data: Path, tmp_path: Path
) -> None:
    sample = json.loads((shared_data / "rijksoverheid-schoolholidays-sample.json").read_text())
    vacation = sample["list"][0]["content"][0]["vacations"][0]
    vacation["regions"][0]["enddate"] = "2026-10-19T21:59:00.000Z"  # noord one day longer (CEST)
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(sample["list"]))
    dry = cli.ok("holidays", "import", "--dry-run", str(changed))
    assert "2026-10-10..2026-10-18 -> 2026-10-10..2026-10-19" in dry
    assert count_rows(app, SchoolHolidayRecord) == 0
    cli.ok("holidays", "import", str(changed))
    listed = json.loads(
        cli.ok("holidays", "list", "--region", "noord", "--school-year", "2026-2027", "--json")
    )
    assert listed[0]["last_day"] == "2026-10-19"
    assert count_rows(app, Event) == 1


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "geen geldige JSON: regel 1, kolom 2"),
        (
            '[{"content": [{"schoolyear": "2026-2027", "vacations": [{"type": "Paasvakantie", '
            '"compulsorydates": "false", "regions": [{"region": "heel Nederland", '
            '"startdate": "2027-04-01T00:00:00.000Z", '
            '"enddate": "2027-04-05T21:59:00.000Z"}]}]}]}]',
            "Paasvakantie",
        ),
        ('{"content": [{"schoolyear": "2026", "vacations": []}]}', "2026"),
    ],
)
def test_malformed_import_is_rejected_and_writes_nothing(
    cli: CLI, app: Flask, tmp_path: Path, content: str, fragment: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = cli("holidays", "import", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith("Fout: ") and fragment in result.output
    assert count_rows(app, SchoolHolidayRecord) == 0 and count_rows(app, Event) == 0


def test_import_of_missing_file_names_it(cli: CLI, tmp_path: Path) -> None:
    result = cli("holidays", "import", str(tmp_path / "nope.json"))
    assert result.exit_code == 1 and "nope.json" in result.output


def test_import_through_the_api(client: FlaskClient, shared_data: Path) -> None:
    sample = json.loads((shared_data / "rijksoverheid-schoolholidays-sample.json").read_text())
    response = client.post("/api/v1/school-holidays/import", json=sample["per_year"])
    assert response.status_code == 200
    assert response.get_json()["changed"] == 3
    bad = client.post(
        "/api/v1/school-holidays/import", data=b"[]", headers={"Accept-Language": "en"}
    )
    assert bad.status_code == 400 and "no school holidays" in bad.get_json()["error"]["message"]


def test_api_school_holidays(client: FlaskClient) -> None:
    listed = client.get("/api/v1/school-holidays?region=midden&school_year=2026-2027").get_json()
    assert [h["name"] for h in listed] == [
        "herfstvakantie",
        "kerstvakantie",
        "voorjaarsvakantie",
        "meivakantie",
        "zomervakantie",
    ]
    english = client.get("/api/v1/school-holidays?region=midden&school_year=2026-2027&lang=en")
    assert english.get_json()[0]["display_name"] == "Autumn holiday"
    assert (
        client.get("/api/v1/school-holidays?region=oost&school_year=2026-2027").status_code == 400
    )


@pytest.fixture
def woerden(client: FlaskClient) -> str:
    client.post(
        "/api/v1/organisations",
        json={"name": "Groenendaal Lyceum", "brin": "91XB", "sector": "vo", "region": "midden"},
    )
    return "91XB"


def test_override_of_an_advisory_holiday_moves_the_blocked_days(
    client: FlaskClient, woerden: str
) -> None:
    response = client.post(
        f"/api/v1/organisations/{woerden}/holiday-overrides",
        json={
            "school_year": "2026-2027",
            "holiday": "herfstvakantie",
            "first_day": "2026-10-10",
            "last_day": "2026-10-18",
        },
    )
    assert response.status_code == 201
    blocked = client.get(
        f"/api/v1/blocked-days?org={woerden}&from=2026-10-12&to=2026-10-23"
    ).get_json()
    days = [b["date"] for b in blocked]
    assert days == ["2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15", "2026-10-16"]
    assert blocked[0]["reasons"][0]["label"] == "Herfstvakantie midden (eigen data)"

    override_id = response.get_json()["id"]
    assert client.delete(f"/api/v1/holiday-overrides/{override_id}").status_code == 204
    blocked = client.get(
        f"/api/v1/blocked-days?org={woerden}&from=2026-10-12&to=2026-10-23"
    ).get_json()
    assert blocked[0]["date"] == "2026-10-19"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {
                "school_year": "2026-2027",
                "holiday": "kerstvakantie",
                "first_day": "2026-12-12",
                "last_day": "2026-12-27",
            },
            "verplichte data",
        ),
        (
            {
                "school_year": "2026-2027",
                "holiday": "paasvakantie",
                "first_day": "2027-03-29",
                "last_day": "2027-04-02",
            },
            "paasvakantie",
        ),
        (
            {
                "school_year": "2026-2027",
                "holiday": "herfstvakantie",
                "first_day": "2026-10-18",
                "last_day": "2026-10-10",
            },
            "vóór de eerste dag",
        ),
        (
            {
                "school_year": "2026-2027",
                "holiday": "herfstvakantie",
                "first_day": "2026-07-10",
                "last_day": "2026-07-18",
            },
            "binnen schooljaar 2026-2027",
        ),
    ],
)
def test_bad_override_is_refused(
    client: FlaskClient, app: Flask, woerden: str, body: dict, fragment: str
) -> None:
    response = client.post(f"/api/v1/organisations/{woerden}/holiday-overrides", json=body)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]["message"]
    assert count_rows(app, HolidayOverride) == 0


def test_override_via_cli_and_partner_without_region(cli: CLI, woerden: str) -> None:
    cli.ok(
        "overrides",
        "set",
        "--org",
        woerden,
        "--school-year",
        "2026-2027",
        "--holiday",
        "voorjaarsvakantie",
        "--from",
        "2027-02-13",
        "--to",
        "2027-02-21",
    )
    listed = json.loads(cli.ok("overrides", "list", "--org", woerden, "--json"))
    assert [(o["holiday"], o["first_day"]) for o in listed] == [("voorjaarsvakantie", "2027-02-13")]
    cli.ok("organisations", "add", "--kind", "partner", "--name", "Jeugdhulp De Brug")
    result = cli(
        "overrides",
        "set",
        "--org",
        "2",
        "--school-year",
        "2026-2027",
        "--holiday",
        "herfstvakantie",
        "--from",
        "2026-10-10",
        "--to",
        "2026-10-18",
    )
    assert result.exit_code == 1 and "geen vakantieregio" in result.output


def test_closure_days_block_only_the_schools_that_choose_them(
    client: FlaskClient, cli: CLI, woerden: str
) -> None:
    client.post(
        "/api/v1/organisations",
        json={"name": "Vakcollege Eindhoven", "brin": "92XC", "region": "zuid"},
    )
    assert client.put(
        "/api/v1/organisations/91XB/closure-days", json=["goede_vrijdag", "vrijdag_na_hemelvaart"]
    ).get_json() == ["goede_vrijdag", "vrijdag_na_hemelvaart"]
    bad = client.put("/api/v1/organisations/91XB/closure-days", json=["carnaval"])
    assert bad.status_code == 400 and "carnaval" in bad.get_json()["error"]["message"]
    # Goede Vrijdag 2027 is 26 March, Ascension 6 May, the Friday after it 7 May.
    blocked = client.get(
        "/api/v1/blocked-days?org=91XB&org=92XC&from=2027-03-26&to=2027-05-07"
    ).get_json()
    by_day = {b["date"]: [(r["organisation"], r["label"]) for r in b["reasons"]] for b in blocked}
    assert by_day["2027-03-26"] == [("Groenendaal Lyceum", "Goede Vrijdag")]
    assert by_day["2027-05-06"] == [
        ("Groenendaal Lyceum", "Hemelvaartsdag"),
        ("Vakcollege Eindhoven", "Hemelvaartsdag"),
    ]
    assert by_day["2027-05-07"] == [("Groenendaal Lyceum", "Vrijdag na Hemelvaart")]
    assert "2027-03-29" in by_day  # Tweede paasdag, for both
    cli.ok("closure-days", "set", "--org", "91XB")
    assert json.loads(cli.ok("closure-days", "show", "--org", "91XB", "--json")) == []


@pytest.mark.parametrize("ref", IMPOSSIBLE_IDS)
def test_impossible_holiday_override_ids_are_404_not_500(
    client: FlaskClient, demo: None, ref: str
) -> None:
    assert client.delete(f"/api/v1/holiday-overrides/{ref}").status_code == 404


def test_region_change_with_own_holiday_dates_is_refused(client: FlaskClient, demo: None) -> None:
    # Groenendaal (91XB) has its own herfstvakantie dates in the demo.
    response = client.patch("/api/v1/organisations/91XB", json={"region": "zuid"})
    assert response.status_code == 409
    assert "eigen data" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/organisations/91XB").get_json()["region"] == "midden"
