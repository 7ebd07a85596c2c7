"""Every read of the standards capability, scoped to an agency (the public pages read only published figures)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchstone.core.models import Agency, Office
from touchstone.standards import measurement, store
from touchstone.standards.models import BurnRateAlert, PeriodResult, ServiceStandard, Verdict, window_length


def standards_of(agency: Agency, *, current_only: bool = True) -> QuerySet[ServiceStandard]:
    standards = ServiceStandard.objects.filter(agency=agency).select_related("service", "owner")
    if current_only:
        standards = standards.filter(valid_until__isnull=True)
    return standards.order_by("service__name", "statement")


def standard_of(agency: Agency, standard_id: int) -> ServiceStandard:
    standard = standards_of(agency, current_only=False).filter(pk=standard_id).first()
    if standard is None:
        raise Http404("No such standard in this agency.")
    return standard


def versions_of(standard: ServiceStandard) -> QuerySet[ServiceStandard]:
    return ServiceStandard.objects.filter(lineage=standard.lineage, agency=standard.agency).order_by(
        "-version"
    )


def results_of(standard: ServiceStandard) -> QuerySet[PeriodResult]:
    """Every period's result of the standard, each judged by the version that governed it."""
    return (
        PeriodResult.objects.filter(standard__lineage=standard.lineage, standard__agency=standard.agency)
        .select_related("standard")
        .order_by("period_start")
    )


TREND_LABELS = {
    "up": _("Improving"),
    "down": _("Getting worse"),
    "steady": _("Steady"),
    "new": _("First result"),
}


@dataclass(frozen=True)
class StandardSummary:
    """A standard's judged (complete) periods: the latest, the one before, the recent ones; and the period still
    in progress, if any, which is shown but not judged."""

    standard: ServiceStandard
    latest: PeriodResult | None
    previous: PeriodResult | None
    recent: list[PeriodResult]
    current: PeriodResult | None = None

    @property
    def trend(self) -> str:
        if self.latest is None or self.latest.performance is None:
            return ""
        if self.previous is None or self.previous.performance is None:
            return "new"
        change = self.latest.performance - self.previous.performance
        if abs(change) < 0.01:
            return "steady"
        return "up" if change > 0 else "down"

    @property
    def trend_label(self) -> str:
        return str(TREND_LABELS.get(self.trend, ""))


def summaries(standards: list[ServiceStandard], recent: int = 12) -> list[StandardSummary]:
    """Each standard with its latest results, in two queries whatever the number of standards."""
    by_lineage: dict[Any, list[PeriodResult]] = defaultdict(list)
    results = PeriodResult.objects.filter(
        standard__lineage__in=[s.lineage for s in standards]
    ).select_related("standard")
    for result in results.order_by("period_start"):
        by_lineage[result.standard.lineage].append(result)
    out = []
    for standard in standards:
        periods = by_lineage.get(standard.lineage, [])
        history = [r for r in periods if r.total and not r.in_progress]
        current = periods[-1] if periods and periods[-1].in_progress and periods[-1].total else None
        out.append(
            StandardSummary(
                standard,
                history[-1] if history else None,
                history[-2] if len(history) > 1 else None,
                history[-recent:],
                current,
            )
        )
    return out


def control_chart_of(standard: ServiceStandard, periods: int = 24) -> measurement.ControlChart:
    results = [
        r
        for r in results_of(standard)
        if r.total and r.volume_met is not None and r.volume_met <= r.total and not r.in_progress
    ]
    results = results[-periods:]
    return measurement.control_chart(
        [r.label for r in results],
        [int(r.volume_met or 0) for r in results],
        [int(r.total or 0) for r in results],
        standard.target,
    )


def breakdown(standard: ServiceStandard, result: PeriodResult, by: str) -> list[dict[str, Any]]:
    """One period's result split by office or channel, by one aggregate over that period's months."""
    if by not in {"office__name", "channel"} or not standard.is_elapsed and standard.measure != "outcome":
        return []
    span = measurement.period_of(standard.period, result.period_start)
    column = "office_id" if by == "office__name" else "channel"
    grouped = store.breakdown_counts(standard.agency, standard, span.months, column, timezone.now())
    names = dict(Office.objects.filter(agency=standard.agency).values_list("pk", "name"))
    rows = sorted(
        ((names.get(key) if column == "office_id" else key, met, total) for key, met, total in grouped),
        key=lambda row: (row[0] is None, row[0] or ""),
    )
    return [
        {
            "group": group,
            "met": met,
            "total": total,
            "score": measurement.score(met, total),
            "verdict": Verdict.IN_PROGRESS if result.in_progress else standard.judge(met, total),
        }
        for group, met, total in rows
        if total
    ]


@dataclass(frozen=True)
class Rollup:
    name: str
    standards: int
    measured: int
    met: int
    volume_met: int
    total: int

    @property
    def share_met(self) -> float | None:
        return self.met / self.measured if self.measured else None

    @property
    def pooled(self) -> float | None:
        return self.volume_met / self.total if self.total else None


def rollup_by_service(agency: Agency) -> list[Rollup]:
    """Per service: how many current standards were met in their latest period, and the pooled volume."""
    groups: dict[int, list[StandardSummary]] = defaultdict(list)
    for summary in summaries(list(standards_of(agency))):
        groups[summary.standard.service_id].append(summary)
    # Named as the page's reader reads the service (its Spanish name on Spanish pages, when written).
    named = [(items[0].standard.service.display_name, items) for items in groups.values()]
    return [_rollup(name, items) for name, items in sorted(named, key=lambda pair: pair[0])]


