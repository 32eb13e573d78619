"""Import of a school's own year calendar (.ics or .csv): upload, a preview with a guessed
kind per row (untick or change rows), then confirm. The preview travels signed in the form."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from itsdangerous import BadData, URLSafeSerializer
from werkzeug.wrappers import Response

from planner.calendar_nl import (
    parse_school_year,
)
from planner.calendar_nl.year_calendar import MAX_BYTES, MAX_ROWS, parse_year_calendar
from planner.clock import app_now
from planner.domain.kinds import BusyKind, Severity
from planner.errors import N_, ValidationError
from planner.models import Organisation
from planner.services import (
    calendar_hits,
    calendar_import,
)
from planner.text.labels import label
from planner.web.forms import ActionForm
from planner.web.forms.schools import (
    ImportForm,
)
from planner.web.requests import change, get_session, request_locale
from planner.web.security import administered_school, require_person
from planner.web.views.schools.base import (
    asked_school_year,
    bp,
    nearby_years,
    show_url,
    warn,
)

IMPORT_SALT = "planner.calendar-import"


def import_form(year: str) -> ImportForm:
    form = ImportForm()
    form.school_year.choices = [(y, y) for y in nearby_years(year)]
    if not form.school_year.data or form.school_year.data == "None":
        form.school_year.data = year
    return form


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt=IMPORT_SALT)


@bp.route("/schools/<int:org_id>/import", methods=["GET", "POST"])
def import_calendar(org_id: int) -> tuple[str, int]:
    """Upload an .ics or .csv year calendar; show what would be imported."""
    org = administered_school(org_id)
    year = asked_school_year()
    form = import_form(year)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            upload = form.file.data
            with change(store=False) as outcome:  # a preview stores nothing
                calendar = parse_year_calendar(
                    upload.stream.read(MAX_BYTES + 1),
                    parse_school_year(form.school_year.data or year),
                    upload.filename or "",
                )
                rows = calendar_import.preview(get_session(), org, calendar)
            if not outcome.ok:
                form.file.errors = [*form.file.errors, outcome.message]
            else:
                payload = _serializer().dumps(
                    {
                        "o": org.id,
                        "p": require_person().id,
                        "y": calendar.school_year,
                        "r": calendar_import.rows_to_data(rows),
                    }
                )
                return render_template(
                    "schools/import_preview.html",
                    org=org,
                    year=calendar.school_year,
                    calendar=calendar,
                    rows=rows,
                    payload=payload,
                    filename=upload.filename or "",
                    kinds=[(kind.value, label(kind, request_locale())) for kind in BusyKind],
                    severities=[(s.value, label(s, request_locale())) for s in Severity],
                ), 200
    return render_template(
        "schools/import.html", org=org, form=form, year=year, max_rows=MAX_ROWS
    ), status


def _preview_of(org: Organisation) -> tuple[str, list[calendar_import.ImportRow]]:
    """The school year and rows of a signed preview; refuse one that was changed or is not
    for this school and person."""
    try:
        data = _serializer().loads(request.form.get("payload", ""))
    except BadData:
        data = None
    if (
        not isinstance(data, dict)
        or data.get("o") != org.id
        or data.get("p") != require_person().id
        or not isinstance(data.get("y"), str)
    ):
        raise ValidationError(N_("The preview is damaged or was changed; upload the file again."))
    return parse_school_year(data["y"]), calendar_import.rows_from_data(data.get("r"))


def _choices(rows: list[calendar_import.ImportRow]) -> dict[int, tuple[str, str] | None]:
    """What the form says of each row: ticked, with the kind and severity chosen (or not)."""
    return {
        index: (
            request.form.get(f"kind-{index}", row.kind.value),
            request.form.get(f"severity-{index}", row.severity.value),
        )
        if request.form.get(f"row-{index}") == "1"
        else None
        for index, row in enumerate(rows)
    }


@bp.post("/schools/<int:org_id>/import/confirm")
def confirm_import(org_id: int) -> Response:
    """Store the ticked rows of a preview as the school's busy periods (source "import")."""
    org = administered_school(org_id)
    if not ActionForm().validate_on_submit():
        flash(gettext("The form has expired; upload the file again."), "error")
        return redirect(url_for("schools.import_calendar", org_id=org.id))
    year, rows = _preview_of(org)
    chosen = calendar_import.chosen_rows(rows, _choices(rows))
    if not chosen:
        flash(gettext("No row was ticked, so nothing was imported."), "warning")
        return redirect(show_url(org, year, "busy-periods"))
    with change() as result:
        outcome = calendar_import.import_rows(get_session(), org, chosen, app_now())
        hits = calendar_hits.meetings_hit(
            get_session(),
            [(p.first_on, p.last_on) for p in outcome.created if p.severity is Severity.HARD],
            app_now(),
            organisation=org,
        )
    if not result.ok:
        flash(result.message, "error")
        return redirect(show_url(org, year, "busy-periods"))
    if outcome.created:
        flash(
            ngettext(
                "%(num)s busy period imported.",
                "%(num)s busy periods imported.",
                len(outcome.created),
            ),
            "success",
        )
    if outcome.duplicates:
        flash(
            ngettext(
                "%(num)s row was already in the calendar and was skipped.",
                "%(num)s rows were already in the calendar and were skipped.",
                outcome.duplicates,
            ),
            "warning",
        )
    warn(hits)
    return redirect(show_url(org, year, "busy-periods"))
