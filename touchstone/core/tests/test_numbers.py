"""A table's percentages read exactly as `numbers.percent` writes them, in English and in Spanish."""

import random

import pytest
from django.utils import translation

from touchstone.core import numbers


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("digits", [0, 1, 2, 3])
def test_a_tables_percentages_read_as_percent_writes_them(language: str, digits: int) -> None:
    rng = random.Random(digits)
    values: list[float | None] = [
        *(rng.uniform(-0.2, 1.2) for _ in range(3000)),
        *(rng.uniform(0, 1e-4) for _ in range(300)),  # below what the digits show
        *(i / 2000 for i in range(2001)),  # every half step: where rounding and cutting differ
        *(rng.uniform(9.99, 10.01) for _ in range(300)),  # about 1,000%, where thousands separators begin
        0.0,
        -0.0,
        -1e-9,
        1e-12,
        0.0005,
        0.9995,
        9.99949,
        9.9995,
        12.345,
        None,
    ]
    with translation.override(language):
        format_percent = numbers.percents(digits)
        for value in values:
            assert format_percent(value) == numbers.percent(value, digits), value
        number = {0: "82", 1: "82.3", 2: "82.34", 3: "82.340"}[digits]
        expected = number + "%" if language == "en" else number.replace(".", ",") + "\N{NO-BREAK SPACE}%"
        assert format_percent(0.8234) == expected


def test_a_target_reads_as_the_agency_set_it_never_rounded_up_to_a_promise_it_did_not_make() -> None:
    from django.utils import translation

    from touchstone.core import numbers

    with translation.override("en"):
        assert numbers.target_percent(0.85) == "85%"
        assert numbers.target_percent(0.995) == "99.5%"
        assert numbers.target_percent(0.9999) == "99.99%"
    with translation.override("es"):
        assert numbers.target_percent(0.995) == "99,5\u00a0%"
