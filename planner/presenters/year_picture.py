"""The year picture of a collaboration: its school year as an SVG the server draws.

Weeks are columns (five weekday slots each), member organisations are rows. Every kind of busy
day has a colour *and* a pattern, so the picture stays readable printed in black and white;
soft days are paler with a dashed edge. Meetings are numbered circles with a line through the
rows, gaps above the maximum are bands in their own row. `<title>` elements give tooltips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.dates import get_month_names
from flask_babel import gettext
from markupsafe import Markup, escape

from planner.domain.kinds import MeetingStatus
from planner.domain.year_grid import (
    KIND_ORDER,
    GapSpan,
    MeetingMark,
    YearGrid,
)
from planner.presenters.year_styles import STYLES, fill_of, svg_defs
from planner.text.formatting import format_day, format_span, format_weeks
from planner.text.labels import label, language_of

# Layout, in SVG user units (pixels at 100 %).
PAD = 8


LABEL_W = 200


DAY_W = 4


WEEK_W = 5 * DAY_W + 1


TITLE_H = 22


MONTH_H = 14


WEEK_H = 14


ROW_H = 18


BAR_H = 14


MEETING_ROW_H = 24


GAP_ROW_H = 22


LEGEND_ROW_H = 20


LEGEND_COLUMNS = 4


NAME_CHARS = 30


GREY = ' fill="#374151"'


GAP_TEXT = ' font-weight="700" fill="#7a0d10"'


FONT = "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif"


@dataclass
class _Canvas:
    """Where things go on the picture."""

    grid: YearGrid
    locale: str

    @property
    def grid_top(self) -> int:
        return PAD + TITLE_H + MONTH_H + WEEK_H + 4

    @property
    def rows_bottom(self) -> int:
        return self.grid_top + ROW_H * len(self.grid.rows)

    @property
    def meetings_top(self) -> int:
        return self.rows_bottom + 4

    @property
    def gaps_top(self) -> int:
        return self.meetings_top + MEETING_ROW_H

    @property
    def legend_top(self) -> int:
        return self.gaps_top + GAP_ROW_H + 16

    @property
    def width(self) -> int:
        return PAD * 2 + LABEL_W + WEEK_W * len(self.grid.weeks)

    def week_x(self, index: int) -> float:
        """Return the left edge of a week's column."""
        return PAD + LABEL_W + index * WEEK_W

    def x_of(self, day: date) -> float:
        """Return the left edge of a day's slot (a weekend day sits just after Friday)."""
        slot = min(day.weekday(), 5)
        return self.week_x(self.grid.week_index(day)) + slot * DAY_W

    @property
    def x_first(self) -> float:
        return self.x_of(self.grid.first_day)

    @property
    def x_last(self) -> float:
        last = self.grid.last_day
        return self.x_of(last) + (DAY_W if last.weekday() < 5 else 0)


def _text(
    x: float, y: float, content: str, *, size: float = 11, anchor: str = "start", extra: str = ""
) -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" text-anchor="{anchor}"{extra}>'
        f"{escape(content)}</text>"
    )


def _title(content: str) -> str:
    return f"<title>{escape(content)}</title>"


def _line(x1: float, y1: float, x2: float, y2: float, attrs: str) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" {attrs}/>'


