"""Every read of benchmarks, scoped to an agency: the library it sees, its figures beside their benchmarks, the
scorecard per office and where effort would help the most customers."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from touchstone.benchmarks.models import (
    LOWER_IS_BETTER,
    SATISFACTION,
    AgencySummary,
    Benchmark,
    ChosenBenchmark,
    Measure,
)
from touchstone.catalog.models import Service
from touchstone.core import numbers
from touchstone.core.models import Agency, Office
from touchstone.stats import benchmarks as stats

# The A-11 driver a standard of this type serves: its importance weighs the standard's gap in the allocation.
STANDARD_DRIVERS = {"timeliness": "efficiency", "access": "ease", "accuracy": "transparency"}


def benchmarks_for(agency: Agency) -> QuerySet[Benchmark]:
    """The shared library and this agency's own and imported benchmarks, with their sources."""
    return Benchmark.objects.filter(Q(agency=None) | Q(agency=agency)).select_related("source")


def benchmark_of(agency: Agency, benchmark_id: int) -> Benchmark:
    try:
        return benchmarks_for(agency).get(pk=benchmark_id)
    except Benchmark.DoesNotExist as missing:
        raise Http404("No such benchmark.") from missing


def choices_of(agency: Agency) -> QuerySet[ChosenBenchmark]:
    return ChosenBenchmark.objects.filter(agency=agency).select_related("benchmark__source", "service")


def choice_of(agency: Agency, choice_id: int) -> ChosenBenchmark:
    try:
        return choices_of(agency).get(pk=choice_id)
    except ChosenBenchmark.DoesNotExist as missing:
        raise Http404("No such choice.") from missing


@dataclass
class Figure:
    """One of the agency's own measures, on the common scale (a share from 0 to 1)."""

    key: str
    label: str
    origin: str  # survey, standard, complaints
    measure: str
    value: float
    se: float | None
    n: int | None
    service: Service | None = None
    office: Office | None = None
    standard_type: str = ""
    channel: str = ""
    trend: str = ""
    volume: float = 0.0
    importance: float | None = None
    standard_id: int | None = None


def _se_of_share(p: float, n: int | None) -> float | None:
    return (p * (1 - p) / n) ** 0.5 if n else None


def figures_of(agency: Agency) -> list[Figure]:
    """Satisfaction and trust from each service's survey (with their intervals), each current standard's latest
    judged period, and complaint resolution within the agency's policy."""
    from touchstone.analysis import selectors as analysis
    from touchstone.complaints import selectors as complaints
    from touchstone.standards import selectors as standards

    out: list[Figure] = []
    importance_by_service: dict[int, dict[str, float]] = {}
    for survey in analysis.surveys_to_analyse(agency).filter(service__isnull=False):
        if not survey.complete_count:  # type: ignore[attr-defined]
            continue
        data = analysis.analysis_of(survey).data
        service = survey.service
        assert service is not None
        drivers = (data.get("drivers") or {}).get("drivers") or []
        importance_by_service[service.pk] = {
            str(d.get("measure")): float(d.get("share") or 0) for d in drivers if d.get("measure")
        }
        for row in data.get("a11") or []:
            measure = {"satisfaction": Measure.SATISFACTION_TOP2, "trust": Measure.TRUST}.get(
                row.get("measure")
            )
            if measure is None or row.get("value") is None:
                continue
            out.append(
                Figure(
                    key=f"survey-{survey.pk}-{row['measure']}",
                    label=f"{service.name}: {Measure(measure).label}",
                    origin="survey",
                    measure=measure,
                    value=float(row["value"]),
                    se=stats.se_from_interval(row.get("ci_low"), row.get("ci_high")),
                    n=row.get("n"),
                    service=service,
                    volume=float(service.estimated_annual_volume or 0),
                )
            )
    for summary in standards.summaries(list(standards.standards_of(agency).select_related("service"))):
        latest = summary.latest
        if latest is None or latest.performance is None:
            continue
        standard = summary.standard
        se = stats.se_from_interval(latest.ci_low, latest.ci_high) or _se_of_share(
            latest.performance, latest.total
        )
        driver = STANDARD_DRIVERS.get(standard.standard_type, "")
        service = standard.service
        out.append(
            Figure(
                key=f"standard-{standard.pk}",
                label=f"{service.name if service else ''}: {standard.statement}"[:200],
                origin="standard",
                measure=Measure.STANDARD_MET,
                value=latest.performance,
                se=se,
                n=latest.total,
                service=service,
                standard_type=standard.standard_type,
                channel=standard.channel,
                trend=summary.trend_label,
                volume=float(service.estimated_annual_volume or 0) if service else float(latest.total or 0),
                importance=importance_by_service.get(service.pk, {}).get(driver) if service else None,
                standard_id=standard.pk,
            )
        )
    insight = complaints.insight(agency)
    for clock in insight.clocks:
        if clock.clock == "resolve" and clock.share_met is not None:
            out.append(
                Figure(
                    key="complaints-resolve",
                    label=_("Complaints resolved within policy"),
                    origin="complaints",
                    measure=Measure.STANDARD_MET,
                    value=clock.share_met,
                    se=_se_of_share(clock.share_met, clock.decided),
                    n=clock.decided,
                    standard_type="timeliness",
                    volume=float(insight.total),
                )
            )
    offices = {
        s.pk: s.owner_office for s in Service.objects.filter(agency=agency).select_related("owner_office")
    }
    for figure in out:
        if figure.service is not None:
            figure.office = offices.get(figure.service.pk)
    return out


