"""Benchmark: a year plan for 20 schools and 30 participants with free/busy data and poll answers.

Run: .venv/bin/python bench/plan_people.py [DATABASE_URL]   (a PostgreSQL database is emptied)
The collaboration of bench/plan_series.py (20 schools over three regions, 300 busy periods,
Mon-Fri, every 4 weeks, at most 6; a start from 13:30 to 16:00), now with 30 participants (one
per school for 25 of them, the rest partners). Each gave a free/busy address: busy intervals
over the school year as a working calendar has them (two to four appointments on a weekday, a
recurring weekly one, a few whole days off), stored cut at local midnights: about 575 each. A
poll asked about 15 days and everyone answered each of them.

Prints the median and p95 of the planning service call (load calendars, meetings, the people's
busy intervals and answers, choose days and starts, explain every date) before anyone gave an
address, with free/busy, and with free/busy and the poll's answers; the target is <= 20 ms
median.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from blocked_days import populate, timed
from sqlalchemy import insert, select, text

from planner.database import Database
from planner.domain.kinds import PollChoice
from planner.domain.people_costs import split_at_midnights
from planner.migrate import upgrade_database
from planner.models import Collaboration, Person, PersonBusy, PersonCalendar
from planner.services.collaborations import create_collaboration
from planner.services.planning import preview_plan

NOW = datetime(2026, 8, 1, 8, 0, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")
FIRST = date(2026, 8, 1)
LAST = date(2027, 7, 31)
PEOPLE = 30


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMS).astimezone(UTC)


def busy_rows(rng: random.Random, person_id: int, calendar_id: int) -> list[dict[str, object]]:
    """A working calendar's busy time over the school year, as a free/busy export gives it."""
    rows = []
    weekly = rng.randrange(5)  # a recurring appointment on this weekday
    day = FIRST
    while day <= LAST:
        if day.weekday() < 5:
            if rng.random() < 0.02:  # a day off
                rows.append((_at(day, 0), _at(day + timedelta(days=1), 0)))
            else:
                for _ in range(rng.randrange(2, 5)):
                    hour = rng.randrange(8, 18)
                    minutes = rng.choice([30, 60, 90, 120])
                    start = _at(day, hour, rng.choice([0, 30]))
                    rows.append((start, start + timedelta(minutes=minutes)))
                if day.weekday() == weekly:
                    rows.append((_at(day, 15, 30), _at(day, 17)))
        day += timedelta(days=1)
    return [
        {
            "person_calendar_id": calendar_id,
            "person_id": person_id,
            "starts_at": start,
            "ends_at": end,
        }
        for start, end in split_at_midnights(rows)
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp}/bench.sqlite"
        db = Database(url)
        if db.engine.dialect.name == "postgresql":  # a database of its own: start empty
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade_database(db.engine)
        ids = populate(db)
        rng = random.Random(7)
        participants = [f"Deelnemer {n} <d{n}@school{n % 20}.example>" for n in range(PEOPLE)]
        with db.session() as session:
            collab = create_collaboration(
                session,
                {
                    "name": "Twintig scholen",
                    "members": ids,
                    "coordinators": ["Co <co@example.org>"],
                    "participants": participants,
                    "weekdays": "ma,di,wo,do,vr",
                    "start_time": "13:30",
                    "latest_start": "16:00",
                    "target_weeks": 4,
                    "max_gap_weeks": 6,
                },
                NOW,
            )
            session.commit()
            collab_id = collab.id
        with db.session() as session:
            collab = session.get(Collaboration, collab_id)
            assert collab is not None
            preview_plan(session, collab, NOW, school_year="2026-2027")
            nobody = timed(lambda: preview_plan(session, collab, NOW, school_year="2026-2027"))
        with db.session() as session:
            people = list(
                session.scalars(select(Person).where(Person.email.like("d%@school%.example")))
            )
            for n, person in enumerate(people):
                person.organisation_id = ids[n % 20] if n < 25 else None
            total = 0
            for person in people:
                calendar = PersonCalendar(
                    person_id=person.id,
                    url=f"https://calendar.example/{person.id}/basic.ics",
                    next_run_at=NOW,
                    created_at=NOW,
                    updated_at=NOW,
                )
                session.add(calendar)
                session.flush()
                rows = busy_rows(rng, person.id, calendar.id)
                total += len(rows)
                session.execute(insert(PersonBusy), rows)
                calendar.busy_count = len(rows)
            session.commit()
            person_ids = [person.id for person in people]
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum keeps them: without, the planner does not see
            # that a few days of a year narrow person_busy down.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))

        with db.session() as session:
            collab = session.get(Collaboration, collab_id)
            assert collab is not None
            plain = preview_plan(session, collab, NOW, school_year="2026-2027")
            asked = sorted({item.day for item in plain.new_meetings})
            asked += sorted(set(plain.problem.candidates) - set(asked))[:10]
            answers = {
                day: {
                    person: rng.choice(
                        [PollChoice.YES, PollChoice.YES, PollChoice.MAYBE, PollChoice.NO]
                    )
                    for person in person_ids
                }
                for day in asked
            }
            with_busy = preview_plan(session, collab, NOW, school_year="2026-2027")
            with_poll = preview_plan(session, collab, NOW, school_year="2026-2027", answers=answers)
            busy_only = timed(lambda: preview_plan(session, collab, NOW, school_year="2026-2027"))
            poll = timed(
                lambda: preview_plan(session, collab, NOW, school_year="2026-2027", answers=answers)
            )
        print(
            f"database: {db.engine.dialect.name}; 20 schools, 300 busy periods, {PEOPLE} "
            f"participants with {total} busy intervals ({total // PEOPLE} each), a poll of "
            f"{len(asked)} days answered by all"
        )
        print(
            f"candidate days: {len(with_busy.problem.candidates)}; planned: "
            f"{len(with_busy.new_meetings)} meetings, starts "
            + ", ".join(
                item.starts_at.astimezone(AMS).strftime("%d-%m %H:%M")
                for item in with_busy.new_meetings
            )
        )
        print(
            "with the poll: " + ", ".join(item.day.isoformat() for item in with_poll.new_meetings)
        )
        print(f"service, nobody's free/busy: median {nobody[0]:.1f} ms, p95 {nobody[1]:.1f} ms")
        print(
            f"service, free/busy:          median {busy_only[0]:.1f} ms, p95 {busy_only[1]:.1f} ms"
        )
        print(f"service, free/busy and poll: median {poll[0]:.1f} ms, p95 {poll[1]:.1f} ms")


if __name__ == "__main__":
    main()
