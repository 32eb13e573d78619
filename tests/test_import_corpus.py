"""The corpus of malformed import files (tests/data/malformed, see its README) tried at every
front door: the school's import page or the administrator's holiday upload, the JSON API and the
CLI. Each file is refused with a 4xx (413 for a body over the request limit) or exit status 1,
with a Dutch message naming the reason and, where a line can be known, "regel N:"; every row of
every table is the same afterwards (no partial import). `manifest.json` says, per file, which
import it goes to and what the message must carry; cells that look like spreadsheet formulas are
the one exception, imported as the text they are.

No demo: one school, its administrator and a platform administrator, so that a file costs little
more than its three requests. Runs on SQLite, and on PostgreSQL with PLANNER_TEST_DATABASE_URL.
"""

from __future__ import annotations

import gzip
import html
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from planner.models import BusyPeriod, Organisation, Person
from planner.services import accounts
from planner.services import organisations as orgs
from tests.factories import ADMIN, NOW, SCHOOL_ADMIN, Doors, api_message, table_digest
from tests.web import csrf_token, login, text_of

CORPUS = Path(__file__).parent / "data" / "malformed"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
REFUSED = [entry for entry in MANIFEST if "outcome" not in entry]
ACCEPTED = [entry for entry in MANIFEST if "outcome" in entry]
YEAR = "2026-2027"

# A few files whose message is also checked in English (?lang=en): a line error, a size limit,
# holiday data with its place, a CSV row.
IN_ENGLISH = [
    "ics/two-rrule.ics",
    "ics/rrule-count-100000000.ics",
    "ics/huge-10mb.ics.gz",
    "csv/bad-date-31-02-2027.csv",
    "json/year-9999.json",
    "json/wrong-types.json",
]


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["file"] for entry in entries]


def _file(entry: dict[str, Any]) -> tuple[str, bytes]:
    """The name the file is uploaded as, and its bytes (a .gz is unpacked: the 10 MB ones)."""
    path = CORPUS / entry["file"]
    if path.suffix == ".gz":
        return path.stem, gzip.decompress(path.read_bytes())
    return path.name, path.read_bytes()


def _expected(entry: dict[str, Any], language: str, door: str) -> str:
    """The phrase the message must carry at this door (the size limits differ per door)."""
    phrase = entry[language]
    return str(phrase[door] if isinstance(phrase, dict) else phrase)


def _multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """A multipart body encoded in memory (the test client would spool a large one to a
    temporary file that it never closes), as keyword arguments of a request."""
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _person(session: Session, email: str, *, admin: bool = False) -> Person:
    # A password hash that no password matches: these tests log in without the form.
    person = Person(
        name=email, email=email, password_hash="-", is_admin=admin, created_at=NOW, updated_at=NOW
    )
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def school(app: Flask, session: Session) -> Organisation:
    """Minnaert College (91XA, region midden), its administrator and a platform administrator;
    committed. The clock stands on 1 Sep 2026, in the school year of the files."""
    app.config["FROZEN_NOW"] = NOW.isoformat()
    org = orgs.create_organisation(
        session, {"name": "Minnaert College", "brin": "91XA", "region": "midden"}, NOW
    )
    accounts.grant_school_admin(session, _person(session, SCHOOL_ADMIN), org, NOW)
    _person(session, ADMIN, admin=True)
    session.commit()
    return org


def _log_in(doors: Doors, session: Session, entry: dict[str, Any]) -> None:
    """The school's administrator for its calendar, the platform administrator for holidays."""
    email = SCHOOL_ADMIN if entry["import"] == "calendar" else ADMIN
    login(doors.browser, session.scalars(select(Person).where(Person.email == email)).one())


def _page(
    doors: Doors, org: Organisation, entry: dict[str, Any], lang: str = "nl"
) -> tuple[int, str]:
    """Upload the file on its page: the status and what the page says."""
    name, data = _file(entry)
    fields: dict[str, Any] = {"csrf_token": csrf_token(doors.browser)}
    fields["file"] = FileStorage(io.BytesIO(data), name)
    if entry["import"] == "calendar":
        url = f"/schools/{org.id}/import?year={YEAR}&lang={lang}"
        fields["school_year"] = YEAR
    else:
        url = f"/admin/holidays/preview?lang={lang}"
    response = doors.browser.post(url, **_multipart(fields))
    return response.status_code, html.unescape(text_of(response))


