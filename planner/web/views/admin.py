"""Platform administration: organisations, accounts and roles, holiday data, the event and mail
queues, and the settings with the worker's health. Only for platform administrators (403 for
everyone else, the login page for anonymous visitors)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from sqlalchemy import func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from planner.calendar_nl import (
    HOLIDAY_NAMES,
    REGIONS,
    SchoolHoliday,
    display_name,
    load_school_holidays,
    parse_rijksoverheid,
    school_year_of,
)
from planner.clock import app_now
from planner.domain.kinds import OrganisationKind, Role
from planner.errors import N_, PlannerError, ValidationError
from planner.messaging.passwords import queue_password_mail
from planner.models import (
    Collaboration,
    CollaborationMember,
    CollaborationPerson,
    JobState,
    Organisation,
    OrganisationAdmin,
    Person,
    SchoolHolidayRecord,
)
from planner.services import accounts, organisations, people, school_calendar
from planner.services.outbox import (
    QueueState,
    list_events,
    list_mails,
    queue_counts,
    retry_event,
    retry_mail,
)
from planner.text.formatting import format_span
from planner.text.labels import label
from planner.web.forms import ActionForm
from planner.web.forms.admin import (
    AccountForm,
    HolidayConfirmForm,
    HolidayUploadForm,
    OrganisationForm,
    SchoolAdminForm,
)
from planner.web.requests import get_session
from planner.web.security import require_person
from planner.web.views.subscriptions import format_moment

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Organisations listed at most per page; a search narrows the list down.
MAX_LISTED = 200
# The largest holiday file taken (the complete Rijksoverheid answer is far smaller).
MAX_HOLIDAY_FILE = 2 * 1024 * 1024
# Queue rows shown per state.
QUEUE_ROWS = 100
# The periodic jobs of `planner worker` and the leases its processes hold.
JOBS = ("reminders", "settle", "daily", "weekly")
LEASES = ("scheduler", "dispatch")


@bp.before_request
def only_administrators() -> None:
    """Every page here: the login page for visitors, 403 for anyone but an administrator."""
    if not require_person().is_admin:
        abort(403)


def _locale() -> str:
    return str(get_locale() or "nl")


def _moment(instant: datetime | None) -> str:
    return format_moment(instant, _locale())


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, moment=_moment, **context), status


# --- overview -----------------------------------------------------------------------------------


@bp.get("")
def index() -> Any:
    """What needs attention, and the ways into each part."""
    db = get_session()
    events, mails = queue_counts(db)
    return _render(
        "admin/index.html",
        organisations=db.scalar(select(func.count(Organisation.id))) or 0,
        accounts=db.scalar(select(func.count(Person.id)).where(Person.password_hash.is_not(None)))
        or 0,
        events=events,
        mails=mails,
        scheduler=_lease(db, "scheduler"),
        missing_year=_missing_school_year(db),
    )


# --- organisations ------------------------------------------------------------------------------


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label(kind, _locale())) for kind in OrganisationKind]


def _organisation_form(org: Organisation | None = None) -> OrganisationForm:
    if org is None or request.method == "POST":
        form = OrganisationForm()
    else:
        fields = organisations.organisation_fields(org)
        form = OrganisationForm(data={key: value or "" for key, value in fields.items()})
    form.kind.choices = _kind_choices()
    return form


def _organisation_raw(form: OrganisationForm) -> dict[str, Any]:
    """The form as the raw fields the service checks (the same as the API's JSON)."""
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "brin": form.brin.data or None,
        "sector": form.sector.data or None,
        "region": form.region.data or None,
        "city": form.city.data or None,
    }


