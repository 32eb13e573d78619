"""Busy periods: test weeks, open days, study days… of a school, a region or the whole country."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner.calendar_nl import (
    iso_weeks_to_range,
    parse_region,
    parse_school_year,
    school_year_of,
)
from planner.domain.kinds import BUSY_KIND_WORDS, SEVERITY_WORDS, BusyKind, Severity
from planner.errors import N_, NotFoundError, ValidationError
from planner.events import (
    BusyPeriodChange,
    EventKind,
    append_event,
)
from planner.inputs import (
    optional_text,
    parse_bool,
    parse_choice,
    parse_date_range,
    parse_id,
    parse_weeks,
    reject_unknown_fields,
    require_scalar,
)
from planner.models import BusyPeriod, Organisation
from planner.services.organisations import find_organisation

# Kinds that are rather-not days by default; every other kind blocks planning outright.
SOFT_BY_DEFAULT = {BusyKind.REPORT_MEETINGS, BusyKind.OTHER}
FIELDS = {"kind", "first_day", "last_day", "school_year", "weeks", "severity", "note"}


@dataclass(frozen=True)
class BusyPeriodData:
    """Validated fields of a busy period."""

    kind: BusyKind
    first_on: date
    last_on: date
    severity: Severity
    note: str | None


def validate_busy_period(raw: Mapping[str, Any]) -> BusyPeriodData:
    """Check raw fields (dates, or a school year with ISO weeks) and return them typed."""
    reject_unknown_fields(raw, FIELDS)
    kind = parse_choice(raw.get("kind"), BusyKind, "kind", BUSY_KIND_WORDS)
    if raw.get("weeks") not in (None, ""):
        if raw.get("first_day") or raw.get("last_day"):
            raise ValidationError(N_("Give either dates or weeks, not both."))
        if not raw.get("school_year"):
            raise ValidationError(N_("Give the school year with the weeks, e.g. 2026-2027."))
        first_week, last_week = parse_weeks(raw["weeks"])
        first_on, last_on = iso_weeks_to_range(
            parse_school_year(str(raw["school_year"])), first_week, last_week
        )
    else:
        first_on, last_on = parse_date_range(
            raw.get("first_day"),
            raw.get("last_day") or raw.get("first_day"),
            "first_day",
            "last_day",
        )
    severity_raw = raw.get("severity")
    if severity_raw in (None, ""):
        severity = Severity.SOFT if kind in SOFT_BY_DEFAULT else Severity.HARD
    else:
        severity = parse_choice(severity_raw, Severity, "severity", SEVERITY_WORDS)
    return BusyPeriodData(
        kind=kind,
        first_on=first_on,
        last_on=last_on,
        severity=severity,
        note=optional_text(raw.get("note"), 500, "note"),
    )


def busy_period_fields(period: BusyPeriod) -> dict[str, Any]:
    """Return a busy period's editable fields as raw values."""
    return {
        "kind": period.kind.value,
        "first_day": period.first_on.isoformat(),
        "last_day": period.last_on.isoformat(),
        "severity": period.severity.value,
        "note": period.note,
    }


def _event_payload(period: BusyPeriod, before: dict[str, Any] | None = None) -> BusyPeriodChange:
    return BusyPeriodChange(
        busy_period_id=period.id,
        organisation_id=period.organisation_id,
        region=period.region,
        first_day=period.first_on.isoformat(),
        last_day=period.last_on.isoformat(),
        severity=period.severity.value,
        before=before,
    )


def create_busy_period(
    session: Session, raw: Mapping[str, Any], now: datetime, *, source: str = "manual"
) -> BusyPeriod:
    """Create a busy period; scope by `organisation` (id or BRIN), `region`, or `national`."""
    fields = dict(raw)
    org_ref = fields.pop("organisation", None)
    region_raw = fields.pop("region", None)
    national_raw = fields.pop("national", None)
    national = parse_bool(national_raw, "national") if national_raw is not None else False
    for value, field in ((org_ref, "organisation"), (region_raw, "region")):
        if value is not None:
            require_scalar(value, field)
    has_org = org_ref not in (None, "")
    has_region = region_raw not in (None, "")
    if sum((has_org, has_region, national)) != 1:
        raise ValidationError(
            N_("Say whose busy period this is: one organisation, one region, or national.")
        )
    org: Organisation | None = find_organisation(session, org_ref) if has_org else None
    region = parse_region(str(region_raw)) if has_region else None
    data = validate_busy_period(fields)
    period = BusyPeriod(
        organisation=org,
        region=region,
        kind=data.kind,
        first_on=data.first_on,
        last_on=data.last_on,
        severity=data.severity,
        note=data.note,
        source=source[:40],
        created_at=now,
        updated_at=now,
    )
    session.add(period)
    session.flush()
    append_event(session, EventKind.BUSY_PERIOD_CREATED, _event_payload(period), now)
    return period


def update_busy_period(
    session: Session, period: BusyPeriod, changes: Mapping[str, Any], now: datetime
) -> BusyPeriod:
    """Change a busy period; dates may be given again as a school year with weeks."""
    reject_unknown_fields(changes, FIELDS)
    before = busy_period_fields(period)
    merged = {**before, **changes}
    if changes.get("weeks") not in (None, ""):
        if "first_day" not in changes and "last_day" not in changes:
            merged.pop("first_day")
            merged.pop("last_day")
        merged.setdefault("school_year", school_year_of(period.first_on))
    elif "school_year" in changes:
        raise ValidationError(N_("Give the weeks with the school year, e.g. 45-46."))
    data = validate_busy_period(merged)
    before_payload = _event_payload(period)
    period.kind = data.kind
    period.first_on = data.first_on
    period.last_on = data.last_on
    period.severity = data.severity
    period.note = data.note
    if busy_period_fields(period) != before:
        period.updated_at = now
        session.flush()
        old = before_payload.to_json()
        payload = _event_payload(period, {k: old[k] for k in ("first_day", "last_day", "severity")})
        append_event(session, EventKind.BUSY_PERIOD_CHANGED, payload, now)
    return period


def delete_busy_period(session: Session, period: BusyPeriod, now: datetime) -> None:
    """Delete a busy period."""
    append_event(session, EventKind.BUSY_PERIOD_DELETED, _event_payload(period), now)
    session.delete(period)
    session.flush()


def get_busy_period(session: Session, period_id: int | str) -> BusyPeriod:
    """Return a busy period by id, or raise NotFoundError."""
    text = str(period_id).strip()
    period = session.get(BusyPeriod, parsed) if (parsed := parse_id(text)) else None
    if period is None:
        raise NotFoundError(N_("Unknown busy period '%(ref)s'."), ref=text)
    return period


def list_busy_periods(
    session: Session,
    organisation: Organisation | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[BusyPeriod]:
    """List busy periods by date; for one organisation, with its region's and national ones."""
    query = select(BusyPeriod).order_by(BusyPeriod.first_on, BusyPeriod.id)
    if organisation is not None:
        query = query.where(
            or_(
                BusyPeriod.organisation_id == organisation.id,
                (BusyPeriod.organisation_id.is_(None) & BusyPeriod.region.is_(None)),
                (BusyPeriod.region == organisation.region)
                if organisation.region
                else BusyPeriod.id.is_(None),
            )
        )
    if first is not None:
        query = query.where(BusyPeriod.last_on >= first)
    if last is not None:
        query = query.where(BusyPeriod.first_on <= last)
    return list(session.scalars(query))
