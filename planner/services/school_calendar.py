"""The Dutch school calendar as stored: shipped holiday data, imports, overrides, closure days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.calendar_nl import (
    CLOSURE_DAY_KINDS,
    HOLIDAY_NAMES,
    REGIONS,
    SchoolHoliday,
    load_school_holidays,
    parse_region,
    parse_school_year,
    school_year_bounds,
    school_year_of,
)
from planner.errors import N_, NotFoundError, ValidationError
from planner.events import (
    ClosureDaysChanged,
    EventKind,
    HolidayOverrideChange,
    SchoolHolidaysImported,
    append_event,
)
from planner.inputs import optional_text, parse_date_range, parse_id, reject_unknown_fields
from planner.models import ClosureDay, HolidayOverride, Organisation, SchoolHolidayRecord

HolidayKey = tuple[str, str, str]  # (school_year, name, region)


def _key(holiday: SchoolHoliday) -> HolidayKey:
    return (holiday.school_year, holiday.name, holiday.region)


def effective_school_holidays(session: Session) -> tuple[SchoolHoliday, ...]:
    """Return the school holidays in force: the shipped data, overlaid with imported data."""
    merged = {_key(holiday): holiday for holiday in load_school_holidays()}
    records = session.execute(
        select(
            SchoolHolidayRecord.school_year,
            SchoolHolidayRecord.name,
            SchoolHolidayRecord.region,
            SchoolHolidayRecord.first_on,
            SchoolHolidayRecord.last_on,
            SchoolHolidayRecord.compulsory,
        )
    )
    for year, name, region, first_on, last_on, compulsory in records:
        holiday = SchoolHoliday(year, name, region, first_on, last_on, compulsory)
        merged[_key(holiday)] = holiday
    return tuple(sorted(merged.values()))


def school_holidays_for(session: Session, region: str, school_year: str) -> list[SchoolHoliday]:
    """Return one region's school holidays of one school year, in calendar order."""
    region = parse_region(region)
    school_year = parse_school_year(school_year)
    found = [
        holiday
        for holiday in effective_school_holidays(session)
        if holiday.region == region and holiday.school_year == school_year
    ]
    if not found:
        raise NotFoundError(
            N_("No school holidays are known for %(school_year)s; import them first."),
            school_year=school_year,
        )
    return sorted(found, key=lambda holiday: holiday.first_day)


@dataclass(frozen=True)
class ImportResult:
    """What an import of holiday data changed."""

    added: int
    changed: int
    unchanged: int
    school_years: tuple[str, ...]
    changes: tuple[dict[str, Any], ...]

    @property
    def changed_anything(self) -> bool:
        """Return whether the import wrote anything."""
        return bool(self.added or self.changed)


def import_school_holidays(
    session: Session, holidays: Sequence[SchoolHoliday], source: str, now: datetime
) -> ImportResult:
    """Store imported holidays that differ from those in force; a second run changes nothing."""
    current = {_key(holiday): holiday for holiday in effective_school_holidays(session)}
    records = {
        (record.school_year, record.name, record.region): record
        for record in session.scalars(select(SchoolHolidayRecord))
    }
    added = changed = unchanged = 0
    changes: list[dict[str, Any]] = []
    for holiday in holidays:
        key = _key(holiday)
        before = current.get(key)
        if before == holiday:
            unchanged += 1
            continue
        record = records.get(key)
        if record is None:
            record = SchoolHolidayRecord(
                school_year=holiday.school_year, name=holiday.name, region=holiday.region
            )
            session.add(record)
            records[key] = record
        record.first_on = holiday.first_day
        record.last_on = holiday.last_day
        record.compulsory = holiday.compulsory
        record.source = source[:200]
        record.imported_at = now
        if before is None:
            added += 1
        else:
            changed += 1
        changes.append(
            {
                "school_year": holiday.school_year,
                "name": holiday.name,
                "region": holiday.region,
                "before": _span(before),
                "after": _span(holiday),
            }
        )
    session.flush()
    if changes:
        append_event(
            session,
            EventKind.SCHOOL_HOLIDAYS_IMPORTED,
            SchoolHolidaysImported(source, changes),
            now,
        )
    return ImportResult(
        added=added,
        changed=changed,
        unchanged=unchanged,
        school_years=tuple(sorted({holiday.school_year for holiday in holidays})),
        changes=tuple(changes),
    )


