"""The dashboard's rows in words and as JSON: the same sentences on the page, in the API, the
CLI and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext, ngettext

from planner.domain.drift import DriftStatus
from planner.services.dashboard import Answers, DashboardRow, FilledIn, Gap
from planner.services.plan_context import zone_of
from planner.text.formatting import format_clock, format_day, format_weeks
from planner.text.labels import label


def _(message: str, **params: Any) -> str:
    return str(gettext(message, **params))


@dataclass(frozen=True)
class FillInView:
    """A proposed fill-in date as a page shows it, with the gap it fills."""

    day: date
    time: str
    text: str
    fills: str


@dataclass(frozen=True)
class RowView:
    """One dashboard row in the reader's language."""

    health: str  # the Health value: the colour class
    word: str
    next_text: str | None  # 'di 26 jan 2027 19:00'
    next_week: int | None
    gap_text: str | None  # '8,3 weken sinds het laatste overleg'
    worst_text: str | None
    conflicts_text: str | None
    answers_text: str | None
    planned_until_text: str | None
    fill_in: FillInView | None
    forced_text: str | None  # nothing can make the most urgent gap shorter
    searched: bool


def gap_span_text(gap: Gap, locale: str) -> str:
    """'7,1 weken, di 2 feb 2027 – di 23 mrt 2027'."""
    weeks = format_weeks(gap.counted_days, locale)
    if gap.first_day is None or gap.last_day is None:
        return weeks
    return _(
        "%(weeks)s, %(first)s – %(last)s",
        weeks=weeks,
        first=format_day(gap.first_day, locale),
        last=format_day(gap.last_day, locale),
    )


def current_gap_text(row: DashboardRow, locale: str) -> str | None:
    """The gap now and what it spans."""
    drift = row.drift
    if drift.last_day is None and drift.next_day is None:
        return None
    weeks = format_weeks(drift.gap_days or 0, locale)
    if drift.next_day is None:
        return _("%(weeks)s since the last meeting", weeks=weeks)
    if drift.last_day is None:
        return _("%(weeks)s from today to the next meeting", weeks=weeks)
    return _("%(weeks)s from the last to the next meeting", weeks=weeks)


def answers_text(answers: Answers) -> str | None:
    """'1 yes, 1 no, 2 no answer yet' for the next meeting: the counts that are not zero."""
    counted = (
        (answers.accepted, ngettext("%(num)d yes", "%(num)d yes", answers.accepted)),
        (answers.tentative, ngettext("%(num)d maybe", "%(num)d maybe", answers.tentative)),
        (answers.declined, ngettext("%(num)d no", "%(num)d no", answers.declined)),
        (
            answers.unanswered,
            ngettext("%(num)d no answer yet", "%(num)d no answer yet", answers.unanswered),
        ),
    )
    parts = [str(words) for count, words in counted if count]
    return ", ".join(parts) or None


def row_view(row: DashboardRow, locale: str) -> RowView:
    """Everything a row says."""
    zone = zone_of(row.collaboration)
    nxt = row.next_meeting
    fill_in = None
    if row.fill_in is not None:
        clock = format_clock(row.fill_in.starts_at, zone)
        fill_in = FillInView(
            row.fill_in.day,
            clock,
            f"{format_day(row.fill_in.day, locale)} {clock}",
            _fills_text(row, locale),
        )
    return RowView(
        health=row.health.value,
        word=label(row.health.value, locale),
        next_text=f"{format_day(nxt.day, locale)} {format_clock(nxt.starts_at, zone)}"
        if nxt
        else None,
        next_week=nxt.day.isocalendar().week if nxt else None,
        gap_text=current_gap_text(row, locale),
        worst_text=_("Later: %(gap)s", gap=gap_span_text(row.worst_gap, locale))
        if row.worst_gap
        else None,
        conflicts_text=str(
            ngettext(
                "%(num)d meeting on a blocked day",
                "%(num)d meetings on a blocked day",
                row.conflicts,
            )
        )
        if row.conflicts
        else None,
        answers_text=answers_text(row.answers) if row.answers and nxt else None,
        planned_until_text=_("planned until %(day)s", day=format_day(row.planned_until, locale))
        if row.planned_until
        else None,
        fill_in=fill_in,
        forced_text=_forced_text(row, locale) if row.forced else None,
        searched=row.fill_in_searched,
    )


