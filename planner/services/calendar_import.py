"""Import of a school's own year calendar: preview the rows against what is stored, then store.

The file itself is read by planner.calendar_nl.year_calendar; this module decides which rows
are new (a busy period of the same kind and dates is a duplicate), carries the preview in a
plain, checkable form (the web signs it), and stores the chosen rows as busy periods with
source "import", through busy_periods.create_busy_period so the same events are appended.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.calendar_nl.year_calendar import MAX_ROWS, CalendarRow, YearCalendar
from planner.domain.kinds import BusyKind, Severity
from planner.errors import N_, ValidationError
from planner.models import BusyPeriod, Organisation
from planner.services.busy_periods import SOFT_BY_DEFAULT, create_busy_period

SOURCE = "import"
MAX_NOTE = 500

Key = tuple[BusyKind, date, date]


@dataclass(frozen=True)
class ImportRow:
    """A row of the preview: what would be stored, and whether it can be."""

    line: int
    summary: str
    first_day: date
    last_day: date
    kind: BusyKind
    severity: Severity
    note: str | None
    repeats: str | None = None  # a repeat rule the reader cannot expand: enter by hand
    duplicate: bool = False  # the school already has a busy period of this kind and dates

    @property
    def importable(self) -> bool:
        """Whether the row can be stored as it is."""
        return self.repeats is None and not self.duplicate

    @property
    def key(self) -> Key:
        """What makes two busy periods the same: kind and dates."""
        return (self.kind, self.first_day, self.last_day)


def usual_severity(kind: BusyKind) -> Severity:
    """The severity a kind gets when nobody says otherwise (as for busy periods entered by hand)."""
    return Severity.SOFT if kind in SOFT_BY_DEFAULT else Severity.HARD


def _note(row: CalendarRow) -> str | None:
    parts = [part for part in (row.summary, row.detail) if part]
    text = " – ".join(parts)
    if len(text) > MAX_NOTE:
        text = text[: MAX_NOTE - 1].rstrip() + "…"
    return text or None


def existing_keys(session: Session, org: Organisation) -> set[Key]:
    """Kind and dates of every busy period the school has entered or imported."""
    rows = session.execute(
        select(BusyPeriod.kind, BusyPeriod.first_on, BusyPeriod.last_on).where(
            BusyPeriod.organisation_id == org.id
        )
    )
    return {(kind, first, last) for kind, first, last in rows}


def mark_duplicates(rows: Iterable[ImportRow], known: set[Key]) -> list[ImportRow]:
    """Mark rows that repeat a stored busy period, or an earlier row of the same file."""
    seen = set(known)
    result = []
    for row in rows:
        if row.repeats is None:
            row = replace(row, duplicate=row.key in seen)
            seen.add(row.key)
        result.append(row)
    return result


def preview(session: Session, org: Organisation, calendar: YearCalendar) -> list[ImportRow]:
    """The rows a file would add to a school's calendar, duplicates marked."""
    rows = [
        ImportRow(
            line=row.line,
            summary=row.summary,
            first_day=row.first_day,
            last_day=row.last_day,
            kind=row.kind,
            severity=row.severity or usual_severity(row.kind),
            note=_note(row),
            repeats=row.repeats,
        )
        for row in calendar.rows
    ]
    return mark_duplicates(rows, existing_keys(session, org))


# --- The preview as plain data (signed by the web between preview and confirm) -------------------


def rows_to_data(rows: Sequence[ImportRow]) -> list[list[Any]]:
    """The rows as JSON-able lists."""
    return [
        [
            row.line,
            row.summary,
            row.first_day.isoformat(),
            row.last_day.isoformat(),
            row.kind.value,
            row.severity.value,
            row.note,
            row.repeats,
            row.duplicate,
        ]
        for row in rows
    ]


def _damaged() -> ValidationError:
    return ValidationError(N_("The preview is damaged or was changed; upload the file again."))


def rows_from_data(data: Any) -> list[ImportRow]:
    """Rows back from rows_to_data's lists; refuse anything of another shape."""
    if not isinstance(data, list) or len(data) > MAX_ROWS:
        raise _damaged()
    rows = []
    for item in data:
        if not isinstance(item, list) or len(item) != 9:
            raise _damaged()
        line, summary, first, last, kind, severity, note, repeats, duplicate = item
        try:
            row = ImportRow(
                line=_typed(line, int),
                summary=_typed(summary, str),
                first_day=date.fromisoformat(_typed(first, str)),
                last_day=date.fromisoformat(_typed(last, str)),
                kind=BusyKind(kind),
                severity=Severity(severity),
                note=None if note is None else _typed(note, str),
                repeats=None if repeats is None else _typed(repeats, str),
                duplicate=_typed(duplicate, bool),
            )
        except (TypeError, ValueError):
            raise _damaged() from None
        if row.last_day < row.first_day:
            raise _damaged()
        rows.append(row)
    return rows


def _typed(value: Any, kind: type[Any]) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(kind.__name__)
    return value


# --- Storing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    """What storing the chosen rows did."""

    created: tuple[BusyPeriod, ...]
    duplicates: int


def import_rows(
    session: Session, org: Organisation, rows: Iterable[ImportRow], now: datetime
) -> ImportOutcome:
    """Store rows as the school's busy periods (source "import"), skipping duplicates."""
    known = existing_keys(session, org)
    created: list[BusyPeriod] = []
    duplicates = 0
    for row in rows:
        if row.repeats is not None:
            raise ValidationError(
                N_("A repeating event cannot be imported; enter its dates by hand.")
            )
        if row.key in known:
            duplicates += 1
            continue
        period = create_busy_period(
            session,
            {
                "organisation": org.id,
                "kind": row.kind.value,
                "first_day": row.first_day.isoformat(),
                "last_day": row.last_day.isoformat(),
                "severity": row.severity.value,
                "note": row.note,
            },
            now,
            source=SOURCE,
        )
        created.append(period)
        known.add(row.key)
    return ImportOutcome(tuple(created), duplicates)


def chosen_rows(
    rows: Sequence[ImportRow], choices: Mapping[int, tuple[str, str] | None]
) -> list[ImportRow]:
    """The importable rows the user kept, each with the kind and severity they chose.

    `choices` maps a row's index to (kind, severity), or to None for a row left out; a row not
    in `choices` is left out too. A kind or severity that is not one of ours means the preview
    was tampered with.
    """
    chosen = []
    for index, row in enumerate(rows):
        choice = choices.get(index)
        if not row.importable or choice is None:
            continue
        try:
            kind, severity = BusyKind(choice[0]), Severity(choice[1])
        except ValueError:
            raise _damaged() from None
        chosen.append(replace(row, kind=kind, severity=severity))
    return chosen
