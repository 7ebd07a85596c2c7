"""Every chart of the product, drawn on the server as SVG: no JavaScript, prints in PDF reports, carries a text
alternative, and is shown beside or above a data table holding the same numbers.

One style everywhere:
- The viewBox is narrow (WIDTH user units) and the chart is drawn at most MAX_WIDTH_REM wide (site.css), so a
  FONT-unit label stays at least 12 px on a 390 px phone and under 20 px on a desktop.
- Numbers inside SVG attributes are written by `_n`, never by a template, so a language with a decimal comma
  cannot turn "12.5" into "12,5" (which browsers reject); text a person reads goes through `touchstone.core.numbers`.
- Category labels that could overlap are thinned out (x axis) or given a row each (interval bars); legends are HTML
  below the chart, so they wrap.
- Colours are USWDS palette tokens with at least 3:1 contrast on white (WCAG 1.4.11), distinguishable in grey and
  for common colour blindness; presentation attributes (not style="") keep them within the Content-Security-Policy.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Protocol

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from touchstone.core import numbers

PALETTE = [
    "#005ea2",
    "#8a6b00",
    "#008480",
    "#d83933",
    "#8168b3",
    "#4d8055",
    "#c05600",
    "#1a4480",
    "#936f38",
    "#71767a",
]
INK = "#1b1b1b"
GRID = "#dfe1e2"
SIGNAL = "#b50909"
TARGET = "#008817"
WIDTH, HEIGHT = 440, 280
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 14, 40
FONT = 15  # user units; at the narrowest chart (about 355 px for 440 units) that is 12 px on screen
CHAR_WIDTH = 0.6 * FONT  # a label's width per character, generously


def _n(value: float) -> str:
    """A coordinate for an SVG attribute: always a dot for decimals, whatever the active language."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _scale(maximum: float) -> float:
    """A round top for the y axis."""
    if maximum <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(maximum))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= maximum:
            return float(step * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    if value >= 1_000_000:
        return _("%(n)s M") % {"n": numbers.decimal(value / 1_000_000)}
    if value >= 10_000:
        return _("%(n)s k") % {"n": numbers.decimal(value / 1_000)}
    return numbers.decimal(value)


def _text(x: float, y: float, label: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{FONT}" fill="{INK}"{extra}>'
        f"{escape(label)}</text>"
    )


def _svg(title: str, body: Sequence[str], height: float = HEIGHT, chart_id: str = "", desc: str = "") -> str:
    labelled = ""
    title_id = f' id="{escape(chart_id)}-title"' if chart_id else ""
    desc_part = ""
    if chart_id:
        parts = f"{escape(chart_id)}-title" + (f" {escape(chart_id)}-desc" if desc else "")
        labelled = f' aria-labelledby="{parts}"'
        if desc:
            desc_part = f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    else:
        labelled = f' aria-label="{escape(title)}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" role="img"{labelled} '
        f'class="touchstone-chart" width="100%" preserveAspectRatio="xMidYMid meet">'
        f"<title{title_id}>{escape(title)}</title>{desc_part}{''.join(body)}</svg>"
    )


def _legend(series: Sequence[Series]) -> str:
    items = "".join(
        f'<li><svg class="touchstone-chart-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">'
        f'<rect width="14" height="14" fill="{colour}"/></svg> {escape(s.label)}</li>'
        for colour, s in zip(PALETTE * 3, series, strict=False)
    )
    return f'<ul class="touchstone-chart-legend" aria-label="{escape(_("Legend"))}">{items}</ul>'


def _figure(svg: str, legend: str = "") -> SafeString:
    return mark_safe(f'<div class="touchstone-chart-frame">{svg}{legend}</div>')  # noqa: S308  (escaped above)


def _y_grid(top: float, percent: bool, plot_top: float, plot_bottom: float, floor: float = 0.0) -> list[str]:
    out = []
    for i in range(5):
        value = floor + (top - floor) * i / 4
        y = plot_bottom - (plot_bottom - plot_top) * i / 4
        label = numbers.percent(value) if percent else _number(value)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}"/>'
            + _text(LEFT - 6, y + FONT * 0.35, label, "end")
        )
    return out


