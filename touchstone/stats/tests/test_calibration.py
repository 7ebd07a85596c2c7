"""Post-stratification, raking and trimming: weights hit their targets and SEs account for calibration as R does."""

import numpy as np
import pytest

from touchstone.stats import (
    Margin,
    SurveyDesign,
    as_replicate_design,
    effective_sample_size,
    kish_design_effect,
    poststratify,
    rake,
    rake_weights,
    trim_weights,
)
from touchstone.stats.tests.api_data import ApiTable, assert_matches_r

SCHOOL_TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHOOL_WIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def apiclus1():
    return ApiTable("apiclus1")


@pytest.fixture(scope="module")
def cluster_design(apiclus1):
    return SurveyDesign(apiclus1.numbers("pw"), ids=apiclus1.numbers("dnum"), fpc=apiclus1.numbers("fpc"))


def test_post_stratified_cluster_mean_matches_r(apiclus1, cluster_design):
    # postStratify(dclus1, ~stype, data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))); svymean(~api00)
    design = poststratify(cluster_design, apiclus1.labels("stype"), SCHOOL_TYPES, name="stype")
    estimate = design.mean(apiclus1.numbers("api00"))
    assert_matches_r(estimate.value, "642.3107882")
    assert_matches_r(estimate.se, "23.92049")


def test_post_stratified_weights_reproduce_the_population_counts(apiclus1, cluster_design):
    design = poststratify(cluster_design, apiclus1.labels("stype"), SCHOOL_TYPES)
    stype = apiclus1.labels("stype")
    for category, count in SCHOOL_TYPES.items():
        assert design.weights[stype == category].sum() == pytest.approx(count)


def test_raked_weights_reproduce_every_margin(apiclus1, cluster_design):
    margins = [
        Margin("stype", apiclus1.labels("stype"), SCHOOL_TYPES),
        Margin("sch.wide", apiclus1.labels("sch.wide"), SCHOOL_WIDE),
    ]
    design = rake(cluster_design, margins)
    for margin in margins:
        labels = np.asarray(margin.categories)
        for category, count in margin.totals.items():
            assert design.weights[labels == category].sum() == pytest.approx(count, rel=1e-7)


def test_raking_converges_and_reports_its_sweeps():
    rng = np.random.default_rng(3)
    region = rng.choice(["north", "south", "west"], size=500)
    channel = rng.choice(["web", "phone"], size=500)
    result = rake_weights(
        np.ones(500),
        [
            Margin("region", region, {"north": 300, "south": 500, "west": 200}),
            Margin("channel", channel, {"web": 700, "phone": 300}),
        ],
        tol=1e-10,
    )
    assert 1 < result.iterations < 100
    assert result.max_relative_gap <= 1e-10


def test_raking_on_one_margin_is_post_stratification(apiclus1, cluster_design):
    api00 = apiclus1.numbers("api00")
    raked = rake(cluster_design, [Margin("stype", apiclus1.labels("stype"), SCHOOL_TYPES)]).mean(api00)
    post = poststratify(cluster_design, apiclus1.labels("stype"), SCHOOL_TYPES).mean(api00)
    assert raked.value == pytest.approx(post.value)
    assert raked.se == pytest.approx(post.se)  # equal weights within PSUs: R's two residual rules agree


def test_raking_changes_the_standard_error(apiclus1, cluster_design):
    margins = [
        Margin("stype", apiclus1.labels("stype"), SCHOOL_TYPES),
        Margin("sch.wide", apiclus1.labels("sch.wide"), SCHOOL_WIDE),
    ]
    enroll = apiclus1.numbers("enroll")
    raked = rake(cluster_design, margins).total(enroll)
    assert raked.se < 0.5 * cluster_design.total(enroll).se


def test_replicate_designs_are_recalibrated_column_by_column(apiclus1, cluster_design):
    replicate = as_replicate_design(cluster_design)
    calibrated = poststratify(replicate, apiclus1.labels("stype"), SCHOOL_TYPES)
    stype = apiclus1.labels("stype")
    for column in range(calibrated.replicates):
        assert calibrated.replicate_weights[stype == "H", column].sum() == pytest.approx(755)
    estimate = calibrated.mean(apiclus1.numbers("api00"))
    assert_matches_r(estimate.value, "642.3107882")


def test_a_category_without_respondents_is_named():
    with pytest.raises(
        ValueError, match="Margin 'channel': category 'mail' has a population total but no respondents"
    ):
        rake_weights(
            np.ones(3), [Margin("channel", ["web", "web", "phone"], {"web": 5, "phone": 4, "mail": 1})]
        )


