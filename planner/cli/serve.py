"""`planner serve`: the development web server."""

from __future__ import annotations

import click
from flask import Flask, current_app
from werkzeug.serving import run_simple

from planner.cli.base import PlannerCLI


def register(cli: PlannerCLI) -> None:
    """Add the `serve` command."""

    @cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--debug/--no-debug", default=False, help="Show tracebacks in the browser.")
    def serve(host: str, port: int, debug: bool) -> None:
        """Run the web service (development server; use gunicorn in production)."""
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)
