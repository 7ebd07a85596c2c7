"""How a transaction's elapsed time is counted, which period it belongs to, and the chart drawn from the results.

Business days skip weekends and federal holidays (`touchstone.core.fiscal`). To count them fast, in Python and in
DuckDB alike, each date gets an ordinal: the number of business days from 2000-01-01 up to and including it. The
business days after `start` up to and including `end` are then `ordinal(end) - ordinal(start)`, exactly
`fiscal.business_days_between`. Business hours are 9:00 to 17:00 local time on business days.

The statistics themselves (Wilson intervals, p-chart, Western Electric rules, burn rates) come from
`touchstone.stats`.
"""

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from touchstone.core import fiscal
from touchstone.standards.models import Measure, Period
from touchstone.stats import spc
from touchstone.stats.proportions import wilson_interval

CALENDAR_FIRST = dt.date(2000, 1, 1)
CALENDAR_LAST = dt.date(2060, 12, 31)
BUSINESS_DAY_OPENS = 9 * 60  # minutes after midnight
BUSINESS_DAY_MINUTES = 8 * 60


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=1)
def business_calendar() -> tuple[tuple[dt.date, int, bool], ...]:
    """(date, business-day ordinal, is a business day) for every date the product measures."""
    rows = []
    ordinal = 0
    day = CALENDAR_FIRST
    while day <= CALENDAR_LAST:
        business = fiscal.is_business_day(day)
        ordinal += business
        rows.append((day, ordinal, business))
        day += dt.timedelta(days=1)
    return tuple(rows)


def business_ordinal(day: dt.date) -> int:
    if not CALENDAR_FIRST <= day <= CALENDAR_LAST:
        raise ValueError(f"{day} is outside the years Touchstone measures (2000 to 2060).")
    return business_calendar()[(day - CALENDAR_FIRST).days][1]


def business_minute_ordinal(moment: dt.datetime) -> int:
    """Business minutes from the calendar's first day up to this local moment."""
    day = moment.date()
    entry = business_calendar()[(day - CALENDAR_FIRST).days]
    before = (entry[1] - entry[2]) * BUSINESS_DAY_MINUTES
    if not entry[2]:
        return before
    minute = moment.hour * 60 + moment.minute - BUSINESS_DAY_OPENS
    return before + min(max(minute, 0), BUSINESS_DAY_MINUTES)


@dataclass(frozen=True)
class Elapsed:
    started_month: dt.date
    seconds: int | None
    days: int | None
    business_days: int | None
    business_minutes: int | None


def elapsed(started_at: dt.datetime, ended_at: dt.datetime | None) -> Elapsed:
    """The columns stored with a transaction, counted in the installation's local time."""
    zone = local_zone()
    start = started_at.astimezone(zone) if started_at.tzinfo else started_at
    month = start.date().replace(day=1)
    if ended_at is None:
        return Elapsed(month, None, None, None, None)
    end = ended_at.astimezone(zone) if ended_at.tzinfo else ended_at
    return Elapsed(
        month,
        int((end - start).total_seconds()),
        (end.date() - start.date()).days,
        business_ordinal(end.date()) - business_ordinal(start.date()),
        business_minute_ordinal(end) - business_minute_ordinal(start),
    )


# --- periods --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSpan:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @property
    def months(self) -> list[dt.date]:
        return fiscal.months_between(self.start, self.end)


def period_of(period: str, day: dt.date) -> PeriodSpan:
    if period == Period.MONTH:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return PeriodSpan(start, end, start.strftime("%Y-%m"))
    if period == Period.QUARTER:
        quarter = fiscal.fiscal_quarter(day)
        return PeriodSpan(quarter.start, quarter.end, quarter.label)
    year = fiscal.fiscal_year(day)
    start, end = fiscal.fiscal_year_bounds(year)
    return PeriodSpan(start, end, f"FY{year}")


def is_period_start(period: str, day: dt.date) -> bool:
    return period_of(period, day).start == day


def periods_touching(period: str, months: Iterable[dt.date]) -> list[PeriodSpan]:
    return sorted({period_of(period, month) for month in months}, key=lambda span: span.start)


# --- open transactions ----------------------------------------------------------------------------------------------
# What meets a standard is counted in DuckDB over the transaction store (`store.rule_for`); an open transaction
# counts as a miss once it is past the threshold, whatever comes.


