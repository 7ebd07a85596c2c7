"""Replicate-weight designs against R's `as.svrepdesign` and against the linearised design."""

import numpy as np
import pytest

from touchstone.stats import SurveyDesign, as_replicate_design
from touchstone.stats.tests.api_data import ApiTable, assert_matches_r


@pytest.fixture(scope="module")
def apiclus1():
    return ApiTable("apiclus1")


@pytest.fixture(scope="module")
def cluster_design(apiclus1):
    return SurveyDesign(apiclus1.numbers("pw"), ids=apiclus1.numbers("dnum"), fpc=apiclus1.numbers("fpc"))


def test_jk1_mean_matches_r_documentation(apiclus1, cluster_design):
    # rclus1 <- as.svrepdesign(dclus1); svymean(~api00, rclus1) prints 644.17 and SE 26.329.
    estimate = as_replicate_design(cluster_design).mean(apiclus1.numbers("api00"))
    assert_matches_r(estimate.value, "644.17")
    assert_matches_r(estimate.se, "26.329")
    assert estimate.df == 14


def test_jk1_total_matches_r_documentation(apiclus1, cluster_design):
    # svytotal(~enroll, rclus1) prints 3404940 and SE 932235, as the linearised design does.
    estimate = as_replicate_design(cluster_design, "JK1").total(apiclus1.numbers("enroll"))
    assert_matches_r(estimate.value, "3404940")
    assert_matches_r(estimate.se, "932235")


def test_stratified_jackknife_of_a_total_equals_linearisation_for_element_sampling():
    data = ApiTable("apistrat")
    design = SurveyDesign(data.numbers("pw"), strata=data.labels("stype"), fpc=data.numbers("fpc"))
    replicate = as_replicate_design(design)
    assert replicate.method == "JKn"
    assert replicate.replicates == 200
    assert replicate.df == 197
    assert replicate.total(data.numbers("enroll")).se == pytest.approx(
        design.total(data.numbers("enroll")).se, rel=1e-9
    )


def test_jk1_refuses_a_stratified_design():
    design = SurveyDesign(np.ones(4), strata=["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="JKn"):
        as_replicate_design(design, "JK1")


def test_bootstrap_is_reproducible_with_a_seed_and_close_to_linearisation(apiclus1, cluster_design):
    api00 = apiclus1.numbers("api00")
    first = as_replicate_design(cluster_design, "bootstrap", replicates=400, seed=7).mean(api00)
    again = as_replicate_design(cluster_design, "bootstrap", replicates=400, seed=7).mean(api00)
    other = as_replicate_design(cluster_design, "bootstrap", replicates=400, seed=8).mean(api00)
    assert first == again
    assert first.se != other.se
    assert first.se == pytest.approx(cluster_design.mean(api00).se, rel=0.15)


def test_replicate_quantile_and_ratio_are_available(apiclus1, cluster_design):
    replicate = as_replicate_design(cluster_design)
    api00 = apiclus1.numbers("api00")
    median = replicate.quantile(api00, 0.5)
    assert median.ci_low < median.value < median.ci_high
    assert replicate.ratio(api00, np.ones_like(api00)).se == pytest.approx(replicate.mean(api00).se)


def test_replicates_must_be_built_before_calibration(apiclus1, cluster_design):
    from touchstone.stats import poststratify

    calibrated = poststratify(cluster_design, apiclus1.labels("stype"), {"E": 4421, "H": 755, "M": 1018})
    with pytest.raises(ValueError, match="before calibrating"):
        as_replicate_design(calibrated)
