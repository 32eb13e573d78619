"""Dutch school calendar: school years, school holidays, public holidays and closure days."""

from planner.calendar_nl.public_holidays import (
    CLOSURE_DAY_KINDS,
    CLOSURE_DAY_NAMES,
    closure_day_dates,
    national_closure_days,
    parse_year,
    public_holidays,
)
from planner.calendar_nl.rijksoverheid import parse_rijksoverheid
from planner.calendar_nl.school_holidays import (
    DUTCH_NAMES,
    ENGLISH_NAMES,
    HOLIDAY_NAMES,
    NetherlandsSchoolHolidays,
    SchoolHoliday,
    display_name,
    holidays_for,
    load_school_holidays,
)
from planner.calendar_nl.school_years import (
    REGIONS,
    iso_weeks_in_year,
    iso_weeks_to_range,
    parse_region,
    parse_school_year,
    school_year_bounds,
    school_year_of,
)

__all__ = [
    "CLOSURE_DAY_KINDS",
    "CLOSURE_DAY_NAMES",
    "DUTCH_NAMES",
    "ENGLISH_NAMES",
    "HOLIDAY_NAMES",
    "REGIONS",
    "NetherlandsSchoolHolidays",
    "SchoolHoliday",
    "closure_day_dates",
    "display_name",
    "holidays_for",
    "iso_weeks_in_year",
    "iso_weeks_to_range",
    "load_school_holidays",
    "national_closure_days",
    "parse_region",
    "parse_rijksoverheid",
    "parse_school_year",
    "parse_year",
    "public_holidays",
    "school_year_bounds",
    "school_year_of",
]
