"""School administration: a school's calendar for one school year, its holiday region, own
holiday dates, closure days and busy periods, and the import of its own year calendar.

Every change is a POST that redirects with a message; bad input shows the form again with a
message and changes nothing. The services append the same events as the API, so the worker
tells coordinators when a change hits one of their meetings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext
from itsdangerous import BadData, URLSafeSerializer
from werkzeug.wrappers import Response

from planner.calendar_nl import (
    CLOSURE_DAY_KINDS,
    CLOSURE_DAY_NAMES,
    HOLIDAY_NAMES,
    REGIONS,
    SchoolHoliday,
    closure_day_dates,
    display_name,
    national_closure_days,
    parse_school_year,
    school_year_bounds,
    school_year_of,
)
from planner.calendar_nl.year_calendar import MAX_ROWS, YearCalendar, parse_year_calendar
from planner.clock import AMSTERDAM, app_now
from planner.domain.kinds import BusyKind, OrganisationKind, Severity
from planner.errors import N_, NotFoundError, PlannerError, ValidationError
from planner.models import BusyPeriod, HolidayOverride, Organisation
from planner.services import accounts, busy_periods, calendar_import, organisations, school_calendar
from planner.services.availability import blocked_days_for
from planner.text.formatting import format_day, format_span
from planner.text.labels import label
from planner.web.forms import ActionForm
from planner.web.forms.schools import (
    BusyPeriodForm,
    ClosureDaysForm,
    ImportForm,
    OverrideForm,
    RegionForm,
)
from planner.web.requests import get_session
from planner.web.security import administered_school, login_required, require_person

bp = Blueprint("schools", __name__)

IMPORT_SALT = "planner.calendar-import"
MAX_IMPORT_BYTES = 1_000_000


def _locale() -> str:
    return str(get_locale() or "nl")


def _today() -> date:
    return app_now().astimezone(AMSTERDAM).date()


def _school_year() -> str:
    """The school year asked for (?year=2026-2027), else the current one."""
    asked = request.args.get("year", "").strip()
    return parse_school_year(asked) if asked else school_year_of(_today())


def _nearby_years(*also: str) -> list[str]:
    """Last school year, this one and the next two, plus any asked for."""
    first = int(school_year_of(_today())[:4])
    years = {f"{year}-{year + 1}" for year in range(first - 1, first + 3)} | set(also)
    return sorted(years)


def _show_url(org: Organisation, year: str, anchor: str | None = None) -> str:
    return url_for("schools.show", org_id=org.id, year=year, _anchor=anchor)


# --- Forms with their choices ------------------------------------------------------------------


def _unbound(bound: bool) -> dict[str, Any]:
    """Keyword arguments for a form that must not read this request's posted fields."""
    return {} if bound else {"formdata": None}


def _region_form(org: Organisation, *, bound: bool = True) -> RegionForm:
    form = RegionForm(**_unbound(bound), region=org.region or "")
    choices = [(region, region) for region in REGIONS]
    if org.kind is OrganisationKind.PARTNER:
        choices.insert(0, ("", gettext("none (no school holidays)")))
    form.region.choices = choices
    return form


def _closure_form(org: Organisation, year: str, *, bound: bool = True) -> ClosureDaysForm:
    form = ClosureDaysForm(**_unbound(bound), kinds=school_calendar.closure_kinds(org))
    first, last = school_year_bounds(year)
    choices = []
    for kind in CLOSURE_DAY_KINDS:
        days = [
            day for day in closure_day_dates(kind, (first.year, last.year)) if first <= day <= last
        ]
        when = ", ".join(format_day(day, _locale()) for day in days)
        choices.append((kind, f"{CLOSURE_DAY_NAMES[kind]} ({when})" if when else kind))
    form.kinds.choices = choices
    return form


def _busy_form(year: str, **values: Any) -> BusyPeriodForm:
    form = BusyPeriodForm(**values)
    locale = _locale()
    form.kind.choices = [(kind.value, label(kind, locale)) for kind in BusyKind]
    form.severity.choices = [
        ("", gettext("as usual for the kind (report meetings and other: soft)")),
        (Severity.HARD.value, gettext("hard: never plan a meeting then")),
        (Severity.SOFT.value, gettext("soft: avoid when possible")),
    ]
    form.school_year.choices = [(y, y) for y in _nearby_years(year)]
    if not form.school_year.data or form.school_year.data == "None":
        form.school_year.data = year
    return form