def _rollup(name: str, items: list[StandardSummary]) -> Rollup:
    measured = [s.latest for s in items if s.latest is not None and s.latest.verdict != Verdict.NO_DATA]
    return Rollup(
        name,
        len(items),
        len(measured),
        sum(1 for r in measured if r.verdict == Verdict.MET),
        sum(
            int(r.volume_met or 0)
            for r in measured
            if r.volume_met is not None and r.total and r.volume_met <= r.total
        ),
        sum(
            int(r.total or 0)
            for r in measured
            if r.volume_met is not None and r.total and r.volume_met <= r.total
        ),
    )


def government_wide() -> list[tuple[Agency, Rollup]]:
    """Every agency with standards: the share of its standards met in their latest period."""
    agencies = Agency.objects.filter(standards__valid_until__isnull=True).distinct().order_by("name")
    standards = list(
        ServiceStandard.objects.filter(valid_until__isnull=True).select_related("service", "agency")
    )
    by_agency: dict[int, list[ServiceStandard]] = defaultdict(list)
    for standard in standards:
        by_agency[standard.agency_id].append(standard)
    latest = _latest_by_lineage([s.lineage for s in standards])
    out = []
    for agency in agencies:
        items = [StandardSummary(s, latest.get(s.lineage), None, []) for s in by_agency.get(agency.pk, [])]
        out.append((agency, _rollup(agency.name, items)))
    return out


def _latest_by_lineage(lineages: list[Any]) -> dict[Any, PeriodResult]:
    latest: dict[Any, PeriodResult] = {}
    results = (
        PeriodResult.objects.filter(standard__lineage__in=lineages, total__gt=0)
        .exclude(verdict=Verdict.IN_PROGRESS)
        .select_related("standard")
        .order_by("period_start")
    )
    for result in results:
        latest[result.standard.lineage] = result
    return latest


def burn_rates_of(standard: ServiceStandard, now: dt.datetime | None = None) -> list[Any]:
    """The burn rates the alerts are raised on, now: each window pair's rates against its threshold."""
    if not standard.is_current or standard.target is None or not standard.error_budget:
        return []
    if standard.measure not in measurement.MEASURED_FROM_TRANSACTIONS:
        return []
    counts = store.window_counts(standard.agency, [standard], now or timezone.now(), measurement.WINDOWS)
    return measurement.burn_windows(counts[standard.pk], standard.target)


@dataclass(frozen=True)
class WindowResult:
    """The standard's own time window ending now (rolling, or the calendar window it is in) and its counts."""

    start: dt.datetime
    met: int
    total: int

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total else None


def own_window_result(standard: ServiceStandard, now: dt.datetime | None = None) -> WindowResult | None:
    """Counts over the standard's own window, for a standard judged over one other than its reporting period."""
    if not (standard.is_current and standard.has_own_window and standard.is_measured_from_transactions):
        return None
    length = window_length(standard.window_duration)
    if length is None:
        return None
    now = now or timezone.now()
    if standard.window_is_rolling:
        start = now - length
    else:
        first = dt.datetime.combine(standard.valid_from, dt.time(), tzinfo=measurement.local_zone())
        start = first + length * max(0, (now - first) // length)
    counts = store.window_counts(standard.agency, [standard], now, {"window": now - start})
    missed, total = counts[standard.pk]["window"]
    return WindowResult(start, total - missed, total)


def alerts_of(agency: Agency) -> QuerySet[BurnRateAlert]:
    return BurnRateAlert.objects.filter(agency=agency).select_related("standard", "standard__service")


def discrepancies_of(agency: Agency) -> QuerySet[PeriodResult]:
    return (
        PeriodResult.objects.filter(standard__agency=agency, discrepancy=True)
        .select_related("standard", "standard__service")
        .order_by("standard__service__name", "period_start")
    )


def discrepancy_count(agency: Agency) -> int:
    return PeriodResult.objects.filter(standard__agency=agency, discrepancy=True).count()


def public_standards(agency: Agency) -> list[StandardSummary]:
    """The agency's current standards with their published results, for the public page."""
    return summaries(list(standards_of(agency)))


def agencies_with_standards_count() -> int:
    return ServiceStandard.objects.filter(valid_until__isnull=True).values("agency").distinct().count()


def transaction_count(agency: Agency) -> int:
    return store.transaction_count(agency)


def result_counts(agency: Agency) -> dict[str, int]:
    return PeriodResult.objects.filter(standard__agency=agency).aggregate(
        met=Count("id", filter=Q(verdict=Verdict.MET)), not_met=Count("id", filter=Q(verdict=Verdict.NOT_MET))
    )


def period_today(period: str) -> dt.date:
    return measurement.period_of(period, timezone.localdate()).start


@dataclass(frozen=True)
class StandardKept:
    standard: ServiceStandard
    result: PeriodResult | None  # the last complete period with transactions


def standards_kept(agency: Agency, today: dt.date | None = None) -> list[StandardKept]:
    """Each current standard with its result in the last period that has ended (a period still running is not
    judged yet): two queries whatever the number of standards."""
    today = today or timezone.localdate()
    standards = list(standards_of(agency))
    last: dict[Any, PeriodResult] = {}
    results = PeriodResult.objects.filter(
        standard__agency=agency,
        standard__lineage__in=[s.lineage for s in standards],
        period_end__lt=today,
        total__gt=0,
    ).select_related("standard")
    for result in results.order_by("period_start"):
        last[result.standard.lineage] = result
    return [StandardKept(standard, last.get(standard.lineage)) for standard in standards]


def recent_alerts(agency: Agency, days: int = 30, limit: int = 5) -> list[BurnRateAlert]:
    since = timezone.now() - dt.timedelta(days=days)
    return list(alerts_of(agency).filter(raised_at__gte=since)[:limit])
