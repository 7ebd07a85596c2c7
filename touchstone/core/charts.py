"""Charts drawn on the server as SVG, so they work without JavaScript, print in PDF reports, and carry a text
alternative. Every chart is shown beside a data table holding the same numbers.

Colours are USWDS palette tokens chosen to stay distinguishable in grey and for common colour blindness;
presentation attributes (not style="") keep them within the Content-Security-Policy.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = [
    "#005ea2",
    "#e5a000",
    "#00a398",
    "#d83933",
    "#8168b3",
    "#4d8055",
    "#c05600",
    "#1a4480",
    "#936f38",
    "#71767a",
]
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _scale(maximum: float) -> float:
    """A round top for the y axis."""
    if maximum <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(maximum))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= maximum:
            return float(step * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def _frame(title: str, body: list[str], top: float, percent: bool) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value * 100:.0f}%" if percent else _number(value)
        grid.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dfe1e2"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#1b1b1b">{label}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="touchstone-chart" width="100%" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{''.join(grid)}{''.join(body)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308  (every text is escaped above)


def _x_labels(labels: Sequence[str], step: float) -> list[str]:
    every = max(1, len(labels) // 12)
    out = []
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + step * (i + 0.5)
            out.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                f'fill="#1b1b1b">{escape(label)}</text>'
            )
    return out


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> SafeString:
    """One bar per period, stacked by series (e.g. volume by channel)."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = _scale(max(totals, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = []
    for i in range(len(labels)):
        base = 0.0
        for colour, s in zip(PALETTE * 3, series, strict=False):
            value = s.values[i] or 0
            if value <= 0:
                continue
            h = plot_h * value / top
            y = TOP + plot_h - plot_h * (base + value) / top
            body.append(
                f'<rect x="{LEFT + step * i + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
            base += value
    body += _x_labels(labels, step)
    body += _legend(series)
    return _frame(title, body, top, percent=False)


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
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = []
    if reference is not None:
        y = TOP + plot_h - plot_h * reference / top
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#1b1b1b" '
            f'stroke-dasharray="6 4"/>'
        )
    for colour, s in zip(PALETTE * 3, series, strict=False):
        points = [
            (LEFT + step * (i + 0.5), TOP + plot_h - plot_h * v / top)
            for i, v in enumerate(s.values)
            if v is not None
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in points]
    body += _x_labels(labels, step)
    body += _legend(series)
    return _frame(title, body, top, percent)


def _legend(series: Sequence[Series]) -> list[str]:
    out = []
    x = LEFT
    for colour, s in zip(PALETTE * 3, series, strict=False):
        out.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 9}" font-size="11" fill="#1b1b1b">{escape(s.label)}</text>'
        )
        x += 24 + 7 * len(s.label)
    return out


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
    """One bar per item with its confidence interval as an error bar (e.g. agreement by channel)."""
    values = [v for i in items for v in (i.value, i.high) if v is not None]
    ceiling = top if top is not None else (1.0 if percent else _scale(max(values, default=0)))
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(1, len(items))

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * max(0.0, min(value, ceiling)) / ceiling

    body = []
    for i, item in enumerate(items):
        if item.value is None:
            continue
        x = LEFT + step * i + step * 0.2
        y = y_of(item.value)
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.6:.1f}" height="{TOP + plot_h - y:.1f}" '
            f'fill="{PALETTE[0]}"/>'
        )
        if item.low is not None and item.high is not None:
            centre = LEFT + step * (i + 0.5)
            low, high = y_of(item.low), y_of(item.high)
            body.append(
                f'<line x1="{centre:.1f}" x2="{centre:.1f}" y1="{low:.1f}" y2="{high:.1f}" stroke="#1b1b1b" '
                f'stroke-width="1.5"/>'
                f'<line x1="{centre - 5:.1f}" x2="{centre + 5:.1f}" y1="{low:.1f}" y2="{low:.1f}" stroke="#1b1b1b"/>'
                f'<line x1="{centre - 5:.1f}" x2="{centre + 5:.1f}" y1="{high:.1f}" y2="{high:.1f}" '
                f'stroke="#1b1b1b"/>'
            )
    body += _x_labels([i.label for i in items], step)
    return _frame(title, body, ceiling, percent)


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float


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

    `quadrant_labels` run top-left, top-right, bottom-left, bottom-right; both axes start at zero.
    """
    x_top = max([p.x for p in points] + [x_split]) * 1.15 or 1.0
    y_top = max([p.y for p in points] + [y_split]) * 1.1 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x: float, y: float) -> tuple[float, float]:
        return LEFT + plot_w * x / x_top, TOP + plot_h - plot_h * y / y_top

    split_x, split_y = at(x_split, y_split)
    body = [
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#a9aeb1"/>',
        f'<line x1="{split_x:.1f}" x2="{split_x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#71767a" '
        f'stroke-dasharray="6 4"/>',
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{split_y:.1f}" y2="{split_y:.1f}" stroke="#71767a" '
        f'stroke-dasharray="6 4"/>',
    ]
    corners = [
        (LEFT + 6, TOP + 14, "start"),
        (LEFT + plot_w - 6, TOP + 14, "end"),
        (LEFT + 6, TOP + plot_h - 6, "start"),
        (LEFT + plot_w - 6, TOP + plot_h - 6, "end"),
    ]
    for (corner_x, corner_y, anchor), text in zip(corners, quadrant_labels, strict=True):
        body.append(
            f'<text x="{corner_x}" y="{corner_y}" text-anchor="{anchor}" font-size="11" font-style="italic" '
            f'fill="#565c65">{escape(text)}</text>'
        )
    for colour, point in zip(PALETTE * 3, points, strict=False):
        x, y = at(point.x, point.y)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
            f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="11" fill="#1b1b1b">{escape(point.label)}</text>'
        )
    body.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - BOTTOM + 30}" text-anchor="middle" font-size="12" '
        f'fill="#1b1b1b">{escape(x_label)}</text>'
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="12" fill="#1b1b1b" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="touchstone-chart" width="100%" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308  (every text is escaped above)
