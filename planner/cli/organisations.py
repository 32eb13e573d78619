"""`planner organisations`, `busy-periods`, `overrides`, `closure-days`."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _

from planner.calendar_nl import parse_region
from planner.cli.base import PlannerCLI, db_session, echo_json, echo_table, locale
from planner.clock import app_now
from planner.domain.kinds import OrganisationKind
from planner.inputs import parse_choice, parse_date
from planner.models import BusyPeriod
from planner.presenters.calendar import busy_period_json, holiday_override_json, organisation_json
from planner.services import busy_periods, organisations, school_calendar
from planner.text.formatting import format_span
from planner.text.labels import label

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _echo_periods(periods: list[BusyPeriod], as_json: bool) -> None:
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


def register(cli: PlannerCLI) -> None:
    """Add the organisation and busy-period groups."""

    @cli.group("organisations")
    def org_group() -> None:
        """Schools, school boards and partners."""

    org_fields = [
        click.option("--name"),
        click.option("--brin", help="BRIN code, e.g. 02QZ."),
        click.option("--sector", help="po, vo, so or mbo (schools only)."),
        click.option("--region", help="Holiday region: noord, midden or zuid."),
        click.option("--city"),
    ]

    def with_org_fields(function: Any) -> Any:
        for option in reversed(org_fields):
            function = option(function)
        return function

    @org_group.command("add")
    @click.option("--kind", default="school", show_default=True, help="school, board or partner.")
    @with_org_fields
    @json_option
    def add(as_json: bool, **fields: Any) -> None:
        """Add an organisation."""
        with db_session() as session:
            org = organisations.create_organisation(session, _given(**fields), app_now())
            session.commit()
            if as_json:
                echo_json(organisation_json(org, detail=True))
            else:
                click.echo(_("Added %(name)s (id %(id)s).", name=org.name, id=org.id))

    @org_group.command("list")
    @click.option("--kind")
    @click.option("--region")
    @json_option
    def list_(kind: str | None, region: str | None, as_json: bool) -> None:
        """List organisations."""
        with db_session() as session:
            found = organisations.list_organisations(
                session,
                kind=parse_choice(kind, OrganisationKind, "kind") if kind else None,
                region=parse_region(region) if region else None,
            )
            if as_json:
                echo_json([organisation_json(org) for org in found])
                return
            echo_table(
                ["id", _("name"), "BRIN", _("kind"), _("sector"), _("region"), _("city")],
                [
                    [o.id, o.name, o.brin, label(o.kind, locale()), o.sector, o.region, o.city]
                    for o in found
                ],
            )

    @org_group.command("show")
    @click.argument("ref")
    @json_option
    def show(ref: str, as_json: bool) -> None:
        """Show one organisation (id or BRIN) with its busy periods."""
        with db_session() as session:
            org = organisations.find_organisation(session, ref)
            periods = busy_periods.list_busy_periods(session, org)
            overrides = school_calendar.list_holiday_overrides(session, org)
            if as_json:
                data = organisation_json(org, detail=True)
                data["busy_periods"] = [busy_period_json(p, locale()) for p in periods]
                data["holiday_overrides"] = [holiday_override_json(o) for o in overrides]
                echo_json(data)
                return
            for key, value in organisation_json(org, detail=True).items():
                if key != "updated_at":
                    click.echo(f"{key}: {value if value is not None else '-'}")
            for override in overrides:
                click.echo(
                    f"{_('own dates')}: {override.name} {override.school_year}: "
                    + format_span(override.first_on, override.last_on, locale())
                )
            click.echo("")
            _echo_periods(periods, False)

    @org_group.command("update")
    @click.argument("ref")
    @click.option("--kind")
    @with_org_fields
    @json_option
    def update(ref: str, as_json: bool, **fields: Any) -> None:
        """Change an organisation's fields (only those given)."""
        with db_session() as session:
            org = organisations.find_organisation(session, ref)
            organisations.update_organisation(session, org, _given(**fields), app_now())
            session.commit()
            if as_json:
                echo_json(organisation_json(org, detail=True))
            else:
                click.echo(_("Saved %(name)s.", name=org.name))

    @org_group.command("delete")
    @click.argument("ref")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def delete(ref: str, yes: bool) -> None:
        """Delete an organisation with its busy periods."""
        with db_session() as session:
            org = organisations.find_organisation(session, ref)
            if not yes:
                click.confirm(
                    _("Delete %(name)s and all its busy periods?", name=org.name), abort=True
                )
            name = org.name
            organisations.delete_organisation(session, org, app_now())
            session.commit()
            click.echo(_("Deleted %(name)s.", name=name))

    @cli.group("busy-periods")
    def busy_group() -> None:
        """Test weeks, open days, study days and other busy periods."""

    period_fields = [
        click.option(
            "--kind",
            help="test_week/toetsweek, open_day, study_day, exam_period, "
            "report_meetings, holiday, other.",
        ),
        click.option("--from", "first_day", help="First day, YYYY-MM-DD."),
        click.option("--to", "last_day", help="Last day (inclusive); default: the first day."),
        click.option("--school-year", help="With --weeks: e.g. 2026-2027."),
        click.option("--weeks", help="ISO weeks of the school year, e.g. 45-46."),
        click.option("--hard/--soft", "hard", default=None, help="Never plan / rather not plan."),
        click.option("--note"),
    ]

    def with_period_fields(function: Any) -> Any:
        for option in reversed(period_fields):
            function = option(function)
        return function

    def period_raw(hard: bool | None, fields: dict[str, Any]) -> dict[str, Any]:
        raw = _given(**fields)
        if hard is not None:
            raw["severity"] = "hard" if hard else "soft"
        return raw

    @busy_group.command("add")
    @click.option("--org", "organisation", help="Organisation id or BRIN.")
    @click.option("--region", help="For a whole region instead of one organisation.")
    @click.option("--national", is_flag=True, default=None, help="For the whole country.")
    @with_period_fields
    @json_option
    def busy_add(hard: bool | None, as_json: bool, **fields: Any) -> None:
        """Add a busy period, by dates or by ISO weeks of a school year."""
        with db_session() as session:
            period = busy_periods.create_busy_period(session, period_raw(hard, fields), app_now())
            session.commit()
            if as_json:
                echo_json(busy_period_json(period, locale()))
            else:
                click.echo(
                    _(
                        "Added %(kind)s %(days)s (id %(id)s).",
                        kind=label(period.kind, locale()),
                        days=format_span(period.first_on, period.last_on, locale()),
                        id=period.id,
                    )
                )

    @busy_group.command("list")
    @click.option("--org", "organisation", help="Organisation id or BRIN.")
    @click.option("--from", "first_day")
    @click.option("--to", "last_day")
    @json_option
    def busy_list(
        organisation: str | None, first_day: str | None, last_day: str | None, as_json: bool
    ) -> None:
        """List busy periods (of one organisation: with its region's and national ones)."""
        with db_session() as session:
            org = organisations.find_organisation(session, organisation) if organisation else None
            periods = busy_periods.list_busy_periods(
                session,
                org,
                parse_date(first_day, "from") if first_day else None,
                parse_date(last_day, "to") if last_day else None,
            )
            _echo_periods(periods, as_json)

    @busy_group.command("update")
    @click.argument("period_id")
    @with_period_fields
    @json_option
    def busy_update(period_id: str, hard: bool | None, as_json: bool, **fields: Any) -> None:
        """Change a busy period (only the fields given)."""
        with db_session() as session:
            period = busy_periods.get_busy_period(session, period_id)
            busy_periods.update_busy_period(session, period, period_raw(hard, fields), app_now())
            session.commit()
            if as_json:
                echo_json(busy_period_json(period, locale()))
            else:
                click.echo(_("Saved busy period %(id)s.", id=period.id))

    @busy_group.command("delete")
    @click.argument("period_id")
    def busy_delete(period_id: str) -> None:
        """Delete a busy period."""
        with db_session() as session:
            period = busy_periods.get_busy_period(session, period_id)
            busy_periods.delete_busy_period(session, period, app_now())
            session.commit()
            click.echo(_("Deleted busy period %(id)s.", id=period_id))

    @cli.group("overrides")
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
        with db_session() as session:
            org = organisations.find_organisation(session, organisation)
            override = school_calendar.set_holiday_override(
                session, org, _given(**fields), app_now()
            )
            session.commit()
            if as_json:
                echo_json(holiday_override_json(override))
            else:
                click.echo(
                    _(
                        "%(name)s: %(holiday)s %(days)s.",
                        name=org.name,
                        holiday=override.name,
                        days=format_span(override.first_on, override.last_on, locale()),
                    )
                )

    @override_group.command("list")
    @click.option("--org", "organisation", required=True)
    @json_option
    def override_list(organisation: str, as_json: bool) -> None:
        """List a school's own holiday dates."""
        with db_session() as session:
            org = organisations.find_organisation(session, organisation)
            found = school_calendar.list_holiday_overrides(session, org)
            if as_json:
                echo_json([holiday_override_json(o) for o in found])
                return
            echo_table(
                ["id", _("school year"), _("holiday"), _("days"), _("note")],
                [
                    [
                        o.id,
                        o.school_year,
                        o.name,
                        format_span(o.first_on, o.last_on, locale()),
                        o.note,
                    ]
                    for o in found
                ],
            )

    @override_group.command("delete")
    @click.argument("override_id")
    def override_delete(override_id: str) -> None:
        """Remove a school's own dates; the advisory dates apply again."""
        with db_session() as session:
            override = school_calendar.get_holiday_override(session, override_id)
            school_calendar.delete_holiday_override(session, override, app_now())
            session.commit()
            click.echo(_("Deleted holiday override %(id)s.", id=override_id))

    @cli.group("closure-days")
    def closure_group() -> None:
        """Days off a school chooses: goede_vrijdag, vrijdag_na_hemelvaart, bevrijdingsdag."""

    @closure_group.command("set")
    @click.option("--org", "organisation", required=True)
    @click.argument("kinds", nargs=-1)
    def closure_set(organisation: str, kinds: tuple[str, ...]) -> None:
        """Switch on exactly these closure days (none: switch all off)."""
        with db_session() as session:
            org = organisations.find_organisation(session, organisation)
            result = school_calendar.set_closure_days(session, org, kinds, app_now())
            session.commit()
            click.echo(f"{org.name}: {', '.join(result) or '-'}")

    @closure_group.command("show")
    @click.option("--org", "organisation", required=True)
    @json_option
    def closure_show(organisation: str, as_json: bool) -> None:
        """Show a school's closure days."""
        with db_session() as session:
            org = organisations.find_organisation(session, organisation)
            kinds = school_calendar.closure_kinds(org)
            if as_json:
                echo_json(kinds)
            else:
                click.echo(f"{org.name}: {', '.join(kinds) or '-'}")
