"""Test helpers: a CLI runner and a row counter."""

from __future__ import annotations

from typing import Any

from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text

from planner.cli import build_cli


class CLI:
    """Runs `planner` commands against the test app."""

    def __init__(self, runner: FlaskCliRunner) -> None:
        self.runner = runner
        self.group = build_cli()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(self.group, list(args), input=input)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result.output


def count_rows(app: Flask, table: Any) -> int:
    """Count the rows of a table (to show that bad input changed nothing)."""
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table.__tablename__}")).scalar_one())


def dispatch(app: Flask) -> int:
    """Hand every pending event to its handler, as the worker does (mails get queued)."""
    from planner.messaging.worker import Worker

    worker = Worker(app, "tests")
    handled = 0
    with app.app_context():
        while batch := worker.dispatch_events():
            handled += batch
    return handled
