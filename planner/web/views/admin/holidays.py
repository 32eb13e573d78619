"""Administration of the holiday data: which school years each region has, and an upload of
newer Rijksoverheid data (preview first, then import)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext

from planner.calendar_nl import REGIONS, display_name, parse_rijksoverheid
from planner.calendar_nl.rijksoverheid import MAX_BYTES, to_rijksoverheid
from planner.clock import app_now, local_date
from planner.services import school_calendar
from planner.text.formatting import format_span
from planner.web.forms.admin import HolidayConfirmForm, HolidayUploadForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import require_person
from planner.web.views.admin.base import bp, render


def _page(upload: HolidayUploadForm, status: int = 200, **context: Any) -> tuple[str, int]:
    today = local_date(app_now())
    return render(
        "admin/holidays.html",
        status,
        table=school_calendar.holiday_coverage(get_session(), today),
        regions=REGIONS,
        missing_year=school_calendar.missing_school_year(get_session(), today),
        upload=upload,
        **context,
    )


@bp.get("/holidays")
def holidays() -> Any:
    """Which school years have holiday data per region, and the upload of newer data."""
    return _page(HolidayUploadForm())


def _change_rows(changes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    def span(value: dict[str, Any] | None) -> str:
        if value is None:
            return ""
        first = date.fromisoformat(value["first_day"])
        last = date.fromisoformat(value["last_day"])
        return format_span(first, last, request_locale())

    return [
        {
            "school_year": item["school_year"],
            "name": display_name(item["name"], request_locale()),
            "region": item["region"],
            "before": span(item["before"]),
            "after": span(item["after"]),
        }
        for item in changes
    ]


@bp.post("/holidays/preview")
def holidays_preview() -> Any:
    """Read an uploaded file and show what importing it would change; nothing is stored."""
    upload = HolidayUploadForm()
    if not upload.validate_on_submit():
        return _page(upload, 400)
    with change(store=False) as outcome:  # a preview stores nothing
        parsed = parse_rijksoverheid(upload.file.data.read(MAX_BYTES + 1))
        result = school_calendar.import_school_holidays(get_session(), parsed, "preview", app_now())
    if not outcome.ok:
        upload.file.errors = [
            gettext("This file cannot be imported: %(reason)s", reason=outcome.message)
        ]
        return _page(upload, outcome.status)
    confirm = HolidayConfirmForm(formdata=None, data={"holidays": to_rijksoverheid(parsed)})
    return _page(
        HolidayUploadForm(formdata=None),
        preview=result,
        filename=upload.file.data.filename or "",
        changes=_change_rows(result.changes),
        confirm=confirm,
    )


@bp.post("/holidays/import")
def holidays_import() -> Any:
    """Store the previewed holidays."""
    form = HolidayConfirmForm()
    if not form.validate_on_submit():
        return _page(HolidayUploadForm(formdata=None), 400, expired=True)
    source = f"web upload by {require_person().email}"
    with change() as outcome:
        parsed = parse_rijksoverheid(form.holidays.data or "")
        result = school_calendar.import_school_holidays(get_session(), parsed, source, app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(url_for(".holidays"))
    flash(
        gettext(
            "Holiday data imported: %(added)d added, %(changed)d changed, %(unchanged)d"
            " unchanged (school years %(years)s).",
            added=result.added,
            changed=result.changed,
            unchanged=result.unchanged,
            years=", ".join(result.school_years),
        ),
        "success",
    )
    return redirect(url_for(".holidays"))
