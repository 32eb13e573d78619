"""`planner demo`: load the demo data."""

from __future__ import annotations

import click
from flask_babel import gettext as _

from planner.cli.base import change, command
from planner.clock import app_now
from planner.services.demo import DEMO_PASSWORD, clear_all, has_data, load_demo


@command("demo")
@click.option("--reset", is_flag=True, help="Delete ALL data first.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database.")
def demo(reset: bool, if_empty: bool) -> None:
    """Load demo schools in Woerden, Alkmaar and Eindhoven with their busy periods."""
    with change() as session:
        if has_data(session) and not reset:
            if if_empty:
                click.echo(_("The database already has data; demo not loaded."))
                return
            raise click.UsageError(_("The database already has data; use --reset to replace it."))
        if reset:
            clear_all(session)
        counts = load_demo(session, app_now())
    click.echo(
        _(
            "Demo loaded: %(organisations)s organisations, %(busy_periods)s busy periods, "
            "%(collaborations)s collaborations with %(meetings)s meetings.",
            **counts,
        )
    )
    click.echo(
        _(
            "Log in with password %(password)s as %(admin)s (platform administrator),"
            " %(school)s (school administrator) or %(coordinator)s (coordinator).",
            password=DEMO_PASSWORD,
            admin="beheer@planner.example",
            school="roosters@minnaert.example",
            coordinator="a.devries@minnaert.example",
        )
    )


COMMANDS = [demo]
