"""Enumerations of the domain, with their Dutch and English words."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    """What an organisation is."""

    SCHOOL = "school"
    BOARD = "board"
    PARTNER = "partner"


class Sector(StrEnum):
    """Education sector of a school (po primary, vo secondary, so special, mbo vocational)."""

    PO = "po"
    VO = "vo"
    SO = "so"
    MBO = "mbo"


class BusyKind(StrEnum):
    """Kinds of busy period a school enters."""

    TEST_WEEK = "test_week"
    OPEN_DAY = "open_day"
    STUDY_DAY = "study_day"
    EXAM_PERIOD = "exam_period"
    REPORT_MEETINGS = "report_meetings"
    HOLIDAY = "holiday"
    OTHER = "other"


class Severity(StrEnum):
    """Hard: never plan on it. Soft: avoid when a good alternative exists."""

    HARD = "hard"
    SOFT = "soft"


class MeetingStatus(StrEnum):
    """Where a meeting is in its life."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """A person's part in a collaboration; coordinators take part too."""

    COORDINATOR = "coordinator"
    PARTICIPANT = "participant"


class MemberConsent(StrEnum):
    """Whether a school's administrators agreed that a collaboration it was added to sees the
    notes of its busy periods (without it: kind and dates only, shown as busy)."""

    ASKED = "asked"
    AGREED = "agreed"
    DECLINED = "declined"


class FeedScope(StrEnum):
    """What a calendar feed shows."""

    COLLABORATION = "collaboration"
    PERSON = "person"
    ORGANISATION = "organisation"
    REGION = "region"


class AttendanceStatus(StrEnum):
    """A participant's answer to an invitation (iCalendar PARTSTAT, lower case)."""

    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"

    @property
    def partstat(self) -> str:
        """The iCalendar PARTSTAT value."""
        return self.value.upper().replace("_", "-")


class MailKind(StrEnum):
    """What a queued mail is."""

    INVITE = "invite"
    REMINDER = "reminder"
    NOTICE = "notice"
    DIGEST = "digest"


class LocationMode(StrEnum):
    """Where meetings are: in turn at each member school, or online."""

    ROTATE = "rotate"
    ONLINE = "online"


# Words users may type for a busy kind, in both languages.
BUSY_KIND_WORDS: dict[str, BusyKind] = {
    "toetsweek": BusyKind.TEST_WEEK,
    "proefwerkweek": BusyKind.TEST_WEEK,
    "test-week": BusyKind.TEST_WEEK,
    "opendag": BusyKind.OPEN_DAY,
    "open-dag": BusyKind.OPEN_DAY,
    "open-day": BusyKind.OPEN_DAY,
    "studiedag": BusyKind.STUDY_DAY,
    "study-day": BusyKind.STUDY_DAY,
    "examenperiode": BusyKind.EXAM_PERIOD,
    "examen": BusyKind.EXAM_PERIOD,
    "exam-period": BusyKind.EXAM_PERIOD,
    "rapportvergaderingen": BusyKind.REPORT_MEETINGS,
    "rapportvergadering": BusyKind.REPORT_MEETINGS,
    "report-meetings": BusyKind.REPORT_MEETINGS,
    "vakantie": BusyKind.HOLIDAY,
    "vrij": BusyKind.HOLIDAY,
    "overig": BusyKind.OTHER,
    "anders": BusyKind.OTHER,
}

SEVERITY_WORDS: dict[str, Severity] = {"hard": Severity.HARD, "zacht": Severity.SOFT}

ORGANISATION_KIND_WORDS: dict[str, OrganisationKind] = {
    "schoolbestuur": OrganisationKind.BOARD,
    "bestuur": OrganisationKind.BOARD,
    "partner": OrganisationKind.PARTNER,
}

LOCATION_WORDS: dict[str, LocationMode] = {
    "roulerend": LocationMode.ROTATE,
    "rouleren": LocationMode.ROTATE,
    "rotation": LocationMode.ROTATE,
    "wisselend": LocationMode.ROTATE,
}


class PollChoice(StrEnum):
    """A participant's answer to one date in a series poll."""

    YES = "yes"  # kan
    MAYBE = "maybe"  # liever niet
    NO = "no"  # kan niet