def comparable(figure: Figure, benchmark: Benchmark) -> bool:
    """Same thing measured, on a scale that converts; a peer standard must be of the same type, and of the same
    channel when both name one."""
    if benchmark.on_common_scale is None:
        return False
    if figure.measure in SATISFACTION:
        return benchmark.measure in SATISFACTION
    if benchmark.measure != figure.measure:
        return False
    if figure.measure == Measure.STANDARD_MET:
        if benchmark.standard_type and benchmark.standard_type != figure.standard_type:
            return False
        if benchmark.channel and figure.channel and benchmark.channel != figure.channel:
            return False
    return True


@dataclass
class Comparison:
    figure: Figure
    best: Benchmark | None  # best in business: the best comparable benchmark the agency chose
    gap: stats.Gap | None
    considered: list[Benchmark] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.gap.verdict if self.gap else "none"

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


VERDICT_LABELS = {
    "ahead": gettext_lazy("Ahead of the benchmark"),
    "behind": gettext_lazy("Behind the benchmark"),
    "within_noise": gettext_lazy("Within noise"),
    "unknown": gettext_lazy("No interval known"),
    "none": gettext_lazy("No comparable benchmark"),
}


def chosen_for(agency: Agency) -> tuple[bool, dict[int | None, list[Benchmark]]]:
    """Benchmarks the agency chose, by service (None: for every service). With no choice at all, the whole
    library it sees stands in, and the first value says so."""
    choices = list(choices_of(agency))
    by_service: dict[int | None, list[Benchmark]] = defaultdict(list)
    if not choices:
        by_service[None] = list(benchmarks_for(agency))
        return False, by_service
    for choice in choices:
        by_service[choice.service_id].append(choice.benchmark)
    return True, by_service


def compare(figure: Figure, candidates: list[Benchmark]) -> Comparison:
    usable = [b for b in candidates if comparable(figure, b)]
    if not usable:
        return Comparison(figure, None, None, [])
    higher = figure.measure not in LOWER_IS_BETTER
    index = stats.best([(i, b.on_common_scale or 0.0) for i, b in enumerate(usable)], higher)
    assert index is not None
    best = usable[index]
    gap = stats.gap(figure.value, figure.se, best.on_common_scale or 0.0, best.se_on_common_scale, higher)
    return Comparison(figure, best, gap, usable)


def comparisons_of(agency: Agency) -> tuple[bool, list[Comparison]]:
    chosen, by_service = chosen_for(agency)
    out = []
    for figure in figures_of(agency):
        candidates = list(by_service.get(None, []))
        if figure.service is not None:
            candidates += by_service.get(figure.service.pk, [])
        out.append(compare(figure, candidates))
    return chosen, out


