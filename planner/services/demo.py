"""A believable demo: schools in Woerden, Alkmaar and Eindhoven, with their busy periods.

The organisations are invented; the holidays are the real ones.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from planner.domain.kinds import MemberConsent
from planner.models import Base, Organisation, Person
from planner.services.busy_periods import create_busy_period
from planner.services.collaborations import create_collaboration
from planner.services.organisations import create_organisation
from planner.services.school_calendar import set_closure_days, set_holiday_override

ORGANISATIONS: list[dict[str, Any]] = [
    # Woerden (midden): two secondary schools sharing the coaching of starting teachers.
    {
        "kind": "school",
        "name": "Minnaert College",
        "brin": "91XA",
        "sector": "vo",
        "region": "midden",
        "city": "Woerden",
    },
    {
        "kind": "school",
        "name": "Groenendaal Lyceum",
        "brin": "91XB",
        "sector": "vo",
        "region": "midden",
        "city": "Woerden",
    },
    # Around Alkmaar (noord): three school boards with a regional staff pool.
    {"kind": "board", "name": "Stichting Kennemer Kind", "region": "noord", "city": "Alkmaar"},
    {
        "kind": "board",
        "name": "Stichting Heerhugowaard Primair",
        "region": "noord",
        "city": "Heerhugowaard",
    },
    {
        "kind": "board",
        "name": "Openbaar Onderwijs Bergen-Heiloo",
        "region": "noord",
        "city": "Heiloo",
    },
    # Eindhoven (zuid): a vmbo and its mbo partner in one learning route.
    {
        "kind": "school",
        "name": "Vakcollege Eindhoven",
        "brin": "92XC",
        "sector": "vo",
        "region": "zuid",
        "city": "Eindhoven",
    },
    {
        "kind": "school",
        "name": "Kempen Vakschool mbo",
        "brin": "93XD",
        "sector": "mbo",
        "region": "zuid",
        "city": "Eindhoven",
    },
    # An external youth-care partner: no school holidays of its own.
    {"kind": "partner", "name": "Jeugdhulp De Brug", "city": "Utrecht"},
]

# (organisation name, busy period fields); weeks are ISO weeks of the school year.
BUSY_PERIODS: list[tuple[str, dict[str, Any]]] = []


def _vo_year(
    name: str,
    year: str,
    test_weeks: list[str],
    open_day: str,
    study_days: list[str],
    exams: str,
    reports: list[str],
) -> None:
    for weeks in test_weeks:
        BUSY_PERIODS.append((name, {"kind": "test_week", "school_year": year, "weeks": weeks}))
    BUSY_PERIODS.append(
        (name, {"kind": "open_day", "first_day": open_day, "note": "Open dag voor groep 8"})
    )
    for day in study_days:
        BUSY_PERIODS.append((name, {"kind": "study_day", "first_day": day}))
    BUSY_PERIODS.append(
        (
            name,
            {"kind": "exam_period", "school_year": year, "weeks": exams, "note": "Centraal examen"},
        )
    )
    for weeks in reports:
        BUSY_PERIODS.append(
            (name, {"kind": "report_meetings", "school_year": year, "weeks": weeks})
        )


_vo_year(
    "Minnaert College",
    "2025-2026",
    ["46-47", "5-6", "15-16", "27"],
    "2026-01-31",
    ["2025-10-06", "2026-03-16"],
    "20-22",
    ["48", "24"],
)
_vo_year(
    "Minnaert College",
    "2026-2027",
    ["46-47", "5-6", "15-16", "27"],
    "2027-01-30",
    ["2026-10-05", "2027-03-15"],
    "20-22",
    ["48", "24"],
)
_vo_year(
    "Groenendaal Lyceum",
    "2025-2026",
    ["45-46", "4-5", "14-15", "26-27"],
    "2026-02-04",
    ["2025-11-18", "2026-04-08"],
    "20-22",
    ["49", "25"],
)
_vo_year(
    "Groenendaal Lyceum",
    "2026-2027",
    ["45-46", "4-5", "14-15", "26-27"],
    "2027-02-03",
    ["2026-11-17", "2027-04-07"],
    "20-22",
    ["49", "25"],
)
_vo_year(
    "Vakcollege Eindhoven",
    "2025-2026",
    ["44", "3", "13", "26"],
    "2026-01-28",
    ["2025-12-12", "2026-06-05"],
    "19-21",
    ["27"],
)
_vo_year(
    "Vakcollege Eindhoven",
    "2026-2027",
    ["44", "3", "13", "26"],
    "2027-01-27",
    ["2026-12-11", "2027-06-04"],
    "19-21",
    ["27"],
)

for _year, _days in {
    "2025-2026": ["2025-09-24", "2026-01-19", "2026-06-29"],
    "2026-2027": ["2026-09-23", "2027-01-18", "2027-06-28"],
}.items():
    for _day in _days:
        BUSY_PERIODS.append(("Stichting Kennemer Kind", {"kind": "study_day", "first_day": _day}))
    BUSY_PERIODS.append(
        (
            "Stichting Heerhugowaard Primair",
            {"kind": "study_day", "first_day": _days[1], "note": "Bovenschoolse studiedag"},
        )
    )
    BUSY_PERIODS.append(
        (
            "Openbaar Onderwijs Bergen-Heiloo",
            {
                "kind": "other",
                "school_year": _year,
                "weeks": "6",
                "note": "Adviesgesprekken groep 8",
            },
        )
    )

BUSY_PERIODS += [
    ("Openbaar Onderwijs Bergen-Heiloo", {"kind": "study_day", "first_day": "2025-11-12"}),
    ("Openbaar Onderwijs Bergen-Heiloo", {"kind": "study_day", "first_day": "2026-11-11"}),
    (
        "Kempen Vakschool mbo",
        {
            "kind": "exam_period",
            "school_year": "2025-2026",
            "weeks": "24-25",
            "note": "Examenweken BOL",
        },
    ),
    (
        "Kempen Vakschool mbo",
        {
            "kind": "exam_period",
            "school_year": "2026-2027",
            "weeks": "24-25",
            "note": "Examenweken BOL",
        },
    ),
    ("Kempen Vakschool mbo", {"kind": "open_day", "first_day": "2025-11-22"}),
    ("Kempen Vakschool mbo", {"kind": "open_day", "first_day": "2026-11-21"}),
    ("Kempen Vakschool mbo", {"kind": "study_day", "first_day": "2026-02-06"}),
    ("Kempen Vakschool mbo", {"kind": "study_day", "first_day": "2027-02-05"}),
    (
        "Jeugdhulp De Brug",
        {
            "kind": "other",
            "first_day": "2026-12-07",
            "last_day": "2026-12-11",
            "severity": "soft",
            "note": "Jaarafsluiting en audit",
        },
    ),
]

OVERRIDES: list[tuple[str, dict[str, Any]]] = [
    # Groenendaal takes the autumn holiday a week earlier than advised for midden in 2026.
    (
        "Groenendaal Lyceum",
        {
            "school_year": "2026-2027",
            "holiday": "herfstvakantie",
            "first_day": "2026-10-10",
            "last_day": "2026-10-18",
            "note": "Afgestemd met het primair onderwijs in Woerden",
        },
    ),
]

CLOSURE_DAYS: dict[str, list[str]] = {
    "Minnaert College": ["goede_vrijdag", "vrijdag_na_hemelvaart"],
    "Groenendaal Lyceum": ["goede_vrijdag", "vrijdag_na_hemelvaart"],
    "Vakcollege Eindhoven": ["vrijdag_na_hemelvaart"],
    "Stichting Kennemer Kind": ["vrijdag_na_hemelvaart"],
}


# The demo's meetings were planned as if on this morning, so the same dates come out every time:
# before the summer holiday, as coordinators do, so the first meetings of September are well
# beyond the minimum notice.
PLANNED_AT = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)

COLLABORATIONS: list[dict[str, Any]] = [
    {
        # Two schools in one town, meeting every four weeks: planned for the whole year.
        "name": "Startersbegeleiding Woerden",
        "ambition": "Samen nieuwe docenten inwerken en behouden.",
        "members": ["91XA", "91XB"],
        "coordinators": [
            "Anouk de Vries <a.devries@minnaert.example>",
            "Pieter Jansen <p.jansen@groenendaal.example>",
        ],
        "participants": ["Esra Yilmaz <e.yilmaz@groenendaal.example>"],
        "weekdays": "di,do",
        "start_time": "15:30",
        "duration_minutes": 90,
        "target_weeks": 4,
        "max_gap_weeks": 6,
        "location": "rotate",
    },
    {
        # vmbo–mbo learning route with youth care: one meeting held, nothing planned after it.
        "name": "Doorlopende leerlijn techniek Eindhoven",
        "ambition": "Geen leerling valt tussen vmbo en mbo uit de boot.",
        "members": ["92XC", "93XD", "Jeugdhulp De Brug"],
        # 92XC has not answered yet: the collaboration sees its busy periods as "bezet".
        "waiting": ["92XC"],
        "coordinators": ["Fatima El Amrani <f.elamrani@vakcollege-eindhoven.example>"],
        "participants": [
            "Joost Bakker <j.bakker@kempenvakschool.example>",
            "Sanne Visser <s.visser@jeugdhulpdebrug.example>",
        ],
        "weekdays": "ma,wo",
        "start_time": "14:00",
        "latest_start": "16:00",
        "duration_minutes": 60,
        "target_weeks": 6,
        "max_gap_weeks": 8,
        "location": "rotate",
        "days": ["2026-09-16"],
    },
    {
        # Noord and zuid together (an education–care arrangement): the next meeting drifts.
        "name": "Onderwijs-zorgarrangement Noord-Holland–Brabant",
        "ambition": "Passend onderwijs en jeugdhulp in één plan per kind.",
        "members": [
            "Stichting Kennemer Kind",
            "Stichting Heerhugowaard Primair",
            "Openbaar Onderwijs Bergen-Heiloo",
            "92XC",
            "Jeugdhulp De Brug",
        ],
        "coordinators": [
            "Marloes Kok <m.kok@kennemerkind.example>",
            "Sanne Visser <s.visser@jeugdhulpdebrug.example>",
        ],
        "weekdays": "di,wo,do",
        "start_time": "19:00",
        "duration_minutes": 90,
        "target_weeks": 6,
        "max_gap_weeks": 8,
        "location": "online",
        "location_note": "Online (Teams)",
        "days": ["2026-09-09", "2027-01-26"],
    },
]


# Demo logins, all with DEMO_PASSWORD: the platform administrator, a school administrator per
# Woerden school, and the coordinators of the collaborations above.
DEMO_PASSWORD = "planner-demo"
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {"name": "Beheer Planner", "email": "beheer@planner.example", "admin": True},
    {"name": "Kees Smit", "email": "roosters@minnaert.example", "schools": ["91XA"]},
    {"name": "Ilse de Boer", "email": "roosters@groenendaal.example", "schools": ["91XB"]},
    {"email": "a.devries@minnaert.example"},
    {"email": "p.jansen@groenendaal.example"},
    {"email": "f.elamrani@vakcollege-eindhoven.example"},
    {"email": "m.kok@kennemerkind.example"},
]


def has_data(session: Session) -> bool:
    """Return whether any organisation exists."""
    return bool(session.scalar(select(func.count()).select_from(Organisation)))


def clear_all(session: Session) -> None:
    """Delete every row of every table (for --reset)."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))


