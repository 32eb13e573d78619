"""Collaborations, plans, meetings and drift through the CLI and the API, and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.models import Collaboration, Event, Meeting, Person
from tests.factories import load_demo
from tests.helpers import CLI, count_rows


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo (planned on the morning of 24 Aug 2026) seen on 1 Sep 2026 at 06:00 UTC."""
    load_demo(app, cli, "2026-09-01T06:00:00Z")


def _new_collab(client: FlaskClient, **changes: Any) -> Any:
    body = {
        "name": "Leerlijn",
        "members": ["91XA", "92XC"],
        "coordinators": ["Co <co@example.org>"],
        "rhythm": {"target_weeks": 4, "max_gap_weeks": 6},
        "template": {"weekdays": ["tue", "thu"], "start_time": "15:30", "duration_minutes": 90},
        **changes,
    }
    return client.post("/api/v1/collaborations", json=body)


def test_collaborations_list_json_has_members_and_rhythm(cli: CLI, demo: None) -> None:
    found = json.loads(cli.ok("collaborations", "list", "--json"))
    by_name = {item["name"]: item for item in found}
    woerden = by_name["Startersbegeleiding Woerden"]
    assert [m["name"] for m in woerden["members"]] == ["Minnaert College", "Groenendaal Lyceum"]
    assert woerden["rhythm"] == {
        "target_weeks": 4,
        "max_gap_weeks": 6,
        "count_holidays": False,
        "keep_planned_weeks": None,
        "notice_days": 5,
    }
    assert woerden["template"]["weekdays"] == ["tue", "thu"]
    assert len(woerden["coordinators"]) == 2


def test_cli_and_api_give_the_same_plan(cli: CLI, client: FlaskClient, demo: None) -> None:
    args = ["plan", "--collab", "2", "--school-year", "2026-2027", "--json"]
    from_cli = json.loads(cli.ok(*args))
    from_api = client.get("/api/v1/collaborations/2/plan?school_year=2026-2027").get_json()
    assert from_cli == from_api
    # The held meeting of 16 Sep is fixed... in the future of 1 Sep it is still confirmed.
    assert from_cli["meetings"][0]["fixed"] is True
    assert from_cli["new_meetings"] >= 5
    for meeting in from_cli["meetings"][1:]:
        assert meeting["explanation"], meeting
        assert meeting["gap_before"]["counted_days"] <= 8 * 7
    text = cli.ok("plan", "--collab", "2", "--school-year", "2026-2027")
    assert "--confirm" in text  # a preview says how to store it


