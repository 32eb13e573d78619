"""The package's shape: every module belongs to a layer, and imports point one way.

web, cli and messaging (the runtimes) → feeds and presenters → services → domain, ical,
calendar_nl, text and models; the root holds infrastructure only. The domain knows nothing of
Flask, SQLAlchemy or the clock. A new module or package must be placed here to pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLANNER = Path(__file__).resolve().parents[1] / "planner"

INFRASTRUCTURE = {
    "config", "database", "errors", "inputs", "json_input", "migrate", "clock", "events"
}  # fmt: skip
PURE = {"domain", "ical", "calendar_nl", "text"}
CORE = PURE | {"models", "database", "errors", "inputs", "json_input", "events"}

# Per layer: the planner layers its modules may import (its own always allowed).
ALLOWED: dict[str, set[str]] = {
    "planner": {"config", "database", "web", "feeds"},  # the app factory
    "config": set(),
    "database": set(),
    "errors": set(),
    "inputs": {"errors"},
    "json_input": {"errors", "inputs"},
    "clock": set(),
    "migrate": {"errors", "models"},
    "events": {"models"},
    "domain": set(),
    "ical": set(),
    "text": {"domain"},
    "calendar_nl": {"domain", "errors", "inputs"},
    "models": {"database", "domain"},
    "services": CORE,
    "feeds": CORE | {"services", "clock"},
    "presenters": CORE | {"services", "feeds", "config"},
    "messaging": CORE | {"services", "feeds", "presenters", "clock", "config"},
    "web": CORE | {"services", "feeds", "presenters", "messaging", "clock", "config", "migrate"},
    "cli": CORE
    | {"services", "feeds", "presenters", "messaging", "clock", "config", "migrate", "planner"},
}

# Libraries a layer must not use: the inner layers never reach the web, the database or the
# wall clock; services leave requests and languages to the edges.
WEB = {"flask", "flask_babel", "flask_login", "flask_wtf", "wtforms", "werkzeug"}
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "domain": WEB | {"sqlalchemy", "holidays", "icalendar"},
    "ical": WEB | {"sqlalchemy"},
    "text": WEB | {"sqlalchemy"},
    "calendar_nl": WEB | {"sqlalchemy"},
    "models": WEB,
    "services": WEB,
    # Feeds are rendered in the feed's language (Flask-Babel) and served with HTTP dates, but
    # never see a request: the server hands them their feed.
    "feeds": WEB - {"flask_babel", "werkzeug"},
}
# Not the web, though it lives in werkzeug: password hashing (services.accounts).
ALLOWED_LIBRARIES = {"werkzeug.security"}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PLANNER.rglob("*.py")):
        parts = path.relative_to(PLANNER).parts
        if parts[0] == "migrations":
            continue
        found.append((".".join(("planner", *parts)).removesuffix(".py"), path))
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 2 and parts[1] == "__init__":
        return "planner"
    return parts[1]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "planner":  # from planner import web (a module, not a name)
                names.update(
                    f"planner.{alias.name}"
                    for alias in node.names
                    if (PLANNER / alias.name).is_dir() or (PLANNER / f"{alias.name}.py").exists()
                )
    return names


MODULES = _modules()


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(module for module, _ in MODULES if _layer(module) not in ALLOWED)
    assert unplaced == []
    assert len(MODULES) > 150  # the walk found the package


def test_the_root_holds_infrastructure_only() -> None:
    root = sorted(path.stem for path in PLANNER.glob("*.py") if path.stem != "__init__")
    assert set(root) <= INFRASTRUCTURE, set(root) - INFRASTRUCTURE


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[module for module, _ in MODULES])
def test_imports_point_one_way(module: str, path: Path) -> None:
    layer = _layer(module)
    allowed = ALLOWED[layer] | {layer}
    wrong = []
    for name in sorted(_imports(path)):
        top = name.split(".")[0]
        if top == "planner":
            target = name.split(".")[1] if "." in name else "planner"
            if target not in allowed:
                wrong.append(name)
        elif top in FORBIDDEN_LIBRARIES.get(layer, set()) and name not in ALLOWED_LIBRARIES:
            wrong.append(name)
    assert wrong == [], f"{module} ({layer}) may not import {wrong}"
