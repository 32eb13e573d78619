"""`planner holidays`, `public-holidays`, `blocked` and `calendars import|status|complete|
add-url|urls|update-url|remove-url|sync`: the Dutch school calendar, a school's own year
calendar from a file or linked by address, and whether it is filled in."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.calendar_nl import (
    parse_rijksoverheid,
    parse_school_year,
    parse_year,
    public_holidays,
    school_year_of,
)
from planner.calendar_nl.rijksoverheid import MAX_BYTES as MAX_HOLIDAY_BYTES
from planner.calendar_nl.year_calendar import MAX_BYTES as MAX_CALENDAR_BYTES
from planner.calendar_nl.year_calendar import parse_year_calendar
from planner.cli.base import (
    change,
    command,
    database,
    echo_json,
    echo_table,
    group,
    json_option,
    locale,
    reading,
)
from planner.cli.busy_periods import echo_hits
from planner.clock import app_now, local_date
from planner.errors import N_, ValidationError
from planner.inputs import parse_date
from planner.messaging.jobs import sync_calendars
from planner.presenters.calendar import (
    blocked_day_json,
    import_json,
    meetings_hit_json,
    school_holiday_json,
)
from planner.presenters.calendar_sync import (
    outcome_json,
    outcome_text,
    preview_json,
    preview_lines,
    rules_text,
    source_json,
    status_lines,
)
from planner.presenters.completeness import calendar_year_json, calendar_year_text
from planner.services import (
    calendar_hits,
    calendar_import,
    calendar_sync,
    completeness,
    organisations,
    people,
    school_calendar,
)
from planner.services.availability import blocked_days_for
from planner.text.formatting import format_day, format_span
from planner.text.labels import label


def read_source(file_or_url: str, timeout: float, limit: int) -> bytes:
    """Read a local file, or fetch an http(s) URL; at most `limit` bytes (+1, to tell)."""
    if file_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(file_or_url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body: bytes = response.read(limit + 1)
                return body
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ValidationError(
                N_("Could not fetch %(url)s: %(error)s"), url=file_or_url, error=str(error)
            ) from None
    try:
        with Path(file_or_url).open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as error:
        raise ValidationError(
            N_("Could not read %(path)s: %(error)s"), path=file_or_url, error=error.strerror
        ) from None


@group("holidays")
def holidays_group() -> None:
    """Dutch school holidays per region."""


@holidays_group.command("list")
@click.option("--region", required=True, help="noord, midden or zuid.")
@click.option("--school-year", required=True, help="e.g. 2026-2027.")
@json_option
def holidays_list(region: str, school_year: str, as_json: bool) -> None:
    """List a region's school holidays of one school year."""
    with reading() as session:
        found = school_calendar.school_holidays_for(session, region, school_year)
    if as_json:
        echo_json([school_holiday_json(holiday, locale()) for holiday in found])
        return
    echo_table(
        [_("holiday"), _("first day"), _("last day"), _("compulsory")],
        [
            [
                holiday.display_name(locale()),
                format_day(holiday.first_day, locale()),
                format_day(holiday.last_day, locale()),
                _("yes") if holiday.compulsory else _("no (advisory)"),
            ]
            for holiday in found
        ],
    )


@holidays_group.command("years")
@json_option
def holidays_years(as_json: bool) -> None:
    """Which school years have holiday data for every region, shipped or imported."""
    with reading() as session:
        today = local_date(app_now())
        coverage = school_calendar.holiday_coverage(session, today)
        missing = school_calendar.missing_school_year(session, today)
    if as_json:
        echo_json(
            {
                "school_years": [
                    {
                        "school_year": year.school_year,
                        "regions": year.regions,
                        "complete": year.complete,
                        "shipped": year.shipped,
                        "imported_at": year.imported_at.isoformat() if year.imported_at else None,
                    }
                    for year in coverage
                ],
                "missing": missing,
            }
        )
        return
    echo_table(
        [_("school year"), "noord", "midden", "zuid", _("complete"), _("source")],
        [
            [
                year.school_year,
                *(year.regions[region] for region in ("noord", "midden", "zuid")),
                _("yes") if year.complete else _("no"),
                _("imported") if year.imported_at else _("shipped"),
            ]
            for year in coverage
        ],
    )
    if missing:
        click.echo(
            _(
                "No holidays for %(year)s yet: import them once the Rijksoverheid publishes them.",
                year=missing,
            )
        )


