"""Control charts for monthly or quarterly results, and error budgets with burn-rate alerts.

A p-chart follows the share of transactions that met a standard (limits widen when a period is small); an XmR
chart follows any single measured value per period.  When periods hold thousands of transactions, the shares
vary from period to period more than binomial chance alone allows (overdispersion), the classic p-chart's limits
are far too tight and nearly every point signals; Laney's p′ chart widens them by sigma_Z, the spread of the
points' z-scores estimated from their moving range (Laney 2002, "Improved control charts for attributes").  Western Electric rules flag points that signal a special
cause.  Error budgets and multi-window burn rates say how fast a service standard's allowance for misses is being
spent, as in Google's SRE workbook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BEYOND_3_SIGMA = "1 point beyond 3 sigma"
TWO_OF_THREE_BEYOND_2_SIGMA = "2 of 3 beyond 2 sigma"
FOUR_OF_FIVE_BEYOND_1_SIGMA = "4 of 5 beyond 1 sigma"
EIGHT_IN_A_ROW = "8 in a row on one side"
XMR_LIMIT_FACTOR = 2.66  # 3 / d2, with d2 = 1.128 for moving ranges of two
XMR_RANGE_FACTOR = 3.27  # D4 for moving ranges of two


@dataclass(frozen=True)
class ChartPoint:
    """One period on a chart: value (None when the period had no data), its limits, and the rules it breaks."""

    value: float | None
    lower_limit: float | None
    upper_limit: float | None
    flags: tuple[str, ...]


P_CHART = "p"
LANEY_P_PRIME = "p_prime"
# sigma_Z is about 1 when periods vary by binomial chance only; estimated from some 24 moving ranges it strays by
# roughly 0.15, so above 1.2 the extra variation is material and Laney's limits are used instead.
OVERDISPERSION_THRESHOLD = 1.2
D2_FOR_TWO = 1.128  # mean moving range of two / sigma


@dataclass(frozen=True)
class PChart:
    """Centre line p = sum(met) / sum(n) and per-period 3-sigma limits clipped to [0, 1].

    `kind` says which limits: the classic p-chart (P_CHART) or Laney's p′ (LANEY_P_PRIME, limits widened by
    `sigma_z`). `sigma_z` is the z-scores' spread measured either way (None with fewer than two periods).
    """

    centre: float | None
    points: tuple[ChartPoint, ...]
    kind: str = P_CHART
    sigma_z: float | None = None


@dataclass(frozen=True)
class XmRChart:
    """Individuals chart with natural process limits X +/- 2.66 mR and the moving-range limit 3.27 mR."""

    centre: float | None
    mean_moving_range: float | None
    lower_limit: float | None
    upper_limit: float | None
    moving_range_limit: float | None
    points: tuple[ChartPoint, ...]
    moving_ranges: tuple[float | None, ...]
    moving_range_flags: tuple[bool, ...]


@dataclass(frozen=True)
class BurnRateAlert:
    """A multi-window burn-rate check: fires only when both the long and the short window exceed the threshold."""

    long_window: str
    short_window: str
    threshold: float
    long_rate: float | None
    short_rate: float | None
    firing: bool


DEFAULT_BURN_RATE_WINDOWS: tuple[tuple[str, str, float], ...] = (
    ("1h", "5m", 14.4),
    ("6h", "30m", 6.0),
    ("3d", "6h", 1.0),
)


def western_electric_flags(z_scores: Sequence[float | None]) -> list[tuple[str, ...]]:
    """Rule names broken at each point, given its distance from the centre in sigmas (None = no data).

    A rule is reported on the point that completes the pattern, and only if that point is itself part of it.
    Points without data are skipped, so the rules look at consecutive periods that have data.
    """
    flags: list[list[str]] = [[] for _ in z_scores]
    present = [i for i, z in enumerate(z_scores) if z is not None and not math.isnan(z)]
    values = [float(z_scores[i]) for i in present]  # type: ignore[arg-type]
    for position, index in enumerate(present):
        z = values[position]
        if abs(z) > 3:
            flags[index].append(BEYOND_3_SIGMA)
        for side in (1, -1):
            recent3 = values[max(0, position - 2) : position + 1]
            if len(recent3) == 3 and side * z > 2 and sum(side * v > 2 for v in recent3) >= 2:
                flags[index].append(TWO_OF_THREE_BEYOND_2_SIGMA)
            recent5 = values[max(0, position - 4) : position + 1]
            if len(recent5) == 5 and side * z > 1 and sum(side * v > 1 for v in recent5) >= 4:
                flags[index].append(FOUR_OF_FIVE_BEYOND_1_SIGMA)
            recent8 = values[max(0, position - 7) : position + 1]
            if len(recent8) == 8 and all(side * v > 0 for v in recent8):
                flags[index].append(EIGHT_IN_A_ROW)
    return [tuple(f) for f in flags]


def _proportions(
    met: npt.ArrayLike, n: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    successes = np.asarray(met, dtype=np.float64)
    sizes = np.asarray(n, dtype=np.float64)
    if successes.shape != sizes.shape:
        raise ValueError("met and n must have one value per period.")
    if np.any(successes < 0) or np.any(successes > sizes):
        raise ValueError("Each period's met count must be between 0 and its n.")
    return successes, sizes


def _sigma_z(z_scores: Sequence[float | None]) -> float | None:
    """Mean moving range of consecutive z-scores (periods without data skipped) / 1.128."""
    present = [z for z in z_scores if z is not None]
    if len(present) < 2:
        return None
    return float(np.mean(np.abs(np.diff(present)))) / D2_FOR_TWO


def _chart(successes: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64], laney: bool | None) -> PChart:
    """The p-chart (laney False), Laney's p′ (True), or whichever fits (None: p′ when sigma_Z is material)."""
    total = float(sizes.sum())
    if total == 0:
        return PChart(None, tuple(ChartPoint(None, None, None, ()) for _ in sizes))
    centre = float(successes.sum()) / total
    sigmas = [math.sqrt(centre * (1 - centre) / size) if size else None for size in sizes]
    z_scores: list[float | None] = [
        None if sigma is None else ((count / size - centre) / sigma if sigma > 0 else 0.0)
        for count, size, sigma in zip(successes, sizes, sigmas, strict=True)
    ]
    sigma_z = _sigma_z(z_scores)
    if laney is None:
        laney = sigma_z is not None and sigma_z > OVERDISPERSION_THRESHOLD
    widen = sigma_z if laney and sigma_z else 1.0
    flags = western_electric_flags([None if z is None else z / widen for z in z_scores])
    points = []
    for count, size, sigma, flag in zip(successes, sizes, sigmas, flags, strict=True):
        if sigma is None:
            points.append(ChartPoint(None, None, None, ()))
            continue
        spread = 3 * sigma * widen
        points.append(
            ChartPoint(float(count / size), max(0.0, centre - spread), min(1.0, centre + spread), flag)
        )
    return PChart(centre, tuple(points), LANEY_P_PRIME if laney else P_CHART, sigma_z)