def _fills_text(row: DashboardRow, locale: str) -> str:
    target = row.target
    if target is None or target.first_day is None:
        return _("The first meeting of the collaboration.")
    if target.last_day is None:
        return _(
            "The next meeting after the one of %(day)s.",
            day=format_day(target.first_day, locale),
        )
    return _(
        "Fills the gap of %(gap)s.",
        gap=gap_span_text(target, locale),
    )


def _forced_text(row: DashboardRow, locale: str) -> str:
    target = row.target
    assert target is not None
    if target.last_day is None:
        return _("No free date was found to fill the gap.")
    return _(
        "No earlier date is possible before the meeting of %(day)s: the gap is %(weeks)s, as"
        " short as the calendar allows.",
        day=format_day(target.last_day, locale),
        weeks=format_weeks(target.counted_days, locale),
    )


def filled_in_text(result: FilledIn, zone: ZoneInfo, locale: str) -> str:
    """What a one-click fill-in did: 'Planned on …; the gap is now 6 weeks.'"""
    meeting = result.meeting
    day = format_day(meeting.day, locale)
    time = format_clock(meeting.starts_at, zone)
    effect = result.effect
    if effect.before is None and effect.after is None:
        return _("Planned on %(day)s at %(time)s.", day=day, time=time)
    words = _(
        "Planned on %(day)s at %(time)s; the gap is now %(weeks)s.",
        day=day,
        time=time,
        weeks=format_weeks(effect.largest_days, locale),
    )
    if result.forced:
        words += " " + _("It cannot be shorter: no earlier date is free.")
    elif effect.status is DriftStatus.AT_RISK:
        words += " " + _(
            "That is still longer than the maximum: the dashboard proposes a next date."
        )
    return words


def gap_json(gap: Gap | None) -> dict[str, Any] | None:
    if gap is None:
        return None
    return {
        "first_day": gap.first_day.isoformat() if gap.first_day else None,
        "last_day": gap.last_day.isoformat() if gap.last_day else None,
        "counted_days": gap.counted_days,
        "weeks": round(gap.counted_days / 7, 1),
        "excess_days": gap.excess_days,
    }


def dashboard_row_json(row: DashboardRow, locale: str) -> dict[str, Any]:
    """One row for the API and the CLI."""
    view = row_view(row, locale)
    nxt = row.next_meeting
    answers = row.answers
    return {
        "collaboration": {"id": row.collaboration.id, "name": row.collaboration.name},
        "health": row.health.value,
        "health_label": view.word,
        "drift_status": row.drift.status.value,
        "next_meeting": {"id": nxt.id, "day": nxt.day.isoformat(), "label": view.next_text}
        if nxt
        else None,
        "planned_until": row.planned_until.isoformat() if row.planned_until else None,
        "gap_days": row.drift.gap_days,
        "gap": view.gap_text,
        "worst_gap": gap_json(row.worst_gap),
        "worst_gap_text": view.worst_text,
        "long_gaps": row.long_gaps,
        "conflicts": row.conflicts,
        "answers": {
            "accepted": answers.accepted,
            "tentative": answers.tentative,
            "declined": answers.declined,
            "unanswered": answers.unanswered,
        }
        if answers
        else None,
        "target_gap": gap_json(row.target),
        "fill_in": {
            "day": view.fill_in.day.isoformat(),
            "time": view.fill_in.time,
            "label": view.fill_in.text,
        }
        if view.fill_in
        else None,
        "fill_in_searched": row.fill_in_searched,
        "cannot_be_shorter": view.forced_text,
    }
