"""A school's calendar for one school year: its holiday region, own dates for advisory
holidays and closure days (busy periods: busy_periods.py; the import: imports.py).

Every change is a POST that redirects with a message; bad input shows the form again with a
message and changes nothing. The services append the same events as the API, so the worker
tells coordinators when a change hits one of their meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext
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
    school_year_bounds,
    school_year_of,
)
from planner.clock import app_now
from planner.domain.kinds import OrganisationKind
from planner.errors import NotFoundError
from planner.models import HolidayOverride, Organisation
from planner.presenters.calendar_sync import examples, rules_text, status_lines
from planner.presenters.completeness import calendar_year_text
from planner.services import (
    accounts,
    busy_periods,
    calendar_hits,
    calendar_sync,
    completeness,
    memberships,
    organisations,
    school_calendar,
)
from planner.services.availability import blocked_days_for
from planner.text.formatting import format_day, format_span
from planner.web.forms import ActionForm
from planner.web.forms.schools import (
    BusyPeriodForm,
    CalendarUrlForm,
    ClosureDaysForm,
    OverrideForm,
    RegionForm,
)
from planner.web.requests import change, get_session, request_locale
from planner.web.security import administered_school, login_required, require_person
from planner.web.views.schools.base import (
    asked_school_year,
    bp,
    busy_period_form,
    fail,
    messages,
    page_today,
    show_url,
    unbound,
    warn,
)


def format_hours(hours: float) -> str:
    """6.0 as "6", 1.5 as "1.5"."""
    return f"{hours:g}"


def _region_form(org: Organisation, *, bound: bool = True) -> RegionForm:
    form = RegionForm(**unbound(bound), region=org.region or "")
    choices = [(region, region) for region in REGIONS]
    if org.kind is OrganisationKind.PARTNER:
        choices.insert(0, ("", gettext("none (no school holidays)")))
    form.region.choices = choices
    return form


def _closure_form(org: Organisation, year: str, *, bound: bool = True) -> ClosureDaysForm:
    form = ClosureDaysForm(**unbound(bound), kinds=school_calendar.closure_kinds(org))
    first, last = school_year_bounds(year)
    choices = []
    for kind in CLOSURE_DAY_KINDS:
        days = [
            day for day in closure_day_dates(kind, (first.year, last.year)) if first <= day <= last
        ]
        when = ", ".join(format_day(day, request_locale()) for day in days)
        choices.append((kind, f"{CLOSURE_DAY_NAMES[kind]} ({when})" if when else kind))
    form.kinds.choices = choices
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


def page(
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
    locale = request_locale()
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
    today = page_today()
    blocked = blocked_days_for(session, [org.id], today, today + timedelta(weeks=8), locale=locale)
    start = int(year[:4])
    calendar_years = (
        [
            (state, calendar_year_text(state, locale))
            for state in completeness.calendar_years(session, org, today, also=[year])
        ]
        if completeness.keeps_calendar(org)
        else []
    )
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
            failed = (failing[0][0], messages(failing[0][1]))
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
        waiting=memberships.waiting_count(session, org),
        calendar_years=calendar_years,
        this_year=next((item for item in calendar_years if item[0].school_year == year), None),
        region_form=region_form or _region_form(org, bound=False),
        closure_form=closure_form or _closure_form(org, year, bound=False),
        busy_form=busy_form or busy_period_form(year, formdata=None),
        calendar_sources=[
            {
                "source": source,
                "status": status_lines(source, locale),
                "examples": examples(source, locale),
                "form": CalendarUrlForm(
                    prefix=f"s{source.id}",
                    formdata=None,
                    url=source.url,
                    rules=rules_text(source, locale),
                ),
            }
            for source in calendar_sync.list_sources(session, org)
        ],
        calendar_url_form=CalendarUrlForm(formdata=None),
        sync_hours=format_hours(float(current_app.config["SYNC_INTERVAL_HOURS"])),
        today=today,
    ), status


@bp.get("/schools")
@login_required
def index() -> str:
    """The schools the logged-in person administers (every one for a platform administrator)."""
    person = require_person()
    session = get_session()
    schools = accounts.administered_schools(session, person)
    years = completeness.years_from(page_today())
    states = {
        (state.organisation.id, state.school_year): state
        for state in completeness.calendar_states(session, schools, years)
    }
    return render_template(
        "schools/index.html",
        schools=schools,
        year=school_year_of(page_today()),
        years=years,
        states=states,
    )


@bp.get("/schools/<int:org_id>")
def show(org_id: int) -> tuple[str, int]:
    """A school's calendar for a school year, with the forms to change it."""
    org = administered_school(org_id)
    return page(org, asked_school_year())


