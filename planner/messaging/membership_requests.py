"""A school added to a collaboration is asked, once per administrator, whether the collaboration
may read the notes of its busy periods (event `membership.asked`); its answer is told to the
collaboration's coordinators (event `membership.answered`). The rule is
planner.services.memberships; this module only writes the mails."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from planner.domain.kinds import MemberConsent
from planner.events import EventKind, MembershipAnswered, MembershipRef
from planner.messaging.content import Block, Content, digest_key
from planner.messaging.registry import Context, handles
from planner.models import Collaboration, CollaborationMember, Organisation, Person
from planner.services.collaborations import coordinators
from planner.services.completeness import administrators_of
from planner.text.formatting import format_names


@handles(EventKind.MEMBERSHIP_ASKED)
def _asked(ctx: Context, payload: MembershipRef) -> None:
    member = ctx.session.get(
        CollaborationMember, (payload.collaboration_id, payload.organisation_id)
    )
    if member is None or member.consent is not MemberConsent.ASKED:
        return  # removed again, or answered before the mail went out
    collab, org = member.collaboration, member.organisation
    planners = [person.name for person in coordinators(collab)]
    for person in administrators_of(ctx.session, org):
        with force_locale(person.language):
            content = _request(ctx, collab, org, planners, person)
        # Asked again when the school is added again (a new event).
        key = digest_key("membership-asked", collab.id, org.id, ctx.event.id, person.id)
        ctx.composer.notice(key, person, content)


def _request(
    ctx: Context, collab: Collaboration, org: Organisation, planners: list[str], person: Person
) -> Content:
    page = f"{ctx.composer.base_url}/schools/{org.id}/memberships"
    who = format_names(planners, person.language) or gettext("A coordinator")
    return Content(
        gettext(
            "%(school)s was added to %(name)s: may it see your notes?",
            school=org.name,
            name=collab.name,
        ),
        gettext("Dear %(name)s,", name=person.name),
        [
            gettext(
                "%(who)s added %(school)s to the collaboration %(name)s. Its meetings are"
                " already planned around your school's test weeks, open days and other busy"
                " days.",
                who=who,
                school=org.name,
                name=collab.name,
            ),
            gettext(
                "Until you agree, the collaboration sees those days only as 'busy' with their"
                " kind (test week, open day), not what you wrote about them."
            ),
        ],
        [
            Block(
                collab.name,
                [gettext("Coordinators: %(names)s", names=who)],
                [(gettext("Agree or decline"), page)],
            )
        ],
        [
            gettext(
                "Whatever you answer, no meeting is planned on your school's blocked days. You"
                " can change your answer on the same page at any time."
            )
        ],
    )


@handles(EventKind.MEMBERSHIP_ANSWERED)
def _answered(ctx: Context, payload: MembershipAnswered) -> None:
    collab = ctx.session.get(Collaboration, payload.collaboration_id)
    org = ctx.session.get(Organisation, payload.organisation_id)
    if collab is None or org is None:
        return
    agreed = payload.consent == MemberConsent.AGREED.value
    for person in coordinators(collab):
        with force_locale(person.language):
            subject = (
                gettext(
                    "%(school)s shares its notes with %(name)s", school=org.name, name=collab.name
                )
                if agreed
                else gettext(
                    "%(school)s keeps its notes to itself in %(name)s",
                    school=org.name,
                    name=collab.name,
                )
            )
            line = (
                gettext(
                    "You now see what %(school)s wrote about its busy days in the year picture"
                    " and the plan's explanations.",
                    school=org.name,
                )
                if agreed
                else gettext(
                    "The school's busy days are still avoided; you see them as 'busy' with"
                    " their kind only.",
                )
            )
            page = f"{ctx.composer.base_url}/collaborations/{collab.id}"
            content = Content(
                subject,
                gettext("Dear %(name)s,", name=person.name),
                [line],
                [Block(collab.name, [], [(gettext("Open the collaboration"), page)])],
            )
        key = digest_key("membership-answered", collab.id, org.id, ctx.event.id, person.id)
        ctx.composer.notice(key, person, content)
