"""Leases (which worker runs the scheduler, which dispatches on SQLite) and the periodic jobs'
last runs: what the worker records, and what an administrator looks at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.models import JobState

# The periodic jobs of `planner worker` and the leases its processes hold.
JOBS = ("reminders", "settle", "daily", "weekly", "calendar_sync")
LEASES = ("scheduler", "dispatch")


def acquire_lease(session: Session, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take or renew the lease `name` for `holder`; return whether `holder` has it. Commits."""
    if session.get(JobState, name) is None:
        try:
            with session.begin_nested():
                session.add(JobState(name=name))
        except IntegrityError:
            pass
    result = session.execute(
        update(JobState)
        .where(
            JobState.name == name,
            or_(
                JobState.holder == holder,
                JobState.holder.is_(None),
                JobState.lease_until.is_(None),
                JobState.lease_until < now,
            ),
        )
        .values(holder=holder, lease_until=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_lease(session: Session, name: str, holder: str) -> None:
    """Give a lease up (on shutdown). Commits."""
    session.execute(
        update(JobState)
        .where(JobState.name == name, JobState.holder == holder)
        .values(holder=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def last_run(session: Session, job: str) -> datetime | None:
    """When a periodic job last completed."""
    state = session.get(JobState, f"job:{job}")
    return state.last_run_at if state else None


def record_run(session: Session, job: str, now: datetime, error: str | None = None) -> None:
    """Record a periodic job's run (its error, if it failed; then it stays overdue)."""
    state = session.get(JobState, f"job:{job}")
    if state is None:
        state = JobState(name=f"job:{job}")
        session.add(state)
    if error is None:
        state.last_run_at = now
    state.last_error = error


@dataclass(frozen=True)
class Lease:
    """Who holds a lease, until when, and whether it is held now."""

    name: str
    holder: str | None
    until: datetime | None
    held: bool


@dataclass(frozen=True)
class JobRun:
    """When a periodic job last completed, and its last error."""

    name: str
    last_run: datetime | None
    error: str | None


def lease_of(session: Session, name: str, now: datetime) -> Lease:
    """The state of one lease."""
    state = session.get(JobState, name)
    held = bool(state and state.holder and state.lease_until and state.lease_until > now)
    return Lease(
        name,
        state.holder if state else None,
        state.lease_until if state else None,
        held,
    )


def worker_health(session: Session, now: datetime) -> tuple[list[Lease], list[JobRun]]:
    """Every lease and every periodic job, for the administrator."""
    jobs = []
    for name in JOBS:
        state = session.get(JobState, f"job:{name}")
        jobs.append(
            JobRun(name, state.last_run_at if state else None, state.last_error if state else None)
        )
    return [lease_of(session, name, now) for name in LEASES], jobs
