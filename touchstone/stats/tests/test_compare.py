"""Group differences and multiple-comparison adjustment."""

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportions_ztest

from touchstone.stats import Estimate, adjust_p_values, compare_estimates, compare_means, compare_proportions


def test_holm_and_benjamini_hochberg_adjustments():
    assert adjust_p_values([0.01, 0.04, 0.03], "holm") == pytest.approx([0.03, 0.06, 0.06])
    assert adjust_p_values([0.01, 0.04, 0.03], "fdr_bh") == pytest.approx([0.03, 0.04, 0.04])


def test_adjustment_skips_missing_p_values():
    assert adjust_p_values([0.01, None, 0.02], "holm") == [pytest.approx(0.02), None, pytest.approx(0.02)]


def test_two_proportions_use_the_pooled_z_test():
    [comparison] = compare_proportions({"Q1": (45, 100), "Q2": (60, 110)})
    _, expected = proportions_ztest([60, 45], [110, 100])
    assert comparison.difference == pytest.approx(60 / 110 - 45 / 100)
    assert comparison.p_value == pytest.approx(expected)
    assert comparison.ci_low < comparison.difference < comparison.ci_high


def test_consecutive_periods_are_compared_in_order_with_holm_adjustment():
    groups = {"Jan": (40, 100), "Feb": (50, 100), "Mar": (70, 100)}
    comparisons = compare_proportions(groups, pairs="consecutive")
    assert [(c.group_a, c.group_b) for c in comparisons] == [("Jan", "Feb"), ("Feb", "Mar")]
    assert all(c.adjustment == "holm" and c.p_adjusted >= c.p_value for c in comparisons)


def test_an_empty_group_gives_none_rather_than_an_error():
    [comparison] = compare_proportions({"web": (0, 0), "phone": (5, 10)})
    assert comparison.p_value is None and comparison.difference is None


def test_means_use_welch_t_test():
    rng = np.random.default_rng(1)
    web, phone = rng.normal(4.0, 1.0, 40), rng.normal(4.5, 2.0, 30)
    [comparison] = compare_means({"web": web, "phone": phone}, adjust="none")
    assert comparison.p_value == pytest.approx(scipy_stats.ttest_ind(phone, web, equal_var=False).pvalue)


def test_design_based_estimates_compare_against_a_reference_group():
    def estimate(value, se):
        return Estimate(value, se, value - 2 * se, value + 2 * se, 30.0, None, 100)

    groups = {"2024": estimate(0.70, 0.02), "2025": estimate(0.75, 0.02), "2026": estimate(0.71, 0.03)}
    comparisons = compare_estimates(groups, reference="2024", adjust="fdr_bh")
    assert [c.group_b for c in comparisons] == ["2025", "2026"]
    assert comparisons[0].se == pytest.approx(np.sqrt(0.02**2 + 0.02**2))
    assert comparisons[0].p_value == pytest.approx(2 * scipy_stats.norm.sf(0.05 / np.sqrt(0.0008)))


def test_unknown_reference_group_is_named():
    with pytest.raises(ValueError, match="reference group 'Q9'"):
        compare_proportions({"Q1": (1, 2), "Q2": (1, 2)}, reference="Q9")
