"""`planner collaborations`: members, people, meeting template and rhythm."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _

from planner.cli.base import (
    change,
    echo_json,
    echo_table,
    given,
    group,
    json_option,
    locale,
    reading,
)
from planner.cli.meetings import echo_meetings
from planner.clock import app_now
from planner.presenters.meetings import meeting_json
from planner.presenters.planning import WEEKDAY_CODES, collaboration_json
from planner.services import collaborations, meetings


@group("collaborations")
def collab_group() -> None:
    """Collaborations: members, people, meeting template and rhythm."""


COLLAB_FIELDS = [
    click.option("--name"),
    click.option("--ambition", help="The shared ambition, one line."),
    click.option(
        "--member", "members", multiple=True, help="Member organisation (id or BRIN); repeat."
    ),
    click.option(
        "--coordinator",
        "coordinators",
        multiple=True,
        help="Person id, e-mail or 'Name <e-mail>'; one or two.",
    ),
    click.option(
        "--participant", "participants", multiple=True, help="Person, as for --coordinator."
    ),
    click.option("--duration", "duration_minutes", help="Minutes, e.g. 90."),
    click.option("--weekdays", help="Allowed weekdays, e.g. di,wo,do."),
    click.option("--start", "start_time", help="Start time, e.g. 15:30."),
    click.option("--latest-start", help="Latest start for a time window, e.g. 16:30."),
    click.option("--location", help="rotate (among member schools) or online."),
    click.option("--location-note", help="E.g. the video link for online meetings."),
    click.option("--target-weeks", help="Target interval in weeks."),
    click.option("--max-gap-weeks", help="Maximum gap in weeks; above it focus is at risk."),
    click.option(
        "--count-holidays/--skip-holidays",
        "count_holidays",
        default=None,
        help="Whether weeks that are a school holiday for every member count towards a gap "
        "(default: they do not).",
    ),
    click.option(
        "--reminder-hours",
        help="Hours before a meeting that participants get a reminder (0: none; empty:"
        " the configured default, 48).",
    ),
    click.option(
        "--keep-planned-weeks",
        help="Keep meetings planned this many weeks ahead: the daily job plans the next"
        " ones and invites (empty: off).",
    ),
    click.option(
        "--notice-days",
        help="Minimum notice in school days (weekends and blocked days do not count);"
        " default 5, 0 for none.",
    ),
]


def with_collab_fields(function: Any) -> Any:
    """The fields of a collaboration as options."""
    for option in reversed(COLLAB_FIELDS):
        function = option(function)
    return function


def _collab_raw(fields: dict[str, Any]) -> dict[str, Any]:
    raw = given(**fields)
    for key in ("members", "coordinators", "participants"):
        if key in raw:
            raw[key] = list(raw[key])
    return raw


@collab_group.command("add")
@with_collab_fields
@json_option
def collab_add(as_json: bool, **fields: Any) -> None:
    """Add a collaboration."""
    with change() as session:
        collab = collaborations.create_collaboration(session, _collab_raw(fields), app_now())
        data = collaboration_json(collab)
    if as_json:
        echo_json(data)
    else:
        click.echo(_("Added %(name)s (id %(id)s).", name=collab.name, id=collab.id))


@collab_group.command("update")
@click.argument("ref")
@with_collab_fields
@json_option
def collab_update(ref: str, as_json: bool, **fields: Any) -> None:
    """Change a collaboration (only the fields given; lists replace)."""
    with change() as session:
        collab = collaborations.get_collaboration(session, ref)
        collaborations.update_collaboration(session, collab, _collab_raw(fields), app_now())
        data = collaboration_json(collab)
    if as_json:
        echo_json(data)
    else:
        click.echo(_("Saved %(name)s.", name=collab.name))


@collab_group.command("list")
@json_option
def collab_list(as_json: bool) -> None:
    """List collaborations with their members and rhythm."""
    with reading() as session:
        found = collaborations.list_collaborations(session)
        if as_json:
            echo_json([collaboration_json(collab) for collab in found])
            return
        echo_table(
            ["id", _("name"), _("members"), _("rhythm"), _("weekdays")],
            [
                [
                    c.id,
                    c.name,
                    ", ".join(m.organisation.name for m in c.members),
                    _(
                        "every %(target)s wk, max %(max)s wk",
                        target=c.target_weeks,
                        max=c.max_gap_weeks,
                    ),
                    ",".join(WEEKDAY_CODES[int(d) - 1] for d in c.weekdays),
                ]
                for c in found
            ],
        )


@collab_group.command("show")
@click.argument("ref")
@json_option
def collab_show(ref: str, as_json: bool) -> None:
    """Show a collaboration with its meetings."""
    with reading() as session:
        collab = collaborations.get_collaboration(session, ref)
        found = meetings.list_meetings(session, collab.id)
        data = collaboration_json(collab)
        data["meetings"] = [meeting_json(m, locale()) for m in found]
        if as_json:
            echo_json(data)
            return
        click.echo(f"{collab.id}: {collab.name}")
        headings = {
            "members": _("members"),
            "coordinators": _("coordinators"),
            "participants": _("participants"),
        }
        for key, heading in headings.items():
            names = ", ".join(item["name"] for item in data[key])
            click.echo(f"{heading}: {names or '-'}")
        click.echo(f"{_('rhythm')}: {data['rhythm']}")
        click.echo(f"{_('meeting template')}: {data['template']}")
        click.echo("")
        echo_meetings(data["meetings"])


@collab_group.command("delete")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def collab_delete(ref: str, yes: bool) -> None:
    """Delete a collaboration with its meetings."""
    with change() as session:
        collab = collaborations.get_collaboration(session, ref)
        if not yes:
            click.confirm(_("Delete %(name)s and all its meetings?", name=collab.name), abort=True)
        name = collab.name
        collaborations.delete_collaboration(session, collab, app_now())
    click.echo(_("Deleted %(name)s.", name=name))


@collab_group.command("essential")
@click.option("--collab", "ref", required=True, help="Collaboration id or name.")
@click.option("--person", "person", required=True, help="Person id or e-mail address.")
@click.option("--off", is_flag=True, help="No longer essential.")
def collab_essential(ref: str, person: str, off: bool) -> None:
    """Mark a participant essential (her own busy times are hard for the planner), or --off."""
    with change() as session:
        collab = collaborations.get_collaboration(session, ref)
        link = collaborations.set_essential(session, collab, person, not off, app_now())
        name, collab_name = link.person.name, collab.name
    if off:
        click.echo(
            _("%(name)s is no longer essential in %(collab)s.", name=name, collab=collab_name)
        )
    else:
        click.echo(_("%(name)s is essential in %(collab)s.", name=name, collab=collab_name))


COMMANDS = [collab_group]