def test_a_respondent_category_missing_from_the_totals_is_named():
    with pytest.raises(ValueError, match="Margin 'channel': category 'phone' has respondents"):
        rake_weights(np.ones(3), [Margin("channel", ["web", "web", "phone"], {"web": 5})])


def test_margins_whose_totals_disagree_are_refused():
    with pytest.raises(ValueError, match="'region' sums to 10 but 'channel' sums to 12"):
        rake_weights(
            np.ones(4),
            [
                Margin("region", ["a", "b", "a", "b"], {"a": 5, "b": 5}),
                Margin("channel", ["x", "x", "y", "y"], {"x": 6, "y": 6}),
            ],
        )


def test_raking_that_cannot_converge_says_so():
    with pytest.raises(ValueError, match="did not converge"):
        rake_weights(
            np.ones(4),
            [
                Margin("a", ["p", "p", "q", "q"], {"p": 5, "q": 5}),
                Margin("b", ["x", "x", "y", "y"], {"x": 2, "y": 8}),
            ],
            max_iter=5,
        )


def test_trimming_keeps_weights_in_bounds_and_their_sum():
    weights = np.array([1.0, 1.0, 1.0, 1.0, 10.0, 2.0])
    result = trim_weights(weights, lower=0.5, upper=4.0)
    assert result.weights.max() <= 4.0 + 1e-9
    assert result.weights.min() >= 0.5 - 1e-9
    assert result.weights.sum() == pytest.approx(weights.sum())
    assert result.trimmed == 1


def test_trimming_without_redistribution_only_clips():
    result = trim_weights([1.0, 5.0], upper=3.0, redistribute=False)
    np.testing.assert_allclose(result.weights, [1.0, 3.0])


def test_kish_design_effect_and_effective_sample_size():
    weights = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_design_effect(weights) == pytest.approx(4 * 22 / 64)
    assert effective_sample_size(weights) == pytest.approx(64 / 22)
    assert kish_design_effect(np.ones(10)) == pytest.approx(1.0)


def _three_margin_sample(rows=2000):
    rng = np.random.default_rng(7)
    channel = rng.choice(np.array(["web", "phone", "mail"]), size=rows, p=[0.6, 0.3, 0.1])
    segment = rng.choice(np.array(["individual", "business"]), size=rows, p=[0.8, 0.2])
    region = rng.integers(0, 4, size=rows)
    base = rng.lognormal(1.0, 0.5, size=rows)
    total = float(base.sum())
    margins = [
        Margin("channel", channel, {"web": 0.4 * total, "phone": 0.4 * total, "mail": 0.2 * total}),
        Margin("segment", segment, {"individual": 0.7 * total, "business": 0.3 * total}),
        Margin("region", region, {0: 0.1 * total, 1: 0.2 * total, 2: 0.3 * total, 3: 0.4 * total}),
    ]
    outcome = (rng.random(rows) < 0.5 + 0.2 * (channel == "web")).astype(float)
    return base, margins, outcome


def test_raking_by_cells_gives_the_weights_and_ses_of_raking_row_by_row(monkeypatch):
    base, margins, outcome = _three_margin_sample()
    by_cells = rake(SurveyDesign(base), margins)
    monkeypatch.setattr("touchstone.stats.calibration.MOST_CELLS", 0)
    by_rows = rake(SurveyDesign(base), margins)
    assert by_rows.adjustments[-1].cells is None
    np.testing.assert_allclose(by_cells.weights, by_rows.weights, rtol=1e-10)
    a, b = by_cells.mean(outcome), by_rows.mean(outcome)
    assert a.value == pytest.approx(b.value, rel=1e-10)
    assert a.se == pytest.approx(b.se, rel=1e-8)


def test_raked_residuals_are_r_s_ten_sweeps_over_the_rows():
    base, margins, outcome = _three_margin_sample(500)
    design = rake(SurveyDesign(base), margins)
    step = design.adjustments[-1]
    influence = (design.weights * (outcome - outcome.mean()))[:, None]
    # R's svyrecvar for raked designs, spelled out: ten sweeps, each subtracting every margin's category means.
    unit = influence / design.weights[:, None]
    for _ in range(10):
        for codes in step.margins:
            means = np.bincount(codes, weights=unit[:, 0]) / np.bincount(codes)
            unit = unit - means[codes][:, None]
    np.testing.assert_allclose(
        step.residualise(influence), unit * design.weights[:, None], rtol=1e-9, atol=1e-12
    )
