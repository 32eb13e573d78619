"""The bundled school holidays, checked against the shared file and holidays.NL."""

import copy
import json
import pickle
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

import holidays
import pytest

from planner.calendar_nl import (
    HOLIDAY_NAMES,
    REGIONS,
    NetherlandsSchoolHolidays,
    SchoolHoliday,
    display_name,
    holidays_for,
    load_school_holidays,
)
from planner.errors import ValidationError

SCHOOL_YEARS = [f"{y}-{y + 1}" for y in range(2022, 2030)]


@pytest.fixture(scope="module")
def shared(shared_holidays: dict[str, Any]) -> dict[str, Any]:
    return shared_holidays


def _package_json() -> dict[str, Any]:
    text = resources.files("planner.calendar_nl").joinpath("data", "nl-schoolvakanties.json")
    result: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return result


def test_package_data_is_the_shared_file_with_its_sources(shared: dict[str, Any]) -> None:
    assert _package_json() == shared
    assert "Rijksoverheid" in shared["about"]
    assert shared["sources"]


def test_every_entry_equals_the_shared_file(shared: dict[str, Any]) -> None:
    expected = set()
    for school_year, by_name in shared["school_years"].items():
        for name, holiday in by_name.items():
            for region, days in holiday["regions"].items():
                expected.add(
                    (
                        school_year,
                        name,
                        region,
                        date.fromisoformat(days["first_day"]),
                        date.fromisoformat(days["last_day"]),
                        holiday["compulsory"],
                    )
                )
    loaded = load_school_holidays()
    assert {
        (h.school_year, h.name, h.region, h.first_day, h.last_day, h.compulsory) for h in loaded
    } == expected
    assert len(loaded) == len(expected) == len(SCHOOL_YEARS) * len(HOLIDAY_NAMES) * len(REGIONS)


def test_loaded_data_is_complete_sorted_cached_and_sane() -> None:
    loaded = load_school_holidays()
    assert loaded is load_school_holidays()
    assert list(loaded) == sorted(loaded)
    keys = {(h.school_year, h.name, h.region) for h in loaded}
    assert keys == {(y, n, r) for y in SCHOOL_YEARS for n in HOLIDAY_NAMES for r in REGIONS}
    assert all(h.first_day <= h.last_day for h in loaded)
    assert all(h.first_day.weekday() == 5 and h.last_day.weekday() == 6 for h in loaded)


def test_compulsory_flags_of_the_bundled_data() -> None:
    flags = {(h.name, h.compulsory) for h in load_school_holidays()}
    assert flags == {
        ("herfstvakantie", False),
        ("kerstvakantie", True),
        ("voorjaarsvakantie", False),
        ("meivakantie", True),
        ("zomervakantie", True),
    }


def test_holidays_for_gives_calendar_order() -> None:
    found = holidays_for(" Noord ", "2026/27")
    assert [(h.name, h.first_day, h.last_day) for h in found] == [
        ("herfstvakantie", date(2026, 10, 10), date(2026, 10, 18)),
        ("kerstvakantie", date(2026, 12, 19), date(2027, 1, 3)),
        ("voorjaarsvakantie", date(2027, 2, 20), date(2027, 2, 28)),
        ("meivakantie", date(2027, 4, 24), date(2027, 5, 2)),
        ("zomervakantie", date(2027, 7, 10), date(2027, 8, 22)),
    ]
    assert {h.region for h in found} == {"noord"}


def test_holidays_for_uses_given_data_and_validates() -> None:
    own = SchoolHoliday(
        "2040-2041", "herfstvakantie", "zuid", date(2040, 10, 13), date(2040, 10, 21), False
    )
    assert holidays_for("zuid", "2040-2041", data=[own]) == [own]
    assert holidays_for("zuid", "2040-2041") == []
    with pytest.raises(ValidationError, match="Unknown region oost"):
        holidays_for("oost", "2026-2027")


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        ("herfstvakantie", "nl", "Herfstvakantie"),
        ("kerstvakantie", "en", "Christmas holiday"),
        ("voorjaarsvakantie", "en_US", "Spring holiday"),
        ("meivakantie", "en-GB", "May holiday"),
        ("zomervakantie", "nl", "Zomervakantie"),
        ("herfstvakantie", "EN", "Autumn holiday"),
    ],
)
def test_display_name(name: str, language: str, expected: str) -> None:
    assert display_name(name, language) == expected


@pytest.mark.parametrize("region", REGIONS)
def test_agrees_day_by_day_with_holidays_nl(region: str) -> None:
    """holidays.NL builds its school holidays from ISO-week tables: an independent source."""
    years = range(2023, 2031)
    ours = NetherlandsSchoolHolidays(subdiv=region, years=years)
    theirs = holidays.country_holidays(  # holidays.NL, found by name
        "NL", subdiv=region.capitalize(), categories=("school",), years=years, language="nl"
    )
    # Covered: from 2023 (inside school year 2022-2023) to the end of the last summer holiday.
    end = max(h.last_day for h in load_school_holidays() if h.region == region)
    window = [
        date(2023, 1, 1) + timedelta(days=n) for n in range((end - date(2023, 1, 1)).days + 1)
    ]
    assert {d: ours.get(d) for d in window} == {d: theirs.get(d) for d in window}
    assert sum(1 for d in window if d in ours) > 600


def test_names_in_dutch_by_default_and_english_on_request() -> None:
    day = date(2026, 10, 12)
    assert NetherlandsSchoolHolidays(subdiv="noord").get(day) == "Herfstvakantie"
    assert NetherlandsSchoolHolidays(subdiv="noord", language="nl").get(day) == "Herfstvakantie"
    for language in ("en_US", "en"):
        english = NetherlandsSchoolHolidays(subdiv="noord", language=language)
        assert english.get(day) == "Autumn holiday"
        assert english.get_list(date(2027, 8, 1)) == ["Summer holiday"]