@dataclass
class OfficeCard:
    office: Office | None
    rows: list[Comparison]

    @property
    def behind(self) -> int:
        return sum(1 for row in self.rows if row.verdict == "behind")

    @property
    def priority(self) -> float:
        return sum(p.score for p in allocation(self.rows))


def scorecard(comparisons: list[Comparison]) -> list[OfficeCard]:
    """The comparisons grouped by the office that owns each service, the office with most to gain first."""
    groups: dict[int | None, list[Comparison]] = defaultdict(list)
    offices: dict[int | None, Office | None] = {}
    for row in comparisons:
        office = row.figure.office
        key = office.pk if office else None
        groups[key].append(row)
        offices[key] = office
    cards = [OfficeCard(offices[key], rows) for key, rows in groups.items()]
    return sorted(cards, key=lambda card: (-card.priority, str(card.office or "")))


@dataclass(frozen=True)
class Allocation:
    comparison: Comparison
    priority: stats.Priority
    rank: int

    @property
    def reasoning(self) -> str:
        figure, p = self.comparison.figure, self.priority
        if p.shortfall == 0:
            return _("Ahead of or level with %(benchmark)s: no shortfall to close.") % {
                "benchmark": self.comparison.best
            }
        importance = (
            _("driver importance %(share)s") % {"share": numbers.percent(p.importance)}
            if figure.importance is not None
            else _("driver importance unknown, counted as 100%")
        )
        return _(
            "%(gap)s points behind %(benchmark)s × %(volume)s customers a year × %(importance)s "
            "= %(score)s customers a year reached."
        ) % {
            "gap": numbers.decimal(100 * p.shortfall),
            "benchmark": self.comparison.best,
            "volume": numbers.count(round(p.volume)),
            "importance": importance,
            "score": numbers.count(round(p.score)),
        }


def allocation(comparisons: list[Comparison]) -> list[stats.Priority]:
    return [row.priority for row in allocations(comparisons)]


def allocations(comparisons: list[Comparison]) -> list[Allocation]:
    """Services and channels ranked by gap to benchmark × customers a year × driver importance."""
    usable = {row.figure.key: row for row in comparisons if row.gap is not None}
    ranked = stats.priorities(
        [
            (
                key,
                row.gap.gap,
                row.figure.volume,
                1.0 if row.figure.importance is None else row.figure.importance,
            )
            for key, row in usable.items()
            if row.gap is not None
        ]
    )
    return [Allocation(usable[p.key], p, i + 1) for i, p in enumerate(ranked)]


def public_benchmarks(agency: Agency, summaries: list[Any]) -> dict[int, Comparison]:
    """For the public standards page: each standard's latest result beside the benchmark the agency chose to show
    publicly (for its service or for every service), by standard id. Nothing when the agency opted in to none."""
    shown = [c for c in choices_of(agency) if c.show_publicly]
    if not shown:
        return {}
    out: dict[int, Comparison] = {}
    for summary in summaries:
        latest, standard = summary.latest, summary.standard
        if latest is None or latest.performance is None:
            continue
        figure = Figure(
            key=f"standard-{standard.pk}",
            label=standard.statement,
            origin="standard",
            measure=Measure.STANDARD_MET,
            value=latest.performance,
            se=stats.se_from_interval(latest.ci_low, latest.ci_high)
            or _se_of_share(latest.performance, latest.total),
            n=latest.total,
            standard_type=standard.standard_type,
            channel=standard.channel,
        )
        candidates = [c.benchmark for c in shown if c.service_id in (None, standard.service_id)]
        comparison = compare(figure, candidates)
        if comparison.best is not None:
            out[standard.pk] = comparison
    return out


@dataclass(frozen=True)
class AgencyStanding:
    agency: Agency
    standards: int
    measured: int
    met: int
    total: int
    ranked: stats.Ranked | None

    @property
    def share_met(self) -> float | None:
        return self.met / self.measured if self.measured else None