def _x_labels(labels: Sequence[str], x_of: Sequence[float], y: float) -> list[str]:
    """Every n-th label, n chosen so the widest label never touches its neighbour."""
    if not labels:
        return []
    widest = max(len(label) for label in labels) * CHAR_WIDTH + FONT
    spacing = (x_of[1] - x_of[0]) if len(x_of) > 1 else WIDTH
    every = max(1, math.ceil(widest / spacing)) if spacing > 0 else 1
    out = []
    for i, (label, x) in enumerate(zip(labels, x_of, strict=True)):
        if i % every:
            continue
        half = len(label) * CHAR_WIDTH / 2
        anchor_x = min(max(x, LEFT + half - FONT), WIDTH - RIGHT - half + FONT / 2)
        out.append(_text(anchor_x, y, label))
    return out


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> SafeString:
    """One bar per period, stacked by series (e.g. volume by channel); the legend below it."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = _scale(max(totals, default=0))
    plot_bottom = HEIGHT - BOTTOM
    plot_h = plot_bottom - TOP
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _y_grid(top, False, TOP, plot_bottom)
    for i in range(len(labels)):
        base = 0.0
        for colour, s in zip(PALETTE * 3, series, strict=False):
            value = s.values[i] or 0
            if value <= 0:
                continue
            h = plot_h * value / top
            y = plot_bottom - plot_h * (base + value) / top
            body.append(
                f'<rect x="{_n(LEFT + step * i + step * 0.15)}" y="{_n(y)}" width="{_n(step * 0.7)}" '
                f'height="{_n(h)}" fill="{colour}"/>'
            )
            base += value
    body += _x_labels(labels, [LEFT + step * (i + 0.5) for i in range(len(labels))], plot_bottom + FONT + 8)
    return _figure(_svg(title, body), _legend(series))


def lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    percent: bool = False,
    reference: float | None = None,
) -> SafeString:
    """One line per series; `percent` draws a 0-100% axis; `reference` draws a dashed target line."""
    values = [v for s in series for v in s.values if v is not None]
    top = 1.0 if percent else _scale(max(values, default=0))
    plot_bottom = HEIGHT - BOTTOM
    plot_h = plot_bottom - TOP
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _y_grid(top, percent, TOP, plot_bottom)
    if reference is not None:
        y = plot_bottom - plot_h * reference / top
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y)}" y2="{_n(y)}" stroke="{INK}" '
            f'stroke-dasharray="6 4"/>'
        )
    for colour, s in zip(PALETTE * 3, series, strict=False):
        points = [
            (LEFT + step * (i + 0.5), plot_bottom - plot_h * v / top)
            for i, v in enumerate(s.values)
            if v is not None
        ]
        if points:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            body += [f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"/>' for x, y in points]
    body += _x_labels(labels, [LEFT + step * (i + 0.5) for i in range(len(labels))], plot_bottom + FONT + 8)
    return _figure(_svg(title, body), _legend(series) if len(series) > 1 else "")


@dataclass(frozen=True)
class Interval:
    """A share or mean with its confidence interval; `value` None draws nothing (a suppressed or empty cell)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


def interval_bars(
    title: str, items: Sequence[Interval], percent: bool = True, top: float | None = None
) -> SafeString:
    """One horizontal bar per item, its label above it (wrapped onto as many lines as it needs, so every name
    reads whole, as in the table beside it), the confidence interval as an error bar."""
    values = [v for i in items for v in (i.value, i.high) if v is not None]
    ceiling = top if top is not None else (1.0 if percent else _scale(max(values, default=0)))
    line_height = FONT + 3
    left, right = 8, WIDTH - 64
    wrapped = [_wrap(item.label, WIDTH - 16) or [""] for item in items]
    height = TOP + sum(FONT + 26 + line_height * (len(lines) - 1) for lines in wrapped) + 8

    def x_of(value: float) -> float:
        return left + (right - left) * max(0.0, min(value, ceiling)) / ceiling

    body = []
    y = float(TOP)
    for item, lines in zip(items, wrapped, strict=True):
        for number, line in enumerate(lines):
            body.append(_text(left, y + FONT + line_height * number, line, "start"))
        bar_y = y + FONT + 6 + line_height * (len(lines) - 1)
        y = bar_y + 20
        body.append(
            f'<rect x="{left}" y="{_n(bar_y)}" width="{right - left}" height="14" fill="none" stroke="{GRID}"/>'
        )
        if item.value is None:
            body.append(_text(right + 6, bar_y + 12, "—", "start"))
            continue
        end = x_of(item.value)
        body.append(
            f'<rect x="{left}" y="{_n(bar_y)}" width="{_n(end - left)}" height="14" fill="{PALETTE[0]}"/>'
        )
        shown = numbers.percent(item.value) if percent else numbers.decimal(item.value)
        body.append(_text(right + 6, bar_y + 12, shown, "start"))
        if item.low is not None and item.high is not None:
            low, high, middle = x_of(item.low), x_of(item.high), bar_y + 7
            body.append(
                f'<line x1="{_n(low)}" x2="{_n(high)}" y1="{_n(middle)}" y2="{_n(middle)}" stroke="{INK}" '
                f'stroke-width="1.5"/>'
                f'<line x1="{_n(low)}" x2="{_n(low)}" y1="{_n(middle - 6)}" y2="{_n(middle + 6)}" stroke="{INK}"/>'
                f'<line x1="{_n(high)}" x2="{_n(high)}" y1="{_n(middle - 6)}" y2="{_n(middle + 6)}" stroke="{INK}"/>'
            )
    return _figure(_svg(title, body, height))


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(box: Box, others: Sequence[Box], gap: float = 4) -> bool:
    """Whether `box` comes within `gap` of any other (text widths are estimates, so keep a margin)."""
    return any(
        box[0] - gap < o[2] and o[0] < box[2] + gap and box[1] - gap < o[3] and o[1] < box[3] + gap
        for o in others
    )


