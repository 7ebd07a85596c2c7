"""Segmented regression: hand-built series whose effect is known."""

import math

import pytest

from touchstone.stats.segmented import NO_EFFECT, TOO_EARLY, WORKED, WORSE, segmented_effect

# A fixed, mean-zero wobble (no random numbers: the series is the same every run).
WOBBLE = [0.004, -0.003, 0.002, -0.005, 0.003, 0.001, -0.002, 0.004, -0.004, 0.002, -0.001, 0.003]


def series(level: float, slope: float, jump: float, change_at: int, periods: int) -> list[float]:
    return [
        level + slope * t + (jump if t >= change_at else 0.0) + WOBBLE[t % len(WOBBLE)]
        for t in range(periods)
    ]


def test_a_step_of_eight_points_after_the_change_is_found_with_an_interval_around_it():
    effect = segmented_effect(series(0.70, 0.0, 0.08, 12, 24), 12)
    assert effect.verdict == WORKED
    assert effect.effect == pytest.approx(0.08, abs=0.01)
    assert effect.ci_low < 0.08 < effect.ci_high
    assert effect.periods_before == 12 and effect.periods_after == 12


def test_a_trend_already_under_way_is_not_credited_to_the_change():
    values = series(0.60, 0.01, 0.0, 12, 24)
    effect = segmented_effect(values, 12)
    assert effect.naive_change == pytest.approx(
        0.12, abs=0.01
    )  # a before/after comparison would say it worked
    assert effect.effect == pytest.approx(0.0, abs=0.01)
    assert effect.verdict in {NO_EFFECT, TOO_EARLY}
    assert effect.ci_low < 0 < effect.ci_high


def test_a_flat_series_with_no_change_has_no_detectable_effect():
    effect = segmented_effect(series(0.80, 0.0, 0.0, 12, 36), 12)
    assert effect.verdict == NO_EFFECT
    assert effect.periods_needed == 0


def test_two_periods_after_the_change_is_too_early_and_says_how_many_more_are_needed():
    effect = segmented_effect(series(0.70, 0.0, 0.08, 12, 14), 12)
    assert effect.verdict == TOO_EARLY
    assert effect.periods_needed == 1
    assert effect.effect is None


def test_a_drop_when_lower_is_better_is_a_success_and_a_rise_is_worse():
    falling = series(30.0, 0.0, -5.0, 10, 20)
    assert segmented_effect(falling, 10, higher_is_better=False).verdict == WORKED
    assert segmented_effect(falling, 10, higher_is_better=True).verdict == WORSE


def test_missing_periods_are_skipped_not_counted_as_zero():
    values: list[float | None] = list(series(0.70, 0.0, 0.08, 12, 24))
    values[3] = None
    values[15] = math.nan
    effect = segmented_effect(values, 12)
    assert effect.periods_before == 11 and effect.periods_after == 11
    assert effect.verdict == WORKED