def _import_form(year: str) -> ImportForm:
    form = ImportForm()
    form.school_year.choices = [(y, y) for y in _nearby_years(year)]
    if not form.school_year.data or form.school_year.data == "None":
        form.school_year.data = year
    return form


# --- The school's calendar ---------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayRow:
    """A school holiday as it applies to this school, with its own dates if it set them."""

    holiday: SchoolHoliday
    own: HolidayOverride | None

    @property
    def first_day(self) -> date:
        return self.own.first_on if self.own else self.holiday.first_day

    @property
    def last_day(self) -> date:
        return self.own.last_on if self.own else self.holiday.last_day


def _holiday_rows(org: Organisation, year: str) -> tuple[list[HolidayRow], bool]:
    """The region's holidays with the school's own dates; and whether data is missing."""
    if not org.region:
        return [], False
    try:
        official = school_calendar.school_holidays_for(get_session(), org.region, year)
    except NotFoundError:
        return [], True
    own = {
        override.name: override
        for override in school_calendar.list_holiday_overrides(get_session(), org)
        if override.school_year == year
    }
    rows = [
        HolidayRow(holiday, None if holiday.compulsory else own.get(holiday.name))
        for holiday in official
    ]
    return rows, False


def _page(
    org: Organisation,
    year: str,
    *,
    status: int = 200,
    region_form: RegionForm | None = None,
    closure_form: ClosureDaysForm | None = None,
    busy_form: BusyPeriodForm | None = None,
    override_forms: dict[str, OverrideForm] | None = None,
) -> tuple[str, int]:
    """Render a school's page for a school year, with any forms that came back with errors."""
    session = get_session()
    locale = _locale()
    first, last = school_year_bounds(year)
    holidays, holidays_missing = _holiday_rows(org, year)
    forms = dict(override_forms or {})
    for row in holidays:
        if not row.holiday.compulsory and row.holiday.name not in forms:
            forms[row.holiday.name] = OverrideForm(
                prefix=row.holiday.name,
                formdata=None,
                first_day=row.first_day.isoformat(),
                last_day=row.last_day.isoformat(),
                note=row.own.note if row.own else None,
            )
    public = [
        (day, name)
        for day, name in national_closure_days((first.year, last.year), locale).items()
        if first <= day <= last
    ]
    periods = busy_periods.list_busy_periods(session, org, first, last)
    today = _today()
    blocked = blocked_days_for(session, [org.id], today, today + timedelta(weeks=8), locale=locale)
    start = int(year[:4])
    failed: tuple[str, list[str]] | None = None
    if status >= 400:
        failing = [
            (anchor, form)
            for anchor, form in (
                ("region", region_form),
                ("closure-days", closure_form),
                ("add", busy_form),
                *(("holidays", form) for form in (override_forms or {}).values()),
            )
            if form is not None
        ]
        if failing:
            failed = (failing[0][0], _messages(failing[0][1]))
    return render_template(
        "schools/show.html",
        failed=failed,
        org=org,
        year=year,
        previous_year=f"{start - 1}-{start}",
        next_year=f"{start + 1}-{start + 2}",
        holidays=holidays,
        holidays_missing=holidays_missing,
        override_forms=forms,
        public_holidays=public,
        own_periods=[p for p in periods if p.organisation_id == org.id],
        shared_periods=[p for p in periods if p.organisation_id is None],
        blocked=blocked,
        region_form=region_form or _region_form(org, bound=False),
        closure_form=closure_form or _closure_form(org, year, bound=False),
        busy_form=busy_form or _busy_form(year, formdata=None),
        today=today,
    ), status


def _messages(form: Any) -> list[str]:
    """A form's messages for the summary at the top of the page."""
    messages = [str(message) for message in form.form_errors]
    for item in form:
        messages.extend(f"{item.label.text}: {message}" for message in item.errors)
    return messages