def test_confirm_from_the_api_with_chosen_days(app: Flask, client: FlaskClient, demo: None) -> None:
    preview = client.get("/api/v1/collaborations/3/plan?school_year=2026-2027&count=2").get_json()
    chosen = [m["day"] for m in preview["meetings"] if not m["fixed"]]
    before = count_rows(app, Meeting)
    response = client.post(
        "/api/v1/collaborations/3/plan", json={"school_year": "2026-2027", "days": chosen}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["confirmed"] is True and len(body["meeting_ids"]) == 2
    assert count_rows(app, Meeting) == before + 2
    stored = client.get(f"/api/v1/meetings/{body['meeting_ids'][0]}").get_json()
    assert stored["status"] == "confirmed" and stored["sequence"] == 0
    assert stored["start"].endswith("+02:00") and stored["start"][11:16] == "19:00"


def test_cli_confirm_then_move_and_cancel(cli: CLI, demo: None) -> None:
    out = json.loads(
        cli.ok(
            "plan",
            "--collab",
            "2",
            "--school-year",
            "2026-2027",
            "--count",
            "2",
            "--confirm",
            "--json",
        )
    )
    first_id = out["meeting_ids"][0]
    alternatives = json.loads(cli.ok("meetings", "alternatives", str(first_id), "--json"))
    assert alternatives["alternatives"]
    day = alternatives["alternatives"][0]["day"]
    moved = json.loads(cli.ok("meetings", "move", str(first_id), "--to", day, "--json"))
    assert moved["meeting"]["day"] == day and moved["meeting"]["sequence"] == 1
    assert moved["effect"]
    cancelled = json.loads(cli.ok("meetings", "cancel", str(first_id), "--json"))
    assert cancelled["meeting"]["status"] == "cancelled"
    assert cancelled["meeting"]["sequence"] == 2
    listed = cli.ok("meetings", "list", "--collab", "2")
    assert "afgelast" in listed


def test_drift_cli_and_api(cli: CLI, client: FlaskClient, app: Flask, demo: None) -> None:
    app.config["FROZEN_NOW"] = "2026-11-21T09:00:00Z"
    rows = {row["name"]: row for row in json.loads(cli.ok("drift", "--json"))}
    assert rows["Startersbegeleiding Woerden"]["status"] == "on_track"
    assert rows["Doorlopende leerlijn techniek Eindhoven"]["status"] == "no_next_meeting"
    at_risk = rows["Onderwijs-zorgarrangement Noord-Holland–Brabant"]
    assert at_risk["status"] == "at_risk"
    assert at_risk["fill_in"]["day"] > "2026-11-21"
    assert client.get("/api/v1/drift").get_json() == list(rows.values())
    text = cli.ok("drift")
    assert "focus in gevaar" in text and "geen vervolgoverleg" in text


def test_conflicts_cli_flags_a_meeting_after_a_new_test_week(cli: CLI, demo: None) -> None:
    meetings = json.loads(cli.ok("meetings", "list", "--collab", "1", "--json"))
    target = next(m for m in meetings if m["day"] > "2026-10-01")
    cli.ok(
        "busy-periods", "add", "--org", "91XB", "--kind", "toetsweek",
        "--from", target["day"], "--to", target["day"],
    )  # fmt: skip
    out = cli.ok("conflicts")
    assert f"{target['id']}" in out and "Toetsweek" in out
    flagged = json.loads(cli.ok("meetings", "list", "--collab", "1", "--json"))
    flag = next(m for m in flagged if m["id"] == target["id"])["conflict"]
    assert flag["proposed_day"] and flag["proposed_day"] != target["day"]


def test_followups_cli(cli: CLI, app: Flask, demo: None) -> None:
    app.config["FROZEN_NOW"] = "2026-09-20T12:00:00Z"
    out = json.loads(cli.ok("followups", "--json"))
    by_collab = {item["meeting"]["collaboration_id"]: item for item in out}
    # Eindhoven held its only meeting on 16 Sep: a follow-up is proposed at once.
    assert by_collab[2]["next_planned"] is False and by_collab[2]["proposal"]["day"] > "2026-09-20"
    assert json.loads(cli.ok("followups", "--json")) == []


# --- Bad input: a clear message, nothing stored -----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"rhythm": {"target_weeks": 8, "max_gap_weeks": 6}}, "maximale gat"),
        ({"template": {"weekdays": []}}, "minstens één weekdag"),
        ({"template": {"weekdays": ["za"]}}, "maandag tot en met vrijdag"),
        ({"members": ["99ZZ"]}, "Onbekende organisatie"),
        ({"coordinators": []}, "een of twee regisseurs"),
        ({"template": {"start_time": "25:00"}}, "geen tijd"),
    ],
)
def test_bad_collaborations_are_refused(
    app: Flask, client: FlaskClient, demo: None, changes: dict[str, Any], words: str
) -> None:
    before = (count_rows(app, Collaboration), count_rows(app, Person), count_rows(app, Event))
    response = _new_collab(client, **changes)
    assert response.status_code in (400, 404), response.get_json()
    assert words in response.get_json()["error"]["message"]
    after = (count_rows(app, Collaboration), count_rows(app, Person), count_rows(app, Event))
    assert after == before


def test_bad_plans_are_refused(app: Flask, cli: CLI, client: FlaskClient, demo: None) -> None:
    before = (count_rows(app, Meeting), count_rows(app, Event))
    unknown = cli("plan", "--collab", "999", "--school-year", "2026-2027", "--confirm")
    assert unknown.exit_code == 1 and "Onbekende samenwerking" in unknown.output
    empty = cli("plan", "--collab", "1", "--school-year", "2025-2026", "--confirm")
    assert empty.exit_code == 1 and "leeg" in empty.output
    response = client.get("/api/v1/collaborations/1/plan?school_year=2026-2027&count=0")
    assert response.status_code == 400
    response = client.post(
        "/api/v1/collaborations/1/plan",
        json={"school_year": "2026-2027", "days": ["2026-10-20"]},  # herfstvakantie midden
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Autumn holiday midden — Minnaert College" in response.get_json()["error"]["message"]
    assert (count_rows(app, Meeting), count_rows(app, Event)) == before
