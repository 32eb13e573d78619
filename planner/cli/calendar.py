"""`planner holidays`, `planner public-holidays` and `planner blocked`."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _

from planner.calendar_nl import parse_rijksoverheid, public_holidays
from planner.cli.base import PlannerCLI, db_session, echo_json, echo_table, locale
from planner.clock import app_now
from planner.errors import N_, ValidationError
from planner.inputs import parse_date
from planner.presenters.calendar import blocked_day_json, school_holiday_json
from planner.services import school_calendar
from planner.services.availability import blocked_days_for
from planner.text.formatting import format_day, format_span
from planner.text.labels import label


def read_source(file_or_url: str, timeout: float) -> bytes:
    """Read a local file, or fetch an http(s) URL."""
    if file_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(file_or_url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body: bytes = response.read()
                return body
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ValidationError(
                N_("Could not fetch %(url)s: %(error)s"), url=file_or_url, error=str(error)
            ) from None
    try:
        return Path(file_or_url).read_bytes()
    except OSError as error:
        raise ValidationError(
            N_("Could not read %(path)s: %(error)s"), path=file_or_url, error=error.strerror
        ) from None


def register(cli: PlannerCLI) -> None:
    """Add the calendar commands."""

    @cli.group("holidays")
    def holidays_group() -> None:
        """Dutch school holidays per region."""

    @holidays_group.command("list")
    @click.option("--region", required=True, help="noord, midden or zuid.")
    @click.option("--school-year", required=True, help="e.g. 2026-2027.")
    @click.option("--json", "as_json", is_flag=True)
    def holidays_list(region: str, school_year: str, as_json: bool) -> None:
        """List a region's school holidays of one school year."""
        with db_session() as session:
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

    @holidays_group.command("import")
    @click.argument("file_or_url")
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
    def holidays_import(file_or_url: str, dry_run: bool) -> None:
        """Import Rijksoverheid open-data school holidays (list or per-school-year JSON)."""
        payload = read_source(file_or_url, current_app.config["HTTP_TIMEOUT"])
        parsed = parse_rijksoverheid(payload)
        with db_session() as session:
            result = school_calendar.import_school_holidays(session, parsed, file_or_url, app_now())
            if dry_run:
                session.rollback()
            else:
                session.commit()
        for change in result.changes:
            before = change["before"]
            after = change["after"]
            was = f"{before['first_day']}..{before['last_day']}" if before else _("new")
            click.echo(
                f"{change['school_year']} {change['name']} {change['region']}: "
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

    @cli.command("public-holidays")
    @click.option("--year", type=int, required=True)
    @click.option("--json", "as_json", is_flag=True)
    def public_holidays_cmd(year: int, as_json: bool) -> None:
        """List the Dutch public holidays of a year."""
        found = public_holidays([year], locale())
        if as_json:
            echo_json([{"date": d.isoformat(), "name": n} for d, n in found.items()])
            return
        echo_table(
            [_("day"), _("holiday")], [[format_day(d, locale()), n] for d, n in found.items()]
        )

    @cli.command("blocked")
    @click.option("--org", "orgs", multiple=True, required=True, help="Id or BRIN; repeatable.")
    @click.option("--from", "first_day", required=True)
    @click.option("--to", "last_day", required=True)
    @click.option("--json", "as_json", is_flag=True)
    def blocked(
        orgs: tuple[str, ...],
        first_day: str,
        last_day: str,
        as_json: bool,
    ) -> None:
        """List the blocked weekdays of the union of organisations, with reasons."""
        with db_session() as session:
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
            _(
                "%(hard)s day(s) blocked, %(soft)s day(s) to avoid.",
                hard=hard,
                soft=len(found) - hard,
            )
        )
