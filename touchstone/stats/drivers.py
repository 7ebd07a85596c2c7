"""What drives overall satisfaction, and where to act.

Johnson's relative weights and the Shapley decomposition of R squared split a regression's explained variance
among correlated drivers (plain coefficients do not, when drivers move together).  Importance-performance
analysis places each driver in a quadrant at the grand means; SERVQUAL gaps are perception minus expectation per
item, averaged by dimension.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

CONCENTRATE_HERE = "Concentrate here"
KEEP_UP_THE_GOOD_WORK = "Keep up the good work"
LOW_PRIORITY = "Low priority"
POSSIBLE_OVERKILL = "Possible overkill"
MAX_SHAPLEY_DRIVERS = 15


@dataclass(frozen=True)
class DriverWeight:
    """One driver's share of the explained variance: `weight` in R-squared units, `share` of the total."""

    driver: str
    weight: float
    share: float


@dataclass(frozen=True)
class DriverImportance:
    """Drivers ranked by importance, the model's R squared, and the number of complete rows used."""

    r_squared: float
    drivers: tuple[DriverWeight, ...]
    n: int


@dataclass(frozen=True)
class QuadrantItem:
    """A driver's importance, performance, and importance-performance quadrant."""

    name: str
    importance: float
    performance: float
    quadrant: str


@dataclass(frozen=True)
class ImportancePerformance:
    """Quadrant placement of every driver, split at the grand means of importance and performance."""

    importance_mean: float
    performance_mean: float
    items: tuple[QuadrantItem, ...]


@dataclass(frozen=True)
class ServqualGaps:
    """Perception - expectation per item and averaged by dimension (None where an item has no paired answers)."""

    items: dict[str, float | None]
    dimensions: dict[str, float | None]
    overall: float | None


