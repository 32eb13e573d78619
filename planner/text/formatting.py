"""Dates and numbers the Dutch way ("di 3 feb 2026", "4,3 weken"), or the English way.

Every page, feed, mail and CLI line that shows a number of weeks or a decimal uses
`format_weeks` / `format_decimal`, so a gap reads the same everywhere."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.lists import format_list

from planner.text.labels import language_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_DAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


_WEEK_WORDS = {"nl": ("week", "weken"), "en": ("week", "weeks")}


def format_decimal(value: float, locale: str | None = "nl", digits: int = 1) -> str:
    """'4,3' (nl) or '4.3' (en), rounded half up to `digits`; a whole number without decimals."""
    scale = 10**digits
    rounded = int(abs(value) * scale + 0.5) / scale
    if value < 0:
        rounded = -rounded
    text = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.{digits}f}".rstrip("0")
    return text.replace(".", ",") if language_of(locale) == "nl" else text


def format_weeks(days: int, locale: str | None = "nl", *, unit: bool = True) -> str:
    """A number of days as weeks: '6 weken', '4,3 weken', '1 week' ('4,3' without `unit`).

    Rounded to one decimal, never up to a whole week: 41 days are 5,9 weeks, not 6, so a gap
    under a maximum of 6 weeks never reads as 6 (whole weeks are exact: 42 days are 6 weeks)."""
    number = format_decimal(days / 7, locale)
    if not unit:
        return number
    singular, plural = _WEEK_WORDS[language_of(locale)]
    return f"{number} {singular if days == 7 else plural}"


def format_names(names: list[str], locale: str | None = "nl") -> str:
    """'Anouk de Vries en Pieter Jansen', 'A, B and C': a list of names in the reader's language."""
    return str(format_list(names, locale=language_of(locale))) if names else ""


def format_day(day: date, locale: str | None = "nl") -> str:
    """Return a date as 'di 3 feb 2026' (nl) or 'Tue 3 Feb 2026' (en)."""
    language = language_of(locale)
    weekday = _DAYS[language][day.weekday()]
    return f"{weekday} {day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def format_span(first: date, last: date, locale: str | None = "nl") -> str:
    """Return an inclusive range of days, or one day when first equals last."""
    if first == last:
        return format_day(first, locale)
    return f"{format_day(first, locale)} – {format_day(last, locale)}"


def format_clock(instant: datetime, zone: ZoneInfo = AMSTERDAM) -> str:
    """The wall-clock time of an instant in `zone`, as 14:05."""
    return instant.astimezone(zone).strftime("%H:%M")


def format_moment(instant: datetime | None, locale: str | None = "nl") -> str:
    """An instant as 'di 3 feb 2026 14:05' in Dutch time; '' for none."""
    if instant is None:
        return ""
    local = instant.astimezone(AMSTERDAM)
    return f"{format_day(local.date(), locale)} {local:%H:%M}"


def format_meeting_time(
    starts_at: datetime, ends_at: datetime, zone: ZoneInfo, locale: str | None = "nl"
) -> str:
    """'di 3 feb 2026 19:00–20:30' in the meeting's own zone."""
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    return f"{format_day(start.date(), locale)} {start:%H:%M}–{end:%H:%M}"
