"""Read JSON sent to the planner into plain values, or refuse it with a message naming the field.

This is the one gate every JSON body passes before a service sees it: valid UTF-8, valid JSON,
no field twice, no number beyond what a calendar needs (nor NaN or infinity), no text with
control characters or broken characters, bounded text length, nesting depth and size. What a
field *means* is checked by the service that takes it (planner.inputs); this module makes sure
that service only ever meets a small tree of ordinary values.
"""

from __future__ import annotations

import json
import math
from typing import Any

from planner.errors import N_, ValidationError
from planner.inputs import CONTROL_CHARACTERS

MAX_DEPTH = 8  # the deepest body is an open-data document: content[].vacations[].regions[]
MAX_TEXT = 10_000  # characters in one text value (a note, a pasted list)
MAX_VALUES = 20_000  # values in one body (a year of holidays for every region is ~200)
MAX_NUMBER = 2**53 - 1  # the largest whole number every JSON client reads exactly


def load_json(data: bytes) -> Any:
    """Parse a JSON body and check every value in it (see the module's rules)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            N_("The request body is not UTF-8 text (byte %(position)s)."),
            position=error.start + 1,
        ) from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except RecursionError:
        raise _too_deep("body") from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            N_("The request body is not valid JSON: line %(line)s, column %(column)s."),
            line=error.lineno,
            column=error.colno,
        ) from None
    check_json(value)
    return value


def check_json(value: Any) -> None:
    """Refuse a parsed JSON value that breaks the module's rules; the message names the field."""
    budget = [MAX_VALUES]
    _check(value, "body", 0, budget)


def _check(value: Any, where: str, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise ValidationError(
            N_("The request body holds too many values (at most %(max)s)."), max=MAX_VALUES
        )
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        _check_number(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check(item, key if where == "body" else f"{where}.{key}", depth + 1, budget)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]", depth + 1, budget)
    elif isinstance(value, _Unusable):
        raise _unusable(where, value.text)
    else:
        raise ValidationError(N_("%(field)s is not a JSON value."), field=where)


def _check_text(text: str, where: str) -> None:
    if len(text) > MAX_TEXT:
        raise ValidationError(
            N_("%(field)s is longer than %(max)s characters."), field=where, max=MAX_TEXT
        )
    if CONTROL_CHARACTERS.search(text):
        raise ValidationError(N_("%(field)s contains control characters."), field=where)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        raise ValidationError(
            N_("%(field)s contains a broken character (half of a character pair)."), field=where
        ) from None


def _check_number(number: float, where: str) -> None:
    if abs(number) > MAX_NUMBER:
        raise _unusable(where, repr(number))


def _unusable(where: str, shown: str) -> ValidationError:
    return ValidationError(
        N_("%(field)s: %(value)s is not a usable number."), field=where, value=shown
    )


def _too_deep(where: str) -> ValidationError:
    return ValidationError(
        N_("%(field)s is nested too deeply (at most %(max)s levels)."), field=where, max=MAX_DEPTH
    )


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValidationError(N_("%(field)s is given twice."), field=key)
        found[key] = value
    return found


class _Unusable:
    """A number as written that no field can use (NaN, 1e999, forty digits): refused by
    `_check`, which knows the field it stands in."""

    def __init__(self, text: str) -> None:
        self.text = text if len(text) <= 24 else text[:20] + "…"


def _constant(name: str) -> _Unusable:
    return _Unusable(name)


def _float(text: str) -> float | _Unusable:
    number = float(text) if len(text) <= 40 else math.inf
    return number if math.isfinite(number) else _Unusable(text)


def _int(text: str) -> int | _Unusable:
    # Python refuses to read 4,300+ digits at all; no field needs more than 16.
    return int(text) if len(text.lstrip("-")) <= 16 else _Unusable(text)