@bp.post("/schools/<int:org_id>/region")
def change_region(org_id: int) -> Response | tuple[str, int]:
    """Move the school to another holiday region."""
    org = administered_school(org_id)
    year = asked_school_year()
    form = _region_form(org)
    status = 400
    if form.validate_on_submit():
        before = org.region
        with change() as outcome:
            organisations.update_organisation(
                get_session(), org, {"region": form.region.data or None}, app_now()
            )
        if not outcome.ok:
            status = fail(form, outcome)
        else:
            if org.region == before:
                flash(gettext("Nothing changed."), "success")
            elif org.region:
                flash(gettext("Holiday region is now %(region)s.", region=org.region), "success")
            else:
                flash(gettext("The organisation has no holiday region now."), "success")
            return redirect(show_url(org, year, "region"))
    return page(org, year, status=status, region_form=form)


@bp.post("/schools/<int:org_id>/holidays/<name>")
def set_override(org_id: int, name: str) -> Response | tuple[str, int]:
    """Give the school its own dates for an advisory school holiday."""
    org = administered_school(org_id)
    year = asked_school_year()
    if name not in HOLIDAY_NAMES:
        abort(404)
    form = OverrideForm(prefix=name)
    status = 400
    if form.validate_on_submit():
        with change() as outcome:
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
            hits = calendar_hits.meetings_hit(
                get_session(), [(override.first_on, override.last_on)], app_now(), organisation=org
            )
        if not outcome.ok:
            status = fail(form, outcome)
        else:
            flash(
                gettext(
                    "Own dates for the %(holiday)s: %(days)s.",
                    holiday=display_name(name, request_locale()),
                    days=format_span(override.first_on, override.last_on, request_locale()),
                ),
                "success",
            )
            warn(hits)
            return redirect(show_url(org, year, "holidays"))
    return page(org, year, status=status, override_forms={name: form})


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
    with change() as outcome:
        school_calendar.delete_holiday_override(session, override, app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(show_url(org, year, "holidays"))
    flash(
        gettext(
            "The official dates of the %(holiday)s apply again.",
            holiday=display_name(name, request_locale()),
        ),
        "success",
    )
    return redirect(show_url(org, year, "holidays"))


@bp.post("/schools/<int:org_id>/closure-days")
def set_closure_days(org_id: int) -> Response | tuple[str, int]:
    """Switch the school's extra closure days on or off."""
    org = administered_school(org_id)
    year = asked_school_year()
    form = _closure_form(org, year)
    status = 400
    if form.validate_on_submit():
        with change() as outcome:
            school_calendar.set_closure_days(get_session(), org, form.kinds.data or [], app_now())
            hits = calendar_hits.closure_day_hits(get_session(), org, app_now())
        if not outcome.ok:
            status = fail(form, outcome)
        else:
            flash(gettext("Closure days saved."), "success")
            warn(hits)
            return redirect(show_url(org, year, "closure-days"))
    return page(org, year, status=status, closure_form=form)


@bp.post("/schools/<int:org_id>/complete")
def mark_complete(org_id: int) -> Response:
    """Say that the school's calendar of the school year is complete, or take that back."""
    org = administered_school(org_id)
    year = asked_school_year()
    if not ActionForm().validate_on_submit():
        flash(gettext("The form had expired; nothing was changed. Please try again."), "error")
        return redirect(show_url(org, year, "filled-in"))
    undo = request.form.get("complete") == "0"
    with change() as outcome:
        if undo:
            completeness.unmark_complete(get_session(), org, year, require_person(), app_now())
        else:
            completeness.mark_complete(get_session(), org, year, require_person(), app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
    elif undo:
        flash(
            gettext(
                "The calendar for %(year)s is no longer marked complete.",
                year=year,
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "The calendar for %(year)s is marked complete: coordinators planning in that"
                " year are no longer warned about it.",
                year=year,
            ),
            "success",
        )
    return redirect(show_url(org, year, "filled-in"))
