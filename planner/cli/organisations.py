"""`planner organisations`: schools, school boards and partners."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.calendar_nl import parse_region
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
from planner.cli.busy_periods import echo_periods
from planner.clock import app_now
from planner.domain.kinds import MemberConsent, OrganisationKind
from planner.inputs import parse_choice
from planner.presenters.calendar import (
    busy_period_json,
    holiday_override_json,
    membership_json,
    organisation_json,
)
from planner.services import busy_periods, memberships, organisations, school_calendar
from planner.text.formatting import format_span
from planner.text.labels import label


def org_fields(function: Any) -> Any:
    """The editable fields of an organisation as options."""
    for option in reversed(
        [
            click.option("--name"),
            click.option("--brin", help="BRIN code, e.g. 02QZ."),
            click.option("--sector", help="po, vo, so or mbo (schools only)."),
            click.option("--region", help="Holiday region: noord, midden or zuid."),
            click.option("--city"),
        ]
    ):
        function = option(function)
    return function


@group("organisations")
def organisations_group() -> None:
    """Schools, school boards and partners."""


@organisations_group.command("add")
@click.option("--kind", default="school", show_default=True, help="school, board or partner.")
@org_fields
@json_option
def add(as_json: bool, **fields: Any) -> None:
    """Add an organisation."""
    with change() as session:
        org = organisations.create_organisation(session, given(**fields), app_now())
    if as_json:
        echo_json(organisation_json(org, detail=True))
    else:
        click.echo(_("Added %(name)s (id %(id)s).", name=org.name, id=org.id))


@organisations_group.command("list")
@click.option("--kind")
@click.option("--region")
@click.option("--search", help="Only those whose name or place contains this, or this BRIN.")
@json_option
def list_(kind: str | None, region: str | None, search: str | None, as_json: bool) -> None:
    """List organisations."""
    with reading() as session:
        found = organisations.list_organisations(
            session,
            kind=parse_choice(kind, OrganisationKind, "kind") if kind else None,
            region=parse_region(region) if region else None,
            search=search,
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


@organisations_group.command("show")
@click.argument("ref")
@json_option
def show(ref: str, as_json: bool) -> None:
    """Show one organisation (id or BRIN) with its busy periods."""
    with reading() as session:
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
        echo_periods(periods, False)


@organisations_group.command("update")
@click.argument("ref")
@click.option("--kind")
@org_fields
@json_option
def update(ref: str, as_json: bool, **fields: Any) -> None:
    """Change an organisation's fields (only those given)."""
    with change() as session:
        org = organisations.find_organisation(session, ref)
        organisations.update_organisation(session, org, given(**fields), app_now())
    if as_json:
        echo_json(organisation_json(org, detail=True))
    else:
        click.echo(_("Saved %(name)s.", name=org.name))


@organisations_group.command("delete")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(ref: str, yes: bool) -> None:
    """Delete an organisation with its busy periods (refused while it is a member)."""
    with change() as session:
        org = organisations.find_organisation(session, ref)
        refusal = organisations.deletion_refusal(session, org)
        if refusal is not None:
            raise refusal
        if not yes:
            busy = organisations.dependants_of(session, org).busy_periods
            click.confirm(
                ngettext(
                    "Delete %(name)s and its %(num)d busy period?",
                    "Delete %(name)s and its %(num)d busy periods?",
                    busy,
                    name=org.name,
                ),
                abort=True,
            )
        name = org.name
        organisations.delete_organisation(session, org, app_now())
    click.echo(_("Deleted %(name)s.", name=name))


COMMANDS = [organisations_group]


@organisations_group.command("memberships")
@click.argument("ref")
@json_option
def memberships_(ref: str, as_json: bool) -> None:
    """The collaborations an organisation is in, and whether each may read its notes."""
    with reading() as session:
        org = organisations.find_organisation(session, ref)
        found = memberships.memberships_of(session, org)
        if as_json:
            echo_json([membership_json(item) for item in found])
            return
        words = {
            "asked": _("waiting for an answer"),
            "agreed": _("agreed: sees the notes"),
            "declined": _("declined: sees 'busy'"),
        }
        echo_table(
            ["id", _("collaboration"), _("answer")],
            [[m.collaboration.id, m.collaboration.name, words[m.consent.value]] for m in found],
        )


@organisations_group.command("consent")
@click.argument("ref")
@click.argument("collaboration")
@click.option("--agree/--decline", required=True, help="Show the notes, or only 'busy'.")
def consent(ref: str, collaboration: str, agree: bool) -> None:
    """Answer for an organisation whether a collaboration (id) may read its busy periods'
    notes."""
    answer = MemberConsent.AGREED if agree else MemberConsent.DECLINED
    with change() as session:
        org = organisations.find_organisation(session, ref)
        member = memberships.answer(session, org, collaboration, answer, app_now(), actor=None)
        name = member.collaboration.name
    if agree:
        click.echo(_("%(name)s now sees the notes of your busy periods.", name=name))
    else:
        click.echo(_("%(name)s sees your busy periods as 'busy' with their kind only.", name=name))
