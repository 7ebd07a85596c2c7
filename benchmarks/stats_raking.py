"""Raking 1,000,000 synthetic respondents to three margins, then 10 weighted proportions with standard errors.

Timed against plain numpy weighted means of the same 10 outcomes in the same run; prints both times and their
ratio (no assertions).  Run from the project root: `.venv/bin/python benchmarks/stats_raking.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from touchstone.stats import Margin, SurveyDesign, rake  # noqa: E402

RESPONDENTS = 1_000_000
OUTCOMES = 10
SEED = 20240601


def synthetic_survey(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Respondents with a channel, segment and region, unequal base weights, and 10 yes/no outcomes."""
    channel = rng.choice(
        np.array(["web", "phone", "office", "mail"]), size=RESPONDENTS, p=[0.5, 0.3, 0.15, 0.05]
    )
    segment = rng.choice(np.array(["individual", "business", "veteran"]), size=RESPONDENTS, p=[0.7, 0.2, 0.1])
    region = rng.choice(np.array(["northeast", "south", "midwest", "west", "territories"]), size=RESPONDENTS)
    base = rng.lognormal(mean=3.0, sigma=0.4, size=RESPONDENTS)
    lean = (channel == "web") * 0.1 - (segment == "business") * 0.05
    outcomes = rng.random((RESPONDENTS, OUTCOMES)) < (0.6 + lean)[:, None]
    return {"channel": channel, "segment": segment, "region": region, "base": base, "outcomes": outcomes}


def margins(data: dict[str, np.ndarray]) -> list[Margin]:
    """Population totals that differ from the sample's mix, so raking has work to do."""
    population = float(data["base"].sum())
    shares = {
        "channel": {"web": 0.35, "phone": 0.35, "office": 0.2, "mail": 0.1},
        "segment": {"individual": 0.6, "business": 0.25, "veteran": 0.15},
        "region": {"northeast": 0.18, "south": 0.38, "midwest": 0.21, "west": 0.22, "territories": 0.01},
    }
    return [
        Margin(name, data[name], {category: share * population for category, share in table.items()})
        for name, table in shares.items()
    ]


def main() -> None:
    rng = np.random.default_rng(SEED)
    data = synthetic_survey(rng)
    outcomes = data["outcomes"].astype(np.float64)

    start = time.perf_counter()
    design = rake(SurveyDesign(data["base"]), margins(data))
    raked = time.perf_counter()
    estimates = [design.mean(outcomes[:, j]) for j in range(OUTCOMES)]
    survey_seconds = time.perf_counter() - start
    rake_seconds = raked - start

    start = time.perf_counter()
    plain = [float(np.average(outcomes[:, j], weights=data["base"])) for j in range(OUTCOMES)]
    numpy_seconds = time.perf_counter() - start

    print(f"respondents: {RESPONDENTS:,}; margins: 3; proportions: {OUTCOMES}")
    print(
        f"first proportion: raked {estimates[0].value:.4f} (SE {estimates[0].se:.5f}); unraked {plain[0]:.4f}"
    )
    print(
        f"touchstone.stats rake + {OUTCOMES} proportions with SEs: {survey_seconds:.3f} s "
        f"(raking {rake_seconds:.3f} s)"
    )
    print(f"numpy weighted means of the same {OUTCOMES} outcomes:   {numpy_seconds:.4f} s")
    print(f"ratio (touchstone.stats / numpy): {survey_seconds / numpy_seconds:.1f}")


if __name__ == "__main__":
    main()
