"""Agency figures beside benchmarks: one scale, the gap, its interval, and whether it is more than noise.

Numbers in, dataclasses out; no Django. Every conversion onto the common scale (a share from 0 to 1) is linear and
says how it was made, so a person can check it by hand:

- a 0-100 index (ACSI, a standard's percentage) is divided by 100;
- a 5-point mean is mapped with (mean - 1) / 4, so 1 is 0 and 5 is 1;
- a share is kept as it is.

Standard errors convert with the same slope. A gap's standard error is sqrt(se_agency² + se_benchmark²): the two
estimates are independent samples. When the benchmark's own uncertainty is not published it counts as zero, and
the result says so.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054

SCALES = {
    "index_100": (0.01, 0.0, "value ÷ 100"),
    "five_point": (0.25, -0.25, "(mean − 1) ÷ 4"),
    "share": (1.0, 0.0, "as published"),
}


def to_common(value: float, scale: str) -> float:
    """A value on its published scale, as a share from 0 to 1."""
    slope, intercept, _method = SCALES[scale]
    return value * slope + intercept


def se_to_common(se: float | None, scale: str) -> float | None:
    if se is None:
        return None
    return abs(se * SCALES[scale][0])


def conversion_method(scale: str) -> str:
    return SCALES[scale][2]


def se_from_interval(low: float | None, high: float | None) -> float | None:
    """The standard error behind a 95% interval (symmetric approximation)."""
    if low is None or high is None:
        return None
    return max(high - low, 0.0) / (2 * Z95)


@dataclass(frozen=True)
class Gap:
    value: float
    benchmark: float
    gap: float  # value − benchmark, positive when the agency is ahead (for measures where higher is better)
    se: float | None
    low: float | None
    high: float | None
    significant: bool | None  # None when no standard error is known on either side
    benchmark_uncertainty_known: bool

    @property
    def verdict(self) -> str:
        if self.significant is None:
            return "unknown"
        if not self.significant:
            return "within_noise"
        return "ahead" if self.gap > 0 else "behind"


def gap(
    value: float,
    value_se: float | None,
    benchmark: float,
    benchmark_se: float | None,
    higher_is_better: bool = True,
) -> Gap:
    """The gap between an agency's figure and a benchmark with its 95% interval; significant when the interval
    leaves out zero. For measures where lower is better (days to answer), the gap is benchmark − value, so a
    positive gap still means the agency is ahead."""
    difference = value - benchmark if higher_is_better else benchmark - value
    parts = [s for s in (value_se, benchmark_se) if s is not None]
    if not parts:
        return Gap(value, benchmark, difference, None, None, None, None, benchmark_se is not None)
    se = math.sqrt(sum(s * s for s in parts))
    low, high = difference - Z95 * se, difference + Z95 * se
    significant = se > 0 and (low > 0 or high < 0)
    if se == 0:
        significant = difference != 0
    return Gap(value, benchmark, difference, se, low, high, significant, benchmark_se is not None)


def best(values: Sequence[tuple[int, float]], higher_is_better: bool = True) -> int | None:
    """The index of the best benchmark among (index, value) pairs on one scale."""
    if not values:
        return None
    chosen = (
        max(values, key=lambda pair: pair[1]) if higher_is_better else min(values, key=lambda pair: pair[1])
    )
    return chosen[0]


@dataclass(frozen=True)
class Ranked:
    key: str
    value: float
    se: float | None
    rank: int
    tied_with_next: bool  # the difference to the next one down is within noise (95%)


def rank_with_noise(items: Sequence[tuple[str, float, float | None]]) -> list[Ranked]:
    """Items (key, value, se) ranked best first; each says whether its lead over the next is within noise.

    Two neighbours whose difference's 95% interval includes zero share a rank, so a ranking never claims an
    order the data cannot support. An unknown standard error counts as zero (the order then stands as measured)."""
    ordered = sorted(items, key=lambda item: -item[1])
    out: list[Ranked] = []
    rank = 1
    for i, (key, value, se) in enumerate(ordered):
        if i > 0 and not out[-1].tied_with_next:
            rank = i + 1
        tied = False
        if i + 1 < len(ordered):
            _next_key, next_value, next_se = ordered[i + 1]
            spread = math.sqrt((se or 0.0) ** 2 + (next_se or 0.0) ** 2)
            tied = spread > 0 and abs(value - next_value) < Z95 * spread
        out.append(Ranked(key, value, se, rank, tied))
    return out


@dataclass(frozen=True)
class Priority:
    key: str
    shortfall: float  # how far behind the benchmark, on the common scale (0 when ahead)
    volume: float  # customers a year
    importance: float  # the driver's share of explained satisfaction, 0-1 (1 when unknown)
    score: float  # customers a year who would be reached: shortfall × volume × importance


def priorities(items: Sequence[tuple[str, float, float, float]]) -> list[Priority]:
    """(key, gap, volume, importance) ranked by shortfall × volume × importance, largest first.

    A service ahead of its benchmark has no shortfall and scores zero: effort there helps fewer customers."""
    out = [
        Priority(key, max(-gap_value, 0.0), volume, importance, max(-gap_value, 0.0) * volume * importance)
        for key, gap_value, volume, importance in items
    ]
    return sorted(out, key=lambda p: (-p.score, p.key))


def _letter(index: int) -> str:
    """a, b, ..., z, aa, ab, ...: the name of the index-th noise group."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(ord("a") + remainder) + name
    return name