def weighted_correlation(
    data: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> npt.NDArray[np.float64]:
    """Correlations between the columns of `data` (n x k), each row counting its weight (1 when not given).

    With weights w: cov_jk = sum w (x_j - m_j)(x_k - m_k) / sum w, m the weighted means; integer weights give
    the correlations of the data with each row repeated w times.
    """
    array = np.asarray(data, dtype=np.float64)
    w = np.ones(array.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    centred = array - (w @ array) / w.sum()
    covariance = (centred * w[:, None]).T @ centred / w.sum()
    spread = np.sqrt(np.diag(covariance))
    return np.asarray(covariance / np.outer(spread, spread), dtype=np.float64)


def _complete_correlations(
    drivers: npt.ArrayLike,
    outcome: npt.ArrayLike,
    names: Sequence[str] | None,
    weights: npt.ArrayLike | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[str], int]:
    x = np.asarray(drivers, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"drivers must be n x p with n = {y.shape[0]} rows (got shape {x.shape}).")
    labels = list(names) if names is not None else [f"driver {j + 1}" for j in range(x.shape[1])]
    if len(labels) != x.shape[1]:
        raise ValueError(f"{len(labels)} names given for {x.shape[1]} drivers.")
    complete = ~np.isnan(x).any(axis=1) & ~np.isnan(y)
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != y.shape:
            raise ValueError(f"weights must have one value per row ({y.shape[0]}); got shape {w.shape}.")
        complete &= w > 0
        w = w[complete]
    n = int(complete.sum())
    if n < x.shape[1] + 2:
        raise ValueError(f"Only {n} complete rows for {x.shape[1]} drivers; importance needs more responses.")
    data = np.column_stack([x[complete], y[complete]])
    spread = data.std(axis=0)
    if np.any(spread == 0):
        constant = [(labels + ["outcome"])[j] for j in np.flatnonzero(spread == 0)]
        raise ValueError(f"{constant[0]} does not vary, so its importance cannot be estimated.")
    correlation = weighted_correlation(data, w)
    return correlation[:-1, :-1], correlation[:-1, -1], labels, n


def _ranked(
    labels: list[str], weights: npt.NDArray[np.float64], r_squared: float, n: int
) -> DriverImportance:
    total = float(weights.sum())
    items = [
        DriverWeight(label, float(weight), float(weight / total) if total else 0.0)
        for label, weight in zip(labels, weights, strict=True)
    ]
    items.sort(key=lambda item: item.weight, reverse=True)
    return DriverImportance(float(r_squared), tuple(items), n)


def relative_weights(
    drivers: npt.ArrayLike,
    outcome: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    weights: npt.ArrayLike | None = None,
) -> DriverImportance:
    """Johnson's (2000) relative weights: regress the outcome on orthogonal stand-ins for the drivers.

    With R = V diag(lambda) V' the drivers' correlations, Lambda = V diag(sqrt(lambda)) V' links drivers to their
    closest orthogonal counterparts; the weights are sum_k Lambda_jk^2 beta_k^2 and add up to R squared.
    With `weights` (survey weights) the correlations are weighted, so R squared is that of weighted least squares.
    """
    r_xx, r_xy, labels, n = _complete_correlations(drivers, outcome, names, weights)
    eigenvalues, eigenvectors = np.linalg.eigh(r_xx)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    link = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    beta = np.linalg.lstsq(link, r_xy, rcond=None)[0]
    shares = (link**2) @ (beta**2)
    return _ranked(labels, shares, float(shares.sum()), n)


def _r_squared(
    r_xx: npt.NDArray[np.float64], r_xy: npt.NDArray[np.float64], subset: tuple[int, ...]
) -> float:
    if not subset:
        return 0.0
    index = list(subset)
    coefficients = np.linalg.lstsq(r_xx[np.ix_(index, index)], r_xy[index], rcond=None)[0]
    return float(r_xy[index] @ coefficients)


def shapley_r_squared(
    drivers: npt.ArrayLike,
    outcome: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    weights: npt.ArrayLike | None = None,
) -> DriverImportance:
    """Shapley (LMG) decomposition of R squared: each driver's average gain over all orders of entry.

    With `weights` each R squared is that of weighted least squares (weighted correlations)."""
    r_xx, r_xy, labels, n = _complete_correlations(drivers, outcome, names, weights)
    p = len(labels)
    if p > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"Shapley decomposition of {p} drivers is too costly; use relative_weights instead.")
    fits = {
        subset: _r_squared(r_xx, r_xy, subset)
        for size in range(p + 1)
        for subset in itertools.combinations(range(p), size)
    }
    weights = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            coefficient = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                weights[j] += coefficient * (fits[with_j] - fits[subset])
    return _ranked(labels, weights, fits[tuple(range(p))], n)


def importance_performance(
    importance: Mapping[str, float], performance: Mapping[str, float]
) -> ImportancePerformance:
    """Quadrants at the grand means: high importance & low performance is where to concentrate.

    A value equal to its grand mean counts as high.
    """
    missing = sorted(set(importance) ^ set(performance))
    if missing:
        raise ValueError(f"Driver '{missing[0]}' needs both an importance and a performance value.")
    if not importance:
        return ImportancePerformance(math.nan, math.nan, ())
    importance_mean = float(np.mean(list(importance.values())))
    performance_mean = float(np.mean([performance[name] for name in importance]))
    items = []
    for name, weight in importance.items():
        score = performance[name]
        important = weight >= importance_mean
        performing = score >= performance_mean
        if important and not performing:
            quadrant = CONCENTRATE_HERE
        elif important:
            quadrant = KEEP_UP_THE_GOOD_WORK
        elif not performing:
            quadrant = LOW_PRIORITY
        else:
            quadrant = POSSIBLE_OVERKILL
        items.append(QuadrantItem(name, float(weight), float(score), quadrant))
    return ImportancePerformance(importance_mean, performance_mean, tuple(items))


def _gap(perceived: npt.ArrayLike, expected: npt.ArrayLike) -> float | None:
    p = np.asarray(perceived, dtype=np.float64).ravel()
    e = np.asarray(expected, dtype=np.float64).ravel()
    if p.shape == e.shape:
        paired = ~np.isnan(p) & ~np.isnan(e)
        return float(np.mean(p[paired] - e[paired])) if paired.any() else None
    p, e = p[~np.isnan(p)], e[~np.isnan(e)]
    return float(p.mean() - e.mean()) if p.size and e.size else None


def servqual_gaps(
    perception: Mapping[str, npt.ArrayLike],
    expectation: Mapping[str, npt.ArrayLike],
    dimensions: Mapping[str, str],
) -> ServqualGaps:
    """SERVQUAL gap (perception - expectation) per item, paired by respondent when both arrays align.

    Dimension scores (tangibles, reliability, responsiveness, assurance, empathy) are the unweighted average of
    their items' gaps; `overall` averages the dimensions.
    """
    for item in perception:
        if item not in expectation:
            raise ValueError(f"Item '{item}' has perceptions but no expectations.")
        if item not in dimensions:
            raise ValueError(f"Item '{item}' is not assigned to a dimension.")
    items = {item: _gap(perception[item], expectation[item]) for item in perception}
    by_dimension: dict[str, list[float]] = {}
    for item, gap in items.items():
        by_dimension.setdefault(dimensions[item], [])
        if gap is not None:
            by_dimension[dimensions[item]].append(gap)
    dimension_gaps = {name: (float(np.mean(gaps)) if gaps else None) for name, gaps in by_dimension.items()}
    present = [gap for gap in dimension_gaps.values() if gap is not None]
    return ServqualGaps(items, dimension_gaps, float(np.mean(present)) if present else None)
