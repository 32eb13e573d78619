"""Web pages: the plan wizard of a collaboration, and the page of one meeting (move, cancel,
who answered what, the invitation mails).

The wizard never stores anything until its last step. Step 1 asks for a school year or a period
(a GET form: it only asks for a preview); step 2 shows the proposed series with the reasons per
date and, per new meeting, a few other good days to pick; the chosen days travel in the form and
in the URL, so the confirmation stores exactly the series shown, after checking it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from planner.calendar_nl import school_year_of
from planner.clock import app_now
from planner.domain.explain import Explanation, Obstacle, RejectedDay
from planner.domain.kinds import AttendanceStatus, MeetingStatus
from planner.domain.planning import Gap, Rhythm
from planner.errors import N_, ConflictError, PlannerError, ValidationError
from planner.inputs import parse_date, parse_id
from planner.models import Collaboration, Meeting
from planner.presenters.planning import (
    effect_text,
    explanation_lines,
    gap_text,
    plan_summary,
    weeks_text,
)
from planner.services import meetings, planning
from planner.services.attendance import invitees_of, organizer_of
from planner.services.invite_history import answers_of, invitations_waiting, invite_history
from planner.services.meetings import Alternative, GapSummary
from planner.services.plan_choices import plan_alternatives
from planner.text.formatting import format_day
from planner.text.labels import label
from planner.web.forms import ActionForm
from planner.web.forms.meetings import OTHER, PERIOD, YEAR, CancelForm, HorizonForm, MoveForm
from planner.web.requests import get_session
from planner.web.security import coordinated_collaboration, require_person

bp = Blueprint("meetings", __name__)

# How many other days the wizard offers per new meeting, and the meeting page per meeting.
PLAN_ALTERNATIVES = 3
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
    "sent": N_("sent"),
}


def _(message: str, **params: Any) -> str:
    return str(gettext(message, **params))


def _locale() -> str:
    return str(get_locale() or "nl")


def _collaboration_url(collab_id: int) -> str:
    """The collaboration page (another blueprint's): by path, so this page never depends on it."""
    return f"{request.script_root}/collaborations/{collab_id}"


def _clock(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _moment(instant: datetime, zone: ZoneInfo, locale: str) -> str:
    local = instant.astimezone(zone)
    return f"{format_day(local.date(), locale)} {local:%H:%M}"


def _effect(summary: GapSummary, locale: str) -> str:
    if summary.before is None and summary.after is None:
        return _("no meeting before or after it")
    return _(
        "largest gap around it %(gap)s (%(status)s)",
        gap=weeks_text(summary.largest_days, locale),
        status=label(summary.status.value, locale),
    )


# --- the plan wizard ------------------------------------------------------------------------


@dataclass
class PlanRow:
    """One meeting of a proposed series as the wizard shows it."""

    day: date
    week: int
    time: str
    location: str | None
    fixed: bool
    meeting_id: int | None
    lines: list[str]
    warning: str | None
    alternatives: list[dict[str, Any]] = field(default_factory=list)


def _year_choices(form: HorizonForm, today: date) -> None:
    current = school_year_of(today)
    following = school_year_of(date(int(current[:4]) + 1, 9, 1))
    form.school_year.choices = [
        SelectChoice(current, _("%(year)s (this school year)", year=current)),
        SelectChoice(following, _("%(year)s (next school year)", year=following)),
    ]
    if not form.school_year.data:
        form.school_year.data = current


def _horizon_args(form: HorizonForm) -> dict[str, str]:
    """The step-1 answers as URL parameters (to show the same horizon again)."""
    args = {"scope": form.scope.data or YEAR}
    if args["scope"] == PERIOD:
        if form.first.data:
            args["first"] = form.first.data.isoformat()
        if form.last.data:
            args["last"] = form.last.data.isoformat()
    else:
        args["school_year"] = form.school_year.data or ""
    return args


def _plan_url(collab_id: int, form: HorizonForm, days: list[date] | None = None) -> str:
    query: list[tuple[str, str]] = list(_horizon_args(form).items())
    query += [("day", day.isoformat()) for day in days or []]
    return f"{url_for('meetings.plan', collab_id=collab_id)}?{urlencode(query)}"


def _preview(
    session: Session,
    collab: Collaboration,
    form: HorizonForm,
    now: datetime,
    days: list[date] | None,
) -> planning.PlanPreview:
    if form.scope.data == PERIOD:
        return planning.preview_plan(
            session,
            collab,
            now,
            first=form.first.data,
            last=form.last.data,
            days=days,
            locale=_locale(),
        )
    return planning.preview_plan(
        session, collab, now, school_year=form.school_year.data, days=days, locale=_locale()
    )


def _plan_rows(
    preview: planning.PlanPreview, choices: dict[date, list[Alternative]], locale: str
) -> list[PlanRow]:
    rhythm = preview.problem.rhythm
    zone = preview.zone
    rows = []
    for item in preview.meetings:
        lines = explanation_lines(item.explanation, rhythm, locale)
        gap = item.explanation.gap
        # explanation_lines ends with the reason for a gap above the maximum: a warning here.
        warning = lines.pop() if gap is not None and gap.excess_days else None
        rows.append(
            PlanRow(
                day=item.day,
                week=item.day.isocalendar().week,
                time=f"{_clock(item.starts_at, zone)}–{_clock(item.ends_at, zone)}",
                location=item.location,
                fixed=item.fixed,
                meeting_id=item.meeting.id if item.meeting else None,
                lines=lines,
                warning=warning,
                alternatives=[
                    _alternative(alt, zone, rhythm, locale) for alt in choices.get(item.day, [])
                ],
            )
        )
    return rows


def _alternative(alt: Alternative, zone: ZoneInfo, rhythm: Rhythm, locale: str) -> dict[str, Any]:
    return {
        "value": alt.day.isoformat(),
        "day": alt.day,
        "week": alt.day.isocalendar().week,
        "time": f"{_clock(alt.starts_at, zone)}–{_clock(alt.ends_at, zone)}",
        "effect": _effect(alt.effect, locale),
        "status": alt.effect.status.value,
        "lines": explanation_lines(alt.explanation, rhythm, locale),
    }


def _render_plan(
    collab: Collaboration,
    form: HorizonForm,
    *,
    preview: planning.PlanPreview | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    locale = _locale()
    context: dict[str, Any] = {
        "collab": collab,
        "form": form,
        "error": error,
        "preview": preview,
        "collab_url": _collaboration_url(collab.id),
    }
    if preview is not None:
        session = get_session()
        choices = plan_alternatives(
            session, preview, app_now(), locale=locale, limit=PLAN_ALTERNATIVES
        )
        rows = _plan_rows(preview, choices, locale)
        trailing = preview.plan.trailing
        summary = plan_summary(preview, locale)
        context.update(
            rows=rows,
            headline=summary[0],
            notes=summary[1:],
            long_gap=preview.plan.largest_excess_days > 0,
            trailing=gap_text(trailing, locale) if trailing and trailing.excess_days else None,
            new_count=len(preview.new_meetings),
            fixed_count=len(preview.meetings) - len(preview.new_meetings),
            horizon=_horizon_args(form),
            invitees=[person.name for person in invitees_of(collab)],
            horizon_label=_(
                "%(first)s to %(last)s (school year %(year)s)",
                first=format_day(preview.first_day, locale),
                last=format_day(preview.last_day, locale),
                year=preview.school_year,
            ),
        )
    return render_template("plan/wizard.html", **context), status


@bp.get("/collaborations/<int:collab_id>/plan")
def plan(collab_id: int) -> Any:
    """Step 1 (the horizon) and step 2 (the proposal, with the chosen days if any)."""
    collab = coordinated_collaboration(collab_id)
    now = app_now()
    today = now.astimezone(planning.zone_of(collab)).date()
    asked = "scope" in request.args
    form = HorizonForm(formdata=request.args if asked else None)
    _year_choices(form, today)
    if not asked:
        return _render_plan(collab, form)
    if not form.validate():
        return _render_plan(collab, form, status=400)
    session = get_session()
    try:
        days = planning.parse_days(request.args.getlist("day")) or None
        preview = _preview(session, collab, form, now, days)
    except PlannerError as error:
        return _render_plan(collab, form, error=error.translate(_), status=error.status)
    return _render_plan(collab, form, preview=preview)


@bp.post("/collaborations/<int:collab_id>/plan")
def plan_submit(collab_id: int) -> Any:
    """Show the plan again with the picked days, or store it (step 3) and send invitations."""
    collab = coordinated_collaboration(collab_id)
    session = get_session()
    now = app_now()
    today = now.astimezone(planning.zone_of(collab)).date()
    form = HorizonForm(formdata=request.form)
    _year_choices(form, today)
    if not ActionForm().validate_on_submit():
        message = _("The form had expired; nothing was stored. Please try again.")
        return _render_plan(collab, form, error=message, status=400)
    if not form.validate():
        return _render_plan(collab, form, status=400)
    try:
        shown = planning.parse_days(request.form.getlist("day"))
        chosen = _chosen_days(request.form, shown)
    except PlannerError as error:
        return _render_plan(collab, form, error=error.translate(_), status=error.status)
    confirm = request.form.get("action") == "confirm"
    if not confirm or chosen != shown:
        if confirm:
            flash(_("You picked other dates: check the new plan, then confirm it."), "warning")
        return redirect(_plan_url(collab.id, form, chosen), 303)
    try:
        preview = _preview(session, collab, form, now, shown)
        _check_unchanged(preview, request.form.getlist("fixed"))
        created = planning.confirm_plan(session, preview, now)
    except PlannerError as error:
        session.rollback()
        message = error.translate(_)
        message = _("Nothing was stored: %(reason)s", reason=message)
        return _render_fresh(collab, form, message, error.status)
    session.commit()
    flash(
        ngettext(
            "%(num)d meeting planned. The invitations are being sent.",
            "%(num)d meetings planned. The invitations are being sent.",
            len(created),
        ),
        "success",
    )
    return redirect(_collaboration_url(collab.id), 303)


def _chosen_days(data: MultiDict[str, str], shown: list[date]) -> list[date]:
    """The shown days with each one's pick applied; two meetings on one day are refused."""
    chosen = []
    for day in shown:
        picked = data.get(f"choice-{day.isoformat()}")
        chosen.append(planning.parse_days([picked])[0] if picked else day)
    if len(set(chosen)) != len(chosen):
        double = next(day for day in chosen if chosen.count(day) > 1)
        raise ValidationError(
            N_("Two meetings would fall on %(day)s; pick another date for one of them."),
            day=format_day(double, _locale()),
        )
    return sorted(chosen)


def _check_unchanged(preview: planning.PlanPreview, shown_fixed: list[str]) -> None:
    """The confirmed meetings the plan keeps must be the ones the page showed."""
    kept = sorted(item.meeting.id for item in preview.meetings if item.meeting is not None)
    ids = [parse_id(value) for value in shown_fixed]
    shown = sorted(number for number in ids if number is not None)
    if len(shown) != len(ids) or shown != kept:  # a value that is no id: a changed form
        raise ConflictError(
            N_("The collaboration's meetings changed since this plan was made; plan again.")
        )
    if not preview.new_meetings:
        raise ValidationError(N_("Choose at least one day."))


def _render_fresh(collab: Collaboration, form: HorizonForm, message: str, status: int) -> Any:
    """After a refused confirmation: the message, and a fresh proposal to start from."""
    try:
        preview = _preview(get_session(), collab, form, app_now(), None)
    except PlannerError:
        return _render_plan(collab, form, error=message, status=status)
    return _render_plan(collab, form, preview=preview, error=message, status=status)


# --- one meeting ----------------------------------------------------------------------------


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
    if meeting.status is MeetingStatus.CANCELLED:
        return _("This meeting was cancelled; it cannot be moved or cancelled again.")
    if meeting.status is MeetingStatus.PROPOSED:
        return _("This meeting is only proposed; plan it first.")
    if meeting.status is MeetingStatus.HELD or meeting.ends_at <= now:
        return _("This meeting has already taken place and cannot be changed.")
    return None


@dataclass
class MoveOptions:
    """The days offered for a move, and what the meeting's gaps are now."""

    current: GapSummary | None
    alternatives: list[Alternative]
    proposed: date | None  # the day a calendar conflict proposed


def _move_options(session: Session, meeting: Meeting, now: datetime) -> MoveOptions:
    if _refusal(meeting, now):
        return MoveOptions(None, [], None)
    current, found = meetings.alternatives(
        session, meeting, now, locale=_locale(), limit=MOVE_ALTERNATIVES
    )
    proposed = (meeting.conflict or {}).get("proposed_day")
    return MoveOptions(current, found, date.fromisoformat(proposed) if proposed else None)


def _prepare_move_form(form: MoveForm, meeting: Meeting, options: MoveOptions) -> None:
    locale = _locale()
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
            start=_clock(alt.starts_at, zone),
            end=_clock(alt.ends_at, zone),
            effect=_effect(alt.effect, locale),
        )
        if alt.day == options.proposed:
            text = _("%(option)s — proposed after the calendar change", option=text)
        choices.append(SelectChoice(alt.day.isoformat(), text))
    choices.append(SelectChoice(OTHER, _("Another date")))
    form.choice.choices = choices
    if form.choice.data is None and options.proposed:
        form.choice.data = options.proposed.isoformat()


def _stored_explanation(meeting: Meeting, locale: str) -> list[str]:
    """The planner's reasons for the meeting's date, as stored when it was confirmed."""
    data = meeting.explanation
    if not data:
        return []
    gap_data = data.get("gap")
    gap = None
    if gap_data:
        start = date.fromisoformat(gap_data["from"])
        gap = Gap(
            start,
            start + timedelta(days=int(gap_data["calendar_days"])),
            int(gap_data["counted_days"]),
            int(gap_data["excess_days"]),
        )
    explanation = Explanation(
        day=meeting.day,
        fixed=False,
        gap=gap,
        ideal_day=date.fromisoformat(data["ideal_day"]) if data.get("ideal_day") else None,
        rejected=tuple(
            RejectedDay(date.fromisoformat(item["day"]), _obstacles(item.get("reasons", [])))
            for item in data.get("rejected", [])
        ),
        more_rejected=int(data.get("more_rejected") or 0),
        forced_by=_obstacles(data.get("forced_by", [])),
        uncounted_days=int(data.get("uncounted_days") or 0),
    )
    return explanation_lines(explanation, planning.rhythm_of(meeting.collaboration), locale)


def _obstacles(items: list[dict[str, Any]]) -> tuple[Obstacle, ...]:
    return tuple(
        Obstacle(
            str(item.get("label") or ""),
            str(item.get("who") or ""),
            bool(item.get("hard")),
            date.fromisoformat(item["first_day"]) if item.get("first_day") else None,
            date.fromisoformat(item["last_day"]) if item.get("last_day") else None,
        )
        for item in items
    )


def _render_meeting(
    meeting: Meeting,
    form: MoveForm,
    options: MoveOptions,
    *,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = get_session()
    now = app_now()
    locale = _locale()
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
            "queued": _moment(item.mail.created_at, zone, locale),
            "sent": _moment(item.mail.sent_at, zone, locale) if item.mail.sent_at else None,
            "to": item.person.name if item.person else item.mail.recipient,
            "address": item.mail.recipient,
            "what": _mail_kind(item.method, item.sequence),
            "version": item.sequence,
            "state": item.state,
            "state_label": _(MAIL_STATES[item.state]),
            "error": item.mail.last_error,
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
        "collab_url": _collaboration_url(collab.id),
        "week": meeting.day.isocalendar().week,
        "time": f"{_clock(meeting.starts_at, zone)}–{_clock(meeting.ends_at, zone)}",
        "status_label": label(f"meeting_{meeting.status.value}", locale),
        "moved": meeting.sequence > 0 and meeting.status is MeetingStatus.CONFIRMED,
        "why": _stored_explanation(meeting, locale),
        "gaps": gaps,
        "conflict": conflict,
        "conflict_reasons": [
            f"{item.get('label')} — {item.get('who')}"
            for item in (conflict or {}).get("reasons", [])
        ],
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
    refusal = _refusal(meeting, now)
    if refusal:
        return _render_meeting(meeting, form, options, error=refusal, status=409)
    if not form.validate_on_submit():
        return _render_meeting(meeting, form, options, status=400)
    try:
        day, at = _move_target(form, meeting, now)
        result = meetings.move_meeting(session, meeting, day, now, at=at, locale=_locale())
    except PlannerError as error:
        session.rollback()
        message = _("Not moved: %(reason)s", reason=error.translate(_))
        return _render_meeting(meeting, form, options, error=message, status=error.status)
    session.commit()
    flash(
        _(
            "Moved to %(day)s %(time)s. Everyone invited gets the new date by mail.",
            day=format_day(result.meeting.day, _locale()),
            time=_clock(result.meeting.starts_at, ZoneInfo(meeting.timezone)),
        )
        + " "
        + effect_text(result.before, result.after, _locale()),
        "success",
    )
    return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)


def _move_target(form: MoveForm, meeting: Meeting, now: datetime) -> tuple[date, Any]:
    """The day and start time asked for; a past day or the same moment are refused."""
    locale = _locale()
    zone = ZoneInfo(meeting.timezone)
    if form.choice.data == OTHER:
        # The planner's date window (2000-2100), as for every date typed elsewhere.
        day, at = parse_date(form.day.data, str(form.day.label.text)), form.time.data
    else:
        day, at = date.fromisoformat(str(form.choice.data)), None
    assert day is not None  # MoveForm.validate demands it
    if day < now.astimezone(zone).date():
        raise ValidationError(
            N_("%(day)s lies in the past; choose a later date."), day=format_day(day, locale)
        )
    start = meeting.starts_at.astimezone(zone)
    if day == meeting.day and (at is None or at.strftime("%H:%M") == start.strftime("%H:%M")):
        raise ValidationError(N_("The meeting already takes place then."))
    return day, at


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int) -> Any:
    """Ask to confirm, then cancel: the meeting stays listed as cancelled, everyone invited
    gets a cancellation, and the page says what the gap becomes."""
    meeting = _coordinated_meeting(meeting_id)
    session = get_session()
    now = app_now()
    locale = _locale()
    form = CancelForm()
    refusal = _refusal(meeting, now)
    status = 200
    error = None
    if request.method == "POST":
        if refusal:
            error, status = refusal, 409
        elif not form.validate_on_submit():
            status = 400
        else:
            try:
                result = meetings.cancel_meeting(session, meeting, now, locale=locale)
            except PlannerError as problem:
                session.rollback()
                error, status = problem.translate(_), problem.status
            else:
                session.commit()
                flash(_cancelled_message(result, locale), "success")
                return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
    zone = ZoneInfo(meeting.timezone)
    return render_template(
        "meetings/cancel.html",
        meeting=meeting,
        collab=meeting.collaboration,
        week=meeting.day.isocalendar().week,
        time=f"{_clock(meeting.starts_at, zone)}–{_clock(meeting.ends_at, zone)}",
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
