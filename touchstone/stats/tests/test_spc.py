"""Control charts, Western Electric rules, error budgets and burn-rate alerts."""

import math

import pytest

from touchstone.stats import (
    burn_rate,
    burn_rate_alerts,
    error_budget,
    p_chart,
    western_electric_flags,
    xmr_chart,
)
from touchstone.stats.spc import (
    LANEY_P_PRIME,
    OVERDISPERSION_THRESHOLD,
    P_CHART,
    attribute_chart,
    laney_p_chart,
)


def test_p_chart_centre_and_limits_follow_each_period_size():
    chart = p_chart([90, 180, 45], [100, 200, 50])
    assert chart.centre == pytest.approx(315 / 350)
    first = chart.points[0]
    sigma = math.sqrt(0.9 * 0.1 / 100)
    assert first.upper_limit == pytest.approx(min(1.0, 0.9 + 3 * sigma))
    assert first.lower_limit == pytest.approx(0.9 - 3 * sigma)
    assert chart.points[2].upper_limit == 1.0  # clipped


def test_p_chart_flags_a_month_beyond_three_sigma():
    chart = p_chart([95, 96, 94, 95, 70], [100] * 5)
    assert "1 point beyond 3 sigma" in chart.points[4].flags
    assert chart.points[0].flags == ()


def test_p_chart_skips_empty_periods():
    chart = p_chart([5, 0, 6], [10, 0, 10])
    assert chart.points[1].value is None


def test_western_electric_rules_name_the_pattern():
    assert western_electric_flags([0.5, 2.5, 2.2])[2] == ("2 of 3 beyond 2 sigma",)
    assert "4 of 5 beyond 1 sigma" in western_electric_flags([1.5, 1.2, 0.2, 1.1, 1.3])[4]
    eight = western_electric_flags([0.1] * 8)
    assert eight[7] == ("8 in a row on one side",) and eight[6] == ()
    assert western_electric_flags([-3.5])[0] == ("1 point beyond 3 sigma",)


def test_xmr_chart_limits_use_the_mean_moving_range():
    chart = xmr_chart([10, 12, 11, 13, 12])
    assert chart.centre == pytest.approx(11.6)
    assert chart.mean_moving_range == pytest.approx(1.5)
    assert chart.upper_limit == pytest.approx(11.6 + 2.66 * 1.5)
    assert chart.lower_limit == pytest.approx(11.6 - 2.66 * 1.5)
    assert chart.moving_range_limit == pytest.approx(3.27 * 1.5)


def test_xmr_chart_flags_a_jump_in_the_moving_range():
    chart = xmr_chart([10, 10.5, 10, 10.5, 10, 20])
    assert chart.moving_range_flags[-1]
    assert "1 point beyond 3 sigma" in chart.points[-1].flags


def test_error_budget_and_burn_rate():
    assert error_budget(0.95) == pytest.approx(0.05)
    assert burn_rate(10, 100, 0.95) == pytest.approx(2.0)
    assert burn_rate(0, 0, 0.95) is None


def test_multi_window_alert_needs_both_windows_over_the_threshold():
    windows = {"1h": (150, 10000), "5m": (20, 1000), "6h": (10, 60000), "30m": (1, 5000), "3d": (0, 1)}
    alerts = burn_rate_alerts(windows, target=0.999)
    fast = alerts[0]
    assert (fast.long_window, fast.short_window, fast.threshold) == ("1h", "5m", 14.4)
    assert fast.long_rate == pytest.approx(15.0) and fast.short_rate == pytest.approx(20.0)
    assert fast.firing
    assert not alerts[1].firing
    windows["5m"] = (1, 1000)
    assert not burn_rate_alerts(windows, target=0.999)[0].firing


def test_missing_window_is_named():
    with pytest.raises(ValueError, match="'5m' window"):
        burn_rate_alerts({"1h": (1, 10)}, target=0.99)


def test_laney_p_prime_widens_the_limits_by_sigma_z_computed_by_hand():
    # p = 3220 / 4000 = 0.805; sigma_p = sqrt(0.805 * 0.195 / 1000) = 0.0125290;
    # z = -0.39907, 1.19722, -1.19722, 0.39907; moving ranges 1.59629, 2.39444, 1.59629, mean 1.86234;
    # sigma_Z = 1.86234 / 1.128 = 1.65102; limits 0.805 -/+ 3 * 0.0125290 * 1.65102 = 0.742943 and 0.867057.
    chart = laney_p_chart([800, 820, 790, 810], [1000] * 4)
    assert chart.kind == LANEY_P_PRIME
    assert chart.centre == pytest.approx(0.805)
    assert chart.sigma_z == pytest.approx(1.65102, abs=1e-5)
    assert chart.points[0].lower_limit == pytest.approx(0.742943, abs=1e-6)
    assert chart.points[0].upper_limit == pytest.approx(0.867057, abs=1e-6)
    assert all(point.flags == () for point in chart.points)


def test_laney_p_prime_reads_the_rules_in_units_of_sigma_z():
    # Classic z of the last point: (0.70 - 0.7919) / 0.01284 = -7.2; divided by sigma_Z it is still beyond 3.
    met = [800, 820, 790, 810, 805, 795, 815, 700]
    chart = laney_p_chart(met, [1000] * 8)
    assert "1 point beyond 3 sigma" in chart.points[-1].flags
    assert chart.points[-1].lower_limit is not None and chart.points[-1].value < chart.points[-1].lower_limit
    assert all(point.flags == () for point in chart.points[:-1])


def test_attribute_chart_keeps_the_classic_p_chart_when_the_data_are_binomial():
    chart = attribute_chart([80, 82, 79, 81], [100] * 4)
    # z = -0.127, 0.381, -0.381, 0.127 (sigma_p 0.0394); sigma_Z = mean(0.508, 0.762, 0.508) / 1.128 = 0.5221
    assert chart.kind == P_CHART
    assert chart.sigma_z == pytest.approx(0.5221, abs=1e-4)
    assert chart.points[0].upper_limit == pytest.approx(0.805 + 3 * math.sqrt(0.805 * 0.195 / 100))


def test_attribute_chart_turns_to_laney_when_thousands_per_period_vary_more_than_chance():
    """The defect: with monthly volumes in the thousands, the classic chart rings nearly every point."""
    met = [9200, 9350, 9100, 9400, 9250, 9150, 9300, 9450, 9180, 9320, 9220, 9380]
    classic = p_chart(met, [10_000] * 12)
    assert sum(bool(point.flags) for point in classic.points) >= 6
    chart = attribute_chart(met, [10_000] * 12)
    assert (
        chart.kind == LANEY_P_PRIME and chart.sigma_z is not None and chart.sigma_z > OVERDISPERSION_THRESHOLD
    )
    assert not any(point.flags for point in chart.points)
