"""School years, regions and ISO week ranges."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.calendar_nl import (
    iso_weeks_in_year,
    iso_weeks_to_range,
    parse_region,
    parse_school_year,
    school_year_bounds,
    school_year_of,
)
from planner.errors import ValidationError


@pytest.mark.parametrize(
    ("given_", "expected"),
    [("noord", "noord"), (" Noord ", "noord"), ("MIDDEN", "midden"), ("zuid\n", "zuid")],
)
def test_parse_region(given_: str, expected: str) -> None:
    assert parse_region(given_) == expected


@pytest.mark.parametrize("given_", ["oost", "", "noord-holland", "heel Nederland"])
def test_parse_region_rejects(given_: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_region(given_)
    assert caught.value.message == "Unknown region %(region)s; use noord, midden or zuid."
    assert caught.value.params == {"region": given_}


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("2026-2027", "2026-2027"),
        ("2026/2027", "2026-2027"),
        ("2026-27", "2026-2027"),
        (" 2026 - 2027 ", "2026-2027"),
        ("2099-00", "2099-2100"),
    ],
)
def test_parse_school_year(given_: str, expected: str) -> None:
    assert parse_school_year(given_) == expected


@pytest.mark.parametrize(
    ("given_", "fragment"),
    [
        ("2026", "Malformed school year 2026"),
        ("26-27", "Malformed school year 26-27"),
        ("2026-2027x", "Malformed school year"),
        ("2026_2027", "Malformed school year"),
        ("2026-2028", "must span two consecutive years"),
        ("2026-28", "must span two consecutive years"),
        ("2027-2026", "must span two consecutive years"),
        ("0000-0001", "must span two consecutive years"),
    ],
)
def test_parse_school_year_rejects(given_: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        parse_school_year(given_)


def test_school_year_bounds() -> None:
    assert school_year_bounds("2026-2027") == (date(2026, 8, 1), date(2027, 7, 31))
    assert school_year_bounds("2027/28") == (date(2027, 8, 1), date(2028, 7, 31))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 7, 31), "2025-2026"),
        (date(2026, 8, 1), "2026-2027"),
        (date(2026, 12, 31), "2026-2027"),
        (date(2027, 1, 1), "2026-2027"),
        (date(2027, 7, 31), "2026-2027"),
    ],
)
def test_school_year_of(day: date, expected: str) -> None:
    assert school_year_of(day) == expected


@pytest.mark.parametrize(("year", "weeks"), [(2020, 53), (2026, 53), (2027, 52), (2028, 52)])
def test_iso_weeks_in_year(year: int, weeks: int) -> None:
    assert iso_weeks_in_year(year) == weeks


@pytest.mark.parametrize(
    ("school_year", "first", "last", "expected"),
    [
        ("2026-2027", 45, 46, (date(2026, 11, 2), date(2026, 11, 13))),
        ("2026-2027", 45, None, (date(2026, 11, 2), date(2026, 11, 6))),
        ("2026-2027", 52, 2, (date(2026, 12, 21), date(2027, 1, 15))),
        # ISO 2026 has 53 weeks; week 53 straddles New Year.
        ("2026-2027", 53, None, (date(2026, 12, 28), date(2027, 1, 1))),
        ("2026-2027", 1, 30, (date(2027, 1, 4), date(2027, 7, 30))),
        # Week 31 belongs to the first year even when it starts in July.
        ("2026-2027", 31, None, (date(2026, 7, 27), date(2026, 7, 31))),
        ("2026/27", 31, 30, (date(2026, 7, 27), date(2027, 7, 30))),
    ],
)
def test_iso_weeks_to_range(
    school_year: str, first: int, last: int | None, expected: tuple[date, date]
) -> None:
    assert iso_weeks_to_range(school_year, first, last) == expected


@pytest.mark.parametrize(
    ("school_year", "first", "last", "message"),
    [
        ("2027-2028", 53, None, "Week 53 does not exist in 2027 (school year 2027-2028)."),
        ("2026-2027", 53, 52, "Week 52 comes before week 53 in school year 2026-2027."),
        ("2026-2027", 54, None, "Week 54 does not exist; use 1 to 53."),
        ("2026-2027", 0, 2, "Week 0 does not exist; use 1 to 53."),
        ("2026-2027", 45, 44, "Week 44 comes before week 45 in school year 2026-2027."),
        ("2026-2027", 2, 52, "Week 52 comes before week 2 in school year 2026-2027."),
        ("2026-2027", 30, 31, "Week 31 comes before week 30 in school year 2026-2027."),
        ("2026-2028", 45, None, "School year 2026-2028 must span two consecutive years"),
    ],
)
def test_iso_weeks_to_range_rejects(
    school_year: str, first: int, last: int | None, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        iso_weeks_to_range(school_year, first, last)
    assert str(caught.value).startswith(message)


def test_week_53_of_a_52_week_year_is_rejected_whichever_half() -> None:
    # ISO 2027 has 52 weeks: week 53 of school year 2027-2028 would be in 2027.
    with pytest.raises(ValidationError) as caught:
        iso_weeks_to_range("2027-2028", 50, 53)
    assert caught.value.params == {"week": 53, "year": 2027, "school_year": "2027-2028"}


def _weeks_in_order(first_year: int) -> list[int]:
    """The ISO weeks of a school year in school-year order: 31..52 or 53, then 1..30."""
    return [*range(31, iso_weeks_in_year(first_year) + 1), *range(1, 31)]


@given(first_year=st.integers(1900, 2200), data=st.data())
def test_iso_weeks_follow_each_other_across_the_school_year(
    first_year: int, data: st.DataObject
) -> None:
    """Successive weeks in school-year order start exactly 7 days apart, across New Year."""
    school_year = f"{first_year}-{first_year + 1}"
    weeks = _weeks_in_order(first_year)
    i = data.draw(st.integers(0, len(weeks) - 1), label="i")
    j = data.draw(st.integers(i, len(weeks) - 1), label="j")
    monday, friday = iso_weeks_to_range(school_year, weeks[i], weeks[j])
    assert monday.isocalendar()[1:] == (weeks[i], 1)
    assert friday.isocalendar()[1:] == (weeks[j], 5)
    assert (friday - monday).days == 7 * (j - i) + 4
    first_monday, _ = iso_weeks_to_range(school_year, weeks[0])
    assert monday == first_monday + timedelta(weeks=i)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_school_year_of_lies_within_its_bounds(day: date) -> None:
    school_year = school_year_of(day)
    first, last = school_year_bounds(school_year)
    assert first <= day <= last
    assert parse_school_year(school_year) == school_year
