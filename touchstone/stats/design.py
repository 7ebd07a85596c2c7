"""Complex survey designs and their Taylor-linearised estimators.

`SurveyDesign` is built from plain arrays (weights, strata, one or two stages of cluster ids, finite population
corrections) and estimates means, totals, proportions, ratios and quantiles with standard errors that match R's
`survey` package (`svydesign`, `svymean`, `svytotal`, `svyratio`, `svyquantile`), so results can be checked
against R alone.  Variances are computed the way `survey:::svyrecvar` does: with-replacement between primary
sampling units (PSUs) within strata, the finite population correction applied per stage, and later stages added
for multistage designs when their fpc is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
LonelyPSU = Literal["fail", "adjust", "certainty", "remove"]
Interval = Literal["t", "normal"]

LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "adjust", "certainty", "remove")


@dataclass(frozen=True)
class Estimate:
    """One estimate with its standard error and confidence interval.

    `df` is the degrees of freedom behind the interval (`math.inf` for a normal interval); `deff` is the design
    effect against simple random sampling without replacement where it is defined, else None; `n` is the number
    of observations that contributed.
    """

    value: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    deff: float | None
    n: int


class VarianceAdjustment(Protocol):
    """A calibration step that replaces influence values by residuals before the design variance is taken."""

    def residualise(self, influence: FloatArray) -> FloatArray:
        """Return the residuals of `influence` (n x k) that the calibration leaves random."""
        ...


def critical_value(level: float, df: float) -> float:
    """The two-sided critical value for a `level` interval: t with `df` degrees of freedom, normal if infinite."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (got {level}); use e.g. 0.95 for a 95% interval.")
    upper = 1 - (1 - level) / 2
    if math.isinf(df):
        return float(scipy_stats.norm.ppf(upper))
    if df <= 0:
        return math.nan
    return float(scipy_stats.t.ppf(upper, df))


def make_estimate(
    value: float, variance: float, *, df: float, level: float, deff: float | None, n: int
) -> Estimate:
    """Assemble an `Estimate` with a symmetric interval from a value and its variance."""
    se = math.sqrt(variance) if variance >= 0 else math.nan
    half_width = critical_value(level, df) * se
    return Estimate(
        value=float(value),
        se=float(se),
        ci_low=float(value - half_width),
        ci_high=float(value + half_width),
        df=float(df),
        deff=deff,
        n=int(n),
    )


