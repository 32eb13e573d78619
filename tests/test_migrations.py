"""Alembic migrations build the schema the models describe, up and down."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import inspect, text

from planner.database import make_engine
from planner.migrate import (
    current_revision,
    downgrade_database,
    pending_changes,
    upgrade_database,
)
from planner.models import Base


def test_test_database_is_at_head_with_nothing_pending(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is not None
        assert pending_changes(engine) == []
    finally:
        engine.dispose()


def test_upgrade_from_empty_and_back_on_a_fresh_database(tmp_path: Path) -> None:
    if os.environ.get("PLANNER_TEST_DATABASE_URL"):
        url = os.environ["PLANNER_TEST_DATABASE_URL"]
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            conn.execute(text("CREATE SCHEMA migration_check"))
        engine.dispose()
        engine = make_engine(url)
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET search_path TO migration_check")
            dbapi_connection.commit()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        upgrade_database(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert pending_changes(engine) == []
        downgrade_database(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(engine)
        assert pending_changes(engine) == []
    finally:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA migration_check CASCADE"))
        engine.dispose()