def p_chart(met: npt.ArrayLike, n: npt.ArrayLike) -> PChart:
    """p-chart of met / n per period: centre sum(met)/sum(n), limits p +/- 3 sqrt(p(1-p)/n_i) within [0, 1]."""
    return _chart(*_proportions(met, n), laney=False)


def laney_p_chart(met: npt.ArrayLike, n: npt.ArrayLike) -> PChart:
    """Laney's p′ chart: limits p +/- 3 sigma_Z sqrt(p(1-p)/n_i), sigma_Z = mean |z_i - z_(i-1)| / 1.128.

    Western Electric rules read each point's z-score divided by sigma_Z.
    """
    return _chart(*_proportions(met, n), laney=True)


def attribute_chart(
    met: npt.ArrayLike, n: npt.ArrayLike, threshold: float = OVERDISPERSION_THRESHOLD
) -> PChart:
    """The chart that fits the data: Laney's p′ when sigma_Z exceeds `threshold` (overdispersion), else the p-chart."""
    successes, sizes = _proportions(met, n)
    classic = _chart(successes, sizes, laney=False)
    if classic.sigma_z is not None and classic.sigma_z > threshold:
        return _chart(successes, sizes, laney=True)
    return classic


def xmr_chart(values: Sequence[float | None] | npt.ArrayLike) -> XmRChart:
    """XmR (individuals and moving range) chart; sigma is estimated as mean moving range / 1.128."""
    data = np.array(
        [math.nan if v is None else v for v in np.asarray(values, dtype=object).ravel()], dtype=float
    )
    observed = data[~np.isnan(data)]
    if observed.size == 0:
        empty = tuple(ChartPoint(None, None, None, ()) for _ in data)
        return XmRChart(
            None, None, None, None, None, empty, tuple(None for _ in data), tuple(False for _ in data)
        )
    centre = float(observed.mean())
    ranges: list[float | None] = [None]
    for previous, current in zip(data[:-1], data[1:], strict=True):
        ranges.append(None if math.isnan(previous) or math.isnan(current) else float(abs(current - previous)))
    present_ranges = [r for r in ranges if r is not None]
    mean_range = float(np.mean(present_ranges)) if present_ranges else None
    if mean_range is None:
        lower = upper = range_limit = None
        z_scores: list[float | None] = [None for _ in data]
    else:
        lower = centre - XMR_LIMIT_FACTOR * mean_range
        upper = centre + XMR_LIMIT_FACTOR * mean_range
        range_limit = XMR_RANGE_FACTOR * mean_range
        sigma = XMR_LIMIT_FACTOR * mean_range / 3
        z_scores = [None if math.isnan(v) else ((v - centre) / sigma if sigma > 0 else 0.0) for v in data]
    flags = western_electric_flags(z_scores)
    points = tuple(
        ChartPoint(None if math.isnan(v) else float(v), lower, upper, f)
        for v, f in zip(data, flags, strict=True)
    )
    range_flags = tuple(bool(r is not None and range_limit is not None and r > range_limit) for r in ranges)
    return XmRChart(centre, mean_range, lower, upper, range_limit, points, tuple(ranges), range_flags)


