"""`planner people`, `collaborations`, `plan`, `meetings`, `conflicts`, `drift`, `followups`."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.cli.base import PlannerCLI, db_session, echo_json, echo_table, locale
from planner.clock import app_now
from planner.inputs import parse_date, parse_time
from planner.presenters.planning import (
    WEEKDAY_CODES,
    alternative_json,
    change_json,
    collaboration_json,
    drift_json,
    meeting_json,
    person_json,
    plan_json,
    summary_json,
    weeks_text,
)
from planner.services import collaborations, conflicts, drift, meetings, people, planning
from planner.text.formatting import format_day

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, ())}


def _echo_lines(lines: list[str], indent: str = "    ") -> None:
    for line in lines:
        click.echo(f"{indent}{line}")


def register(cli: PlannerCLI) -> None:
    """Add the planning commands."""

    # --- People ---------------------------------------------------------------------------------

    @cli.group("people")
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
        with db_session() as session:
            person = people.create_person(session, _given(**fields), app_now())
            session.commit()
            if as_json:
                echo_json(person_json(person))
            else:
                click.echo(_("Added %(name)s (id %(id)s).", name=person.name, id=person.id))

    @people_group.command("list")
    @json_option
    def people_list(as_json: bool) -> None:
        """List people."""
        with db_session() as session:
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

    # --- Collaborations -------------------------------------------------------------------------

    @cli.group("collaborations")
    def collab_group() -> None:
        """Collaborations: members, people, meeting template and rhythm."""

    collab_fields = [
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
    ]

    def with_collab_fields(function: Any) -> Any:
        for option in reversed(collab_fields):
            function = option(function)
        return function

    def collab_raw(fields: dict[str, Any]) -> dict[str, Any]:
        raw = _given(**fields)
        for key in ("members", "coordinators", "participants"):
            if key in raw:
                raw[key] = list(raw[key])
        return raw

    @collab_group.command("add")
    @with_collab_fields
    @json_option
    def collab_add(as_json: bool, **fields: Any) -> None:
        """Add a collaboration."""
        with db_session() as session:
            collab = collaborations.create_collaboration(session, collab_raw(fields), app_now())
            session.commit()
            if as_json:
                echo_json(collaboration_json(collab))
            else:
                click.echo(_("Added %(name)s (id %(id)s).", name=collab.name, id=collab.id))

    @collab_group.command("update")
    @click.argument("ref")
    @with_collab_fields
    @json_option
    def collab_update(ref: str, as_json: bool, **fields: Any) -> None:
        """Change a collaboration (only the fields given; lists replace)."""
        with db_session() as session:
            collab = collaborations.get_collaboration(session, ref)
            collaborations.update_collaboration(session, collab, collab_raw(fields), app_now())
            session.commit()
            if as_json:
                echo_json(collaboration_json(collab))
            else:
                click.echo(_("Saved %(name)s.", name=collab.name))

    @collab_group.command("list")
    @json_option
    def collab_list(as_json: bool) -> None:
        """List collaborations with their members and rhythm."""
        with db_session() as session:
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
        with db_session() as session:
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
            _echo_meetings(data["meetings"])

    @collab_group.command("delete")
    @click.argument("ref")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def collab_delete(ref: str, yes: bool) -> None:
        """Delete a collaboration with its meetings."""
        with db_session() as session:
            collab = collaborations.get_collaboration(session, ref)
            if not yes:
                click.confirm(
                    _("Delete %(name)s and all its meetings?", name=collab.name), abort=True
                )
            name = collab.name
            collaborations.delete_collaboration(session, collab, app_now())
            session.commit()
            click.echo(_("Deleted %(name)s.", name=name))

    # --- Planning -------------------------------------------------------------------------------

    @cli.command("plan")
    @click.option("--collab", "collab_ref", required=True, help="Collaboration id.")
    @click.option("--school-year", help="E.g. 2026-2027; default: the current one.")
    @click.option("--from", "first", help="Plan from this day (never before today).")
    @click.option("--to", "last", help="Plan up to this day (default: end of the school year).")
    @click.option("--count", type=int, help="Plan exactly this many new meetings.")
    @click.option("--day", "days", multiple=True, help="Use these days instead (repeat).")
    @click.option("--confirm", is_flag=True, help="Store the plan as confirmed meetings.")
    @json_option
    def plan(
        collab_ref: str,
        school_year: str | None,
        first: str | None,
        last: str | None,
        count: int | None,
        days: tuple[str, ...],
        confirm: bool,
        as_json: bool,
    ) -> None:
        """Propose the meetings of a school year (a preview), or store them with --confirm."""
        with db_session() as session:
            collab = collaborations.get_collaboration(session, collab_ref)
            preview = planning.preview_plan(
                session,
                collab,
                app_now(),
                school_year=school_year,
                first=parse_date(first, "from") if first else None,
                last=parse_date(last, "to") if last else None,
                count=count,
                days=planning.parse_days(days) if days else None,
                locale=locale(),
            )
            created = planning.confirm_plan(session, preview, app_now()) if confirm else None
            session.commit()
            data = plan_json(preview, locale(), created)
            if as_json:
                echo_json(data)
                return
            click.echo(f"{collab.name} — {data['school_year']}")
            _echo_lines(data["summary"], "")
            click.echo("")
            for item in data["meetings"]:
                start = item["start"][11:16]
                marker = _("(confirmed already)") if item["fixed"] else ""
                click.echo(
                    f"{item['day_label']} {start}  {item['location'] or ''} {marker}".rstrip()
                )
                _echo_lines(item["explanation"])
            if created is not None:
                click.echo("")
                click.echo(_("Stored %(count)s confirmed meetings.", count=len(created)))
            elif preview.new_meetings:
                click.echo("")
                click.echo(_("This is a preview; add --confirm to store it."))

    # --- Meetings -------------------------------------------------------------------------------

    @cli.group("meetings")
    def meetings_group() -> None:
        """One meeting: list, alternatives, move, cancel."""

    @meetings_group.command("list")
    @click.option("--collab", "collab_ref", required=True, help="Collaboration id.")
    @json_option
    def meetings_list(collab_ref: str, as_json: bool) -> None:
        """List a collaboration's meetings."""
        with db_session() as session:
            collab = collaborations.get_collaboration(session, collab_ref)
            data = [meeting_json(m, locale()) for m in meetings.list_meetings(session, collab.id)]
            if as_json:
                echo_json(data)
            else:
                _echo_meetings(data)

    @meetings_group.command("alternatives")
    @click.argument("meeting_id")
    @click.option("--limit", default=5, show_default=True)
    @json_option
    def meetings_alternatives(meeting_id: str, limit: int, as_json: bool) -> None:
        """Propose the nearest good other days for a meeting, with their effect on the drift."""
        with db_session() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            current, found = meetings.alternatives(
                session, meeting, app_now(), locale=locale(), limit=max(1, min(limit, 20))
            )
            collab = meeting.collaboration
            zone = planning.zone_of(collab)
            rhythm = planning.rhythm_of(collab)
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
                _echo_lines(item["explanation"])
            if not found:
                click.echo(_("No other possible day between the neighbouring meetings."))

    @meetings_group.command("move")
    @click.argument("meeting_id")
    @click.option("--to", "day", required=True, help="New day, YYYY-MM-DD.")
    @click.option("--time", "at", help="New start time, e.g. 16:00 (default: first free).")
    @json_option
    def meetings_move(meeting_id: str, day: str, at: str | None, as_json: bool) -> None:
        """Move a meeting to another day."""
        with db_session() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            result = meetings.move_meeting(
                session,
                meeting,
                parse_date(day, "to"),
                app_now(),
                at=parse_time(at, "time") if at else None,
                locale=locale(),
            )
            session.commit()
            _echo_change(change_json(result, locale()), as_json, _("Moved to %(day)s."))

    @meetings_group.command("cancel")
    @click.argument("meeting_id")
    @json_option
    def meetings_cancel(meeting_id: str, as_json: bool) -> None:
        """Cancel a meeting; it stays listed as cancelled."""
        with db_session() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            result = meetings.cancel_meeting(session, meeting, app_now(), locale=locale())
            session.commit()
            _echo_change(change_json(result, locale()), as_json, _("Cancelled %(day)s."))

    # --- Watching the rhythm --------------------------------------------------------------------

    @cli.command("conflicts")
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
        with db_session() as session:
            ids = _collab_ids(session, collab_refs)
            reports, cleared = conflicts.scan_conflicts(
                session, app_now(), collaboration_ids=ids, locale=locale()
            )
            session.commit()
            if apply:
                moved = 0
                for collab_id in sorted({report.meeting.collaboration_id for report in reports}):
                    moved += len(
                        meetings.apply_conflict_proposals(
                            session, collab_id, app_now(), locale=locale()
                        )
                    )
                session.commit()
                click.echo(_("%(count)s meetings moved to their proposed day.", count=moved))
                return
            data: list[dict[str, Any]] = [
                {
                    "meeting": meeting_json(report.meeting, locale()),
                    "new": report.new,
                }
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

    @cli.command("drift")
    @click.option("--collab", "collab_refs", multiple=True, help="Only these collaborations.")
    @click.option("--no-fill-in", is_flag=True, help="Skip proposing fill-in dates (faster).")
    @json_option
    def drift_command(collab_refs: tuple[str, ...], no_fill_in: bool, as_json: bool) -> None:
        """Show each collaboration's rhythm: last and next meeting, gap, status, fill-in date."""
        with db_session() as session:
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
                        weeks_text(item["gap_days"] or 0, locale()),
                        item["status_label"],
                        (item["fill_in"] or {}).get("day_label"),
                    ]
                    for item in data
                ],
            )

    @cli.command("followups")
    @json_option
    def followups_command(as_json: bool) -> None:
        """Mark ended meetings as held and propose a follow-up where none is planned."""
        with db_session() as session:
            found = drift.settle_held_meetings(session, app_now(), locale=locale())
            session.commit()
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


def _echo_meetings(items: list[dict[str, Any]]) -> None:
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
