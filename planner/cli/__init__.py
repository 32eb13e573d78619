"""The `planner` command: one module per area, each a list of module-level click commands."""

from __future__ import annotations

from planner.cli.base import PlannerCLI


def build_cli() -> PlannerCLI:
    """Assemble the command tree."""
    from planner import create_app
    from planner.cli import (
        busy_periods,
        calendar,
        collaborations,
        db,
        demo,
        feeds,
        meetings,
        organisations,
        people,
        planning,
        polls,
        serve,
        users,
        worker,
    )

    cli = PlannerCLI(
        create_app=create_app,
        help="Plan the meetings of Dutch school collaborations far ahead.",
    )
    for module in (
        organisations,
        busy_periods,
        calendar,
        people,
        collaborations,
        planning,
        polls,
        meetings,
        feeds,
        users,
        worker,
        demo,
        db,
        serve,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)
    return cli


def main() -> None:
    """Entry point of the `planner` console script."""
    build_cli().main(prog_name="planner")
