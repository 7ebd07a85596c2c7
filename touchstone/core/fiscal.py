"""The federal fiscal calendar and business days, used everywhere a period or a deadline is counted.

Fiscal year N runs from October 1 of N-1 to September 30 of N; quarter 1 is October-December.
Business days skip weekends and U.S. federal holidays (observed dates), from the `holidays` package.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    fiscal_year: int
    quarter: int

    @property
    def start(self) -> dt.date:
        month = (10 + 3 * (self.quarter - 1) - 1) % 12 + 1
        year = self.fiscal_year - 1 if self.quarter == 1 else self.fiscal_year
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter (inclusive)."""
        return self.next().start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year} Q{self.quarter}"

    def next(self) -> "FiscalQuarter":
        if self.quarter == 4:
            return FiscalQuarter(self.fiscal_year + 1, 1)
        return FiscalQuarter(self.fiscal_year, self.quarter + 1)

    def previous(self) -> "FiscalQuarter":
        if self.quarter == 1:
            return FiscalQuarter(self.fiscal_year - 1, 4)
        return FiscalQuarter(self.fiscal_year, self.quarter - 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def parse(cls, text: str) -> "FiscalQuarter":
        """'FY2026 Q1' or '2026Q1' or '2026-Q1'."""
        cleaned = text.upper().replace("FY", "").replace(" ", "").replace("-", "")
        year, _, quarter = cleaned.partition("Q")
        if not (year.isdigit() and quarter in {"1", "2", "3", "4"}):
            raise ValueError(f"{text!r} is not a fiscal quarter; write it as FY2026 Q1.")
        return cls(int(year), int(quarter))


def fiscal_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_quarter(day: dt.date) -> FiscalQuarter:
    shifted = (day.month - 10) % 12  # October -> 0
    return FiscalQuarter(fiscal_year(day), shifted // 3 + 1)


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


def quarters_between(first: dt.date, last: dt.date) -> list[FiscalQuarter]:
    quarters = []
    current = fiscal_quarter(first)
    while current.start <= last:
        quarters.append(current)
        current = current.next()
    return quarters


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from first's month to last's month."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("US", years=year, observed=True))


def federal_holiday(day: dt.date) -> str | None:
    """The name of the federal holiday observed on this day, if any."""
    return _federal_holidays(day.year).get(day)


def is_business_day(day: dt.date, closures: frozenset[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and federal_holiday(day) is None and day not in closures


def add_business_days(day: dt.date, count: int, closures: frozenset[dt.date] = frozenset()) -> dt.date:
    """The date `count` business days after `day` (count >= 0); day 0 is the next business day on or after."""
    current = day
    while not is_business_day(current, closures):
        current += dt.timedelta(days=1)
    remaining = count
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current, closures):
            remaining -= 1
    return current


def business_days_between(start: dt.date, end: dt.date, closures: frozenset[dt.date] = frozenset()) -> int:
    """Business days after `start` up to and including `end` (0 when end is not after start)."""
    if end <= start:
        return 0
    count = 0
    current = start + dt.timedelta(days=1)
    while current <= end:
        if is_business_day(current, closures):
            count += 1
        current += dt.timedelta(days=1)
    return count
