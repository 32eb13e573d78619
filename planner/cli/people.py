"""`planner people`: coordinators, school staff and partners."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _

from planner.cli.base import change, echo_json, echo_table, given, group, json_option, reading
from planner.clock import app_now
from planner.presenters.planning import person_json
from planner.services import people


@group("people")
def people_group() -> None:
    """Coordinators, school staff and partners."""


@people_group.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--org", "organisation", help="Organisation id or BRIN.")
@click.option("--language", help="nl or en.")
@json_option
def people_add(as_json: bool, **fields: Any) -> None:
    """Add a person."""
    with change() as session:
        person = people.create_person(session, given(**fields), app_now())
    if as_json:
        echo_json(person_json(person))
    else:
        click.echo(_("Added %(name)s (id %(id)s).", name=person.name, id=person.id))


@people_group.command("list")
@json_option
def people_list(as_json: bool) -> None:
    """List people."""
    with reading() as session:
        found = people.list_people(session)
        if as_json:
            echo_json([person_json(person) for person in found])
            return
        echo_table(
            ["id", _("name"), _("e-mail"), _("organisation")],
            [
                [p.id, p.name, p.email, p.organisation.name if p.organisation else None]
                for p in found
            ],
        )


COMMANDS = [people_group]
