"""JSON shapes of the domain, shared by the API and the CLI's --json output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import ngettext

from planner.calendar_nl import SchoolHoliday
from planner.domain.availability import BlockedDay
from planner.models import BusyPeriod, HolidayOverride, Meeting, Organisation
from planner.services.calendar_import import ImportOutcome, ImportRow
from planner.services.memberships import Membership
from planner.services.school_calendar import closure_kinds
from planner.text.formatting import format_day
from planner.text.labels import label


def organisation_json(org: Organisation, *, detail: bool = False) -> dict[str, Any]:
    """Return an organisation as JSON."""
    data: dict[str, Any] = {
        "id": org.id,
        "kind": org.kind.value,
        "name": org.name,
        "brin": org.brin,
        "sector": org.sector.value if org.sector else None,
        "region": org.region,
        "city": org.city,
    }
    if detail:
        data["closure_days"] = closure_kinds(org)
        data["updated_at"] = org.updated_at.isoformat()
    return data


def busy_period_json(
    period: BusyPeriod, locale: str = "nl", hits: Sequence[Meeting] | None = None
) -> dict[str, Any]:
    """Return a busy period as JSON; with `hits`, the planned meetings it falls on."""
    data: dict[str, Any] = {
        "id": period.id,
        "organisation_id": period.organisation_id,
        "region": period.region,
        "scope": "organisation"
        if period.organisation_id
        else ("region" if period.region else "national"),
        "kind": period.kind.value,
        "kind_label": label(period.kind, locale),
        "first_day": period.first_on.isoformat(),
        "last_day": period.last_on.isoformat(),
        "iso_weeks": _iso_weeks(period),
        "severity": period.severity.value,
        "note": period.note,
        "source": period.source,
    }
    if hits is not None:
        data["meetings_hit"] = meetings_hit_json(hits)
    return data


def meetings_hit_json(hits: Sequence[Meeting]) -> list[dict[str, Any]]:
    """Planned meetings a calendar change falls on: their coordinators will be told."""
    return [
        {
            "meeting_id": meeting.id,
            "collaboration_id": meeting.collaboration_id,
            "collaboration": meeting.collaboration.name,
            "day": meeting.day.isoformat(),
        }
        for meeting in hits
    ]


def _iso_weeks(period: BusyPeriod) -> str:
    first = period.first_on.isocalendar().week
    last = period.last_on.isocalendar().week
    return str(first) if first == last else f"{first}-{last}"


def school_holiday_json(holiday: SchoolHoliday, locale: str = "nl") -> dict[str, Any]:
    """Return a school holiday as JSON (inclusive first and last day)."""
    return {
        "name": holiday.name,
        "display_name": holiday.display_name(locale),
        "school_year": holiday.school_year,
        "region": holiday.region,
        "first_day": holiday.first_day.isoformat(),
        "last_day": holiday.last_day.isoformat(),
        "compulsory": holiday.compulsory,
    }


def holiday_override_json(override: HolidayOverride) -> dict[str, Any]:
    """Return a school's own holiday dates as JSON."""
    return {
        "id": override.id,
        "organisation_id": override.organisation_id,
        "school_year": override.school_year,
        "holiday": override.name,
        "first_day": override.first_on.isoformat(),
        "last_day": override.last_on.isoformat(),
        "note": override.note,
    }


def blocked_day_json(item: BlockedDay) -> dict[str, Any]:
    """Return a blocked day with its reasons as JSON."""
    return {
        "date": item.day.isoformat(),
        "hard": item.hard,
        "reasons": [
            {
                "organisation_id": reason.organisation_id,
                "organisation": reason.organisation_name,
                "kind": reason.period.kind,
                "label": reason.period.label,
                "severity": reason.period.severity.value,
                "source": reason.period.source,
                "first_day": reason.period.first_day.isoformat(),
                "last_day": reason.period.last_day.isoformat(),
                "busy_period_id": reason.period.period_id,
            }
            for reason in item.reasons
        ],
    }


def import_json(
    school_year: str,
    rows: Sequence[ImportRow],
    outcome: ImportOutcome | None,
    locale: str = "nl",
) -> dict[str, Any]:
    """A year-calendar import: every row of the file as understood, and what was stored."""
    return {
        "school_year": school_year,
        "rows": [
            {
                "line": row.line,
                "summary": row.summary,
                "first_day": row.first_day.isoformat(),
                "last_day": row.last_day.isoformat(),
                "kind": row.kind.value,
                "kind_label": label(row.kind, locale),
                "severity": row.severity.value,
                "note": row.note,
                "repeats": row.repeats,
                "duplicate": row.duplicate,
                "importable": row.importable,
            }
            for row in rows
        ],
        "imported": None
        if outcome is None
        else [busy_period_json(period, locale) for period in outcome.created],
        "duplicates": None if outcome is None else outcome.duplicates,
    }


def hits_text(hits: Sequence[Meeting], locale: str = "nl") -> str | None:
    """The sentence that names the planned meetings a calendar change hits (None for none)."""
    if not hits:
        return None
    listed = "; ".join(
        f"{meeting.collaboration.name} ({format_day(meeting.day, locale)})" for meeting in hits[:10]
    )
    return str(
        ngettext(
            "This falls on %(num)s planned meeting: %(meetings)s. Its coordinators will be told "
            "and get a proposal for another date.",
            "This falls on %(num)s planned meetings: %(meetings)s. Their coordinators will be "
            "told and get a proposal for another date.",
            len(hits),
            meetings=listed,
        )
    )


def membership_json(item: Membership) -> dict[str, Any]:
    """A collaboration an organisation is in, with the organisation's answer."""
    member = item.member
    return {
        "collaboration": {"id": item.collaboration.id, "name": item.collaboration.name},
        "organisation_id": member.organisation_id,
        "consent": member.consent.value,
        "consent_at": member.consent_at.isoformat() if member.consent_at else None,
        "consent_by": member.consent_by.email if member.consent_by else None,
    }
