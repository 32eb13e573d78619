"""Dutch school holidays (schoolvakanties) per school year and region.

Source of the bundled data (data/nl-schoolvakanties.json, whose "about" and "sources" keys say
the same): the Ministerie van OCW, published as Rijksoverheid open data, infotype
"schoolholidays" (https://opendata.rijksoverheid.nl/v1/sources/rijksoverheid/infotypes/
schoolholidays), school years 2022-2023 .. 2029-2030, cross-checked against
openpotato/openholidaysapi.data, burakkp/nl-holidays-ical and workalendar; dates are the
inclusive first and last free day in Europe/Amsterdam.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from holidays import HolidayBase
from holidays.constants import SCHOOL

from planner.calendar_nl.school_years import parse_region, parse_school_year

HOLIDAY_NAMES = (
    "herfstvakantie",
    "kerstvakantie",
    "voorjaarsvakantie",
    "meivakantie",
    "zomervakantie",
)
ENGLISH_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "herfstvakantie": "Autumn holiday",
        "kerstvakantie": "Christmas holiday",
        "voorjaarsvakantie": "Spring holiday",
        "meivakantie": "May holiday",
        "zomervakantie": "Summer holiday",
    }
)
DUTCH_NAMES: Mapping[str, str] = MappingProxyType({n: n.capitalize() for n in HOLIDAY_NAMES})

_DATA_FILE = "nl-schoolvakanties.json"


@dataclass(frozen=True, order=True)
class SchoolHoliday:
    """One school holiday of one region in one school year, first and last free day inclusive."""

    school_year: str
    name: str
    region: str
    first_day: date
    last_day: date
    compulsory: bool

    def days(self) -> Iterator[date]:
        """Yield every day of the holiday, first to last."""
        for offset in range((self.last_day - self.first_day).days + 1):
            yield self.first_day + timedelta(days=offset)

    def display_name(self, language: str = "nl") -> str:
        """Return the holiday's name for display, in Dutch ("nl") or English ("en")."""
        return display_name(self.name, language)


def display_name(name: str, language: str = "nl") -> str:
    """Return the display name of a holiday key ("herfstvakantie") in Dutch or English."""
    names = ENGLISH_NAMES if _is_english(language) else DUTCH_NAMES
    return names[name]


def _is_english(language: str | None) -> bool:
    return language is not None and language.replace("-", "_").split("_")[0].lower() == "en"


@cache
def load_school_holidays() -> tuple[SchoolHoliday, ...]:
    """Return the bundled school holidays, sorted."""
    text = resources.files("planner.calendar_nl").joinpath("data", _DATA_FILE).read_text("utf-8")
    school_years: dict[str, dict[str, Any]] = json.loads(text)["school_years"]
    return tuple(
        sorted(
            SchoolHoliday(
                school_year=school_year,
                name=name,
                region=region,
                first_day=date.fromisoformat(days["first_day"]),
                last_day=date.fromisoformat(days["last_day"]),
                compulsory=bool(holiday["compulsory"]),
            )
            for school_year, by_name in school_years.items()
            for name, holiday in by_name.items()
            for region, days in holiday["regions"].items()
        )
    )


def holidays_for(
    region: str, school_year: str, data: Iterable[SchoolHoliday] | None = None
) -> list[SchoolHoliday]:
    """Return a region's school holidays in a school year, in calendar order."""
    region = parse_region(region)
    school_year = parse_school_year(school_year)
    source = load_school_holidays() if data is None else data
    return sorted(
        (h for h in source if h.region == region and h.school_year == school_year),
        key=lambda h: (h.first_day, h.last_day, h.name),
    )


class NetherlandsSchoolHolidays(HolidayBase):
    """School holidays of one Dutch region as a `holidays`-style calendar (dates → names).

    Names are Dutch ("Herfstvakantie") unless `language` is English ("en_US" or "en").
    Dates come from `data` (default: the bundled data), so imported data can be used too.
    Without `subdiv` the calendar is empty, as with `holidays.NL(categories="school")`.
    """

    country = "NL"
    subdivisions = ("midden", "noord", "zuid")
    default_language = "nl"
    supported_languages = ("en_US", "nl")
    supported_categories = (SCHOOL,)
    default_category = SCHOOL

    def __init__(
        self,
        years: int | Iterable[int] | None = None,
        expand: bool = True,
        observed: bool = True,
        subdiv: str | None = None,
        *,
        language: str | None = None,
        categories: str | Iterable[str] | None = None,
        data: Iterable[SchoolHoliday] | None = None,
    ) -> None:
        """Build the calendar; arguments as for `holidays.HolidayBase`, plus `data`."""
        # Indexed before HolidayBase.__init__, which already populates the requested years.
        self._by_day: dict[date, SchoolHoliday] = {}
        self._days_by_year: dict[int, list[date]] = {}
        self._indexed = False
        self._data = tuple(load_school_holidays() if data is None else data)
        super().__init__(
            years=years,
            expand=expand,
            observed=observed,
            subdiv=subdiv.strip().lower() if isinstance(subdiv, str) else subdiv,
            language=language,
            categories=categories,
        )

    def _init_translation(self) -> None:
        # Our names are not in the holidays package's catalogue, and its fallback would read
        # the process locale; translate from our own two name tables instead.
        english = {DUTCH_NAMES[n]: ENGLISH_NAMES[n] for n in HOLIDAY_NAMES}
        if _is_english(self.language):
            self.tr = lambda message: english.get(message, message)
        else:
            self.tr = lambda message: message

    def _index(self) -> None:
        """Index the region's holiday days by calendar year, once the region is known."""
        if self._indexed or self.subdiv is None:
            return
        self._indexed = True
        for holiday in self._data:
            if holiday.region != self.subdiv:
                continue
            for day in holiday.days():
                self._by_day[day] = holiday
                self._days_by_year.setdefault(day.year, []).append(day)

    def _populate_school_holidays(self) -> None:
        self._index()
        for day in self._days_by_year.get(self._year, ()):
            name = self._by_day[day].name
            self._add_holiday(DUTCH_NAMES.get(name, name), day)

    def holiday_on(self, day: date) -> SchoolHoliday | None:
        """Return the school holiday covering `day`, or None."""
        if day not in self:
            return None
        return self._by_day.get(day.date() if isinstance(day, datetime) else day)

    def is_compulsory(self, day: date) -> bool | None:
        """Return whether `day`'s holiday has compulsory dates, or None if it is no holiday."""
        holiday = self.holiday_on(day)
        return None if holiday is None else holiday.compulsory