def _fail(form: Any, error: PlannerError) -> int:
    """Undo the request's changes and put a service's message on the form."""
    get_session().rollback()
    form.form_errors.append(error.translate(gettext))
    return error.status


@bp.get("/schools")
@login_required
def index() -> str:
    """The schools the logged-in person administers (every one for a platform administrator)."""
    person = require_person()
    schools = accounts.administered_schools(get_session(), person)
    return render_template("schools/index.html", schools=schools, year=school_year_of(_today()))


@bp.get("/schools/<int:org_id>")
def show(org_id: int) -> tuple[str, int]:
    """A school's calendar for a school year, with the forms to change it."""
    org = administered_school(org_id)
    return _page(org, _school_year())


@bp.post("/schools/<int:org_id>/region")
def change_region(org_id: int) -> Response | tuple[str, int]:
    """Move the school to another holiday region."""
    org = administered_school(org_id)
    year = _school_year()
    form = _region_form(org)
    status = 400
    if form.validate_on_submit():
        before = org.region
        try:
            organisations.update_organisation(
                get_session(), org, {"region": form.region.data or None}, app_now()
            )
        except PlannerError as error:
            status = _fail(form, error)
        else:
            get_session().commit()
            if org.region == before:
                flash(gettext("Nothing changed."), "success")
            elif org.region:
                flash(gettext("Holiday region is now %(region)s.", region=org.region), "success")
            else:
                flash(gettext("The organisation has no holiday region now."), "success")
            return redirect(_show_url(org, year, "region"))
    return _page(org, year, status=status, region_form=form)


@bp.post("/schools/<int:org_id>/holidays/<name>")
def set_override(org_id: int, name: str) -> Response | tuple[str, int]:
    """Give the school its own dates for an advisory school holiday."""
    org = administered_school(org_id)
    year = _school_year()
    if name not in HOLIDAY_NAMES:
        abort(404)
    form = OverrideForm(prefix=name)
    status = 400
    if form.validate_on_submit():
        try:
            override = school_calendar.set_holiday_override(
                get_session(),
                org,
                {
                    "school_year": year,
                    "holiday": name,
                    "first_day": form.first_day.data,
                    "last_day": form.last_day.data,
                    "note": form.note.data or None,
                },
                app_now(),
            )
        except PlannerError as error:
            status = _fail(form, error)
        else:
            get_session().commit()
            flash(
                gettext(
                    "Own dates for the %(holiday)s: %(days)s.",
                    holiday=display_name(name, _locale()),
                    days=format_span(override.first_on, override.last_on, _locale()),
                ),
                "success",
            )
            _warn_meetings(org, [(override.first_on, override.last_on)])
            return redirect(_show_url(org, year, "holidays"))
    return _page(org, year, status=status, override_forms={name: form})


@bp.post("/schools/<int:org_id>/holiday-overrides/<int:override_id>/delete")
def delete_override(org_id: int, override_id: int) -> Response:
    """Drop the school's own dates: the official advisory dates apply again."""
    org = administered_school(org_id)
    session = get_session()
    override = session.get(HolidayOverride, override_id)
    if override is None or override.organisation_id != org.id:
        abort(404)
    year = override.school_year
    if not ActionForm().validate_on_submit():
        abort(400)
    name = override.name
    school_calendar.delete_holiday_override(session, override, app_now())
    session.commit()
    flash(
        gettext(
            "The official dates of the %(holiday)s apply again.",
            holiday=display_name(name, _locale()),
        ),
        "success",
    )
    return redirect(_show_url(org, year, "holidays"))


@bp.post("/schools/<int:org_id>/closure-days")
def set_closure_days(org_id: int) -> Response | tuple[str, int]:
    """Switch the school's extra closure days on or off."""
    org = administered_school(org_id)
    year = _school_year()
    form = _closure_form(org, year)
    status = 400
    if form.validate_on_submit():
        try:
            school_calendar.set_closure_days(get_session(), org, form.kinds.data or [], app_now())
        except PlannerError as error:
            status = _fail(form, error)
        else:
            get_session().commit()
            flash(gettext("Closure days saved."), "success")
            first, last = school_year_bounds(year)
            days = [
                (day, day)
                for kind in school_calendar.closure_kinds(org)
                for day in closure_day_dates(kind, (first.year, last.year))
            ]
            _warn_meetings(org, days)
            return redirect(_show_url(org, year, "closure-days"))
    return _page(org, year, status=status, closure_form=form)


