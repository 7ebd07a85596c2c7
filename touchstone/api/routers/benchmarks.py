"""The benchmarks API: the library an agency sees (each figure with its source), its comparisons and scorecard."""

from django.http import HttpRequest
from ninja import Router, Schema

from touchstone.api import auth
from touchstone.benchmarks import selectors
from touchstone.benchmarks.models import Benchmark

router = Router(tags=["Benchmarks"])


class SourceOut(Schema):
    organisation: str
    publication: str
    year: int
    url: str
    licence: str


class BenchmarkOut(Schema):
    id: int
    label: str
    origin: str
    measure: str
    scale: str
    value: float
    standard_error: float | None
    sample_size: int | None
    value_as_share: float | None
    conversion: str
    population: str
    sector: str
    service_kind: str
    standard_type: str
    channel: str
    year: int
    source: SourceOut

    @staticmethod
    def resolve_value_as_share(obj: Benchmark) -> float | None:
        return obj.on_common_scale


class ComparisonOut(Schema):
    figure: str
    office: str
    measure: str
    value: float
    standard_error: float | None
    benchmark: BenchmarkOut | None
    gap: float | None
    gap_low: float | None
    gap_high: float | None
    verdict: str
    allocation_rank: int | None
    customers_reached: float | None
    reasoning: str


@router.get("/benchmarks", response=list[BenchmarkOut], auth=auth.read)
def list_benchmarks(request: HttpRequest) -> list[Benchmark]:
    """The shared library and the agency's own and licensed benchmarks, each with its source."""
    return list(selectors.benchmarks_for(auth.token_of(request).agency))


@router.get("/benchmarks/scorecard", response=list[ComparisonOut], auth=auth.read)
def scorecard(request: HttpRequest) -> list[dict[str, object]]:
    """Each figure of the agency beside its best comparable benchmark, office by office, with its allocation rank."""
    _chosen, rows = selectors.comparisons_of(auth.token_of(request).agency)
    ranks = {a.comparison.figure.key: a for a in selectors.allocations(rows)}
    out: list[dict[str, object]] = []
    for card in selectors.scorecard(rows):
        for row in card.rows:
            rank = ranks.get(row.figure.key)
            out.append(
                {
                    "figure": row.figure.label,
                    "office": str(card.office or ""),
                    "measure": row.figure.measure,
                    "value": row.figure.value,
                    "standard_error": row.figure.se,
                    "benchmark": row.best,
                    "gap": row.gap.gap if row.gap else None,
                    "gap_low": row.gap.low if row.gap else None,
                    "gap_high": row.gap.high if row.gap else None,
                    "verdict": row.verdict,
                    "allocation_rank": rank.rank if rank else None,
                    "customers_reached": rank.priority.score if rank else None,
                    "reasoning": rank.reasoning if rank else "",
                }
            )
    return out
