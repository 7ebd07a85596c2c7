"""Differences between groups (periods, channels, segments) with p-values adjusted for multiple comparisons.

Proportions are compared with the two-sample z test (pooled SE for the test, unpooled for the interval), means
with Welch's t test, and design-based estimates (`Estimate`s from independent samples, e.g. two quarters) with a
z test on their difference.  Holm (family-wise) or Benjamini-Hochberg (false discovery rate) adjustment comes
from statsmodels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests

from touchstone.stats.design import Estimate

Adjustment = Literal["holm", "fdr_bh", "none"]
Pairs = Literal["all", "consecutive"] | Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Comparison:
    """Group b minus group a, with a test of no difference; None where a group has nothing to compare."""

    group_a: str
    group_b: str
    value_a: float | None
    value_b: float | None
    difference: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None = None
    adjustment: str = "none"


def adjust_p_values(p_values: Sequence[float | None], method: Adjustment = "holm") -> list[float | None]:
    """Holm or Benjamini-Hochberg adjusted p-values; None entries are skipped and stay None."""
    if method not in ("holm", "fdr_bh", "none"):
        raise ValueError(f'method must be "holm", "fdr_bh" or "none" (got {method!r}).')
    present = [i for i, p in enumerate(p_values) if p is not None]
    result: list[float | None] = list(p_values)
    if method == "none" or not present:
        return result
    adjusted = multipletests([p_values[i] for i in present], method=method)[1]
    for index, value in zip(present, adjusted, strict=True):
        result[index] = float(value)
    return result


def _pairs(labels: Sequence[str], pairs: Pairs, reference: str | None) -> list[tuple[str, str]]:
    if reference is not None:
        if reference not in labels:
            raise ValueError(f"reference group '{reference}' is not among the groups: {', '.join(labels)}.")
        return [(reference, label) for label in labels if label != reference]
    if pairs == "all":
        return list(itertools.combinations(labels, 2))
    if pairs == "consecutive":
        return list(itertools.pairwise(labels))
    chosen = [tuple(pair) for pair in pairs]
    for a, b in chosen:
        for label in (a, b):
            if label not in labels:
                raise ValueError(f"group '{label}' is not among the groups: {', '.join(labels)}.")
    return [(a, b) for a, b in chosen]


def _finish(comparisons: list[Comparison], adjust: Adjustment) -> list[Comparison]:
    adjusted = adjust_p_values([c.p_value for c in comparisons], adjust)
    return [replace(c, p_adjusted=p, adjustment=adjust) for c, p in zip(comparisons, adjusted, strict=True)]


def _z(level: float) -> float:
    return float(scipy_stats.norm.ppf(1 - (1 - level) / 2))


def compare_proportions(
    groups: Mapping[str, tuple[int, int]],
    *,
    pairs: Pairs = "all",
    reference: str | None = None,
    adjust: Adjustment = "holm",
    level: float = 0.95,
) -> list[Comparison]:
    """Compare shares given as {group: (count, n)}: difference b - a, unpooled CI, pooled two-sided z test."""
    comparisons = []
    for a, b in _pairs(list(groups), pairs, reference):
        (count_a, n_a), (count_b, n_b) = groups[a], groups[b]
        if n_a == 0 or n_b == 0:
            share_a = count_a / n_a if n_a else None
            share_b = count_b / n_b if n_b else None
            comparisons.append(Comparison(a, b, share_a, share_b, None, None, None, None, None))
            continue
        p_a, p_b = count_a / n_a, count_b / n_b
        difference = p_b - p_a
        se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
        pooled = (count_a + count_b) / (n_a + n_b)
        pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        p_value = 1.0 if pooled_se == 0 else float(2 * scipy_stats.norm.sf(abs(difference) / pooled_se))
        half = _z(level) * se
        comparisons.append(
            Comparison(a, b, p_a, p_b, difference, se, difference - half, difference + half, p_value)
        )
    return _finish(comparisons, adjust)


def compare_means(
    groups: Mapping[str, npt.ArrayLike],
    *,
    pairs: Pairs = "all",
    reference: str | None = None,
    adjust: Adjustment = "holm",
    level: float = 0.95,
) -> list[Comparison]:
    """Compare group means of raw values with Welch's t test (unequal variances); NaN values are skipped."""
    cleaned = {}
    for label, values in groups.items():
        array = np.asarray(values, dtype=np.float64)
        cleaned[label] = array[~np.isnan(array)]
    comparisons = []
    for a, b in _pairs(list(groups), pairs, reference):
        x, y = cleaned[a], cleaned[b]
        mean_a = float(x.mean()) if x.size else None
        mean_b = float(y.mean()) if y.size else None
        if x.size < 2 or y.size < 2:
            comparisons.append(Comparison(a, b, mean_a, mean_b, None, None, None, None, None))
            continue
        assert mean_a is not None and mean_b is not None
        var_a, var_b = float(x.var(ddof=1)) / x.size, float(y.var(ddof=1)) / y.size
        se = math.sqrt(var_a + var_b)
        difference = mean_b - mean_a
        if se == 0:
            comparisons.append(
                Comparison(
                    a,
                    b,
                    mean_a,
                    mean_b,
                    difference,
                    0.0,
                    difference,
                    difference,
                    1.0 if difference == 0 else 0.0,
                )
            )
            continue
        df = (var_a + var_b) ** 2 / (var_a**2 / (x.size - 1) + var_b**2 / (y.size - 1))
        p_value = float(2 * scipy_stats.t.sf(abs(difference) / se, df))
        half = float(scipy_stats.t.ppf(1 - (1 - level) / 2, df)) * se
        comparisons.append(
            Comparison(a, b, mean_a, mean_b, difference, se, difference - half, difference + half, p_value)
        )
    return _finish(comparisons, adjust)


def compare_estimates(
    groups: Mapping[str, Estimate],
    *,
    pairs: Pairs = "all",
    reference: str | None = None,
    adjust: Adjustment = "holm",
    level: float = 0.95,
) -> list[Comparison]:
    """Compare design-based estimates from independent samples: z test on b - a with SE sqrt(se_a^2 + se_b^2)."""
    comparisons = []
    for a, b in _pairs(list(groups), pairs, reference):
        first, second = groups[a], groups[b]
        difference = second.value - first.value
        se = math.sqrt(first.se**2 + second.se**2)
        if not math.isfinite(se):
            comparisons.append(
                Comparison(a, b, first.value, second.value, difference, None, None, None, None)
            )
            continue
        p_value = (
            (1.0 if difference == 0 else 0.0)
            if se == 0
            else float(2 * scipy_stats.norm.sf(abs(difference) / se))
        )
        half = _z(level) * se
        comparisons.append(
            Comparison(
                a, b, first.value, second.value, difference, se, difference - half, difference + half, p_value
            )
        )
    return _finish(comparisons, adjust)