def _shorten(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def _status_word(status: MeetingStatus, locale: str) -> str:
    return label(f"meeting_{status.value}", locale)


def _meeting_symbol(mark: MeetingMark, cx: float, cy: float) -> str:
    """A numbered circle: black confirmed, grey held, hollow dashed cancelled; a red diamond
    when a calendar change now blocks the day."""
    at = f'cx="{cx:g}" cy="{cy:g}" r="7"'
    if mark.status is MeetingStatus.CANCELLED:
        shape = (
            f'<circle {at} fill="#fff" stroke="#555" stroke-width="1.2" stroke-dasharray="2 1.5"/>'
        )
        colour = "#555"
    elif mark.conflict:
        points = f"M{cx:g},{cy - 9:g} L{cx + 9:g},{cy:g} L{cx:g},{cy + 9:g} L{cx - 9:g},{cy:g} Z"
        shape = f'<path d="{points}" fill="#a4161a" stroke="#000" stroke-width="1"/>'
        colour = "#fff"
    elif mark.new:
        shape = f'<circle {at} fill="#e8f0fb" stroke="#1d4f91" stroke-width="2.2"/>'
        colour = "#1d4f91"
    elif mark.status is MeetingStatus.HELD:
        shape = f'<circle {at} fill="#6b7280" stroke="#000" stroke-width="1"/>'
        colour = "#fff"
    elif mark.status is MeetingStatus.PROPOSED:
        shape = f'<circle {at} fill="#fff" stroke="#111" stroke-width="1.5"/>'
        colour = "#111"
    else:
        shape = f'<circle {at} fill="#111" stroke="#000" stroke-width="1"/>'
        colour = "#fff"
    number = _text(
        cx, cy + 3.2, str(mark.number), size=8.5, anchor="middle",
        extra=f' font-weight="700" fill="{colour}"',
    )  # fmt: skip
    return shape + number


def _header(canvas: _Canvas, title: str) -> list[str]:
    grid, locale = canvas.grid, canvas.locale
    months = get_month_names("abbreviated", "stand-alone", locale=language_of(locale))
    out = [_text(PAD, PAD + 14, title, size=14, extra=' font-weight="700"')]
    month_y = PAD + TITLE_H + MONTH_H - 3
    week_y = month_y + WEEK_H
    for start, _ in grid.months:
        x = canvas.x_of(start)
        out.append(_line(x, month_y - 10, x, canvas.rows_bottom, 'stroke="#9ca3af"'))
        out.append(_text(x + 2, month_y, months[start.month], size=10, extra=' font-weight="600"'))
    out.append(_text(PAD, week_y, gettext("Week"), size=9, extra=GREY))
    for week in grid.weeks:
        x = canvas.week_x(week.index) + 5 * DAY_W / 2
        tip = gettext(
            "Week %(week)s, from %(day)s", week=week.number, day=format_day(week.monday, locale)
        )
        number = _text(x, week_y, str(week.number), size=8, anchor="middle", extra=GREY)
        out.append(f"<g>{_title(tip)}{number}</g>")
    return out


def _rows(canvas: _Canvas) -> list[str]:
    grid, locale = canvas.grid, canvas.locale
    out = []
    for index, row in enumerate(grid.rows):
        top = canvas.grid_top + index * ROW_H
        bar = top + (ROW_H - BAR_H) / 2
        out.append(f'<g class="row" data-organisation="{row.organisation_id}">{_title(row.name)}')
        out.append(_text(PAD, top + ROW_H / 2 + 4, _shorten(row.name)))
        width = canvas.x_last - canvas.x_first
        out.append(
            f'<rect x="{canvas.x_first:g}" y="{bar:g}" width="{width:g}" height="{BAR_H}" '
            f'fill="#f3f4f6"/>'
        )
        for mark in row.marks:
            x = canvas.x_of(mark.first_day)
            span = (mark.last_day - mark.first_day).days * DAY_W + DAY_W
            colour = STYLES.get(mark.kind, STYLES["other"]).colour
            if mark.hard:
                look = 'stroke="none"'
            else:
                look = (
                    f'stroke="{colour}" stroke-width="0.8" stroke-dasharray="2 1" '
                    f'fill-opacity="0.45"'
                )
            tip = gettext(
                "%(organisation)s: %(reasons)s (%(severity)s), %(when)s",
                organisation=row.name,
                reasons="; ".join(mark.labels),
                severity=label("hard" if mark.hard else "soft", locale),
                when=format_span(mark.first_day, mark.last_day, locale),
            )
            out.append(
                f'<rect class="mark" data-kind="{mark.kind}" '
                f'data-hard="{"true" if mark.hard else "false"}" x="{x:g}" y="{bar:g}" '
                f'width="{span:g}" height="{BAR_H}" fill="{fill_of(mark.kind)}" {look}>'
                f"{_title(tip)}</rect>"
            )
        out.append("</g>")
    for week in grid.weeks[1:]:
        x = canvas.week_x(week.index) - 0.5
        out.append(_line(x, canvas.grid_top, x, canvas.rows_bottom, 'stroke="#fff"'))
    return out


def _meetings(canvas: _Canvas, meeting_url: Callable[[int], str] | None) -> list[str]:
    grid, locale = canvas.grid, canvas.locale
    y = canvas.meetings_top + MEETING_ROW_H / 2
    out = [_text(PAD, y + 4, gettext("Meetings"), extra=' font-weight="700"')]
    for mark in grid.meetings:
        cx = canvas.x_of(mark.day) + DAY_W / 2
        tip = (
            gettext(
                "Meeting %(number)s: %(day)s, new in this plan",
                number=mark.number,
                day=format_day(mark.day, locale),
            )
            if mark.new
            else gettext(
                "Meeting %(number)s: %(day)s, %(status)s",
                number=mark.number,
                day=format_day(mark.day, locale),
                status=_status_word(mark.status, locale),
            )
        )
        if mark.conflict:
            tip += " — " + gettext("Note: this day is now blocked for a member school.")
        dash = ' stroke-dasharray="3 2"' if mark.status is MeetingStatus.CANCELLED else ""
        symbol = _meeting_symbol(mark, cx, y)
        if meeting_url is not None and not mark.new:
            symbol = f'<a href="{escape(meeting_url(mark.meeting_id))}">{symbol}</a>'
        out.append(
            f'<g class="meeting" data-meeting="{mark.meeting_id}" '
            f'data-status="{"new" if mark.new else mark.status.value}">{_title(tip)}'
            + _line(cx, canvas.grid_top, cx, y - 7, f'stroke="#111" stroke-width="1.2"{dash}')
            + f"{symbol}</g>"
        )
    return out


def _today(canvas: _Canvas, today: date | None) -> list[str]:
    grid = canvas.grid
    if today is None or not grid.first_day <= today <= grid.last_day:
        return []
    x = canvas.x_of(today) + DAY_W / 2
    tip = gettext("Today is %(day)s.", day=format_day(today, canvas.locale))
    bottom = canvas.gaps_top + GAP_ROW_H
    style = 'stroke="#f0b400" stroke-width="2" stroke-dasharray="4 2"'
    return [f'<g class="today">{_title(tip)}{_line(x, canvas.grid_top - 6, x, bottom, style)}</g>']


def _gap_words(gap: GapSpan, locale: str) -> str:
    weeks = format_weeks(gap.counted_days, locale)
    if gap.open:
        return str(gettext("no next meeting: %(weeks)s", weeks=weeks))
    return weeks


def _gap_tip(gap: GapSpan, grid: YearGrid, locale: str) -> str:
    weeks = format_weeks(gap.counted_days, locale)
    limit = format_weeks(grid.max_gap_weeks * 7, locale)
    if gap.open:
        text = gettext(
            "No next meeting since %(day)s: %(weeks)s, the maximum is %(max)s.",
            day=format_day(gap.first_day, locale),
            weeks=weeks,
            max=limit,
        )
        return str(text)
    text = gettext(
        "Gap of %(weeks)s from %(first)s to %(last)s; the maximum is %(max)s.",
        weeks=weeks,
        first=format_day(gap.first_day, locale),
        last=format_day(gap.last_day, locale),
        max=limit,
    )
    return str(text)


def _gaps(canvas: _Canvas) -> list[str]:
    grid = canvas.grid
    middle = canvas.gaps_top + GAP_ROW_H / 2 + 4
    out = [_text(PAD, middle, gettext("Gaps"), extra=' font-weight="700"')]
    top = canvas.gaps_top + 3
    for gap in grid.gaps:
        start = max(gap.first_day, grid.first_day)
        end = min(gap.last_day, grid.last_day)
        x1 = canvas.x_of(start) + (DAY_W / 2 if start == gap.first_day else 0)
        x2 = canvas.x_of(end) + (DAY_W / 2 if end == gap.last_day and not gap.open else DAY_W)
        dash = ' stroke-dasharray="4 2"' if gap.open else ""
        is_open = "true" if gap.open else "false"
        out.append(
            f'<g class="gap" data-weeks="{format_weeks(gap.counted_days, "en", unit=False)}" '
            f'data-days="{gap.counted_days}" data-open="{is_open}">'
            f"{_title(_gap_tip(gap, grid, canvas.locale))}"
            f'<rect x="{x1:g}" y="{top:g}" width="{max(x2 - x1, 1):g}" height="{GAP_ROW_H - 6}" '
            f'fill="url(#yp-gap)" stroke="#a4161a" stroke-width="1.5"{dash}/>'
            + _text(
                x1 + 4,
                top + GAP_ROW_H - 10,
                _gap_words(gap, canvas.locale),
                size=10,
                extra=GAP_TEXT,
            )
            + "</g>"
        )
    if not grid.gaps:
        text = gettext("No gap is longer than the maximum.")
        out.append(_text(PAD + LABEL_W, middle, text, size=10, extra=GREY))
    return out


def _swatch(fill: str, stroke: str, extra: str = "", width: float = 0.8) -> str:
    return (
        f'<rect x="0" y="-10" width="18" height="12" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{width:g}"{extra}/>'
    )


def _legend(canvas: _Canvas) -> tuple[str, int]:
    """Return the legend's SVG and its height."""
    grid, locale = canvas.grid, canvas.locale
    items: list[tuple[str, str]] = [
        (_swatch(fill_of(kind), STYLES[kind].colour), label(kind, locale)) for kind in KIND_ORDER
    ]
    items.append(
        (
            _swatch("url(#yp-test_week)", "#c25e00", ' fill-opacity="0.45" stroke-dasharray="2 1"'),
            gettext("Pale with a dashed edge: soft, avoided when possible"),
        )
    )
    for status in (MeetingStatus.CONFIRMED, MeetingStatus.HELD, MeetingStatus.CANCELLED):
        mark = MeetingMark(1, 0, grid.first_day, 0, status, False)
        words = gettext(
            "Meeting (%(status)s), numbered as in the list", status=_status_word(status, locale)
        )
        items.append((_meeting_symbol(mark, 9, -4), words))
    if any(mark.new for mark in grid.meetings):
        new = MeetingMark(1, 0, grid.first_day, 0, MeetingStatus.CONFIRMED, False, True)
        items.append((_meeting_symbol(new, 9, -4), gettext("New meeting of this plan")))
    conflict = MeetingMark(1, 0, grid.first_day, 0, MeetingStatus.CONFIRMED, True)
    items.append((_meeting_symbol(conflict, 9, -4), gettext("Meeting on a day now blocked")))
    items.append(
        (
            _swatch("url(#yp-gap)", "#a4161a", width=1.5),
            gettext("Gap longer than the maximum of %(max)s weeks", max=grid.max_gap_weeks),
        )
    )
    items.append(
        (
            _line(9, -12, 9, 4, 'stroke="#f0b400" stroke-width="2" stroke-dasharray="4 2"'),
            gettext("Today"),
        )
    )
    column_w = (canvas.width - 2 * PAD) / LEGEND_COLUMNS
    per_column = -(-len(items) // LEGEND_COLUMNS)
    parts = [_text(PAD, canvas.legend_top, gettext("Legend"), extra=' font-weight="700"')]
    for index, (symbol, words) in enumerate(items):
        column, row = divmod(index, per_column)
        x = PAD + column * column_w
        y = canvas.legend_top + 4 + (row + 1) * LEGEND_ROW_H
        parts.append(
            f'<g transform="translate({x:g},{y:g})">{symbol}{_text(24, 0, words, size=10)}</g>'
        )
    return f'<g class="legend">{"".join(parts)}</g>', 4 + per_column * LEGEND_ROW_H + 8


def render_year_svg(
    grid: YearGrid,
    name: str,
    school_year: str,
    *,
    locale: str = "nl",
    today: date | None = None,
    meeting_url: Callable[[int], str] | None = None,
) -> Markup:
    """Draw the year picture as an <svg> element (inline in a page, or saved as a file)."""
    canvas = _Canvas(grid, locale)
    title = gettext("Year picture of %(name)s, school year %(year)s", name=name, year=school_year)
    desc = gettext(
        "Weeks %(first)s to %(last)s as columns and one row per member organisation. Coloured "
        "days are school holidays, public holidays and busy periods; numbered circles are "
        "meetings; red bands are gaps longer than the maximum of %(max)s weeks. The page "
        "lists the same as text.",
        first=grid.weeks[0].number,
        last=grid.weeks[-1].number,
        max=grid.max_gap_weeks,
    )
    legend, legend_height = _legend(canvas)
    height = canvas.legend_top + legend_height + PAD
    body = [
        *_header(canvas, title),
        *_rows(canvas),
        *_meetings(canvas, meeting_url),
        *_gaps(canvas),
        *_today(canvas, today),
        legend,
    ]
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="year-picture-svg" role="img" '
        f'aria-labelledby="yp-title yp-desc" viewBox="0 0 {canvas.width} {height}" '
        f'width="{canvas.width}" height="{height}" font-family="{FONT}" fill="#1a1a1a">'
        f'<title id="yp-title">{escape(title)}</title><desc id="yp-desc">{escape(desc)}</desc>'
        f'{svg_defs()}<rect width="100%" height="100%" fill="#fff"/>{"".join(body)}</svg>'
    )


# Printed on its own, the picture fills an A4 landscape page.
PRINT_STYLE = (
    "<style>@page { size: A4 landscape; margin: 8mm; } "
    "@media print { svg.year-picture-svg { width: 100%; height: auto; } }</style>"
)


def svg_document(svg: Markup) -> str:
    """Return the picture as the text of a standalone .svg file."""
    text = str(svg)
    head = text.index("<defs>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + text[:head] + PRINT_STYLE + text[head:] + "\n"
    )
