"""Benchmark: re-plan 1,000 collaborations of 20 schools after a holiday-data change.

Run: .venv/bin/python bench/replan.py [DATABASE_URL] [COLLABORATIONS]
Set-up (not timed): 60 schools, 20 per region, with 900 busy periods (so each collaboration of
20 schools sees about 300), and 1,000 collaborations of 20 schools each, every one with its school
year 2026-2027 planned and confirmed. Then the Rijksoverheid corrects the data: the spring
holiday of region midden moves a week later. Timed:
- the reaction: scan every future meeting of every collaboration, flag those that now fall in
  the holiday and propose the nearest good new date (planner.services.conflicts);
- a full re-plan preview of every collaboration's school year with the new data.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from planner.calendar_nl import load_school_holidays
from planner.database import Database
from planner.migrate import upgrade_database
from planner.services.busy_periods import create_busy_period
from planner.services.collaborations import create_collaboration, list_collaborations
from planner.services.conflicts import scan_conflicts
from planner.services.organisations import create_organisation
from planner.services.plan_context import CalendarCache
from planner.services.planning import confirm_plan, preview_plan
from planner.services.school_calendar import import_school_holidays

REGIONS = ("noord", "midden", "zuid")
FIRST, LAST = date(2026, 8, 1), date(2027, 7, 31)
PLANNED_AT = datetime(2026, 8, 3, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def populate(db: Database, collaborations: int) -> None:
    rng = random.Random(7)
    with db.session() as session:
        schools = [
            create_organisation(
                session, {"name": f"School {n}", "region": REGIONS[n % 3], "sector": "vo"}, NOW
            ).id
            for n in range(60)
        ]
        for n in range(900):
            first = FIRST + timedelta(days=rng.randrange(330))
            create_busy_period(
                session,
                {
                    "organisation": schools[n % 60],
                    "kind": rng.choice(["test_week", "open_day", "study_day", "report_meetings"]),
                    "first_day": first.isoformat(),
                    "last_day": (first + timedelta(days=rng.choice([0, 0, 1, 4]))).isoformat(),
                },
                NOW,
            )
        session.commit()
        for n in range(collaborations):
            members = [rng.choice(schools[r::3]) for r in range(3)]
            members += rng.sample([s for s in schools if s not in members], 17)
            create_collaboration(
                session,
                {
                    "name": f"Samenwerking {n}",
                    "members": members,
                    "coordinators": [f"Co {n} <co{n}@example.org>"],
                    "weekdays": "ma,di,wo,do,vr",
                    "start_time": "15:30",
                    "target_weeks": 4,
                    "max_gap_weeks": 8,
                },
                NOW,
            )
        session.commit()
        cache = CalendarCache(FIRST - timedelta(days=7), LAST + timedelta(days=7))
        for collab in list_collaborations(session):
            preview = preview_plan(
                session, collab, PLANNED_AT, school_year="2026-2027", cache=cache
            )
            confirm_plan(session, preview, PLANNED_AT)
        session.commit()


def moved_spring_holiday() -> list:  # type: ignore[type-arg]
    holidays = [h for h in load_school_holidays() if h.school_year == "2026-2027"]
    return [
        replace(
            h,
            first_day=h.first_day + timedelta(days=7),
            last_day=h.last_day + timedelta(days=7),
        )
        if h.name == "voorjaarsvakantie" and h.region == "midden"
        else h
        for h in holidays
    ]


def main() -> None:
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else f"sqlite:///{tmp}/r.sqlite"
        db = Database(url)
        upgrade_database(db.engine)
        started = time.perf_counter()
        populate(db, count)
        set_up = time.perf_counter() - started
        with db.session() as session:
            result = import_school_holidays(session, moved_spring_holiday(), "bench", NOW)
            session.commit()
            start = time.perf_counter()
            reports, _ = scan_conflicts(session, NOW)
            session.commit()
            reaction = time.perf_counter() - start
            affected = len({r.meeting.collaboration_id for r in reports})
            proposed = sum(1 for r in reports if r.proposal is not None)
            start = time.perf_counter()
            cache = CalendarCache(FIRST - timedelta(days=7), LAST + timedelta(days=7))
            for collab in list_collaborations(session):
                preview_plan(session, collab, NOW, school_year="2026-2027", cache=cache)
            replan = time.perf_counter() - start
        print(
            f"database: {db.engine.dialect.name}; {count} collaborations of 20 schools "
            f"(60 schools, 900 busy periods), set up in {set_up:.0f} s"
        )
        print(f"holiday import: {result.changed} changed (voorjaarsvakantie midden a week later)")
        print(
            f"reaction (find + flag + propose): {reaction:.2f} s; {len(reports)} meetings hit in "
            f"{affected} collaborations, {proposed} with a proposed new date"
        )
        print(f"full re-plan preview of every collaboration: {replan:.2f} s")
        db.engine.dispose()


if __name__ == "__main__":
    main()