def _span(holiday: SchoolHoliday | None) -> dict[str, Any] | None:
    if holiday is None:
        return None
    return {
        "first_day": holiday.first_day.isoformat(),
        "last_day": holiday.last_day.isoformat(),
        "compulsory": holiday.compulsory,
    }


# --- Per-school overrides of advisory holidays -------------------------------------------------

OVERRIDE_FIELDS = {"school_year", "holiday", "first_day", "last_day", "note"}


def set_holiday_override(
    session: Session, org: Organisation, raw: Mapping[str, Any], now: datetime
) -> HolidayOverride:
    """Give a school its own dates for an advisory holiday (replacing earlier own dates)."""
    reject_unknown_fields(raw, OVERRIDE_FIELDS)
    if org.region is None:
        raise ValidationError(
            N_("%(name)s has no holiday region, so it has no school holidays to override."),
            name=org.name,
        )
    school_year = parse_school_year(str(raw.get("school_year") or ""))
    name = str(raw.get("holiday") or "").strip().lower()
    if name not in HOLIDAY_NAMES:
        raise ValidationError(
            N_("Unknown school holiday '%(holiday)s'; choose one of %(choices)s."),
            holiday=name,
            choices=", ".join(HOLIDAY_NAMES),
        )
    official = {
        holiday.name: holiday for holiday in school_holidays_for(session, org.region, school_year)
    }.get(name)
    if official is None:
        raise NotFoundError(
            N_("There is no %(holiday)s in %(school_year)s."), holiday=name, school_year=school_year
        )
    if official.compulsory:
        raise ValidationError(
            N_(
                "The %(holiday)s of %(school_year)s has compulsory dates; a school cannot move it. "
                "Add extra days off as a busy period of kind 'holiday'."
            ),
            holiday=name,
            school_year=school_year,
        )
    first_on, last_on = parse_date_range(
        raw.get("first_day"), raw.get("last_day"), "first_day", "last_day"
    )
    year_first, year_last = school_year_bounds(school_year)
    if first_on < year_first or last_on > year_last:
        raise ValidationError(
            N_("The dates must lie within school year %(school_year)s (%(first)s to %(last)s)."),
            school_year=school_year,
            first=year_first.isoformat(),
            last=year_last.isoformat(),
        )
    override = session.scalar(
        select(HolidayOverride).where(
            HolidayOverride.organisation_id == org.id,
            HolidayOverride.school_year == school_year,
            HolidayOverride.name == name,
        )
    )
    if override is None:
        override = HolidayOverride(
            organisation_id=org.id, school_year=school_year, name=name, created_at=now
        )
        session.add(override)
    override.first_on = first_on
    override.last_on = last_on
    override.note = optional_text(raw.get("note"), 500, "note")
    override.updated_at = now
    session.flush()
    append_event(
        session,
        EventKind.HOLIDAY_OVERRIDE_SET,
        HolidayOverrideChange(
            organisation_id=org.id,
            holiday_override_id=override.id,
            school_year=school_year,
            holiday=name,
            official=_span(official),
            first_day=first_on.isoformat(),
            last_day=last_on.isoformat(),
        ),
        now,
    )
    return override


def list_holiday_overrides(session: Session, org: Organisation) -> list[HolidayOverride]:
    """List a school's own holiday dates."""
    return list(
        session.scalars(
            select(HolidayOverride)
            .where(HolidayOverride.organisation_id == org.id)
            .order_by(HolidayOverride.first_on)
        )
    )


def get_holiday_override(session: Session, override_id: int | str) -> HolidayOverride:
    """Return an override by id, or raise NotFoundError."""
    text = str(override_id).strip()
    override = session.get(HolidayOverride, parsed) if (parsed := parse_id(text)) else None
    if override is None:
        raise NotFoundError(N_("Unknown holiday override '%(ref)s'."), ref=text)
    return override


def delete_holiday_override(session: Session, override: HolidayOverride, now: datetime) -> None:
    """Remove a school's own dates; the official advisory dates apply again."""
    append_event(
        session,
        EventKind.HOLIDAY_OVERRIDE_DELETED,
        HolidayOverrideChange(
            organisation_id=override.organisation_id,
            holiday_override_id=override.id,
            school_year=override.school_year,
            holiday=override.name,
        ),
        now,
    )
    session.delete(override)
    session.flush()