# --- Busy periods ------------------------------------------------------------------------------


def _own_period(org: Organisation, period_id: int) -> BusyPeriod:
    """One of the school's own busy periods; 404 for any other (region-wide ones included)."""
    period = get_session().get(BusyPeriod, period_id)
    if period is None or period.organisation_id != org.id:
        abort(404)
    return period


def _describe(period: BusyPeriod) -> str:
    locale = _locale()
    weeks = _weeks(period.first_on, period.last_on)
    return str(
        gettext(
            "%(kind)s, %(days)s (week %(weeks)s)",
            kind=label(period.kind, locale),
            days=format_span(period.first_on, period.last_on, locale),
            weeks=weeks,
        )
    )


def _weeks(first: date, last: date) -> str:
    first_week, last_week = first.isocalendar().week, last.isocalendar().week
    return str(first_week) if first_week == last_week else f"{first_week}–{last_week}"


def _warn_meetings(org: Organisation, spans: Iterable[tuple[date, date]]) -> None:
    """Say which planned meetings a change hits; the worker tells their coordinators."""
    found = {}
    for first, last in spans:
        for meeting in calendar_import.meetings_during(get_session(), org, first, last, app_now()):
            found[meeting.id] = meeting
    if not found:
        return
    meetings = sorted(found.values(), key=lambda m: m.starts_at)
    listed = "; ".join(
        f"{m.collaboration.name} ({format_day(m.day, _locale())})" for m in meetings[:10]
    )
    flash(
        ngettext(
            "This falls on %(num)s planned meeting: %(meetings)s. Its coordinators will be told "
            "and get a proposal for another date.",
            "This falls on %(num)s planned meetings: %(meetings)s. Their coordinators will be "
            "told and get a proposal for another date.",
            len(meetings),
            meetings=listed,
        ),
        "warning",
    )


@bp.post("/schools/<int:org_id>/busy-periods")
def add_period(org_id: int) -> Response | tuple[str, int]:
    """Add a busy period, by dates or by ISO week numbers."""
    org = administered_school(org_id)
    year = _school_year()
    form = _busy_form(year)
    status = 400
    if form.validate_on_submit():
        try:
            period = busy_periods.create_busy_period(
                get_session(), {**form.raw(), "organisation": org.id}, app_now()
            )
        except PlannerError as error:
            status = _fail(form, error)
        else:
            get_session().commit()
            flash(gettext("Added: %(period)s.", period=_describe(period)), "success")
            if period.severity is Severity.HARD:
                _warn_meetings(org, [(period.first_on, period.last_on)])
            return redirect(_show_url(org, school_year_of(period.first_on), "busy-periods"))
    return _page(org, year, status=status, busy_form=form)


@bp.route("/schools/<int:org_id>/busy-periods/<int:period_id>/edit", methods=["GET", "POST"])
def edit_period(org_id: int, period_id: int) -> Response | tuple[str, int]:
    """Change one of the school's busy periods."""
    org = administered_school(org_id)
    period = _own_period(org, period_id)
    year = school_year_of(period.first_on)
    status = 200
    if request.method == "POST":
        form = _busy_form(year)
        form.stored_dates = (period.first_on.isoformat(), period.last_on.isoformat())
        status = 400
        if form.validate_on_submit():
            try:
                busy_periods.update_busy_period(get_session(), period, form.raw(), app_now())
            except PlannerError as error:
                status = _fail(form, error)
            else:
                get_session().commit()
                flash(gettext("Saved: %(period)s.", period=_describe(period)), "success")
                if period.severity is Severity.HARD:
                    _warn_meetings(org, [(period.first_on, period.last_on)])
                return redirect(_show_url(org, school_year_of(period.first_on), "busy-periods"))
    else:
        form = _busy_form(
            year,
            formdata=None,
            kind=period.kind.value,
            severity=period.severity.value,
            first_day=period.first_on.isoformat(),
            last_day=period.last_on.isoformat(),
            note=period.note,
            school_year=year,
        )
    return render_template(
        "schools/edit_period.html", org=org, period=period, form=form, year=year
    ), status


