"""`planner serve`: the development web server."""

from __future__ import annotations

import click
from flask import Flask, current_app
from werkzeug.serving import run_simple

from planner.cli.base import command, require_schema


@command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False, help="Show tracebacks in the browser.")
@click.option(
    "--worker/--no-worker",
    default=None,
    help="Also run the worker in a thread (one-process demo; default SERVE_WITH_WORKER).",
)
def serve(host: str, port: int, debug: bool, worker: bool | None) -> None:
    """Run the web service (development server; use gunicorn in production)."""
    require_schema()
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if worker if worker is not None else app.config["SERVE_WITH_WORKER"]:
        from planner.messaging.worker import Worker

        Worker(app).scheduler(background=True).start()
    run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)


COMMANDS = [serve]
