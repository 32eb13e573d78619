"""Dates the Dutch way ("di 3 feb 2026"), or the English way."""

from __future__ import annotations

from datetime import date

from planner.text.labels import language_of

_DAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


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
