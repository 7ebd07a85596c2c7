"""Weighting adjustments: post-stratification, raking, trimming, and the design effect of weighting.

Calibrated weights reproduce known population counts (e.g. channel x segment counts from transaction data).
Standard errors after calibration account for it as R's `survey` package does: `poststratify` records the
post-strata so the variance uses residuals from the post-stratum means (R's `postStratify`), and `rake` records
the margins so the variance uses residuals from a regression on the margin indicators, computed as R's
`svyrecvar` does for `rake()` designs (ten sweeps of alternating projections onto the margins).  Replicate
designs are recalibrated column by column, as R's methods for `svyrep.design` do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from touchstone.stats.design import (
    FloatArray,
    IntArray,
    SurveyDesign,
    category_codes,
    category_labels,
    group_sums,
)
from touchstone.stats.replicates import ReplicateDesign


@dataclass(frozen=True)
class Margin:
    """A calibration target: each row's category for `name`, and the population total of every category."""

    name: str
    categories: npt.ArrayLike
    totals: Mapping[Any, float]


@dataclass(frozen=True)
class RakingResult:
    """Raked weights (n, or n x R for replicate columns), the sweeps taken, and the largest relative gap left."""

    weights: FloatArray
    iterations: int
    max_relative_gap: float


@dataclass(frozen=True)
class TrimResult:
    """Trimmed weights, how many rows hit a bound, and the sweeps taken to settle within the bounds."""

    weights: FloatArray
    trimmed: int
    iterations: int


@dataclass(frozen=True)
class PostStratumAdjustment:
    """Variance step for post-stratification: subtract post-stratum means of the influence values (R)."""

    codes: IntArray
    weights: FloatArray
    old_weights: FloatArray

    def residualise(self, influence: FloatArray) -> FloatArray:
        """R's `svyrecvar` for `postStratify`: x - w * (old-weighted mean of x / w within the post-stratum)."""
        weights = np.where((self.weights == 0) & (self.old_weights == 0), 1.0, self.weights)
        groups = int(self.codes.max()) + 1
        sums = group_sums(self.codes, influence * (self.old_weights / weights)[:, None], groups)
        old_totals = np.bincount(self.codes, weights=self.old_weights, minlength=groups)
        means = sums / np.where(old_totals == 0, 1.0, old_totals)[:, None]
        return influence - means[self.codes] * weights[:, None]


