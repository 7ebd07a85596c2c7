"""Locate and read R's `survey` package `api` data (shared outside the project) for tests against R.

Tests that need it skip, naming the source, when the files are not there.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

SOURCE = "R survey package `api` data, https://cran.r-project.org/package=survey"
DATA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "survey-api"


def api_path(name: str) -> Path:
    """Path of one `api` CSV (apistrat, apiclus1, apiclus2, apisrs); skips the test when it is missing."""
    path = DATA_DIR / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"{path} is missing; these tests need the {SOURCE}.")
    return path


class ApiTable:
    """One `api` data set as columns: `numbers(col)` with NaN for NA, `labels(col)` as text."""

    def __init__(self, name: str) -> None:
        with api_path(name).open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        self.columns = {key: [row[key] for row in rows] for key in rows[0]}

    def numbers(self, column: str) -> np.ndarray:
        return np.array([math.nan if v in ("", "NA") else float(v) for v in self.columns[column]])

    def labels(self, column: str) -> np.ndarray:
        return np.array(self.columns[column], dtype=object)


def assert_matches_r(actual: float, printed: str) -> None:
    """`actual` rounds to R's printed value: within half a unit of its last printed digit."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    tolerance = 0.5 * 10**-decimals
    assert abs(actual - float(printed)) <= tolerance * (1 + 1e-9), f"{actual} does not round to R's {printed}"
