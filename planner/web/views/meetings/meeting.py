"""The page of one meeting: when and where, why then, who answered what, the invitation
mails; move it (to a proposed or another day) or cancel it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from planner.clock import app_now
from planner.domain.kinds import AttendanceStatus, MeetingStatus
from planner.errors import N_
from planner.inputs import parse_date
from planner.models import Meeting
from planner.presenters.meetings import effect_text, stored_explanation_lines
from planner.presenters.outbox import drop_reason_text
from planner.presenters.planning import gap_text
from planner.services import meetings
from planner.services.alternatives import Alternative, GapSummary, other_days
from planner.services.attendance import organizer_of
from planner.services.invite_history import answers_of, invitations_waiting, invite_history
from planner.services.memberships import shown_reasons
from planner.services.plan_context import ShortNotice
from planner.text.formatting import format_clock, format_day, format_moment
from planner.text.labels import label
from planner.web.forms.meetings import OTHER, CancelForm, MoveForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import coordinated_collaboration, require_person
from planner.web.views.meetings.base import _, bp, collaboration_url, effect

# How many other days the meeting page offers.
MOVE_ALTERNATIVES = 5

# The answer groups of the meeting page, in order.
ANSWER_GROUPS: tuple[tuple[AttendanceStatus, str], ...] = (
    (AttendanceStatus.ACCEPTED, N_("Coming")),
    (AttendanceStatus.TENTATIVE, N_("Maybe")),
    (AttendanceStatus.DECLINED, N_("Not coming")),
    (AttendanceStatus.NEEDS_ACTION, N_("No answer yet")),
)
MAIL_STATES = {
    "pending": N_("waiting to be sent"),
    "failed": N_("failed, will be tried again"),
    "dead": N_("not delivered: given up"),
    "dropped": N_("not sent: out of date"),
    "sent": N_("sent"),
}


def _coordinated_meeting(meeting_id: int) -> Meeting:
    """The meeting, if the logged-in person coordinates its collaboration (or is admin)."""
    require_person()
    meeting = get_session().get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    coordinated_collaboration(meeting.collaboration_id)
    return meeting


def _refusal(meeting: Meeting, now: datetime) -> str | None:
    """Why the meeting cannot be moved or cancelled any more (None: it can)."""
    refusal = meetings.change_refusal(meeting, now)
    return refusal.translate(gettext) if refusal else None


@dataclass
class MoveOptions:
    """The days offered for a move, and what the meeting's gaps are now."""

    current: GapSummary | None
    alternatives: list[Alternative]
    proposed: date | None  # the day a calendar conflict proposed


def _move_options(session: Session, meeting: Meeting, now: datetime) -> MoveOptions:
    if _refusal(meeting, now):
        return MoveOptions(None, [], None)
    current, found = other_days(
        session, meeting, now, locale=request_locale(), limit=MOVE_ALTERNATIVES
    )
    proposed = (meeting.conflict or {}).get("proposed_day")
    return MoveOptions(current, found, date.fromisoformat(proposed) if proposed else None)


def _prepare_move_form(form: MoveForm, meeting: Meeting, options: MoveOptions) -> None:
    locale = request_locale()
    zone = ZoneInfo(meeting.timezone)
    choices: list[SelectChoice] = []
    days = [alt.day for alt in options.alternatives]
    if options.proposed and options.proposed not in days:
        choices.append(
            SelectChoice(
                options.proposed.isoformat(),
                _(
                    "%(day)s (week %(week)s), proposed after the calendar change",
                    day=format_day(options.proposed, locale),
                    week=options.proposed.isocalendar().week,
                ),
            )
        )
    for alt in options.alternatives:
        text = _(
            "%(day)s (week %(week)s) %(start)s–%(end)s, %(effect)s",
            day=format_day(alt.day, locale),
            week=alt.day.isocalendar().week,
            start=format_clock(alt.starts_at, zone),
            end=format_clock(alt.ends_at, zone),
            effect=effect(alt.effect, locale),
        )
        if alt.day == options.proposed:
            text = _("%(option)s — proposed after the calendar change", option=text)
        choices.append(SelectChoice(alt.day.isoformat(), text))
    choices.append(SelectChoice(OTHER, _("Another date")))
    form.choice.choices = choices
    if form.choice.data is None and options.proposed:
        form.choice.data = options.proposed.isoformat()