def government_standing() -> list[AgencyStanding]:
    """Agencies side by side on their standards' latest results: the pooled share of transactions within standard,
    its standard error, and a peer ranking where neighbours whose difference is within noise share a rank.

    The same figures as the standards rollup (`standards.selectors.government_wide`), counted by the database in
    three grouped queries, so the page stays fast with thousands of standards and their monthly results."""
    from django.db.models import Count, F, OuterRef, Subquery, Sum

    from touchstone.standards.models import PeriodResult, ServiceStandard, Verdict

    current = ServiceStandard.objects.filter(valid_until__isnull=True)
    standards = dict(current.values_list("agency_id").annotate(n=Count("pk")).order_by())
    latest = (
        PeriodResult.objects.filter(standard__lineage=OuterRef("lineage"), total__gt=0)
        .exclude(verdict=Verdict.IN_PROGRESS)
        .order_by("-period_start")
        .values("pk")[:1]
    )
    # DISTINCT keeps PostgreSQL from pulling the subquery up into the IN join, where it ran the correlated search
    # for each standard's latest result three times (about 3x the time for 5,000 standards); the ids are unique.
    latest_ids = current.annotate(latest_id=Subquery(latest)).values("latest_id").distinct()
    judged = PeriodResult.objects.filter(pk__in=latest_ids).exclude(verdict=Verdict.NO_DATA)
    pooled_rows = Q(volume_met__isnull=False, total__gt=0, volume_met__lte=F("total"))
    counts: dict[int, dict[str, Any]] = {
        row["standard__agency_id"]: dict(row)
        for row in judged.values("standard__agency_id")
        .annotate(
            judged=Count("pk"),
            kept=Count("pk", filter=Q(verdict=Verdict.MET)),
            pooled_met=Sum("volume_met", filter=pooled_rows),
            total_pooled=Sum("total", filter=pooled_rows),
        )
        .order_by()
    }
    agencies = Agency.objects.filter(pk__in=list(standards)).order_by("name")
    items = []
    for agency_id, row in counts.items():
        row["pooled_met"], row["total_pooled"] = row["pooled_met"] or 0, row["total_pooled"] or 0
        if row["total_pooled"]:
            share = row["pooled_met"] / row["total_pooled"]
            items.append((str(agency_id), share, _se_of_share(share, row["total_pooled"])))
    ranked = {r.key: r for r in stats.rank_with_noise([(k, v, se) for k, v, se in items if v is not None])}
    out = []
    for agency in agencies:
        row = counts.get(agency.pk) or {}
        out.append(
            AgencyStanding(
                agency,
                standards.get(agency.pk, 0),
                row.get("judged", 0),
                row.get("kept", 0),
                row.get("total_pooled", 0),
                ranked.get(str(agency.pk)),
            )
        )
    return sorted(out, key=lambda s: (s.ranked is None, s.ranked.rank if s.ranked else 0, s.agency.name))


# --- the overseer's side-by-side comparison -------------------------------------------------------------------

A11_MEASURES = ("satisfaction", "trust", "effectiveness", "ease", "efficiency", "equity", "employee")
A11_LABELS = {
    "satisfaction": gettext_lazy("Satisfaction"),
    "trust": gettext_lazy("Trust"),
    "effectiveness": gettext_lazy("Effectiveness"),
    "ease": gettext_lazy("Ease"),
    "efficiency": gettext_lazy("Efficiency"),
    "equity": gettext_lazy("Equity"),
    "employee": gettext_lazy("Employee helpfulness"),
}


