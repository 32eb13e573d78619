"""JSON API: the event and mail queues, retries, and replies to invitations."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from planner.clock import app_now
from planner.errors import N_, NotFoundError, ValidationError
from planner.inputs import parse_choice, parse_id, parse_int
from planner.presenters.outbox import event_json, mail_json, queues_json
from planner.services.attendance import apply_reply
from planner.services.outbox import QueueState, retry_event, retry_mail
from planner.web.requests import commit, get_session
from planner.web.views.api.base import Unauthorized, bp, has_token

# --- Outbox -------------------------------------------------------------------------------------


@bp.get("/outbox")
def outbox_status() -> Any:
    """Counts of the event and mail queues; ?state=pending|failed|dead|done also lists rows."""
    if not has_token():  # the rows show e-mail addresses and subjects
        raise Unauthorized(N_("The outbox can only be seen with a valid API token."))
    raw_state = request.args.get("state")
    state = parse_choice(raw_state, QueueState, "state") if raw_state else None
    limit = parse_int(request.args.get("limit", "50"), "limit", 1, 500)
    return jsonify(queues_json(get_session(), state, limit))


def _outbox_id(value: str, message: str) -> int:
    ident = parse_id(value)
    if ident is None:
        raise NotFoundError(message, id=value)
    return ident


@bp.post("/outbox/events/<event_id>/retry")
def retry_outbox_event(event_id: str) -> Any:
    """Put a failed or dead event back in the queue, due now."""
    session = get_session()
    event = retry_event(session, _outbox_id(event_id, N_("There is no event %(id)s.")), app_now())
    commit()
    return jsonify(event_json(event))


@bp.post("/outbox/mails/<mail_id>/retry")
def retry_outbox_mail(mail_id: str) -> Any:
    """Put a failed or dead mail back in the queue, due now."""
    session = get_session()
    mail = retry_mail(session, _outbox_id(mail_id, N_("There is no mail %(id)s.")), app_now())
    commit()
    return jsonify(mail_json(mail))


# --- Replies to invitations ---------------------------------------------------------------------


@bp.post("/replies")
def import_reply() -> Any:
    """Apply an iTIP REPLY (.ics): the raw body (text/calendar) or a multipart field `file`.

    All or nothing: a malformed file or any refused answer stores nothing.
    """
    upload = request.files.get("file")
    if upload is not None:
        data = upload.read()
    elif request.mimetype == "multipart/form-data":
        raise ValidationError(N_("Upload the .ics file in the field 'file'."))
    else:
        data = request.get_data()
    session = get_session()
    outcomes = apply_reply(session, data, app_now())
    commit()
    return jsonify(
        applied=[
            {
                "meeting_uid": outcome.meeting.uid,
                "status": outcome.status.value,
                "changed": outcome.changed,
            }
            for outcome in outcomes
        ]
    )
