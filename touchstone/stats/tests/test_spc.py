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