def test_holiday_spanning_new_year_is_in_both_years() -> None:
    both = NetherlandsSchoolHolidays(subdiv="midden", years=[2026, 2027], expand=False)
    christmas = [date(2026, 12, 19) + timedelta(days=n) for n in range(16)]
    assert all(both.get(d) == "Kerstvakantie" for d in christmas)
    assert christmas[-1] == date(2027, 1, 3)
    assert date(2027, 1, 4) not in both

    only_2026 = NetherlandsSchoolHolidays(subdiv="midden", years=2026, expand=False)
    assert date(2026, 12, 31) in only_2026
    assert date(2027, 1, 1) not in only_2026
    assert max(only_2026) == date(2026, 12, 31)

    expanding = NetherlandsSchoolHolidays(subdiv="midden", years=2026)
    assert date(2027, 1, 1) in expanding
    assert expanding.years == {2026, 2027}


def test_compulsory_flag_per_day() -> None:
    zuid = NetherlandsSchoolHolidays(subdiv="zuid")
    assert zuid.is_compulsory(date(2026, 10, 20)) is False  # herfstvakantie: advisory
    assert zuid.is_compulsory(date(2026, 12, 31)) is True  # kerstvakantie
    assert zuid.is_compulsory(date(2027, 1, 2)) is True
    assert zuid.is_compulsory(date(2027, 4, 28)) is True  # meivakantie, per the bundled data
    assert zuid.is_compulsory(date(2027, 2, 15)) is False  # voorjaarsvakantie
    assert zuid.is_compulsory(date(2027, 3, 15)) is None  # a school day
    assert zuid.is_compulsory(datetime(2027, 8, 1, 12, 0)) is True  # zomervakantie
    holiday = zuid.holiday_on(date(2027, 1, 2))
    assert holiday is not None
    assert (holiday.school_year, holiday.name, holiday.region) == (
        "2026-2027",
        "kerstvakantie",
        "zuid",
    )


def test_not_expanding_answers_only_for_populated_years() -> None:
    fixed = NetherlandsSchoolHolidays(subdiv="zuid", years=2025, expand=False)
    assert fixed.is_compulsory(date(2026, 12, 31)) is None
    assert fixed.is_compulsory(date(2025, 12, 31)) is True


def test_takes_its_dates_from_given_data() -> None:
    own = [
        SchoolHoliday(
            "2040-2041", "kerstvakantie", "noord", date(2040, 12, 22), date(2041, 1, 6), True
        ),
        SchoolHoliday(
            "2040-2041", "herfstvakantie", "zuid", date(2040, 10, 13), date(2040, 10, 21), False
        ),
    ]
    noord = NetherlandsSchoolHolidays(subdiv="noord", data=own, language="en")
    assert noord.get(date(2041, 1, 6)) == "Christmas holiday"
    assert date(2040, 10, 15) not in noord
    assert date(2026, 12, 31) not in noord  # the bundled data is not used
    assert noord.is_compulsory(date(2040, 12, 25)) is True
    assert len(NetherlandsSchoolHolidays(subdiv="noord", data=own, years=[2040, 2041])) == 16


@pytest.mark.parametrize("subdiv", ["ZUID", " Zuid ", "zuid"])
def test_subdivision_in_any_case(subdiv: str) -> None:
    calendar = NetherlandsSchoolHolidays(subdiv=subdiv)
    assert calendar.subdiv == "zuid"
    assert date(2026, 10, 20) in calendar


def test_holidays_conventions() -> None:
    assert NetherlandsSchoolHolidays.subdivisions == ("midden", "noord", "zuid")
    assert NetherlandsSchoolHolidays.supported_languages == ("en_US", "nl")
    assert NetherlandsSchoolHolidays.default_language == "nl"
    assert NetherlandsSchoolHolidays.country == "NL"
    with pytest.raises(NotImplementedError):
        NetherlandsSchoolHolidays(subdiv="oost")
    assert not NetherlandsSchoolHolidays(years=2026)  # no region, no school holidays
    assert NetherlandsSchoolHolidays(subdiv="zuid", categories=("school",), years=2026)
    with pytest.raises(ValueError, match="Category is not supported"):
        NetherlandsSchoolHolidays(subdiv="zuid", categories=("public",))


def test_string_keys_and_slices() -> None:
    calendar = NetherlandsSchoolHolidays(subdiv="noord", language="en_US")
    assert "2026-10-12" in calendar
    assert calendar["2026-10-12"] == "Autumn holiday"
    # A slice's stop is excluded, as in holidays.HolidayBase.
    assert calendar[date(2026, 10, 9) : date(2026, 10, 13)] == [  # type: ignore[index]
        date(2026, 10, 10),
        date(2026, 10, 11),
        date(2026, 10, 12),
    ]


@pytest.mark.parametrize("clone", [copy.copy, lambda h: pickle.loads(pickle.dumps(h))])
def test_copy_and_pickle_keep_data_and_language(clone: Any) -> None:
    calendar = NetherlandsSchoolHolidays(subdiv="noord", language="en_US", years=2026)
    twin = clone(calendar)
    assert twin == calendar
    # Not .get() on both: like holidays.NL, copy.copy shares the `years` set with the original.
    assert twin.get_list(date(2027, 1, 1)) == ["Christmas holiday"]
    assert twin.is_compulsory(date(2027, 1, 1)) is True
