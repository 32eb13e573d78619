"""Importer of the Rijksoverheid open-data school holidays (infotype "schoolholidays").

Accepts the two forms the API answers with: the list endpoint (a JSON array of documents) and
the per-school-year endpoint (one document object); each document holds "content", a list of
{"schoolyear", "vacations": [{"type", "compulsorydates", "regions": [...]}]}. Parsing is
all-or-nothing: either every holiday is returned or a ValidationError says what is wrong where
("Document 1, school year 2026-2027, vacation 2, region 1: …", translated as a whole).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from planner.calendar_nl.school_holidays import HOLIDAY_NAMES, SchoolHoliday
from planner.calendar_nl.school_years import REGIONS, parse_school_year, school_year_bounds
from planner.errors import N_, ValidationError
from planner.inputs import FIRST_DATE, LAST_DATE

_AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_WHOLE_COUNTRY = "heel nederland"
# The summer holiday starts in July and ends in August or early September, inside the next
# school year; no other holiday may leave its own school year.
_SUMMER = "zomervakantie"
_SUMMER_ENDS_BY = (9, 30)


# The largest holiday file taken: the complete Rijksoverheid answer is far smaller.
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Phrase:
    """A translatable piece of a message: a place in the file, the name of a JSON type."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message

    def translate(self, gettext: Callable[..., str]) -> str:
        """The piece in the caller's language."""
        return gettext(self.message, **self.params)


@dataclass(frozen=True)
class Place:
    """Where in the data a problem is: "Document 1, school year 2026-2027, vacation 2"."""

    parts: tuple[Phrase, ...]

    def then(self, message: str, **params: Any) -> Place:
        """The place one level deeper."""
        return Place((*self.parts, Phrase(message, params)))

    def __str__(self) -> str:
        return ", ".join(str(part) for part in self.parts)

    def translate(self, gettext: Callable[..., str]) -> str:
        """The place in the caller's language."""
        return ", ".join(part.translate(gettext) for part in self.parts)


class HolidayDataError(ValidationError):
    """A problem in holiday data; its place and the names in it are translated too."""

    def translate(self, gettext: Callable[..., str]) -> str:
        """Translate the pieces (places, type names), then the message around them."""
        params = {
            key: value.translate(gettext) if isinstance(value, Phrase | Place) else value
            for key, value in self.params.items()
        }
        return gettext(self.message, **params)


# Each holiday found so far (by school year, name and region), with where it was found.
Found = dict[tuple[str, str, str], tuple[SchoolHoliday, Place]]


def parse_rijksoverheid(payload: bytes | str | object) -> list[SchoolHoliday]:
    """Parse a Rijksoverheid school-holidays answer into sorted, deduplicated SchoolHolidays.

    Bounded: a file over MAX_BYTES, absurd nesting or an impossible date is refused like any
    other malformed input, with a message and nothing imported.
    """
    if isinstance(payload, bytes | bytearray | str) and len(payload) > MAX_BYTES:
        raise ValidationError(
            N_("The file is too large for holiday data (at most %(mb)s MB)."),
            mb=MAX_BYTES // (1024 * 1024),
        )
    try:
        return _parse(payload)
    except (OverflowError, RecursionError):  # not expected after the checks; never a crash
        raise ValidationError(
            N_("The file is not Rijksoverheid holiday data, or it holds impossible dates.")
        ) from None


def _parse(payload: bytes | str | object) -> list[SchoolHoliday]:
    data = _decode(payload)
    if isinstance(data, list):
        documents = data
    elif isinstance(data, dict):
        documents = [data]
    else:
        raise ValidationError(
            N_("Rijksoverheid data must be a JSON array of documents or one document object.")
        )
    found: Found = {}
    for number, document in enumerate(documents, start=1):
        where = Place((Phrase(N_("Document %(number)s"), {"number": number}),))
        _parse_document(document, where, found)
    if not found:
        raise ValidationError(N_("Rijksoverheid data contains no school holidays."))
    return sorted(holiday for holiday, _ in found.values())


def _decode(payload: bytes | str | object) -> object:
    """Return the JSON value of bytes or text; anything else is taken as already decoded."""
    if not isinstance(payload, bytes | bytearray | str):
        return payload
    try:
        return json.loads(payload)
    except UnicodeDecodeError as error:
        raise ValidationError(
            N_("Rijksoverheid data is not UTF-8 text (byte %(position)s)."),
            position=error.start + 1,
        ) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            N_("Rijksoverheid data is not valid JSON: line %(line)s, column %(column)s."),
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:  # "[[[[…" a million deep
        raise ValidationError(
            N_("Rijksoverheid data is nested far too deeply; it is no holiday data.")
        ) from None


