"""Organisations: schools, school boards and external partners."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from planner.calendar_nl import parse_region
from planner.domain.kinds import ORGANISATION_KIND_WORDS, OrganisationKind, Sector
from planner.errors import N_, ConflictError, NotFoundError, ValidationError
from planner.events import (
    EventKind,
    OrganisationChanged,
    OrganisationCreated,
    OrganisationDeleted,
    append_event,
)
from planner.inputs import (
    optional_text,
    parse_choice,
    parse_id,
    reject_unknown_fields,
    required_text,
)
from planner.models import (
    BusyPeriod,
    Collaboration,
    CollaborationMember,
    Organisation,
    OrganisationAdmin,
    Person,
)

BRIN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}(\d{2})?$")
FIELDS = {"kind", "name", "brin", "sector", "region", "city"}


@dataclass(frozen=True)
class OrganisationData:
    """Validated fields of an organisation."""

    kind: OrganisationKind
    name: str
    brin: str | None
    sector: Sector | None
    region: str | None
    city: str | None


def validate_organisation(raw: Mapping[str, Any]) -> OrganisationData:
    """Check raw fields and return them typed, or raise a ValidationError."""
    reject_unknown_fields(raw, FIELDS)
    kind = parse_choice(
        raw.get("kind") or "school", OrganisationKind, "kind", ORGANISATION_KIND_WORDS
    )
    name = required_text(raw.get("name"), 200, "name")
    brin = optional_text(raw.get("brin"), 10, "brin")
    if brin is not None:
        brin = brin.upper().replace(" ", "")
        if not BRIN_PATTERN.match(brin):
            raise ValidationError(
                N_("BRIN code '%(brin)s' is not valid: two digits and two letters, e.g. 02QZ."),
                brin=brin,
            )
    sector_raw = raw.get("sector")
    sector = parse_choice(sector_raw, Sector, "sector") if sector_raw else None
    region_raw = raw.get("region")
    region = parse_region(str(region_raw)) if region_raw else None
    if kind is not OrganisationKind.PARTNER and region is None:
        raise ValidationError(
            N_("A school or school board needs a holiday region: noord, midden or zuid.")
        )
    if kind is not OrganisationKind.SCHOOL and sector is not None:
        raise ValidationError(N_("Only a school has a sector."))
    return OrganisationData(
        kind=kind,
        name=name,
        brin=brin,
        sector=sector,
        region=region,
        city=optional_text(raw.get("city"), 100, "city"),
    )


def organisation_fields(org: Organisation) -> dict[str, Any]:
    """Return an organisation's editable fields as raw values."""
    return {
        "kind": org.kind.value,
        "name": org.name,
        "brin": org.brin,
        "sector": org.sector.value if org.sector else None,
        "region": org.region,
        "city": org.city,
    }


def _check_brin_free(session: Session, brin: str | None, own_id: int | None) -> None:
    if brin is None:
        return
    other = session.scalar(select(Organisation).where(Organisation.brin == brin))
    if other is not None and other.id != own_id:
        raise ConflictError(
            N_("BRIN code %(brin)s is already used by %(name)s."), brin=brin, name=other.name
        )


def create_organisation(session: Session, raw: Mapping[str, Any], now: datetime) -> Organisation:
    """Create an organisation from raw fields."""
    data = validate_organisation(raw)
    _check_brin_free(session, data.brin, None)
    org = Organisation(**asdict(data), created_at=now, updated_at=now)
    session.add(org)
    session.flush()
    append_event(session, EventKind.ORGANISATION_CREATED, OrganisationCreated(org.id), now)
    return org


