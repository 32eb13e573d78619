"""`planner plan`, `conflicts`, `drift`, `dashboard`, `fill-in` and `followups`: planning a
series and watching the rhythm."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.cli.base import change, command, echo_json, echo_table, json_option, locale, reading
from planner.cli.meetings import echo_lines
from planner.clock import app_now
from planner.inputs import parse_date, parse_time
from planner.presenters.dashboard import dashboard_row_json, filled_in_text, row_view
from planner.presenters.meetings import drift_json, meeting_json
from planner.presenters.planning import plan_json
from planner.services import collaborations, conflicts, dashboard, drift, people, planning
from planner.services.plan_context import zone_of
from planner.text.formatting import format_day, format_weeks


@command("plan")
@click.option("--collab", "collab_ref", required=True, help="Collaboration id.")
@click.option("--school-year", help="E.g. 2026-2027; default: the current one.")
@click.option("--from", "first", help="Plan from this day (never before today).")
@click.option("--to", "last", help="Plan up to this day (default: end of the school year).")
@click.option("--count", type=int, help="Plan exactly this many new meetings.")
@click.option("--day", "days", multiple=True, help="Use these days instead (repeat).")
@click.option("--confirm", is_flag=True, help="Store the plan as confirmed meetings.")
@click.option(
    "--short-notice",
    is_flag=True,
    help="Allow --day inside the minimum notice (partners' calendars may already be full).",
)
@json_option
def plan(
    collab_ref: str,
    school_year: str | None,
    first: str | None,
    last: str | None,
    count: int | None,
    days: tuple[str, ...],
    confirm: bool,
    short_notice: bool,
    as_json: bool,
) -> None:
    """Propose the meetings of a school year (a preview), or store them with --confirm."""
    with change() if confirm else reading() as session:
        collab = collaborations.get_collaboration(session, collab_ref)
        preview = planning.preview_plan(
            session,
            collab,
            app_now(),
            school_year=school_year,
            first=parse_date(first, "from") if first else None,
            last=parse_date(last, "to") if last else None,
            count=count,
            days=planning.parse_days(days, locale()) if days else None,
            locale=locale(),
            short_notice=short_notice,
        )
        created = planning.confirm_plan(session, preview, app_now()) if confirm else None
        data = plan_json(preview, locale(), created)
    if as_json:
        echo_json(data)
        return
    click.echo(f"{collab.name} — {data['school_year']}")
    echo_lines(data["summary"], "")
    echo_lines(data["warnings"], "! ")
    click.echo("")
    for item in data["meetings"]:
        start = item["start"][11:16]
        marker = (
            _("(confirmed already)")
            if item["fixed"]
            else _("(at short notice)")
            if item["short_notice"]
            else ""
        )
        click.echo(f"{item['day_label']} {start}  {item['location'] or ''} {marker}".rstrip())
        echo_lines(item["explanation"])
    if created is not None:
        click.echo("")
        click.echo(_("Stored %(count)s confirmed meetings.", count=len(created)))
    elif preview.new_meetings:
        click.echo("")
        click.echo(_("This is a preview; add --confirm to store it."))


@command("conflicts")
@click.option("--collab", "collab_refs", multiple=True, help="Only these collaborations.")
@click.option(
    "--apply",
    is_flag=True,
    help="Move every flagged meeting to its proposed day: one re-planning per collaboration,"
    " one mail per partner.",
)
@json_option
def conflicts_command(collab_refs: tuple[str, ...], apply: bool, as_json: bool) -> None:
    """Flag future meetings that now fall on a blocked day, with a proposed new day."""
    with change() as session:
        ids = _collab_ids(session, collab_refs)
        if apply:
            moved = conflicts.apply_proposals(
                session, app_now(), collaboration_ids=ids, locale=locale()
            )
            click.echo(_("%(count)s meetings moved to their proposed day.", count=len(moved)))
            return
        reports, cleared = conflicts.scan_conflicts(
            session, app_now(), collaboration_ids=ids, locale=locale()
        )
        data: list[dict[str, Any]] = [
            {"meeting": meeting_json(report.meeting, locale()), "new": report.new}
            for report in reports
        ]
    if as_json:
        echo_json({"conflicts": data, "cleared": cleared})
        return
    for item in data:
        meeting = item["meeting"]
        flag = meeting["conflict"]
        reasons = "; ".join(f"{r['label']} — {r['who']}" for r in flag["reasons"])
        proposed = (
            format_day(parse_date(flag["proposed_day"], "day"), locale())
            if flag["proposed_day"]
            else "-"
        )
        click.echo(
            _(
                "Meeting %(id)s on %(day)s: %(reasons)s. Proposed: %(proposed)s.",
                id=meeting["id"],
                day=meeting["day_label"],
                reasons=reasons,
                proposed=proposed,
            )
        )
    click.echo(
        _(
            "%(count)s meetings on a blocked day; %(cleared)s flags cleared.",
            count=len(data),
            cleared=cleared,
        )
    )


@command("drift")
@click.option("--collab", "collab_refs", multiple=True, help="Only these collaborations.")
@click.option("--no-fill-in", is_flag=True, help="Skip proposing fill-in dates (faster).")
@json_option
def drift_command(collab_refs: tuple[str, ...], no_fill_in: bool, as_json: bool) -> None:
    """Show each collaboration's rhythm: last and next meeting, gap, status, fill-in date."""
    with reading() as session:
        ids = _collab_ids(session, collab_refs)
        rows = drift.drift_report(
            session, app_now(), collaboration_ids=ids, fill_in=not no_fill_in, locale=locale()
        )
        data = [drift_json(row, locale()) for row in rows]
        if as_json:
            echo_json(data)
            return
        echo_table(
            ["id", _("name"), _("last"), _("next"), _("gap"), _("status"), _("fill in")],
            [
                [
                    item["collaboration_id"],
                    item["name"],
                    (item["last_meeting"] or {}).get("day_label"),
                    (item["next_meeting"] or {}).get("day_label"),
                    format_weeks(item["gap_days"] or 0, locale()),
                    item["status_label"],
                    (item["fill_in"] or {}).get("day_label"),
                ]
                for item in data
            ],
        )


