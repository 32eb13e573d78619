"""Series poll mails: the one mail per person with her answer link (event `poll.started`), the
one reminder to those who have not answered (`poll.reminder_due`), and the coordinators' notice
that the deadline passed (`poll.deadline_passed`). The rule is planner.services.polls; this
module only writes the mails. Each invitee is marked mailed or reminded in the transaction that
queues her mail, so a handler run twice sends nothing twice."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext

from planner.events import EventKind, PollRef
from planner.messaging.composer import availability_block
from planner.messaging.content import Block, Content, digest_key
from planner.messaging.registry import Context, handles
from planner.models import Person, Poll, PollInvitee, PollStatus
from planner.services import polls
from planner.services.collaborations import coordinators
from planner.text.formatting import format_day, format_meeting_time


@handles(EventKind.POLL_STARTED)
def _started(ctx: Context, payload: PollRef) -> None:
    poll = ctx.session.get(Poll, payload.poll_id)
    if poll is None:
        return
    for invitee in polls.to_mail(poll):
        _ask(ctx, poll, invitee, reminder=False)
        invitee.mailed_at = ctx.now


@handles(EventKind.POLL_REMINDER_DUE)
def _reminder(ctx: Context, payload: PollRef) -> None:
    poll = ctx.session.get(Poll, payload.poll_id)
    if poll is None:
        return
    for invitee in polls.to_remind(poll):
        _ask(ctx, poll, invitee, reminder=True)
        invitee.reminded_at = ctx.now


def _ask(ctx: Context, poll: Poll, invitee: PollInvitee, *, reminder: bool) -> None:
    """Queue one invitee's mail (or reminder) with a new answer link of her own."""
    person = invitee.person
    secret = polls.issue_link(ctx.session, invitee, ctx.now)
    with force_locale(person.language):
        content = _asking(ctx, poll, person, secret, reminder=reminder)
    key = digest_key("poll-reminder" if reminder else "poll-asked", poll.id, person.id)
    ctx.composer.notice(key, person, content)


def _asking(ctx: Context, poll: Poll, person: Person, secret: str, *, reminder: bool) -> Content:
    collab = poll.collaboration
    locale = person.language
    zone = ZoneInfo(collab.timezone)
    page = f"{ctx.composer.base_url}/poll/{secret}"
    deadline = format_day(polls.deadline_day(poll), locale)
    blocks = []
    for slot, group in enumerate(polls.tally(ctx.session, poll).slots(), start=1):
        lines = []
        for row in group:
            when = format_meeting_time(row.date.starts_at, row.date.ends_at, zone, locale)
            lines.append(
                gettext("Proposed: %(when)s", when=when)
                if row.date.proposed
                else gettext("Or: %(when)s", when=when)
            )
        blocks.append(Block(gettext("Meeting %(num)s", num=slot), lines))
    blocks.append(
        Block(
            gettext("Your answer"),
            [gettext("Per date: can, rather not or cannot. No account needed.")],
            [(gettext("Mark the dates"), page)],
        )
    )
    intro = [
        gettext(
            "Before the meetings of %(name)s are planned, %(who)s asks which dates suit you."
            " Below are the proposed dates and, for each, the nearest other dates.",
            name=collab.name,
            who=poll.created_by.name if poll.created_by else gettext("the coordinator"),
        ),
        gettext("Please answer by the end of %(day)s.", day=deadline),
    ]
    if reminder:
        intro.insert(0, gettext("A reminder: you have not answered yet."))
    outro = [
        gettext(
            "You can change your answers with the same link until the coordinator confirms"
            " the plan; then the invitations follow as usual."
        ),
    ]
    subject = (
        gettext("Reminder: which dates suit you for %(name)s?", name=collab.name)
        if reminder
        else gettext("Which dates suit you for %(name)s?", name=collab.name)
    )
    blocks.append(availability_block(ctx.session, person, ctx.now, ctx.composer.base_url))
    return Content(subject, gettext("Dear %(name)s,", name=person.name), intro, blocks, outro)


@handles(EventKind.POLL_DEADLINE_PASSED)
def _deadline(ctx: Context, payload: PollRef) -> None:
    poll = ctx.session.get(Poll, payload.poll_id)
    if poll is None or poll.status is not PollStatus.OPEN:
        return  # confirmed or cancelled before the mail went out
    collab = poll.collaboration
    counted = polls.tally(ctx.session, poll)
    page = f"{ctx.composer.base_url}/collaborations/{collab.id}/polls/{poll.id}"
    for person in coordinators(collab):
        with force_locale(person.language):
            content = Content(
                gettext("The answers for %(name)s are in", name=collab.name),
                gettext("Dear %(name)s,", name=person.name),
                [
                    gettext(
                        "The deadline of the poll for %(name)s passed on %(day)s:"
                        " %(answered)s of %(asked)s people answered.",
                        name=collab.name,
                        day=format_day(polls.deadline_day(poll), person.language),
                        answered=counted.answered,
                        asked=counted.asked,
                    ),
                    gettext(
                        "See the answers per date beside the plan made with them, and confirm"
                        " it: the invitations then go out."
                    ),
                ],
                [Block(collab.name, [], [(gettext("Open the poll"), page)])],
            )
        ctx.composer.notice(digest_key("poll-deadline", poll.id, person.id), person, content)
