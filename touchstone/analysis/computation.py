"""A survey's whole analysis as one JSON-ready dict, from its responses held as columns.

The statistics come from `touchstone.stats`; this module picks what to estimate from the instrument (what each
question measures), applies the weighting, and hides every figure that rests on fewer answers than the survey's
minimum (the figure is left out of the result, so no page can show it by mistake).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.utils.translation import gettext_noop
from scipy import stats as scipy_stats

from touchstone.stats import (
    Dispositions,
    Margin,
    SurveyDesign,
    a11_driver_percentages,
    acsi_index,
    compare_estimates,
    compare_proportions,
    effective_sample_size,
    find_themes,
    importance_performance,
    kish_design_effect,
    net_promoter_score,
    outcome_rates,
    p_chart,
    poststratify,
    rake,
    relative_weights,
    servqual_gaps,
    shapley_r_squared,
    wilson_interval,
)

FloatArray = npt.NDArray[np.float64]
LEVEL = 0.95
A11_OUTCOMES = ("satisfaction", "trust")
A11_DRIVERS = ("effectiveness", "ease", "efficiency", "equity", "employee")
A11_MEASURES = (*A11_OUTCOMES, *A11_DRIVERS)
# kind -> (lowest point, highest point) of rating scales
SCALES = {
    "likert5": (1, 5),
    "likert7": (1, 7),
    "stars": (1, 5),
    "scale0_10": (0, 10),
    "scale1_10": (1, 10),
}
CATEGORICAL = ("yes_no", "thumbs", "single", "dropdown")
COMMENT_KINDS = ("long_text", "short_text")
COMMENT_MEASURES = ("", "comment", "went_well", "went_badly", "barrier", "idea")
BREAKDOWN_VARIABLES = ("channel", "service", "office", "location", "language")
MOST_GROUPS = 20
THEME_SAMPLE = 3000
DISPOSITION_CODES = {
    "complete": "I",
    "partial": "P",
    "refusal": "R",
    "non_contact": "NC",
    "other": "O",
    "undeliverable": "UH",
    "unknown": "UO",
    "pending": "UO",  # sent, never answered: eligibility unknown
    "not_eligible": "NE",
}


@dataclass
class ResponseFrame:
    """Complete, non-spam responses of one survey as columns, one row per respondent."""

    answers: list[dict[str, Any]]
    quarter: list[str]
    variables: dict[str, list[str]]  # channel, service, office, location, language -> code per row
    weight: list[float | None]
    stratum: list[str]
    cluster: list[str]
    population_size: list[float | None]
    _columns: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.answers)

    def raw(self, key: str) -> list[Any]:
        if key not in self._columns:
            self._columns[key] = [a.get(key) for a in self.answers]
        return self._columns[key]

    def numbers(self, key: str) -> FloatArray:
        values = self.raw(key)
        try:
            return np.asarray(
                pd.to_numeric(pd.Series(values, dtype=object), errors="coerce"), dtype=np.float64
            )
        except (TypeError, ValueError):
            return np.array([_to_number(v) for v in values], dtype=np.float64)


def _to_number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


@dataclass
class WeightingSetup:
    method: str  # "rake" or "poststratify"
    margins: dict[str, dict[str, float]]


class WeightingError(ValueError):
    """Margins that do not fit the respondents; the message says which category to fix.

    The message is kept untranslated with its parameters (`as_data`), so a page translates it for its reader
    (`views.weighting_error_text`) even when it was stored with a cached analysis."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)

    def as_data(self) -> dict[str, Any]:
        return {"message": self.message, "params": self.params}


# --- designs --------------------------------------------------------------------------------------------------


def base_design(frame: ResponseFrame) -> SurveyDesign | None:
    """The design the responses carry (imported weights, strata, clusters), or None for a simple random sample."""
    n = frame.n
    if n == 0:
        return None
    has_weights = all(w is not None for w in frame.weight)
    has_strata = all(frame.stratum) and len(set(frame.stratum)) > 1
    has_clusters = all(frame.cluster)
    if not (has_weights or has_strata or has_clusters):
        return None
    fpc = (
        np.array(frame.population_size, dtype=np.float64)
        if all(p is not None for p in frame.population_size)
        else None
    )
    return SurveyDesign(
        np.array(frame.weight, dtype=np.float64) if has_weights else None,
        strata=np.array(frame.stratum, dtype=object) if has_strata else None,
        ids=np.array(frame.cluster, dtype=object) if has_clusters else None,
        fpc=fpc,
        lonely_psu="adjust",
        n=n,
    )


