"""Fixtures: a migrated database per session (SQLite, or PostgreSQL via PLANNER_TEST_DATABASE_URL),
emptied after every test; app, client, CLI runner and session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from planner import create_app
from planner.database import make_engine
from planner.migrate import upgrade_database
from planner.models import Base, Collaboration
from tests.factories import Doors, load_demo, noord_zuid_collaboration
from tests.helpers import CLI

API_TOKEN = "test-api-token"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPO_ROOT = Path(__file__).resolve().parents[1]


def _reset_schema(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head by the real migrations, shared by the whole run."""
    url = os.environ.get("PLANNER_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    )
    engine = make_engine(url)
    _reset_schema(engine)
    upgrade_database(engine)
    engine.dispose()
    yield url


def empty_tables(engine: Engine) -> None:
    """Delete every row, children first; restart id sequences on PostgreSQL. DELETE, not
    TRUNCATE: on the few rows a test leaves, TRUNCATE of every table costs ~60 ms a test (it
    replaces each table's files) where DELETE costs ~4 ms."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            )


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on the test database, in a fresh instance folder."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "API_TOKEN": API_TOKEN,
            # The links in the tests' mails point at the local default (tests/test_worker.py
            # checks a worker without an address holding its mails).
            "LINKS_WITHOUT_PUBLIC_URL": True,
        }
    )
    application.instance_path = str(tmp_path / "instance")
    yield application
    engine = application.extensions["planner.db"].engine
    empty_tables(engine)
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client that carries the API token (the JSON API needs it; pages ignore it)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {API_TOKEN}"
    return test_client


@pytest.fixture
def browser(app: Flask) -> FlaskClient:
    """A client like a browser's: no API token; log in with tests.web.login."""
    return app.test_client()


@pytest.fixture
def cli(app: Flask) -> CLI:
    return CLI(app.test_cli_runner())


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants stored."""
    with app.extensions["planner.db"].session() as db_session:
        yield db_session


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


def _load_shared(name: str) -> Any:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent in this checkout")
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="session")
def shared_holidays() -> Any:
    """The verified school holidays of ../shared/data."""
    return _load_shared("nl-schoolvakanties.json")


@pytest.fixture(scope="session")
def rijksoverheid_sample() -> Any:
    """Real Rijksoverheid open-data responses of ../shared/data."""
    return _load_shared("rijksoverheid-schoolholidays-sample.json")


@pytest.fixture
def demo(app: Flask, cli: CLI) -> None:
    """The demo data, seen on 1 Sep 2026 08:00 UTC. A module that needs another moment (or the
    clock as it is) overrides this fixture with its own call of tests.factories.load_demo."""
    load_demo(app, cli)


@pytest.fixture
def collab(session: Session) -> Collaboration:
    """Noord College and Zuid College, every 4 weeks and at most 6 apart, Tuesday or Thursday at
    15:30, made on 24 Aug 2026 with nothing planned (no demo data)."""
    return noord_zuid_collaboration(session, datetime(2026, 8, 24, 8, 0, tzinfo=UTC))


@pytest.fixture
def doors(app: Flask, client: FlaskClient, browser: FlaskClient, cli: CLI) -> Doors:
    """The three front doors of the test app: pages, JSON API, CLI."""
    return Doors(app, browser, client, cli)