@bp.get("/organisations")
def organisation_list() -> Any:
    """Every organisation (or those whose name, place or BRIN code matches ?q=)."""
    db = get_session()
    # No NUL: PostgreSQL cannot compare text that holds one.
    query = request.args.get("q", "").replace("\x00", "").strip()
    statement = select(Organisation).order_by(func.lower(Organisation.name), Organisation.id)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Organisation.name).like(pattern),
                func.lower(Organisation.city).like(pattern),
                Organisation.brin == query.upper().replace(" ", ""),
            )
        )
    found = list(db.scalars(statement.limit(MAX_LISTED + 1)))
    return _render(
        "admin/organisations.html",
        organisations=found[:MAX_LISTED],
        more=len(found) > MAX_LISTED,
        query=query,
        kind_label=lambda kind: label(kind, _locale()),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new() -> Any:
    """Add an organisation."""
    form = _organisation_form()
    if form.validate_on_submit():
        db = get_session()
        try:
            org = organisations.create_organisation(db, _organisation_raw(form), app_now())
        except PlannerError as error:
            db.rollback()
            form.form_errors.append(error.translate(gettext))
            return _render("admin/organisation_form.html", error.status, form=form, org=None)
        db.commit()
        flash(gettext("%(name)s has been added.", name=org.name), "success")
        return redirect(url_for(".organisation_list"))
    status = 400 if request.method == "POST" else 200
    return _render("admin/organisation_form.html", status, form=form, org=None)


def _organisation(org_id: int) -> Organisation:
    org = get_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def organisation_edit(org_id: int) -> Any:
    """Change an organisation's name, kind, BRIN code, sector, region or place."""
    db = get_session()
    org = _organisation(org_id)
    form = _organisation_form(org)
    if form.validate_on_submit():
        try:
            organisations.update_organisation(db, org, _organisation_raw(form), app_now())
        except PlannerError as error:
            db.rollback()
            org = _organisation(org_id)
            form.form_errors.append(error.translate(gettext))
            return _render("admin/organisation_form.html", error.status, form=form, org=org)
        db.commit()
        flash(gettext("The changes to %(name)s are saved.", name=org.name), "success")
        return redirect(url_for(".organisation_list"))
    status = 400 if request.method == "POST" else 200
    return _render("admin/organisation_form.html", status, form=form, org=org)


def _collaborations_of(db: Session, org: Organisation) -> list[Collaboration]:
    return list(
        db.scalars(
            select(Collaboration)
            .join(CollaborationMember, CollaborationMember.collaboration_id == Collaboration.id)
            .where(CollaborationMember.organisation_id == org.id)
            .order_by(Collaboration.name)
        )
    )


@bp.route("/organisations/<int:org_id>/delete", methods=["GET", "POST"])
def organisation_delete(org_id: int) -> Any:
    """Ask, then delete an organisation; refused while a collaboration has it as a member."""
    db = get_session()
    org = _organisation(org_id)
    used_by = _collaborations_of(db, org)
    form = ActionForm()
    refusal = None
    if used_by:
        refusal = gettext(
            "%(name)s cannot be deleted: it is a member of %(collaborations)s."
            " Remove it from those collaborations first.",
            name=org.name,
            collaborations=", ".join(collab.name for collab in used_by),
        )
    if request.method == "POST" and form.validate_on_submit():
        if refusal is not None:
            flash(refusal, "error")
            return redirect(url_for(".organisation_delete", org_id=org.id))
        name = org.name
        organisations.delete_organisation(db, org, app_now())
        db.commit()
        flash(gettext("%(name)s has been deleted.", name=name), "success")
        return redirect(url_for(".organisation_list"))
    admins = db.scalar(select(func.count()).where(OrganisationAdmin.organisation_id == org.id))
    staff = db.scalar(select(func.count(Person.id)).where(Person.organisation_id == org.id))
    return _render(
        "admin/organisation_delete.html",
        400 if request.method == "POST" else 200,
        org=org,
        refusal=refusal,
        busy=len(org.busy_periods),
        admins=admins or 0,
        staff=staff or 0,
        form=form,
    )


# --- accounts and roles -------------------------------------------------------------------------


def _roles(db: Session, people_ids: Iterable[int]) -> dict[int, dict[str, list[Any]]]:
    """Per person: the organisations they administer and the collaborations they coordinate."""
    ids = list(people_ids)
    roles: dict[int, dict[str, list[Any]]] = defaultdict(lambda: {"schools": [], "coordinates": []})
    for person_id, org in db.execute(
        select(OrganisationAdmin.person_id, Organisation)
        .join(Organisation, Organisation.id == OrganisationAdmin.organisation_id)
        .where(OrganisationAdmin.person_id.in_(ids))
        .order_by(Organisation.name)
    ):
        roles[person_id]["schools"].append(org)
    for person_id, collab in db.execute(
        select(CollaborationPerson.person_id, Collaboration)
        .join(Collaboration, Collaboration.id == CollaborationPerson.collaboration_id)
        .where(
            CollaborationPerson.person_id.in_(ids),
            CollaborationPerson.role == Role.COORDINATOR,
        )
        .order_by(Collaboration.name)
    ):
        roles[person_id]["coordinates"].append(collab)
    return roles


def _school_choices(db: Session, exclude: Iterable[int] = ()) -> list[SelectChoice]:
    skip = set(exclude)
    return [
        SelectChoice(str(org.id), f"{org.name} ({org.brin})" if org.brin else org.name)
        for org in organisations.list_organisations(db)
        if org.id not in skip
    ]


def _account_form(db: Session) -> AccountForm:
    form = AccountForm()
    form.school.choices = [SelectChoice("", gettext("none")), *_school_choices(db)]
    if request.method == "GET":
        form.language.data = _locale()
    return form


def _accounts_page(form: AccountForm, status: int = 200) -> tuple[str, int]:
    db = get_session()
    found = accounts.list_accounts(db)
    return _render(
        "admin/accounts.html",
        status,
        accounts=found,
        roles=_roles(db, [person.id for person in found]),
        pending=accounts.PENDING,
        now=app_now(),
        form=form,
    )


@bp.get("/accounts")
def account_list() -> Any:
    """Every login with its roles, and the form for a new one."""
    return _accounts_page(_account_form(get_session()))


@bp.post("/accounts")
def account_new() -> Any:
    """Give a new or an existing person a login; they choose a password from the mailed link."""
    db = get_session()
    form = _account_form(db)
    if not form.validate_on_submit():
        return _accounts_page(form, 400)
    now = app_now()
    email = (form.email.data or "").strip().lower()
    try:
        person = db.scalar(select(Person).where(Person.email == email))
        if person is None:
            if not (form.name.data or "").strip():
                form.name.errors = [gettext("Give the name of this new person.")]
                return _accounts_page(form, 400)
            person = people.create_person(
                db,
                {"name": form.name.data, "email": email, "language": form.language.data},
                now,
            )
        if not accounts.open_account(db, person, now):
            form.email.errors = [gettext("%(email)s already has a login.", email=person.email)]
            return _accounts_page(form, 409)
        if form.admin.data:
            accounts.set_platform_admin(db, person, True, now)
        if form.school.data:
            school = db.get(Organisation, int(form.school.data))
            if school is None:
                abort(400)
            accounts.grant_school_admin(db, person, school, now)
        queue_password_mail(person, welcome=True)
    except PlannerError as error:
        db.rollback()
        form.form_errors.append(error.translate(gettext))
        return _accounts_page(form, error.status)
    db.commit()
    flash(
        gettext(
            "%(name)s has a login now. A mail with a link to choose a password is on its way to"
            " %(email)s.",
            name=person.name,
            email=person.email,
        ),
        "success",
    )
    return redirect(url_for(".account", person_id=person.id))


def _account(person_id: int) -> Person:
    person = get_session().get(Person, person_id)
    if person is None or person.password_hash is None:
        abort(404)
    return person


@bp.get("/accounts/<int:person_id>")
def account(person_id: int) -> Any:
    """One login: its roles, and what an administrator can do with it."""
    db = get_session()
    person = _account(person_id)
    roles = _roles(db, [person.id])[person.id]
    grant = SchoolAdminForm()
    grant.organisation.choices = _school_choices(db, [org.id for org in roles["schools"]])
    return _render(
        "admin/account.html",
        person=person,
        roles=roles,
        pending=person.password_hash == accounts.PENDING,
        grant=grant,
        action=ActionForm(),
        now=app_now(),
    )


def _back_to(person: Person) -> Response:
    return redirect(url_for(".account", person_id=person.id))


@bp.post("/accounts/<int:person_id>/platform-admin")
def account_admin(person_id: int) -> Any:
    """Make a person a platform administrator (make=1) or stop that (make=0)."""
    db = get_session()
    person = _account(person_id)
    if not ActionForm().validate_on_submit() or request.form.get("make") not in ("0", "1"):
        abort(400)
    make = request.form["make"] == "1"
    try:
        accounts.set_platform_admin(db, person, make, app_now())
    except PlannerError as error:
        db.rollback()
        flash(error.translate(gettext), "error")
        return _back_to(person)
    db.commit()
    if make:
        flash(gettext("%(name)s is a platform administrator now.", name=person.name), "success")
    else:
        flash(
            gettext("%(name)s is no longer a platform administrator.", name=person.name),
            "success",
        )
    if person.id == require_person().id and not make:
        return redirect(url_for("pages.index"))
    return _back_to(person)


@bp.post("/accounts/<int:person_id>/schools")
def account_grant_school(person_id: int) -> Any:
    """Let a person administer one more school's calendar."""
    db = get_session()
    person = _account(person_id)
    form = SchoolAdminForm()
    form.organisation.choices = _school_choices(db)
    if not form.validate_on_submit():
        flash(gettext("Choose a school from the list."), "error")
        return _back_to(person)
    org = db.get(Organisation, int(form.organisation.data or 0))
    if org is None:
        abort(400)
    accounts.grant_school_admin(db, person, org, app_now())
    db.commit()
    flash(
        gettext("%(name)s administers %(school)s now.", name=person.name, school=org.name),
        "success",
    )
    return _back_to(person)


@bp.post("/accounts/<int:person_id>/schools/<int:org_id>/revoke")
def account_revoke_school(person_id: int, org_id: int) -> Any:
    """Stop a person administering a school."""
    db = get_session()
    person = _account(person_id)
    org = _organisation(org_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.revoke_school_admin(db, person, org)
    db.commit()
    flash(
        gettext("%(name)s no longer administers %(school)s.", name=person.name, school=org.name),
        "success",
    )
    return _back_to(person)


@bp.post("/accounts/<int:person_id>/password-mail")
def account_password_mail(person_id: int) -> Any:
    """Mail a link to set a password (again the welcome mail, if none was chosen yet)."""
    db = get_session()
    person = _account(person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    queue_password_mail(person, welcome=person.password_hash == accounts.PENDING)
    db.commit()
    flash(
        gettext(
            "A mail with a link to set a password is on its way to %(email)s.", email=person.email
        ),
        "success",
    )
    return _back_to(person)


@bp.route("/accounts/<int:person_id>/remove", methods=["GET", "POST"])
def account_remove(person_id: int) -> Any:
    """Ask, then take a login away: the person stays, as a participant without a login."""
    db = get_session()
    person = _account(person_id)
    form = ActionForm()
    refusal = None
    if person.id == require_person().id:
        refusal = gettext("You cannot remove your own login. Ask another platform administrator.")
    if request.method == "POST" and form.validate_on_submit() and refusal is None:
        now = app_now()
        try:
            if person.is_admin:
                accounts.set_platform_admin(db, person, False, now)  # never the last one
            for org in _roles(db, [person.id])[person.id]["schools"]:
                accounts.revoke_school_admin(db, person, org)
            accounts.remove_login(db, person, now)
        except PlannerError as error:
            db.rollback()
            flash(error.translate(gettext), "error")
            return _back_to(_account(person_id))
        db.commit()
        flash(
            gettext(
                "%(name)s can no longer log in. They still take part in their collaborations.",
                name=person.name,
            ),
            "success",
        )
        return redirect(url_for(".account_list"))
    return _render(
        "admin/account_remove.html",
        400 if request.method == "POST" else 200,
        person=person,
        roles=_roles(db, [person.id])[person.id],
        refusal=refusal,
        form=form,
    )


# --- holiday data -------------------------------------------------------------------------------


def _holiday_table(db: Session) -> list[dict[str, Any]]:
    """Per school year: how many holidays each region has, and whether they were imported."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REGIONS, 0))
    for holiday in school_calendar.effective_school_holidays(db):
        counts[holiday.school_year][holiday.region] += 1
    imported: dict[str, datetime] = {}
    for school_year, when in db.execute(
        select(SchoolHolidayRecord.school_year, func.max(SchoolHolidayRecord.imported_at)).group_by(
            SchoolHolidayRecord.school_year
        )
    ):
        imported[school_year] = when
    shipped = {holiday.school_year for holiday in load_school_holidays()}
    current = school_year_of(app_now().date())
    return [
        {
            "school_year": school_year,
            "regions": counts[school_year],
            "complete": all(count == len(HOLIDAY_NAMES) for count in counts[school_year].values()),
            "shipped": school_year in shipped,
            "imported": imported.get(school_year),
            "current": school_year == current,
        }
        for school_year in sorted(counts)
    ]


def _missing_school_year(db: Session) -> str | None:
    """The next school year when the planner has no holidays for it yet (else None)."""
    first = int(school_year_of(app_now().date())[:4]) + 1
    wanted = f"{first}-{first + 1}"
    known = {holiday.school_year for holiday in school_calendar.effective_school_holidays(db)}
    return None if wanted in known else wanted


def _as_rijksoverheid(holidays: Iterable[SchoolHoliday]) -> str:
    """Holidays written back in the Rijksoverheid shape, so the confirmation is parsed (and
    checked) by the same importer as the upload."""
    years: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for holiday in holidays:
        vacation = years[holiday.school_year].setdefault(
            holiday.name,
            {"type": holiday.name, "compulsorydates": holiday.compulsory, "regions": []},
        )
        vacation["regions"].append(
            {
                "region": holiday.region,
                # Noon UTC falls on the same day in Amsterdam, summer and winter.
                "startdate": holiday.first_day.isoformat() + "T12:00:00Z",
                "enddate": holiday.last_day.isoformat() + "T12:00:00Z",
            }
        )
    content = [
        {"schoolyear": year, "vacations": list(vacations.values())}
        for year, vacations in sorted(years.items())
    ]
    return json.dumps({"content": content}, separators=(",", ":"))


def _holidays_page(upload: HolidayUploadForm, status: int = 200, **context: Any) -> tuple[str, int]:
    db = get_session()
    return _render(
        "admin/holidays.html",
        status,
        table=_holiday_table(db),
        regions=REGIONS,
        missing_year=_missing_school_year(db),
        upload=upload,
        **context,
    )


@bp.get("/holidays")
def holidays() -> Any:
    """Which school years have holiday data per region, and the upload of newer data."""
    return _holidays_page(HolidayUploadForm())


def _change_rows(changes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    locale = _locale()

    def span(value: dict[str, Any] | None) -> str:
        if value is None:
            return ""
        first = date.fromisoformat(value["first_day"])
        last = date.fromisoformat(value["last_day"])
        return format_span(first, last, locale)

    return [
        {
            "school_year": change["school_year"],
            "name": display_name(change["name"], locale),
            "region": change["region"],
            "before": span(change["before"]),
            "after": span(change["after"]),
        }
        for change in changes
    ]


def _parse_holidays(data: bytes | str) -> list[SchoolHoliday]:
    """Read Rijksoverheid holiday data; impossible dates or absurd nesting are refused too."""
    try:
        return parse_rijksoverheid(data)
    except (OverflowError, RecursionError):  # a year 9999 date-time; "[[[[…" a million deep
        raise ValidationError(
            N_("The file is not Rijksoverheid holiday data, or it holds impossible dates.")
        ) from None


@bp.post("/holidays/preview")
def holidays_preview() -> Any:
    """Read an uploaded file and show what importing it would change; nothing is stored."""
    upload = HolidayUploadForm()
    if not upload.validate_on_submit():
        return _holidays_page(upload, 400)
    db = get_session()
    data = upload.file.data.read(MAX_HOLIDAY_FILE + 1)
    try:
        if len(data) > MAX_HOLIDAY_FILE:
            upload.file.errors = [gettext("The file is too large for holiday data.")]
            return _holidays_page(upload, 400)
        parsed = _parse_holidays(data)
        result = school_calendar.import_school_holidays(db, parsed, "preview", app_now())
    except PlannerError as error:
        upload.file.errors = [
            gettext("This file cannot be imported: %(reason)s", reason=error.translate(gettext))
        ]
        return _holidays_page(upload, error.status)
    finally:
        db.rollback()  # a preview stores nothing
    confirm = HolidayConfirmForm(formdata=None, data={"holidays": _as_rijksoverheid(parsed)})
    return _holidays_page(
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
        return _holidays_page(HolidayUploadForm(formdata=None), 400, expired=True)
    db = get_session()
    me = require_person()
    try:
        parsed = _parse_holidays(form.holidays.data or "")
        result = school_calendar.import_school_holidays(
            db, parsed, f"web upload by {me.email}", app_now()
        )
    except PlannerError as error:
        db.rollback()
        flash(error.translate(gettext), "error")
        return redirect(url_for(".holidays"))
    db.commit()
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


# --- the event and mail queues ------------------------------------------------------------------


@bp.get("/queue")
def queue() -> Any:
    """Counts of both queues per state, and the rows of one state (?state=, dead by default)."""
    db = get_session()
    raw = request.args.get("state", QueueState.DEAD.value)
    if raw not in {state.value for state in QueueState}:
        abort(404)
    state = QueueState(raw)
    events, mails = queue_counts(db)
    return _render(
        "admin/queue.html",
        state=state,
        states=list(QueueState),
        counts={"events": events, "mails": mails},
        events=list_events(db, state, QUEUE_ROWS),
        mails=list_mails(db, state, QUEUE_ROWS),
        retryable=state in (QueueState.FAILED, QueueState.DEAD),
        action=ActionForm(),
    )


def _after_retry() -> Response:
    state = request.form.get("state", QueueState.DEAD.value)
    if state not in {item.value for item in QueueState}:
        state = QueueState.DEAD.value
    return redirect(url_for(".queue", state=state))


@bp.post("/queue/events/<int:event_id>/retry")
def queue_retry_event(event_id: int) -> Any:
    """Put a failed or dead event back in the queue, due now."""
    db = get_session()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        retry_event(db, event_id, app_now())
    except PlannerError as error:
        db.rollback()
        flash(error.translate(gettext), "error")
        return _after_retry()
    db.commit()
    flash(gettext("Event %(id)s is back in the queue.", id=event_id), "success")
    return _after_retry()


@bp.post("/queue/mails/<int:mail_id>/retry")
def queue_retry_mail(mail_id: int) -> Any:
    """Put a failed or dead mail back in the queue, due now."""
    db = get_session()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        retry_mail(db, mail_id, app_now())
    except PlannerError as error:
        db.rollback()
        flash(error.translate(gettext), "error")
        return _after_retry()
    db.commit()
    flash(gettext("Mail %(id)s is back in the queue.", id=mail_id), "success")
    return _after_retry()


# --- settings and the worker ----------------------------------------------------------------------

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


def _lease(db: Session, name: str) -> dict[str, Any]:
    state = db.get(JobState, name)
    now = app_now()
    held = bool(state and state.holder and state.lease_until and state.lease_until > now)
    return {
        "name": name,
        "holder": state.holder if state else None,
        "until": state.lease_until if state else None,
        "held": held,
    }


def _worker(db: Session) -> dict[str, Any]:
    jobs = []
    for name in JOBS:
        state = db.get(JobState, f"job:{name}")
        jobs.append(
            {
                "name": name,
                "last_run": state.last_run_at if state else None,
                "error": state.last_error if state else None,
            }
        )
    return {"leases": [_lease(db, name) for name in LEASES], "jobs": jobs}


@bp.get("/settings")
def settings() -> Any:
    """The settings in force (secrets masked) and when the worker last did its jobs."""
    db = get_session()
    groups = [
        (group, [(name, _setting(name)) for name in names]) for group, names in SETTING_GROUPS
    ]
    return _render(
        "admin/settings.html",
        groups=groups,
        worker=_worker(db),
    )