@bp.route("/schools/<int:org_id>/busy-periods/<int:period_id>/delete", methods=["GET", "POST"])
def delete_period(org_id: int, period_id: int) -> Response | tuple[str, int]:
    """Ask, then delete one of the school's busy periods."""
    org = administered_school(org_id)
    period = _own_period(org, period_id)
    year = school_year_of(period.first_on)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        description = _describe(period)
        busy_periods.delete_busy_period(get_session(), period, app_now())
        get_session().commit()
        flash(gettext("Deleted: %(period)s.", period=description), "success")
        return redirect(_show_url(org, year, "busy-periods"))
    return render_template(
        "schools/delete_period.html",
        org=org,
        period=period,
        form=form,
        year=year,
        description=_describe(period),
    ), 200


# --- Import of the school's own year calendar ----------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt=IMPORT_SALT)


@bp.route("/schools/<int:org_id>/import", methods=["GET", "POST"])
def import_calendar(org_id: int) -> tuple[str, int]:
    """Upload an .ics or .csv year calendar; show what would be imported."""
    org = administered_school(org_id)
    year = _school_year()
    form = _import_form(year)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            upload = form.file.data
            data = upload.stream.read(MAX_IMPORT_BYTES + 1)
            try:
                if len(data) > MAX_IMPORT_BYTES:
                    raise ValidationError(
                        N_("The file is larger than 1 MB; import the school year in parts.")
                    )
                school_year = parse_school_year(form.school_year.data or year)
                calendar = _read_year_calendar(data, school_year, upload.filename or "")
            except PlannerError as error:
                form.file.errors = [*form.file.errors, error.translate(gettext)]
            else:
                rows = calendar_import.preview(get_session(), org, calendar)
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
                    kinds=[(kind.value, label(kind, _locale())) for kind in BusyKind],
                    severities=[(s.value, label(s, _locale())) for s in Severity],
                ), 200
    return render_template(
        "schools/import.html", org=org, form=form, year=year, max_rows=MAX_ROWS
    ), status


def _read_year_calendar(data: bytes, school_year: str, filename: str) -> YearCalendar:
    """Parse an uploaded year calendar; a date no calendar can hold is refused like any error."""
    try:
        return parse_year_calendar(data, school_year, filename)
    except OverflowError:  # e.g. DURATION:P9999999D or a time in the year 9999
        raise ValidationError(
            N_(
                "The file holds a date the planner cannot work with (far in the past or the"
                " future); check the dates and export it again."
            )
        ) from None


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


def _chosen(rows: list[calendar_import.ImportRow]) -> list[calendar_import.ImportRow]:
    """The ticked rows, with the kind and severity the user chose for each."""
    chosen = []
    for index, row in enumerate(rows):
        if not row.importable or request.form.get(f"row-{index}") != "1":
            continue
        try:
            kind = BusyKind(request.form.get(f"kind-{index}", row.kind.value))
            severity = Severity(request.form.get(f"severity-{index}", row.severity.value))
        except ValueError:
            raise ValidationError(
                N_("The preview is damaged or was changed; upload the file again.")
            ) from None
        chosen.append(replace(row, kind=kind, severity=severity))
    return chosen


@bp.post("/schools/<int:org_id>/import/confirm")
def confirm_import(org_id: int) -> Response:
    """Store the ticked rows of a preview as the school's busy periods (source "import")."""
    org = administered_school(org_id)
    if not ActionForm().validate_on_submit():
        flash(gettext("The form has expired; upload the file again."), "error")
        return redirect(url_for("schools.import_calendar", org_id=org.id))
    year, rows = _preview_of(org)
    chosen = _chosen(rows)
    if not chosen:
        flash(gettext("No row was ticked, so nothing was imported."), "warning")
        return redirect(_show_url(org, year, "busy-periods"))
    outcome = calendar_import.import_rows(get_session(), org, chosen, app_now())
    get_session().commit()
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
    _warn_meetings(
        org,
        [(p.first_on, p.last_on) for p in outcome.created if p.severity is Severity.HARD],
    )
    return redirect(_show_url(org, year, "busy-periods"))