def pooled_a11(agency: Agency, *, cached_only: bool = False) -> dict[str, dict[str, float | int]]:
    """Each A-11 measure's share agreeing over the agency's customer surveys: the surveys' figures (as their
    analysis pages show them, weighted where a weighting applies) averaged by answers, with the standard error of
    that average, sqrt(sum (n_i / N)^2 se_i^2). A survey's figure hidden below its minimum is left out.
    `cached_only`: read only analyses already computed (the analysis task's quick update), computing none."""
    from touchstone.analysis import selectors as analysis
    from touchstone.analysis.models import ALL_PERIODS
    from touchstone.surveys.models import Survey

    parts: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for survey in analysis.surveys_to_analyse(agency).filter(audience=Survey.Audience.CUSTOMERS):
        if not survey.complete_count:  # type: ignore[attr-defined]
            continue
        if cached_only:
            scheme = analysis.weighting_of(survey)
            result = analysis.cached_result(survey, ALL_PERIODS, scheme.applied_version if scheme else 0)
            if result is None:
                continue
        else:
            result = analysis.analysis_of(survey)
        for row in result.data.get("a11") or []:
            value, n = row.get("value"), row.get("n")
            if value is None or not n or row.get("measure") not in A11_MEASURES:
                continue
            se = row.get("se")
            if se is None:
                se = stats.se_from_interval(row.get("ci_low"), row.get("ci_high"))
            parts[row["measure"]].append((float(value), float(se or 0.0), int(n)))
    pooled: dict[str, dict[str, float | int]] = {}
    for measure, figures in parts.items():
        total = sum(n for _v, _se, n in figures)
        value = sum(v * n for v, _se, n in figures) / total
        se = sum((n / total) ** 2 * se**2 for _v, se, n in figures) ** 0.5
        pooled[measure] = {"value": value, "se": se, "n": total, "surveys": len(figures)}
    return pooled


@dataclass(frozen=True)
class Cell:
    """One agency's figure in one column of the overseer's table, with its noise-group letters."""

    value: float
    se: float | None
    n: int
    letters: str = ""
    text: str = ""  # "82.0% (80.1%–83.9%)": the figure and its 95% interval in the reader's language

    @property
    def low(self) -> float:
        return max(0.0, self.value - stats.Z95 * (self.se or 0.0))

    @property
    def high(self) -> float:
        return min(1.0, self.value + stats.Z95 * (self.se or 0.0))


@dataclass
class AgencyRow:
    standing: AgencyStanding
    summary: AgencySummary | None
    cells: dict[str, Cell | None]  # column key -> figure (None: not measured)
    gaps: str = ""  # "2 behind, 5 ahead, 1 within noise" in the reader's language; empty without a summary

    @property
    def agency(self) -> Agency:
        return self.standing.agency

    @property
    def in_order(self) -> list[Cell | None]:
        """The cells in the order of the columns."""
        return list(self.cells.values())


@dataclass
class OversightComparison:
    columns: list[tuple[str, str]]  # key, label
    rows: list[AgencyRow]
    oldest_summary: Any  # datetime of the least recent summary shown, or None


# (value, se, n, letters) of each figure, by agency and column: what the table shows, in no language.
Figures = dict[int, dict[str, tuple[float, float | None, int, str]]]


def oversight_comparison() -> OversightComparison:
    """Agencies side by side: standards kept, complaint timeliness, the A-11 drivers and benchmark gaps, each figure
    with its interval and a compact letter display of noise groups per column (agencies sharing a letter are
    within noise of each other). Four queries whatever the number of agencies: the standings' three and the
    summaries kept by the analysis task. Each figure's text is formatted here, once per distinct number, so the
    template only places it (a table of 100 agencies holds 2,700 percentages)."""
    standings = government_standing()
    summaries = {s.agency_id: s for s in AgencySummary.objects.select_related("agency")}
    listed = {standing.agency.pk for standing in standings}
    standings += sorted(
        (AgencyStanding(s.agency, 0, 0, 0, 0, None) for s in summaries.values() if s.agency_id not in listed),
        key=lambda standing: standing.agency.name,
    )
    columns: list[tuple[str, str]] = [
        ("standards", str(_("Transactions within standard"))),
        ("complaints", str(_("Complaints closed on time"))),
        *((m, str(A11_LABELS[m])) for m in A11_MEASURES),
    ]
    sources = [
        (
            standing.agency.pk,
            (standing.ranked.value, standing.ranked.se, standing.total) if standing.ranked else None,
            (summary.complaints_met, summary.complaints_decided, summary.a11)
            if (summary := summaries.get(standing.agency.pk))
            else None,
        )
        for standing in standings
    ]
    figures = oversight_figures(sources)
    percent = numbers.percents(1)
    gaps = _("%(behind)s behind, %(ahead)s ahead, %(level)s within noise")
    rows = []
    for standing in standings:
        summary = summaries.get(standing.agency.pk)
        shown = figures[standing.agency.pk]
        cells: dict[str, Cell | None] = {}
        for column, _label in columns:
            figure = shown.get(column)
            if figure is None:
                cells[column] = None
                continue
            value, se, n, letters = figure
            spread = stats.Z95 * (se or 0.0)
            text = (
                f"{percent(value)} ({percent(max(0.0, value - spread))}–{percent(min(1.0, value + spread))})"
            )
            cells[column] = Cell(value, se, n, letters, text)
        counts = (
            gaps
            % {"behind": summary.gaps_behind, "ahead": summary.gaps_ahead, "level": summary.gaps_within_noise}
            if summary
            else ""
        )
        rows.append(AgencyRow(standing, summary, cells, counts))
    stamps = [s.computed_at for s in summaries.values()]
    return OversightComparison(columns, rows, min(stamps) if stamps else None)


