"""Words for the domain's kinds, in Dutch and English."""

from __future__ import annotations

import functools

from planner.domain.kinds import BusyKind, OrganisationKind, Severity

_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        BusyKind.TEST_WEEK: "Toetsweek",
        BusyKind.OPEN_DAY: "Open dag",
        BusyKind.STUDY_DAY: "Studiedag",
        BusyKind.EXAM_PERIOD: "Examenperiode",
        BusyKind.REPORT_MEETINGS: "Rapportvergaderingen",
        BusyKind.HOLIDAY: "Vrije dag(en)",
        BusyKind.OTHER: "Overig",
        Severity.HARD: "hard",
        Severity.SOFT: "zacht",
        OrganisationKind.SCHOOL: "school",
        OrganisationKind.BOARD: "schoolbestuur",
        OrganisationKind.PARTNER: "partner",
        "school_holiday": "Schoolvakantie",
        "public_holiday": "Feestdag",
        "closure_day": "Vrije dag",
        "own_dates": "eigen data",
        "meeting": "Overleg",
        "meeting_proposed": "voorgesteld",
        "meeting_confirmed": "bevestigd",
        "meeting_held": "gehouden",
        "meeting_cancelled": "afgelast",
        "on_track": "op koers",
        "attention": "aandacht nodig",
        "at_risk": "focus in gevaar",
        "no_next_meeting": "geen vervolgoverleg",
        "conflict": "overleg op geblokkeerde dag",
        "long_gap_forced": "lang gat, kan niet korter",
        "notice": "Minimale aankondigingstermijn",
        "school_days": "%(num)s schooldagen",
        "answer_needs_action": "nog geen antwoord",
        "answer_accepted": "komt",
        "answer_tentative": "misschien",
        "answer_declined": "komt niet",
        "busy_withheld": "bezet",
        "person_busy": "Bezet volgens eigen agenda",
        "poll_no": "Kan niet (peiling)",
        "poll_maybe": "Liever niet (peiling)",
        "poll_unasked": "Niet gevraagd in de peiling",
        "unrepresented": "Niemand van de school kan",
    },
    "en": {
        BusyKind.TEST_WEEK: "Test week",
        BusyKind.OPEN_DAY: "Open day",
        BusyKind.STUDY_DAY: "Study day",
        BusyKind.EXAM_PERIOD: "Exam period",
        BusyKind.REPORT_MEETINGS: "Report meetings",
        BusyKind.HOLIDAY: "Day(s) off",
        BusyKind.OTHER: "Other",
        Severity.HARD: "hard",
        Severity.SOFT: "soft",
        OrganisationKind.SCHOOL: "school",
        OrganisationKind.BOARD: "school board",
        OrganisationKind.PARTNER: "partner",
        "school_holiday": "School holiday",
        "public_holiday": "Public holiday",
        "closure_day": "Day off",
        "busy_withheld": "busy",
        "own_dates": "own dates",
        "meeting": "Meeting",
        "meeting_proposed": "proposed",
        "meeting_confirmed": "confirmed",
        "meeting_held": "held",
        "meeting_cancelled": "cancelled",
        "on_track": "on track",
        "attention": "needs attention",
        "at_risk": "at risk",
        "no_next_meeting": "no next meeting",
        "conflict": "meeting on a blocked day",
        "long_gap_forced": "long gap, cannot be shorter",
        "notice": "Minimum notice",
        "school_days": "%(num)s school days",
        "answer_needs_action": "no answer yet",
        "answer_accepted": "coming",
        "answer_tentative": "maybe",
        "answer_declined": "not coming",
        "person_busy": "Busy in own calendar",
        "poll_no": "Cannot (poll)",
        "poll_maybe": "Rather not (poll)",
        "poll_unasked": "Not asked in the poll",
        "unrepresented": "Nobody from the school can come",
    },
}


@functools.lru_cache(maxsize=64)
def language_of(locale: str | None) -> str:
    """Reduce a locale (en_US, nl-NL) to a language this module speaks; Dutch by default."""
    base = (locale or "nl").replace("-", "_").split("_")[0].lower()
    return base if base in _LABELS else "nl"


def label(key: str, locale: str | None = "nl") -> str:
    """Return the word for a kind (a BusyKind, Severity, OrganisationKind or calendar kind)."""
    return _LABELS[language_of(locale)].get(key, str(key))