def _render_meeting(
    meeting: Meeting,
    form: MoveForm,
    options: MoveOptions,
    *,
    error: str | None = None,
    status: int = 200,
    ask_short_notice: bool = False,
) -> tuple[str, int]:
    session = get_session()
    now = app_now()
    locale = request_locale()
    collab = meeting.collaboration
    zone = ZoneInfo(meeting.timezone)
    answers = answers_of(session, meeting)
    groups = [
        (
            key,
            _(title),
            [
                {
                    "name": a.person.name,
                    "organisation": a.person.organisation.name if a.person.organisation else None,
                    "answered": format_day(a.row.answered_at.astimezone(zone).date(), locale)
                    if a.row and a.row.answered_at and key is not AttendanceStatus.NEEDS_ACTION
                    else None,
                    "invited": a.invited,
                }
                for a in answers
                if a.status is key
            ],
        )
        for key, title in ANSWER_GROUPS
    ]
    history = [
        {
            "queued": format_moment(item.mail.created_at, locale),
            "sent": format_moment(item.mail.sent_at, locale) if item.mail.sent_at else None,
            "to": item.person.name if item.person else item.mail.recipient,
            "address": item.mail.recipient,
            "what": _mail_kind(item.method, item.sequence),
            "version": item.sequence,
            "state": item.state,
            "state_label": _(MAIL_STATES[item.state]),
            "error": drop_reason_text(item.mail.dropped_reason) or item.mail.last_error,
        }
        for item in invite_history(session, meeting)
    ]
    conflict = meeting.conflict
    gaps = None
    current = options.current
    if current is not None and (current.before or current.after):
        gaps = {
            "before": gap_text(current.before, locale) if current.before else None,
            "before_day": current.before.first if current.before else None,
            "after": gap_text(current.after, locale) if current.after else None,
            "after_day": current.after.last if current.after else None,
            "status": current.status.value,
            "status_label": label(current.status.value, locale),
        }
    organizer = organizer_of(collab)
    context = {
        "meeting": meeting,
        "collab": collab,
        "collab_url": collaboration_url(collab.id),
        "week": meeting.day.isocalendar().week,
        "time": f"{format_clock(meeting.starts_at, zone)}–{format_clock(meeting.ends_at, zone)}",
        "status_label": label(f"meeting_{meeting.status.value}", locale),
        "moved": meeting.sequence > 0 and meeting.status is MeetingStatus.CONFIRMED,
        "why": stored_explanation_lines(meeting, locale),
        "gaps": gaps,
        "conflict": conflict,
        "conflict_reasons": shown_reasons(
            meeting.collaboration, (conflict or {}).get("reasons", [])
        ),
        "conflict_day": date.fromisoformat(conflict["proposed_day"])
        if conflict and conflict.get("proposed_day")
        else None,
        "groups": groups,
        "organizer": organizer.name if organizer else None,
        "history": history,
        "waiting": invitations_waiting(session, meeting),
        "refusal": _refusal(meeting, now),
        "form": form,
        "error": error,
        "ask_short_notice": ask_short_notice,
    }
    return render_template("meetings/show.html", **context), status


def _mail_kind(method: str, sequence: int | None) -> str:
    if method == "CANCEL":
        return _("cancellation")
    if sequence:
        return _("changed invitation")
    return _("invitation")


