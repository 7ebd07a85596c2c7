"""Replicate-weight designs: jackknife (JK1, JKn) and Rao-Wu rescaling bootstrap.

A replicate design carries, besides the full-sample weights, one column of weights per replicate; an estimate's
variance is the spread of the estimate recomputed with each column, as R's `as.svrepdesign` and `svrVar` do:
variance = scale * sum(rscales * (replicate - centre)^2), centred at the mean of the replicates (R's default,
`mse=FALSE`) or at the full-sample estimate.  Replicate weights carry calibration through to the variance
naturally: `touchstone.stats.calibration` recalibrates every column.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.linalg

from touchstone.stats.design import (
    Estimate,
    FloatArray,
    Interval,
    SharesFromMean,
    SurveyDesign,
    make_estimate,
    srs_variance_of_mean,
    woodruff_quantile,
)

ReplicateMethod = Literal["JK1", "JKn", "bootstrap"]


class ReplicateDesign(SharesFromMean):
    """Full-sample weights plus an n x R matrix of replicate weights and the constants that turn them into SEs."""

    def __init__(
        self,
        weights: npt.ArrayLike,
        replicate_weights: npt.ArrayLike,
        *,
        scale: float,
        rscales: npt.ArrayLike,
        method: str,
        df: int | None = None,
        mse: bool = False,
    ) -> None:
        self.weights: FloatArray = np.asarray(weights, dtype=np.float64)
        self.replicate_weights: FloatArray = np.asarray(replicate_weights, dtype=np.float64)
        if self.replicate_weights.ndim != 2 or self.replicate_weights.shape[0] != self.weights.shape[0]:
            raise ValueError(
                f"replicate_weights must be n x R with n = {self.weights.shape[0]} rows "
                f"(got shape {self.replicate_weights.shape})."
            )
        self.scale = float(scale)
        self.rscales: FloatArray = np.broadcast_to(
            np.asarray(rscales, dtype=np.float64), (self.replicate_weights.shape[1],)
        ).copy()
        self.method = method
        self.mse = mse
        self.df = int(df) if df is not None else replicate_rank(self.replicate_weights) - 1

    @property
    def n(self) -> int:
        """Number of rows in the sample."""
        return int(self.weights.shape[0])

    @property
    def replicates(self) -> int:
        """Number of replicate columns."""
        return int(self.replicate_weights.shape[1])

    def with_weights(self, weights: FloatArray, replicate_weights: FloatArray) -> ReplicateDesign:
        """The same replicate design with recalibrated full-sample and replicate weights."""
        return ReplicateDesign(
            weights,
            replicate_weights,
            scale=self.scale,
            rscales=self.rscales,
            method=self.method,
            df=self.df,
            mse=self.mse,
        )

    def replicate_variance(self, full: float, replicates: FloatArray) -> float:
        """R's `svrVar`: scaled sum of squared deviations of the replicate estimates."""
        centre = full if self.mse else float(np.mean(replicates))
        return float(self.scale * np.sum(self.rscales * (replicates - centre) ** 2))

    def _values(self, y: npt.ArrayLike, name: str) -> FloatArray:
        array = np.asarray(y, dtype=np.float64)
        if array.shape != (self.n,):
            raise ValueError(f"{name} has shape {array.shape}; expected ({self.n},).")
        return array

    def _mask(self, *arrays: FloatArray, domain: npt.ArrayLike | None) -> npt.NDArray[np.bool_]:
        keep = np.ones(self.n, dtype=bool)
        for array in arrays:
            keep &= ~np.isnan(array)
        if domain is not None:
            keep &= np.asarray(domain, dtype=bool)
        return keep

    def _df_for(self, interval: Interval) -> float:
        if interval not in ("t", "normal"):
            raise ValueError(f'interval must be "t" or "normal" (got {interval!r}).')
        return math.inf if interval == "normal" else float(self.df)

    def mean(
        self,
        y: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted mean with a replicate-weight standard error (R's `svymean` on a `svyrep.design`)."""
        values = self._values(y, "y")
        keep = self._mask(values, domain=domain)
        weights = np.where(keep, self.weights, 0.0)
        if weights.sum() == 0:
            raise ValueError("No rows with weight and a value are left to estimate the mean from.")
        y0 = np.where(keep, values, 0.0)
        mean = float(weights @ y0 / weights.sum())
        columns = self.replicate_weights[keep]
        with np.errstate(invalid="ignore", divide="ignore"):
            replicate_means = (columns.T @ y0[keep]) / columns.sum(axis=0)
        variance = self.replicate_variance(mean, replicate_means)
        srs = srs_variance_of_mean(y0, weights, mean)
        deff = variance / srs if srs else None
        return make_estimate(
            mean,
            variance,
            df=self._df_for(interval),
            level=level,
            deff=deff,
            n=int(np.count_nonzero(weights)),
        )

    def total(
        self,
        y: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted total with a replicate-weight standard error (R's `svytotal` on a `svyrep.design`)."""
        values = self._values(y, "y")
        keep = self._mask(values, domain=domain)
        y0 = np.where(keep, values, 0.0)
        weights = np.where(keep, self.weights, 0.0)
        total = float(weights @ y0)
        replicate_totals = self.replicate_weights[keep].T @ y0[keep]
        variance = self.replicate_variance(total, replicate_totals)
        weight_sum = float(weights.sum())
        srs = srs_variance_of_mean(y0, weights, total / weight_sum) if weight_sum else None
        deff = variance / (srs * weight_sum**2) if srs else None
        return make_estimate(
            total,
            variance,
            df=self._df_for(interval),
            level=level,
            deff=deff,
            n=int(np.count_nonzero(weights)),
        )

    def ratio(
        self,
        numerator: npt.ArrayLike,
        denominator: npt.ArrayLike,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Ratio of weighted totals with a replicate-weight standard error (R's `svyratio`)."""
        y = self._values(numerator, "numerator")
        x = self._values(denominator, "denominator")
        keep = self._mask(y, x, domain=domain)
        weights = np.where(keep, self.weights, 0.0)
        y0, x0 = np.where(keep, y, 0.0), np.where(keep, x, 0.0)
        if weights @ x0 == 0:
            raise ValueError("The denominator's weighted total is zero, so the ratio is undefined.")
        ratio = float((weights @ y0) / (weights @ x0))
        columns = self.replicate_weights[keep]
        with np.errstate(invalid="ignore", divide="ignore"):
            replicate_ratios = (columns.T @ y0[keep]) / (columns.T @ x0[keep])
        variance = self.replicate_variance(ratio, replicate_ratios)
        return make_estimate(
            ratio,
            variance,
            df=self._df_for(interval),
            level=level,
            deff=None,
            n=int(np.count_nonzero(weights)),
        )

    def quantile(
        self,
        y: npt.ArrayLike,
        q: float,
        *,
        level: float = 0.95,
        interval: Interval = "t",
        domain: npt.ArrayLike | None = None,
    ) -> Estimate:
        """Weighted quantile with Woodruff's interval from the replicate SE of the CDF (R's default)."""
        values = self._values(y, "y")
        keep = self._mask(values, domain=domain)
        weights = np.where(keep, self.weights, 0.0)
        return woodruff_quantile(values, weights, q, self.mean, level=level, df=self._df_for(interval))


def replicate_rank(replicate_weights: FloatArray) -> int:
    """Rank of the replicate weight matrix (R's `degf` for replicate designs is this minus one)."""
    if replicate_weights.size == 0:
        return 0
    unique_rows = np.unique(replicate_weights, axis=0)
    triangular = scipy.linalg.qr(unique_rows, mode="r", pivoting=True)[0]
    diagonal = np.abs(np.diag(triangular))
    if diagonal.size == 0 or diagonal[0] == 0:
        return 0
    return int(np.sum(diagonal > 1e-5 * diagonal[0]))


def as_replicate_design(
    design: SurveyDesign,
    method: ReplicateMethod | Literal["auto"] = "auto",
    *,
    replicates: int = 50,
    seed: int | None = 0,
    mse: bool = False,
) -> ReplicateDesign:
    """Replicate weights for a linearisation design, as R's `as.svrepdesign`.

    "auto" picks JK1 for an unstratified design and JKn for a stratified one, as R does.  Replicates are formed at
    the first stage (PSUs), with the first-stage finite population correction applied; "bootstrap" is the Rao-Wu
    rescaling bootstrap (n_h - 1 PSUs drawn with replacement in each stratum), seeded for reproducibility.
    """
    if design.adjustments:
        raise ValueError(
            "Build replicate weights before calibrating: as_replicate_design(design) first, then poststratify or "
            "rake the replicate design so every replicate is recalibrated."
        )
    if method == "auto":
        method = "JKn" if design.has_strata else "JK1"
    stage = design.stages[0]
    psu_stratum, psu_count, psu_keep = stage.psu_stratum, stage.psu_count.astype(int), stage.psu_keep
    if method == "JK1":
        if design.has_strata:
            raise ValueError(
                "JK1 is the jackknife for unstratified designs; use JKn for a stratified design."
            )
        multipliers, scale, rscales = _jk1(stage.n_clusters, float(psu_keep[0]))
    elif method == "JKn":
        multipliers, scale, rscales = _jkn(psu_stratum, psu_count, psu_keep, design.lonely_psu)
    elif method == "bootstrap":
        multipliers, scale, rscales = _rao_wu_bootstrap(
            psu_stratum, psu_count, psu_keep, replicates, seed, design.lonely_psu
        )
    else:
        raise ValueError(f'method must be "auto", "JK1", "JKn" or "bootstrap" (got {method!r}).')
    replicate_weights = design.weights[:, None] * multipliers[stage.clusters]
    df = replicate_rank(multipliers) - 1
    return ReplicateDesign(
        design.weights, replicate_weights, scale=scale, rscales=rscales, method=method, df=df, mse=mse
    )


def _jk1(n_psu: int, keep: float) -> tuple[FloatArray, float, FloatArray]:
    """Delete-one-PSU jackknife: the others are scaled by n/(n-1); scale (n-1)/n times the fpc."""
    if n_psu < 2:
        raise ValueError("The jackknife needs at least two PSUs.")
    multipliers = np.full((n_psu, n_psu), n_psu / (n_psu - 1))
    np.fill_diagonal(multipliers, 0.0)
    return multipliers, keep * (n_psu - 1) / n_psu, np.ones(n_psu)


def _jkn(
    psu_stratum: npt.NDArray[np.intp], psu_count: npt.NDArray[np.int_], psu_keep: FloatArray, lonely_psu: str
) -> tuple[FloatArray, float, FloatArray]:
    """Stratified jackknife: one replicate per PSU, deleting it and reweighting the rest of its stratum."""
    n_psu = psu_stratum.shape[0]
    n_strata = int(psu_stratum.max()) + 1
    columns: list[FloatArray] = []
    rscales: list[float] = []
    for stratum in range(n_strata):
        members = np.flatnonzero(psu_stratum == stratum)
        size = members.size
        if size == 1:
            if lonely_psu == "fail":
                raise ValueError(
                    f"Stratum {stratum + 1} has only one PSU, so the jackknife cannot delete it. "
                    'Choose lonely_psu="adjust", "certainty" or "remove", or merge the stratum with a neighbour.'
                )
            if lonely_psu == "adjust":
                column = np.full(n_psu, n_strata / (n_strata - 1))
                column[members] = 0.0
                columns.append(column)
                rscales.append((n_strata - 1) / n_strata)
            continue
        for member in members:
            column = np.ones(n_psu)
            column[members] = size / (size - 1)
            column[member] = 0.0
            columns.append(column)
            rscales.append(float(psu_keep[member]) * (size - 1) / size)
    return np.column_stack(columns), 1.0, np.array(rscales)


def _rao_wu_bootstrap(
    psu_stratum: npt.NDArray[np.intp],
    psu_count: npt.NDArray[np.int_],
    psu_keep: FloatArray,
    replicates: int,
    seed: int | None,
    lonely_psu: str,
) -> tuple[FloatArray, float, FloatArray]:
    """Rao-Wu-Yue rescaling bootstrap with n_h - 1 draws per stratum and the fpc folded into the rescaling."""
    if replicates < 2:
        raise ValueError(f"The bootstrap needs at least 2 replicates (got {replicates}).")
    rng = np.random.default_rng(seed)
    n_psu = psu_stratum.shape[0]
    multipliers = np.ones((n_psu, replicates))
    for stratum in range(int(psu_stratum.max()) + 1):
        members = np.flatnonzero(psu_stratum == stratum)
        size = members.size
        if size == 1:
            if lonely_psu == "fail":
                raise ValueError(
                    f"Stratum {stratum + 1} has only one PSU, so it cannot be resampled. "
                    'Choose lonely_psu="certainty" or "remove", or merge the stratum with a neighbour.'
                )
            continue
        draws = rng.integers(0, size, size=(replicates, size - 1))
        counts = np.zeros((size, replicates))
        for replicate in range(replicates):
            counts[:, replicate] = np.bincount(draws[replicate], minlength=size)
        rescale = math.sqrt(float(psu_keep[members[0]]))
        multipliers[members] = 1 - rescale + rescale * size / (size - 1) * counts
    return multipliers, 1 / (replicates - 1), np.ones(replicates)
