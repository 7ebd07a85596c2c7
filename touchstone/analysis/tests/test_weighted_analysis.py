"""Raked or post-stratified weights reach every section: drivers, importance-performance, the quarterly p-chart
and the change from one quarter to the next, each checked against a computation by hand."""

import numpy as np
import pytest

from touchstone.analysis.computation import (
    Estimator,
    ResponseFrame,
    WeightingSetup,
    a11_result,
    analyse,
    drivers_result,
    trend_result,
    weighted_design,
)
from touchstone.analysis.views import weights_applied
from touchstone.stats import effective_sample_size

QUESTIONS = [
    {"key": "sat", "kind": "likert5", "measures": "satisfaction", "text": "Satisfied"},
    {"key": "ease", "kind": "likert5", "measures": "ease", "text": "Easy"},
    {"key": "time", "kind": "likert5", "measures": "efficiency", "text": "Quick"},
]


def survey_frame() -> ResponseFrame:
    """120 respondents over two quarters; phone callers (a fifth of them) are less satisfied and find it harder."""
    rng = np.random.default_rng(3)
    answers, quarters, channels = [], [], []
    for i in range(120):
        phone = i % 5 == 0
        ease = int(np.clip(rng.integers(1, 4) if phone else rng.integers(3, 6), 1, 5))
        time = int(np.clip(ease + rng.integers(-1, 2), 1, 5))
        satisfied = int(np.clip(round(0.7 * ease + 0.3 * time + rng.normal(0, 0.6)), 1, 5))
        answers.append({"sat": satisfied, "ease": ease, "time": time})
        quarters.append("FY2026 Q1" if i < 60 else "FY2026 Q2")
        channels.append("phone" if phone else "website")
    n = len(answers)
    return ResponseFrame(
        answers=answers,
        quarter=quarters,
        variables={
            "channel": channels,
            "service": [""] * n,
            "office": [""] * n,
            "location": [""] * n,
            "language": [""] * n,
        },
        weight=[None] * n,
        stratum=[""] * n,
        cluster=[""] * n,
        population_size=[None] * n,
    )


POST_STRATIFY = WeightingSetup("poststratify", {"channel": {"phone": 5000.0, "website": 5000.0}})


def hand_r_squared(columns: list[np.ndarray], y: np.ndarray, w: np.ndarray) -> float:
    """Weighted least squares by hand: regress sqrt(w) y on sqrt(w) [1, x], R squared about the weighted mean."""
    x = np.column_stack([np.ones_like(y), *columns])
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
    mean = np.sum(w * y) / np.sum(w)
    return float(1 - np.sum(w * (y - x @ beta) ** 2) / np.sum(w * (y - mean) ** 2))


def test_weighted_drivers_match_weighted_least_squares_by_hand() -> None:
    frame = survey_frame()
    design = weighted_design(frame, POST_STRATIFY)
    w = design.weights
    # Post-stratified to half and half: each phone caller stands for 5000/24 people, each web user 5000/96.
    assert w[0] == pytest.approx(5000 / 24) and w[1] == pytest.approx(5000 / 96)
    estimator = Estimator(design, minimum=10)
    result = drivers_result(QUESTIONS, frame, estimator, a11_result(QUESTIONS, frame, estimator))
    assert result is not None and result["weighted"]
    y, ease, time = (frame.numbers(k) for k in ("sat", "ease", "time"))
    both = hand_r_squared([ease, time], y, w)
    alone = {"ease": hand_r_squared([ease], y, w), "efficiency": hand_r_squared([time], y, w)}
    assert result["r_squared"] == pytest.approx(both)
    shapley = {row["measure"]: row["shapley_share"] for row in result["drivers"]}
    # Two drivers: each one's Shapley value is the average of its gain entering first and entering second.
    ease_value = (alone["ease"] + both - alone["efficiency"]) / 2
    assert shapley["ease"] == pytest.approx(ease_value / both)
    unweighted = drivers_result(
        QUESTIONS, frame, Estimator(None, 10), a11_result(QUESTIONS, frame, Estimator(None, 10))
    )
    assert unweighted is not None and not unweighted["weighted"]
    assert unweighted["r_squared"] != pytest.approx(both)


