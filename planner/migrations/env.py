"""Alembic environment: runs against the connection or URL handed over by planner.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from planner.database import UTCDateTime, make_engine
from planner.models import Base

config = context.config
target_metadata = Base.metadata


def render_item(kind: str, item: object, autogen_context: object) -> str | bool:
    """Write the aware-UTC column type as the plain DateTime it stores, so scripts stand alone."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url) if url else create_engine("sqlite://")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