def scale_margins(margins: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Margins rescaled to the first margin's total, so shares and counts can be mixed when raking."""
    scaled: dict[str, dict[str, float]] = {}
    target: float | None = None
    for variable, totals in margins.items():
        total = float(sum(totals.values()))
        if target is None:
            target = total
        factor = target / total if total else 1.0
        scaled[variable] = {category: float(value) * factor for category, value in totals.items()}
    return scaled


def weighted_design(frame: ResponseFrame, setup: WeightingSetup) -> SurveyDesign:
    """The base design calibrated to the setup's margins; WeightingError says what does not fit."""
    design = base_design(frame) or SurveyDesign(np.ones(frame.n), n=frame.n)
    unknown = [v for v in setup.margins if v not in frame.variables]
    if unknown:
        raise WeightingError(
            gettext_noop("“%(code)s” is not a respondent variable that can be weighted on."), code=unknown[0]
        )
    if not setup.margins:
        raise WeightingError(gettext_noop("Give at least one margin to weight to."))
    for variable, totals in setup.margins.items():
        check_margin_fits(variable, frame.variables[variable], totals)
    try:
        if setup.method == "poststratify":
            if len(setup.margins) != 1:
                raise WeightingError(
                    gettext_noop("Post-stratification takes one variable; rake to use several.")
                )
            variable, totals = next(iter(setup.margins.items()))
            categories = np.array([c or None for c in frame.variables[variable]], dtype=object)
            return poststratify(design, categories, totals, name=variable)
        margins = [
            Margin(variable, np.array([c or None for c in frame.variables[variable]], dtype=object), totals)
            for variable, totals in scale_margins(setup.margins).items()
        ]
        return rake(design, margins)
    except WeightingError:
        raise
    except ValueError as error:  # what the checks above cannot foresee, e.g. raking that does not converge
        raise WeightingError(
            gettext_noop("The weights cannot be computed from these margins: %(detail)s"), detail=str(error)
        ) from error


def check_margin_fits(variable: str, codes: Sequence[str], totals: Mapping[str, float]) -> None:
    """WeightingError, naming the variable and the category, when a margin does not fit the respondents:
    respondents without a category, a category of respondents without a total, or a total without respondents.
    """
    missing = sum(1 for code in codes if not code)
    if missing:
        raise WeightingError(
            gettext_noop(
                "Respondents with no %(variable)s: %(count)s. Every respondent needs a category to be weighted; "
                "weight on another variable."
            ),
            variable=variable,
            count=missing,
        )
    observed = set(codes)
    without_total = sorted(observed - set(totals))
    if without_total:
        raise WeightingError(
            gettext_noop(
                "The %(variable)s category “%(category)s” has respondents but no population total; add it to "
                "the margin (it has %(known)s)."
            ),
            variable=variable,
            category=without_total[0],
            known=", ".join(sorted(totals)),
        )
    without_respondents = [
        category for category, total in totals.items() if total > 0 and category not in observed
    ]
    if without_respondents:
        raise WeightingError(
            gettext_noop(
                "The %(variable)s category “%(category)s” has a population total but no respondents; merge it "
                "with a neighbouring category or drop it from the margin."
            ),
            variable=variable,
            category=without_respondents[0],
        )


def weights_summary(design: SurveyDesign, frame: ResponseFrame, setup: WeightingSetup) -> dict[str, Any]:
    weights = design.weights
    achieved = {}
    for variable, totals in setup.margins.items():
        codes = frame.variables[variable]
        sums: dict[str, float] = {}
        for code, weight in zip(codes, weights, strict=True):
            sums[code] = sums.get(code, 0.0) + float(weight)
        achieved[variable] = [
            {"category": category, "target": float(target), "achieved": sums.get(category, 0.0)}
            for category, target in (
                scale_margins(setup.margins)[variable].items() if setup.method == "rake" else totals.items()
            )
        ]
    return {
        "method": setup.method,
        "variables": list(setup.margins),
        "min": float(weights.min()),
        "max": float(weights.max()),
        "mean": float(weights.mean()),
        "sum": float(weights.sum()),
        "kish_deff": float(kish_design_effect(weights)),
        "effective_n": float(effective_sample_size(weights)),
        "n": int(weights.size),
        "margins": achieved,
    }


# --- estimates ------------------------------------------------------------------------------------------------


class Estimator:
    """Shares and means with intervals: Wilson and t for a simple random sample, the design's otherwise.

    Every figure is returned as a dict; one resting on fewer than `minimum` answers is {"suppressed": True}.
    """

    def __init__(self, design: SurveyDesign | None, minimum: int, level: float = LEVEL) -> None:
        self.design = design
        self.minimum = minimum
        self.level = level

    def hidden(self, n: int) -> bool:
        return n < self.minimum

    def share(
        self, hits: npt.NDArray[np.bool_], answered: npt.NDArray[np.bool_], domain: Any = None
    ) -> dict[str, Any]:
        mask = answered if domain is None else answered & domain
        n = int(mask.sum())
        if self.hidden(n):
            return {"suppressed": True}
        count = int((hits & mask).sum())
        if self.design is None:
            p = wilson_interval(count, n, level=self.level)
            return {"value": p.value, "ci_low": p.ci_low, "ci_high": p.ci_high, "n": n, "count": count}
        y = np.where(answered, hits.astype(np.float64), math.nan)
        e = self.design.mean(y, level=self.level, domain=domain)
        return {
            "value": e.value,
            "se": _finite(e.se),
            "ci_low": max(0.0, e.ci_low) if math.isfinite(e.ci_low) else None,
            "ci_high": min(1.0, e.ci_high) if math.isfinite(e.ci_high) else None,
            "n": n,
            "count": count,
        }

    def mean(
        self, values: FloatArray, domain: Any = None, bounds: tuple[float, float] | None = None
    ) -> dict[str, Any]:
        """The mean with its interval; an interval is clipped to `bounds` (the scale's ends), since with a few
        answers the t interval runs far past them (two answers on 1-5: -9.71 to 15.71)."""
        figure = self._mean(values, domain)
        if bounds is not None and not figure.get("suppressed"):
            low, high = bounds
            if figure.get("ci_low") is not None:
                figure["ci_low"] = min(max(figure["ci_low"], low), high)
            if figure.get("ci_high") is not None:
                figure["ci_high"] = max(min(figure["ci_high"], high), low)
        return figure

    def _mean(self, values: FloatArray, domain: Any = None) -> dict[str, Any]:
        answered = ~np.isnan(values)
        mask = answered if domain is None else answered & domain
        n = int(mask.sum())
        if self.hidden(n):
            return {"suppressed": True}
        if self.design is None:
            picked = values[mask]
            mean = float(picked.mean())
            se = float(picked.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            half = float(scipy_stats.t.ppf(1 - (1 - self.level) / 2, n - 1)) * se if n > 1 else math.nan
            return {
                "value": mean,
                "se": _finite(se),
                "ci_low": _finite(mean - half),
                "ci_high": _finite(mean + half),
                "n": n,
            }
        e = self.design.mean(values, level=self.level, domain=domain)
        return {
            "value": e.value,
            "se": _finite(e.se),
            "ci_low": _finite(e.ci_low),
            "ci_high": _finite(e.ci_high),
            "n": n,
        }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- the instrument -------------------------------------------------------------------------------------------


def closed_questions(questions: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    kinds = (*SCALES, *CATEGORICAL, "multiple")
    return [q for q in questions if q.get("kind") in kinds]


def by_measure(questions: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The first rating question that measures each thing (satisfaction, ease, nps, ...)."""
    found: dict[str, Mapping[str, Any]] = {}
    for question in questions:
        measure = question.get("measures") or ""
        if measure and question.get("kind") in SCALES and measure not in found:
            found[measure] = question
    return found


def top_box_hits(values: FloatArray, kind: str) -> npt.NDArray[np.bool_]:
    """Agreement: the top two points of the scale (4-5 of 5, 6-7 of 7, 9-10 of 10)."""
    _low, high = SCALES[kind]
    return values >= high - 1


def headline_question(questions: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    measures = by_measure(questions)
    for measure in ("satisfaction", "overall", "trust"):
        if measure in measures:
            return measures[measure]
    rated = [q for q in questions if q.get("kind") in SCALES and q.get("kind") != "scale0_10"]
    return rated[0] if rated else None


def _choice_labels(question: Mapping[str, Any]) -> dict[str, str]:
    return {str(c.get("value")): str(c.get("label") or c.get("value")) for c in question.get("choices") or []}


# --- sections -------------------------------------------------------------------------------------------------


def question_result(
    question: Mapping[str, Any], frame: ResponseFrame, estimator: Estimator
) -> dict[str, Any]:
    kind = str(question["kind"])
    labels = _choice_labels(question)
    result: dict[str, Any] = {
        "key": question["key"],
        "text": question.get("text", ""),
        "kind": kind,
        "measures": question.get("measures") or "",
    }
    if kind == "multiple":
        raw = frame.raw(str(question["key"]))
        answered = np.array([isinstance(v, list) and bool(v) for v in raw])
        n = int(answered.sum())
        result["n"] = None if estimator.hidden(n) else n
        result["suppressed"] = estimator.hidden(n)
        codes = list(labels) or sorted({str(x) for v in raw if isinstance(v, list) for x in v})
        rows = []
        for code in codes:
            hits = np.array([isinstance(v, list) and code in {str(x) for x in v} for v in raw])
            rows.append({"value": code, "label": labels.get(code, code), **estimator.share(hits, answered)})
        result["rows"] = [] if result["suppressed"] else rows
        return result
    if kind in SCALES:
        values = frame.numbers(str(question["key"]))
        answered = ~np.isnan(values)
        codes = [str(p) for p in range(SCALES[kind][0], SCALES[kind][1] + 1)]
        keys = np.where(answered, values, -1).astype(np.int64)
        hits_for: Callable[[str], npt.NDArray[np.bool_]] = lambda code: keys == int(code)  # noqa: E731
    else:
        raw = frame.raw(str(question["key"]))
        text = np.array(
            ["" if v is None or v == "" or isinstance(v, list) else str(v) for v in raw], dtype=object
        )
        answered = text != ""
        codes = list(labels) + sorted(set(text[answered]) - set(labels))
        hits_for = lambda code: text == code  # noqa: E731
    n = int(answered.sum())
    hidden = estimator.hidden(n)
    result["n"] = None if hidden else n
    result["suppressed"] = hidden
    if hidden:
        result["rows"] = []
        return result
    result["rows"] = [
        {"value": code, "label": labels.get(code, code), **estimator.share(hits_for(code), answered)}
        for code in codes
    ]
    if kind in SCALES:
        result["mean"] = estimator.mean(values, bounds=SCALES[kind])
        if kind != "scale0_10" or result["measures"] != "nps":
            result["top_box"] = estimator.share(top_box_hits(values, kind), answered)
        result["scale"] = list(SCALES[kind])
    return result


def a11_result(
    questions: Sequence[Mapping[str, Any]], frame: ResponseFrame, estimator: Estimator
) -> list[dict[str, Any]]:
    """Share agreeing (4-5 of 5) with each A-11 driver statement; Wilson unweighted, design-based weighted."""
    measures = by_measure(questions)
    present = {m: measures[m] for m in A11_MEASURES if m in measures and measures[m]["kind"] == "likert5"}
    if not present:
        return []
    values = {m: frame.numbers(str(q["key"])) for m, q in present.items()}
    unweighted = a11_driver_percentages(values, level=estimator.level)
    rows = []
    for measure, question in present.items():
        answered = ~np.isnan(values[measure])
        if estimator.design is None:
            p = unweighted[measure]
            figure: dict[str, Any] = (
                {"suppressed": True}
                if estimator.hidden(p.n)
                else {"value": p.value, "ci_low": p.ci_low, "ci_high": p.ci_high, "n": p.n, "count": p.count}
            )
        else:
            figure = estimator.share(values[measure] >= 4, answered)
        rows.append({"measure": measure, "key": question["key"], "text": question.get("text", ""), **figure})
    return rows


def nps_result(
    questions: Sequence[Mapping[str, Any]], frame: ResponseFrame, estimator: Estimator
) -> dict[str, Any] | None:
    question = by_measure(questions).get("nps")
    if question is None:
        question = next((q for q in questions if q.get("kind") == "scale0_10"), None)
    if question is None:
        return None
    values = frame.numbers(str(question["key"]))
    values = np.where((values >= 0) & (values <= 10), values, math.nan)
    answered = ~np.isnan(values)
    n = int(answered.sum())
    result: dict[str, Any] = {"key": question["key"], "text": question.get("text", "")}
    if estimator.hidden(n):
        return {**result, "suppressed": True}
    if estimator.design is None:
        score = net_promoter_score(values, level=estimator.level)
        return {
            **result,
            "value": score.value,
            "se": score.se,
            "ci_low": score.ci_low,
            "ci_high": score.ci_high,
            "promoters": score.promoters,
            "passives": score.passives,
            "detractors": score.detractors,
            "n": n,
        }
    # Weighted NPS: the design mean of +100 (promoter), 0, -100 (detractor) per respondent.
    points = np.where(values >= 9, 100.0, np.where(values <= 6, -100.0, 0.0))
    figure = estimator.mean(np.where(answered, points, math.nan), bounds=(-100.0, 100.0))
    return {
        **result,
        **figure,
        "promoters": int((values >= 9).sum()),
        "passives": int(((values > 6) & (values < 9)).sum()),
        "detractors": int((values <= 6).sum()),
    }


def acsi_result(
    questions: Sequence[Mapping[str, Any]], frame: ResponseFrame, estimator: Estimator
) -> dict[str, Any] | None:
    items = [q for q in questions if q.get("measures") == "acsi" and q.get("kind") in SCALES][:3]
    if len(items) < 3:
        return None
    columns = [frame.numbers(str(q["key"])) for q in items]
    complete = np.all([~np.isnan(c) & (c >= 1) & (c <= 10) for c in columns], axis=0)
    if estimator.hidden(int(complete.sum())):
        return {"suppressed": True, "items": [q["key"] for q in items]}
    scores = np.full(frame.n, math.nan)
    scores[complete] = acsi_index(*(c[complete] for c in columns))
    return {"items": [q["key"] for q in items], **estimator.mean(scores, bounds=(0.0, 100.0))}


def trend_result(
    questions: Sequence[Mapping[str, Any]], frame: ResponseFrame, estimator: Estimator
) -> dict[str, Any] | None:
    """The headline's agreement by fiscal quarter with p-chart limits; A-11 drivers by quarter beside it."""
    headline = headline_question(questions)
    quarters = sorted(set(frame.quarter))
    if headline is None or not quarters:
        return None
    quarter_of = np.array(frame.quarter, dtype=object)
    measures = {
        m: q for m, q in by_measure(questions).items() if m in A11_MEASURES and q["kind"] == "likert5"
    }
    driver_values = {m: frame.numbers(str(q["key"])) for m, q in measures.items()}
    values = frame.numbers(str(headline["key"]))
    answered = ~np.isnan(values)
    hits = top_box_hits(values, str(headline["kind"]))
    rows = []
    for quarter in quarters:
        domain = quarter_of == quarter
        n = int((answered & domain).sum())
        shown = not estimator.hidden(n)
        figure = estimator.share(hits, answered, domain)
        drivers = {
            m: estimator.share(v >= 4, ~np.isnan(v), domain).get("value") for m, v in driver_values.items()
        }
        rows.append(
            {
                "period": quarter,
                "n": n if shown else None,
                "met": int((hits & answered & domain).sum()) if shown else None,
                **figure,
                "drivers": drivers,
            }
        )
    shown_rows = [r for r in rows if not r.get("suppressed")]
    if estimator.design is None:
        chart = p_chart([r["met"] for r in shown_rows], [r["n"] for r in shown_rows])
    else:
        # Weighted: each quarter's weighted share on its effective sample size (Kish), so the centre is the
        # weighted share and the limits widen as unequal weights cost precision.
        sizes = [
            effective_sample_size(estimator.design.weights[answered & (quarter_of == r["period"])])
            for r in shown_rows
        ]
        chart = p_chart([r["value"] * size for r, size in zip(shown_rows, sizes, strict=True)], sizes)
        for row, size in zip(shown_rows, sizes, strict=True):
            row["effective_n"] = size
    for row, point in zip(shown_rows, chart.points, strict=True):
        row["lower_limit"] = point.lower_limit
        row["upper_limit"] = point.upper_limit
        row["flags"] = list(point.flags)
    return {
        "key": headline["key"],
        "text": headline.get("text", ""),
        "centre": chart.centre,
        "rows": rows,
        "drivers": list(driver_values),
        "changes": period_changes(shown_rows, hits, answered, quarter_of, estimator),
    }


def period_changes(
    rows: Sequence[Mapping[str, Any]],
    hits: npt.NDArray[np.bool_],
    answered: npt.NDArray[np.bool_],
    quarter_of: npt.NDArray[Any],
    estimator: Estimator,
) -> list[dict[str, Any]]:
    """Each shown quarter against the one before: the change in share agreeing, its 95% interval and p-value
    (a two-proportion test unweighted; design-based estimates, weighted), Holm-adjusted over the quarters."""
    if len(rows) < 2:
        return []
    periods = [str(r["period"]) for r in rows]
    if estimator.design is None:
        tested = compare_proportions(
            {r["period"]: (r["met"], r["n"]) for r in rows}, pairs="consecutive", level=estimator.level
        )
    else:
        y = np.where(answered, hits.astype(np.float64), math.nan)
        estimates = {
            period: estimator.design.mean(y, level=estimator.level, domain=quarter_of == period)
            for period in periods
        }
        tested = compare_estimates(estimates, pairs="consecutive", level=estimator.level)
    return [
        {
            "from": c.group_a,
            "to": c.group_b,
            "difference": c.difference,
            "ci_low": c.ci_low,
            "ci_high": c.ci_high,
            "p_adjusted": c.p_adjusted,
            "signal": c.p_adjusted is not None and c.p_adjusted < 1 - estimator.level,
        }
        for c in tested
    ]


def breakdown_results(
    questions: Sequence[Mapping[str, Any]],
    frame: ResponseFrame,
    estimator: Estimator,
) -> list[dict[str, Any]]:
    """The headline's agreement by channel, service, office, location and language, with Holm-adjusted tests.

    Groups and comparisons name categories by code; the pages name them in the reader's language."""
    headline = headline_question(questions)
    if headline is None or frame.n == 0:
        return []
    values = frame.numbers(str(headline["key"]))
    answered = ~np.isnan(values)
    hits = top_box_hits(values, str(headline["kind"]))
    results = []
    for variable in BREAKDOWN_VARIABLES:
        codes = np.array(frame.variables[variable], dtype=object)
        present, counts = np.unique(codes[answered & (codes != "")], return_counts=True)
        if present.size < 2:
            continue
        order = np.argsort(-counts, kind="stable")[:MOST_GROUPS]
        groups = []
        for index in order:
            code = str(present[index])
            figure = estimator.share(hits, answered, codes == code)
            groups.append({"code": code, **figure})
        comparable = [g for g in groups if not g.get("suppressed")]
        comparisons: list[dict[str, Any]] = []
        if len(comparable) >= 2:
            if estimator.design is None:
                tested = compare_proportions(
                    {g["code"]: (g["count"], g["n"]) for g in comparable},
                    adjust="holm",
                    level=estimator.level,
                )
            else:
                estimates = {
                    g["code"]: estimator.design.mean(
                        np.where(answered, hits.astype(np.float64), math.nan), domain=codes == g["code"]
                    )
                    for g in comparable
                }
                tested = compare_estimates(estimates, adjust="holm", level=estimator.level)
            comparisons = [
                {
                    "a": c.group_a,
                    "b": c.group_b,
                    "difference": c.difference,
                    "p_value": c.p_value,
                    "p_adjusted": c.p_adjusted,
                }
                for c in tested
                if c.p_adjusted is not None and c.p_adjusted < 1 - estimator.level
            ]
            tests = len(tested)
        else:
            tests = 0
        results.append(
            {
                "variable": variable,
                "groups": groups,
                "comparisons": sorted(comparisons, key=lambda c: c["p_adjusted"]),
                "tests": tests,
                "more_groups": int(present.size - len(order)),
            }
        )
    return results


def response_rates(dispositions: Mapping[str, int]) -> dict[str, Any] | None:
    """AAPOR rates from invitation dispositions; e is the eligible share among cases of known eligibility."""
    if not dispositions:
        return None
    counts = {code: 0 for code in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")}
    for disposition, count in dispositions.items():
        counts[DISPOSITION_CODES.get(disposition, "UO")] += count
    eligible = counts["I"] + counts["P"] + counts["R"] + counts["NC"] + counts["O"]
    e = eligible / (eligible + counts["NE"]) if eligible + counts["NE"] else None
    rates = outcome_rates(Dispositions(**counts, e=e))
    return {"counts": counts, "e": e, "invitations": sum(dispositions.values()), "rates": vars(rates)}


def drivers_result(
    questions: Sequence[Mapping[str, Any]],
    frame: ResponseFrame,
    estimator: Estimator,
    a11: Sequence[Mapping[str, Any]],
) -> dict[str, Any] | None:
    """Johnson's relative weights (and Shapley) of each A-11 driver for satisfaction (or overall, or trust)."""
    measures = by_measure(questions)
    outcome = next((measures[m] for m in ("satisfaction", "overall", "trust") if m in measures), None)
    drivers = {m: measures[m] for m in A11_DRIVERS if m in measures and measures[m] is not outcome}
    if outcome is None or len(drivers) < 2:
        return None
    x = np.column_stack([frame.numbers(str(q["key"])) for q in drivers.values()])
    y = frame.numbers(str(outcome["key"]))
    complete = int((~np.isnan(x).any(axis=1) & ~np.isnan(y)).sum())
    base = {
        "outcome": outcome["key"],
        "outcome_text": outcome.get("text", ""),
        "outcome_measure": outcome.get("measures"),
    }
    if estimator.hidden(complete):
        return {**base, "suppressed": True}
    names = list(drivers)
    survey_weights = estimator.design.weights if estimator.design is not None else None
    try:
        weights = relative_weights(x, y, names=names, weights=survey_weights)
        shapley = shapley_r_squared(x, y, names=names, weights=survey_weights)
    except ValueError as error:
        return {**base, "error": str(error)}
    shapley_share = {d.driver: d.share for d in shapley.drivers}
    performance = {
        row["measure"]: row["value"]
        for row in a11
        if row["measure"] in drivers and row.get("value") is not None
    }
    rows = [
        {
            "measure": d.driver,
            "key": drivers[d.driver]["key"],
            "text": drivers[d.driver].get("text", ""),
            "weight": d.weight,
            "share": d.share,
            "shapley_share": shapley_share.get(d.driver),
            "performance": performance.get(d.driver),
        }
        for d in weights.drivers
    ]
    ipa = None
    if len(performance) == len(drivers):
        chart = importance_performance({d.driver: d.share for d in weights.drivers}, performance)
        quadrant = {item.name: item.quadrant for item in chart.items}
        for row in rows:
            row["quadrant"] = quadrant.get(row["measure"])
        ipa = {"importance_mean": chart.importance_mean, "performance_mean": chart.performance_mean}
    return {
        **base,
        "r_squared": weights.r_squared,
        "n": weights.n,
        "drivers": rows,
        "ipa": ipa,
        "weighted": survey_weights is not None,
    }


def servqual_result(
    questions: Sequence[Mapping[str, Any]], frame: ResponseFrame, estimator: Estimator
) -> dict[str, Any] | None:
    expectation: dict[str, FloatArray] = {}
    perception: dict[str, FloatArray] = {}
    for q in questions:
        dimension = q.get("dimension") or q["key"]
        if q.get("measures") == "expectation" and q.get("kind") in SCALES:
            expectation.setdefault(str(dimension), frame.numbers(str(q["key"])))
        elif q.get("measures") == "perception" and q.get("kind") in SCALES:
            perception.setdefault(str(dimension), frame.numbers(str(q["key"])))
    paired = [d for d in perception if d in expectation]
    if not paired:
        return None
    counts = {d: int((~np.isnan(perception[d]) & ~np.isnan(expectation[d])).sum()) for d in paired}
    shown = [d for d in paired if not estimator.hidden(counts[d])]
    if not shown:
        return {"suppressed": True}
    gaps = servqual_gaps(
        {d: perception[d] for d in shown}, {d: expectation[d] for d in shown}, {d: d for d in shown}
    )
    rows = [
        {
            "dimension": d,
            "expectation": float(np.nanmean(expectation[d])),
            "perception": float(np.nanmean(perception[d])),
            "gap": gaps.dimensions.get(d),
            "n": counts[d],
        }
        for d in shown
    ]
    return {"rows": rows, "overall": gaps.overall, "hidden": len(paired) - len(shown)}


def themes_result(
    questions: Sequence[Mapping[str, Any]], frame: ResponseFrame, minimum: int
) -> dict[str, Any] | None:
    """Themes of the open comments, from a seeded sample when there are many; examples are the comments."""
    keys = [
        str(q["key"])
        for q in questions
        if q.get("kind") in COMMENT_KINDS and (q.get("measures") or "") in COMMENT_MEASURES
    ]
    if not keys:
        return None
    comments = [str(v).strip() for key in keys for v in frame.raw(key) if isinstance(v, str) and v.strip()]
    total = len(comments)
    if total < minimum:
        return {"suppressed": True, "questions": keys}
    sample = comments if total <= THEME_SAMPLE else random.Random(0).sample(comments, THEME_SAMPLE)
    themes = find_themes(sample, max_themes=6, examples=3)
    return {
        "questions": keys,
        "comments": total,
        "sampled": len(sample),
        "themes": [
            {
                "label": theme.label,
                "terms": list(theme.terms),
                "share": theme.share,
                "size": round(theme.share * total),
                "examples": [sample[i] for i in theme.examples],
            }
            for theme in themes
        ],
    }


def analyse(
    questions: Sequence[Mapping[str, Any]],
    frame: ResponseFrame,
    *,
    minimum: int,
    counts: Mapping[str, int],
    dispositions: Mapping[str, int],
    weighting: WeightingSetup | None = None,
) -> dict[str, Any]:
    """Every section of the analysis pages, ready to store as JSON."""
    design = base_design(frame)
    summary = None
    weighting_error = None
    if weighting is not None and frame.n:
        try:
            design = weighted_design(frame, weighting)
            summary = weights_summary(design, frame, weighting)
        except WeightingError as error:
            weighting_error = error.as_data()
    estimator = Estimator(design, minimum)
    closed = closed_questions(questions)
    a11 = a11_result(questions, frame, estimator)
    complete, partial = counts.get("complete", 0), counts.get("partial", 0)
    return {
        "minimum": minimum,
        "level": LEVEL,
        "weighted": design is not None,
        "weighting": summary,
        "weighting_error": weighting_error,
        "counts": {
            "analysed": frame.n,
            "complete": complete,
            "partial": partial,
            "spam": counts.get("spam", 0),
            "completion": complete / (complete + partial) if complete + partial else None,
        },
        "questions": [question_result(q, frame, estimator) for q in closed],
        "a11": a11,
        "nps": nps_result(questions, frame, estimator),
        "acsi": acsi_result(questions, frame, estimator),
        "trend": trend_result(questions, frame, estimator),
        "breakdowns": breakdown_results(questions, frame, estimator),
        "response_rates": response_rates(dispositions),
        "drivers": drivers_result(questions, frame, estimator, a11),
        "servqual": servqual_result(questions, frame, estimator),
        "themes": themes_result(questions, frame, minimum),
    }
