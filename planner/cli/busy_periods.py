"""`planner busy-periods`, `overrides` and `closure-days`: a school's own calendar."""

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
from planner.clock import app_now
from planner.inputs import parse_date
from planner.models import BusyPeriod, Meeting
from planner.presenters.calendar import busy_period_json, hits_text, holiday_override_json
from planner.services import busy_periods, calendar_hits, organisations, school_calendar
from planner.text.formatting import format_span
from planner.text.labels import label


def echo_periods(periods: list[BusyPeriod], as_json: bool) -> None:
    """Print busy periods as a table (or JSON)."""
    if as_json:
        echo_json([busy_period_json(period, locale()) for period in periods])
        return
    echo_table(
        ["id", _("scope"), _("kind"), _("days"), _("weeks"), _("severity"), _("note")],
        [
            [
                period.id,
                period.organisation.name
                if period.organisation
                else (period.region or _("national")),
                label(period.kind, locale()),
                format_span(period.first_on, period.last_on, locale()),
                busy_period_json(period)["iso_weeks"],
                label(period.severity, locale()),
                period.note,
            ]
            for period in periods
        ],
    )


def echo_hits(hits: list[Meeting]) -> None:
    """Say which planned meetings a calendar change hits (the worker tells their coordinators)."""
    if (said := hits_text(hits, locale())) is not None:
        click.echo(said)


def period_fields(function: Any) -> Any:
    """The fields of a busy period as options."""
    for option in reversed(
        [
            click.option(
                "--kind",
                help="test_week/toetsweek, open_day, study_day, exam_period, "
                "report_meetings, holiday, other.",
            ),
            click.option("--from", "first_day", help="First day, YYYY-MM-DD."),
            click.option("--to", "last_day", help="Last day (inclusive); default: the first day."),
            click.option("--school-year", help="With --weeks: e.g. 2026-2027."),
            click.option("--weeks", help="ISO weeks of the school year, e.g. 45-46."),
            click.option(
                "--hard/--soft", "hard", default=None, help="Never plan / rather not plan."
            ),
            click.option("--note"),
        ]
    ):
        function = option(function)
    return function


def _period_raw(hard: bool | None, fields: dict[str, Any]) -> dict[str, Any]:
    raw = given(**fields)
    if hard is not None:
        raw["severity"] = "hard" if hard else "soft"
    return raw


@group("busy-periods")
def busy_group() -> None:
    """Test weeks, open days, study days and other busy periods."""


@busy_group.command("add")
@click.option("--org", "organisation", help="Organisation id or BRIN.")
@click.option("--region", help="For a whole region instead of one organisation.")
@click.option("--national", is_flag=True, default=None, help="For the whole country.")
@period_fields
@json_option
def busy_add(hard: bool | None, as_json: bool, **fields: Any) -> None:
    """Add a busy period, by dates or by ISO weeks of a school year."""
    with change() as session:
        period = busy_periods.create_busy_period(session, _period_raw(hard, fields), app_now())
        hits = calendar_hits.busy_period_hits(session, period, app_now())
    if as_json:
        echo_json(busy_period_json(period, locale(), hits))
        return
    click.echo(
        _(
            "Added %(kind)s %(days)s (id %(id)s).",
            kind=label(period.kind, locale()),
            days=format_span(period.first_on, period.last_on, locale()),
            id=period.id,
        )
    )
    echo_hits(hits)


@busy_group.command("list")
@click.option("--org", "organisation", help="Organisation id or BRIN.")
@click.option("--from", "first_day")
@click.option("--to", "last_day")
@json_option
def busy_list(
    organisation: str | None, first_day: str | None, last_day: str | None, as_json: bool
) -> None:
    """List busy periods (of one organisation: with its region's and national ones)."""
    with reading() as session:
        org = organisations.find_organisation(session, organisation) if organisation else None
        periods = busy_periods.list_busy_periods(
            session,
            org,
            parse_date(first_day, "from") if first_day else None,
            parse_date(last_day, "to") if last_day else None,
        )
        echo_periods(periods, as_json)