def oversight_figures(
    sources: list[tuple[int, tuple[float, float | None, int] | None, tuple[int, int, dict[str, Any]] | None]],
) -> Figures:
    """Each agency's figures, from (agency id, its standards' (share, se, transactions) or None, its summary's
    (complaints met, complaints decided, A-11 figures) or None) in the table's order, with the noise-group letters
    of each column (`stats.noise_groups`, every pair of agencies tested at once)."""
    figures: Figures = {}
    columns: dict[str, list[tuple[str, float, float | None]]] = defaultdict(list)
    for agency_id, standards, summary in sources:
        shown: dict[str, tuple[float, float | None, int]] = {}
        if standards is not None:
            shown["standards"] = standards
        if summary is not None:
            met, decided, a11 = summary
            if decided:
                shown["complaints"] = (met / decided, wilson(met, decided), decided)
            for measure, figure in (a11 or {}).items():
                if measure in A11_MEASURES:
                    shown[measure] = (float(figure["value"]), figure.get("se"), int(figure.get("n") or 0))
        for column, (value, se, _n) in shown.items():
            columns[column].append((str(agency_id), value, se))
        figures[agency_id] = {column: (*figure, "") for column, figure in shown.items()}
    for column, items in columns.items():
        for agency_key, letters in stats.noise_groups(items).items():
            value, se, n, _none = figures[int(agency_key)][column]
            figures[int(agency_key)][column] = (value, se, n, letters)
    return figures


def wilson(met: int, n: int) -> float | None:
    """The standard error a Wilson 95% interval implies for met of n (half its width over 1.96)."""
    from touchstone.stats.proportions import wilson_interval

    interval = wilson_interval(met, n)
    return stats.se_from_interval(interval.ci_low, interval.ci_high)


# --- a manager's area -------------------------------------------------------------------------------------------


def member_of(agency: Agency, membership_id: int) -> Any:
    """A person's membership of this agency (404 for another agency's)."""
    from touchstone.core.models import Membership

    try:
        return Membership.objects.select_related("user", "office").get(agency=agency, pk=membership_id)
    except Membership.DoesNotExist as missing:
        raise Http404("No such person.") from missing


def area_managers(agency: Agency) -> list[Any]:
    """Members who own at least one of the agency's current standards: each has an area, the services of the
    standards they own."""
    from touchstone.core.models import Membership

    return list(
        Membership.objects.filter(
            agency=agency,
            user__owned_standards__agency=agency,
            user__owned_standards__valid_until__isnull=True,
        )
        .select_related("user")
        .distinct()
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def area_service_ids(agency: Agency, membership: Any) -> set[int]:
    """A manager's area: the services whose current standards this person owns."""
    from touchstone.standards.models import ServiceStandard

    return set(
        ServiceStandard.objects.filter(
            agency=agency, owner_id=membership.user_id, valid_until__isnull=True, service__isnull=False
        ).values_list("service_id", flat=True)
    )


def in_area(comparisons: list[Comparison], service_ids: set[int]) -> list[Comparison]:
    """The comparisons of figures of the area's services (survey results and standards alike)."""
    return [
        row for row in comparisons if row.figure.service is not None and row.figure.service.pk in service_ids
    ]
