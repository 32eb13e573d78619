"""`planner worker`, `planner outbox …` and `planner replies import`: the event-driven machinery."""

from __future__ import annotations

import logging
import sys
from typing import BinaryIO

import click
from flask import Flask, current_app
from flask_babel import gettext as _

from planner.cli.base import (
    change,
    command,
    echo_json,
    echo_table,
    group,
    json_option,
    reading,
    require_schema,
)
from planner.clock import app_now
from planner.errors import N_
from planner.messaging.worker import Worker
from planner.presenters.outbox import queues_json
from planner.services.attendance import apply_reply
from planner.services.outbox import QueueState, retry_event, retry_mail

STATE_WORDS = {
    "pending": N_("pending"),
    "failed": N_("failed"),
    "dead": N_("dead"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
ANSWER_WORDS = {
    "accepted": N_("accepted"),
    "tentative": N_("maybe"),
    "declined": N_("declined"),
    "needs_action": N_("no answer"),
}


@command("worker")
@click.option("--once", is_flag=True, help="Do everything that is due, then exit (cron).")
@click.option("--name", help="This worker's name in leases (default host:pid).")
def worker(once: bool, name: str | None) -> None:
    """Dispatch events, send mails and run the periodic jobs (APScheduler)."""
    require_schema()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = Worker(app, name)
    if once:
        result = runner.run_once()
        click.echo(
            _(
                "%(events)s events handled, %(sent)s mails sent, %(failed)s failed.",
                events=result.events,
                sent=result.mails_sent,
                failed=result.mails_failed,
            )
        )
        if result.mails_dropped:
            click.echo(
                _(
                    "%(num)s mails were out of date and not sent.",
                    num=result.mails_dropped,
                )
            )
        for job, outcome in result.periodic.items():
            click.echo(f"  {job}: {outcome}")
        return
    click.echo(_("Worker %(name)s started; Ctrl-C stops it.", name=runner.name))
    runner.run_forever()


@group("outbox")
def outbox() -> None:
    """Pending, failed and dead-lettered events and mails."""


@outbox.command("status")
@click.option(
    "--state",
    type=click.Choice([state.value for state in QueueState]),
    help="Also list the events and mails in this state.",
)
@click.option("--limit", default=20, show_default=True, type=int)
@json_option
def outbox_status(state: str | None, limit: int, as_json: bool) -> None:
    """Counts per state; with --state, the rows and their errors."""
    with reading() as session:
        data = queues_json(session, QueueState(state) if state else None, limit)
    if as_json:
        echo_json(data)
        return
    headers = [_("queue"), *(_(STATE_WORDS[s.value]) for s in QueueState)]
    echo_table(
        headers,
        [
            [_("events"), *(data["events"][s] for s in QueueState)],
            [_("mails"), *(data["mails"][s] for s in QueueState)],
        ],
    )
    if data["held_for_public_url"]:
        click.echo(
            _(
                "%(num)s events hold mails with links: PUBLIC_URL is not set. Set"
                " PLANNER_PUBLIC_URL to the address people use; the mails go out then.",
                num=data["held_for_public_url"],
            )
        )
    if state:
        click.echo()
        echo_table(
            ["id", _("kind"), _("attempts"), _("error")],
            [[e["id"], e["kind"], e["attempts"], e["error"] or ""] for e in data["event_rows"]],
        )
        click.echo()
        echo_table(
            ["id", _("to"), _("subject"), _("attempts"), _("error")],
            [
                [
                    m["id"],
                    m["recipient"],
                    m["subject"],
                    m["attempts"],
                    m["dropped_because"] or m["error"] or "",
                ]
                for m in data["mail_rows"]
            ],
        )


@outbox.command("retry")
@click.argument("what", type=click.Choice(["event", "mail"]))
@click.argument("ident", type=int)
def outbox_retry(what: str, ident: int) -> None:
    """Put a failed or dead event or mail back in the queue."""
    with change() as session:
        now = app_now()
        if what == "event":
            retry_event(session, ident, now)
        else:
            retry_mail(session, ident, now)
    click.echo(_("%(what)s %(id)s is queued again.", what=what, id=ident))


@group("replies")
def replies() -> None:
    """Answers to invitations mailed back as iTIP REPLY (.ics)."""


@replies.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--sender", help="The address the reply came from (checked against it).")
def replies_import(file: BinaryIO, sender: str | None) -> None:
    """Apply an iTIP REPLY file (`-` reads standard input)."""
    data = file.read()
    with change() as session:
        outcomes = apply_reply(session, data, app_now(), sender=sender)
    for outcome in outcomes:
        click.echo(
            _(
                "%(person)s: %(status)s for %(day)s%(note)s",
                person=outcome.person.name,
                status=_(ANSWER_WORDS[outcome.status.value]),
                day=outcome.meeting.day.isoformat(),
                note="" if outcome.changed else _(" (unchanged)"),
            )
        )
    sys.stdout.flush()


COMMANDS = [worker, outbox, replies]
