"""Public holidays, national school closure days and school-chosen closure days."""

from datetime import date

import pytest

from planner.calendar_nl import (
    CLOSURE_DAY_KINDS,
    closure_day_dates,
    national_closure_days,
    public_holidays,
)
from planner.errors import ValidationError

PUBLIC_2026_2027 = {
    date(2026, 1, 1): "Nieuwjaarsdag",
    date(2026, 4, 3): "Goede vrijdag",
    date(2026, 4, 5): "Eerste paasdag",
    date(2026, 4, 6): "Tweede paasdag",
    date(2026, 4, 27): "Koningsdag",
    date(2026, 5, 14): "Hemelvaartsdag",
    date(2026, 5, 24): "Eerste pinksterdag",
    date(2026, 5, 25): "Tweede pinksterdag",
    date(2026, 12, 25): "Eerste kerstdag",
    date(2026, 12, 26): "Tweede kerstdag",
    date(2027, 1, 1): "Nieuwjaarsdag",
    date(2027, 3, 26): "Goede vrijdag",
    date(2027, 3, 28): "Eerste paasdag",
    date(2027, 3, 29): "Tweede paasdag",
    date(2027, 4, 27): "Koningsdag",
    date(2027, 5, 6): "Hemelvaartsdag",
    date(2027, 5, 16): "Eerste pinksterdag",
    date(2027, 5, 17): "Tweede pinksterdag",
    date(2027, 12, 25): "Eerste kerstdag",
    date(2027, 12, 26): "Tweede kerstdag",
}


def test_public_holidays_2026_2027_in_dutch() -> None:
    found = public_holidays([2026, 2027])
    assert found == PUBLIC_2026_2027
    assert list(found) == sorted(found)
    assert public_holidays(range(2026, 2028), language="nl") == PUBLIC_2026_2027


@pytest.mark.parametrize("language", ["en", "en_US", "en-US", " EN "])
def test_public_holidays_in_english(language: str) -> None:
    found = public_holidays([2027], language=language)
    assert found[date(2027, 5, 6)] == "Ascension Day"
    assert found[date(2027, 4, 27)] == "King's Day"
    assert set(found) == {d for d in PUBLIC_2026_2027 if d.year == 2027}


@pytest.mark.parametrize("call", [public_holidays, national_closure_days])
def test_unsupported_language(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValidationError, match=r"Unsupported language fy; use nl or en\."):
        call([2026], language="fy")


def test_bevrijdingsdag_is_public_only_in_lustrum_years() -> None:
    assert public_holidays([2025])[date(2025, 5, 5)] == "Bevrijdingsdag"
    assert date(2026, 5, 5) not in public_holidays([2026])


@pytest.mark.parametrize("years", [[2026, 2027], [2025], [2030]])
def test_national_closure_days_leave_out_goede_vrijdag_and_bevrijdingsdag(
    years: list[int],
) -> None:
    public = public_holidays(years)
    closures = national_closure_days(years)
    assert closures == {
        d: n for d, n in public.items() if n not in ("Goede vrijdag", "Bevrijdingsdag")
    }
    assert len(closures) == 9 * len(years)


def test_national_closure_days_2026_and_in_english() -> None:
    assert national_closure_days([2026]) == {
        d: n for d, n in PUBLIC_2026_2027.items() if d.year == 2026 and d != date(2026, 4, 3)
    }
    english = national_closure_days([2030], language="en")
    assert english[date(2030, 5, 30)] == "Ascension Day"
    assert date(2030, 5, 5) not in english  # Bevrijdingsdag, although 2030 is a lustrum year
    assert date(2030, 4, 19) not in english  # Goede Vrijdag


def test_a_closure_day_sharing_its_date_with_bevrijdingsdag_stays() -> None:
    # In 2005 (a lustrum year) Ascension Day fell on 5 May.
    assert public_holidays([2005])[date(2005, 5, 5)] == "Bevrijdingsdag; Hemelvaartsdag"
    assert national_closure_days([2005])[date(2005, 5, 5)] == "Hemelvaartsdag"
    assert national_closure_days([2005], language="en")[date(2005, 5, 5)] == "Ascension Day"


@pytest.mark.parametrize(
    ("kind", "years", "expected"),
    [
        ("vrijdag_na_hemelvaart", [2027], {date(2027, 5, 7): "Vrijdag na Hemelvaart"}),
        ("goede_vrijdag", [2027], {date(2027, 3, 26): "Goede Vrijdag"}),
        (
            "vrijdag_na_hemelvaart",
            [2027, 2026],
            {date(2026, 5, 15): "Vrijdag na Hemelvaart", date(2027, 5, 7): "Vrijdag na Hemelvaart"},
        ),
        (
            "goede_vrijdag",
            range(2025, 2028),
            {
                date(2025, 4, 18): "Goede Vrijdag",
                date(2026, 4, 3): "Goede Vrijdag",
                date(2027, 3, 26): "Goede Vrijdag",
            },
        ),
        (
            "bevrijdingsdag",
            [2026, 2025],
            {date(2025, 5, 5): "Bevrijdingsdag", date(2026, 5, 5): "Bevrijdingsdag"},
        ),
        ("bevrijdingsdag", [], {}),
    ],
)
def test_closure_day_dates(kind: str, years: list[int], expected: dict[date, str]) -> None:
    found = closure_day_dates(kind, years)
    assert found == expected
    assert list(found) == sorted(found)


def test_every_closure_day_kind_is_a_friday_or_5_may() -> None:
    for kind in CLOSURE_DAY_KINDS:
        days = closure_day_dates(kind, range(2022, 2031))
        assert len(days) == 9
        if kind == "bevrijdingsdag":
            assert all((d.month, d.day) == (5, 5) for d in days)
        else:
            assert all(d.weekday() == 4 for d in days)


@pytest.mark.parametrize("kind", ["koningsdag", "Goede_Vrijdag", ""])
def test_unknown_closure_day_kind(kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        closure_day_dates(kind, [2027])
    assert caught.value.params == {"kind": kind}
    assert str(caught.value).startswith(f"Unknown closure day {kind};")