def _wrap(text: str, width: float) -> list[str]:
    """Words into lines no wider than `width` user units (a single long word keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word)) * CHAR_WIDTH <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def quadrant_scatter(
    title: str,
    points: Sequence[Point],
    x_split: float,
    y_split: float,
    quadrant_labels: tuple[str, str, str, str],
    x_label: str,
    y_label: str,
) -> SafeString:
    """A scatter split into quadrants at (x_split, y_split), e.g. importance-performance analysis.

    `quadrant_labels` run top-left, top-right, bottom-left, bottom-right; both axes start at zero. Points are
    numbered on the chart and named in the legend below it; quadrant names wrap within their quadrant and each
    number is placed where it touches no other label.
    """
    x_top = max([p.x for p in points] + [x_split]) * 1.15 or 1.0
    y_top = max([p.y for p in points] + [y_split]) * 1.1 or 1.0
    left, bottom = 12, HEIGHT - 12  # the axis titles are written below the chart
    plot_w, plot_h = WIDTH - left - RIGHT, bottom - TOP

    def at(x: float, y: float) -> tuple[float, float]:
        return left + plot_w * x / x_top, TOP + plot_h - plot_h * y / y_top

    split_x, split_y = at(x_split, y_split)
    body = [
        f'<rect x="{left}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#a9aeb1"/>',
        f'<line x1="{_n(split_x)}" x2="{_n(split_x)}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#71767a" '
        f'stroke-dasharray="6 4"/>',
        f'<line x1="{left}" x2="{left + plot_w}" y1="{_n(split_y)}" y2="{_n(split_y)}" stroke="#71767a" '
        f'stroke-dasharray="6 4"/>',
    ]
    taken: list[Box] = []
    line_height = FONT + 3
    quadrants = [  # (x edge, width available, anchor, top row or bottom row)
        (left + 6, split_x - left - 12, "start", True),
        (left + plot_w - 6, left + plot_w - split_x - 12, "end", True),
        (left + 6, split_x - left - 12, "start", False),
        (left + plot_w - 6, left + plot_w - split_x - 12, "end", False),
    ]
    for (edge, room, anchor, top_row), text in zip(quadrants, quadrant_labels, strict=True):
        lines = _wrap(text, max(room, 4 * CHAR_WIDTH))
        first = TOP + FONT + 2 if top_row else TOP + plot_h - 6 - line_height * (len(lines) - 1)
        for number, line in enumerate(lines):
            line_y = first + line_height * number
            line_width = len(line) * CHAR_WIDTH * 1.1  # italic runs a little wider
            x0 = edge if anchor == "start" else edge - line_width
            taken.append((x0, line_y - FONT, x0 + line_width, line_y + 4))
            body.append(
                f'<text x="{_n(edge)}" y="{_n(line_y)}" text-anchor="{anchor}" font-size="{FONT}" '
                f'font-style="italic" fill="#565c65">{escape(line)}</text>'
            )
    spots = [at(point.x, point.y) for point in points]
    for colour, (x, y) in zip(PALETTE * 3, spots, strict=False):
        body.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" fill="{colour}"/>')
    dots = [(x - 5, y - 5, x + 5, y + 5) for x, y in spots]
    directions = [(8, 5), (-8, 5), (0, -9), (0, FONT + 7), (8, -9), (-8, -9), (8, FONT + 7), (-8, FONT + 7)]
    for number, (x, y) in enumerate(spots, start=1):
        width = len(str(number)) * CHAR_WIDTH
        candidates = []
        for ring in (1, 2, 3, 4, 5):
            for dx, dy in directions:
                shift_x = dx * ring if dx >= 0 else dx * ring - width
                shift_x = shift_x if dx else -width / 2
                candidates.append((x + shift_x, y + dy * ring))
        boxes = [(cx, cy - FONT, cx + width, cy + 3) for cx, cy in candidates]
        inside = [
            box
            for box in boxes
            if left <= box[0] and box[2] <= left + plot_w and box[1] >= TOP and box[3] <= bottom
        ]
        # The first free spot nearest the point; failing that, the one touching the fewest labels.
        best = min(
            inside or boxes,
            key=lambda box: (
                sum(_overlaps(box, [other]) for other in taken + dots),
                (inside or boxes).index(box),
            ),
        )
        taken.append(best)
        body.append(_text(best[0], best[3] - 3, str(number), "start"))
    axes_text = _("Across: %(x)s. Up: %(y)s.") % {"x": x_label, "y": y_label}
    axes = f'<p class="touchstone-chart-axes">{escape(axes_text)}</p>'
    legend = "".join(
        f'<li><svg class="touchstone-chart-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">'
        f'<circle cx="7" cy="7" r="6" fill="{colour}"/></svg> {number}. {escape(point.label)}</li>'
        for number, (colour, point) in enumerate(zip(PALETTE * 3, points, strict=False), start=1)
    )
    listed = f'<ol class="touchstone-chart-legend" aria-label="{escape(_("Legend"))}">{legend}</ol>'
    return _figure(_svg(title, body), axes + (listed if points else ""))


class ChartRowLike(Protocol):
    label: str
    share: float | None
    lower: float | None
    upper: float | None
    signals: tuple[str, ...]


class ControlChartLike(Protocol):
    centre: float | None
    target: float | None

    @property
    def rows(self) -> Sequence[ChartRowLike]: ...


def control_chart(chart: ControlChartLike, title: str, chart_id: str, desc: str = "") -> SafeString | None:
    """A control chart of shares per period: result line, centre, control limits, target, rings on signals."""
    rows = [row for row in chart.rows if row.share is not None]
    if not rows:
        return None
    values = [row.share for row in rows if row.share is not None]
    values += [row.lower for row in rows if row.lower is not None]
    if chart.target is not None:
        values.append(chart.target)
    floor = max(0.0, math.floor(min(values) * 10) / 10 - 0.1 * (min(values) > 0.05))
    span = 1.0 - floor or 1.0
    plot_bottom = HEIGHT - BOTTOM
    plot_w, plot_h = WIDTH - LEFT - RIGHT, plot_bottom - TOP
    step = plot_w / (len(rows) - 1) if len(rows) > 1 else 0.0

    def x(i: int) -> float:
        return LEFT + (i * step if len(rows) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + (1.0 - value) / span * plot_h

    body = []
    tick_step = 0.1 if span <= 0.5 else 0.2
    tick = 1.0
    while tick >= floor - 1e-9:
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y(tick))}" y2="{_n(y(tick))}" stroke="{GRID}"/>'
            + _text(LEFT - 6, y(tick) + FONT * 0.35, numbers.percent(tick), "end")
        )
        tick = round(tick - tick_step, 2)
    if chart.target is not None and chart.target >= floor:
        ty = _n(y(chart.target))
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty}" y2="{ty}" stroke="{TARGET}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
    if chart.centre is not None:
        cy = _n(y(chart.centre))
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{cy}" y2="{cy}" stroke="#565c65" stroke-width="1.5"/>'
        )
    for limit in ("upper", "lower"):
        points = " ".join(
            f"{_n(x(i))},{_n(y(getattr(row, limit)))}"
            for i, row in enumerate(rows)
            if getattr(row, limit) is not None
        )
        if points:
            body.append(
                f'<polyline points="{points}" fill="none" stroke="#71767a" stroke-width="1.5" '
                f'stroke-dasharray="2 3"/>'
            )
    line = " ".join(f"{_n(x(i))},{_n(y(row.share or 0))}" for i, row in enumerate(rows))
    body.append(f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for i, row in enumerate(rows):
        cx, cy = _n(x(i)), _n(y(row.share or 0))
        if row.signals:
            body.append(
                f'<circle cx="{cx}" cy="{cy}" r="8" fill="none" stroke="{SIGNAL}" stroke-width="2.5"/>'
            )
        body.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{SIGNAL if row.signals else PALETTE[0]}"/>')
    body += _x_labels([row.label for row in rows], [x(i) for i in range(len(rows))], plot_bottom + FONT + 8)
    return _figure(_svg(title, body, chart_id=chart_id, desc=desc))
