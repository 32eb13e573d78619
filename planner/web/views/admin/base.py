"""The administration's blueprint: only for platform administrators (403 for everyone else,
the login page for anonymous visitors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, render_template

from planner.text.formatting import format_moment
from planner.web.requests import request_locale
from planner.web.security import require_person

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def only_administrators() -> None:
    """Every page here: the login page for visitors, 403 for anyone but an administrator."""
    if not require_person().is_admin:
        abort(403)


def moment(instant: datetime | None) -> str:
    """An instant as the pages show it, in Dutch time."""
    return format_moment(instant, request_locale())


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """An administration page with its status."""
    return render_template(template, moment=moment, **context), status
