"""`planner feeds create|list|revoke|renew|regions`: subscription links to iCal feeds."""

from __future__ import annotations

from typing import Any

import click
from flask_babel import gettext as _

from planner.cli.base import change, echo_json, echo_table, group, json_option, reading
from planner.clock import app_now
from planner.feeds import tokens as feeds
from planner.presenters.feeds import issued_json, region_feeds_json, token_json

LINK_NAMES = {
    "https": "https",
    "webcal": "webcal (Apple, Outlook desktop)",
    "google": "Google Calendar",
    "outlook": "Outlook.com",
    "outlook365": "Outlook (Microsoft 365)",
}


def _echo_issued(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(data)
        return
    click.echo(
        _(
            "Feed link %(id)s for %(name)s (%(scope)s):",
            id=data["id"],
            name=data["target"]["name"],
            scope=data["scope"],
        )
    )
    for key, title in LINK_NAMES.items():
        click.echo(f"  {title}:\n    {data['links'][key]}")
    click.echo(_("Keep this link private: anyone who has it can read the feed."))


@group("feeds")
def feeds_group() -> None:
    """Subscription links to calendar feeds."""


@feeds_group.command("create")
@click.option("--collab", "collaboration", help="A collaboration's meetings and warnings.")
@click.option("--person", help="Every meeting of a person (id or e-mail).")
@click.option("--org", "organisation", help="A school's holidays and busy periods (id/BRIN).")
@click.option("--blocked", is_flag=True, help="Collaboration feeds: add members' blocked days.")
@click.option("--lang", "language", help="nl or en (default: nl, or the person's language).")
@click.option("--label", help="A note to tell this link apart, e.g. who has it.")
@json_option
def feeds_create(as_json: bool, blocked: bool, **fields: Any) -> None:
    """Make a new secret feed link and print its subscribe links."""
    with change() as session:
        issued = feeds.create_token(session, app_now(), blocked_days=blocked, **fields)
        data = issued_json(session, issued)
    _echo_issued(data, as_json)


@feeds_group.command("list")
@click.option("--collab", "collaboration", type=int, help="Only this collaboration's feeds.")
@click.option("--person", type=int, help="Only this person's feeds.")
@click.option("--org", "organisation", type=int, help="Only this organisation's feeds.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked links.")
@json_option
def feeds_list(
    collaboration: int | None,
    person: int | None,
    organisation: int | None,
    include_revoked: bool,
    as_json: bool,
) -> None:
    """List feed links with their last use (never their secrets)."""
    with reading() as session:
        tokens = feeds.list_tokens(
            session,
            collaboration=collaboration,
            person=person,
            organisation=organisation,
            include_revoked=include_revoked,
        )
        data = [token_json(session, token) for token in tokens]
    if as_json:
        echo_json(data)
        return
    if not data:
        click.echo(_("No feed links."))
        return
    echo_table(
        [
            _("id"),
            _("feed"),
            _("for"),
            _("language"),
            _("label"),
            _("starts with"),
            _("made"),
            _("last used"),
            _("revoked"),
        ],
        [
            [
                item["id"],
                item["scope"] + (" +" + _("blocked days") if item["blocked_days"] else ""),
                item["target"]["name"],
                item["language"],
                item["label"] or "",
                item["hint"] + "…",
                item["created_at"][:16].replace("T", " "),
                (item["last_used_at"] or _("never"))[:16].replace("T", " "),
                (item["revoked_at"] or "")[:16].replace("T", " "),
            ]
            for item in data
        ],
    )


@feeds_group.command("revoke")
@click.argument("token_id")
def feeds_revoke(token_id: str) -> None:
    """Revoke one feed link; other links to the same feed keep working."""
    with change() as session:
        token = feeds.get_token(session, token_id)
        feeds.revoke_token(session, token, app_now())
    click.echo(_("Feed link %(id)s is revoked; its address now answers 404.", id=token_id))


@feeds_group.command("renew")
@click.argument("token_id")
@json_option
def feeds_renew(token_id: str, as_json: bool) -> None:
    """Replace a feed link by a new secret (the old one stops working)."""
    with change() as session:
        token = feeds.get_token(session, token_id)
        issued = feeds.renew_token(session, token, app_now())
        data = issued_json(session, issued)
    _echo_issued(data, as_json)


@feeds_group.command("regions")
@json_option
def feeds_regions(as_json: bool) -> None:
    """The public school holiday feeds of the three regions (no token needed)."""
    data = region_feeds_json()
    if as_json:
        echo_json(data)
        return
    for item in data:
        click.echo(f"{item['region']}:\n  {item['links']['https']}\n  {item['links']['webcal']}")


COMMANDS = [feeds_group]
