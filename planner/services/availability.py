"""Blocked days for a group of organisations, from everything stored about them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from planner.calendar_nl import (
    SchoolHoliday,
    closure_day_dates,
    display_name,
    national_closure_days,
)
from planner.domain.availability import (
    BlockedDay,
    OrgCalendar,
    Period,
    blocked_days,
    withhold_notes,
)
from planner.domain.kinds import Severity
from planner.errors import N_, ValidationError
from planner.models import BusyPeriod, Organisation
from planner.services.organisations import find_organisation
from planner.services.school_calendar import (
    apply_overrides,
    closure_kinds,
    effective_school_holidays,
)
from planner.text.labels import label, language_of


def organisation_calendars(
    session: Session,
    organisations: Sequence[Organisation],
    first: date,
    last: date,
    locale: str = "nl",
    *,
    withheld: Collection[int] = (),
) -> list[OrgCalendar]:
    """Build each organisation's unavailable periods overlapping [first, last].

    `withheld`: organisations whose own busy periods are shown by kind only, without their
    notes (a collaboration the school did not agree to show them to; services.memberships).
    """
    language = language_of(locale)
    years = range(first.year, last.year + 1)
    holidays_by_region: dict[str, list[SchoolHoliday]] = {}
    for holiday in effective_school_holidays(session):
        holidays_by_region.setdefault(holiday.region, []).append(holiday)
    public = [
        Period(day, day, "public_holiday", name, Severity.HARD, "holidays")
        for day, name in national_closure_days(years, language).items()
        if first <= day <= last
    ]
    org_ids = [org.id for org in organisations]
    regions = {org.region for org in organisations if org.region}
    # Plain rows, not ORM objects: a year of 20 schools holds hundreds of busy periods, and
    # only their values are needed here.
    columns = (
        BusyPeriod.id,
        BusyPeriod.organisation_id,
        BusyPeriod.region,
        BusyPeriod.kind,
        BusyPeriod.note,
        BusyPeriod.first_on,
        BusyPeriod.last_on,
        BusyPeriod.severity,
        BusyPeriod.source,
    )
    overlapping = (BusyPeriod.last_on >= first, BusyPeriod.first_on <= last)
    shared_periods = session.execute(
        select(*columns).where(
            BusyPeriod.organisation_id.is_(None),
            or_(BusyPeriod.region.is_(None), BusyPeriod.region.in_(regions)),
            *overlapping,
        )
    ).all()
    own_periods: dict[int, list[Any]] = {org_id: [] for org_id in org_ids}
    for period in session.execute(
        select(*columns).where(BusyPeriod.organisation_id.in_(org_ids), *overlapping)
    ):
        own_periods[period.organisation_id].append(period)

    calendars = []
    for org in organisations:
        periods = list(public)
        if org.region:
            overridden = {(o.school_year, o.name) for o in org.holiday_overrides}
            for holiday in apply_overrides(
                holidays_by_region.get(org.region, []), org.holiday_overrides
            ):
                # Filter after the school's own dates are applied: they may move a holiday in.
                if holiday.last_day < first or holiday.first_day > last:
                    continue
                text = f"{display_name(holiday.name, language)} {holiday.region}"
                if (holiday.school_year, holiday.name) in overridden and not holiday.compulsory:
                    text += f" ({label('own_dates', language)})"
                periods.append(
                    Period(
                        holiday.first_day,
                        holiday.last_day,
                        "school_holiday",
                        text,
                        Severity.HARD,
                        "rijksoverheid",
                    )
                )
        for kind in closure_kinds(org):
            for day, name in closure_day_dates(kind, years).items():
                if first <= day <= last:
                    periods.append(Period(day, day, "closure_day", name, Severity.HARD, "school"))
        relevant = [p for p in shared_periods if p.region is None or p.region == org.region]
        for busy in relevant + own_periods.get(org.id, []):
            text = label(busy.kind, language)
            withheld_text = None
            if busy.note:
                # The note is the school's: without its consent a collaboration reads "bezet".
                if busy.organisation_id is not None:
                    withheld_text = f"{text}: {label('busy_withheld', language)}"
                text = f"{text}: {busy.note}"
            periods.append(
                Period(
                    busy.first_on,
                    busy.last_on,
                    busy.kind.value,
                    text,
                    busy.severity,
                    busy.source,
                    busy.id,
                    withheld_text,
                )
            )
        calendar = OrgCalendar(org.id, org.name, tuple(periods))
        calendars.append(withhold_notes(calendar) if org.id in withheld else calendar)
    return calendars


def blocked_days_for(
    session: Session,
    refs: Sequence[str | int],
    first: date,
    last: date,
    *,
    locale: str = "nl",
    max_days: int = 800,
) -> list[BlockedDay]:
    """Return the blocked weekdays in [first, last] for the union of the named organisations."""
    if not refs:
        raise ValidationError(N_("Name at least one organisation (id or BRIN code)."))
    if last < first:
        raise ValidationError(
            N_("The last day (%(last)s) is before the first day (%(first)s)."),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    if (last - first).days + 1 > max_days:
        raise ValidationError(N_("Ask for at most %(days)s days at a time."), days=max_days)
    seen: dict[int, Organisation] = {}
    for ref in refs:
        org = find_organisation(session, ref)
        seen.setdefault(org.id, org)
    organisations = list(
        session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(seen))
            .options(selectinload(Organisation.holiday_overrides))
            .options(selectinload(Organisation.closure_days))
        )
    )
    order = {org_id: index for index, org_id in enumerate(seen)}
    organisations.sort(key=lambda org: order[org.id])
    calendars = organisation_calendars(session, organisations, first, last, locale)
    return blocked_days(calendars, first, last)
