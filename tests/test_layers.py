"""Imports point one way: the domain knows nothing of Flask, SQLAlchemy or the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLANNER = Path(__file__).resolve().parents[1] / "planner"
# The inner layers never reach out to the web, the database or the wall clock.
INNER = {
    "flask",
    "flask_babel",
    "sqlalchemy",
    "planner.models",
    "planner.database",
    "planner.clock",
    "planner.services",
    "planner.web",
}
FORBIDDEN = {
    "domain": INNER | {"holidays"},
    "calendar_nl": INNER,
    "ical": INNER,
    "services": {"flask", "flask_babel", "planner.web", "planner.views", "planner.cli"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_outer_layers(package: str) -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in sorted((PLANNER / package).glob("*.py"))
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert offenders == []
