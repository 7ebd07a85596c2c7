"""The federal fiscal calendar and business days."""

import datetime as dt

import pytest

from touchstone.core.fiscal import (
    FiscalQuarter,
    add_business_days,
    business_days_between,
    federal_holiday,
    fiscal_quarter,
    fiscal_year,
    months_between,
    quarters_between,
)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2025, 10, 1), "FY2026 Q1"),
        (dt.date(2025, 12, 31), "FY2026 Q1"),
        (dt.date(2026, 1, 1), "FY2026 Q2"),
        (dt.date(2026, 4, 15), "FY2026 Q3"),
        (dt.date(2026, 9, 30), "FY2026 Q4"),
        (dt.date(2026, 10, 1), "FY2027 Q1"),
    ],
)
def test_quarter_one_is_october_to_december_of_the_previous_calendar_year(day: dt.date, label: str) -> None:
    assert fiscal_quarter(day).label == label


def test_a_quarter_knows_its_first_and_last_day() -> None:
    quarter = FiscalQuarter(2026, 1)
    assert (quarter.start, quarter.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert FiscalQuarter(2026, 4).end == dt.date(2026, 9, 30)
    assert quarter.previous() == FiscalQuarter(2025, 4)


def test_quarters_parse_from_the_ways_people_write_them() -> None:
    assert FiscalQuarter.parse("FY2026 Q2") == FiscalQuarter.parse("2026Q2") == FiscalQuarter(2026, 2)
    with pytest.raises(ValueError, match="write it as FY2026 Q1"):
        FiscalQuarter.parse("spring")


def test_fiscal_year_turns_in_october() -> None:
    assert fiscal_year(dt.date(2025, 9, 30)) == 2025
    assert fiscal_year(dt.date(2025, 10, 1)) == 2026


def test_periods_cover_the_span() -> None:
    assert len(quarters_between(dt.date(2025, 10, 1), dt.date(2026, 9, 30))) == 4
    assert len(months_between(dt.date(2025, 10, 15), dt.date(2026, 9, 1))) == 12


def test_federal_holidays_are_known_with_observed_dates() -> None:
    assert federal_holiday(dt.date(2026, 11, 26)) is not None  # Thanksgiving 2026
    assert federal_holiday(dt.date(2026, 7, 3)) is not None  # July 4 2026 is a Saturday: observed Friday
    assert federal_holiday(dt.date(2026, 11, 25)) is None


def test_business_days_skip_weekends_and_holidays() -> None:
    # Wednesday 2026-11-25 + 1 business day skips Thanksgiving (Thu) -> Friday 27th.
    assert add_business_days(dt.date(2026, 11, 25), 1) == dt.date(2026, 11, 27)
    # Friday + 1 -> Monday.
    assert add_business_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)
    assert business_days_between(dt.date(2026, 11, 25), dt.date(2026, 11, 30)) == 2
    closures = frozenset({dt.date(2026, 11, 27)})
    assert add_business_days(dt.date(2026, 11, 25), 1, closures) == dt.date(2026, 11, 30)
