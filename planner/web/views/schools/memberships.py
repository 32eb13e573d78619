"""A school's memberships: the collaborations it was added to, and whether each may read the
notes of its busy periods (agree / decline; planner.services.memberships holds the rule)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from planner.clock import app_now
from planner.domain.kinds import MemberConsent
from planner.models import Organisation
from planner.services import memberships
from planner.services.collaborations import coordinators
from planner.web.forms import ActionForm
from planner.web.requests import change, get_session
from planner.web.security import administered_school, require_person
from planner.web.views.schools.base import bp


@bp.get("/schools/<int:org_id>/memberships")
def memberships_page(org_id: int) -> str:
    """Every collaboration the school is in, those waiting for an answer first."""
    org = administered_school(org_id)
    return _page(org, 200)[0]


def _page(org: Organisation, status: int, message: str | None = None) -> tuple[str, int]:
    found = memberships.memberships_of(get_session(), org)
    return render_template(
        "schools/memberships.html",
        org=org,
        memberships=found,
        coordinators={item.collaboration.id: coordinators(item.collaboration) for item in found},
        form=ActionForm(),
        failed=message,
        Consent=MemberConsent,
    ), status


@bp.post("/schools/<int:org_id>/memberships/<int:collab_id>/<answer>")
def answer_membership(org_id: int, collab_id: int, answer: str) -> Response | tuple[str, int]:
    """Agree or decline that one collaboration reads the school's notes."""
    org = administered_school(org_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(
            org, 400, gettext("The form had expired; nothing was changed. Please try again.")
        )
    with change() as outcome:
        consent = memberships.parse_consent(answer)
        member = memberships.answer(
            get_session(), org, collab_id, consent, app_now(), actor=require_person()
        )
    if not outcome.ok:
        return _page(org, outcome.status, outcome.message)
    name = member.collaboration.name
    if consent is MemberConsent.AGREED:
        flash(gettext("%(name)s now sees the notes of your busy periods.", name=name), "success")
    else:
        flash(
            gettext("%(name)s sees your busy periods as 'busy' with their kind only.", name=name),
            "success",
        )
    return redirect(url_for("schools.memberships_page", org_id=org.id))
