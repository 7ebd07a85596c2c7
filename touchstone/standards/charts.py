"""Server-drawn SVG geometry for a standard's control chart: no JavaScript, a data table beside it."""

import math
from dataclasses import dataclass

from touchstone.standards.measurement import ControlChart

WIDTH = 640
HEIGHT = 260
LEFT = 52
RIGHT = 12
TOP = 12
BOTTOM = 44


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    share: float
    signal: bool


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class ChartGeometry:
    width: int
    height: int
    left: int
    right_edge: int
    bottom_edge: int
    dots: list[Dot]
    line: str
    upper: str
    lower: str
    centre_y: float | None
    target_y: float | None
    ticks: list[Tick]
    x_labels: list[XLabel]


def geometry(chart: ControlChart) -> ChartGeometry | None:
    rows = [row for row in chart.rows if row.share is not None]
    if not rows:
        return None
    values = [row.share for row in rows if row.share is not None]
    values += [row.lower for row in rows if row.lower is not None]
    if chart.target is not None:
        values.append(chart.target)
    floor = max(0.0, math.floor(min(values) * 10) / 10 - 0.1 * (min(values) > 0.05))
    span = 1.0 - floor or 1.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(rows) - 1) if len(rows) > 1 else 0

    def x(i: int) -> float:
        return round(LEFT + (i * step if len(rows) > 1 else plot_w / 2), 1)

    def y(value: float) -> float:
        return round(TOP + (1.0 - value) / span * plot_h, 1)

    dots = [
        Dot(x(i), y(row.share or 0), row.label, row.share or 0, bool(row.signals))
        for i, row in enumerate(rows)
    ]
    line = " ".join(f"{d.x},{d.y}" for d in dots)
    upper = " ".join(f"{x(i)},{y(row.upper)}" for i, row in enumerate(rows) if row.upper is not None)
    lower = " ".join(f"{x(i)},{y(row.lower)}" for i, row in enumerate(rows) if row.lower is not None)
    ticks = []
    tick = 1.0
    while tick >= floor - 1e-9:
        ticks.append(Tick(y(tick), f"{tick * 100:.0f}%"))
        tick = round(tick - (0.1 if span <= 0.5 else 0.2), 2)
    every = max(1, math.ceil(len(rows) / 8))
    labels = [XLabel(x(i), row.label) for i, row in enumerate(rows) if i % every == 0]
    return ChartGeometry(
        WIDTH,
        HEIGHT,
        LEFT,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        dots,
        line,
        upper,
        lower,
        y(chart.centre) if chart.centre is not None else None,
        y(chart.target) if chart.target is not None and chart.target >= floor else None,
        ticks,
        labels,
    )