@busy_group.command("update")
@click.argument("period_id")
@period_fields
@json_option
def busy_update(period_id: str, hard: bool | None, as_json: bool, **fields: Any) -> None:
    """Change a busy period (only the fields given)."""
    with change() as session:
        period = busy_periods.get_busy_period(session, period_id)
        busy_periods.update_busy_period(session, period, _period_raw(hard, fields), app_now())
        hits = calendar_hits.busy_period_hits(session, period, app_now())
    if as_json:
        echo_json(busy_period_json(period, locale(), hits))
        return
    click.echo(_("Saved busy period %(id)s.", id=period.id))
    echo_hits(hits)


@busy_group.command("delete")
@click.argument("period_id")
def busy_delete(period_id: str) -> None:
    """Delete a busy period."""
    with change() as session:
        period = busy_periods.get_busy_period(session, period_id)
        busy_periods.delete_busy_period(session, period, app_now())
    click.echo(_("Deleted busy period %(id)s.", id=period_id))


@group("overrides")
def override_group() -> None:
    """A school's own dates for advisory holidays."""


@override_group.command("set")
@click.option("--org", "organisation", required=True)
@click.option("--school-year", required=True)
@click.option("--holiday", required=True, help="herfstvakantie or voorjaarsvakantie.")
@click.option("--from", "first_day", required=True)
@click.option("--to", "last_day", required=True)
@click.option("--note")
@json_option
def override_set(organisation: str, as_json: bool, **fields: Any) -> None:
    """Set a school's own dates for an advisory holiday."""
    with change() as session:
        org = organisations.find_organisation(session, organisation)
        override = school_calendar.set_holiday_override(session, org, given(**fields), app_now())
        hits = calendar_hits.meetings_hit(
            session, [(override.first_on, override.last_on)], app_now(), organisation=org
        )
    if as_json:
        echo_json(holiday_override_json(override))
        return
    click.echo(
        _(
            "%(name)s: %(holiday)s %(days)s.",
            name=org.name,
            holiday=override.name,
            days=format_span(override.first_on, override.last_on, locale()),
        )
    )
    echo_hits(hits)


@override_group.command("list")
@click.option("--org", "organisation", required=True)
@json_option
def override_list(organisation: str, as_json: bool) -> None:
    """List a school's own holiday dates."""
    with reading() as session:
        org = organisations.find_organisation(session, organisation)
        found = school_calendar.list_holiday_overrides(session, org)
        if as_json:
            echo_json([holiday_override_json(o) for o in found])
            return
        echo_table(
            ["id", _("school year"), _("holiday"), _("days"), _("note")],
            [
                [o.id, o.school_year, o.name, format_span(o.first_on, o.last_on, locale()), o.note]
                for o in found
            ],
        )


@override_group.command("delete")
@click.argument("override_id")
def override_delete(override_id: str) -> None:
    """Remove a school's own dates; the advisory dates apply again."""
    with change() as session:
        override = school_calendar.get_holiday_override(session, override_id)
        school_calendar.delete_holiday_override(session, override, app_now())
    click.echo(_("Deleted holiday override %(id)s.", id=override_id))


@group("closure-days")
def closure_group() -> None:
    """Days off a school chooses: goede_vrijdag, vrijdag_na_hemelvaart, bevrijdingsdag."""


@closure_group.command("set")
@click.option("--org", "organisation", required=True)
@click.argument("kinds", nargs=-1)
def closure_set(organisation: str, kinds: tuple[str, ...]) -> None:
    """Switch on exactly these closure days (none: switch all off)."""
    with change() as session:
        org = organisations.find_organisation(session, organisation)
        result = school_calendar.set_closure_days(session, org, kinds, app_now())
        hits = calendar_hits.closure_day_hits(session, org, app_now())
    click.echo(f"{org.name}: {', '.join(result) or '-'}")
    echo_hits(hits)


@closure_group.command("show")
@click.option("--org", "organisation", required=True)
@json_option
def closure_show(organisation: str, as_json: bool) -> None:
    """Show a school's closure days."""
    with reading() as session:
        org = organisations.find_organisation(session, organisation)
        kinds = school_calendar.closure_kinds(org)
        if as_json:
            echo_json(kinds)
        else:
            click.echo(f"{org.name}: {', '.join(kinds) or '-'}")


COMMANDS = [busy_group, override_group, closure_group]
