"""Property-based fuzzing of the JSON API over its URL map (Hypothesis).

Every API route, with path segments that are real ids or garbage, query strings and JSON
bodies of every shape (deep nesting, NUL, lone surrogates, Unicode digits, year 9999, huge
numbers and texts). Two properties: no answer is a 5xx, and a refused request (4xx) changes
no row of any table. `tests/test_api_fuzz.py` runs it in CI with a fixed budget;
`bench/fuzz_api.py` runs it longer and prints the figures.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import Flask, got_request_exception
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from planner.models import (
    Base,
    BusyPeriod,
    Collaboration,
    HolidayOverride,
    Meeting,
    Organisation,
    Person,
)

# Field names the API knows (and some it does not), so bodies reach the validators.
FIELD_NAMES = sorted(
    {
        "name", "email", "organisation", "language", "admin", "schools", "kind", "first_day",
        "last_day", "school_year", "weeks", "severity", "note", "brin", "sector", "region",
        "city", "holiday", "ambition", "members", "coordinators", "participants", "rhythm",
        "template", "target_weeks", "max_gap_weeks", "count_holidays", "keep_planned_weeks",
        "notice_days", "duration_minutes", "weekdays", "start_time", "latest_start", "location",
        "location_note", "reminder_hours", "from", "to", "count", "days", "fixed",
        "short_notice", "date", "time", "reason", "collaboration", "person", "blocked_days",
        "label", "year", "closure_days", "holidays", "meeting_uid", "day", "state", "limit",
        "role", "school", "nope",
    }
)  # fmt: skip

QUERY_NAMES = [
    "year", "school_year", "from", "to", "region", "org", "collab", "person", "limit",
    "state", "all", "q", "dry_run", "skip", "fill_in", "days", "count", "lang",
]  # fmt: skip

NASTY_TEXT = [
    "",
    " ",
    "a\x00b",
    "\x00",
    "\ud800",
    "²",
    "٣",
    "²⁰²⁶",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-10-17",
    "17-10-2026",
    "15:30",
    "25:99",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "2026-2027",
    "²⁰²⁶-²⁰²⁷",
    "di,wo,do",
    "ma,²",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 5000,
    "é" * 300,
    "\u202e\u200b",
    "toetsweek",
    "midden",
    "nl",
    "vo",
    "school",
    "true",
    "nee",
]

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, -1, 7, 9999, 10**6, 2**31, 2**63, 10**30])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(NASTY_TEXT)
    | st.text(max_size=30)
)


def _nested(depth: int, leaf: Any) -> Any:
    for number in range(depth):
        leaf = [leaf] if number % 2 else {"a": leaf}
    return leaf


json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
) | st.builds(_nested, st.integers(min_value=3, max_value=400), _scalars)

bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6),
    json_values,
)

raw_bodies = st.sampled_from(
    [
        b"",
        b"{",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b"\xff\xfe\x00garbage",
        b'{"name": "\\ud800"}',
        b'{"name": "a", "name": "b"}',
        b"null",
        b'"text"',
        b"1e999999",
    ]
)

# A valid body per route: the fuzzer mostly breaks one place of it, so a bad value meets the
# validator of its own field rather than the first required field's.
TEMPLATES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/people"): {
        "name": "Fuzz Persoon", "email": "fuzz@example.org", "organisation": "91XB",
        "language": "nl",
    },
    ("PATCH", "/api/v1/people/<ref>"): {"name": "Nieuwe Naam", "language": "en"},
    ("POST", "/api/v1/accounts"): {
        "email": "fuzz-account@example.org", "name": "Fuzz Account", "language": "nl",
        "admin": False, "schools": ["91XB"],
    },
    ("PATCH", "/api/v1/accounts/<ref>"): {"name": "Ander", "schools": ["91XB"]},
    ("POST", "/api/v1/collaborations"): {
        "name": "Fuzzoverleg", "members": ["91XA", "91XB"], "weekdays": "di,do",
        "start_time": "15:30", "target_weeks": 4, "max_gap_weeks": 6,
        "duration_minutes": 90, "notice_days": 10, "reminder_hours": 24,
    },
    ("PATCH", "/api/v1/collaborations/<ref>"): {
        "name": "Hernoemd", "weekdays": ["tue", "thu"], "target_weeks": 5,
        "rhythm": {"max_gap_weeks": 7}, "template": {"start_time": "16:00"},
    },
    ("POST", "/api/v1/collaborations/<ref>/plan"): {
        "school_year": "2026-2027", "count": 8, "days": ["2026-11-17"], "short_notice": False,
    },
    ("POST", "/api/v1/meetings/<meeting_id>/move"): {
        "day": "2026-11-19", "time": "15:30", "short_notice": True, "note": "Zaal bezet",
    },
    ("POST", "/api/v1/meetings/<meeting_id>/cancel"): {"note": "Gaat niet door"},
    ("POST", "/api/v1/organisations"): {
        "kind": "school", "name": "Fuzz College", "brin": "77ZZ", "region": "midden",
        "sector": "vo", "city": "Utrecht",
    },
    ("PATCH", "/api/v1/organisations/<ref>"): {"city": "Harmelen", "region": "zuid"},
    ("POST", "/api/v1/organisations/<ref>/busy-periods"): {
        "kind": "test_week", "first_day": "2026-11-02", "last_day": "2026-11-06",
        "severity": "hard", "note": "Toetsweek 1",
    },
    ("POST", "/api/v1/busy-periods"): {
        "region": "zuid", "kind": "other", "first_day": "2027-03-12", "school_year": "2026-2027",
        "weeks": "45-46",
    },
    ("PATCH", "/api/v1/busy-periods/<period_id>"): {"note": "Herkansingen", "severity": "soft"},
    ("POST", "/api/v1/organisations/<ref>/holiday-overrides"): {
        "school_year": "2026-2027", "holiday": "herfstvakantie", "first_day": "2026-10-19",
        "last_day": "2026-10-23", "note": "Eigen data",
    },
    ("PUT", "/api/v1/organisations/<ref>/closure-days"): ["goede_vrijdag"],
    ("POST", "/api/v1/feeds"): {
        "collaboration": 1, "blocked_days": True, "language": "nl", "label": "Fuzz",
    },
}  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the value itself, each item, each field)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return copy


@st.composite
def mutated(draw: Callable[..., Any], template: Any) -> Any:
    """The template with one or two of its places replaced by any JSON value."""
    body = template
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        path = draw(st.sampled_from(_paths(body)))
        body = _replaced(body, path, draw(json_values))
    return body


path_garbage = st.sampled_from(
    ["0", "-1", "a\x00b", "\x00", "²", "٣", "99999999999999999999", "x" * 300, "%", "..", " 1"]
) | st.text(min_size=1, max_size=12).filter(lambda value: "/" not in value and value not in ".")


@dataclass
class Figures:
    """What one fuzz run did."""

    requests: int = 0
    refused: int = 0
    accepted: int = 0
    server_errors: list[str] = field(default_factory=list)
    changed_on_refusal: list[str] = field(default_factory=list)
    by_status: dict[int, int] = field(default_factory=dict)


def table_digest(session: Session) -> str:
    """A digest of every row of every table (in primary-key order)."""
    digest = hashlib.blake2b(digest_size=16)
    session.rollback()
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
        digest.update(table.name.encode())
    session.rollback()
    return digest.hexdigest()


def real_ids(session: Session) -> dict[str, list[str]]:
    """Ids of the demo that each kind of path segment may take."""

    def ids(model: Any) -> list[str]:
        return [str(value) for value in session.scalars(select(model.id).limit(3))]

    people = ids(Person) + [str(email) for email in session.scalars(select(Person.email).limit(2))]
    return {
        "organisations": [*ids(Organisation), "91XB", "91XA"],
        "collaborations": ids(Collaboration),
        "people": people,
        "accounts": people,
        "meeting_id": ids(Meeting),
        "period_id": ids(BusyPeriod),
        "override_id": ids(HolidayOverride),
        "token_id": [str(value) for value in session.execute(text("SELECT id FROM feed_token"))],
        "year": ["2026-2027", "2027-2028", "2026"],
        "event_id": ["1"],
        "mail_id": ["1"],
    }


def api_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, rule) of every JSON API route."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule))
    return sorted(routes)


def fuzz_api(
    app: Flask,
    client: FlaskClient,
    session: Session,
    examples: int,
    *,
    seed: int = 16,
    extra_templates: dict[tuple[str, str], Any] | None = None,
) -> Figures:
    """Send `examples` generated requests; record 5xx answers and rows changed on refusal."""
    routes = api_routes(app)
    templates = extra_templates or {}
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is an answer of 500 here, recorded
    crashes: list[str] = []

    def record(_sender: Any, exception: BaseException, **_extra: Any) -> None:
        crashes.append(f"{type(exception).__name__}: {str(exception)[:300]}")

    got_request_exception.connect(record, app)
    ids = real_ids(session)
    figures = Figures()
    state = {"digest": table_digest(session)}

    @st.composite
    def requests(draw: Callable[..., Any]) -> tuple[str, str, dict[str, str], Any]:
        method, rule = draw(st.sampled_from(routes))

        def segment(match: re.Match[str]) -> str:
            name = match[1]
            if name == "ref":
                name = rule.removeprefix("/api/v1/").split("/")[0]
            real = ids.get(name) or ["1"]
            value: str = draw(st.sampled_from(real) | path_garbage)
            return quote_segment(value)

        url = re.sub(r"<(?:\w+:)?(\w+)>", segment, rule)
        query = draw(st.dictionaries(st.sampled_from(QUERY_NAMES), st.sampled_from(NASTY_TEXT)))
        template = TEMPLATES.get((method, rule)) or templates.get((method, rule))
        if template is None:
            payload = draw(st.one_of(bodies, bodies, raw_bodies))
        else:
            payload = draw(st.one_of(bodies, raw_bodies, *[mutated(template)] * 4))
        return method, url, query, payload

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(requests())
    def one(request: tuple[str, str, dict[str, str], Any]) -> None:
        method, url, query, payload = request
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        query_string = "&".join(
            f"{quote_segment(key)}={quote_segment(value)}" for key, value in query.items()
        )
        response = client.open(
            f"{url}?{query_string}&lang=en",
            method=method,
            data=data,
            content_type="application/json",
        )
        status = response.status_code
        figures.requests += 1
        figures.by_status[status] = figures.by_status.get(status, 0) + 1
        shown = f"{method} {url} {query} {data[:200]!r} -> {status}"
        if status >= 500:
            figures.server_errors.append(f"{shown} {crashes[-1:]}")
            state["digest"] = table_digest(session)
            return
        after = table_digest(session)
        if status >= 400:
            figures.refused += 1
            if after != state["digest"]:
                figures.changed_on_refusal.append(shown)
        else:
            figures.accepted += 1
        state["digest"] = after

    one()
    return figures


def quote_segment(value: str) -> str:
    """A path segment percent-encoded the way a client would send it."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")