def load_demo(session: Session, now: datetime) -> dict[str, int]:
    """Create the demo organisations, busy periods, overrides and closure days."""
    by_name = {}
    for fields in ORGANISATIONS:
        org = create_organisation(session, fields, now)
        by_name[org.name] = org
    for name, fields in BUSY_PERIODS:
        create_busy_period(
            session, {**fields, "organisation": by_name[name].id}, now, source="demo"
        )
    for name, fields in OVERRIDES:
        set_holiday_override(session, by_name[name], fields, now)
    for name, kinds in CLOSURE_DAYS.items():
        set_closure_days(session, by_name[name], kinds, now)
    meetings = _load_collaborations(session, by_name, now)
    _load_accounts(session, now)
    return {
        "organisations": len(ORGANISATIONS),
        "busy_periods": len(BUSY_PERIODS),
        "holiday_overrides": len(OVERRIDES),
        "collaborations": len(COLLABORATIONS),
        "meetings": meetings,
        "accounts": len(DEMO_ACCOUNTS),
    }


@functools.cache
def _demo_password_hash() -> str:
    # Hashed once per process: scrypt is slow on purpose, and the demo loads in many tests.
    from planner.services.accounts import hash_password

    return hash_password(DEMO_PASSWORD)


def _load_accounts(session: Session, now: datetime) -> None:
    # Imported here like planning: accounts sit beside people.
    from planner.services.accounts import grant_school_admin
    from planner.services.organisations import find_organisation
    from planner.services.people import find_person

    for fields in DEMO_ACCOUNTS:
        if "name" in fields:
            person = Person(
                name=fields["name"],
                email=fields["email"],
                language="nl",
                created_at=now,
                updated_at=now,
            )
            session.add(person)
            session.flush()
        else:
            person = find_person(session, fields["email"])
        person.password_hash = _demo_password_hash()
        person.is_admin = bool(fields.get("admin"))
        for ref in fields.get("schools", []):
            grant_school_admin(session, person, find_organisation(session, ref), now)


def _load_collaborations(session: Session, by_name: dict[str, Organisation], now: datetime) -> int:
    # Imported here: planning sits above the services the organisations above use.
    from planner.services.planning import confirm_plan, preview_plan

    count = 0
    for fields in COLLABORATIONS:
        raw = {key: value for key, value in fields.items() if key not in ("days", "waiting")}
        raw["members"] = [by_name[ref].id if ref in by_name else ref for ref in raw["members"]]
        collab = create_collaboration(session, raw, now)
        # The demo's schools agreed beforehand that their collaborations read their notes.
        waiting = set(fields.get("waiting", []))
        for member in collab.members:
            org = member.organisation
            if org.brin not in waiting and org.name not in waiting:
                member.consent, member.consent_at = MemberConsent.AGREED, now
        days = [date.fromisoformat(day) for day in fields.get("days", [])] or None
        preview = preview_plan(session, collab, PLANNED_AT, school_year="2026-2027", days=days)
        count += len(confirm_plan(session, preview, now))
    return count