def _parse_document(document: object, where: Place, found: Found) -> None:
    for number, item in enumerate(_list(_object(document, where), "content", where), start=1):
        item_where = where.then(N_("content item %(number)s"), number=number)
        entry = _object(item, item_where)
        school_year = _school_year(_get(entry, "schoolyear", item_where), item_where)
        year_where = where.then(N_("school year %(school_year)s"), school_year=school_year)
        vacations = _list(entry, "vacations", year_where)
        for vacation_number, vacation in enumerate(vacations, start=1):
            vacation_where = year_where.then(N_("vacation %(number)s"), number=vacation_number)
            for holiday in _parse_vacation(vacation, school_year, vacation_where):
                _add(found, holiday, vacation_where)


def _parse_vacation(vacation: object, school_year: str, where: Place) -> list[SchoolHoliday]:
    entry = _object(vacation, where)
    name = _holiday_name(_get(entry, "type", where), where)
    compulsory = _boolean(_get(entry, "compulsorydates", where), where)
    holidays: list[SchoolHoliday] = []
    for number, item in enumerate(_list(entry, "regions", where), start=1):
        region_where = where.then(N_("region %(number)s"), number=number)
        region_entry = _object(item, region_where)
        regions = _regions(_get(region_entry, "region", region_where), region_where)
        first_day = _local_date(region_entry, "startdate", region_where)
        last_day = _local_date(region_entry, "enddate", region_where)
        _check_days(school_year, name, first_day, last_day, region_where)
        holidays.extend(
            SchoolHoliday(school_year, name, region, first_day, last_day, compulsory)
            for region in regions
        )
    missing = [r for r in REGIONS if r not in {h.region for h in holidays}]
    if missing:
        raise HolidayDataError(
            N_("%(where)s: %(name)s has no dates for region(s) %(regions)s."),
            where=where,
            name=name,
            regions=", ".join(missing),
        )
    return holidays


def _add(found: Found, holiday: SchoolHoliday, where: Place) -> None:
    """Record a holiday; the same one twice is fine, two different ones are a conflict."""
    key = (holiday.school_year, holiday.name, holiday.region)
    if key not in found:
        found[key] = (holiday, where)
        return
    earlier, earlier_where = found[key]
    if earlier != holiday:
        raise HolidayDataError(
            N_(
                "Conflicting dates for %(name)s %(school_year)s, region %(region)s: "
                "%(first)s (%(first_where)s) and %(second)s (%(second_where)s)."
            ),
            name=holiday.name,
            school_year=holiday.school_year,
            region=holiday.region,
            first=_describe(earlier),
            first_where=earlier_where,
            second=_describe(holiday),
            second_where=where,
        )


def _describe(holiday: SchoolHoliday) -> Phrase:
    message = (
        N_("%(first)s to %(last)s, compulsory")
        if holiday.compulsory
        else (N_("%(first)s to %(last)s, advisory"))
    )
    return Phrase(
        message, {"first": holiday.first_day.isoformat(), "last": holiday.last_day.isoformat()}
    )


def _object(value: object, where: Place) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise HolidayDataError(
            N_("%(where)s: expected an object, found %(found)s."),
            where=where,
            found=_json_type(value),
        )
    return value


def _get(entry: Mapping[str, Any], key: str, where: Place) -> object:
    if key not in entry:
        raise HolidayDataError(N_("%(where)s: missing key '%(key)s'."), where=where, key=key)
    return entry[key]


def _list(entry: Mapping[str, Any], key: str, where: Place) -> list[object]:
    value = _get(entry, key, where)
    if not isinstance(value, list):
        raise HolidayDataError(
            N_("%(where)s: '%(key)s' must be a list, found %(found)s."),
            where=where,
            key=key,
            found=_json_type(value),
        )
    return value


def _string(value: object, key: str, where: Place) -> str:
    if not isinstance(value, str):
        raise HolidayDataError(
            N_("%(where)s: '%(key)s' must be text, found %(found)s."),
            where=where,
            key=key,
            found=_json_type(value),
        )
    return value


_TYPE_NAMES = {
    dict: N_("an object"),
    list: N_("a list"),
    str: N_("text"),
    bool: N_("a boolean"),
    int: N_("a number"),
    float: N_("a number"),
}


