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
    if not app.config.get("PUBLIC_URL"):
        # Mails and feeds written outside a request (the worker) need the address this
        # server really answers on, not a default port that may be another program's.
        app.config["PUBLIC_URL"] = serving_url(host, port)
        click.echo(
            f"PUBLIC_URL is not set: links in mails and feeds point at {app.config['PUBLIC_URL']}"
            " (set PLANNER_PUBLIC_URL to the address people use)."
        )
    if worker if worker is not None else app.config["SERVE_WITH_WORKER"]:
        from planner.messaging.worker import Worker

        Worker(app).scheduler(background=True).start()
    run_simple(host, port, app, use_reloader=False, use_debugger=debug, threaded=True)


def serving_url(host: str, port: int) -> str:
    """The address a server bound to host:port answers on, as a link ('0.0.0.0': localhost)."""
    shown = "localhost" if host in {"", "0.0.0.0", "::"} else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"  # an IPv6 address in a URL
    return f"http://{shown}:{port}"


COMMANDS = [serve]
