"""The people of a collaboration as the planner weighs them: who they are, whether the
coordinator marked them essential, and their busy intervals from their own free/busy addresses
(planner.models.availability; fetched by planner.services.person_calendars)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from planner.domain.kinds import OrganisationKind, PollChoice
from planner.domain.people_costs import (
    DayPeople,
    Interval,
    Participant,
    local_span,
    school_groups,
)
from planner.models import Collaboration, PersonBusy, PersonCalendar

# Days per query: a year of weekdays in one.
DAYS_PER_QUERY = 400
ONE_DAY = timedelta(days=1)

# Busy time per local day, per person, in wall-clock minutes (people_costs.DayPeople.busy).
DayBusy = dict[date, dict[int, list[tuple[int, int]]]]
BusyLoader = Callable[[Sequence[Interval]], DayBusy]


@dataclass(frozen=True)
class PeopleContext:
    """What the planner weighs about a collaboration's people over a range of days."""

    participants: tuple[Participant, ...]
    schools: tuple[tuple[str, frozenset[int]], ...]  # people_costs.school_groups
    load_busy: BusyLoader | None  # None: nobody gave a free/busy address
    # A poll's answers per asked day (every asked day a key); None: no poll.
    answers: Mapping[date, Mapping[int, PollChoice]] | None = None

    @property
    def active(self) -> bool:
        """Whether anything is known that can make a day worse for the people."""
        return self.load_busy is not None or self.answers is not None

    def day(self, day: date, busy: Mapping[int, Sequence[tuple[int, int]]]) -> DayPeople:
        """What is known about the people on one day."""
        answers = self.answers
        return DayPeople(
            self.participants,
            busy,
            answers.get(day, {}) if answers is not None else None,
            unasked=answers is not None and day not in answers,
            schools=self.schools,
        )


def people_context(
    session: Session,
    collab: Collaboration,
    answers: Mapping[date, Mapping[int, PollChoice]] | None = None,
) -> PeopleContext:
    """The collaboration's people with their essential marks, the member schools they come
    from, a loader for their busy intervals, and a poll's answers when re-planning with them."""
    participants = participants_of(collab)
    ids = [p.person_id for p in participants]
    calendars = with_calendars(session, ids)
    with_people = {p.organisation_id for p in participants}
    schools = {
        member.organisation_id: member.organisation.name
        for member in collab.members
        if member.organisation.kind is not OrganisationKind.PARTNER
        and member.organisation_id in with_people
    }
    return PeopleContext(
        participants,
        school_groups(participants, schools),
        busy_loader(session, sorted(calendars)) if calendars else None,
        answers,
    )


def participants_of(collab: Collaboration) -> tuple[Participant, ...]:
    """Everyone in the collaboration (coordinators too: they come to the meetings)."""
    return tuple(
        Participant(
            link.person_id,
            link.person.name,
            link.person.organisation_id,
            bool(link.essential),
        )
        for link in collab.people
    )


def with_calendars(session: Session, person_ids: Sequence[int]) -> frozenset[int]:
    """The people among `person_ids` who gave a free/busy address."""
    if not person_ids:
        return frozenset()
    return frozenset(
        session.scalars(
            select(PersonCalendar.person_id)
            .where(PersonCalendar.person_id.in_(person_ids))
            .distinct()
        )
    )


def busy_loader(session: Session, person_ids: Sequence[int]) -> BusyLoader:
    """A function that returns the people's busy time on the local days and hours the given
    windows (UTC) touch, per day and person in wall-clock minutes (DayBusy): one query for up
    to DAYS_PER_QUERY days."""
    ids = list(person_ids)

    def load(windows: Sequence[Interval]) -> DayBusy:
        found: DayBusy = {}
        if not ids or not windows:
            return found
        # Stored intervals are cut at every local midnight and carry their local day and
        # minutes: the days and hours the windows touch find them on the index (person, day).
        days: set[date] = set()
        first_minute, last_minute = 1440, 0
        for first, last in windows:
            day, start, _ = local_span(first, first)
            until, _, end = local_span(last, last)
            if until > day:
                first_minute, last_minute = 0, 1440  # a window over midnight: whole days
            else:
                first_minute, last_minute = min(first_minute, start), max(last_minute, end)
            while day <= until:
                days.add(day)
                day += ONE_DAY
        ordered = sorted(days)
        # The day comes back as its ISO text (the same on both databases), read through this
        # map: parsing hundreds of dates row by row would cost as much as the query.
        by_text = {day.isoformat(): day for day in ordered}
        for chunk in range(0, len(ordered), DAYS_PER_QUERY):
            rows = session.execute(
                select(
                    cast(PersonBusy.day, String(10)),
                    PersonBusy.person_id,
                    PersonBusy.start_minute,
                    PersonBusy.end_minute,
                ).where(
                    PersonBusy.person_id.in_(ids),
                    PersonBusy.day.in_(ordered[chunk : chunk + DAYS_PER_QUERY]),
                    PersonBusy.end_minute > first_minute,
                    PersonBusy.start_minute < last_minute,
                )
            )
            for text, person_id, start, end in rows:
                per_day = found.setdefault(by_text[text], {})
                per_day.setdefault(person_id, []).append((start, end))
        return found

    return load
