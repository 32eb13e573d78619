"""Benchmark: blocked days of a school year for 20 schools over three regions with 300 busy periods.

Run: .venv/bin/python bench/blocked_days.py [DATABASE_URL]
Prints the median and p95 of the service call (load from the database + compute) and of the pure
domain computation alone.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import selectinload

from planner.database import Database
from planner.domain.availability import blocked_days
from planner.migrate import upgrade_database
from planner.models import Organisation
from planner.services.availability import blocked_days_for, organisation_calendars
from planner.services.busy_periods import create_busy_period
from planner.services.organisations import create_organisation

REGIONS = ("noord", "midden", "zuid")
FIRST, LAST = date(2026, 8, 1), date(2027, 7, 31)


def populate(db: Database) -> list[int]:
    rng = random.Random(42)
    now = datetime(2026, 8, 1, tzinfo=UTC)
    ids = []
    with db.session() as session:
        for n in range(20):
            org = create_organisation(
                session, {"name": f"School {n}", "region": REGIONS[n % 3], "sector": "vo"}, now
            )
            ids.append(org.id)
        for n in range(300):
            first = FIRST + timedelta(days=rng.randrange(330))
            create_busy_period(
                session,
                {
                    "organisation": ids[n % 20],
                    "kind": rng.choice(["test_week", "open_day", "study_day", "report_meetings"]),
                    "first_day": first.isoformat(),
                    "last_day": (first + timedelta(days=rng.choice([0, 0, 4, 11]))).isoformat(),
                },
                now,
            )
        session.commit()
    return ids


def timed(function, rounds: int = 30) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp}/bench.sqlite"
        db = Database(url)
        upgrade_database(db.engine)
        ids = populate(db)
        with db.session() as session:
            found = blocked_days_for(session, ids, FIRST, LAST)
            service = timed(lambda: blocked_days_for(session, ids, FIRST, LAST))
            orgs = [
                session.get(
                    Organisation,
                    i,
                    options=[
                        selectinload(Organisation.holiday_overrides),
                        selectinload(Organisation.closure_days),
                    ],
                )
                for i in ids
            ]
            calendars = organisation_calendars(session, [o for o in orgs if o], FIRST, LAST)
            domain = timed(lambda: blocked_days(calendars, FIRST, LAST))
        print(
            f"database: {db.engine.dialect.name}; 20 schools, 300 busy periods, "
            "school year 2026-2027"
        )
        print(f"blocked weekdays found: {len(found)} ({sum(d.hard for d in found)} hard)")
        print(f"service (load + compute): median {service[0]:.1f} ms, p95 {service[1]:.1f} ms")
        print(f"domain only:              median {domain[0]:.1f} ms, p95 {domain[1]:.1f} ms")
        db.engine.dispose()


if __name__ == "__main__":
    main()
