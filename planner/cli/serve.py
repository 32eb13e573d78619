"""`planner serve`: the development web server."""

from __future__ import annotations

import click
from flask import current_app

from planner.cli.base import PlannerCLI


def register(cli: PlannerCLI) -> None:
    """Add the `serve` command."""

    @cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--debug/--no-debug", default=False)
    def serve(host: str, port: int, debug: bool) -> None:
        """Run the web service (development server; use gunicorn in production)."""
        current_app.run(host=host, port=port, debug=debug, use_reloader=False)
