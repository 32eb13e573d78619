"""The `planner` command: organisations, calendars, collaborations, planning and drift."""

from __future__ import annotations

from planner.cli.base import PlannerCLI


def build_cli() -> PlannerCLI:
    """Assemble the command tree."""
    from planner import create_app
    from planner.cli import calendar, db, demo, feeds, organisations, planning, serve, users, worker

    cli = PlannerCLI(create_app=create_app, help=__doc__)
    for module in (calendar, db, demo, feeds, organisations, planning, serve, users, worker):
        module.register(cli)
    return cli


def main() -> None:
    """Entry point of the `planner` console script."""
    build_cli().main(prog_name="planner")
