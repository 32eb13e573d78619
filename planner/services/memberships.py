"""A school's consent: may a collaboration it was added to read the notes of its busy periods?

Anyone who coordinates may add any school to a collaboration, so the school's days are avoided
from the start. What the school wrote about those days ("Toetsweek 4 havo, herkansingen", "Open
dag, aula bezet") is the school's: the collaboration sees kind and dates only ("Toetsweek:
bezet") until one of the school's administrators agrees. Adding a school asks its
administrators (event `membership.asked`, one mail each, planner.messaging.membership_requests);
a school administrator who adds their own school agrees by doing so. A school may decline, or
take its consent back, at any time: its days stay avoided either way.

This module holds the rule; the pages, the API and the CLI only call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.domain.kinds import BusyKind, MemberConsent
from planner.errors import N_, NotFoundError, PermissionDenied, ValidationError
from planner.events import EventKind, MembershipAnswered, MembershipRef, append_event
from planner.inputs import parse_id
from planner.models import (
    Collaboration,
    CollaborationMember,
    Organisation,
    OrganisationAdmin,
    Person,
)
from planner.text.labels import label


def withheld_organisations(collab: Collaboration) -> frozenset[int]:
    """The member organisations whose busy-period notes this collaboration may not read."""
    return frozenset(
        member.organisation_id
        for member in collab.members
        if member.consent is not MemberConsent.AGREED
    )


def withheld_names(collab: Collaboration) -> frozenset[str]:
    """The names of those organisations (stored explanations and conflict flags name the
    organisation an obstacle is for by its name)."""
    return frozenset(
        member.organisation.name
        for member in collab.members
        if member.consent is not MemberConsent.AGREED
    )


# A school's own busy period reads "<kind>: <note>"; the kind's words in either language.
_KIND_WORDS = {label(kind, language): language for kind in BusyKind for language in ("nl", "en")}


def shown_label(reason: Mapping[str, Any], withheld: frozenset[str]) -> str:
    """The label of a stored obstacle (an explanation's reason, a conflict flag's) as the
    collaboration may read it now: without the school's note when the school it is for has
    not agreed. A reason stored before notes were withheld has no "withheld" label of its
    own: its note is cut off after the kind ("Toetsweek: <note>" → "Toetsweek: bezet")."""
    text = str(reason.get("label") or "")
    if str(reason.get("who") or "") not in withheld:
        return text
    if reason.get("withheld"):
        return str(reason["withheld"])
    kind, colon, _note = text.partition(": ")
    if colon and kind in _KIND_WORDS:
        return f"{kind}: {label('busy_withheld', _KIND_WORDS[kind])}"
    return text


def shown_reasons(collab: Collaboration, reasons: Iterable[Mapping[str, Any]]) -> list[str]:
    """'label — who' of each stored reason, as the collaboration may read it now, once each."""
    withheld = withheld_names(collab)
    words = [f"{shown_label(reason, withheld)} — {reason.get('who') or ''}" for reason in reasons]
    return list(dict.fromkeys(word for word in words if not word.startswith(" — ")))


def administers_itself(session: Session, person: Person | None, org: Organisation) -> bool:
    """Whether the person is one of the organisation's own administrators (a platform
    administrator is not: they keep the planner running, they do not speak for a school)."""
    if person is None:
        return False
    return session.get(OrganisationAdmin, (org.id, person.id)) is not None


def new_member(
    session: Session,
    collab: Collaboration,
    org: Organisation,
    position: int,
    now: datetime,
    actor: Person | None,
) -> CollaborationMember:
    """A membership of an organisation just added: agreed when its own administrator adds it,
    asked otherwise (the event that mails its administrators is appended once the
    collaboration has an id: `ask_new_members`)."""
    member = CollaborationMember(organisation=org, position=position)
    if administers_itself(session, actor, org):
        member.consent = MemberConsent.AGREED
        member.consent_at = now
        member.consent_by = actor
    else:
        member.consent = MemberConsent.ASKED
    return member


def ask_new_members(
    session: Session, collab: Collaboration, added: list[CollaborationMember], now: datetime
) -> None:
    """Ask the administrators of each school just added that has not agreed yet."""
    for member in added:
        if member.consent is MemberConsent.ASKED:
            append_event(
                session,
                EventKind.MEMBERSHIP_ASKED,
                MembershipRef(collab.id, member.organisation_id),
                now,
            )


@dataclass(frozen=True)
class Membership:
    """A collaboration an organisation is a member of, as its administrators see it."""

    collaboration: Collaboration
    member: CollaborationMember

    @property
    def consent(self) -> MemberConsent:
        return self.member.consent


def memberships_of(session: Session, org: Organisation) -> list[Membership]:
    """The collaborations the organisation is a member of, those still asking first."""
    members = session.scalars(
        select(CollaborationMember)
        .where(CollaborationMember.organisation_id == org.id)
        .options(
            selectinload(CollaborationMember.collaboration).selectinload(Collaboration.people),
            selectinload(CollaborationMember.consent_by),
        )
    ).all()
    found = [Membership(member.collaboration, member) for member in members]
    order = {MemberConsent.ASKED: 0, MemberConsent.AGREED: 1, MemberConsent.DECLINED: 2}
    found.sort(key=lambda item: (order[item.consent], item.collaboration.name.lower()))
    return found


def waiting_count(session: Session, org: Organisation) -> int:
    """How many collaborations wait for the organisation's answer."""
    return sum(1 for item in memberships_of(session, org) if item.consent is MemberConsent.ASKED)


def parse_consent(value: object) -> MemberConsent:
    """'agreed'/'declined' (or ja/nee, agree/decline) as a consent answer."""
    text = str(value if value is not None else "").strip().lower()
    words = {
        "agreed": MemberConsent.AGREED,
        "agree": MemberConsent.AGREED,
        "ja": MemberConsent.AGREED,
        "yes": MemberConsent.AGREED,
        "akkoord": MemberConsent.AGREED,
        "declined": MemberConsent.DECLINED,
        "decline": MemberConsent.DECLINED,
        "nee": MemberConsent.DECLINED,
        "no": MemberConsent.DECLINED,
    }
    if text not in words:
        raise ValidationError(
            N_("consent: '%(value)s' is no answer; choose agreed or declined."),
            value=text[:40],
        )
    return words[text]


def answer(
    session: Session,
    org: Organisation,
    collab_ref: str | int,
    consent: MemberConsent,
    now: datetime,
    *,
    actor: Person | None,
) -> CollaborationMember:
    """Record a school's answer for one collaboration it is a member of.

    `actor` is who answers on a page: one of the school's administrators or a platform
    administrator (None: the API token or the CLI, which act for the platform)."""
    if consent is MemberConsent.ASKED:
        raise ValidationError(
            N_("consent: '%(value)s' is no answer; choose agreed or declined."),
            value=consent.value,
        )
    if actor is not None and not (actor.is_admin or administers_itself(session, actor, org)):
        raise PermissionDenied(N_("Only the school's administrators may answer for it."))
    collab_id = parse_id(collab_ref)
    member = (
        session.get(CollaborationMember, (collab_id, org.id)) if collab_id is not None else None
    )
    if member is None:
        raise NotFoundError(
            N_("%(school)s is not a member of collaboration '%(ref)s'."),
            school=org.name,
            ref=str(collab_ref)[:40],
        )
    if member.consent is consent:
        return member
    member.consent = consent
    member.consent_at = now
    member.consent_by = actor
    session.flush()
    append_event(
        session,
        EventKind.MEMBERSHIP_ANSWERED,
        MembershipAnswered(member.collaboration_id, org.id, consent.value),
        now,
    )
    return member
