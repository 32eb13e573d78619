"""Benchmark: plan a whole school year for 20 schools over three regions with 300 busy periods.

Run: .venv/bin/python bench/plan_series.py [DATABASE_URL]
Prints the median and p95 of
- the service (load calendars, meetings and participants' meetings from the database, count the
  minimum notice in school days, check which member schools filled in their calendar for the
  year, choose the days, start times and locations, explain every date) and
- the planner alone (the shortest-path search over the candidate days, as in planner.domain).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime

from blocked_days import populate, timed

from planner.database import Database
from planner.domain.planning import plan_series
from planner.migrate import upgrade_database
from planner.services.collaborations import create_collaboration
from planner.services.planning import preview_plan

NOW = datetime(2026, 8, 1, 8, 0, tzinfo=UTC)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp}/bench.sqlite"
        db = Database(url)
        upgrade_database(db.engine)
        ids = populate(db)
        with db.session() as session:
            collab = create_collaboration(
                session,
                {
                    "name": "Twintig scholen",
                    "members": ids,
                    "coordinators": ["Co <co@example.org>"],
                    "weekdays": "ma,di,wo,do,vr",
                    "start_time": "15:30",
                    "target_weeks": 4,
                    "max_gap_weeks": 6,
                },
                NOW,
            )
            session.commit()
            preview = preview_plan(session, collab, NOW, school_year="2026-2027")
            service = timed(lambda: preview_plan(session, collab, NOW, school_year="2026-2027"))
            planner_only = timed(lambda: plan_series(preview.problem), rounds=100)
        plan = preview.plan
        print(
            f"database: {db.engine.dialect.name}; 20 schools (noord, midden, zuid), "
            "300 busy periods, school year 2026-2027, Mon-Fri, every 4 weeks, max 6"
        )
        print(
            f"candidate days: {len(preview.problem.candidates)}; planned: "
            f"{len(preview.new_meetings)} meetings; largest excess: {plan.largest_excess_days} days"
        )
        missing = sum(len(orgs) for orgs in preview.missing_calendars.values())
        print(
            f"minimum notice: {collab.notice_days} school days (earliest day {preview.earliest}); "
            f"calendars not filled in: {missing} of {len(ids)} schools"
        )
        print(
            f"service (load + plan + explain): median {service[0]:.1f} ms, p95 {service[1]:.1f} ms"
        )
        print(
            f"planner only (search):           median {planner_only[0]:.1f} ms, "
            f"p95 {planner_only[1]:.1f} ms"
        )
        db.engine.dispose()


if __name__ == "__main__":
    main()
