"""Taylor-linearised estimates against R's `survey` package (DOMAIN.md section 5 and R's documentation)."""

import math

import numpy as np
import pytest

from touchstone.stats import Estimate, SurveyDesign
from touchstone.stats.tests.api_data import ApiTable, assert_matches_r


@pytest.fixture(scope="module")
def apistrat():
    return ApiTable("apistrat")


@pytest.fixture(scope="module")
def apiclus1():
    return ApiTable("apiclus1")


@pytest.fixture(scope="module")
def apiclus2():
    return ApiTable("apiclus2")


def stratified(data):
    """svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"""
    return SurveyDesign(data.numbers("pw"), strata=data.labels("stype"), fpc=data.numbers("fpc"))


def one_stage_cluster(data):
    """svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"""
    return SurveyDesign(data.numbers("pw"), ids=data.numbers("dnum"), fpc=data.numbers("fpc"))


def test_stratified_mean_matches_r(apistrat):
    estimate = stratified(apistrat).mean(apistrat.numbers("api00"))
    assert_matches_r(estimate.value, "662.2873632")
    assert_matches_r(estimate.se, "9.40894")


def test_stratified_total_matches_r(apistrat):
    estimate = stratified(apistrat).total(apistrat.numbers("enroll"))
    assert_matches_r(estimate.value, "3687177.532")
    assert_matches_r(estimate.se, "114641.7161")


def test_cluster_mean_matches_r(apiclus1):
    estimate = one_stage_cluster(apiclus1).mean(apiclus1.numbers("api00"))
    assert_matches_r(estimate.value, "644.1693989")
    assert_matches_r(estimate.se, "23.54224")


def test_cluster_total_matches_r(apiclus1):
    estimate = one_stage_cluster(apiclus1).total(apiclus1.numbers("enroll"))
    assert_matches_r(estimate.value, "3404940.135")
    assert_matches_r(estimate.se, "932235.027")


def test_cluster_proportion_matches_r(apiclus1):
    estimate = one_stage_cluster(apiclus1).proportion(apiclus1.labels("sch.wide"), "Yes")
    assert_matches_r(estimate.value, "0.8743169399")
    assert_matches_r(estimate.se, "0.02036")


def test_two_stage_mean_matches_r_documentation(apiclus2):
    # svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2); svymean(~api00) prints 670.81 and SE 30.099.
    design = SurveyDesign(
        ids=[apiclus2.numbers("dnum"), apiclus2.numbers("snum")],
        fpc=[apiclus2.numbers("fpc1"), apiclus2.numbers("fpc2")],
    )
    estimate = design.mean(apiclus2.numbers("api00"))
    assert_matches_r(estimate.value, "670.8118")
    assert_matches_r(estimate.se, "30.099")


def test_two_stage_total_with_missing_values_matches_r_documentation(apiclus2):
    # svytotal(~enroll, dclus2, na.rm=TRUE) prints 2639273 and SE 799638.
    design = SurveyDesign(
        apiclus2.numbers("pw"),
        ids=[apiclus2.numbers("dnum"), apiclus2.numbers("snum")],
        fpc=[apiclus2.numbers("fpc1"), apiclus2.numbers("fpc2")],
    )
    estimate = design.total(apiclus2.numbers("enroll"))
    assert_matches_r(estimate.value, "2639273")
    assert_matches_r(estimate.se, "799638")
    assert estimate.n == 120


def test_simple_random_sample_matches_r_documentation():
    # svydesign(id=~1, fpc=~fpc, data=apisrs): svymean(~api00) 656.58 SE 9.2497; svytotal(~enroll) 3621074 SE 169520.
    data = ApiTable("apisrs")
    design = SurveyDesign(fpc=data.numbers("fpc"))
    mean = design.mean(data.numbers("api00"))
    total = design.total(data.numbers("enroll"))
    assert_matches_r(mean.value, "656.58")
    assert_matches_r(mean.se, "9.2497")
    assert_matches_r(total.value, "3621074")
    assert_matches_r(total.se, "169520")
    assert mean.deff == pytest.approx(1.0)


def test_weights_default_to_those_implied_by_the_fpc(apiclus1):
    # R: 757 districts in the population, 15 sampled, so each school stands for 757 / 15 of them.
    implied = SurveyDesign(ids=apiclus1.numbers("dnum"), fpc=apiclus1.numbers("fpc"))
    np.testing.assert_allclose(implied.weights, 757 / 15)


def test_fpc_as_sampling_fraction_gives_the_same_answer_as_population_size(apistrat):
    fraction = 1 / apistrat.numbers("pw")
    design = SurveyDesign(apistrat.numbers("pw"), strata=apistrat.labels("stype"), fpc=fraction)
    assert_matches_r(design.mean(apistrat.numbers("api00")).se, "9.40894")


def test_without_fpc_variance_is_with_replacement(apiclus1):
    design = SurveyDesign(apiclus1.numbers("pw"), ids=apiclus1.numbers("dnum"))
    with_fpc = one_stage_cluster(apiclus1).mean(apiclus1.numbers("api00")).se
    assert design.mean(apiclus1.numbers("api00")).se == pytest.approx(with_fpc / math.sqrt(1 - 15 / 757))


