"""Objects of agency A for every id the benchmarks workspace URLs take."""

from typing import Any

from touchstone.benchmarks import services


def samples(personas: Any) -> dict[str, Any]:
    benchmark = services.save_benchmark(
        actor=None,
        agency=personas.agency_a,
        data={
            "key": "isolation",
            "organisation": "Agency of Alpha",
            "publication": "Own plan",
            "source_year": 2025,
            "licence": "Own",
            "label": "Own benchmark",
            "measure": "trust",
            "scale": "share",
            "value": 0.7,
            "population": "Our customers",
            "sector": "own",
            "year": 2025,
        },
    )
    choice = services.choose(actor=None, agency=personas.agency_a, benchmark=benchmark)
    return {"benchmark_id": benchmark.pk, "choice_id": choice.pk}
