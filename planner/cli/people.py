"""`planner people`: coordinators, school staff and partners, and their own free/busy
addresses (shown by host only: an address is a secret)."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.cli.base import change, echo_json, echo_table, given, group, json_option, reading
from planner.clock import app_now
from planner.presenters.person_calendars import calendar_json, outcome_json, outcome_text, spans
from planner.presenters.planning import person_json
from planner.services import people, person_calendars
from planner.services.calendar_sync import SyncSettings


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


@people_group.command("calendars")
@click.option("--person", "ref", required=True, help="Id or e-mail address.")
@json_option
def people_calendars(ref: str, as_json: bool) -> None:
    """A person's free/busy addresses: host, busy intervals stored, last fetch, errors."""
    with reading() as session:
        person = people.find_person(session, ref)
        calendars = person_calendars.calendars_of(session, person)
        found = spans(session, [c.id for c in calendars])
        items = [calendar_json(c, found.get(c.id)) for c in calendars]
    if as_json:
        echo_json(items)
        return
    echo_table(
        ["id", _("host"), _("busy times"), _("from"), _("until"), _("last fetched"), _("error")],
        [
            [
                item["id"],
                item["host"],
                item["busy_intervals"],
                item["first_busy_at"],
                item["last_busy_until"],
                item["last_fetch_at"],
                item["error"],
            ]
            for item in items
        ],
    )


@people_group.command("add-calendar")
@click.option("--person", "ref", required=True, help="Id or e-mail address.")
@click.argument("url")
@json_option
def people_add_calendar(ref: str, url: str, as_json: bool) -> None:
    """Give a person's free/busy address (fetched at once; only busy times are stored)."""
    with change() as session:
        person = people.find_person(session, ref)
        done = person_calendars.add_calendar(
            session, person, url, app_now(), SyncSettings.from_config(current_app.config)
        )
    if as_json:
        echo_json(outcome_json(done))
        return
    click.echo(
        _(
            "Added address %(id)s (%(host)s) for %(name)s.",
            id=done.calendar.id,
            host=person_calendars.host_of(done.calendar.url),
            name=person.name,
        )
    )
    click.echo(outcome_text(done))


@people_group.command("remove-calendar")
@click.argument("calendar_id")
def people_remove_calendar(calendar_id: str) -> None:
    """Remove a free/busy address and every busy interval it gave."""
    with change() as session:
        calendar = person_calendars.get_calendar(session, calendar_id)
        host = person_calendars.host_of(calendar.url)
        removed = person_calendars.remove_calendar(session, calendar)
    click.echo(
        ngettext(
            "Removed the address at %(host)s and its %(num)d busy time.",
            "Removed the address at %(host)s and its %(num)d busy times.",
            removed,
            host=host,
        )
    )


COMMANDS = [people_group]
