"""The settings in force (secrets masked) and the worker's health: its leases and the last
runs of its periodic jobs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from flask_babel import gettext
from sqlalchemy.engine import make_url

from planner.clock import app_now
from planner.services.leases import worker_health
from planner.web.requests import get_session
from planner.web.views.admin.base import bp, render

# The settings an operator looks at, in groups; secrets are only said to be set or not.
SETTING_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "general",
        (
            "PUBLIC_URL",
            "DATABASE_URL",
            "DEFAULT_LOCALE",
            "DEFAULT_TIMEZONE",
            "FROZEN_NOW",
            "SERVE_WITH_WORKER",
        ),
    ),
    (
        "mail",
        (
            "MAIL_SMTP_HOST",
            "MAIL_SMTP_PORT",
            "MAIL_SMTP_SECURITY",
            "MAIL_SMTP_USERNAME",
            "MAIL_SMTP_PASSWORD",
            "MAIL_SMTP_TIMEOUT",
            "MAIL_FROM",
            "MAIL_FROM_NAME",
            "MAIL_MESSAGE_ID_DOMAIN",
            "MAIL_RETRY_BASE_SECONDS",
            "MAIL_RETRY_MAX_SECONDS",
            "MAIL_MAX_ATTEMPTS",
            "RSVP_VALID_DAYS_AFTER",
            "REPLY_MAILDIR",
        ),
    ),
    (
        "worker",
        (
            "WORKER_DISPATCH_SECONDS",
            "WORKER_BATCH",
            "WORKER_LEASE_SECONDS",
            "EVENT_RETRY_BASE_SECONDS",
            "EVENT_MAX_ATTEMPTS",
            "REMINDER_HOURS",
            "DAILY_JOB_TIME",
            "DIGEST_TIME",
        ),
    ),
    (
        "feeds",
        (
            "FEED_PAST_DAYS",
            "FEED_FUTURE_DAYS",
            "FEED_CACHE_MB",
            "FEED_FRAGMENT_CACHE_ITEMS",
            "FEED_SHARED_GENERATION",
        ),
    ),
    (
        "security",
        (
            "SECRET_KEY",
            "API_TOKEN",
            "SECURE_COOKIES",
            "SESSION_COOKIE_SECURE",
            "LOGIN_RATE_LIMIT",
            "RATELIMIT_ENABLED",
            "RATELIMIT_STORAGE_URI",
            "PASSWORD_RESET_HOURS",
            "ACCOUNT_INVITE_DAYS",
        ),
    ),
)
SECRETS = {"SECRET_KEY", "MAIL_SMTP_PASSWORD", "API_TOKEN"}
URLS = {"DATABASE_URL", "RATELIMIT_STORAGE_URI"}


def _hide_password(url: str) -> str:
    """A URL with any password in it replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not an SQLAlchemy URL: mask the userinfo's password by hand
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _setting(name: str) -> str:
    """A setting's value as shown: secrets only as set or not, URLs without passwords."""
    value = current_app.config.get(name)
    if name in SECRETS:
        return str(gettext("set") if value else gettext("not set"))
    if value is None or value == "":
        return str(gettext("not set"))
    if name in URLS:
        return _hide_password(str(value))
    if isinstance(value, bool):
        return str(gettext("yes") if value else gettext("no"))
    return str(value)


@bp.get("/settings")
def settings() -> Any:
    """The settings in force (secrets masked) and when the worker last did its jobs."""
    groups = [
        (group, [(name, _setting(name)) for name in names]) for group, names in SETTING_GROUPS
    ]
    leases, jobs = worker_health(get_session(), app_now())
    return render("admin/settings.html", groups=groups, worker={"leases": leases, "jobs": jobs})
