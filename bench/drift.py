"""Benchmark: drift for 50,000 collaborations with 1,000,000 meetings on PostgreSQL.

Run: .venv/bin/python bench/drift.py [POSTGRESQL_URL]
Default URL: postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench (created when missing;
its schema is dropped and rebuilt by the real migrations). Set-up (not timed) loads 900 schools
over the three regions, 50,000 collaborations of three schools and 20 meetings each with COPY.
Timed, median of 5 runs after one warm-up:
- the one query that gives every collaboration its last and next meeting;
- the whole report (that query, plus the gap counted without shared holiday weeks per set of
  regions and the status of each collaboration), without fill-in proposals.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from planner.database import Database
from planner.migrate import upgrade_database
from planner.services.drift import drift_query, drift_report, statuses

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/planner_bench"
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
COLLABORATIONS = 50_000
MEETINGS_EACH = 20
REGIONS = ("noord", "midden", "zuid")


def ensure_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def populate(db: Database) -> None:
    rng = random.Random(11)
    stamp = NOW
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        with conn.cursor() as cur:
            with cur.copy(
                "COPY organisation (id, kind, name, sector, region, timezone, created_at, "
                "updated_at) FROM STDIN"
            ) as copy:
                for n in range(1, 901):
                    copy.write_row(
                        (n, "school", f"School {n}", "vo", REGIONS[n % 3], "Europe/Amsterdam",
                         stamp, stamp)
                    )  # fmt: skip
            with cur.copy(
                "COPY collaboration (id, name, target_weeks, max_gap_weeks, count_holidays, "
                "duration_minutes, weekdays, earliest_start, latest_start, location_mode, "
                "timezone, created_at, updated_at) FROM STDIN"
            ) as copy:
                for n in range(1, COLLABORATIONS + 1):
                    copy.write_row(
                        (n, f"Samenwerking {n}", 4, 6, n % 10 == 0, 90, "234", "15:30", "15:30",
                         "rotate", "Europe/Amsterdam", stamp, stamp)
                    )  # fmt: skip
            with cur.copy(
                "COPY collaboration_member (collaboration_id, organisation_id, position) FROM STDIN"
            ) as copy:
                for n in range(1, COLLABORATIONS + 1):
                    for position, org in enumerate(rng.sample(range(1, 901), 3)):
                        copy.write_row((n, org, position))
            meeting_id = 0
            with cur.copy(
                "COPY meeting (id, collaboration_id, status, day, starts_at, ends_at, timezone, "
                "uid, sequence, created_at, updated_at) FROM STDIN"
            ) as copy:
                for n in range(1, COLLABORATIONS + 1):
                    # Twenty meetings every 3 to 7 weeks, the series starting between Jun 2024
                    # and Dec 2026: some long done, some running, some yet to start.
                    start = datetime(2024, 6, 3, 13, 30, tzinfo=UTC) + timedelta(
                        days=rng.randrange(900)
                    )
                    for _ in range(MEETINGS_EACH):
                        meeting_id += 1
                        status = (
                            "cancelled"
                            if rng.random() < 0.03
                            else ("held" if start < NOW else "confirmed")
                        )
                        copy.write_row(
                            (meeting_id, n, status, start.date(), start,
                             start + timedelta(minutes=90), "Europe/Amsterdam",
                             f"{meeting_id}@bench", 0, stamp, stamp)
                        )  # fmt: skip
                        start += timedelta(days=7 * rng.randint(3, 7))
            for table in ("organisation", "collaboration", "meeting"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        conn.commit()
    finally:
        raw.close()
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def timed(function, rounds: int = 5) -> float:  # type: ignore[no-untyped-def]
    function()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL
    ensure_database(url)
    db = Database(url)
    upgrade_database(db.engine)
    started = time.perf_counter()
    populate(db)
    set_up = time.perf_counter() - started
    with db.session() as session:
        meetings = session.scalar(text("SELECT count(*) FROM meeting"))
        session.execute(text("SET jit = off"))  # as drift_report does for its transaction
        query_ms = timed(lambda: session.execute(drift_query(NOW)).all())
        report_ms = timed(lambda: drift_report(session, NOW, fill_in=False))
        counts = statuses(drift_report(session, NOW, fill_in=False))
    print(
        f"database: PostgreSQL; {COLLABORATIONS} collaborations, {meetings} meetings "
        f"(set up in {set_up:.0f} s)"
    )
    print(f"drift query (one statement): median {query_ms:.0f} ms")
    print(f"drift report (query + gaps + status): median {report_ms:.0f} ms")
    print("statuses: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    db.engine.dispose()


if __name__ == "__main__":
    main()
