"""Every write of benchmarks: the shipped library, an agency's own and imported benchmarks, and its choices."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from touchstone.benchmarks import library
from touchstone.benchmarks.models import (
    AgencySummary,
    Benchmark,
    BenchmarkSource,
    ChosenBenchmark,
    Origin,
    Sector,
)
from touchstone.catalog.models import Service
from touchstone.core import audit
from touchstone.core.models import Agency, User


@transaction.atomic
def load_canada_peer_set(path: Path) -> int:
    """The Government of Canada peer set from ss_2024.csv; a reload updates the same benchmarks."""
    source, _created = BenchmarkSource.objects.update_or_create(
        agency=None,
        organisation=library.CANADA_SOURCE["organisation"],
        publication=library.CANADA_SOURCE["publication"],
        defaults={k: v for k, v in library.CANADA_SOURCE.items() if k not in {"organisation", "publication"}},
    )
    groups = library.canada_peer_groups(path)
    for group in groups:
        Benchmark.objects.update_or_create(
            agency=None,
            key=group["key"],
            defaults={
                **{k: v for k, v in group.items() if k != "key"},
                "source": source,
                "origin": Origin.PEER_SET,
                "measure": "standard_met",
                "scale": "share",
                "sector": Sector.PEER_GOVERNMENT,
                "service_kind": "Government services",
                "year": 2024,
            },
        )
    return len(groups)


def _source_for(agency: Agency, data: dict[str, Any]) -> BenchmarkSource:
    source, _created = BenchmarkSource.objects.get_or_create(
        agency=agency,
        organisation=data["organisation"],
        publication=data["publication"],
        year=data["source_year"],
        defaults={"url": data.get("url", ""), "licence": data.get("licence", "")},
    )
    return source


BENCHMARK_FIELDS = [
    "label",
    "measure",
    "scale",
    "value",
    "standard_error",
    "sample_size",
    "population",
    "sector",
    "service_kind",
    "standard_type",
    "channel",
    "year",
]


@transaction.atomic
def save_benchmark(
    *, actor: User | None, agency: Agency, data: dict[str, Any], origin: str = Origin.OWN
) -> Benchmark:
    """An agency's own benchmark (or one row of licensed data), with its source; a row with the same key updates."""
    source = _source_for(agency, data)
    key = data.get("key") or _key_for(data)
    benchmark, created = Benchmark.objects.update_or_create(
        agency=agency,
        key=key,
        defaults={
            **{name: data.get(name) for name in BENCHMARK_FIELDS if name in data},
            "source": source,
            "origin": origin,
        },
    )
    benchmark.full_clean()
    audit.record(
        actor=actor,
        action="benchmark.created" if created else "benchmark.updated",
        target=benchmark,
        agency=agency,
        changes={"value": [None, benchmark.value], "source": [None, str(source)]},
    )
    return benchmark


def _key_for(data: dict[str, Any]) -> str:
    from django.utils.text import slugify

    return slugify(f"{data['organisation']}-{data['label']}-{data['year']}")[:120]


@transaction.atomic
def choose(
    *,
    actor: User | None,
    agency: Agency,
    benchmark: Benchmark,
    service: Service | None = None,
    show_publicly: bool = False,
) -> ChosenBenchmark:
    if benchmark.agency_id not in (None, agency.pk):
        raise ValidationError(_("That benchmark belongs to another agency."))
    if service is not None and service.agency_id != agency.pk:
        raise ValidationError(_("That service belongs to another agency."))
    choice, _created = ChosenBenchmark.objects.update_or_create(
        agency=agency, benchmark=benchmark, service=service, defaults={"show_publicly": show_publicly}
    )
    audit.record(
        actor=actor,
        action="benchmark.chosen",
        target=choice,
        agency=agency,
        changes={"service": [None, str(service or "")], "show_publicly": [None, show_publicly]},
    )
    return choice


@transaction.atomic
def unchoose(*, actor: User | None, agency: Agency, choice: ChosenBenchmark) -> None:
    assert choice.agency_id == agency.pk
    audit.record(actor=actor, action="benchmark.unchosen", target=choice, agency=agency)
    choice.delete()


@transaction.atomic
def refresh_agency_summary(agency: Agency) -> AgencySummary:
    """Work out the agency's row of the overseer's comparison: its pooled A-11 figures, complaints closed on time,
    and how many of its figures are ahead of, behind or within noise of their benchmark. Derived figures only (no
    audit entry: nothing a person decided changes)."""
    from collections import Counter

    from django.utils import timezone

    from touchstone.benchmarks import selectors
    from touchstone.complaints import selectors as complaints

    resolve = next((c for c in complaints.insight(agency).clocks if c.clock == "resolve"), None)
    _chosen, comparisons = selectors.comparisons_of(agency)
    verdicts = Counter(row.verdict for row in comparisons)
    summary, _created = AgencySummary.objects.update_or_create(
        agency=agency,
        defaults={
            "a11": selectors.pooled_a11(agency),
            "complaints_met": resolve.met if resolve else 0,
            "complaints_decided": resolve.decided if resolve else 0,
            "gaps_ahead": verdicts["ahead"],
            "gaps_behind": verdicts["behind"],
            "gaps_within_noise": verdicts["within_noise"],
            "gaps_without_benchmark": verdicts["none"] + verdicts["unknown"],
            "computed_at": timezone.now(),
        },
    )
    return summary


@transaction.atomic
def refresh_agency_a11(agency: Agency) -> AgencySummary:
    """The quick update the analysis task makes after refreshing a customer survey: the agency's pooled A-11
    figures from the analyses already computed (complaints and benchmark gaps follow on the hourly schedule)."""
    from django.utils import timezone

    from touchstone.benchmarks import selectors

    a11 = selectors.pooled_a11(agency, cached_only=True)
    summary, _created = AgencySummary.objects.update_or_create(
        agency=agency,
        defaults={"a11": a11},
        # computed_at says when complaints and gaps were last worked out: a new row starts with nothing older.
        create_defaults={"a11": a11, "computed_at": timezone.now()},
    )
    return summary


def refresh_agency_summaries() -> int:
    """Every agency's summary (the schedule's hourly job, so complaint clocks and standards results stay current)."""
    agencies = list(Agency.objects.all())
    for agency in agencies:
        refresh_agency_summary(agency)
    return len(agencies)
