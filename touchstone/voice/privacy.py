"""Differential privacy for released employee counts, with the OpenDP library.

A release is a set of histograms (respondents; each question's answer options; each breakdown's group sizes; each
breakdown's favourable and unfavourable counts per question). One person changes each histogram by at most one
count (adding or removing a person), so each has L1 sensitivity 1 and the release's epsilon is split evenly among
them (sequential composition). Each count gets discrete Laplace (geometric) noise from OpenDP's
`make_geometric`, whose randomness comes from OpenDP's own cryptographically secure generator; the privacy map of
the measurement confirms the epsilon spent before any count is released. Noised counts are then suppressed like
exact ones: anything done after the noise (rounding at zero, suppression, shares) spends no more privacy.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import opendp.prelude as dp

dp.enable_features("contrib")

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Noise:
    """Geometric noise of one scale for every count of a release, and the 95% margin it implies."""

    epsilon: float
    histograms: int

    @property
    def scale(self) -> float:
        return self.histograms / self.epsilon

    @property
    def margin(self) -> int:
        """Half-width of an interval that holds the exact count with 95% probability, for this noise alone.

        For discrete Laplace noise of scale b, P(|X| >= k) = 2 e^(-k/b) / (1 + e^(-1/b)); the smallest k with
        that at most 0.05.
        """
        b = self.scale
        k = math.ceil(b * math.log(2 / ((1 - CONFIDENCE) * (1 + math.exp(-1 / b)))))
        return max(k, 0)

    def apply(self, counts: Sequence[int]) -> list[int]:
        """The counts with noise added (never below zero: a post-processing step)."""
        if not counts:
            return []
        measurement = dp.m.make_geometric(
            dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=self.scale
        )
        spent = measurement.map(1)
        # Each histogram may spend its share of the budget, no more (a small float tolerance).
        assert spent <= self.epsilon / self.histograms * (1 + 1e-9), spent
        return [max(0, int(value)) for value in measurement([int(c) for c in counts])]


def histograms_in_release(scales: int, choices: int, breakdowns: int) -> int:
    """How many histograms a release computes; each person touches each of them at most once."""
    return 1 + scales + choices + breakdowns * (1 + scales)