def error_budget(target: float) -> float:
    """Share of transactions allowed to miss the standard: 1 - target (e.g. 0.05 for a 95% target)."""
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a share between 0 and 1 (got {target}).")
    return 1 - target


def burn_rate(misses: float, total: float, target: float) -> float | None:
    """Observed miss rate over the error budget: 1 spends the budget exactly over the period; None if undefined."""
    budget = error_budget(target)
    if total <= 0 or budget == 0:
        return None
    return (misses / total) / budget


def burn_rate_alerts(
    windows: Mapping[str, tuple[float, float]],
    target: float,
    *,
    rules: Sequence[tuple[str, str, float]] = DEFAULT_BURN_RATE_WINDOWS,
) -> list[BurnRateAlert]:
    """Multi-window burn-rate alerts from {window: (misses, total)}, e.g. {"1h": (12, 400), "5m": (3, 30)}.

    Default pairs: 1h & 5m over 14.4, 6h & 30m over 6, 3d & 6h over 1; both windows must exceed the threshold.
    """
    alerts = []
    for long_window, short_window, threshold in rules:
        for window in (long_window, short_window):
            if window not in windows:
                raise ValueError(f"No counts for the '{window}' window; give (misses, total) for it.")
        long_rate = burn_rate(*windows[long_window], target)
        short_rate = burn_rate(*windows[short_window], target)
        firing = (
            long_rate is not None
            and short_rate is not None
            and long_rate > threshold
            and short_rate > threshold
        )
        alerts.append(BurnRateAlert(long_window, short_window, threshold, long_rate, short_rate, firing))
    return alerts
