"""How far schools have filled in their calendars, in words and as JSON (school pages, the plan
preview, the API and the CLI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import get_locale, gettext, ngettext

from planner.models import Organisation
from planner.services.completeness import YearCalendar
from planner.text.formatting import AMSTERDAM, format_day, format_names


def calendar_year_json(state: YearCalendar) -> dict[str, Any]:
    """One school year of a school's calendar."""
    mark = state.mark
    return {
        "organisation_id": state.organisation.id,
        "school_year": state.school_year,
        "complete": state.complete,
        "busy_periods": state.periods,
        "marked_complete": mark is not None,
        "marked_at": mark.created_at.isoformat() if mark else None,
        "marked_by": mark.marked_by.name if mark and mark.marked_by else None,
    }


def calendar_year_text(state: YearCalendar, locale: str) -> str:
    """'complete: 4 busy periods entered', 'marked complete by … on …' or 'nothing entered'."""
    mark = state.mark
    if state.periods:
        return str(
            ngettext(
                "filled in: %(num)d busy period entered",
                "filled in: %(num)d busy periods entered",
                state.periods,
            )
        )
    if mark is not None:
        day = format_day(mark.created_at.astimezone(AMSTERDAM).date(), locale)
        if mark.marked_by is not None:
            return str(
                gettext(
                    "complete: marked by %(name)s on %(day)s", name=mark.marked_by.name, day=day
                )
            )
        return str(gettext("complete: marked on %(day)s", day=day))
    return str(gettext("not filled in: no busy periods entered yet"))


def missing_json(missing: Mapping[str, Sequence[Organisation]]) -> list[dict[str, Any]]:
    """Per school year, the member schools that have not filled in their calendar."""
    return [
        {
            "school_year": year,
            "organisations": [{"id": org.id, "name": org.name} for org in orgs],
        }
        for year, orgs in missing.items()
    ]


def _names(orgs: Sequence[Organisation]) -> str:
    """'Minnaert College en Groenendaal Lyceum' in the language being spoken."""
    return format_names([org.name for org in orgs], str(get_locale() or "nl"))


def missing_lines(
    missing: Mapping[str, Sequence[Organisation]], unasked: Sequence[Organisation] = ()
) -> list[str]:
    """What the coordinator is told before confirming a plan on calendars nobody filled in."""
    lines = [
        ngettext(
            "%(names)s has not entered its test weeks and open days for %(year)s yet: a meeting"
            " may still fall on one. Its administrators are asked by mail to fill them in; you"
            " are told when that hits a meeting.",
            "%(names)s have not entered their test weeks and open days for %(year)s yet: a"
            " meeting may still fall on one. Their administrators are asked by mail to fill them"
            " in; you are told when that hits a meeting.",
            len(orgs),
            names=_names(orgs),
            year=year,
        )
        for year, orgs in missing.items()
    ]
    if unasked:
        lines.append(
            ngettext(
                "Nobody administers the calendar of %(names)s in the planner, so nobody gets"
                " that mail: ask the school yourself.",
                "Nobody administers the calendars of %(names)s in the planner, so nobody gets"
                " that mail: ask the schools yourself.",
                len(unasked),
                names=_names(unasked),
            )
        )
    return lines
