"""Dutch public holidays, and the days schools close on nationally or by their own choice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

from holidays import HolidayBase, country_holidays
from holidays.constants import PUBLIC

from planner.errors import N_, ValidationError

CLOSURE_DAY_KINDS = ("goede_vrijdag", "vrijdag_na_hemelvaart", "bevrijdingsdag")
CLOSURE_DAY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "goede_vrijdag": "Goede Vrijdag",
        "vrijdag_na_hemelvaart": "Vrijdag na Hemelvaart",
        "bevrijdingsdag": "Bevrijdingsdag",
    }
)

# Article 3 of the Algemene termijnenwet (Atw) lists 5 May every year and equates Goede Vrijdag
# with the holidays it lists, but the Atw only extends legal deadlines: it gives no one a day
# off. Whether schools close on Goede Vrijdag, on 5 May (even in lustrum years, when
# holidays.NL counts it as public) or on the Friday after Ascension is the school board's own
# choice, so none of them is a national closure day; see closure_day_dates().
_NOT_NATIONAL_CLOSURES = frozenset({"Goede vrijdag", "Bevrijdingsdag"})
_DELIMITER = "; "  # How holidays.HolidayBase joins the names of holidays sharing a date.


def _holidays_language(language: str) -> str:
    """Map "nl", "en", "en_US" or "en-US" to a language code holidays.NL knows."""
    normalized = language.strip().replace("-", "_").lower()
    if normalized == "nl":
        return "nl"
    if normalized in ("en", "en_us"):
        return "en_US"
    raise ValidationError(N_("Unsupported language %(language)s; use nl or en."), language=language)


def _dutch_public_holidays(years: Iterable[int]) -> HolidayBase:
    return country_holidays("NL", years=list(years), language="nl", categories=(PUBLIC,))


# The years public holidays are listed for: the current set of Dutch public holidays holds
# since the Algemene termijnenwet of 1964 (in force 1966), and the planner works up to 2100.
FIRST_YEAR, LAST_YEAR = 1966, 2100


def parse_year(value: object) -> int:
    """A year to list public holidays for, given as text or a number."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValidationError(
            N_("Give a year from %(first)s to %(last)s, e.g. 2027."),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return int(text)


def public_holidays(years: Iterable[int], language: str = "nl") -> dict[date, str]:
    """Return the Dutch public holidays of the given years (holidays.NL), by date."""
    years = [parse_year(year) for year in years]
    found = country_holidays(
        "NL", years=list(years), language=_holidays_language(language), categories=(PUBLIC,)
    )
    return dict(sorted(found.items()))


def national_closure_days(years: Iterable[int], language: str = "nl") -> dict[date, str]:
    """Return the public holidays every school is closed on, by date."""
    return dict(_national_closure_days(tuple(sorted(set(years))), language))


@cache
def _national_closure_days(years: tuple[int, ...], language: str) -> tuple[tuple[date, str], ...]:
    """The closures of those years, computed once per process (the calendar does not change)."""
    dutch = _dutch_public_holidays(years)
    translate = country_holidays("NL", language=_holidays_language(language)).tr
    closures: dict[date, str] = {}
    for day in sorted(dutch):
        names = [n for n in dutch.get_list(day) if n not in _NOT_NATIONAL_CLOSURES]
        if names:
            closures[day] = _DELIMITER.join(sorted(translate(n) for n in names))
    return tuple(closures.items())


def closure_day_dates(kind: str, years: Iterable[int]) -> dict[date, str]:
    """Return the date and Dutch name of a school-chosen closure day in each of the years."""
    if kind not in CLOSURE_DAY_KINDS:
        raise ValidationError(
            N_(
                "Unknown closure day %(kind)s; use goede_vrijdag, vrijdag_na_hemelvaart or "
                "bevrijdingsdag."
            ),
            kind=kind,
        )
    name = CLOSURE_DAY_NAMES[kind]
    if kind == "bevrijdingsdag":
        return {date(year, 5, 5): name for year in sorted(set(years))}
    dutch = _dutch_public_holidays(years)
    if kind == "goede_vrijdag":
        days = dutch.get_named("Goede vrijdag", lookup="exact")
    else:
        days = [d + timedelta(days=1) for d in dutch.get_named("Hemelvaartsdag", lookup="exact")]
    return {day: name for day in sorted(days)}
