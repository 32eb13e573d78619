"""The causes of a long gap in words, Dutch and English (the cases of the domain test)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask_babel import force_locale

from planner.domain.explain import Cause, CauseKind
from planner.presenters.planning import causes_text
from tests.domain.test_gap_causes import CASES, RHYTHM, Case, _causes


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_explanation_names_the_cause(app: Flask, case: Case) -> None:
    with app.test_request_context(), force_locale("nl"):
        text = causes_text(_causes(case), RHYTHM, "nl")
    for words in case.words:
        assert words in text, text
    if CauseKind.CALENDAR not in case.kinds:
        assert all(obstacle.label not in text for obstacle in case.forced), text


def test_a_cause_keeps_the_days_it_covers(app: Flask) -> None:
    cause = Cause(CauseKind.UNPLANNED, date(2027, 1, 19), date(2027, 7, 31))
    with app.test_request_context():
        with force_locale("nl"):
            assert "di 19 jan 2027" in causes_text((cause,), RHYTHM, "nl")
        with force_locale("en"):
            assert "Tue 19 Jan 2027" in causes_text((cause,), RHYTHM, "en")
