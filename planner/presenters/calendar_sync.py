"""A linked calendar's state as JSON (API, CLI --json) and in words (the school page, the CLI):
the address, the rules, the last success, what changed, the next run and any error since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext, ngettext

from planner.domain.kinds import BusyKind
from planner.models import CalendarSource
from planner.presenters.calendar import meetings_hit_json
from planner.services.calendar_sync import SyncOutcome, rules_of
from planner.text.formatting import format_moment, format_span
from planner.text.labels import label


def error_text(source: CalendarSource) -> str | None:
    """The last error in the reader's language, or None when the calendar works."""
    error = source.last_error
    if not error:
        return None
    return str(gettext(str(error.get("message", "")), **(error.get("params") or {})))


def change_text(change: dict[str, Any] | None) -> str:
    """'2 added, 1 changed, 0 removed' of the last sync that changed something."""
    if not change:
        return str(gettext("nothing yet"))
    return str(
        gettext(
            "%(added)s added, %(changed)s changed, %(removed)s removed",
            added=change.get("added", 0),
            changed=change.get("changed", 0),
            removed=change.get("removed", 0),
        )
    )


# Words of a rule that read back as the same rule (planner.calendar_nl.calendar_feed).
_DUTCH_KINDS = {
    BusyKind.TEST_WEEK: "toetsweek",
    BusyKind.OPEN_DAY: "opendag",
    BusyKind.STUDY_DAY: "studiedag",
    BusyKind.EXAM_PERIOD: "examenperiode",
    BusyKind.REPORT_MEETINGS: "rapportvergaderingen",
    BusyKind.HOLIDAY: "vakantie",
    BusyKind.OTHER: "anders",
}


def rule_text(rule: dict[str, Any], locale: str) -> str:
    """A rule as the page and the CLI write it: "toets = toetsweek, hard"."""
    dutch = not locale.startswith("en")
    kind = rule.get("kind")
    if not kind:
        return f"{rule.get('contains', '')} = {'overslaan' if dutch else 'skip'}"
    word = _DUTCH_KINDS[BusyKind(kind)] if dutch else kind.replace("_", " ")
    text = f"{rule.get('contains', '')} = {word}"
    severity = rule.get("severity")
    if severity == "soft" and dutch:
        severity = "zacht"
    return f"{text}, {severity}" if severity else text


def rules_text(source: CalendarSource, locale: str) -> str:
    """The rules one a line, as the form takes them back."""
    return "\n".join(rule_text(rule.to_json(), locale) for rule in rules_of(source))


@dataclass(frozen=True)
class ExampleView:
    sign: str
    kind: str
    span: str
    note: str


def examples(source: CalendarSource, locale: str) -> list[ExampleView]:
    """What the last change added (+), changed (~) and removed (-), a few of each."""
    found = []
    for sign, kind, first, last, note in (source.last_change or {}).get("examples", []):
        found.append(
            ExampleView(
                sign,
                label(BusyKind(kind), locale),
                format_span(date.fromisoformat(first), date.fromisoformat(last), locale),
                note,
            )
        )
    return found


def source_json(source: CalendarSource, locale: str) -> dict[str, Any]:
    """A linked calendar as JSON."""

    def moment(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": source.id,
        "organisation": source.organisation_id,
        "url": source.url,
        "rules": [rule.to_json() for rule in rules_of(source)],
        "ok": source.failing_since is None,
        "last_fetch_at": moment(source.last_fetch_at),
        "last_success_at": moment(source.last_success_at),
        "next_run_at": moment(source.next_run_at),
        "failing_since": moment(source.failing_since),
        "error": error_text(source),
        "last_change": source.last_change,
        "last_change_at": moment(source.last_change_at),
    }


def outcome_json(outcome: SyncOutcome, locale: str) -> dict[str, Any]:
    """What one sync did, with the planned meetings its hard periods fall on."""
    return {
        "source": source_json(outcome.source, locale),
        "ok": outcome.ok,
        "not_modified": outcome.not_modified,
        "added": outcome.added,
        "changed": outcome.changed,
        "removed": outcome.removed,
        "error": outcome.error.translate(gettext) if outcome.error else None,
        "meetings_hit": meetings_hit_json(outcome.hits),
    }


def outcome_text(outcome: SyncOutcome) -> str:
    """One line on what a sync did."""
    text: str
    if not outcome.ok and outcome.error is not None:
        text = gettext(
            "Fetching failed: %(error)s The busy periods of the last good fetch are kept.",
            error=outcome.error.translate(gettext),
        )
        return text
    if outcome.not_modified or not outcome.changes:
        text = gettext("Fetched: nothing changed.")
        return text
    text = ngettext(
        "Fetched: %(num)d change (%(what)s).",
        "Fetched: %(num)d changes (%(what)s).",
        outcome.changes,
        what=change_text(
            {"added": outcome.added, "changed": outcome.changed, "removed": outcome.removed}
        ),
    )
    return text


def status_lines(source: CalendarSource, locale: str) -> list[str]:
    """The state in words: last success, last change, next run, error since when."""
    lines = [
        gettext(
            "Last fetched successfully: %(when)s",
            when=format_moment(source.last_success_at, locale) or gettext("never"),
        ),
        gettext(
            "Last change: %(what)s%(when)s",
            what=change_text(source.last_change),
            when=f" ({format_moment(source.last_change_at, locale)})"
            if source.last_change_at
            else "",
        ),
        gettext("Next fetch: %(when)s", when=format_moment(source.next_run_at, locale)),
    ]
    if source.failing_since is not None:
        lines.append(
            gettext(
                "Failing since %(when)s: %(error)s",
                when=format_moment(source.failing_since, locale),
                error=error_text(source) or "",
            )
        )
    return lines
