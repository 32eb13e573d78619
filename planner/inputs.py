"""Turn raw input (CLI strings, JSON values) into typed values, or a clear ValidationError."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar

from planner.errors import N_, ValidationError

E = TypeVar("E", bound=StrEnum)

# Tabs and line breaks are text; every other control character is not.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_WEEKS = re.compile(
    r"^\s*(?:weken|week)?\s*(\d{1,2})(?:\s*(?:[-–—]|t/m|tot)\s*(\d{1,2}))?\s*$", re.I
)


MAX_ID = 2**31 - 1
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2100, 12, 31)


def parse_id(value: Any) -> int | None:
    """Return a database id given as text or int, or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_date(value: Any, field: str) -> date:
    """Parse an ISO date (2026-10-17) or a Dutch one (17-10-2026)."""
    if isinstance(value, date):
        return _within_window(value, field)
    text = str(value or "").strip()
    if not text:
        raise ValidationError(N_("%(field)s is required."), field=field)
    try:
        return _within_window(date.fromisoformat(text), field)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", text)
    if match:
        try:
            return _within_window(date(int(match[3]), int(match[2]), int(match[1])), field)
        except ValueError:
            pass
    raise ValidationError(
        N_("%(field)s: '%(value)s' is not a date; use YYYY-MM-DD, e.g. 2026-10-17."),
        field=field,
        value=text,
    )


def _within_window(day: date, field: str) -> date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            N_("%(field)s: %(value)s is not between 2000 and 2100."),
            field=field,
            value=day.isoformat(),
        )
    return day


def parse_date_range(first: Any, last: Any, first_field: str, last_field: str) -> tuple[date, date]:
    """Parse an inclusive date range and refuse one that runs backwards."""
    first_day = parse_date(first, first_field)
    last_day = parse_date(last, last_field)
    if last_day < first_day:
        raise ValidationError(
            N_("The last day (%(last)s) is before the first day (%(first)s)."),
            first=first_day.isoformat(),
            last=last_day.isoformat(),
        )
    return first_day, last_day


def parse_choice(value: Any, enum: type[E], field: str, words: Mapping[str, E] | None = None) -> E:
    """Parse an enum value given by its key (test_week) or one of its words (toetsweek)."""
    text = str(value or "").strip().lower().replace(" ", "_")
    for member in enum:
        if text == member.value:
            return member
    if words:
        key = text.replace("_", "-")
        if key in words:
            return words[key]
        if key.replace("-", "") in words:
            return words[key.replace("-", "")]
    choices = ", ".join(member.value for member in enum)
    raise ValidationError(
        N_("%(field)s: unknown value '%(value)s'; choose one of %(choices)s."),
        field=field,
        value=str(value),
        choices=choices,
    )


def parse_bool(value: Any, field: str) -> bool:
    """Parse a yes/no value (true/false, ja/nee, 1/0)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "ja", "y", "j", "on"}:
        return True
    if text in {"0", "false", "no", "nee", "n", "off"}:
        return False
    raise ValidationError(N_("%(field)s: '%(value)s' is not yes or no."), field=field, value=text)


def parse_weeks(value: Any, field: str = "weeks") -> tuple[int, int]:
    """Parse ISO week input such as '45', '45-46' or 'week 45 t/m 46'."""
    match = _WEEKS.match(str(value if value is not None else ""))
    if not match:
        raise ValidationError(
            N_("%(field)s: '%(value)s' is not a week or week range such as 45 or 45-46."),
            field=field,
            value=str(value),
        )
    first = int(match[1])
    last = int(match[2]) if match[2] else first
    return first, last


def require_scalar(value: Any, field: str) -> None:
    """Refuse a value that is not text or a whole number (a list, an object, true/false)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(N_("%(field)s must be text."), field=field)


def optional_text(value: Any, max_length: int, field: str) -> str | None:
    """Return stripped text, None when empty; refuse text that is too long."""
    if value is None:
        return None
    require_scalar(value, field)
    text = str(value).strip()
    if CONTROL_CHARACTERS.search(text):
        raise ValidationError(N_("%(field)s contains control characters."), field=field)
    if not text:
        return None
    if len(text) > max_length:
        raise ValidationError(
            N_("%(field)s is longer than %(max)s characters."), field=field, max=max_length
        )
    return text


def required_text(value: Any, max_length: int, field: str) -> str:
    """Return stripped, non-empty text."""
    text = optional_text(value, max_length, field)
    if text is None:
        raise ValidationError(N_("%(field)s is required."), field=field)
    return text


def reject_unknown_fields(data: Mapping[str, Any], allowed: set[str]) -> None:
    """Refuse fields the caller did not mean to send (a typo must not be silently ignored)."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(N_("Unknown field(s): %(fields)s."), fields=", ".join(unknown))


_WEEKDAY_NAMES = (
    ("ma", "di", "wo", "do", "vr", "za", "zo"),
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
)
_WEEKDAY_WORDS = {word: n for names in _WEEKDAY_NAMES for n, word in enumerate(names, 1)}


def parse_weekdays(value: Any, field: str = "weekdays") -> tuple[int, ...]:
    """Parse school weekdays ("di,wo,do", ["tue", "thu"], [2, 4]) into ISO numbers (Monday 1)."""
    if isinstance(value, str):
        items: list[Any] = [part for part in re.split(r"[\s,;]+", value) if part]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = []
    numbers: set[int] = set()
    for item in items:
        if isinstance(item, bool):
            number = None
        elif isinstance(item, int):
            number = item if 1 <= item <= 7 else None
        else:
            text = str(item).strip().lower().rstrip(".")
            number = int(text) if text in {"1", "2", "3", "4", "5", "6", "7"} else None
            number = number or _WEEKDAY_WORDS.get(text)
        if number is None:
            raise ValidationError(
                N_("%(field)s: '%(value)s' is not a weekday; use e.g. ma, di, wo, do, vr."),
                field=field,
                value=str(item),
            )
        if number > 5:
            raise ValidationError(
                N_("%(field)s: meetings are planned on school days, Monday to Friday."),
                field=field,
            )
        numbers.add(number)
    if not numbers:
        raise ValidationError(N_("%(field)s: allow at least one weekday, e.g. di,do."), field=field)
    return tuple(sorted(numbers))


def parse_time(value: Any, field: str) -> time:
    """Parse a wall-clock time such as 15:30 or 9.00."""
    text = str(value if value is not None else "").strip().replace(".", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise ValidationError(
        N_("%(field)s: '%(value)s' is not a time; use HH:MM, e.g. 15:30."),
        field=field,
        value=str(value),
    )


def parse_int(value: Any, field: str, low: int, high: int) -> int:
    """Parse a whole number within [low, high]."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise ValidationError(
            N_("%(field)s: give a whole number from %(low)s to %(high)s."),
            field=field,
            low=low,
            high=high,
        )
    return number
