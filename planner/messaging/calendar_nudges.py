"""School administrators are asked to fill in their calendar when a coordinator plans
meetings in a school year for which the school has entered nothing (event
`calendars.missing`): once per school, school year and administrator, whoever plans next.

Once the school enters its test weeks and open days, a planned meeting that falls on one is
handled by the usual conflict flow (planner.messaging.calendar_changes)."""

from __future__ import annotations

from flask_babel import force_locale, gettext, ngettext

from planner.domain.stale_mail import MailBasis, Says
from planner.events import CalendarsMissing, EventKind
from planner.messaging.content import Block, Content, digest_key
from planner.messaging.registry import Context, handles
from planner.models import Collaboration, Organisation, Person
from planner.services.collaborations import coordinators
from planner.services.completeness import administrators_of, calendar_states
from planner.text.formatting import format_names


def nudge_key(org_id: int, school_year: str, person_id: int) -> str:
    """One nudge per school, school year and administrator."""
    return digest_key("calendar-nudge", org_id, school_year, person_id)


@handles(EventKind.CALENDARS_MISSING)
def _missing(ctx: Context, payload: CalendarsMissing) -> None:
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
    if collab is None:
        return
    orgs = [
        org
        for org_id in payload.organisation_ids
        if (org := ctx.session.get(Organisation, org_id)) is not None
    ]
    # A school that filled in its calendar since the plan is not asked any more.
    still_missing = [
        state.organisation
        for state in calendar_states(ctx.session, orgs, [payload.school_year])
        if not state.complete
    ]
    planners = [person.name for person in coordinators(collab)]
    for org in still_missing:
        for person in administrators_of(ctx.session, org):
            with force_locale(person.language):
                content = _content(ctx, collab, org, payload.school_year, planners, person)
            ctx.composer.notice(
                nudge_key(org.id, payload.school_year, person.id),
                person,
                content,
                # Not sent once the school has filled in the year meanwhile.
                MailBasis(
                    Says.CALENDAR_NUDGE, organisation=org.id, school_year=payload.school_year
                ),
            )


def _content(
    ctx: Context,
    collab: Collaboration,
    org: Organisation,
    school_year: str,
    planners: list[str],
    person: Person,
) -> Content:
    page = f"{ctx.composer.base_url}/schools/{org.id}?year={school_year}"
    return Content(
        gettext(
            "Please fill in the calendar of %(school)s for %(year)s",
            school=org.name,
            year=school_year,
        ),
        gettext("Dear %(name)s,", name=person.name),
        [
            ngettext(
                "%(coordinators)s (coordinator of %(name)s) is planning meetings in %(year)s;"
                " please enter your school's test weeks and open days, so that no meeting"
                " falls on them.",
                "%(coordinators)s (coordinators of %(name)s) are planning meetings in %(year)s;"
                " please enter your school's test weeks and open days, so that no meeting"
                " falls on them.",
                len(planners),
                coordinators=format_names(planners, person.language),
                name=collab.name,
                year=school_year,
            )
        ],
        [
            Block(
                gettext("%(school)s, school year %(year)s", school=org.name, year=school_year),
                [
                    gettext(
                        "Nothing is entered for this school year yet. Add the busy periods one"
                        " by one or import the school's year calendar (.ics or .csv)."
                    ),
                    gettext(
                        "No test weeks or open days at all? Mark the calendar complete on the"
                        " same page."
                    ),
                ],
                [(gettext("Open the school's calendar"), page)],
            )
        ],
        [
            gettext(
                "If a meeting that is planned already falls on a day you enter, its coordinator"
                " is told and gets a proposal for another date."
            )
        ],
    )