@holidays_group.command("import")
@click.argument("file_or_url")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def holidays_import(file_or_url: str, dry_run: bool) -> None:
    """Import Rijksoverheid open-data school holidays (list or per-school-year JSON)."""
    payload = read_source(file_or_url, current_app.config["HTTP_TIMEOUT"], MAX_HOLIDAY_BYTES)
    parsed = parse_rijksoverheid(payload)
    with reading() if dry_run else change() as session:
        result = school_calendar.import_school_holidays(session, parsed, file_or_url, app_now())
    for item in result.changes:
        before = item["before"]
        after = item["after"]
        was = f"{before['first_day']}..{before['last_day']}" if before else _("new")
        click.echo(
            f"{item['school_year']} {item['name']} {item['region']}: "
            f"{was} -> {after['first_day']}..{after['last_day']}"
        )
    click.echo(
        _(
            "School years %(years)s: %(added)s added, %(changed)s changed, "
            "%(unchanged)s unchanged.",
            years=", ".join(result.school_years),
            added=result.added,
            changed=result.changed,
            unchanged=result.unchanged,
        )
    )
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


@command("public-holidays")
@click.option("--year", required=True, help="e.g. 2027.")
@json_option
def public_holidays_cmd(year: str, as_json: bool) -> None:
    """List the Dutch public holidays of a year."""
    found = public_holidays([parse_year(year)], locale())
    if as_json:
        echo_json([{"date": d.isoformat(), "name": n} for d, n in found.items()])
        return
    echo_table([_("day"), _("holiday")], [[format_day(d, locale()), n] for d, n in found.items()])


@command("blocked")
@click.option("--org", "orgs", multiple=True, required=True, help="Id or BRIN; repeatable.")
@click.option("--from", "first_day", required=True)
@click.option("--to", "last_day", required=True)
@json_option
def blocked(orgs: tuple[str, ...], first_day: str, last_day: str, as_json: bool) -> None:
    """List the blocked weekdays of the union of organisations, with reasons."""
    with reading() as session:
        found = blocked_days_for(
            session,
            list(orgs),
            parse_date(first_day, "from"),
            parse_date(last_day, "to"),
            locale=locale(),
            max_days=current_app.config["MAX_BLOCKED_RANGE_DAYS"],
        )
    if as_json:
        echo_json([blocked_day_json(item) for item in found])
        return
    for item in found:
        marker = "■" if item.hard else "□"
        click.echo(f"{marker} {format_day(item.day, locale())}")
        for reason in item.reasons:
            period = reason.period
            click.echo(
                f"    {reason.organisation_name}: {period.label} "
                f"({label(period.severity, locale())}, "
                f"{format_span(period.first_day, period.last_day, locale())})"
            )
    hard = sum(1 for item in found if item.hard)
    click.echo(
        _("%(hard)s day(s) blocked, %(soft)s day(s) to avoid.", hard=hard, soft=len(found) - hard)
    )


@group("calendars")
def calendars_group() -> None:
    """A school's own year calendar (test weeks, open days…) from an .ics or .csv file."""


