"""No input gives the JSON API a 500, and a refusal changes nothing (issue 16, part 1).

Hypothesis generates requests over every API route (tests/api_fuzz.py); the budget is fixed
so the run stays well under a minute per database. `bench/fuzz_api.py` runs it longer.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.calendar_nl.rijksoverheid import to_rijksoverheid
from planner.calendar_nl.school_holidays import load_school_holidays
from tests.api_fuzz import fuzz_api

# About 25 ms a request on SQLite, 35 ms on PostgreSQL, digests included: ~40 s per database.
EXAMPLES = int(os.environ.get("PLANNER_FUZZ_EXAMPLES", "1200"))
SEED = int(os.environ.get("PLANNER_FUZZ_SEED", "16"))


def test_no_request_to_the_api_gives_a_server_error_or_changes_rows_when_refused(
    app: Flask, client: FlaskClient, session: Session, demo: None
) -> None:
    """Every API route with real ids and garbage in its path, garbage queries, JSON of every
    shape and valid bodies broken in one or two places: never a 5xx, and a refusal leaves
    every table as it was."""
    # The holiday import's template: the planner's own bundled year in the open-data format.
    year = [h for h in load_school_holidays() if h.school_year == "2026-2027"]
    document = json.loads(to_rijksoverheid(year))
    holidays = {("POST", "/api/v1/school-holidays/import"): document}
    figures = fuzz_api(app, client, session, EXAMPLES, seed=SEED, extra_templates=holidays)
    print(
        f"\nfuzz ({session.bind.dialect.name if session.bind else '?'}, seed {SEED}):"
        f" {figures.requests} requests, {figures.refused} refused, {figures.accepted} accepted,"
        f" {len(figures.server_errors)} answers 5xx,"
        f" {len(figures.changed_on_refusal)} refusals that changed rows;"
        f" statuses {sorted(figures.by_status.items())}"
    )
    assert figures.requests >= EXAMPLES * 0.9
    assert figures.refused > figures.requests / 2  # most of the garbage is refused...
    assert figures.accepted > 0  # ...but real requests get through
    assert figures.server_errors == [], "\n".join(figures.server_errors)
    assert figures.changed_on_refusal == []


# --- What the fuzzing found, each as a plain case a user would meet -----------------------------

NL = {"Accept-Language": "nl"}


def _refusal(response: Any) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)
    message: str = response.get_json()["error"]["message"]
    return message


def test_a_field_nested_too_deeply_is_refused_by_name(client: FlaskClient, demo: None) -> None:
    deep: Any = "Anouk"
    for _ in range(40):
        deep = [deep]
    before = client.get("/api/v1/people").get_json()
    message = _refusal(client.post("/api/v1/people", json={"name": deep}, headers=NL))
    assert message.startswith("name") and "te diep" in message
    # A body nested a hundred thousand deep never reaches a service either.
    message = _refusal(
        client.post(
            "/api/v1/collaborations",
            data=b"[" * 100_000 + b"]" * 100_000,
            content_type="application/json",
            headers=NL,
        )
    )
    assert "te diep" in message
    assert client.get("/api/v1/people").get_json() == before


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (b'{"name": "\\ud800"}', "name", "kapot teken"),
        (b'{"name": "Anouk\\u0000"}', "name", "stuurtekens"),
        (b'{"count": 1e999}', "count", "geen bruikbaar getal"),
        (b'{"count": NaN}', "count", "geen bruikbaar getal"),
        (b'{"count": 123456789012345678901234567890}', "count", "geen bruikbaar getal"),
        (b'{"name": "a", "name": "b"}', "name", "twee keer"),
        (b'{"days": ["2026-11-17", {"x": "\\u0007"}]}', "days[1].x", "stuurtekens"),
    ],
)
def test_a_value_no_field_can_use_is_refused_naming_the_field(
    client: FlaskClient, collab: Any, raw: bytes, field: str, words: str
) -> None:
    response = client.post(
        f"/api/v1/collaborations/{collab.id}/plan",
        data=raw,
        content_type="application/json",
        headers=NL,
    )
    message = _refusal(response)
    assert message.startswith(field) and words in message, message


def test_a_body_that_is_not_json_or_not_utf8_says_so(client: FlaskClient, demo: None) -> None:
    message = _refusal(
        client.post("/api/v1/people", data=b'{"name": "Anouk",', content_type="application/json")
    )
    assert "geen geldige JSON" in message and "regel 1" in message
    message = _refusal(
        client.post("/api/v1/people", data=b"\xff\xfe{}", content_type="application/json")
    )
    assert "UTF-8" in message


def test_superscript_digits_are_no_weekdays(client: FlaskClient, collab: Any) -> None:
    response = client.patch(
        f"/api/v1/collaborations/{collab.id}", json={"weekdays": "ma,²"}, headers=NL
    )
    assert "is geen weekdag" in _refusal(response)


def test_a_nul_in_an_address_is_an_unknown_address_and_in_a_query_a_named_refusal(
    client: FlaskClient, demo: None
) -> None:
    """PostgreSQL refuses NUL in any text: the address never gets that far."""
    assert client.get("/api/v1/organisations/a%00b/closure-days").status_code == 404
    assert client.put("/api/v1/organisations/a%00b/closure-days", json=[]).status_code == 404
    assert client.get("/api/v1/people/" + "x" * 500).status_code == 404
    message = _refusal(client.get("/api/v1/organisations?q=a%00b", headers=NL))
    assert message.startswith("q") and "stuurtekens" in message