def _api(doors: Doors, entry: dict[str, Any], lang: str = "nl") -> tuple[int, str]:
    """Send the file to the JSON API (a calendar as the upload `file`, holidays as the body)."""
    name, data = _file(entry)
    if entry["import"] == "calendar":
        response = doors.call(
            "POST",
            f"/api/v1/organisations/91XA/calendar-import?school_year={YEAR}&lang={lang}",
            **_multipart({"file": FileStorage(io.BytesIO(data), name)}),
        )
    else:
        response = doors.call("POST", f"/api/v1/school-holidays/import?lang={lang}", data=data)
    return response.status_code, api_message(response)


def _cli(doors: Doors, entry: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    """Import the file on the command line: the exit status and what it printed."""
    name, data = _file(entry)
    path = tmp_path / name
    path.write_bytes(data)
    if entry["import"] == "calendar":
        args = ["calendars", "import", "--org", "91XA", "--school-year", YEAR, str(path)]
    else:
        args = ["holidays", "import", str(path)]
    result = doors.run(*args)
    return result.exit_code, result.output


def test_the_corpus_is_large_and_says_what_each_file_must_give() -> None:
    kinds = [Path(entry["file"]).name.removesuffix(".gz").rsplit(".", 1)[1] for entry in REFUSED]
    assert len(REFUSED) >= 36
    assert kinds.count("ics") >= 22 and kinds.count("csv") >= 8 and kinds.count("json") >= 6
    for entry in MANIFEST:
        assert (CORPUS / entry["file"]).is_file(), entry["file"]
        assert entry["import"] in ("calendar", "holidays") and entry["why"]
    for entry in REFUSED:
        assert entry["en"] and entry["nl"], entry["file"]
    # Nothing large is committed as it is: the 10 MB files are stored compressed.
    assert max(path.stat().st_size for path in CORPUS.rglob("*")) < 100_000
    assert max(len(_file(entry)[1]) for entry in REFUSED) > 10_000_000


@pytest.mark.parametrize("entry", REFUSED, ids=_ids(REFUSED))
def test_every_door_refuses_the_file_with_line_and_reason(
    app: Flask, doors: Doors, session: Session, school: Organisation, tmp_path: Path, entry: Any
) -> None:
    _log_in(doors, session, entry)
    before = table_digest(app)
    status = entry.get("status", 400)
    answers = {
        "page": _page(doors, school, entry),
        "api": _api(doors, entry),
        "cli": _cli(doors, entry, tmp_path),
    }
    for door, (code, message) in answers.items():
        assert code == (1 if door == "cli" else status), (door, code, message[:300])
        assert _expected(entry, "nl", door) in message, (door, message[:600])
        if entry.get("line"):
            assert f"regel {entry['line']}:" in message, (door, message[:600])
    assert table_digest(app) == before


@pytest.mark.parametrize("entry", [e for e in REFUSED if e["file"] in IN_ENGLISH], ids=IN_ENGLISH)
def test_the_message_is_in_english_when_asked(
    app: Flask, doors: Doors, session: Session, school: Organisation, entry: Any
) -> None:
    _log_in(doors, session, entry)
    before = table_digest(app)
    for door, (code, message) in {
        "page": _page(doors, school, entry, "en"),
        "api": _api(doors, entry, "en"),
    }.items():
        assert code == entry.get("status", 400), (door, code)
        assert _expected(entry, "en", door) in message, (door, message[:600])
        if entry.get("line"):
            assert f"line {entry['line']}:" in message, (door, message[:600])
    assert table_digest(app) == before


@pytest.mark.parametrize("entry", ACCEPTED, ids=_ids(ACCEPTED))
def test_formula_looking_cells_are_imported_as_the_text_they_are(
    app: Flask, doors: Doors, session: Session, school: Organisation, tmp_path: Path, entry: Any
) -> None:
    """Cells like =HYPERLINK(…), +cmd…, @SUM(…) or -2+3 are a school's words, not formulas: the
    preview, the stored busy periods, the school's page and the JSON show them as written
    (escaped in HTML). The planner writes no spreadsheet file, so nothing ever runs them."""
    _log_in(doors, session, entry)
    status, page = _page(doors, school, entry)
    assert status == 200
    for text in entry["texts"]:
        assert text in page
    before = table_digest(app)
    name, data = _file(entry)
    response = doors.call(
        "POST",
        f"/api/v1/organisations/91XA/calendar-import?school_year={YEAR}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert table_digest(app) != before
    session.expire_all()
    notes = session.scalars(select(BusyPeriod.note).order_by(BusyPeriod.first_on)).all()
    assert notes == entry["texts"]
    listed = doors.run("busy-periods", "list", "--org", "91XA", "--json")
    assert [item["note"] for item in json.loads(listed.output)] == entry["texts"]
    shown = html.unescape(text_of(doors.browser.get(f"/schools/{school.id}?year={YEAR}")))
    assert all(text in shown for text in entry["texts"])