@dataclass(frozen=True)
class RakingAdjustment:
    """Variance step for raking: residuals of influence / w regressed on the margin indicators (R's method)."""

    margins: tuple[IntArray, ...]
    weights: FloatArray
    sweeps: int = 10

    divisor: FloatArray = field(init=False)
    cells: IntArray | None = field(init=False)
    levels: tuple[IntArray, ...] = field(init=False)
    sizes: tuple[int, ...] = field(init=False)
    counts: tuple[FloatArray, ...] = field(init=False)
    crossed: tuple[tuple[FloatArray, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        # Worked out once per raked design: the sweeps run on cells of the margins' cross-classification (or on
        # the rows when there are too many cells), so each estimate costs one pass over the rows.
        sizes = tuple(int(codes.max(initial=-1)) + 1 for codes in self.margins)
        joint = joint_cells(self.margins, sizes)
        if joint is None:
            cells, levels, cell_counts = None, self.margins, np.ones(self.weights.shape[0])
        else:
            cells, levels = joint
            cell_counts = np.bincount(cells, minlength=levels[0].shape[0]).astype(np.float64)
        pairs = list(zip(levels, sizes, strict=True))
        object.__setattr__(self, "divisor", np.where(self.weights == 0, 1.0, self.weights))
        object.__setattr__(self, "cells", cells)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(
            self,
            "counts",
            tuple(np.maximum(np.bincount(c, weights=cell_counts, minlength=s), 1) for c, s in pairs),
        )
        object.__setattr__(
            self,
            "crossed",
            tuple(tuple(_crosstab(a, b, sa, sb, cell_counts) for b, sb in pairs) for a, sa in pairs),
        )

    def residualise(self, influence: FloatArray) -> FloatArray:
        """Alternating projections onto each margin's category means, `sweeps` times, as R's `svyrecvar`.

        Each projection subtracts a per-category constant, so the sweeps run on the margins' category sums and
        their cross-tabulated counts (a few numbers), then the constants are taken off the rows once: the same
        residuals as sweeping over every row.
        """
        weights = self.divisor[:, None]
        unit = influence / weights
        per_cell = unit if self.cells is None else group_sums(self.cells, unit, self.levels[0].shape[0])
        sums = [
            group_sums(codes, per_cell, size) for codes, size in zip(self.levels, self.sizes, strict=True)
        ]
        shifts = [np.zeros((size, unit.shape[1])) for size in self.sizes]
        for _ in range(self.sweeps):
            for m, count in enumerate(self.counts):
                # What margin m's category sums are after the shifts so far: sums_m - sum_l N_ml shift_l.
                left = sums[m] - sum(
                    (cross @ shift for cross, shift in zip(self.crossed[m], shifts, strict=True)),
                    start=np.zeros_like(sums[m]),
                )
                shifts[m] = shifts[m] + left / count[:, None]
        cell_shift = sum(
            (shift[codes] for codes, shift in zip(self.levels, shifts, strict=True)),
            start=np.zeros_like(per_cell),
        )
        return (unit - (cell_shift if self.cells is None else cell_shift[self.cells])) * weights


MOST_CELLS = 100_000


def joint_cells(
    margins: Sequence[IntArray], sizes: Sequence[int]
) -> tuple[IntArray, tuple[IntArray, ...]] | None:
    """Each row's cell in the margins' cross-classification, and each cell's category in every margin; None when
    there would be more than MOST_CELLS cells (then working on the rows is no dearer)."""
    if not margins or math.prod(sizes) > MOST_CELLS:
        return None
    cells = np.zeros(margins[0].shape[0], dtype=np.intp)
    for codes, size in zip(margins, sizes, strict=True):
        cells = cells * size + codes
    levels = np.unravel_index(np.arange(math.prod(sizes)), tuple(sizes))
    return cells, tuple(np.asarray(level, dtype=np.intp) for level in levels)


def _crosstab(first: IntArray, second: IntArray, rows: int, columns: int, counts: FloatArray) -> FloatArray:
    """Counts (summed `counts`) in each (category of `first`, category of `second`) pair."""
    joint = np.bincount(first * columns + second, weights=counts, minlength=rows * columns)
    return joint.reshape(rows, columns)


def _margin_codes(margin: Margin, n: int) -> tuple[IntArray, FloatArray, list[str]]:
    """Codes of each row's category and the aligned population totals, with errors that name the margin."""
    codes, observed = category_codes(margin.categories)
    if codes.shape[0] != n:
        raise ValueError(f"Margin '{margin.name}' has {codes.shape[0]} rows; the weights have {n}.")
    if np.any(codes < 0):
        row = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"Margin '{margin.name}' is missing at row {row}; every respondent needs a category to be weighted."
        )
    totals: dict[str, float] = {}
    for key, value in margin.totals.items():
        label = category_labels(np.array([key], dtype=object))[0]
        if label is None:
            raise ValueError(
                f"Margin '{margin.name}' has a total for a missing category; name every category."
            )
        totals[label] = float(value)
    unknown = [label for label in observed if label not in totals]
    if unknown:
        raise ValueError(
            f"Margin '{margin.name}': category '{unknown[0]}' has respondents but no population total; "
            f"add it to the totals (known categories: {', '.join(sorted(totals))})."
        )
    empty = [label for label, total in totals.items() if label not in observed and total > 0]
    if empty:
        raise ValueError(
            f"Margin '{margin.name}': category '{empty[0]}' has a population total but no respondents; "
            "merge it with a neighbouring category or drop it from the margin."
        )
    negative = [label for label, total in totals.items() if not total >= 0]
    if negative:
        raise ValueError(
            f"Margin '{margin.name}': the total for '{negative[0]}' must be a non-negative number."
        )
    targets = np.array([totals[label] for label in observed])
    return codes, targets, observed


def _category_sums(codes: IntArray, weights: FloatArray, groups: int) -> FloatArray:
    if weights.ndim == 1:
        return np.bincount(codes, weights=weights, minlength=groups)
    return group_sums(codes, weights, groups)


def _scale_to_targets(
    codes: IntArray, weights: FloatArray, targets: FloatArray, name: str, categories: list[str]
) -> FloatArray:
    current = _category_sums(codes, weights, targets.shape[0])
    if np.any(current <= 0):
        position = np.argwhere(current <= 0)[0]
        raise ValueError(
            f"Margin '{name}': category '{categories[int(position[0])]}' has no weight left to scale "
            "(its respondents all have weight zero, or a replicate removed them all); merge it with a neighbour."
        )
    factor = targets / current if weights.ndim == 1 else targets[:, None] / current
    if weights.ndim == 1:
        return weights * factor[codes]
    return weights * factor[codes]


def poststratify_weights(
    weights: npt.ArrayLike,
    categories: npt.ArrayLike,
    totals: Mapping[Any, float],
    *,
    name: str = "post-stratum",
) -> FloatArray:
    """Scale weights within each post-stratum so they sum to its population total (n, or n x R columns)."""
    array = np.asarray(weights, dtype=np.float64)
    codes, targets, observed = _margin_codes(Margin(name, categories, totals), array.shape[0])
    return _scale_to_targets(codes, array, targets, name, observed)


def rake_weights(
    weights: npt.ArrayLike, margins: Sequence[Margin], *, tol: float = 1e-7, max_iter: int = 100
) -> RakingResult:
    """Iterative proportional fitting of weights (n, or n x R columns) to every margin's population totals.

    Stops when every margin is within `tol` (relative) of its totals; raises ValueError naming the margin that is
    furthest off if `max_iter` sweeps are not enough, and when margins' totals disagree with each other.
    """
    array = np.asarray(weights, dtype=np.float64)
    if not margins:
        raise ValueError("Raking needs at least one margin.")
    prepared = [(m.name, *_margin_codes(m, array.shape[0])) for m in margins]
    return _rake_prepared(array, prepared, tol, max_iter)


_Prepared = tuple[str, IntArray, FloatArray, list[str]]


def _rake_prepared(
    array: FloatArray, prepared: Sequence[_Prepared], tol: float, max_iter: int
) -> RakingResult:
    _check_margin_totals_agree(prepared)
    if array.ndim == 1:
        # Raking scales whole cells of the margins' cross-classification, so rake the cells' weight totals
        # (a few numbers) and scale the rows once at the end: the same weights, one pass over the rows.
        joint = joint_cells([codes for _, codes, _, _ in prepared], [t.shape[0] for _, _, t, _ in prepared])
        if joint is not None:
            cells, levels = joint
            base = np.bincount(cells, weights=array, minlength=levels[0].shape[0])
            raked = _rake_rows(
                base,
                [(name, level, t, c) for (name, _, t, c), level in zip(prepared, levels, strict=True)],
                tol,
                max_iter,
            )
            factor = np.divide(raked.weights, base, out=np.zeros_like(base), where=base > 0)
            return RakingResult(array * factor[cells], raked.iterations, raked.max_relative_gap)
    return _rake_rows(array, prepared, tol, max_iter)


def _rake_rows(array: FloatArray, prepared: Sequence[_Prepared], tol: float, max_iter: int) -> RakingResult:
    gaps = [math.inf]
    for iteration in range(1, max_iter + 1):
        for name, codes, targets, categories in prepared:
            array = _scale_to_targets(codes, array, targets, name, categories)
        gaps = [_relative_gap(codes, array, targets) for _, codes, targets, _ in prepared]
        if max(gaps) <= tol:
            return RakingResult(array, iteration, max(gaps))
    worst = prepared[int(np.argmax(gaps))][0]
    raise ValueError(
        f"Raking did not converge in {max_iter} sweeps: margin '{worst}' is still {max(gaps):.2g} (relative) from "
        "its totals. Collapse sparse categories or raise max_iter."
    )


def _relative_gap(codes: IntArray, weights: FloatArray, targets: FloatArray) -> float:
    current = _category_sums(codes, weights, targets.shape[0])
    scale = targets if weights.ndim == 1 else targets[:, None]
    return float(np.max(np.abs(current - scale) / np.maximum(scale, 1e-300)))


def _check_margin_totals_agree(prepared: Sequence[_Prepared]) -> None:
    first_name, _, first_targets, _ = prepared[0]
    first_sum = float(first_targets.sum())
    for name, _, targets, _ in prepared[1:]:
        other = float(targets.sum())
        if not math.isclose(other, first_sum, rel_tol=1e-6):
            raise ValueError(
                f"Margin totals disagree: '{first_name}' sums to {first_sum:g} but '{name}' sums to {other:g}; "
                "every margin must describe the same population."
            )


@overload
def poststratify(
    design: SurveyDesign, categories: npt.ArrayLike, totals: Mapping[Any, float], *, name: str = ...
) -> SurveyDesign: ...


@overload
def poststratify(
    design: ReplicateDesign, categories: npt.ArrayLike, totals: Mapping[Any, float], *, name: str = ...
) -> ReplicateDesign: ...


def poststratify(
    design: SurveyDesign | ReplicateDesign,
    categories: npt.ArrayLike,
    totals: Mapping[Any, float],
    *,
    name: str = "post-stratum",
) -> SurveyDesign | ReplicateDesign:
    """Post-stratify a design to known population counts (R's `postStratify`), keeping SEs honest."""
    codes, targets, observed = _margin_codes(Margin(name, categories, totals), design.n)
    if isinstance(design, ReplicateDesign):
        return design.with_weights(
            _scale_to_targets(codes, design.weights, targets, name, observed),
            _scale_to_targets(codes, design.replicate_weights, targets, name, observed),
        )
    new_weights = _scale_to_targets(codes, design.weights, targets, name, observed)
    step = PostStratumAdjustment(codes, new_weights, design.weights)
    return design.with_weights(new_weights, (*design.adjustments, step))


@overload
def rake(
    design: SurveyDesign, margins: Sequence[Margin], *, tol: float = ..., max_iter: int = ...
) -> SurveyDesign: ...


@overload
def rake(
    design: ReplicateDesign, margins: Sequence[Margin], *, tol: float = ..., max_iter: int = ...
) -> ReplicateDesign: ...


def rake(
    design: SurveyDesign | ReplicateDesign,
    margins: Sequence[Margin],
    *,
    tol: float = 1e-7,
    max_iter: int = 100,
) -> SurveyDesign | ReplicateDesign:
    """Rake a design to known margin totals (R's `rake`), keeping SEs honest."""
    prepared = [(m.name, *_margin_codes(m, design.n)) for m in margins]
    if not prepared:
        raise ValueError("Raking needs at least one margin.")
    if isinstance(design, ReplicateDesign):
        full = _rake_prepared(design.weights, prepared, tol, max_iter)
        columns = _rake_prepared(design.replicate_weights, prepared, tol, max_iter)
        return design.with_weights(full.weights, columns.weights)
    result = _rake_prepared(design.weights, prepared, tol, max_iter)
    step = RakingAdjustment(tuple(codes for _, codes, _, _ in prepared), result.weights)
    return design.with_weights(result.weights, (*design.adjustments, step))


def trim_weights(
    weights: npt.ArrayLike,
    *,
    lower: float | None = None,
    upper: float | None = None,
    redistribute: bool = True,
    max_iter: int = 50,
) -> TrimResult:
    """Clip weights to [lower, upper]; by default spread the amount cut (or added) over the untrimmed weights.

    Redistribution keeps the sum of weights (the population size) unchanged; it repeats until no weight leaves
    the bounds, since spreading the excess can push another weight over.
    """
    array = np.asarray(weights, dtype=np.float64).copy()
    low = -math.inf if lower is None else lower
    high = math.inf if upper is None else upper
    if low > high:
        raise ValueError(f"lower bound {lower} is above upper bound {upper}.")
    total = float(array.sum())
    if redistribute and (low * array.size > total or high * array.size < total):
        raise ValueError(
            f"Bounds [{lower}, {upper}] cannot hold {array.size} weights summing to {total:g}; widen them."
        )
    fixed = np.zeros(array.shape, dtype=bool)
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        outside = (array < low - 1e-12) | (array > high + 1e-12)
        if not outside.any():
            break
        fixed |= outside
        array = np.clip(array, low, high)
        if not redistribute:
            break
        free = ~fixed
        excess = total - float(array.sum())
        free_sum = float(array[free].sum())
        if free_sum <= 0:
            break
        array[free] *= 1 + excess / free_sum
    return TrimResult(array, int(fixed.sum()), iterations)


def kish_design_effect(weights: npt.ArrayLike) -> float:
    """Kish's design effect from unequal weighting: n * sum(w^2) / sum(w)^2 (1 means equal weights)."""
    array = np.asarray(weights, dtype=np.float64)
    total = float(array.sum())
    if array.size == 0 or total == 0:
        return math.nan
    return float(array.size * np.sum(array**2) / total**2)


def effective_sample_size(weights: npt.ArrayLike) -> float:
    """Kish's effective sample size: sum(w)^2 / sum(w^2), the sample size the weighting leaves you with."""
    array = np.asarray(weights, dtype=np.float64)
    squares = float(np.sum(array**2))
    return float(array.sum() ** 2 / squares) if squares else 0.0