@calendars_group.command("import")
@click.option("--org", "organisation", required=True, help="The school (id or BRIN).")
@click.option("--school-year", help="The school year the file is for (default: the current one).")
@click.option("--skip", "skipped", multiple=True, type=int, help="Leave out the row of this line.")
@click.option("--dry-run", is_flag=True, help="Only show what would be imported.")
@click.argument("file")
@json_option
def calendars_import(
    organisation: str,
    school_year: str | None,
    skipped: tuple[int, ...],
    dry_run: bool,
    file: str,
    as_json: bool,
) -> None:
    """Import a school's year calendar: every new row becomes a busy period (kind guessed from
    its title; soft or hard as usual for the kind)."""
    data = read_source(file, current_app.config["HTTP_TIMEOUT"], MAX_CALENDAR_BYTES)
    now = app_now()
    year = parse_school_year(school_year) if school_year else None
    with reading() if dry_run else change() as session:
        org = organisations.find_organisation(session, organisation)
        calendar = parse_year_calendar(
            data, year or school_year_of(local_date(now)), Path(file).name
        )
        rows = calendar_import.preview(session, org, calendar)
        keep: dict[int, Any] = {
            index: (row.kind.value, row.severity.value)
            for index, row in enumerate(rows)
            if row.line not in skipped
        }
        outcome = None
        hits = []
        if not dry_run:
            outcome = calendar_import.import_rows(
                session, org, calendar_import.chosen_rows(rows, keep), now
            )
            hits = calendar_hits.meetings_hit(
                session, [(p.first_on, p.last_on) for p in outcome.created], now, organisation=org
            )
    if as_json:
        data_json = import_json(calendar.school_year, rows, outcome, locale())
        data_json["meetings_hit"] = meetings_hit_json(hits)
        echo_json(data_json)
        return
    for row in rows:
        state = (
            _("skipped")
            if row.line in skipped
            else _("already there")
            if row.duplicate
            else _("repeats: enter by hand")
            if row.repeats
            else label(row.kind, locale())
        )
        click.echo(
            _("line %(line)s", line=row.line)
            + f"  {format_span(row.first_day, row.last_day, locale())}  {row.summary}  [{state}]"
        )
    if outcome is None:
        click.echo(_("Dry run: nothing was imported."))
        return
    click.echo(
        ngettext(
            "%(num)s busy period imported.", "%(num)s busy periods imported.", len(outcome.created)
        )
    )
    echo_hits(hits)


@calendars_group.command("status")
@click.option("--org", "organisation", required=True, help="The school (id or BRIN).")
@click.option("--school-year", "school_years", multiple=True, help="Also this school year.")
@json_option
def calendars_status(organisation: str, school_years: tuple[str, ...], as_json: bool) -> None:
    """Whether the school has filled in its calendar: this school year and the next two."""
    with reading() as session:
        org = organisations.find_organisation(session, organisation)
        states = completeness.calendar_years(
            session, org, local_date(app_now()), also=[parse_school_year(y) for y in school_years]
        )
        if as_json:
            echo_json([calendar_year_json(state) for state in states])
            return
        echo_table(
            [_("School year"), _("Filled in")],
            [(state.school_year, calendar_year_text(state, locale())) for state in states],
        )


@calendars_group.command("complete")
@click.option("--org", "organisation", required=True, help="The school (id or BRIN).")
@click.option("--school-year", required=True, help="e.g. 2027-2028.")
@click.option("--undo", is_flag=True, help="Take the mark back.")
@click.option("--by", "by_email", help="The administrator who says so (e-mail address).")
def calendars_complete(
    organisation: str, school_year: str, undo: bool, by_email: str | None
) -> None:
    """Mark the school's calendar of a school year complete (it has no test weeks or open
    days at all), or take the mark back with --undo."""
    now = app_now()
    with change() as session:
        org = organisations.find_organisation(session, organisation)
        person = people.find_person(session, by_email) if by_email else None
        if undo:
            completeness.unmark_complete(session, org, school_year, person, now)
        else:
            completeness.mark_complete(session, org, school_year, person, now)
        name, year = org.name, parse_school_year(school_year)
    if undo:
        click.echo(
            _(
                "The calendar of %(name)s for %(year)s is no longer marked complete.",
                name=name,
                year=year,
            )
        )
    else:
        click.echo(
            _("The calendar of %(name)s for %(year)s is marked complete.", name=name, year=year)
        )


