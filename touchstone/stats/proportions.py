"""Simple-random-sample proportions and the customer-experience scores built on them.

Wilson score intervals, top-2-box, Net Promoter Score with its multinomial standard error, the ACSI-style 0-100
index and A-11 driver percentages.  When there is nothing to estimate (no responses) the result carries
`value=None` and a `reason` instead of NaN, so a report can say why a cell is blank.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

NO_RESPONSES = "no responses"


@dataclass(frozen=True)
class Proportion:
    """A share with its Wilson score interval; `value` is None (with a `reason`) when n is zero."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    count: int
    n: int
    reason: str | None = None


@dataclass(frozen=True)
class NetPromoterScore:
    """NPS on the -100..100 scale with its standard error and a normal interval; None when nobody answered."""

    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    promoters: int
    passives: int
    detractors: int
    n: int
    reason: str | None = None


# A few levels, each asked for once per interval: scipy's ppf costs more than the interval itself.
@functools.lru_cache(maxsize=64)
def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (got {level}).")
    return float(scipy_stats.norm.ppf(1 - (1 - level) / 2))


def wilson_interval(count: int, n: int, *, level: float = 0.95) -> Proportion:
    """Share count/n with the Wilson score interval, which stays inside [0, 1] and behaves at 0 and n."""
    if count < 0 or n < 0 or count > n:
        raise ValueError(f"count must be between 0 and n (got count={count}, n={n}).")
    if n == 0:
        return Proportion(None, None, None, 0, 0, NO_RESPONSES)
    z = _z(level)
    share = count / n
    denominator = 1 + z**2 / n
    centre = (share + z**2 / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / denominator
    return Proportion(share, max(0.0, centre - half), min(1.0, centre + half), count, n)


def _answered(ratings: npt.ArrayLike) -> npt.NDArray[np.float64]:
    values = np.asarray(ratings, dtype=np.float64).ravel()
    return values[~np.isnan(values)]


def top_box(ratings: npt.ArrayLike, *, scale_max: int = 5, boxes: int = 2, level: float = 0.95) -> Proportion:
    """Share of answers in the top `boxes` points of a 1..scale_max scale (top-2-box by default); NaN = skipped."""
    values = _answered(ratings)
    count = int(np.count_nonzero(values > scale_max - boxes))
    return wilson_interval(count, int(values.size), level=level)


def net_promoter_score(scores: npt.ArrayLike, *, level: float = 0.95) -> NetPromoterScore:
    """NPS = % promoters (9-10) - % detractors (0-6) of 0-10 answers, with its multinomial standard error.

    Var(p_promoters - p_detractors) = (p_P + p_D - (p_P - p_D)^2) / n; the interval is normal, clipped to
    [-100, 100].
    """
    values = _answered(scores)
    if np.any((values < 0) | (values > 10)):
        raise ValueError("NPS answers must be on the 0-10 scale.")
    n = int(values.size)
    promoters = int(np.count_nonzero(values >= 9))
    detractors = int(np.count_nonzero(values <= 6))
    passives = n - promoters - detractors
    if n == 0:
        return NetPromoterScore(None, None, None, None, 0, 0, 0, 0, NO_RESPONSES)
    p_promoters, p_detractors = promoters / n, detractors / n
    score = p_promoters - p_detractors
    se = math.sqrt(max(0.0, p_promoters + p_detractors - score**2) / n)
    half = _z(level) * se
    return NetPromoterScore(
        100 * score,
        100 * se,
        max(-100.0, 100 * (score - half)),
        min(100.0, 100 * (score + half)),
        promoters,
        passives,
        detractors,
        n,
    )


def acsi_index(
    x1: npt.ArrayLike,
    x2: npt.ArrayLike,
    x3: npt.ArrayLike,
    *,
    weights: Sequence[float] = (1 / 3, 1 / 3, 1 / 3),
) -> npt.NDArray[np.float64]:
    """ACSI-style 0-100 scores from three 1-10 items: ((x1-1)w1 + (x2-1)w2 + (x3-1)w3) / 9 * 100.

    Works element-wise (one score per respondent, or per mean rating); the weights must sum to 1.
    """
    if len(weights) != 3 or not math.isclose(sum(weights), 1.0, abs_tol=1e-9):
        raise ValueError(f"ACSI needs three weights summing to 1 (got {tuple(weights)}).")
    items = [np.asarray(x, dtype=np.float64) for x in (x1, x2, x3)]
    for item in items:
        if np.any((item < 1) | (item > 10)):
            raise ValueError("ACSI items must be on the 1-10 scale.")
    combined = sum((item - 1) * w for item, w in zip(items, weights, strict=True))
    return np.asarray(combined / 9 * 100, dtype=np.float64)


def a11_driver_percentages(
    responses: Mapping[str, npt.ArrayLike], *, level: float = 0.95
) -> dict[str, Proportion]:
    """Share agreeing (4 or 5 on a 1-5 scale) for each A-11 driver (trust, ease, efficiency, ...), with Wilson CIs."""
    return {
        driver: top_box(ratings, scale_max=5, boxes=2, level=level) for driver, ratings in responses.items()
    }