@bp.get("/meetings/<int:meeting_id>")
def show(meeting_id: int) -> Any:
    """The meeting: when and where, why then, who answered what, the mails, move and cancel."""
    meeting = _coordinated_meeting(meeting_id)
    options = _move_options(get_session(), meeting, app_now())
    form = MoveForm(formdata=None)
    _prepare_move_form(form, meeting, options)
    return _render_meeting(meeting, form, options)


@bp.post("/meetings/<int:meeting_id>/move")
def move(meeting_id: int) -> Any:
    """Move the meeting to a proposed or another day; everyone invited gets the new date."""
    meeting = _coordinated_meeting(meeting_id)
    session = get_session()
    now = app_now()
    options = _move_options(session, meeting, now)
    form = MoveForm()
    _prepare_move_form(form, meeting, options)
    refusal = meetings.change_refusal(meeting, now)
    if refusal:
        return _render_meeting(
            meeting, form, options, error=refusal.translate(gettext), status=refusal.status
        )
    if not form.validate_on_submit():
        return _render_meeting(meeting, form, options, status=400)
    with change() as outcome:
        day, at = _move_target(form)
        result = meetings.move_meeting(
            session,
            meeting,
            day,
            now,
            at=at,
            locale=request_locale(),
            short_notice=bool(form.short_notice.data),
            note=form.note.data,
        )
    if not outcome.ok:
        message = _("Not moved: %(reason)s", reason=outcome.message)
        return _render_meeting(
            meeting,
            form,
            options,
            error=message,
            status=outcome.status,
            ask_short_notice=isinstance(outcome.refused, ShortNotice),
        )
    flash(
        _(
            "Moved to %(day)s %(time)s. Everyone invited gets the new date by mail.",
            day=format_day(result.meeting.day, request_locale()),
            time=format_clock(result.meeting.starts_at, ZoneInfo(meeting.timezone)),
        )
        + " "
        + effect_text(result.before, result.after, request_locale()),
        "success",
    )
    return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)


def _move_target(form: MoveForm) -> tuple[date, time | None]:
    """The day and start time asked for (the service refuses a past day or the same moment)."""
    if form.choice.data == OTHER:
        # The planner's date window (2000-2100), as for every date typed elsewhere.
        day, at = parse_date(form.day.data, str(form.day.label.text)), form.time.data
    else:
        day, at = date.fromisoformat(str(form.choice.data)), None
    return day, at


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int) -> Any:
    """Ask to confirm, then cancel: the meeting stays listed as cancelled, everyone invited
    gets a cancellation, and the page says what the gap becomes."""
    meeting = _coordinated_meeting(meeting_id)
    session = get_session()
    now = app_now()
    locale = request_locale()
    form = CancelForm()
    refusal = _refusal(meeting, now)
    status = 200
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            with change() as outcome:
                result = meetings.cancel_meeting(
                    session, meeting, now, locale=locale, note=form.note.data
                )
            if outcome.ok:
                flash(_cancelled_message(result, locale), "success")
                return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
            error, status = outcome.message, outcome.status
    zone = ZoneInfo(meeting.timezone)
    return render_template(
        "meetings/cancel.html",
        meeting=meeting,
        collab=meeting.collaboration,
        week=meeting.day.isocalendar().week,
        time=f"{format_clock(meeting.starts_at, zone)}–{format_clock(meeting.ends_at, zone)}",
        invited=[a.person.name for a in answers_of(session, meeting) if a.invited],
        refusal=refusal,
        error=error,
        form=form,
    ), status


def _cancelled_message(result: meetings.ChangeResult, locale: str) -> str:
    parts = [
        _(
            "Cancelled: %(day)s. Everyone invited gets a cancellation by mail.",
            day=format_day(result.meeting.day, locale),
        ),
        effect_text(result.before, result.after, locale),
    ]
    if result.alternatives:
        best = result.alternatives[0]
        parts.append(
            _(
                "A good date to fill the gap: %(day)s (week %(week)s).",
                day=format_day(best.day, locale),
                week=best.day.isocalendar().week,
            )
        )
    return " ".join(parts)