def overdue_cutoff(measure: str, threshold: float | None, now: dt.datetime) -> dt.datetime:
    """The latest start an open transaction can have and already be past the threshold at `now`."""
    limit = threshold or 0
    zone = local_zone()
    local_now = now.astimezone(zone)
    if measure == Measure.CALENDAR_HOURS:
        return now - dt.timedelta(hours=limit)
    if measure == Measure.MILLISECONDS:
        return now - dt.timedelta(milliseconds=limit)
    if measure == Measure.CALENDAR_DAYS:
        last_day = local_now.date() - dt.timedelta(days=math.floor(limit) + 1)
        return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    if measure == Measure.BUSINESS_DAYS:
        today = business_ordinal(local_now.date())
        day = local_now.date()
        while business_ordinal(day) >= today - limit:
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    # Business hours: step back until more than `limit` business hours lie between then and now.
    target = business_minute_ordinal(local_now.replace(tzinfo=None)) - limit * 60
    moment = local_now.replace(tzinfo=None, second=0, microsecond=0)
    while business_minute_ordinal(moment) >= target and moment.date() > CALENDAR_FIRST:
        moment -= dt.timedelta(hours=1)
    return moment.replace(tzinfo=zone)


# --- one period's numbers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    met: int
    total: int
    performance: float | None
    ci_low: float | None
    ci_high: float | None


def score(met: int, total: int) -> Score:
    proportion = wilson_interval(met, total)
    return Score(met, total, proportion.value, proportion.ci_low, proportion.ci_high)


# --- control chart ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartRow:
    label: str
    met: int
    total: int
    share: float | None
    lower: float | None
    upper: float | None
    signals: tuple[str, ...]


@dataclass(frozen=True)
class ControlChart:
    centre: float | None
    target: float | None
    rows: tuple[ChartRow, ...]
    kind: str = spc.P_CHART
    sigma_z: float | None = None

    @property
    def signals(self) -> list[ChartRow]:
        return [row for row in self.rows if row.signals]

    @property
    def is_laney(self) -> bool:
        return self.kind == spc.LANEY_P_PRIME

    @property
    def kind_label(self) -> str:
        return str(_("Laney p′ chart") if self.is_laney else _("p-chart"))

    @property
    def why(self) -> str:
        """Which limits are drawn and why, in a sentence for the page."""
        if self.sigma_z is None:
            return str(_("Classic p-chart limits: too few periods to measure how much they vary."))
        values = {
            "sigma_z": number_format(round(self.sigma_z, 2), 2),
            "threshold": number_format(spc.OVERDISPERSION_THRESHOLD, 1),
        }
        if self.is_laney:
            return str(
                _(
                    "Laney p′ chart: the periods vary %(sigma_z)s times as much as chance alone would make "
                    "them (more than %(threshold)s), as large volumes do, so the limits are widened by that "
                    "factor. Points outside them still signal a real change."
                )
                % values
            )
        return str(
            _(
                "Classic p-chart: the periods vary %(sigma_z)s times as much as chance alone would make them "
                "(at most %(threshold)s), so chance explains the variation and the classic limits fit."
            )
            % values
        )


SIGNAL_LABELS = {
    spc.BEYOND_3_SIGMA: _("One point beyond the control limits"),
    spc.TWO_OF_THREE_BEYOND_2_SIGMA: _("Two of three points far from the center on one side"),
    spc.FOUR_OF_FIVE_BEYOND_1_SIGMA: _("Four of five points away from the center on one side"),
    spc.EIGHT_IN_A_ROW: _("Eight points in a row on one side of the center"),
}


def signal_label(rule: str) -> str:
    return str(SIGNAL_LABELS.get(rule, rule))


def control_chart(
    labels: Sequence[str], met: Sequence[int], totals: Sequence[int], target: float | None
) -> ControlChart:
    """p-chart (Laney's p′ when the periods are overdispersed), Western Electric rules flagged on the point that
    completes each pattern."""
    chart = spc.attribute_chart(list(met), list(totals))
    rows = tuple(
        ChartRow(label, m, n, point.value, point.lower_limit, point.upper_limit, point.flags)
        for label, m, n, point in zip(labels, met, totals, chart.points, strict=True)
    )
    return ControlChart(chart.centre, target, rows, chart.kind, chart.sigma_z)


MEASURED_FROM_TRANSACTIONS = frozenset(
    {
        Measure.CALENDAR_DAYS,
        Measure.BUSINESS_DAYS,
        Measure.CALENDAR_HOURS,
        Measure.BUSINESS_HOURS,
        Measure.MILLISECONDS,
        Measure.OUTCOME,
    }
)


def burn_windows(counts: dict[str, tuple[int, int]], target: float) -> list[spc.BurnRateAlert]:
    return spc.burn_rate_alerts(counts, target)


WINDOWS: dict[str, dt.timedelta] = {
    "5m": dt.timedelta(minutes=5),
    "30m": dt.timedelta(minutes=30),
    "1h": dt.timedelta(hours=1),
    "6h": dt.timedelta(hours=6),
    "3d": dt.timedelta(days=3),
}
