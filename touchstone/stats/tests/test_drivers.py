"""Driver importance, importance-performance quadrants and SERVQUAL gaps."""

import numpy as np
import pytest

from touchstone.stats import importance_performance, relative_weights, servqual_gaps, shapley_r_squared


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
