"""`planner poll start|status|confirm|cancel`: a series poll before a plan is confirmed."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _

from planner.cli.base import change, echo_json, echo_table, group, json_option, locale, reading
from planner.clock import app_now
from planner.errors import N_, ValidationError
from planner.inputs import parse_date
from planner.presenters.polls import poll_json
from planner.services import collaborations, polls
from planner.text.formatting import format_day


@group("poll")
def poll_group() -> None:
    """Ask the collaboration's people about the proposed dates before confirming a plan."""


@poll_group.command("start")
@click.option("--collab", "collab_ref", required=True, help="Collaboration id.")
@click.option("--school-year", help="E.g. 2027-2028; default: the current one.")
@click.option("--from", "first", help="Plan from this day (never before today).")
@click.option("--to", "last", help="Plan up to this day (default: end of the school year).")
@click.option("--count", type=int, help="Plan exactly this many new meetings.")
@click.option("--deadline", help="Last day to answer (YYYY-MM-DD); default: in a week.")
@json_option
def start_command(
    collab_ref: str,
    school_year: str | None,
    first: str | None,
    last: str | None,
    count: int | None,
    deadline: str | None,
    as_json: bool,
) -> None:
    """Start a poll on the proposed plan: everyone gets one mail with an answer link."""
    now = app_now()
    with change() as session:
        collab = collaborations.get_collaboration(session, collab_ref)
        poll = polls.start_poll(
            session,
            collab,
            now,
            school_year=school_year,
            first=parse_date(first, "from") if first else None,
            last=parse_date(last, "to") if last else None,
            count=count,
            deadline=parse_date(deadline, "deadline") if deadline else None,
            locale=locale(),
        )
    data = poll_json(polls.report(session, poll, now, locale()), locale())
    if as_json:
        echo_json(data)
        return
    click.echo(
        _(
            "Poll %(id)s started: %(asked)s people are asked about %(dates)s dates, until the"
            " end of %(deadline)s.",
            id=poll.id,
            asked=data["asked"],
            dates=len(data["dates"]),
            deadline=format_day(polls.deadline_day(poll), locale()),
        )
    )


@poll_group.command("status")
@click.option("--collab", "collab_ref", help="The polls of this collaboration.")
@click.option("--poll", "poll_ref", help="This poll.")
@json_option
def status_command(collab_ref: str | None, poll_ref: str | None, as_json: bool) -> None:
    """Show a poll's answers per date beside the plan made with them."""
    if not collab_ref and not poll_ref:
        raise ValidationError(N_("Give --collab or --poll."))
    now = app_now()
    with reading() as session:
        if poll_ref:
            found = [polls.get_poll(session, poll_ref)]
        else:
            collab = collaborations.get_collaboration(session, str(collab_ref))
            found = polls.polls_of(session, collab)
        data = [poll_json(polls.report(session, poll, now, locale()), locale()) for poll in found]
    if as_json:
        echo_json(data[0] if poll_ref else data)
        return
    if not data:
        click.echo(_("No polls."))
    for item in data:
        _echo_poll(item)


STATUS_WORDS = {
    "open": N_("open"),
    "confirmed": N_("confirmed"),
    "cancelled": N_("cancelled"),
}


def _echo_poll(item: dict[str, Any]) -> None:
    click.echo(
        _(
            "Poll %(id)s — %(name)s, school year %(year)s: %(status)s; answers until the end of"
            " %(deadline)s; %(answered)s of %(asked)s answered.",
            id=item["id"],
            name=item["collaboration"]["name"],
            year=item["school_year"],
            status=_(STATUS_WORDS[item["status"]]),
            deadline=format_day(parse_date(item["deadline"], "deadline"), locale()),
            answered=item["answered"],
            asked=item["asked"],
        )
    )
    rows = [
        [
            row["meeting"],
            format_day(parse_date(row["day"], "day"), locale()),
            "*" if row["proposed"] else "",
            len(row["yes"]),
            len(row["maybe"]),
            len(row["no"]),
            len(row["pending"]),
            ", ".join(school["name"] for school in row["schools"]) or "-",
        ]
        for row in item["dates"]
    ]
    echo_table(
        [
            _("Meeting"),
            _("Date"),
            _("Proposed"),
            _("Can"),
            _("Rather not"),
            _("Cannot"),
            _("No answer yet"),
            _("Schools"),
        ],
        rows,
    )
    for late in item["late_answers"]:
        click.echo(
            _(
                "Late (not applied): %(name)s, %(day)s: %(choice)s",
                name=late["person"]["name"],
                day=format_day(parse_date(late["day"], "day"), locale()),
                choice=late["choice"],
            )
        )
    if item["replan"]:
        days = [
            meeting["day_label"] for meeting in item["replan"]["meetings"] if not meeting["fixed"]
        ]
        click.echo(_("Re-plan with the answers: %(days)s", days=", ".join(days)))
    elif item["replan_problem"]:
        click.echo(_("No re-plan: %(reason)s", reason=item["replan_problem"]))
    click.echo("")


@poll_group.command("confirm")
@click.option("--poll", "poll_ref", required=True, help="Poll id.")
@json_option
def confirm_command(poll_ref: str, as_json: bool) -> None:
    """Confirm the plan made with the answers: the meetings are stored, invitations follow."""
    now = app_now()
    with change() as session:
        poll = polls.get_poll(session, poll_ref)
        made = polls.confirm_poll(session, poll, now, locale=locale())
    if as_json:
        echo_json({"poll": poll.id, "meeting_ids": [meeting.id for meeting in made]})
        return
    click.echo(
        _(
            "Poll %(id)s confirmed: %(count)s meetings planned; the invitations are being sent.",
            id=poll.id,
            count=len(made),
        )
    )


@poll_group.command("cancel")
@click.option("--poll", "poll_ref", required=True, help="Poll id.")
def cancel_command(poll_ref: str) -> None:
    """Cancel a poll: nothing is planned; its links say so."""
    with change() as session:
        poll = polls.get_poll(session, poll_ref)
        polls.cancel_poll(session, poll, app_now())
    click.echo(_("Poll %(id)s cancelled.", id=poll.id))


COMMANDS = [poll_group]
