"""Did a change work? Segmented (interrupted time series) regression on the periods around it.

    y_t = b0 + b1 t + b2 D_t + b3 (t - t0) D_t + e_t,   D_t = 1 from the first period after the change

The effect is the after periods' average distance from the line the before periods were on (the trend before the
change carried on), b2 + b3 * mean(t - t0 | after), with a 95% interval from Newey-West standard errors (one lag:
monthly figures drift together). A naive before/after difference would credit the change with a trend that was
already under way; this does not.

Arrays in, a dataclass out: no Django here.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

MIN_BEFORE = 4  # periods before the change needed to know its trend
MIN_AFTER = 3  # periods after the change needed to say anything
HORIZON = 12  # further periods worth waiting for; beyond this an undetected effect is "no detectable effect"
Z_95 = 1.959963984540054
Z_80_POWER = 0.8416212335729143

WORKED = "worked"
WORSE = "worse"
NO_EFFECT = "no_effect"
TOO_EARLY = "too_early"


@dataclass(frozen=True)
class Effect:
    verdict: str  # worked, worse, no_effect, too_early
    periods_before: int
    periods_after: int
    before_mean: float | None
    after_mean: float | None
    effect: float | None = None  # after periods minus where the earlier trend would have put them
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    periods_needed: int = 0  # more periods after the change before the test can tell, when too early

    @property
    def naive_change(self) -> float | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def segmented_effect(
    values: Sequence[float | None],
    change_at: int,
    *,
    higher_is_better: bool = True,
    weights: Sequence[float] | None = None,
) -> Effect:
    """`values` per period in time order (None for a period without data); `change_at` is the index of the first
    period after the change. `weights` (such as each period's count) weight the fit when given."""
    rows = [
        (index, float(value), float(weights[index]) if weights is not None else 1.0)
        for index, value in enumerate(values)
        if value is not None and not math.isnan(value)
    ]
    before = [value for index, value, _w in rows if index < change_at]
    after = [value for index, value, _w in rows if index >= change_at]
    base = {
        "periods_before": len(before),
        "periods_after": len(after),
        "before_mean": _mean(before),
        "after_mean": _mean(after),
    }
    if len(before) < MIN_BEFORE or len(after) < MIN_AFTER:
        needed = max(MIN_AFTER - len(after), 0) + max(MIN_BEFORE - len(before), 0)
        return Effect(TOO_EARLY, periods_needed=max(needed, 1), **base)  # type: ignore[arg-type]
    t = np.array([index for index, _v, _w in rows], dtype=float)
    y = np.array([value for _i, value, _w in rows])
    w = np.array([weight for _i, _v, weight in rows])
    after_flag = (t >= change_at).astype(float)
    since = (t - change_at) * after_flag
    design = sm.add_constant(np.column_stack([t, after_flag, since]))
    fit = sm.WLS(y, design, weights=w / w.mean()).fit(cov_type="HAC", cov_kwds={"maxlags": 1})
    contrast = np.array([0.0, 0.0, 1.0, float(np.mean(since[after_flag == 1]))])
    effect = float(contrast @ fit.params)
    se = float(math.sqrt(max(contrast @ fit.cov_params() @ contrast, 0.0)))
    p_value = (0.0 if effect else 1.0) if se == 0.0 else float(2 * (1 - _normal_cdf(abs(effect) / se)))
    low, high = effect - Z_95 * se, effect + Z_95 * se
    found = {**base, "effect": effect, "ci_low": low, "ci_high": high, "p_value": p_value}
    if p_value < 0.05:
        better = effect > 0 if higher_is_better else effect < 0
        return Effect(WORKED if better else WORSE, **found)  # type: ignore[arg-type]
    wait = _periods_needed(effect, se, len(after))
    if wait is not None and wait <= HORIZON:
        return Effect(TOO_EARLY, periods_needed=wait, **found)  # type: ignore[arg-type]
    return Effect(NO_EFFECT, **found)  # type: ignore[arg-type]


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _periods_needed(effect: float, se: float, after: int) -> int | None:
    """More periods after the change for an effect this large to be found 4 times in 5 (the standard error
    shrinks roughly with the square root of the periods after the change); None when it never would."""
    if effect == 0 or se == 0:
        return None
    total = after * ((Z_95 + Z_80_POWER) * se / abs(effect)) ** 2
    return max(math.ceil(total) - after, 1)