def test_confidence_interval_uses_design_degrees_of_freedom(apiclus1):
    estimate = one_stage_cluster(apiclus1).mean(apiclus1.numbers("api00"))
    assert estimate.df == 14
    assert estimate.ci_high - estimate.value == pytest.approx(2.144786688 * estimate.se)


def test_normal_interval_option_uses_1_96(apistrat):
    estimate = stratified(apistrat).mean(apistrat.numbers("api00"), interval="normal", level=0.9)
    assert math.isinf(estimate.df)
    assert estimate.ci_high - estimate.value == pytest.approx(1.644853627 * estimate.se)


def test_estimate_is_a_frozen_dataclass(apistrat):
    estimate = stratified(apistrat).mean(apistrat.numbers("api00"))
    assert isinstance(estimate, Estimate)
    with pytest.raises(AttributeError):
        estimate.value = 0  # type: ignore[misc]


def test_proportions_of_every_category_add_to_one(apiclus1):
    shares = one_stage_cluster(apiclus1).proportions(apiclus1.labels("stype"))
    assert sorted(shares) == ["E", "H", "M"]
    assert sum(e.value for e in shares.values()) == pytest.approx(1.0)


def test_ratio_of_totals(apiclus1):
    design = one_stage_cluster(apiclus1)
    api00, enroll = apiclus1.numbers("api00"), apiclus1.numbers("enroll")
    ratio = design.ratio(api00, np.ones_like(api00))
    assert ratio.value == pytest.approx(design.mean(api00).value)
    assert ratio.se == pytest.approx(design.mean(api00).se)
    assert design.ratio(api00 * enroll, enroll).value == pytest.approx(
        np.sum(api00 * enroll) / np.sum(enroll)
    )


def test_median_has_a_woodruff_interval_around_it(apiclus1):
    median = one_stage_cluster(apiclus1).quantile(apiclus1.numbers("api00"), 0.5)
    assert median.value == 652
    assert median.ci_low < median.value < median.ci_high
    assert median.se == pytest.approx((median.ci_high - median.ci_low) / (2 * 2.144786688))


def test_quantile_with_equal_weights_is_the_inverse_empirical_cdf():
    values = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    design = SurveyDesign(np.ones(5))
    assert design.quantile(values, 0.4).value == 2.0
    assert design.quantile(values, 0.41).value == 3.0


def test_domain_mean_uses_only_rows_in_the_domain_but_the_whole_design(apistrat):
    design = stratified(apistrat)
    api00 = apistrat.numbers("api00")
    elementary = apistrat.labels("stype") == "E"
    estimate = design.mean(api00, domain=elementary)
    assert estimate.value == pytest.approx(np.mean(api00[elementary]))
    assert estimate.n == int(elementary.sum())


def lonely_design(lonely_psu):
    return SurveyDesign(
        np.ones(5), strata=["a", "a", "b", "c", "c"], ids=[1, 2, 3, 4, 5], lonely_psu=lonely_psu
    )


def test_lonely_psu_fails_by_default_with_a_clear_message():
    with pytest.raises(ValueError, match="only one PSU"):
        lonely_design("fail").mean([1.0, 2.0, 3.0, 4.0, 6.0])


def test_lonely_psu_certainty_adds_no_variance_and_adjust_adds_some():
    y = [1.0, 2.0, 3.0, 4.0, 6.0]
    certainty = lonely_design("certainty").total(y).se
    adjust = lonely_design("adjust").total(y).se
    by_hand = math.sqrt(2 * ((1 - 1.5) ** 2 + (2 - 1.5) ** 2) + 2 * ((4 - 5) ** 2 + (6 - 5) ** 2))
    assert certainty == pytest.approx(by_hand)
    assert adjust > certainty


def test_clusters_that_cross_strata_are_refused_unless_nested():
    with pytest.raises(ValueError, match="nest=True"):
        SurveyDesign(np.ones(4), strata=["a", "a", "b", "b"], ids=[1, 2, 1, 2])
    nested = SurveyDesign(np.ones(4), strata=["a", "a", "b", "b"], ids=[1, 2, 1, 2], nest=True)
    assert nested.df == 2


def test_mixing_population_sizes_and_fractions_is_refused():
    with pytest.raises(ValueError, match="population sizes"):
        SurveyDesign(np.ones(3), fpc=[100.0, 0.5, 100.0])


def test_cluster_ids_given_as_text_give_the_same_answer_as_numbers(apiclus2):
    # Codes sort differently as text ("105" < "15"); the variance must not depend on that order.
    fpc = [apiclus2.numbers("fpc1"), apiclus2.numbers("fpc2")]
    as_numbers = SurveyDesign(ids=[apiclus2.numbers("dnum"), apiclus2.numbers("snum")], fpc=fpc)
    as_text = SurveyDesign(ids=[apiclus2.labels("dnum"), apiclus2.labels("snum")], fpc=fpc)
    api00 = apiclus2.numbers("api00")
    assert as_text.mean(api00).se == pytest.approx(as_numbers.mean(api00).se, rel=1e-12)
