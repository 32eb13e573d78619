"""Whether a school has filled in its calendar for a school year.

A plan is only as good as the calendars it avoids: a school year planned before the schools
entered their test weeks and open days gets hit by the first import. A school's calendar of a
school year counts as filled in when the school has any busy period of its own in that year, or
when its administrator marked the year complete (a school with no test weeks at all says so
this way). School holidays and public holidays do not count: the planner knows those without
the school. Partners keep no school calendar and are never asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.calendar_nl import parse_school_year, school_year_bounds, school_year_of
from planner.domain.kinds import OrganisationKind
from planner.errors import N_, ValidationError
from planner.events import CalendarMark, EventKind, append_event
from planner.models import (
    BusyPeriod,
    CalendarCompletion,
    Organisation,
    OrganisationAdmin,
    Person,
)

# The kinds of organisation that keep a school calendar.
CALENDAR_KINDS = frozenset({OrganisationKind.SCHOOL, OrganisationKind.BOARD})


def keeps_calendar(org: Organisation) -> bool:
    """Whether the organisation has a school calendar to fill in (not a partner)."""
    return org.kind in CALENDAR_KINDS


def require_calendar(org: Organisation) -> None:
    """Refuse a partner: it keeps no school calendar to fill in or mark complete."""
    if not keeps_calendar(org):
        raise ValidationError(
            N_("%(name)s is a partner: it keeps no school calendar to fill in."), name=org.name
        )


@dataclass(frozen=True)
class YearCalendar:
    """How far one school's calendar of one school year is filled in."""

    organisation: Organisation
    school_year: str
    periods: int  # own busy periods in the school year
    mark: CalendarCompletion | None

    @property
    def complete(self) -> bool:
        return self.periods > 0 or self.mark is not None


def calendar_states(
    session: Session, organisations: Iterable[Organisation], school_years: Iterable[str]
) -> list[YearCalendar]:
    """For each organisation that keeps a calendar and each school year: how far it is filled
    in (a query per school year and one for the marks, however many schools)."""
    orgs = [org for org in organisations if keeps_calendar(org)]
    years = sorted({parse_school_year(year) for year in school_years})
    if not orgs or not years:
        return []
    ids = [org.id for org in orgs]
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for year in years:
        first, last = school_year_bounds(year)
        for org_id, number in session.execute(
            select(BusyPeriod.organisation_id, func.count())
            .where(
                BusyPeriod.organisation_id.in_(ids),
                BusyPeriod.last_on >= first,
                BusyPeriod.first_on <= last,
            )
            .group_by(BusyPeriod.organisation_id)
        ):
            counts[(int(org_id or 0), year)] = int(number)
    marks = {
        (mark.organisation_id, mark.school_year): mark
        for mark in session.scalars(
            select(CalendarCompletion).where(
                CalendarCompletion.organisation_id.in_(ids),
                CalendarCompletion.school_year.in_(years),
            )
        )
    }
    return [
        YearCalendar(org, year, counts[(org.id, year)], marks.get((org.id, year)))
        for org in orgs
        for year in years
    ]


def missing_calendars(
    session: Session, organisations: Iterable[Organisation], school_years: Iterable[str]
) -> dict[str, list[Organisation]]:
    """Per school year (in order): the organisations that have not filled in their calendar."""
    missing: dict[str, list[Organisation]] = {}
    for state in calendar_states(session, organisations, school_years):
        if not state.complete:
            missing.setdefault(state.school_year, []).append(state.organisation)
    return missing


def administrators_of(session: Session, org: Organisation) -> list[Person]:
    """The people who administer the organisation's calendar (platform administrators aside)."""
    return list(
        session.scalars(
            select(Person)
            .join(OrganisationAdmin, OrganisationAdmin.person_id == Person.id)
            .where(OrganisationAdmin.organisation_id == org.id)
            .order_by(Person.name)
        )
    )


def without_administrators(
    session: Session, organisations: Iterable[Organisation]
) -> list[Organisation]:
    """The organisations nobody administers in the planner (nobody to ask for their calendar)."""
    orgs = list(organisations)
    administered = set(
        session.scalars(
            select(OrganisationAdmin.organisation_id).where(
                OrganisationAdmin.organisation_id.in_([org.id for org in orgs])
            )
        )
    )
    return [org for org in orgs if org.id not in administered]


def mark_complete(
    session: Session, org: Organisation, school_year: str, person: Person | None, now: datetime
) -> CalendarCompletion:
    """Record that the school's calendar of the school year is complete (idempotent)."""
    require_calendar(org)
    year = parse_school_year(school_year)
    mark = session.get(CalendarCompletion, (org.id, year))
    if mark is not None:
        return mark
    mark = CalendarCompletion(
        organisation_id=org.id,
        school_year=year,
        marked_by_id=person.id if person else None,
        created_at=now,
    )
    session.add(mark)
    append_event(
        session,
        EventKind.CALENDAR_MARKED_COMPLETE,
        CalendarMark(org.id, year, person.id if person else None),
        now,
    )
    session.flush()
    return mark


def unmark_complete(
    session: Session, org: Organisation, school_year: str, person: Person | None, now: datetime
) -> bool:
    """Take the mark back; return whether there was one."""
    require_calendar(org)
    year = parse_school_year(school_year)
    mark = session.get(CalendarCompletion, (org.id, year))
    if mark is None:
        return False
    session.delete(mark)
    append_event(
        session,
        EventKind.CALENDAR_MARK_REMOVED,
        CalendarMark(org.id, year, person.id if person else None),
        now,
    )
    session.flush()
    return True


# The school years a school's page, the API and the CLI show: this one and the two to come
# (coordinators plan up to a year and a half ahead).
YEARS_AHEAD = 2


def years_from(today: date, ahead: int = YEARS_AHEAD) -> list[str]:
    """This school year and the `ahead` ones after it."""
    first = int(school_year_of(today)[:4])
    return [f"{year}-{year + 1}" for year in range(first, first + ahead + 1)]


def calendar_years(
    session: Session, org: Organisation, today: date, also: Iterable[str] = ()
) -> list[YearCalendar]:
    """How far the school's calendar is filled in: this school year, the next two and any
    other asked for."""
    require_calendar(org)
    return calendar_states(session, [org], [*years_from(today), *also])
