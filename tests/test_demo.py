"""`planner demo`: a believable data set, loaded once; again only with --reset."""

from __future__ import annotations

import json

from tests.helpers import CLI


def test_demo_loads_believable_set_once(cli: CLI) -> None:
    out = cli.ok("demo")
    assert "8 organisaties" in out
    orgs = json.loads(cli.ok("organisations", "list", "--json"))
    by_city: dict[str, list[str]] = {}
    for org in orgs:
        by_city.setdefault(org["city"], []).append(org["kind"])
    assert by_city["Woerden"] == ["school", "school"]
    assert sorted(o["region"] for o in orgs if o["kind"] == "board") == ["noord"] * 3
    assert {o["sector"] for o in orgs if o["city"] == "Eindhoven"} == {"vo", "mbo"}
    assert [o["name"] for o in orgs if o["kind"] == "partner"] == ["Jeugdhulp De Brug"]
    periods = json.loads(cli.ok("busy-periods", "list", "--json"))
    kinds = {p["kind"] for p in periods}
    assert {"test_week", "open_day", "study_day"} <= kinds
    years = {p["first_day"][:4] for p in periods}
    assert {"2025", "2026", "2027"} <= years

    again = cli("demo")
    assert again.exit_code != 0 and "--reset" in again.output
    assert "niet geladen" in cli.ok("demo", "--if-empty")
    assert len(json.loads(cli.ok("organisations", "list", "--json"))) == 8
    cli.ok("demo", "--reset")
    assert len(json.loads(cli.ok("organisations", "list", "--json"))) == 8
