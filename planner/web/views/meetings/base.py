"""The blueprint of the plan wizard and the meeting pages, and what both show."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_babel import gettext

from planner.services.alternatives import GapSummary
from planner.text.formatting import format_weeks
from planner.text.labels import label

bp = Blueprint("meetings", __name__)


def _(message: str, **params: Any) -> str:
    return str(gettext(message, **params))


def collaboration_url(collab_id: int) -> str:
    """The collaboration page (another blueprint's): by path, so this page never depends on it."""
    return f"{request.script_root}/collaborations/{collab_id}"


def effect(summary: GapSummary, locale: str) -> str:
    """What a day does to the gaps around a meeting, in words."""
    if summary.before is None and summary.after is None:
        return _("no meeting before or after it")
    return _(
        "largest gap around it %(gap)s (%(status)s)",
        gap=format_weeks(summary.largest_days, locale),
        status=label(summary.status.value, locale),
    )
