"""`planner meetings`: one meeting: list, show, alternatives, move, cancel."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _

from planner.cli.base import change, echo_json, echo_table, group, json_option, locale, reading
from planner.clock import app_now
from planner.inputs import parse_date, parse_time
from planner.presenters.meetings import alternative_json, change_json, meeting_json, summary_json
from planner.services import collaborations, meetings, plan_context
from planner.services.alternatives import other_days
from planner.services.invite_history import answers_of
from planner.text.labels import label


def echo_lines(lines: list[str], indent: str = "    ") -> None:
    """Print lines, indented."""
    for line in lines:
        click.echo(f"{indent}{line}")


def echo_meetings(items: list[dict[str, Any]]) -> None:
    """Print meetings (as meeting_json gives them) as a table."""
    echo_table(
        ["id", _("day"), _("time"), _("status"), _("location"), _("conflict")],
        [
            [
                m["id"],
                m["day_label"],
                f"{m['start'][11:16]}–{m['end'][11:16]}",
                m["status_label"],
                m["location"],
                _("proposed: %(day)s", day=m["conflict"]["proposed_day"]) if m["conflict"] else "",
            ]
            for m in items
        ],
    )


def _echo_change(data: dict[str, Any], as_json: bool, headline: str) -> None:
    if as_json:
        echo_json(data)
        return
    click.echo(headline % {"day": data["meeting"]["day_label"]})
    click.echo(data["effect"])
    for item in data["alternatives"]:
        click.echo(f"  {_('fill in')}: {item['day_label']} {item['start'][11:16]}")


@group("meetings")
def meetings_group() -> None:
    """One meeting: list, show, alternatives, move, cancel."""


@meetings_group.command("list")
@click.option("--collab", "collab_ref", required=True, help="Collaboration id.")
@json_option
def meetings_list(collab_ref: str, as_json: bool) -> None:
    """List a collaboration's meetings."""
    with reading() as session:
        collab = collaborations.get_collaboration(session, collab_ref)
        data = [meeting_json(m, locale()) for m in meetings.list_meetings(session, collab.id)]
    if as_json:
        echo_json(data)
    else:
        echo_meetings(data)


@meetings_group.command("show")
@click.argument("meeting_id")
@json_option
def meetings_show(meeting_id: str, as_json: bool) -> None:
    """Show a meeting: when and where, why then, and who answered what."""
    with reading() as session:
        meeting = meetings.get_meeting(session, meeting_id)
        data = meeting_json(meeting, locale())
        data["answers"] = [
            {"person": answer.person.name, "status": answer.status.value, "invited": answer.invited}
            for answer in answers_of(session, meeting)
        ]
        refusal = meetings.change_refusal(meeting, app_now())
    if as_json:
        echo_json(data)
        return
    click.echo(
        f"{data['day_label']} {data['start'][11:16]}–{data['end'][11:16]}  "
        f"{data['location'] or ''}  ({data['status_label']})"
    )
    if data["why"]:
        click.echo(_("Why this date:"))
        echo_lines(data["why"])
    if data["conflict"]:
        click.echo(
            _("Now on a blocked day; proposed: %(day)s", day=data["conflict"]["proposed_day"])
        )
    if refusal is not None:
        click.echo(refusal.translate(_))
    echo_table(
        [_("person"), _("answer")],
        [[item["person"], label(f"answer_{item['status']}", locale())] for item in data["answers"]],
    )


@meetings_group.command("alternatives")
@click.argument("meeting_id")
@click.option("--limit", default=5, show_default=True, type=int)
@json_option
def meetings_alternatives(meeting_id: str, limit: int, as_json: bool) -> None:
    """Propose the nearest good other days for a meeting, with their effect on the drift."""
    with reading() as session:
        meeting = meetings.get_meeting(session, meeting_id)
        current, found = other_days(session, meeting, app_now(), locale=locale(), limit=limit)
        collab = meeting.collaboration
        zone = plan_context.zone_of(collab)
        rhythm = plan_context.rhythm_of(collab)
        data: dict[str, Any] = {
            "meeting": meeting_json(meeting, locale()),
            "current": summary_json(current, locale()),
            "alternatives": [alternative_json(a, zone, rhythm, locale()) for a in found],
        }
    if as_json:
        echo_json(data)
        return
    click.echo(
        _(
            "Now: %(day)s, status %(status)s.",
            day=data["meeting"]["day_label"],
            status=data["current"]["status_label"],
        )
    )
    for item in data["alternatives"]:
        effect = item["effect"]
        click.echo(
            f"{item['day_label']} {item['start'][11:16]}  "
            + _(
                "largest gap %(weeks)s wk, %(status)s",
                weeks=effect["largest_gap_weeks"],
                status=effect["status_label"],
            )
        )
        echo_lines(item["explanation"])
    if not found:
        click.echo(_("No other possible day between the neighbouring meetings."))


@meetings_group.command("move")
@click.argument("meeting_id")
@click.option("--to", "day", required=True, help="New day, YYYY-MM-DD.")
@click.option("--time", "at", help="New start time, e.g. 16:00 (default: first free).")
@click.option(
    "--short-notice",
    is_flag=True,
    help="Allow a day inside the minimum notice (partners' calendars may already be full).",
)
@click.option("--note", help="A note for the invitees, in the update mail.")
@json_option
def meetings_move(
    meeting_id: str, day: str, at: str | None, short_notice: bool, note: str | None, as_json: bool
) -> None:
    """Move a meeting to another day; everyone invited gets the new date by mail."""
    with change() as session:
        meeting = meetings.get_meeting(session, meeting_id)
        result = meetings.move_meeting(
            session,
            meeting,
            parse_date(day, "to"),
            app_now(),
            at=parse_time(at, "time") if at else None,
            locale=locale(),
            short_notice=short_notice,
            note=note,
        )
        data = change_json(result, locale())
    _echo_change(data, as_json, _("Moved to %(day)s."))


@meetings_group.command("cancel")
@click.argument("meeting_id")
@click.option("--note", help="A note for the invitees, in the cancellation mail.")
@json_option
def meetings_cancel(meeting_id: str, note: str | None, as_json: bool) -> None:
    """Cancel a meeting; it stays listed as cancelled."""
    with change() as session:
        meeting = meetings.get_meeting(session, meeting_id)
        result = meetings.cancel_meeting(session, meeting, app_now(), locale=locale(), note=note)
        data = change_json(result, locale())
    _echo_change(data, as_json, _("Cancelled %(day)s."))


COMMANDS = [meetings_group]
