"""Administration of organisations: list and search, add, change, delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from wtforms import SelectChoice

from planner.clock import app_now
from planner.domain.kinds import OrganisationKind
from planner.models import Organisation
from planner.services import organisations
from planner.text.labels import label
from planner.web.forms import ActionForm
from planner.web.forms.admin import OrganisationForm
from planner.web.requests import change, get_session, request_locale
from planner.web.views.admin.base import bp, render

# Organisations listed at most per page; a search narrows the list down.
MAX_LISTED = 200


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label(kind, request_locale())) for kind in OrganisationKind]


def _form(org: Organisation | None = None) -> OrganisationForm:
    if org is None or request.method == "POST":
        form = OrganisationForm()
    else:
        fields = organisations.organisation_fields(org)
        form = OrganisationForm(data={key: value or "" for key, value in fields.items()})
    form.kind.choices = _kind_choices()
    return form


def _raw(form: OrganisationForm) -> dict[str, Any]:
    """The form as the raw fields the service checks (the same as the API's JSON)."""
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "brin": form.brin.data or None,
        "sector": form.sector.data or None,
        "region": form.region.data or None,
        "city": form.city.data or None,
    }


def _organisation(org_id: int) -> Organisation:
    org = get_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


@bp.get("/organisations")
def organisation_list() -> Any:
    """Every organisation (or those whose name, place or BRIN code matches ?q=)."""
    query = request.args.get("q", "").replace("\x00", "").strip()
    found = organisations.list_organisations(get_session(), search=query, limit=MAX_LISTED + 1)
    return render(
        "admin/organisations.html",
        organisations=found[:MAX_LISTED],
        more=len(found) > MAX_LISTED,
        query=query,
        kind_label=lambda kind: label(kind, request_locale()),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new() -> Any:
    """Add an organisation."""
    form = _form()
    if not form.validate_on_submit():
        return render(
            "admin/organisation_form.html",
            400 if request.method == "POST" else 200,
            form=form,
            org=None,
        )
    with change() as outcome:
        org = organisations.create_organisation(get_session(), _raw(form), app_now())
    if not outcome.ok:
        form.form_errors.append(outcome.message)
        return render("admin/organisation_form.html", outcome.status, form=form, org=None)
    flash(gettext("%(name)s has been added.", name=org.name), "success")
    return redirect(url_for(".organisation_list"))


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def organisation_edit(org_id: int) -> Any:
    """Change an organisation's name, kind, BRIN code, sector, region or place."""
    org = _organisation(org_id)
    form = _form(org)
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render("admin/organisation_form.html", status, form=form, org=org)
    with change() as outcome:
        organisations.update_organisation(get_session(), org, _raw(form), app_now())
    if not outcome.ok:
        form.form_errors.append(outcome.message)
        org = _organisation(org_id)
        return render("admin/organisation_form.html", outcome.status, form=form, org=org)
    flash(gettext("The changes to %(name)s are saved.", name=org.name), "success")
    return redirect(url_for(".organisation_list"))


@bp.route("/organisations/<int:org_id>/delete", methods=["GET", "POST"])
def organisation_delete(org_id: int) -> Any:
    """Ask, then delete an organisation; refused while a collaboration has it as a member."""
    session = get_session()
    org = _organisation(org_id)
    form = ActionForm()
    status = 200
    refused = None
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            name = org.name
            with change() as outcome:
                organisations.delete_organisation(session, org, app_now())
            if outcome.ok:
                flash(gettext("%(name)s has been deleted.", name=name), "success")
                return redirect(url_for(".organisation_list"))
            refused, status = outcome.message, outcome.status
            org = _organisation(org_id)
    refusal = organisations.deletion_refusal(session, org)
    dependants = organisations.dependants_of(session, org)
    return render(
        "admin/organisation_delete.html",
        status,
        org=org,
        refusal=refused or (refusal.translate(gettext) if refusal else None),
        busy=dependants.busy_periods,
        admins=dependants.admins,
        staff=dependants.staff,
        form=form,
    )
