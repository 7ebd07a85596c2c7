"""Wilson intervals, top-2-box, NPS, the ACSI-style index and A-11 driver percentages."""

import math

import numpy as np
import pytest

from touchstone.stats import a11_driver_percentages, acsi_index, net_promoter_score, top_box, wilson_interval


def test_wilson_interval_agrees_with_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    result = wilson_interval(81, 263)
    low, high = proportion_confint(81, 263, method="wilson")
    assert result.value == pytest.approx(81 / 263)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_wilson_on_no_responses_returns_none_not_nan():
    result = wilson_interval(0, 0)
    assert result.value is None
    assert result.ci_low is None and result.ci_high is None
    assert result.reason == "no responses"


def test_wilson_on_zero_count_has_a_positive_upper_bound():
    result = wilson_interval(0, 20)
    assert result.value == 0.0
    assert result.ci_low == 0.0
    assert 0 < result.ci_high < 0.2


def test_top_two_box_counts_fours_and_fives_and_skips_missing():
    result = top_box([5, 4, 3, 2, 1, np.nan, 4])
    assert (result.count, result.n) == (3, 6)


def test_net_promoter_score_and_its_multinomial_standard_error():
    scores = [10] * 50 + [8] * 30 + [3] * 20
    nps = net_promoter_score(scores)
    assert nps.value == pytest.approx(30.0)
    assert nps.se == pytest.approx(100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100))
    assert (nps.promoters, nps.passives, nps.detractors) == (50, 30, 20)
    assert nps.ci_low < nps.value < nps.ci_high


def test_net_promoter_score_without_answers_is_none():
    nps = net_promoter_score([])
    assert nps.value is None and nps.se is None and nps.reason == "no responses"


def test_acsi_index_runs_from_0_to_100():
    assert acsi_index(1, 1, 1) == pytest.approx(0.0)
    assert acsi_index(10, 10, 10) == pytest.approx(100.0)
    assert acsi_index(8, 7, 9, weights=(0.5, 0.3, 0.2)) == pytest.approx(
        (7 * 0.5 + 6 * 0.3 + 8 * 0.2) / 9 * 100
    )
    np.testing.assert_allclose(acsi_index([1, 10], [1, 10], [1, 10]), [0.0, 100.0])


def test_acsi_weights_must_sum_to_one():
    with pytest.raises(ValueError, match="sum"):
        acsi_index(5, 5, 5, weights=(0.5, 0.5, 0.5))


def test_a11_driver_percentages_report_share_agreeing_per_driver():
    result = a11_driver_percentages({"trust": [5, 4, 2, 1], "ease": [], "efficiency": [4, 4, 4, 3]})
    assert result["trust"].value == 0.5
    assert result["ease"].value is None
    assert result["efficiency"].value == 0.75