def _rules(rules: tuple[str, ...]) -> list[str]:
    return list(rules)


def _echo_source(source: Any) -> None:
    click.echo(f"{source.id}  {source.organisation.name}  {source.url}")
    for line in rules_text(source, locale()).splitlines():
        click.echo("    " + _("rule: %(rule)s", rule=line))
    for line in status_lines(source, locale()):
        click.echo("    " + line)


@calendars_group.command("add-url")
@click.option("--org", "organisation", required=True, help="The school (id or BRIN).")
@click.option(
    "--rule",
    "rules",
    multiple=True,
    help="'toets = toetsweek, hard' (the title contains 'toets'); 'ouderavond = overslaan'.",
)
@click.option("--sync", "sync_now", is_flag=True, help="Fetch it at once (always without --rule).")
@click.option(
    "--preview",
    "preview_only",
    is_flag=True,
    help="Only fetch it and show the guessed rules and the periods they give; link nothing.",
)
@click.argument("url")
@json_option
def calendars_add_url(
    organisation: str,
    rules: tuple[str, ...],
    sync_now: bool,
    preview_only: bool,
    url: str,
    as_json: bool,
) -> None:
    """Link the school's published calendar (.ics address): the worker fetches it every
    SYNC_INTERVAL_HOURS into busy periods; rules correct the guessed kinds. Without --rule it
    is fetched at once and linked with the rules guessed from its titles (see them first
    with --preview, which links nothing)."""
    now = app_now()
    settings = calendar_sync.SyncSettings.from_config(current_app.config)
    if preview_only or not rules:
        _add_url_guessed(organisation, rules, url, preview_only, as_json)
        return
    with change() as session:
        org = organisations.find_organisation(session, organisation)
        source = calendar_sync.add_source(session, org, {"url": url, "rules": _rules(rules)}, now)
    outcome = None
    if sync_now:
        with change() as session:
            outcome = calendar_sync.sync_source(session, source, now, settings)
    if as_json:
        echo_json(outcome_json(outcome, locale()) if outcome else source_json(source, locale()))
        return
    click.echo(_("Calendar %(id)s linked to %(school)s.", id=source.id, school=org.name))
    if outcome is not None:
        click.echo(outcome_text(outcome))
        echo_hits(outcome.hits)


def _add_url_guessed(
    organisation: str, rules: tuple[str, ...], url: str, preview_only: bool, as_json: bool
) -> None:
    """add-url --preview (any rules given are read by), or add-url without --rule (linked
    with the guessed rules)."""
    now = app_now()
    settings = calendar_sync.SyncSettings.from_config(current_app.config)
    raw: dict[str, Any] = {"url": url, "rules": _rules(rules) if rules else None}
    if preview_only:
        with reading() as session:
            org = organisations.find_organisation(session, organisation)
            preview = calendar_sync.preview_source(session, org, raw, now, settings)
            session.rollback()
        if as_json:
            echo_json(preview_json(preview, locale()))
            return
        for line in preview_lines(preview, locale()):
            click.echo(line)
        click.echo(_("Nothing was linked (--preview)."))
        return
    with change() as session:
        org = organisations.find_organisation(session, organisation)
        outcome = calendar_sync.link_source(session, org, raw, now, settings)
        source = outcome.source
    if as_json:
        echo_json(outcome_json(outcome, locale()))
        return
    click.echo(_("Calendar %(id)s linked to %(school)s.", id=source.id, school=org.name))
    for line in rules_text(source, locale()).splitlines():
        click.echo("    " + _("rule (guessed): %(rule)s", rule=line))
    click.echo(outcome_text(outcome))
    echo_hits(outcome.hits)


