"""A linked calendar's state as JSON (API, CLI --json) and in words (the school page, the CLI):
the address, the rules, the last success, what changed, the next run and any error since when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext, ngettext

from planner.calendar_nl.calendar_feed import SyncRule
from planner.domain.kinds import BusyKind, Severity
from planner.models import CalendarSource
from planner.presenters.calendar import meetings_hit_json
from planner.services.calendar_sync import SourcePreview, SyncOutcome, rules_of, severity_of
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
    return lines_of_rules(rules_of(source), locale)


def lines_of_rules(rules: Sequence[SyncRule], locale: str) -> str:
    """Rules one a line ("toets = toetsweek, hard"), as the form and --rule take them back."""
    return "\n".join(rule_text(rule.to_json(), locale) for rule in rules)


# --- What an address would give, before it is linked ---------------------------------------------


@dataclass(frozen=True)
class PreviewItem:
    """One event of the calendar as the busy period it would become."""

    summary: str
    first_day: date
    last_day: date
    span: str
    severity: Severity
    rule: str | None  # the text of the rule that decided; None: the kind is guessed


@dataclass(frozen=True)
class PreviewGroup:
    """The events that become busy periods of one kind."""

    kind: BusyKind
    label: str
    items: list[PreviewItem]


def preview_groups(preview: SourcePreview, locale: str) -> list[PreviewGroup]:
    """The periods an address gives, by kind (test weeks first)."""
    return [
        PreviewGroup(
            kind,
            label(kind, locale),
            [
                PreviewItem(
                    reading.entry.summary,
                    wanted.first_day,
                    wanted.last_day,
                    format_span(wanted.first_day, wanted.last_day, locale),
                    severity_of(wanted),
                    reading.rule.contains if reading.rule else None,
                )
                for reading, wanted in items
            ],
        )
        for kind, items in preview.groups()
    ]


def left_out_items(preview: SourcePreview, locale: str) -> list[PreviewItem]:
    """The events a rule leaves out (their severity is meaningless: soft)."""
    return [
        PreviewItem(
            reading.entry.summary,
            reading.entry.first_day,
            reading.entry.last_day,
            format_span(reading.entry.first_day, reading.entry.last_day, locale),
            Severity.SOFT,
            reading.rule.contains if reading.rule else None,
        )
        for reading in preview.left_out
    ]


def preview_json(preview: SourcePreview, locale: str) -> dict[str, Any]:
    """What an address would give as JSON: the guessed rules, the rules read by, the periods
    and what the rules leave out. Nothing of it is stored."""
    return {
        "url": preview.url,
        "first_day": preview.first_day.isoformat(),
        "last_day": preview.last_day.isoformat(),
        "guessed_rules": [rule.to_json() for rule in preview.guessed],
        "rules": [rule.to_json() for rule in preview.rules],
        "rules_text": lines_of_rules(preview.rules, locale),
        "periods": [
            {
                "kind": wanted.kind.value,
                "severity": severity_of(wanted).value,
                "first_day": wanted.first_day.isoformat(),
                "last_day": wanted.last_day.isoformat(),
                "summary": reading.entry.summary,
                "rule": reading.rule.contains if reading.rule else None,
            }
            for reading, wanted in preview.periods
        ],
        "left_out": [
            {
                "summary": reading.entry.summary,
                "first_day": reading.entry.first_day.isoformat(),
                "last_day": reading.entry.last_day.isoformat(),
                "rule": reading.rule.contains if reading.rule else None,
            }
            for reading in preview.left_out
        ],
    }


def preview_lines(preview: SourcePreview, locale: str) -> list[str]:
    """The preview in words, for the CLI: the rules, then the periods by kind."""
    lines = [
        gettext(
            "%(url)s, %(span)s: nothing is stored.",
            url=preview.url,
            span=format_span(preview.first_day, preview.last_day, locale),
        ),
        gettext("Rules (guessed from the calendar unless given):")
        if preview.rules
        else gettext("No rules: every kind is guessed from the title."),
    ]
    lines += ["  " + line for line in lines_of_rules(preview.rules, locale).splitlines()]
    for group in preview_groups(preview, locale):
        lines.append(f"{group.label} ({len(group.items)})")
        for item in group.items:
            by = gettext("rule '%(text)s'", text=item.rule) if item.rule else gettext("guessed")
            lines.append(f"  {item.span}  {item.summary}  [{label(item.severity, locale)}; {by}]")
    left_out = left_out_items(preview, locale)
    if left_out:
        lines.append(gettext("Left out by a rule (%(num)s)", num=len(left_out)))
        lines += [f"  {item.span}  {item.summary}  [{item.rule}]" for item in left_out]
    if not preview.readings:
        lines.append(gettext("The calendar holds no events for this school year and the next."))
    return lines


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