@command("dashboard")
@click.option("--person", help="Only the collaborations this person coordinates (id or e-mail).")
@click.option("--collab", "collab_refs", multiple=True, help="Only these collaborations.")
@json_option
def dashboard_command(person: str | None, collab_refs: tuple[str, ...], as_json: bool) -> None:
    """The dashboard, most urgent first: status, next meeting and answers, the gap now and the
    worst one later, meetings on a blocked day, and the fill-in date for the most urgent gap."""
    with reading() as session:
        now = app_now()
        ids = _collab_ids(session, collab_refs)
        if person:
            rows = dashboard.dashboard_rows(
                session, people.find_person(session, person), now, locale=locale()
            )
            rows = [row for row in rows if ids is None or row.collaboration.id in ids]
        else:
            rows = dashboard.overview_rows(
                session, collaborations.list_collaborations(session, ids), now, locale=locale()
            )
        if as_json:
            echo_json([dashboard_row_json(row, locale()) for row in rows])
            return
        for row in rows:
            view = row_view(row, locale())
            click.echo(f"{row.collaboration.id}  {row.collaboration.name}  [{view.word}]")
            lines = [
                _("next meeting: %(when)s", when=view.next_text)
                if view.next_text
                else _("No next meeting is planned."),
                view.answers_text,
                view.gap_text,
                view.worst_text,
                view.conflicts_text,
                view.planned_until_text,
                _("fill in: %(when)s. %(fills)s", when=view.fill_in.text, fills=view.fill_in.fills)
                if view.fill_in
                else view.forced_text,
            ]
            echo_lines([line for line in lines if line])


@command("fill-in")
@click.option("--collab", "collab_ref", required=True, help="Collaboration id.")
@click.option("--day", required=True, help="The proposed day (see `planner dashboard`).")
@click.option("--time", "at", required=True, help="Its start, e.g. 19:00.")
def fill_in_command(collab_ref: str, day: str, at: str) -> None:
    """Plan the proposed fill-in date at once; the worker sends the invitations."""
    with change() as session:
        collab = collaborations.get_collaboration(session, collab_ref)
        result = dashboard.plan_fill_in(
            session, collab, parse_date(day, "day"), parse_time(at, "time"), app_now(),
            locale=locale(),
        )  # fmt: skip
        text = filled_in_text(result, zone_of(collab), locale())
    click.echo(text)


@command("followups")
@json_option
def followups_command(as_json: bool) -> None:
    """Mark ended meetings as held and propose a follow-up where none is planned."""
    with change() as session:
        found = drift.settle_held_meetings(session, app_now(), locale=locale())
        data: list[dict[str, Any]] = [
            {
                "meeting": meeting_json(item.meeting, locale()),
                "next_planned": item.next_planned,
                "proposal": {
                    "day": item.proposal.day.isoformat(),
                    "start": item.proposal.starts_at.isoformat(),
                }
                if item.proposal
                else None,
            }
            for item in found
        ]
        if as_json:
            echo_json(data)
            return
        for item in data:
            if item["next_planned"]:
                continue
            proposal = item["proposal"]
            click.echo(
                _(
                    "Meeting %(id)s was held with no follow-up planned; proposed: %(day)s.",
                    id=item["meeting"]["id"],
                    day=format_day(parse_date(proposal["day"], "day"), locale())
                    if proposal
                    else "-",
                )
            )
        click.echo(_("%(count)s meetings marked as held.", count=len(data)))


def _collab_ids(session: Session, refs: tuple[str, ...]) -> list[int] | None:
    """Return the ids of the collaborations named on the command line, or None for all."""
    return [collaborations.get_collaboration(session, ref).id for ref in refs] if refs else None


COMMANDS = [
    plan,
    conflicts_command,
    drift_command,
    dashboard_command,
    fill_in_command,
    followups_command,
]
