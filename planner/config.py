"""Every setting, with its default and a one-line comment.

Order of precedence: these defaults, then `instance/config.py`, then `PLANNER_*` environment
variables, then the `test_config` passed to `create_app`.
"""

from __future__ import annotations

import json
import os
from typing import Any


class DefaultConfig:
    """Defaults: a development set-up on SQLite in the instance folder."""

    # Signs session cookies, CSRF tokens and password-reset links. None: a random key is made
    # once and kept in instance/secret-key (one host); several hosts must share one key.
    SECRET_KEY: str | None = None
    # SQLAlchemy URL; None means SQLite file `planner.sqlite` in the instance folder.
    DATABASE_URL: str | None = None
    # Echo SQL statements to the log (debugging only).
    DATABASE_ECHO: bool = False
    # Language of the interface and messages when the user expresses no preference.
    DEFAULT_LOCALE: str = "nl"
    # Languages the interface speaks.
    LANGUAGES: tuple[str, ...] = ("nl", "en")
    # Time zone used for wall-clock dates at the edges.
    DEFAULT_TIMEZONE: str = "Europe/Amsterdam"
    # Largest blocked-days range one request may ask for, in days.
    MAX_BLOCKED_RANGE_DAYS: int = 800
    # Timeout for fetching holiday data by URL (seconds).
    HTTP_TIMEOUT: float = 20.0
    # Bearer token of integrations: `Authorization: Bearer <API_TOKEN>` opens the whole JSON API.
    # Without it only a logged-in platform administrator may use the API.
    API_TOKEN: str | None = None
    # Pretend the current instant is this ISO time (e.g. 2026-09-01T08:00:00Z): for demos and
    # reproducible tests; None uses the real clock.
    FROZEN_NOW: str | None = None
    # The service's public address, for the links in feeds and mails, e.g.
    # https://planner.example.nl; None uses the address of the request (http://localhost:5000
    # on the command line). `planner serve` sets it to the address it serves on when unset;
    # a worker run on its own without it holds every mail with links until it is set.
    PUBLIC_URL: str | None = None
    # Development only: let a worker without PUBLIC_URL write links to http://localhost:5000.
    LINKS_WITHOUT_PUBLIC_URL: bool = False
    # Feed window: meetings this many days back and ahead (holidays to the end of that school year).
    FEED_PAST_DAYS: int = 92
    FEED_FUTURE_DAYS: int = 548
    # Memory for rendered feeds per process (MB) and for rendered events (count).
    FEED_CACHE_MB: int = 256
    FEED_FRAGMENT_CACHE_ITEMS: int = 200_000
    # All processes of this deployment run on one host and share the instance folder: token
    # lookups are kept in memory and invalidated through the file instance/feed-generation.
    # Set False when web processes run on several hosts: every request then asks the database.
    FEED_SHARED_GENERATION: bool = True

    # --- Mail -------------------------------------------------------------------------------
    # SMTP server; None writes every mail as an .eml file into instance/outbox/ (development).
    MAIL_SMTP_HOST: str | None = None
    MAIL_SMTP_PORT: int = 587
    # "starttls" (port 587), "ssl" (implicit TLS, port 465) or "none" (a local relay).
    MAIL_SMTP_SECURITY: str = "starttls"
    MAIL_SMTP_USERNAME: str | None = None
    MAIL_SMTP_PASSWORD: str | None = None
    MAIL_SMTP_TIMEOUT: float = 30.0
    # Sender of every mail; invitations carry the coordinator as ORGANIZER with SENT-BY this
    # address, and the organizer's own copies this address as ORGANIZER.
    MAIL_FROM: str = "planner@localhost"
    MAIL_FROM_NAME: str = "Planner"
    # Domain part of Message-IDs (defaults to the domain of MAIL_FROM).
    MAIL_MESSAGE_ID_DOMAIN: str | None = None
    # Failed sends: retry after base × 2^attempts seconds (at most MAIL_RETRY_MAX_SECONDS), and
    # give a mail up (dead letter) after MAIL_MAX_ATTEMPTS refusals. An unreachable server never
    # kills a mail: it only delays it.
    MAIL_RETRY_BASE_SECONDS: float = 30.0
    MAIL_RETRY_MAX_SECONDS: float = 3600.0
    MAIL_MAX_ATTEMPTS: int = 8
    # Answer links stay valid until this many days after the meeting (at the time of sending).
    RSVP_VALID_DAYS_AFTER: int = 7
    # Maildir folder the worker reads iTIP REPLY mails from (None: off).
    REPLY_MAILDIR: str | None = None

    # --- Worker -----------------------------------------------------------------------------
    # Hours before a meeting that participants get a reminder (a collaboration may set its own).
    REMINDER_HOURS: int = 48
    # Seconds between dispatch rounds of the outbox worker.
    WORKER_DISPATCH_SECONDS: float = 2.0
    # Events and mails taken per round.
    WORKER_BATCH: int = 100
    # A handler that fails is retried after base × 2^attempts seconds, dead after this many.
    EVENT_RETRY_BASE_SECONDS: float = 10.0
    EVENT_MAX_ATTEMPTS: int = 8
    # Leases (scheduler leadership, a claimed mail) last this long unless renewed.
    WORKER_LEASE_SECONDS: float = 60.0
    # Local time of the daily job (drift scan, plan top-up) and of the weekly digest (Monday).
    DAILY_JOB_TIME: str = "06:30"
    DIGEST_TIME: str = "07:00"
    # --- Calendars by URL (a school's published year calendar) ---------------------------
    # Hours between two fetches of a linked calendar; after a failure it is tried again
    # after at most an hour.
    SYNC_INTERVAL_HOURS: float = 6.0
    # Seconds one fetch may take in all (connecting, waiting, reading), and its largest body.
    SYNC_TIMEOUT: float = 20.0
    SYNC_MAX_BYTES: int = 5_000_000
    # Fetch addresses on private, loopback or link-local networks (tests, an intranet); off,
    # an address that resolves to any such network is refused, also after a redirect.
    SYNC_ALLOW_PRIVATE_ADDRESSES: bool = False
    # Calendars fetched at the same time, and at most this many per round of the worker.
    SYNC_CONCURRENCY: int = 8
    SYNC_BATCH: int = 1000
    # --- Logins -----------------------------------------------------------------------------
    # Session cookies only over HTTPS: "auto" (when PUBLIC_URL is https://), "true" or "false".
    SECURE_COOKIES: str = "auto"
    # Login attempts per client address (Flask-Limiter syntax); accounts also lock after five
    # failed attempts in a row, for fifteen minutes.
    LOGIN_RATE_LIMIT: str = "10 per minute;60 per hour"
    # Where the rate limiter counts: memory:// per process, or e.g. redis://host:6379 shared.
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_ENABLED: bool = True
    # Password-reset links stay valid this long; the link in a new account's mail longer.
    PASSWORD_RESET_HOURS: int = 2
    ACCOUNT_INVITE_DAYS: int = 7

    # `planner serve` also runs a worker thread (one-process demo); False in production.
    SERVE_WITH_WORKER: bool = False