def as_codes(values: npt.ArrayLike, name: str) -> IntArray:
    """Turn labels (numbers or strings) into integer codes 0..k-1, refusing missing labels."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (got shape {array.shape}).")
    if array.dtype.kind == "f" and np.isnan(array).any():
        row = int(np.flatnonzero(np.isnan(array))[0])
        raise ValueError(f"{name} is missing at row {row}; every row needs a value.")
    if array.dtype == object:
        missing = [i for i, v in enumerate(array) if v is None or (isinstance(v, float) and math.isnan(v))]
        if missing:
            raise ValueError(f"{name} is missing at row {missing[0]}; every row needs a value.")
        array = array.astype(str)
    _, codes = np.unique(array, return_inverse=True)
    return codes.astype(np.intp)


def combine_codes(first: IntArray, second: IntArray) -> IntArray:
    """Codes of the interaction of two code arrays (R's `interaction()`)."""
    joint = first.astype(np.int64) * (int(second.max(initial=0)) + 1) + second
    _, codes = np.unique(joint, return_inverse=True)
    return codes.astype(np.intp)


def group_sums(codes: IntArray, values: FloatArray, groups: int) -> FloatArray:
    """Sum the rows of `values` (n x k) within each code: R's `rowsum`."""
    out = np.empty((groups, values.shape[1]))
    for column in range(values.shape[1]):
        out[:, column] = np.bincount(codes, weights=values[:, column], minlength=groups)
    return out


def _stage_list(argument: object, n: int, name: str) -> list[npt.NDArray[np.generic]]:
    """Accept one array or a sequence of per-stage arrays; return a list of 1-D arrays of length n."""
    if argument is None:
        return []
    if isinstance(argument, np.ndarray):
        stages = [argument] if argument.ndim == 1 else [argument[:, j] for j in range(argument.shape[1])]
    elif isinstance(argument, Sequence) and not isinstance(argument, str) and len(argument) > 0:
        first = argument[0]
        is_nested = isinstance(first, np.ndarray | Sequence) and not isinstance(first, str)
        stages = [np.asarray(a) for a in argument] if is_nested else [np.asarray(argument)]
    else:
        raise ValueError(f"{name} must be an array or a sequence of per-stage arrays.")
    for stage, array in enumerate(stages, start=1):
        if array.shape != (n,):
            raise ValueError(f"{name} for stage {stage} has {array.shape[0]} rows; the weights have {n}.")
    if len(stages) > 2:
        raise ValueError(f"{name} gives {len(stages)} stages; one or two stages are supported.")
    return stages


@dataclass(frozen=True)
class _Stage:
    """One sampling stage: per-row stratum and cluster codes and PSU counts, plus per-PSU facts for variances."""

    strata: IntArray
    clusters: IntArray
    n_clusters: int
    sample_size: FloatArray
    population_size: FloatArray | None
    psu_first_row: IntArray
    psu_stratum: IntArray
    psu_count: FloatArray
    psu_keep: FloatArray
    psu_parent: IntArray
    n_strata: int
    self_representing: npt.NDArray[np.bool_]
    one_psu_per_row: bool  # PSU codes are the row numbers, so PSU totals are the rows themselves
    lonely: npt.NDArray[np.bool_]  # PSUs alone in a stratum that adds variance
    has_lonely: bool


def _first_rows(clusters: IntArray) -> IntArray:
    """Index of the first row of each cluster code."""
    first_row = np.full(int(clusters.max()) + 1, -1, dtype=np.intp)
    first_row[clusters[::-1]] = np.arange(clusters.shape[0])[::-1]
    return first_row


def _make_stage(
    strata: IntArray,
    clusters: IntArray,
    population_size: FloatArray | None,
    parent: IntArray | None,
    *,
    rows_are_psus: bool = False,
) -> _Stage:
    """Work out once what every variance computation needs about a stage (`rows_are_psus`: ids were not given)."""
    n_clusters = int(clusters.max()) + 1
    first_row = clusters if rows_are_psus else _first_rows(clusters)
    psu_stratum = strata[first_row]
    n_strata = int(strata.max()) + 1
    per_stratum = np.bincount(psu_stratum, minlength=n_strata)
    sample_size = per_stratum[strata].astype(np.float64)
    psu_count = per_stratum[psu_stratum].astype(np.float64)
    if population_size is None:
        psu_keep = np.ones(n_clusters)
    else:
        population = population_size[first_row]
        psu_keep = np.where(np.isinf(population), 1.0, (population - psu_count) / population)
    # A stratum whose PSUs were all taken (fpc keeps nothing) adds no variance, as in R.
    self_representing = (
        np.bincount(psu_stratum, weights=(psu_keep >= 1e-7).astype(float), minlength=n_strata) == 0
    )
    lonely = (psu_count == 1) & ~self_representing[psu_stratum]
    return _Stage(
        strata=strata,
        clusters=clusters,
        n_clusters=n_clusters,
        sample_size=sample_size,
        population_size=population_size,
        psu_first_row=first_row,
        psu_stratum=psu_stratum,
        psu_count=psu_count,
        psu_keep=psu_keep,
        psu_parent=np.zeros(n_clusters, dtype=np.intp) if parent is None else parent[first_row],
        n_strata=n_strata,
        self_representing=self_representing,
        one_psu_per_row=rows_are_psus or bool(np.array_equal(clusters, np.arange(clusters.shape[0]))),
        lonely=lonely,
        has_lonely=bool(lonely.any()),
    )


class SharesFromMean:
    """Proportions as means of 0/1 indicators, for any design whose `mean` gives an Estimate: what R does when
    `svymean` meets a factor. Shared by the linearised and the replicate-weight designs."""

    def mean(
        self,
        values: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        raise NotImplementedError

    def proportion(
        self,
        categories: npt.ArrayLike,
        category: object,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted share of rows whose category equals `category`; rows with a missing category are left out."""
        return self.mean(indicator(categories, category), level=level, interval=interval, domain=domain)

    def proportions(
        self,
        categories: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> dict[str, Estimate]:
        """Weighted share of every category, keyed by the category as text (R's `svymean` of a factor)."""
        codes, present = category_codes(categories)
        return {
            label: self.mean(
                np.where(codes < 0, math.nan, (codes == position).astype(np.float64)),
                level=level,
                interval=interval,
                domain=domain,
            )
            for position, label in enumerate(present)
        }


class SurveyDesign(SharesFromMean):
    """A stratified, one- or two-stage cluster sample described by arrays, as R's `svydesign` is.

    weights: sampling weights (1 / inclusion probability); if omitted they are derived from the fpc given as
        population sizes, as R does, or set to 1.
    strata: stratum labels of the first stage (optional).
    ids: cluster ids: one array for a one-stage cluster sample, a sequence of two for a two-stage sample; omitted
        means every row is its own PSU (R's `id=~1`).
    fpc: finite population corrections per stage, each either population sizes (values > 1) or sampling fractions
        (values <= 1), as R accepts both.
    lonely_psu: what to do with a stratum that has a single PSU: "fail" (R's default; raises ValueError),
        "adjust" (centre it at the grand mean), "certainty" or "remove" (it adds no variance).
    nest: relabel cluster ids within strata, for data whose ids repeat across strata (R's `nest=TRUE`).
    adjustments: calibration steps already applied to the weights (set by `touchstone.stats.calibration`).
    """

    def __init__(
        self,
        weights: npt.ArrayLike | None = None,
        *,
        strata: npt.ArrayLike | None = None,
        ids: npt.ArrayLike | Sequence[npt.ArrayLike] | None = None,
        fpc: npt.ArrayLike | Sequence[npt.ArrayLike] | None = None,
        lonely_psu: LonelyPSU = "fail",
        nest: bool = False,
        adjustments: Sequence[VarianceAdjustment] = (),
        n: int | None = None,
    ) -> None:
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(
                f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)} (got {lonely_psu!r})."
            )
        rows = self._row_count(weights, strata, ids, fpc, n)
        id_stages = _stage_list(ids, rows, "ids")
        fpc_stages = _stage_list(fpc, rows, "fpc")
        if fpc_stages and id_stages and len(fpc_stages) != len(id_stages):
            raise ValueError(
                f"fpc is given for {len(fpc_stages)} stage(s) but ids for {len(id_stages)}; "
                "give one fpc per stage of ids, or none."
            )
        if len(fpc_stages) > 1 and not id_stages:
            raise ValueError("fpc is given for two stages but no ids; give ids for both stages.")
        self.lonely_psu: LonelyPSU = lonely_psu
        self.has_strata = strata is not None
        self.stages = self._build_stages(rows, strata, id_stages, fpc_stages, nest)
        self.weights = self._build_weights(weights, rows)
        self.adjustments: tuple[VarianceAdjustment, ...] = tuple(adjustments)

    @staticmethod
    def _row_count(weights: object, strata: object, ids: object, fpc: object, n: int | None) -> int:
        if n is not None:
            return n
        for argument in (weights, strata):
            if argument is not None:
                return len(np.asarray(argument))
        for argument in (ids, fpc):
            if argument is None:
                continue
            if isinstance(argument, np.ndarray):
                return int(argument.shape[0])
            if isinstance(argument, Sequence) and len(argument) > 0:
                first = argument[0]
                if isinstance(first, np.ndarray | Sequence) and not isinstance(first, str):
                    return len(first)
                return len(argument)
        raise ValueError("SurveyDesign needs weights, strata, ids or fpc to know how many rows there are.")

    def _build_stages(
        self,
        rows: int,
        strata: npt.ArrayLike | None,
        id_stages: list[npt.NDArray[np.generic]],
        fpc_stages: list[npt.NDArray[np.generic]],
        nest: bool,
    ) -> list[_Stage]:
        stratum_codes = as_codes(strata, "strata") if strata is not None else np.zeros(rows, dtype=np.intp)
        if stratum_codes.shape[0] != rows:
            raise ValueError(f"strata has {stratum_codes.shape[0]} rows; the weights have {rows}.")
        if id_stages:
            cluster_codes = [as_codes(ids, f"ids (stage {s + 1})") for s, ids in enumerate(id_stages)]
        else:
            cluster_codes = [np.arange(rows, dtype=np.intp)]
        if nest:
            cluster_codes[0] = combine_codes(stratum_codes, cluster_codes[0])
        if len(cluster_codes) > 1:
            cluster_codes[1] = combine_codes(cluster_codes[0], cluster_codes[1])
        first_strata_of_cluster = np.full(int(cluster_codes[0].max()) + 1, -1, dtype=np.intp)
        first_strata_of_cluster[cluster_codes[0]] = stratum_codes
        if id_stages and np.any(first_strata_of_cluster[cluster_codes[0]] != stratum_codes):
            raise ValueError(
                "Clusters are not nested in strata at the first stage: the same cluster id appears in more "
                "than one stratum. Use nest=True if ids are only unique within a stratum."
            )
        stage_strata = [stratum_codes]
        if len(cluster_codes) > 1:
            stage_strata.append(combine_codes(stratum_codes, cluster_codes[0]))
        # R decides once for all stages: any value above 1 means every fpc is a population size.
        sizes = any(bool(np.any(np.asarray(f, dtype=np.float64) > 1)) for f in fpc_stages)
        stages: list[_Stage] = []
        for index, (strata_s, clusters_s) in enumerate(zip(stage_strata, cluster_codes, strict=True)):
            rows_are_psus = index == 0 and not id_stages and not nest
            first_rows = clusters_s if rows_are_psus else _first_rows(clusters_s)
            counts = np.bincount(strata_s[first_rows], minlength=int(strata_s.max()) + 1)
            sample_size = counts[strata_s].astype(np.float64)
            population = (
                self._population_size(fpc_stages[index], sample_size, strata_s, index + 1, sizes)
                if index < len(fpc_stages)
                else None
            )
            parent = cluster_codes[index - 1] if index > 0 else None
            stages.append(_make_stage(strata_s, clusters_s, population, parent, rows_are_psus=rows_are_psus))
        return stages

    @staticmethod
    def _population_size(
        fpc: npt.NDArray[np.generic], sample_size: FloatArray, strata: IntArray, stage: int, sizes: bool
    ) -> FloatArray:
        values = np.asarray(fpc, dtype=np.float64)
        if np.isnan(values).any():
            raise ValueError(
                f"fpc for stage {stage} is missing at row {int(np.flatnonzero(np.isnan(values))[0])}."
            )
        if np.any(values < 0):
            raise ValueError(
                f"fpc for stage {stage} has negative values; give population sizes or fractions."
            )
        if sizes and np.any(values < 1):
            raise ValueError(
                f"fpc for stage {stage} has a value below 1 while fpc values above 1 (population sizes) are given; "
                "give every stage as population sizes or every stage as sampling fractions."
            )
        if sizes:
            population = values
        else:
            with np.errstate(divide="ignore"):
                population = np.where(values == 0, np.inf, sample_size / np.where(values == 0, 1, values))
        if np.any(population < sample_size - 1e-9):
            row = int(np.flatnonzero(population < sample_size - 1e-9)[0])
            raise ValueError(
                f"fpc for stage {stage} implies a population smaller than the sample at row {row} "
                f"(population {population[row]:g}, sampled units {sample_size[row]:g})."
            )
        varying = np.zeros(int(strata.max()) + 1)
        varying[strata] = population
        if np.any(~np.isclose(varying[strata], population)):
            raise ValueError(
                f"fpc for stage {stage} varies within a stratum; it must be constant per stratum."
            )
        return population

    def _build_weights(self, weights: npt.ArrayLike | None, rows: int) -> FloatArray:
        if weights is None:
            populations = [stage.population_size for stage in self.stages]
            if any(p is None for p in populations) or not populations:
                return np.ones(rows)
            result = np.ones(rows)
            for stage in self.stages:
                assert stage.population_size is not None
                result = result * stage.population_size / stage.sample_size
            return result
        array = np.asarray(weights, dtype=np.float64)
        if array.shape != (rows,):
            raise ValueError(f"weights has shape {array.shape}; expected ({rows},).")
        if np.isnan(array).any():
            raise ValueError(f"weights are missing at row {int(np.flatnonzero(np.isnan(array))[0])}.")
        if np.any(array < 0):
            raise ValueError(f"weights must not be negative (row {int(np.flatnonzero(array < 0)[0])}).")
        return array

    # ----------------------------------------------------------------------------------------------------------
    # Design facts

    @property
    def n(self) -> int:
        """Number of rows in the sample."""
        return int(self.weights.shape[0])

    @cached_property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata among rows with weight, as R's `degf()`."""
        first = self.stages[0]
        in_sample = (self.weights != 0).astype(np.float64)
        clusters = np.count_nonzero(np.bincount(first.clusters, weights=in_sample))
        strata = np.count_nonzero(np.bincount(first.strata, weights=in_sample))
        return int(clusters - strata)

    def with_weights(self, weights: FloatArray, adjustments: Sequence[VarianceAdjustment]) -> SurveyDesign:
        """The same design with new (calibrated) weights and the calibration steps that produced them."""
        clone = object.__new__(SurveyDesign)
        clone.lonely_psu = self.lonely_psu
        clone.has_strata = self.has_strata
        clone.stages = self.stages
        clone.weights = np.asarray(weights, dtype=np.float64)
        clone.adjustments = tuple(adjustments)
        return clone

    # ----------------------------------------------------------------------------------------------------------
    # Variance

    def variance(self, influence: npt.ArrayLike) -> FloatArray:
        """Linearisation variance matrix (k x k) of totals of the influence values (n x k), as R's `svyrecvar`."""
        x = np.asarray(influence, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        for adjustment in self.adjustments:
            x = adjustment.residualise(x)
        total = self._stage_variance(x, 0)
        if len(self.stages) > 1 and all(stage.population_size is not None for stage in self.stages):
            total = total + self._stage_variance(x, 1)
        return total

    def _root_scale(self, index: int) -> FloatArray:
        """Per PSU of stage `index`: the square root of its fpc and n/(n-1) factor (0 where it adds no variance),
        times the first stage's sampling fraction for the second stage. Worked out once per design."""
        cache: dict[int, FloatArray] = self.__dict__.setdefault("_root_scales", {})
        if index not in cache:
            stage = self.stages[index]
            count = stage.psu_count
            scale = np.where(count > 1, stage.psu_keep * count / np.maximum(count - 1, 1), stage.psu_keep)
            scale = np.where(~stage.self_representing[stage.psu_stratum], scale, 0.0)
            if index > 0:
                first = self.stages[0]
                assert first.population_size is not None
                scale = scale * (first.sample_size / first.population_size)[stage.psu_first_row]
            cache[index] = np.sqrt(scale)
        return cache[index]

    def _stage_variance(self, x: FloatArray, index: int) -> FloatArray:
        """One stage of `svyrecvar`: between-PSU variance within strata, fpc applied (and the first stage's
        sampling fraction at the second stage)."""
        stage = self.stages[index]
        psu_totals = x if stage.one_psu_per_row else group_sums(stage.clusters, x, stage.n_clusters)
        if stage.n_strata == 1:
            centred = psu_totals - psu_totals.mean(axis=0)
        else:
            stratum_size = np.bincount(stage.psu_stratum, minlength=stage.n_strata)
            stratum_mean = (
                group_sums(stage.psu_stratum, psu_totals, stage.n_strata)
                / np.maximum(stratum_size, 1)[:, None]
            )
            centred = psu_totals - stratum_mean[stage.psu_stratum]
        if stage.has_lonely:
            centred = self._lonely_psu_deviation(stage, index, psu_totals, centred, stage.lonely)
        weighted = centred * self._root_scale(index)[:, None]
        return weighted.T @ weighted

    def _lonely_psu_deviation(
        self,
        stage: _Stage,
        index: int,
        psu_totals: FloatArray,
        centred: FloatArray,
        lonely: npt.NDArray[np.bool_],
    ) -> FloatArray:
        if self.lonely_psu == "fail":
            raise ValueError(
                f"A stratum has only one PSU at stage {index + 1}, so its variance cannot be estimated. "
                'Choose lonely_psu="adjust", "certainty" or "remove", or merge the stratum with a neighbour.'
            )
        centred = centred.copy()
        if self.lonely_psu in ("certainty", "remove"):
            centred[lonely] = 0.0
            return centred
        # "adjust": deviation from the average PSU total of the parent unit (the whole sample at stage 1).
        parents = int(stage.psu_parent.max()) + 1
        parent_sum = group_sums(stage.psu_parent, psu_totals, parents)
        parent_count = np.bincount(stage.psu_parent, minlength=parents)
        grand_mean = parent_sum / np.maximum(parent_count, 1)[:, None]
        centred[lonely] = psu_totals[lonely] - grand_mean[stage.psu_parent[lonely]]
        return centred

    # ----------------------------------------------------------------------------------------------------------
    # Estimators

    def _included(self, *arrays: FloatArray, domain: npt.ArrayLike | None = None) -> FloatArray:
        """Weights with rows dropped (set to zero) where a value is missing or outside the domain: R's na.rm.

        The design's own weights are returned (not a copy) when no row is dropped; callers must not write to them.
        """
        dropped: npt.NDArray[np.bool_] | None = None
        for array in arrays:
            missing = np.isnan(array)
            if missing.any():
                dropped = missing if dropped is None else dropped | missing
        if domain is not None:
            mask = np.asarray(domain, dtype=bool)
            if mask.shape != self.weights.shape:
                raise ValueError(f"domain has shape {mask.shape}; expected ({self.n},).")
            dropped = ~mask if dropped is None else dropped | ~mask
        return self.weights if dropped is None else np.where(dropped, 0.0, self.weights)

    def _df_for(self, interval: Interval) -> float:
        if interval not in ("t", "normal"):
            raise ValueError(f'interval must be "t" or "normal" (got {interval!r}).')
        return math.inf if interval == "normal" else float(self.df)

    def _values(self, y: npt.ArrayLike, name: str) -> FloatArray:
        array = np.asarray(y, dtype=np.float64)
        if array.shape != (self.n,):
            raise ValueError(f"{name} has shape {array.shape}; expected ({self.n},).")
        return array

    def mean(
        self,
        y: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted mean of `y` (R's `svymean`); missing values and rows outside `domain` are left out."""
        values = self._values(y, "y")
        weights = self._included(values, domain=domain)
        weight_sum = float(weights.sum())
        if weight_sum == 0:
            raise ValueError("No rows with weight and a value are left to estimate the mean from.")
        y0 = np.where(weights != 0, values, 0.0)
        mean = float(np.sum(weights * y0) / weight_sum)
        variance = float(self.variance(weights * (y0 - mean) / weight_sum)[0, 0])
        srs = srs_variance_of_mean(y0, weights, mean)
        deff = variance / srs if srs else None
        df = self._df_for(interval)
        return make_estimate(mean, variance, df=df, level=level, deff=deff, n=int(np.count_nonzero(weights)))

    def total(
        self,
        y: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted total of `y` (R's `svytotal`); missing values and rows outside `domain` count as zero."""
        values = self._values(y, "y")
        weights = self._included(values, domain=domain)
        y0 = np.where(weights != 0, values, 0.0)
        total = float(np.sum(weights * y0))
        variance = float(self.variance(weights * y0)[0, 0])
        weight_sum = float(weights.sum())
        srs = srs_variance_of_mean(y0, weights, total / weight_sum) if weight_sum else None
        deff = variance / (srs * weight_sum**2) if srs else None
        df = self._df_for(interval)
        return make_estimate(total, variance, df=df, level=level, deff=deff, n=int(np.count_nonzero(weights)))

    def ratio(
        self,
        numerator: npt.ArrayLike,
        denominator: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Ratio of weighted totals, sum(w y) / sum(w x) (R's `svyratio`)."""
        y = self._values(numerator, "numerator")
        x = self._values(denominator, "denominator")
        weights = self._included(y, x, domain=domain)
        y0 = np.where(weights != 0, y, 0.0)
        x0 = np.where(weights != 0, x, 0.0)
        denominator_total = float(np.sum(weights * x0))
        if denominator_total == 0:
            raise ValueError("The denominator's weighted total is zero, so the ratio is undefined.")
        ratio = float(np.sum(weights * y0)) / denominator_total
        variance = float(self.variance(weights * (y0 - ratio * x0) / denominator_total)[0, 0])
        df = self._df_for(interval)
        return make_estimate(ratio, variance, df=df, level=level, deff=None, n=int(np.count_nonzero(weights)))

    def quantile(
        self,
        y: npt.ArrayLike,
        q: float,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted quantile with Woodruff's interval, as R's `svyquantile` defaults (qrule="math", "mean").

        The interval for the share of the population at or below the estimate is turned back into values of y;
        the standard error is the interval's width over twice the critical value, as R reports it.  A bound
        whose share falls outside [0, 1] is NaN, as in R.
        """
        values = self._values(y, "y")
        weights = self._included(values, domain=domain)
        return woodruff_quantile(values, weights, q, self.mean, level=level, df=self._df_for(interval))


def srs_variance_of_mean(y: FloatArray, weights: FloatArray, mean: float) -> float | None:
    """Variance of the mean under simple random sampling without replacement of the same size, for `deff`.

    As R's `svymean(..., deff=TRUE)`: the weighted unit variance (with n/(n-1)) over n, times 1 - n/N with N the
    sum of weights.  `y` must already be zero where `weights` is zero.
    """
    observed = int(np.count_nonzero(weights))
    if observed < 2:
        return None
    weight_sum = float(weights.sum())
    unit_variance = float(np.sum(weights * (y - mean) ** 2) / weight_sum) * observed / (observed - 1)
    return unit_variance / observed * max(0.0, (weight_sum - observed) / weight_sum)


def indicator(categories: npt.ArrayLike, category: object) -> FloatArray:
    """1.0 where the label equals `category`, 0.0 elsewhere, NaN where the label is missing."""
    codes, present = category_codes(categories)
    wanted = category_labels(np.array([category], dtype=object))[0]
    if wanted not in present:
        return np.where(codes < 0, math.nan, 0.0)
    return np.where(codes < 0, math.nan, (codes == present.index(wanted)).astype(np.float64))


def category_codes(categories: npt.ArrayLike) -> tuple[IntArray, list[str]]:
    """Each row's position among the sorted distinct labels (-1 where missing), and those labels as text.

    Only the distinct values are turned into text, so a million rows of a few categories stay fast.
    """
    array = np.asarray(categories)
    if array.dtype == object:
        array = np.array(["" if label is None else label for label in category_labels(array)], dtype=str)
    distinct, inverse = _distinct(array)
    names = category_labels(distinct)
    present = sorted({name for name in names if name is not None})
    position = {name: i for i, name in enumerate(present)}
    lookup = np.array([-1 if name is None else position[name] for name in names], dtype=np.intp)
    return lookup[inverse.ravel()], present


FEW_CATEGORIES = 32


def _distinct(array: npt.NDArray[np.generic]) -> tuple[npt.NDArray[np.generic], IntArray]:
    """The distinct values and each row's index among them (np.unique's `return_inverse`, in any order).

    Text and integer labels with a few distinct values (channels, segments, regions) are found by one comparison
    per value instead of sorting every row, which is what makes a million rows fast; anything else is sorted.
    """
    flat = array.ravel()
    if flat.dtype.kind not in "USiub" or flat.size == 0:
        distinct, inverse = np.unique(flat, return_inverse=True)
        return distinct, inverse.ravel().astype(np.intp)
    inverse = np.full(flat.size, -1, dtype=np.intp)
    unassigned = np.ones(flat.size, dtype=bool)
    found: list[int] = []
    while len(found) < FEW_CATEGORIES:
        first = int(np.argmax(unassigned))
        if not unassigned[first]:
            return flat[found], inverse
        value = flat[first]
        hit = flat == value
        inverse[hit] = len(found)
        unassigned &= ~hit
        found.append(first)
    rest, rest_inverse = np.unique(flat[unassigned], return_inverse=True)
    inverse[unassigned] = rest_inverse.ravel() + len(found)
    return np.concatenate([flat[found], rest]), inverse


def category_labels(categories: npt.ArrayLike) -> list[str | None]:
    """Labels as text, with None for missing values (None, NaN, empty text or "NA")."""
    result: list[str | None] = []
    for value in np.asarray(categories, dtype=object).tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value in ("", "NA"):
            result.append(None)
        elif isinstance(value, float) and value.is_integer():
            result.append(str(int(value)))
        else:
            result.append(str(value))
    return result


def quantile_math(values: FloatArray, weights: FloatArray, p: float) -> float:
    """R's `qrule_math`: the smallest value whose weighted cumulative share reaches p."""
    keep = weights != 0
    x = values[keep]
    w = weights[keep]
    if x.size == 0:
        return math.nan
    order = np.argsort(x, kind="stable")
    x = x[order]
    cumulative = np.cumsum(w[order])
    total = float(np.sum(w))
    below = np.flatnonzero(cumulative <= p * total)
    position = int(below[-1]) if below.size else 0
    following = position if position == x.size - 1 else position + 1
    return float(x[position] if p - cumulative[position] / total <= 0 else x[following])


class _MeanFunction(Protocol):
    def __call__(
        self, y: npt.ArrayLike, *, level: float, interval: Interval, domain: npt.ArrayLike | None
    ) -> Estimate: ...


def woodruff_quantile(
    values: FloatArray, weights: FloatArray, q: float, mean: _MeanFunction, *, level: float, df: float
) -> Estimate:
    """Quantile with Woodruff's interval, given a design's mean estimator (shared by replicate designs)."""
    if not 0 <= q <= 1:
        raise ValueError(f"quantile must be between 0 and 1 (got {q}).")
    if not np.any(weights != 0):
        raise ValueError("No rows with weight and a value are left to estimate the quantile from.")
    estimate = quantile_math(values, weights, q)
    below = np.where(np.isnan(values), math.nan, (values <= estimate).astype(np.float64))
    share = mean(below, level=level, interval="normal" if math.isinf(df) else "t", domain=weights != 0)
    half = critical_value(level, df) * share.se
    low_share, high_share = share.value - half, share.value + half
    low = quantile_math(values, weights, low_share) if 0 <= low_share <= 1 else math.nan
    high = quantile_math(values, weights, high_share) if 0 <= high_share <= 1 else math.nan
    se = (high - low) / (2 * critical_value(level, df))
    return Estimate(estimate, se, low, high, df, None, int(np.count_nonzero(weights)))