def test_importance_performance_uses_the_weighted_shares_agreeing() -> None:
    frame = survey_frame()
    design = weighted_design(frame, POST_STRATIFY)
    estimator = Estimator(design, minimum=10)
    result = drivers_result(QUESTIONS, frame, estimator, a11_result(QUESTIONS, frame, estimator))
    assert result is not None
    ease = frame.numbers("ease")
    by_hand = float(np.sum(design.weights * (ease >= 4)) / np.sum(design.weights))
    performance = {row["measure"]: row["performance"] for row in result["drivers"]}
    assert performance["ease"] == pytest.approx(by_hand)
    assert performance["ease"] < float(np.mean(ease >= 4))  # phone callers count for more once weighted


def test_the_weighted_p_chart_sits_on_effective_sample_sizes() -> None:
    frame = survey_frame()
    design = weighted_design(frame, POST_STRATIFY)
    trend = trend_result(QUESTIONS, frame, Estimator(design, minimum=10))
    assert trend is not None
    y = frame.numbers("sat")
    quarter = np.array(frame.quarter)
    shares, sizes = [], []
    for label in ("FY2026 Q1", "FY2026 Q2"):
        w = design.weights[quarter == label]
        shares.append(float(np.sum(w * (y[quarter == label] >= 4)) / np.sum(w)))
        sizes.append(effective_sample_size(w))
    rows = {row["period"]: row for row in trend["rows"]}
    assert [rows[q]["value"] for q in ("FY2026 Q1", "FY2026 Q2")] == pytest.approx(shares)
    centre = sum(p * n for p, n in zip(shares, sizes, strict=True)) / sum(sizes)
    assert trend["centre"] == pytest.approx(centre)
    half = 3 * np.sqrt(centre * (1 - centre) / sizes[0])
    assert rows["FY2026 Q1"]["upper_limit"] == pytest.approx(min(1.0, centre + half))
    assert rows["FY2026 Q1"]["effective_n"] == pytest.approx(sizes[0]) and sizes[0] < 60


def test_the_change_between_quarters_is_the_weighted_difference() -> None:
    frame = survey_frame()
    design = weighted_design(frame, POST_STRATIFY)
    trend = trend_result(QUESTIONS, frame, Estimator(design, minimum=10))
    assert trend is not None
    rows = {row["period"]: row for row in trend["rows"]}
    [change] = trend["changes"]
    assert (change["from"], change["to"]) == ("FY2026 Q1", "FY2026 Q2")
    assert change["difference"] == pytest.approx(rows["FY2026 Q2"]["value"] - rows["FY2026 Q1"]["value"])
    assert change["ci_low"] < change["difference"] < change["ci_high"]
    plain = trend_result(QUESTIONS, frame, Estimator(None, minimum=10))
    assert plain is not None
    unweighted = plain["changes"][0]
    # Unequal weights cost precision: the weighted change has the wider interval.
    assert change["ci_high"] - change["ci_low"] > unweighted["ci_high"] - unweighted["ci_low"]


def test_the_pages_say_which_weights_are_applied() -> None:
    frame = survey_frame()
    counts = {"complete": frame.n}
    common = {"minimum": 10, "counts": counts, "dispositions": {}}
    raked = analyse(QUESTIONS, frame, **common, weighting=WeightingSetup("rake", POST_STRATIFY.margins))
    post = analyse(QUESTIONS, frame, **common, weighting=POST_STRATIFY)
    plain = analyse(QUESTIONS, frame, **common)
    assert weights_applied(raked).startswith("Weights applied: raked to the population's margins by channel")
    assert weights_applied(post).startswith("Weights applied: post-stratified to the population by channel")
    assert weights_applied(plain).startswith("Weights applied: none")
    assert raked["drivers"]["weighted"] and post["drivers"]["weighted"] and not plain["drivers"]["weighted"]