def update_organisation(
    session: Session, org: Organisation, changes: Mapping[str, Any], now: datetime
) -> Organisation:
    """Change some fields of an organisation; the result is validated as a whole."""
    reject_unknown_fields(changes, FIELDS)
    before = organisation_fields(org)
    data = validate_organisation({**before, **changes})
    _check_brin_free(session, data.brin, org.id)
    if data.region != org.region and org.holiday_overrides:
        raise ConflictError(
            N_(
                "%(name)s has its own dates for %(count)s school holiday(s) of region "
                "%(region)s; delete those first."
            ),
            name=org.name,
            count=len(org.holiday_overrides),
            region=org.region,
        )
    for key, value in asdict(data).items():
        setattr(org, key, value)
    after = organisation_fields(org)
    if after != before:
        org.updated_at = now
        session.flush()
        changed = sorted(key for key in after if after[key] != before[key])
        append_event(
            session,
            EventKind.ORGANISATION_CHANGED,
            OrganisationChanged(org.id, changed, before["region"]),
            now,
        )
    return org


def collaborations_of(session: Session, org: Organisation | int) -> list[Collaboration]:
    """The collaborations that have the organisation as a member, by name."""
    org_id = org if isinstance(org, int) else org.id
    return list(
        session.scalars(
            select(Collaboration)
            .join(CollaborationMember, CollaborationMember.collaboration_id == Collaboration.id)
            .where(CollaborationMember.organisation_id == org_id)
            .order_by(Collaboration.name, Collaboration.id)
        )
    )


@dataclass(frozen=True)
class Dependants:
    """What refers to an organisation: what goes with it, and what stops its deletion."""

    busy_periods: int
    admins: int
    staff: int
    collaborations: list[Collaboration]


def dependants_of(session: Session, org: Organisation) -> Dependants:
    """Count what a deletion takes along (busy periods, administrator rights, staff links)."""

    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    return Dependants(
        busy_periods=count(
            select(func.count(BusyPeriod.id)).where(BusyPeriod.organisation_id == org.id)
        ),
        admins=count(select(func.count()).where(OrganisationAdmin.organisation_id == org.id)),
        staff=count(select(func.count(Person.id)).where(Person.organisation_id == org.id)),
        collaborations=collaborations_of(session, org),
    )


def deletion_refusal(session: Session, org: Organisation) -> ConflictError | None:
    """Why the organisation cannot be deleted now (it is a member of a collaboration), or None."""
    used_by = collaborations_of(session, org)
    if not used_by:
        return None
    return ConflictError(
        N_(
            "%(name)s cannot be deleted: it is a member of %(collaborations)s."
            " Remove it from those collaborations first."
        ),
        name=org.name,
        collaborations=", ".join(collab.name for collab in used_by),
    )


def delete_organisation(session: Session, org: Organisation, now: datetime) -> None:
    """Delete an organisation with its busy periods, overrides and closure days; refused while
    a collaboration has it as a member."""
    refusal = deletion_refusal(session, org)
    if refusal is not None:
        raise refusal
    append_event(
        session, EventKind.ORGANISATION_DELETED, OrganisationDeleted(org.id, org.name), now
    )
    session.delete(org)
    session.flush()


def find_organisation(session: Session, ref: str | int) -> Organisation:
    """Find an organisation by id or BRIN code, or raise NotFoundError."""
    text = str(ref).strip()
    org: Organisation | None = None
    org_id = parse_id(text)
    if org_id is not None:
        org = session.get(Organisation, org_id)
    elif text:
        brin = text.upper().replace(" ", "")
        org = session.scalar(select(Organisation).where(Organisation.brin == brin))
    if org is None:
        raise NotFoundError(
            N_("Unknown organisation '%(ref)s' (give an id or BRIN code)."), ref=text
        )
    return org


def list_organisations(
    session: Session,
    kind: OrganisationKind | None = None,
    region: str | None = None,
    *,
    search: str | None = None,
    limit: int | None = None,
) -> list[Organisation]:
    """List organisations by name, optionally of one kind or region, or those whose name or
    place contains `search` (or whose BRIN code it is)."""
    query = select(Organisation).order_by(func.lower(Organisation.name), Organisation.id)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    if region is not None:
        query = query.where(Organisation.region == region)
    # No NUL: PostgreSQL cannot compare text that holds one.
    text = (search or "").replace("\x00", "").strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Organisation.name).like(pattern),
                func.lower(Organisation.city).like(pattern),
                Organisation.brin == text.upper().replace(" ", ""),
            )
        )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
