"""Driver importance, importance-performance quadrants and SERVQUAL gaps."""

import numpy as np
import pytest

from touchstone.stats import importance_performance, relative_weights, servqual_gaps, shapley_r_squared
from touchstone.stats.drivers import weighted_correlation


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(11)
    ease = rng.normal(size=400)
    speed = 0.6 * ease + 0.8 * rng.normal(size=400)
    courtesy = rng.normal(size=400)
    overall = 0.5 * ease + 0.3 * speed + 0.1 * courtesy + rng.normal(scale=0.7, size=400)
    return np.column_stack([ease, speed, courtesy]), overall


def ols_r_squared(x, y):
    design = np.column_stack([np.ones(len(y)), x])
    residuals = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - residuals.var() / y.var()


def test_relative_weights_add_up_to_r_squared(survey):
    x, y = survey
    result = relative_weights(x, y, names=["ease", "speed", "courtesy"])
    assert result.r_squared == pytest.approx(ols_r_squared(x, y))
    assert sum(d.weight for d in result.drivers) == pytest.approx(result.r_squared)
    assert sum(d.share for d in result.drivers) == pytest.approx(1.0)
    assert [d.driver for d in result.drivers] == ["ease", "speed", "courtesy"]


def test_shapley_decomposition_adds_up_to_r_squared_and_ranks_like_relative_weights(survey):
    x, y = survey
    shapley = shapley_r_squared(x, y, names=["ease", "speed", "courtesy"])
    relative = relative_weights(x, y, names=["ease", "speed", "courtesy"])
    assert sum(d.weight for d in shapley.drivers) == pytest.approx(ols_r_squared(x, y))
    assert [d.driver for d in shapley.drivers] == [d.driver for d in relative.drivers]


def test_uncorrelated_drivers_get_their_squared_correlations():
    x = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]] * 5, dtype=float)
    y = 2 * x[:, 0] + x[:, 1] + np.tile([0.1, -0.1, -0.1, 0.1], 5)
    result = relative_weights(x, y, names=["a", "b"])
    expected = {name: np.corrcoef(x[:, j], y)[0, 1] ** 2 for j, name in enumerate(["a", "b"])}
    assert {d.driver: d.weight for d in result.drivers} == pytest.approx(expected)


def test_a_constant_driver_is_named():
    with pytest.raises(ValueError, match="same does not vary"):
        relative_weights(
            np.column_stack([np.ones(10), np.arange(10.0)]), np.arange(10.0), names=["same", "other"]
        )


def test_importance_performance_quadrants_split_at_the_grand_means():
    result = importance_performance(
        {"wait time": 0.4, "courtesy": 0.1, "website": 0.35, "parking": 0.15},
        {"wait time": 3.0, "courtesy": 4.5, "website": 4.4, "parking": 3.2},
    )
    quadrants = {item.name: item.quadrant for item in result.items}
    assert quadrants == {
        "wait time": "Concentrate here",
        "website": "Keep up the good work",
        "parking": "Low priority",
        "courtesy": "Possible overkill",
    }
    assert result.importance_mean == pytest.approx(0.25)


def test_servqual_gaps_per_item_and_dimension():
    result = servqual_gaps(
        perception={"on time": [4, 5, 3], "as promised": [4, 4, 4], "prompt": [2, 3, np.nan]},
        expectation={"on time": [5, 5, 5], "as promised": [5, 4, 5], "prompt": [4, 4, 4]},
        dimensions={"on time": "reliability", "as promised": "reliability", "prompt": "responsiveness"},
    )
    assert result.items["on time"] == pytest.approx(-1.0)
    assert result.items["prompt"] == pytest.approx(-1.5)
    assert result.dimensions["reliability"] == pytest.approx((-1.0 + -2 / 3) / 2)
    assert result.overall == pytest.approx((result.dimensions["reliability"] - 1.5) / 2)


