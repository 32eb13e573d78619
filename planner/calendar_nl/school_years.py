"""Dutch school years (1 August .. 31 July), school-holiday regions and ISO week ranges."""

from __future__ import annotations

import re
from datetime import date

from planner.errors import N_, ValidationError

REGIONS = ("noord", "midden", "zuid")

_SCHOOL_YEAR = re.compile(r"(\d{4})\s*[-/]\s*(\d{4}|\d{2})")
# Weeks 31..53 fall in the first calendar year of a school year, 1..30 in the second.
_FIRST_WEEK_OF_SCHOOL_YEAR = 31


def parse_region(value: str) -> str:
    """Return the canonical region name (noord, midden or zuid) for a user's input."""
    region = value.strip().lower()
    if region not in REGIONS:
        raise ValidationError(
            N_("Unknown region %(region)s; use noord, midden or zuid."), region=value
        )
    return region


def parse_school_year(value: str) -> str:
    """Return the canonical "YYYY-YYYY" form of "2026-2027", "2026/2027" or "2026-27"."""
    match = _SCHOOL_YEAR.fullmatch(value.strip())
    if match is None:
        raise ValidationError(
            N_("Malformed school year %(value)s; write it as 2026-2027."), value=value
        )
    first, second_text = int(match[1]), match[2]
    expected = first + 1 if len(second_text) == 4 else (first + 1) % 100
    if first < 1 or int(second_text) != expected or first + 1 > 9999:
        raise ValidationError(
            N_("School year %(value)s must span two consecutive years, like 2026-2027."),
            value=value,
        )
    return f"{first:04d}-{first + 1:04d}"


def school_year_bounds(school_year: str) -> tuple[date, date]:
    """Return the first (1 August) and last (31 July) day of a school year, inclusive."""
    first = int(parse_school_year(school_year)[:4])
    return date(first, 8, 1), date(first + 1, 7, 31)


def school_year_of(day: date) -> str:
    """Return the school year ("YYYY-YYYY") a day belongs to."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first:04d}-{first + 1:04d}"


def iso_weeks_in_year(year: int) -> int:
    """Return the number of ISO weeks (52 or 53) of an ISO year."""
    return date(year, 12, 28).isocalendar().week


def iso_weeks_to_range(
    school_year: str, first_week: int, last_week: int | None = None
) -> tuple[date, date]:
    """Return Monday of `first_week` .. Friday of `last_week` (ISO weeks) in a school year."""
    canonical = parse_school_year(school_year)
    last_week = first_week if last_week is None else last_week
    first_year = int(canonical[:4])
    monday = _week_day(canonical, first_year, first_week, 1)
    friday = _week_day(canonical, first_year, last_week, 5)
    if friday < monday:
        raise ValidationError(
            N_("Week %(last)s comes before week %(first)s in school year %(school_year)s."),
            first=first_week,
            last=last_week,
            school_year=canonical,
        )
    return monday, friday


def _week_day(school_year: str, first_year: int, week: int, weekday: int) -> date:
    """Return the given ISO weekday of `week`, placed in the right year of the school year."""
    if not 1 <= week <= 53:
        raise ValidationError(N_("Week %(week)s does not exist; use 1 to 53."), week=week)
    year = first_year if week >= _FIRST_WEEK_OF_SCHOOL_YEAR else first_year + 1
    if week > iso_weeks_in_year(year):
        raise ValidationError(
            N_("Week %(week)s does not exist in %(year)s (school year %(school_year)s)."),
            week=week,
            year=year,
            school_year=school_year,
        )
    return date.fromisocalendar(year, week, weekday)