def _json_type(value: object) -> Phrase | str:
    if value is None:
        return "null"
    name = _TYPE_NAMES.get(type(value))
    return Phrase(name) if name is not None else type(value).__name__


def _normalize(text: str) -> str:
    """Lower-case the text and collapse its whitespace and newlines to single spaces."""
    return " ".join(text.split()).lower()


def _school_year(value: object, where: Place) -> str:
    text = _string(value, "schoolyear", where)
    try:
        school_year = parse_school_year(text)
    except ValidationError:
        raise HolidayDataError(
            N_("%(where)s: malformed school year %(value)r."), where=where, value=text
        ) from None
    first, last = school_year_bounds(school_year)
    if first < FIRST_DATE or last > LAST_DATE:
        raise HolidayDataError(
            N_("%(where)s: school year %(value)r is not between 2000 and 2100."),
            where=where,
            value=text,
        )
    return school_year


def _holiday_name(value: object, where: Place) -> str:
    name = _normalize(_string(value, "type", where))
    if name not in HOLIDAY_NAMES:
        raise HolidayDataError(
            N_("%(where)s: unknown holiday type %(type)r."), where=where, type=value
        )
    return name


def _boolean(value: object, where: Place) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and _normalize(value) in ("true", "false"):
        return _normalize(value) == "true"
    raise HolidayDataError(
        N_("%(where)s: compulsorydates must be true or false, not %(value)r."),
        where=where,
        value=value,
    )


def _regions(value: object, where: Place) -> tuple[str, ...]:
    region = _normalize(_string(value, "region", where))
    if region == _WHOLE_COUNTRY:
        return REGIONS
    if region not in REGIONS:
        raise HolidayDataError(
            N_(
                "%(where)s: unknown region %(region)r; expected noord, midden, zuid or heel "
                "Nederland."
            ),
            where=where,
            region=value,
        )
    return (region,)


def _local_date(entry: Mapping[str, Any], key: str, where: Place) -> date:
    """Return the Europe/Amsterdam date of a UTC instant like 2025-10-26T22:59:00.000Z."""
    text = _string(_get(entry, key, where), key, where)
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise HolidayDataError(
            N_("%(where)s: %(key)s %(value)r is not a date and time with a time zone."),
            where=where,
            key=key,
            value=text,
        )
    if not FIRST_DATE.year <= instant.year <= LAST_DATE.year:  # 9999-12-31T23:59Z overflows
        raise HolidayDataError(
            N_("%(where)s: %(key)s %(value)r is not between 2000 and 2100."),
            where=where,
            key=key,
            value=text,
        )
    return instant.astimezone(_AMSTERDAM).date()


def _check_days(school_year: str, name: str, first_day: date, last_day: date, where: Place) -> None:
    if last_day < first_day:
        raise HolidayDataError(
            N_("%(where)s: last day %(last)s is before first day %(first)s."),
            where=where,
            first=first_day.isoformat(),
            last=last_day.isoformat(),
        )
    start, end = school_year_bounds(school_year)
    last_end = date(end.year, *_SUMMER_ENDS_BY) if name == _SUMMER else end
    for day, latest in ((first_day, end), (last_day, last_end)):
        if not start <= day <= latest:
            raise HolidayDataError(
                N_("%(where)s: %(day)s lies outside school year %(school_year)s."),
                where=where,
                day=day.isoformat(),
                school_year=school_year,
            )


def to_rijksoverheid(holidays: Iterable[SchoolHoliday]) -> str:
    """Holidays written back in the Rijksoverheid shape (one document), so that what a page
    carries between preview and confirmation is read (and checked) by the same parser."""
    years: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for holiday in holidays:
        vacation = years[holiday.school_year].setdefault(
            holiday.name,
            {"type": holiday.name, "compulsorydates": holiday.compulsory, "regions": []},
        )
        vacation["regions"].append(
            {
                "region": holiday.region,
                # Noon UTC falls on the same day in Amsterdam, summer and winter.
                "startdate": holiday.first_day.isoformat() + "T12:00:00Z",
                "enddate": holiday.last_day.isoformat() + "T12:00:00Z",
            }
        )
    content = [
        {"schoolyear": year, "vacations": list(vacations.values())}
        for year, vacations in sorted(years.items())
    ]
    return json.dumps({"content": content}, separators=(",", ":"))