def env_overrides(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Return the settings given as PLANNER_<NAME> environment variables, typed as defaults."""
    result: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith("PLANNER_"):
            continue
        name = key.removeprefix("PLANNER_")
        default = getattr(DefaultConfig, name, None)
        if isinstance(default, bool):
            result[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            result[name] = int(raw)
        elif isinstance(default, float):
            result[name] = float(raw)
        elif isinstance(default, tuple):
            result[name] = tuple(json.loads(raw)) if raw.startswith("[") else tuple(raw.split(","))
        else:
            result[name] = raw
    return result


# The address links carry when PUBLIC_URL is unset and no request tells (CLI, worker).
LOCAL_BASE_URL = "http://localhost:5000"


class NoPublicUrl(RuntimeError):
    """A mail with links is being written outside a request and PUBLIC_URL is not set: its
    links would point nowhere. The worker holds such work until the address is set."""

    message = (
        "PUBLIC_URL is not set: mails with links wait until PLANNER_PUBLIC_URL gives the address"
        " people use (planner serve sets it to its own address)"
    )

    def __init__(self) -> None:
        super().__init__(self.message)


def link_base_url() -> str:
    """The address for links in mails: PUBLIC_URL or the request's. Outside a request, without
    PUBLIC_URL, raise NoPublicUrl (unless LINKS_WITHOUT_PUBLIC_URL allows the local default)."""
    from flask import current_app, has_request_context

    if current_app.config.get("PUBLIC_URL") or has_request_context():
        return public_base_url()
    if current_app.config.get("LINKS_WITHOUT_PUBLIC_URL"):
        return LOCAL_BASE_URL
    raise NoPublicUrl()


def public_base_url() -> str:
    """The service's public address: PUBLIC_URL, else the request's, else the local default.

    Reads the current Flask app (the web, the CLI and the worker all run in an app context).
    """
    from flask import current_app, has_request_context, request

    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return LOCAL_BASE_URL
