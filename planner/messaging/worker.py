"""`planner worker`: the process that acts on what happened, with APScheduler 3.x.

Jobs (APScheduler docs: scheduler in its own process, jobs in code with ids, coalesce,
max_instances=1, a misfire grace time):

- `dispatch`, every WORKER_DISPATCH_SECONDS: pending events to their handlers, then due mails
  to the SMTP server, each checked just before it is sent: a mail that no longer says what is
  true (its meeting was cancelled or moved, the person left…) is dropped instead
  (planner.services.stale_mail). Safe with several workers on PostgreSQL (`FOR UPDATE SKIP
  LOCKED`, mail leases); on SQLite one worker dispatches (the `dispatch` lease), the others
  stand by.
- `minute`: due reminders, meetings that ended (held, follow-up rule), REPLY mails.
- `daily` at DAILY_JOB_TIME and `weekly` (Monday DIGEST_TIME): drift, conflicts, plan top-up;
  the digest. These three run only in the worker holding the `scheduler` lease; another takes
  over within WORKER_LEASE_SECONDS when it dies. A daily or weekly run that was missed (the
  worker was down) runs at the next start.

`planner worker --once` does everything due and exits (cron, tests).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from planner.clock import app_now
from planner.config import NoPublicUrl
from planner.messaging import jobs
from planner.messaging.dispatch import handle
from planner.messaging.transport import SendError, make_transport
from planner.services.leases import acquire_lease, last_run, record_run, release_lease
from planner.services.outbox import (
    claim_events,
    claim_mails,
    event_failed,
    event_held,
    extend_claim,
    mail_failed,
    mail_sent,
    release_mails,
)
from planner.services.stale_mail import drop_if_stale

log = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCHEDULER_LEASE = "scheduler"
DISPATCH_LEASE = "dispatch"


@dataclass
class RoundResult:
    """What one `--once` run did."""

    events: int = 0
    mails_sent: int = 0
    mails_failed: int = 0
    mails_dropped: int = 0  # out of date when they were to be sent
    periodic: dict[str, Any] = field(default_factory=dict)


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def last_due(now: datetime, at: time, weekday: int | None = None) -> datetime:
    """The latest scheduled instant at or before `now` (Amsterdam wall clock)."""
    local = now.astimezone(AMSTERDAM)
    day = local.date()
    for _ in range(8):
        candidate = datetime.combine(day, at, AMSTERDAM)
        if candidate <= local and (weekday is None or day.weekday() == weekday):
            return candidate.astimezone(now.tzinfo)
        day -= timedelta(days=1)
    raise AssertionError("unreachable")


class Worker:
    """Dispatches events, sends mails and runs the periodic jobs of one process."""

    def __init__(self, app: Flask, name: str | None = None) -> None:
        self.app = app
        self.db = app.extensions["planner.db"]
        self.config = app.config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.sqlite = self.db.engine.dialect.name == "sqlite"
        self.lease_seconds = float(self.config["WORKER_LEASE_SECONDS"])
        self.batch = int(self.config["WORKER_BATCH"])
        self.stopping = threading.Event()
        if not self.config.get("PUBLIC_URL"):
            log.warning(NoPublicUrl.message)

    # --- time and leases --------------------------------------------------------------------

    def now(self) -> datetime:
        with self.app.app_context():
            return app_now()

    def holds(self, lease: str) -> bool:
        """Take or renew a lease."""
        with self.db.session() as session:
            return acquire_lease(session, lease, self.name, self.now(), self.lease_seconds)

    def may_dispatch(self) -> bool:
        """On SQLite only the holder of the dispatch lease dispatches."""
        return not self.sqlite or self.holds(DISPATCH_LEASE)

    def release(self) -> None:
        for lease in (SCHEDULER_LEASE, DISPATCH_LEASE):
            with self.db.session() as session:
                release_lease(session, lease, self.name)

    # --- the outboxes -----------------------------------------------------------------------

    def dispatch_events(self) -> int:
        """Hand one batch of due events to their handlers; return how many were taken."""
        if not self.may_dispatch():
            return 0
        with self.app.app_context(), self.db.session() as session:
            self._begin(session)
            now = app_now()
            events = claim_events(session, now, self.batch)
            for event in events:
                try:
                    with session.begin_nested():
                        handle(session, event, now)
                except NoPublicUrl as error:
                    # Not the event's fault: it goes as soon as the address is set.
                    event_held(event, now, str(error))
                except Exception as error:
                    log.exception("event %s (%s) failed", event.id, event.kind)
                    event_failed(
                        event,
                        now,
                        f"{type(error).__name__}: {error}",
                        base=float(self.config["EVENT_RETRY_BASE_SECONDS"]),
                        max_attempts=int(self.config["EVENT_MAX_ATTEMPTS"]),
                    )
                else:
                    event.done_at = now
            session.commit()
            return len(events)

    def _begin(self, session: Any) -> None:
        """Open the transaction explicitly on SQLite.

        pysqlite opens no transaction before a SAVEPOINT: a handler's (or a job's) savepoint
        would be a transaction of its own, committed on release without the rest (an event's
        done_at). BEGIN IMMEDIATE opens it and takes the write lock first.
        """
        if self.sqlite:
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")

    def send_mails(self) -> tuple[int, int, int]:
        """Send one batch of due mails; return (sent, failed, dropped as out of date)."""
        if not self.may_dispatch():
            return 0, 0, 0
        with self.db.session() as session:
            now = self.now()
            # One send may take several SMTP timeouts (connect, STARTTLS, login, the
            # transaction): the claim must outlast them, or another worker could take the mail.
            lease = timedelta(
                seconds=max(self.lease_seconds, 6 * float(self.config["MAIL_SMTP_TIMEOUT"]))
            )
            claimed = [
                (mail.id, mail.raw, mail.recipient, mail.message_id)
                for mail in claim_mails(session, now, self.name, self.batch, lease)
            ]
            session.commit()
        if not claimed:
            return 0, 0, 0
        sent = failed = dropped = 0
        base = float(self.config["MAIL_RETRY_BASE_SECONDS"])
        cap = float(self.config["MAIL_RETRY_MAX_SECONDS"])
        max_attempts = int(self.config["MAIL_MAX_ATTEMPTS"])
        transport = make_transport(self.config, self.app.instance_path)
        delivered: int | None = None  # recorded together with the next claim renewal
        with transport:
            for index, (mail_id, raw, recipient, message_id) in enumerate(claimed):
                if self.stopping.is_set():
                    break
                with self.db.session() as session:
                    if delivered is not None:
                        mail_sent(session, delivered, self.name, self.now())
                        delivered = None
                    # Send only while the claim is ours, with a fresh lease for this one send,
                    # and only what is still true (checked now, not when it was composed).
                    now = self.now()
                    mine = extend_claim(session, mail_id, self.name, now, lease)
                    stale = mine and self._stale(session, mail_id, now)
                    session.commit()
                if stale:
                    dropped += 1
                if not mine or stale:
                    continue
                try:
                    transport.send(raw, recipient, message_id)
                except Exception as caught:
                    # Anything unexpected counts as a failed attempt of this mail.
                    error = (
                        caught
                        if isinstance(caught, SendError)
                        else SendError(f"{type(caught).__name__}: {caught}")
                    )
                    failed += 1
                    # An outage postpones this mail and the rest of the batch, uncounted.
                    rest = claimed[index:] if error.outage else claimed[index : index + 1]
                    with self.db.session() as session:
                        for other in rest:
                            mail_failed(
                                session,
                                other[0],
                                self.name,
                                self.now(),
                                str(error),
                                permanent=error.permanent,
                                count=not error.outage,
                                base=base,
                                cap=cap,
                                max_attempts=max_attempts,
                            )
                        session.commit()
                    if error.outage:
                        log.warning("mail server unreachable; %s mails wait: %s", len(rest), error)
                        break
                    log.warning("mail %s to %s refused: %s", mail_id, recipient, error)
                else:
                    delivered = mail_id
                    sent += 1
        if delivered is not None:
            with self.db.session() as session:
                mail_sent(session, delivered, self.name, self.now())
                session.commit()
        unsent = [mail[0] for mail in claimed]
        with self.db.session() as session:
            release_mails(session, unsent, self.name)
            session.commit()
        return sent, failed, dropped

    @staticmethod
    def _stale(session: Any, mail_id: int, now: datetime) -> bool:
        """Drop the mail if it is out of date (in a savepoint: a failing check sends the mail
        as it was composed, as before the check existed)."""
        try:
            with session.begin_nested():
                return drop_if_stale(session, mail_id, now) is not None
        except Exception:
            log.exception("checking mail %s before sending failed; it is sent as composed", mail_id)
            return False

    def drain(self, rounds: int = 1000) -> RoundResult:
        """Dispatch and send until nothing is due (or `rounds` rounds)."""
        result = RoundResult()
        for _ in range(rounds):
            if self.stopping.is_set():
                break
            events = self.dispatch_events()
            sent, failed, dropped = self.send_mails()
            result.events += events
            result.mails_sent += sent
            result.mails_failed += failed
            result.mails_dropped += dropped
            if events == 0 and sent + failed + dropped == 0:
                break
        return result

    # --- periodic jobs ----------------------------------------------------------------------

    def _job(self, name: str, body: Callable[[Any, datetime], Any]) -> Any:
        """Run a periodic job in its own transaction, recording its run."""
        with self.app.app_context(), self.db.session() as session:
            self._begin(session)
            now = app_now()
            try:
                outcome = body(session, now)
                record_run(session, name, now)
                session.commit()
                return outcome
            except Exception as error:
                session.rollback()
                log.exception("job %s failed", name)
                record_run(session, name, now, f"{type(error).__name__}: {error}")
                session.commit()
                raise

    def minute(self) -> dict[str, Any]:
        """Reminders, ended meetings and REPLY mails (the scheduler leader only)."""
        if not self.holds(SCHEDULER_LEASE):
            return {}
        # Each part on its own: one failing (it is logged and recorded) does not stop the rest.
        done: dict[str, Any] = {
            "reminders": self._attempt(lambda: self._job("reminders", jobs.send_reminders)),
            "held": self._attempt(lambda: self._job("settle", jobs.settle)),
            "polls": self._attempt(lambda: self._job("polls", jobs.poll_deadlines)),
        }
        folder = self.config.get("REPLY_MAILDIR")
        if folder:
            done["replies"] = self._attempt(lambda: self._replies(str(folder)))
        done.update(self.periodic())
        return done

    def calendars(self) -> dict[str, Any]:
        """The linked school calendars that are due (the scheduler leader only): a job of its
        own, so slow calendar servers never hold up reminders."""
        if not self.holds(SCHEDULER_LEASE):
            return {}
        done: dict[str, Any] = {}
        done["calendars"] = self._attempt(lambda: self.sync_calendars(done))
        return done

    def sync_calendars(self, done_people: dict[str, Any] | None = None) -> dict[str, int]:
        """Fetch the linked school calendars and the people's own free/busy addresses that are
        due (every SYNC_INTERVAL_HOURS); the people's counts go into done_people, under
        "person_calendars"."""
        with self.app.app_context():
            now = app_now()
            try:
                done = jobs.sync_calendars(self.db.session, self.config, now)
            except Exception as error:
                with self.db.session() as session:
                    record_run(session, "calendar_sync", now, f"{type(error).__name__}: {error}")
                    session.commit()
                raise
        with self.db.session() as session:
            record_run(session, "calendar_sync", now)
            session.commit()
        if done_people is not None and done.people is not None:
            done_people["person_calendars"] = {
                "fetched": done.people.fetched,
                "not_modified": done.people.not_modified,
                "changed": done.people.changed,
                "failed": done.people.failed,
            }
        return {
            "fetched": done.fetched,
            "not_modified": done.not_modified,
            "changed": done.changed,
            "failed": done.failed,
        }

    def _replies(self, folder: str) -> tuple[int, int]:
        with self.app.app_context():
            return jobs.read_reply_mailbox(self.db.session, folder, app_now())

    @staticmethod
    def _attempt(job: Callable[[], Any]) -> Any:
        try:
            return job()
        except Exception as error:
            log.exception("periodic job failed")
            return f"failed: {type(error).__name__}"

    def overdue(self, job: str) -> bool:
        """Whether the daily or weekly job's latest scheduled time passed since its last run."""
        now = self.now()
        if job == "daily":
            due = last_due(now, _clock(str(self.config["DAILY_JOB_TIME"])))
        else:
            due = last_due(now, _clock(str(self.config["DIGEST_TIME"])), weekday=0)
        with self.db.session() as session:
            previous = last_run(session, job)
        return previous is None or previous < due

    def periodic(self, *, force: bool = False) -> dict[str, Any]:
        """Run the daily and weekly jobs if overdue (or `force`), as scheduler leader."""
        if not self.holds(SCHEDULER_LEASE):
            return {"skipped": "another worker holds the scheduler lease"}
        done: dict[str, Any] = {}
        if force or self.overdue("daily"):
            done["daily"] = self._attempt(lambda: self._job("daily", jobs.daily))
        if force or self.overdue("weekly"):
            done["digests"] = self._attempt(lambda: self._job("weekly", jobs.weekly_digest))
        return done

    def run_once(self) -> RoundResult:
        """Everything that is due, then exit: events, mails, reminders, overdue daily jobs."""
        try:
            result = self.drain()
            result.periodic.update(self.minute())  # with the daily and weekly jobs if due
            result.periodic.update(self.calendars())
            # What the jobs started (invitations of a top-up, notices) goes out now too.
            after = self.drain()
        finally:
            self.release()
        result.events += after.events
        result.mails_sent += after.mails_sent
        result.mails_failed += after.mails_failed
        result.mails_dropped += after.mails_dropped
        return result

    # --- the scheduler ----------------------------------------------------------------------

    def scheduler(self, background: bool = False) -> Any:
        """An APScheduler with the worker's jobs (not started)."""
        from apscheduler.schedulers.background import (  # type: ignore[import-untyped]
            BackgroundScheduler,
        )
        from apscheduler.schedulers.blocking import (  # type: ignore[import-untyped]
            BlockingScheduler,
        )

        cls = BackgroundScheduler if background else BlockingScheduler
        scheduler = cls(
            timezone=AMSTERDAM,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        scheduler.add_job(
            self._safe(self.drain),
            "interval",
            seconds=float(self.config["WORKER_DISPATCH_SECONDS"]),
            id="dispatch",
            next_run_time=datetime.now(AMSTERDAM),
        )
        # The scheduler lease is renewed three times per lease period, so jitter never lets it
        # lapse while its holder lives; a successor takes over within one period after a crash.
        scheduler.add_job(
            self._safe(lambda: self.holds(SCHEDULER_LEASE)),
            "interval",
            seconds=max(self.lease_seconds / 3, 1.0),
            id="lease",
            next_run_time=datetime.now(AMSTERDAM),
        )
        # Every minute: reminders, ended meetings, replies, and the daily and weekly jobs once
        # their time has come (so a run missed while no worker ran, or during a failover, is
        # made up within a minute instead of waiting a day).
        scheduler.add_job(
            self._safe(self.minute),
            "cron",
            second=0,
            id="minute",
            next_run_time=datetime.now(AMSTERDAM),
        )
        # Every minute too, apart: the linked calendars whose next fetch has come.
        scheduler.add_job(
            self._safe(self.calendars),
            "cron",
            second=30,
            id="calendars",
            next_run_time=datetime.now(AMSTERDAM),
        )
        return scheduler

    def _safe(self, job: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            try:
                job()
            except Exception:
                log.exception("worker job failed")

        return run

    def run_forever(self) -> None:
        """Run until SIGTERM or Ctrl-C, then give the leases back."""
        scheduler = self.scheduler()

        def stop(_signum: int, _frame: object) -> None:
            self.stopping.set()
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.stopping.set()
            self.release()