@calendars_group.command("urls")
@click.option("--org", "organisation", help="Only this school (id or BRIN).")
@json_option
def calendars_urls(organisation: str | None, as_json: bool) -> None:
    """The linked calendars with their state: last success, last change, next fetch, error."""
    with reading() as session:
        org = organisations.find_organisation(session, organisation) if organisation else None
        sources = calendar_sync.list_sources(session, org)
        if as_json:
            echo_json([source_json(source, locale()) for source in sources])
            return
        if not sources:
            click.echo(_("No calendar is linked by address."))
        for source in sources:
            _echo_source(source)


@calendars_group.command("update-url")
@click.argument("source_id")
@click.option("--url", help="A new address.")
@click.option("--rule", "rules", multiple=True, help="Replaces all rules (repeat it).")
@click.option("--no-rules", is_flag=True, help="Drop every rule: kinds are guessed again.")
def calendars_update_url(
    source_id: str, url: str | None, rules: tuple[str, ...], no_rules: bool
) -> None:
    """Change a linked calendar's address or rules; it is read again at the next fetch."""
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url
    if rules or no_rules:
        changes["rules"] = _rules(rules)
    with change() as session:
        source = calendar_sync.update_source(
            session, calendar_sync.get_source(session, source_id), changes, app_now()
        )
    click.echo(_("Calendar %(id)s saved; it is fetched again in the next round.", id=source.id))


@calendars_group.command("remove-url")
@click.argument("source_id")
def calendars_remove_url(source_id: str) -> None:
    """Unlink a calendar and delete the busy periods it brought."""
    with change() as session:
        removed = calendar_sync.remove_source(
            session, calendar_sync.get_source(session, source_id), app_now()
        )
    click.echo(
        ngettext(
            "Calendar unlinked; %(num)d busy period removed.",
            "Calendar unlinked; %(num)d busy periods removed.",
            removed,
        )
    )


@calendars_group.command("sync")
@click.option("--org", "organisation", help="Only this school's calendars (id or BRIN).")
@click.option("--due", "due_only", is_flag=True, help="Only those whose next fetch has come.")
@json_option
def calendars_sync(organisation: str | None, due_only: bool, as_json: bool) -> None:
    """Fetch the linked calendars now (all, or one school's, or --due as the worker does)."""
    now = app_now()
    org_id = None
    if organisation:
        with reading() as session:
            org_id = organisations.find_organisation(session, organisation).id
            session.rollback()  # hold no read lock while the round writes (SQLite)
    done = sync_calendars(
        database().session,
        current_app.config,
        now,
        organisation_id=org_id,
        everything=not due_only,
    )
    if as_json:
        echo_json(
            {
                "fetched": done.fetched,
                "not_modified": done.not_modified,
                "changed": done.changed,
                "failed": done.failed,
                "outcomes": [outcome_json(outcome, locale()) for outcome in done.outcomes],
                "person_calendars": {
                    "fetched": done.people.fetched if done.people else 0,
                    "not_modified": done.people.not_modified if done.people else 0,
                    "changed": done.people.changed if done.people else 0,
                    "failed": done.people.failed if done.people else 0,
                },
            }
        )
        return
    for outcome in done.outcomes:
        click.echo(f"{outcome.source.id}  {outcome.source.url}: {outcome_text(outcome)}")
        echo_hits(outcome.hits)
    click.echo(
        _(
            "%(fetched)s fetched: %(not_modified)s unchanged, %(changed)s changed,"
            " %(failed)s failed.",
            fetched=done.fetched,
            not_modified=done.not_modified,
            changed=done.changed,
            failed=done.failed,
        )
    )
    if done.people is not None and done.people.fetched:
        click.echo(
            _(
                "People's own free/busy addresses: %(fetched)s fetched, %(not_modified)s"
                " unchanged, %(changed)s changed, %(failed)s failed.",
                fetched=done.people.fetched,
                not_modified=done.people.not_modified,
                changed=done.people.changed,
                failed=done.people.failed,
            )
        )


COMMANDS = [holidays_group, public_holidays_cmd, blocked, calendars_group]
