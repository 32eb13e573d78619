"""The event and mail queues: counts per state, the rows of one state, and retry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from planner.clock import app_now
from planner.config import NoPublicUrl
from planner.presenters.outbox import drop_reason_text
from planner.services.attendance import refused_replies
from planner.services.outbox import (
    QueueState,
    held_events,
    list_events,
    list_mails,
    queue_counts,
    retry_event,
    retry_mail,
)
from planner.text.formatting import format_moment
from planner.web.forms import ActionForm
from planner.web.requests import change, get_session, request_locale
from planner.web.views.admin.base import bp, render

# Queue rows shown per state.
QUEUE_ROWS = 100


@bp.get("/queue")
def queue() -> Any:
    """Counts of both queues per state, and the rows of one state (?state=, dead by default)."""
    session = get_session()
    raw = request.args.get("state", QueueState.DEAD.value)
    if raw not in {state.value for state in QueueState}:
        abort(404)
    state = QueueState(raw)
    events, mails = queue_counts(session)
    return render(
        "admin/queue.html",
        state=state,
        states=list(QueueState),
        counts={"events": events, "mails": mails},
        events=list_events(session, state, QUEUE_ROWS),
        mails=list_mails(session, state, QUEUE_ROWS),
        retryable=state in (QueueState.FAILED, QueueState.DEAD),
        dropped_because=drop_reason_text,
        held_for_public_url=held_events(session, NoPublicUrl.message),
        action=ActionForm(),
        refused=[
            (
                format_moment(event.created_at, request_locale()),
                payload.sender,
                gettext(payload.message, **payload.params),
            )
            for event, payload in refused_replies(session, app_now() - timedelta(days=30))
        ],
    )


def _after_retry() -> Response:
    state = request.form.get("state", QueueState.DEAD.value)
    if state not in {item.value for item in QueueState}:
        state = QueueState.DEAD.value
    return redirect(url_for(".queue", state=state))


@bp.post("/queue/events/<int:event_id>/retry")
def queue_retry_event(event_id: int) -> Any:
    """Put a failed or dead event back in the queue, due now."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        retry_event(get_session(), event_id, app_now())
    if outcome.ok:
        flash(gettext("Event %(id)s is back in the queue.", id=event_id), "success")
    else:
        flash(outcome.message, "error")
    return _after_retry()


@bp.post("/queue/mails/<int:mail_id>/retry")
def queue_retry_mail(mail_id: int) -> Any:
    """Put a failed or dead mail back in the queue, due now."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        retry_mail(get_session(), mail_id, app_now())
    if outcome.ok:
        flash(gettext("Mail %(id)s is back in the queue.", id=mail_id), "success")
    else:
        flash(outcome.message, "error")
    return _after_retry()
