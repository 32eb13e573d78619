"""Every message the code can show has a Dutch translation, and the compiled catalog is current."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "planner" / "translations" / "nl" / "LC_MESSAGES"


def _extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "_n:1,2",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def _complete(string: object) -> bool:
    # A plural message needs every form translated.
    if isinstance(string, list | tuple):
        return all(string)
    return bool(string)


def test_every_message_has_a_dutch_translation(tmp_path: Path) -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    translated = {m.id for m in catalog if m.id and _complete(m.string) and not m.fuzzy}
    missing = sorted(_extracted_ids(tmp_path) - translated, key=str)
    assert missing == [], "run scripts/update-translations and translate these"


def _key(value: object) -> object:
    # Plural messages come back as tuples from .po files and as lists from .mo files.
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalog_matches_the_po_file() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        po = {_key(m.id): _key(m.string) for m in read_po(handle, locale="nl") if m.id and m.string}
    compiled = read_mo(io.BytesIO((CATALOG / "messages.mo").read_bytes()))
    mo = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert mo == po, "run scripts/update-translations to recompile"