# --- Closure days the law does not make national -----------------------------------------------


def parse_closure_kinds(kinds: Iterable[str]) -> list[str]:
    """Check closure day names (goede_vrijdag, vrijdag_na_hemelvaart, bevrijdingsdag)."""
    result = []
    for kind in kinds:
        key = kind.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in CLOSURE_DAY_KINDS:
            raise ValidationError(
                N_("Unknown closure day '%(kind)s'; choose from %(choices)s."),
                kind=kind,
                choices=", ".join(CLOSURE_DAY_KINDS),
            )
        if key not in result:
            result.append(key)
    return result


def set_closure_days(
    session: Session, org: Organisation, kinds: Iterable[str], now: datetime
) -> list[str]:
    """Switch on exactly these closure days for a school; return them in canonical order."""
    wanted = parse_closure_kinds(kinds)
    existing = {closure.kind: closure for closure in org.closure_days}
    for kind, closure in existing.items():
        if kind not in wanted:
            session.delete(closure)
    for kind in wanted:
        if kind not in existing:
            session.add(ClosureDay(organisation_id=org.id, kind=kind, created_at=now))
    session.flush()
    session.expire(org, ["closure_days"])
    if set(wanted) != set(existing):
        append_event(
            session,
            EventKind.CLOSURE_DAYS_CHANGED,
            ClosureDaysChanged(org.id, sorted(existing), sorted(wanted)),
            now,
        )
    return [kind for kind in CLOSURE_DAY_KINDS if kind in wanted]


def closure_kinds(org: Organisation) -> list[str]:
    """Return a school's switched-on closure days in canonical order."""
    chosen = {closure.kind for closure in org.closure_days}
    return [kind for kind in CLOSURE_DAY_KINDS if kind in chosen]


def apply_overrides(
    holidays: Iterable[SchoolHoliday], overrides: Iterable[HolidayOverride]
) -> list[SchoolHoliday]:
    """Return holidays with a school's own dates in place of the advisory ones it overrides."""
    own = {(override.school_year, override.name): override for override in overrides}
    result = []
    for holiday in holidays:
        override = own.get((holiday.school_year, holiday.name))
        if override is not None and not holiday.compulsory:
            holiday = replace(holiday, first_day=override.first_on, last_day=override.last_on)
        result.append(holiday)
    return result


@dataclass(frozen=True)
class YearCoverage:
    """Which regions have holiday data for a school year, and where it came from."""

    school_year: str
    regions: dict[str, int]  # holidays per region
    complete: bool  # every region has every holiday
    shipped: bool  # the package's own data covers it
    imported_at: datetime | None  # when the newest import of it was made
    current: bool


def holiday_coverage(session: Session, today: date) -> list[YearCoverage]:
    """Per school year the planner knows: how many holidays each region has, and whether they
    were shipped or imported."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REGIONS, 0))
    for holiday in effective_school_holidays(session):
        counts[holiday.school_year][holiday.region] += 1
    imported: dict[str, datetime] = {
        year: when
        for year, when in session.execute(
            select(
                SchoolHolidayRecord.school_year, func.max(SchoolHolidayRecord.imported_at)
            ).group_by(SchoolHolidayRecord.school_year)
        )
    }
    shipped = {holiday.school_year for holiday in load_school_holidays()}
    current = school_year_of(today)
    return [
        YearCoverage(
            school_year=year,
            regions=counts[year],
            complete=all(count == len(HOLIDAY_NAMES) for count in counts[year].values()),
            shipped=year in shipped,
            imported_at=imported.get(year),
            current=year == current,
        )
        for year in sorted(counts)
    ]


def missing_school_year(session: Session, today: date) -> str | None:
    """The next school year when the planner has no holidays for it yet (else None): time to
    import the Rijksoverheid data once it is published."""
    first = int(school_year_of(today)[:4]) + 1
    wanted = f"{first}-{first + 1}"
    known = {holiday.school_year for holiday in effective_school_holidays(session)}
    return None if wanted in known else wanted
