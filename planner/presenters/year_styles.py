"""How each kind of day looks in the year picture: a colour, a pale tint and a pattern that
also reads in black and white."""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.year_grid import (
    KIND_ORDER,
)


@dataclass(frozen=True)
class KindStyle:
    """How one kind of day is drawn: a colour, a pale tint and a pattern."""

    colour: str
    tint: str
    pattern: str


# Patterns that vary vertically too, so a single day (4 units wide) still shows its pattern.
STYLES: dict[str, KindStyle] = {
    "school_holiday": KindStyle("#6fa8e6", "#cfe3f8", "solid"),
    "public_holiday": KindStyle("#4b1f78", "#d9c8ee", "solid"),
    "closure_day": KindStyle("#7d55b3", "#e6dcf3", "checker"),
    "holiday": KindStyle("#2f6db5", "#cfe3f8", "hlines"),
    "exam_period": KindStyle("#a4161a", "#f6d5d5", "cross"),
    "test_week": KindStyle("#c25e00", "#fbe1c6", "diagonal"),
    "open_day": KindStyle("#11705f", "#cdebe4", "hstripes"),
    "study_day": KindStyle("#8a6d00", "#f6ebbd", "dots"),
    "report_meetings": KindStyle("#6b4423", "#ead9c8", "antidiagonal"),
    "other": KindStyle("#4b5563", "#e5e7eb", "sparse"),
}


def pattern_of(kind: str, style: KindStyle) -> str:
    pid = f"yp-{kind}"
    c = style.colour
    line = f'stroke="{c}" stroke-width="1.3"'
    shapes = {
        "checker": f'<path d="M0,0 h2 v2 h-2 Z M2,2 h2 v2 h-2 Z" fill="{c}"/>',
        "hlines": f'<rect width="4" height="3" fill="{c}"/>',
        "cross": f'<path d="M0,0 L4,4 M4,0 L0,4" {line}/>',
        "diagonal": f'<path d="M-1,1 L1,-1 M0,4 L4,0 M3,5 L5,3" {line}/>',
        "antidiagonal": f'<path d="M-1,3 L1,5 M0,0 L4,4 M3,-1 L5,1" {line}/>',
        "hstripes": f'<rect width="4" height="2" fill="{c}"/>',
        "dots": f'<circle cx="2" cy="2" r="1.3" fill="{c}"/>',
        "sparse": f'<circle cx="2" cy="2" r="0.9" fill="{c}"/>',
    }
    body = shapes.get(style.pattern)
    if body is None:
        return ""
    return (
        f'<pattern id="{pid}" width="4" height="4" patternUnits="userSpaceOnUse">'
        f'<rect width="4" height="4" fill="{style.tint}"/>{body}</pattern>'
    )


def fill_of(kind: str) -> str:
    """Return the fill of a kind: its colour, or its pattern."""
    style = STYLES.get(kind, STYLES["other"])
    return style.colour if style.pattern == "solid" else f"url(#yp-{kind})"


def svg_defs() -> str:
    patterns = "".join(pattern_of(kind, STYLES[kind]) for kind in KIND_ORDER)
    gap = (
        '<pattern id="yp-gap" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#fde2e1"/>'
        '<path d="M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5" stroke="#e5989b" stroke-width="1"/></pattern>'
    )
    return f"<defs>{patterns}{gap}</defs>"
