"""Numbers read the same everywhere: one function writes weeks and decimals in the reader's
language (planner.text.formatting), and a gap is never rounded up past its maximum."""

from __future__ import annotations

import pytest

from planner.text.formatting import format_decimal, format_weeks


@pytest.mark.parametrize(
    ("days", "nl", "en"),
    [
        (7, "1 week", "1 week"),
        (14, "2 weken", "2 weeks"),
        (23, "3,3 weken", "3.3 weeks"),  # the dashboard once said "4 weken" here
        (41, "5,9 weken", "5.9 weeks"),  # under a maximum of 6 weeks: never "6"
        (42, "6 weken", "6 weeks"),
        (43, "6,1 weken", "6.1 weeks"),  # over the maximum: never "6"
        (125, "17,9 weken", "17.9 weeks"),  # mails once wrote "17.9" in Dutch
        (0, "0 weken", "0 weeks"),
    ],
)
def test_weeks_in_both_languages(days: int, nl: str, en: str) -> None:
    assert format_weeks(days, "nl") == nl
    assert format_weeks(days, "en_GB") == en


@pytest.mark.parametrize("days", range(1, 400))
def test_a_whole_number_of_weeks_is_shown_only_when_it_is_exact(days: int) -> None:
    number = format_weeks(days, "en", unit=False)
    assert ("." not in number) == (days % 7 == 0), (days, number)
    assert abs(float(number) - days / 7) <= 0.05 + 1e-9


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [(2.25, "2,3", "2.3"), (2.0, "2", "2"), (-1.25, "-1,3", "-1.3"), (0.04, "0", "0")],
)
def test_decimals_round_half_up_in_the_readers_language(value: float, nl: str, en: str) -> None:
    assert format_decimal(value, "nl") == nl
    assert format_decimal(value, "en") == en
