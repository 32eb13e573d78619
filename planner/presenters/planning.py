"""JSON shapes and readable lines for collaborations, plans, meetings and drift.

Shared by the API and the CLI (`--json` and text output), in the user's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext, ngettext

from planner.domain.explain import Cause, CauseKind, Explanation, Obstacle
from planner.domain.gaps import ONE_DAY, Gap, Rhythm
from planner.models import Collaboration, Meeting, Person
from planner.presenters.completeness import missing_json, missing_lines
from planner.services.collaboration_fields import collaboration_fields
from planner.services.explanations import explanation_data, obstacle_data
from planner.services.planning import PlanPreview, ProposedMeeting
from planner.text.formatting import format_day, format_span, format_weeks
from planner.text.labels import label

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _(message: str, **params: Any) -> str:
    return str(gettext(message, **params))


def _n(singular: str, plural: str, number: int, **params: Any) -> str:
    return str(ngettext(singular, plural, number, **params))


def rhythm_json(rhythm: Rhythm) -> dict[str, int]:
    """Return a rhythm in weeks."""
    return {"target_weeks": rhythm.target_days // 7, "max_gap_weeks": rhythm.max_gap_days // 7}


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def person_json(person: Person) -> dict[str, Any]:
    """Return a person."""
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "organisation_id": person.organisation_id,
        "language": person.language,
    }


def collaboration_json(collab: Collaboration) -> dict[str, Any]:
    """Return a collaboration with members, people, rhythm and meeting template."""
    fields = collaboration_fields(collab)
    people = [
        {
            "id": link.person.id,
            "name": link.person.name,
            "email": link.person.email,
            "role": link.role.value,
            "essential": link.essential,
        }
        for link in collab.people
    ]
    return {
        "id": collab.id,
        "name": collab.name,
        "ambition": collab.ambition,
        "members": [
            {
                "id": member.organisation.id,
                "name": member.organisation.name,
                "brin": member.organisation.brin,
                "kind": member.organisation.kind.value,
                "region": member.organisation.region,
                # Whether the school agreed that this collaboration reads its notes.
                "consent": member.consent.value,
            }
            for member in collab.members
        ],
        "coordinators": [p for p in people if p["role"] == "coordinator"],
        "participants": [p for p in people if p["role"] == "participant"],
        "rhythm": {
            "target_weeks": collab.target_weeks,
            "max_gap_weeks": collab.max_gap_weeks,
            "count_holidays": collab.count_holidays,
            "keep_planned_weeks": collab.keep_planned_weeks,
            "notice_days": collab.notice_days,
        },
        "template": {
            "duration_minutes": fields["duration_minutes"],
            "weekdays": [WEEKDAY_CODES[day - 1] for day in fields["weekdays"]],
            "start_time": fields["start_time"],
            "latest_start": fields["latest_start"],
            "location": fields["location"],
            "location_note": fields["location_note"],
            "reminder_hours": collab.reminder_hours,
            "timezone": collab.timezone,
        },
    }


def gap_json(gap: Gap | None, locale: str) -> dict[str, Any] | None:
    """Return a gap as JSON."""
    if gap is None:
        return None
    return {
        "from": gap.first.isoformat(),
        "to": gap.last.isoformat(),
        "calendar_days": gap.calendar_days,
        "counted_days": gap.counted_days,
        "weeks": round(gap.counted_days / 7, 1),
        "excess_days": gap.excess_days,
        "text": gap_text(gap, locale),
    }


def gap_text(gap: Gap, locale: str) -> str:
    """Return a gap as words, saying when holiday weeks were left out of the count."""
    text = format_weeks(gap.counted_days, locale)
    left_out = gap.calendar_days - gap.counted_days
    if left_out:
        text = _(
            "%(counted)s (%(calendar)s in the calendar; holiday weeks of all members do not count)",
            counted=text,
            calendar=format_weeks(gap.calendar_days, locale),
        )
    return text


def obstacle_text(obstacle: Obstacle, locale: str) -> str:
    """Return 'Herfstvakantie zuid — Vakcollege Eindhoven'."""
    text = f"{obstacle.label} — {obstacle.who}"
    if not obstacle.hard:
        text += f" ({label('soft', locale)})"
    return text


def obstacles_text(obstacles: tuple[Obstacle, ...], locale: str) -> str:
    """Return obstacles grouped by label: 'Meivakantie zuid — School A, School B; Toetsweek — C'."""
    grouped: dict[tuple[str, bool], list[str]] = {}
    for obstacle in obstacles:
        whos = grouped.setdefault((obstacle.label, obstacle.hard), [])
        if obstacle.who not in whos:
            whos.append(obstacle.who)
    return "; ".join(
        obstacle_text(Obstacle(text, ", ".join(whos), hard), locale)
        for (text, hard), whos in grouped.items()
    )


def explanation_lines(explanation: Explanation, rhythm: Rhythm, locale: str) -> list[str]:
    """Return an explanation as sentences: the gap, the nearer days rejected, what forces it."""
    lines = []
    if explanation.fixed:
        lines.append(_("Already confirmed; the plan keeps it."))
    gap = explanation.gap
    if gap is not None:
        lines.append(
            _(
                "%(gap)s after the previous meeting of %(day)s.",
                gap=gap_text(gap, locale),
                day=format_day(gap.first, locale),
            )
        )
    elif not explanation.fixed:
        lines.append(_("The first meeting of the horizon."))
    for item in explanation.rejected:
        reasons = obstacles_text(item.obstacles, locale)
        lines.append(
            _("Not %(day)s: %(reasons)s.", day=format_day(item.day, locale), reasons=reasons)
        )
    if explanation.more_rejected:
        lines.append(
            _n(
                "… and %(num)s more day that could not be used.",
                "… and %(num)s more days that could not be used.",
                explanation.more_rejected,
            )
        )
    if gap is not None and gap.excess_days:
        if explanation.causes:
            lines.append(causes_text(explanation.causes, rhythm, locale))
        else:  # explained before causes were stored
            late = explanation.planning_from
            lines.append(
                forced_text(
                    explanation.forced_by,
                    rhythm,
                    locale,
                    _("planning starts %(day)s", day=format_day(late, locale)) if late else None,
                )
            )
    return lines


def cause_text(cause: Cause, rhythm: Rhythm, locale: str, notice_days: int | None = None) -> str:
    """One cause of a long gap in words."""
    if cause.kind is CauseKind.PLANNING_START:
        return _("planning starts %(day)s", day=format_day(cause.last_day + ONE_DAY, locale))
    if cause.kind is CauseKind.UNPLANNED:
        return _(
            "nothing is planned from %(first)s to %(last)s",
            first=format_day(cause.first_day, locale),
            last=format_day(cause.last_day, locale),
        )
    if cause.kind is CauseKind.NOTICE:
        return _(
            "the minimum notice: no meeting before %(day)s",
            day=format_day(cause.last_day + ONE_DAY, locale),
        )
    obstacle = cause.obstacle
    assert obstacle is not None
    if obstacle.first_day and obstacle.last_day:
        span = format_span(obstacle.first_day, obstacle.last_day, locale)
        return f"{obstacle.label} ({span}) — {obstacle.who}"
    return f"{obstacle.label} — {obstacle.who}"


def causes_text(causes: tuple[Cause, ...], rhythm: Rhythm, locale: str) -> str:
    """Say why a gap must be longer than the maximum, the main cause first."""
    return _(
        "Longer than the maximum gap of %(max)s, unavoidably: %(causes)s.",
        max=format_weeks(rhythm.max_gap_days, locale),
        causes="; ".join(cause_text(cause, rhythm, locale) for cause in causes),
    )


def forced_text(
    forced_by: tuple[Obstacle, ...], rhythm: Rhythm, locale: str, late: str | None = None
) -> str:
    """Say why a gap must be longer than the maximum."""
    causes = "; ".join(
        ([late] if late else [])
        + [
            f"{o.label} ({format_span(o.first_day, o.last_day, locale)}) — {o.who}"
            if o.first_day and o.last_day
            else f"{o.label} — {o.who}"
            for o in forced_by
        ]
    )
    return _(
        "Longer than the maximum gap of %(max)s, unavoidably: %(causes)s.",
        max=format_weeks(rhythm.max_gap_days, locale),
        causes=causes or _("no allowed day in between"),
    )


def proposal_json(
    item: ProposedMeeting, zone: ZoneInfo, rhythm: Rhythm, locale: str
) -> dict[str, Any]:
    """Return one proposed (or fixed) meeting of a plan."""
    data = explanation_data(item.explanation)
    return {
        "day": item.day.isoformat(),
        "day_label": format_day(item.day, locale),
        "start": _local(item.starts_at, zone),
        "end": _local(item.ends_at, zone),
        "starts_at": item.starts_at.isoformat(),
        "location": item.location,
        "fixed": item.fixed,
        "meeting_id": item.meeting.id if item.meeting else None,
        "gap_before": gap_json(item.explanation.gap, locale),
        "ideal_day": data["ideal_day"],
        "rejected": data["rejected"],
        "more_rejected": data["more_rejected"],
        "forced_by": data["forced_by"],
        "explanation": explanation_lines(item.explanation, rhythm, locale)
        + ([missing_text(item.missing, locale)] if item.missing else []),
        "missing": [obstacle_data(o, with_kind=True) for o in item.missing],
    }


def missing_text(missing: tuple[Obstacle, ...], locale: str) -> str:
    """Who would miss a proposed meeting and why, grouped by the reason:
    'Without: Busy in own calendar — Anna, Bram; Cannot (poll) — Chris.'"""
    grouped: dict[str, list[str]] = {}
    for obstacle in missing:
        whos = grouped.setdefault(obstacle.label, [])
        if obstacle.who and obstacle.who not in whos:
            whos.append(obstacle.who)
    reasons = "; ".join(
        f"{text} — {', '.join(whos)}" if whos else text for text, whos in grouped.items()
    )
    return _("Who would miss it: %(reasons)s.", reasons=reasons)


def plan_json(
    preview: PlanPreview, locale: str, created: list[Meeting] | None = None
) -> dict[str, Any]:
    """Return a plan preview (or, with `created`, the confirmed plan)."""
    rhythm = preview.problem.rhythm
    plan = preview.plan
    short_notice = preview.short_notice
    gaps = [gap.counted_days for gap in plan.gaps]
    if plan.trailing is not None:
        gaps.append(plan.trailing.counted_days)
    data: dict[str, Any] = {
        "collaboration": {"id": preview.collab.id, "name": preview.collab.name},
        "school_year": preview.school_year,
        "first_day": preview.first_day.isoformat(),
        "last_day": preview.last_day.isoformat(),
        "count": preview.count,
        "rhythm": rhythm_json(rhythm),
        "anchor": {"meeting_id": preview.anchor.id, "day": preview.anchor.day.isoformat()}
        if preview.anchor
        else None,
        "meetings": [
            proposal_json(item, preview.zone, rhythm, locale)
            | {"short_notice": item in short_notice}
            for item in preview.meetings
        ],
        "new_meetings": len(preview.new_meetings),
        "trailing_gap": gap_json(plan.trailing, locale),
        "largest_gap_weeks": round(max(gaps, default=0) / 7, 1),
        "largest_excess_days": plan.largest_excess_days,
        "summary": plan_summary(preview, locale),
        "earliest_day": preview.earliest.isoformat() if preview.earliest else None,
        "short_notice_days": [item.day.isoformat() for item in preview.short_notice],
        "calendars_missing": missing_json(preview.missing_calendars),
        "calendars_unasked": [{"id": org.id, "name": org.name} for org in preview.unasked],
        "warnings": missing_lines(preview.missing_calendars, preview.unasked),
        "confirmed": created is not None,
    }
    if created is not None:
        data["meeting_ids"] = [meeting.id for meeting in created]
    return data


def plan_summary(preview: PlanPreview, locale: str) -> list[str]:
    """Return the plan's headline and, when the calendar forces one, the long gaps."""
    rhythm = preview.problem.rhythm
    plan = preview.plan
    lines = [
        _(
            "%(count)s new meetings from %(first)s to %(last)s; target every %(target)s, "
            "at most %(max)s apart.",
            count=len(preview.new_meetings),
            first=format_day(preview.first_day, locale),
            last=format_day(preview.last_day, locale),
            target=format_weeks(rhythm.target_days, locale),
            max=format_weeks(rhythm.max_gap_days, locale),
        )
    ]
    worst = max(
        (item for item in preview.meetings if item.explanation.gap is not None),
        key=lambda item: item.explanation.gap.excess_days if item.explanation.gap else 0,
        default=None,
    )
    worst_excess = worst.explanation.gap.excess_days if worst and worst.explanation.gap else 0
    if plan.largest_excess_days == 0:
        lines.append(_("No gap is longer than the maximum."))
    elif (
        worst is not None and worst_excess == plan.largest_excess_days and worst.explanation.causes
    ):
        lines.append(
            _(
                "A gap is longer than the maximum (by at most %(excess)s); the plan keeps it as"
                " short as possible. Why: %(causes)s.",
                excess=format_weeks(plan.largest_excess_days, locale),
                causes="; ".join(
                    cause_text(cause, rhythm, locale) for cause in worst.explanation.causes
                ),
            )
        )
    else:
        lines.append(
            _(
                "The calendar forces a gap longer than the maximum (by at most %(excess)s); "
                "the plan keeps it as short as possible.",
                excess=format_weeks(plan.largest_excess_days, locale),
            )
        )
    if plan.trailing is not None and plan.trailing.excess_days:
        lines.append(forced_text(preview.trailing_forced_by, rhythm, locale))
    return lines