def within_noise(first: tuple[float, float | None], second: tuple[float, float | None]) -> bool:
    """Whether two (value, se) differ by less than the 95% margin of their difference (unknown se counts as 0)."""
    spread = math.sqrt((first[1] or 0.0) ** 2 + (second[1] or 0.0) ** 2)
    return abs(first[0] - second[0]) < Z95 * spread


def noise_groups(items: Sequence[tuple[str, float, float | None]]) -> dict[str, str]:
    """A compact letter display of items (key, value, se), best first: each key's letters, "a" the best group.

    Items are sorted best first; a group is a longest run of neighbours in which every pair is within noise of
    each other (the 95% interval of their difference includes zero), and each run not inside an earlier one gets
    the next letter. Two items sharing a letter are within noise of each other; an item alone in its letter stands
    apart from the rest.

    Every pair is tested at once (numpy, the same arithmetic as `within_noise`); then reach[j], the first item
    that j is within noise of together with everything between them, tells where each run ends: the run from
    `start` takes items while their reach goes back to `start` or further."""
    ordered = sorted(items, key=lambda item: -item[1])
    letters: dict[str, str] = {key: "" for key, _value, _se in ordered}
    count = len(ordered)
    if not count:
        return letters
    values = np.array([value for _key, value, _se in ordered], dtype=np.float64)
    squares = np.array([(se or 0.0) ** 2 for _key, _value, se in ordered], dtype=np.float64)
    apart = ~(np.abs(values[:, None] - values[None, :]) < Z95 * np.sqrt(squares[:, None] + squares[None, :]))
    # Only pairs k < j count for reach[j]: the last k above j that is apart from j, plus one (0 when none is).
    apart &= np.triu(np.ones((count, count), dtype=bool), k=1)
    last_apart = count - 1 - np.argmax(apart[::-1, :], axis=0)
    reach = np.where(apart.any(axis=0), last_apart + 1, 0).tolist()
    end_of_last = -1
    group = 0
    end = -1
    for start in range(count):
        # The previous run minus its first item is still pairwise within noise: extend from where it ended.
        end = max(start, end)
        while end + 1 < count and reach[end + 1] <= start:
            end += 1
        if end <= end_of_last:
            continue  # inside the run before it: no new group
        name = _letter(group)
        group += 1
        for k in range(start, end + 1):
            letters[ordered[k][0]] += name
        end_of_last = end
    return letters