# A tiny weighted data set: satisfaction and two drivers for six respondents, with survey weights.
EASE = np.array([5.0, 4.0, 2.0, 3.0, 1.0, 4.0])
TIME = np.array([4.0, 4.0, 3.0, 2.0, 2.0, 5.0])
SATISFIED = np.array([5.0, 4.0, 2.0, 2.0, 1.0, 5.0])
WEIGHTS = np.array([1.0, 3.0, 2.0, 1.0, 4.0, 2.0])


def _wls_r_squared(columns, y, w):
    """R squared of weighted least squares, by hand: fit on sqrt(w)-scaled data with an intercept."""
    design = np.column_stack([np.ones_like(y), *columns]) * np.sqrt(w)[:, None]
    beta = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)[0]
    fitted = np.column_stack([np.ones_like(y), *columns]) @ beta
    mean = np.sum(w * y) / w.sum()
    return 1 - np.sum(w * (y - fitted) ** 2) / np.sum(w * (y - mean) ** 2)


def test_weighted_shapley_matches_weighted_least_squares_by_hand():
    both = _wls_r_squared([EASE, TIME], SATISFIED, WEIGHTS)
    ease_alone = _wls_r_squared([EASE], SATISFIED, WEIGHTS)
    time_alone = _wls_r_squared([TIME], SATISFIED, WEIGHTS)
    result = shapley_r_squared(
        np.column_stack([EASE, TIME]), SATISFIED, names=["ease", "time"], weights=WEIGHTS
    )
    shares = {d.driver: d.weight for d in result.drivers}
    assert result.r_squared == pytest.approx(both)
    # Two drivers: each gets half its gain entering first plus half its gain entering second.
    assert shares["ease"] == pytest.approx((ease_alone + both - time_alone) / 2)
    assert shares["time"] == pytest.approx((time_alone + both - ease_alone) / 2)
    unweighted = shapley_r_squared(np.column_stack([EASE, TIME]), SATISFIED, names=["ease", "time"])
    assert unweighted.r_squared != pytest.approx(both)


def test_weighted_relative_weights_add_up_to_the_weighted_r_squared():
    result = relative_weights(np.column_stack([EASE, TIME]), SATISFIED, weights=WEIGHTS)
    assert sum(d.weight for d in result.drivers) == pytest.approx(
        _wls_r_squared([EASE, TIME], SATISFIED, WEIGHTS)
    )


def test_whole_number_weights_act_as_repeated_respondents():
    repeat = WEIGHTS.astype(int)
    weighted = relative_weights(
        np.column_stack([EASE, TIME]), SATISFIED, names=["ease", "time"], weights=WEIGHTS
    )
    repeated = relative_weights(
        np.repeat(np.column_stack([EASE, TIME]), repeat, axis=0),
        np.repeat(SATISFIED, repeat),
        names=["ease", "time"],
    )
    assert [(d.driver, d.weight) for d in weighted.drivers] == [
        (d.driver, pytest.approx(d.weight)) for d in repeated.drivers
    ]


def test_weighted_correlation_is_numpys_weighted_covariance_scaled():
    data = np.column_stack([EASE, TIME, SATISFIED])
    covariance = np.cov(data, rowvar=False, aweights=WEIGHTS)
    spread = np.sqrt(np.diag(covariance))
    np.testing.assert_allclose(weighted_correlation(data, WEIGHTS), covariance / np.outer(spread, spread))


def test_respondents_with_weight_zero_are_left_out_of_importance():
    x = np.column_stack([np.append(EASE, 1.0), np.append(TIME, 5.0)])
    y = np.append(SATISFIED, 5.0)
    with_zero = relative_weights(x, y, weights=np.append(WEIGHTS, 0.0))
    without = relative_weights(np.column_stack([EASE, TIME]), SATISFIED, weights=WEIGHTS)
    assert with_zero.n == without.n == 6
    assert with_zero.r_squared == pytest.approx(without.r_squared)
