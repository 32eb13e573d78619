"""Administration of logins and their roles: platform administrators, school administrators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from planner.clock import app_now
from planner.inputs import parse_id
from planner.models import Organisation, Person
from planner.services import accounts, organisations
from planner.web.forms import ActionForm
from planner.web.forms.admin import AccountForm, SchoolAdminForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import require_person
from planner.web.views.admin.base import bp, render


def _school_choices(exclude: Iterable[int] = ()) -> list[SelectChoice]:
    skip = set(exclude)
    return [
        SelectChoice(str(org.id), f"{org.name} ({org.brin})" if org.brin else org.name)
        for org in organisations.list_organisations(get_session())
        if org.id not in skip
    ]


def _account_form() -> AccountForm:
    form = AccountForm()
    form.school.choices = [SelectChoice("", gettext("none")), *_school_choices()]
    if request.method == "GET":
        form.language.data = request_locale()
    return form


def _accounts_page(form: AccountForm, status: int = 200) -> tuple[str, int]:
    found = accounts.list_accounts(get_session())
    return render(
        "admin/accounts.html",
        status,
        accounts=found,
        roles=accounts.roles_of(get_session(), [person.id for person in found]),
        pending=accounts.PENDING,
        now=app_now(),
        form=form,
    )


def _account(person_id: int) -> Person:
    person = get_session().get(Person, person_id)
    if person is None or person.password_hash is None:
        abort(404)
    return person


def _school(value: str | None) -> Organisation:
    """A school chosen from a list on the page (a value not from the list: a bad request)."""
    ident = parse_id(value or "")
    org = get_session().get(Organisation, ident) if ident else None
    if org is None:
        abort(400)
    return org


def _back_to(person: Person) -> Response:
    return redirect(url_for(".account", person_id=person.id))


@bp.get("/accounts")
def account_list() -> Any:
    """Every login with its roles, and the form for a new one."""
    return _accounts_page(_account_form())


@bp.post("/accounts")
def account_new() -> Any:
    """Give a new or an existing person a login; they choose a password from the mailed link."""
    form = _account_form()
    if not form.validate_on_submit():
        return _accounts_page(form, 400)
    raw = {
        "email": form.email.data,
        "name": form.name.data,
        "language": form.language.data,
        "admin": bool(form.admin.data),
        "schools": [_school(form.school.data).id] if form.school.data else [],
    }
    with change() as outcome:
        person = accounts.create_account(get_session(), raw, app_now())
    if not outcome.ok:
        form.form_errors.append(outcome.message)
        return _accounts_page(form, outcome.status)
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


@bp.get("/accounts/<int:person_id>")
def account(person_id: int) -> Any:
    """One login: its roles, and what an administrator can do with it."""
    return _account_page(_account(person_id))


def _account_page(person: Person, status: int = 200) -> tuple[str, int]:
    roles = accounts.roles_of(get_session(), [person.id])[person.id]
    grant = SchoolAdminForm()
    grant.organisation.choices = _school_choices([org.id for org in roles.schools])
    return render(
        "admin/account.html",
        status,
        person=person,
        roles=roles,
        pending=person.password_hash == accounts.PENDING,
        grant=grant,
        action=ActionForm(),
        now=app_now(),
    )


@bp.post("/accounts/<int:person_id>/platform-admin")
def account_admin(person_id: int) -> Any:
    """Make a person a platform administrator (make=1) or stop that (make=0)."""
    person = _account(person_id)
    if not ActionForm().validate_on_submit() or request.form.get("make") not in ("0", "1"):
        abort(400)
    make = request.form["make"] == "1"
    with change() as outcome:
        accounts.set_platform_admin(get_session(), person, make, app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
        return _account_page(_account(person_id), outcome.status)
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
    person = _account(person_id)
    form = SchoolAdminForm()
    form.organisation.choices = _school_choices()
    if not form.validate_on_submit():
        flash(gettext("Choose a school from the list."), "error")
        return _back_to(person)
    org = _school(form.organisation.data)
    with change() as outcome:
        accounts.grant_school_admin(get_session(), person, org, app_now())
    if outcome.ok:
        flash(
            gettext("%(name)s administers %(school)s now.", name=person.name, school=org.name),
            "success",
        )
    else:
        flash(outcome.message, "error")
    return _back_to(person)


@bp.post("/accounts/<int:person_id>/schools/<int:org_id>/revoke")
def account_revoke_school(person_id: int, org_id: int) -> Any:
    """Stop a person administering a school."""
    person = _account(person_id)
    org = get_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        accounts.revoke_school_admin(get_session(), person, org)
    if outcome.ok:
        flash(
            gettext(
                "%(name)s no longer administers %(school)s.", name=person.name, school=org.name
            ),
            "success",
        )
    else:
        flash(outcome.message, "error")
    return _back_to(person)


@bp.post("/accounts/<int:person_id>/password-mail")
def account_password_mail(person_id: int) -> Any:
    """Mail a link to set a password (again the welcome mail, if none was chosen yet)."""
    person = _account(person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        accounts.request_password_link(get_session(), person, app_now())
    if outcome.ok:
        flash(
            gettext(
                "A mail with a link to set a password is on its way to %(email)s.",
                email=person.email,
            ),
            "success",
        )
    else:
        flash(outcome.message, "error")
    return _back_to(person)


@bp.route("/accounts/<int:person_id>/remove", methods=["GET", "POST"])
def account_remove(person_id: int) -> Any:
    """Ask, then take a login away: the person stays, as a participant without a login."""
    person = _account(person_id)
    refusal = accounts.removal_refusal(person, require_person())
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit() and refusal is None:
        with change() as outcome:
            accounts.remove_account(get_session(), person, app_now(), actor=require_person())
        if not outcome.ok:  # e.g. the last platform administrator
            flash(outcome.message, "error")
            return _back_to(_account(person_id))
        flash(
            gettext(
                "%(name)s can no longer log in. They still take part in their collaborations.",
                name=person.name,
            ),
            "success",
        )
        return redirect(url_for(".account_list"))
    return render(
        "admin/account_remove.html",
        400 if request.method == "POST" else 200,
        person=person,
        roles=accounts.roles_of(get_session(), [person.id])[person.id],
        refusal=refusal.translate(gettext) if refusal else None,
        form=form,
    )
