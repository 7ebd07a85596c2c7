"""The demo's benchmarks: Canada's peer set (when ../shared/data is here), and three of the demo agency's own
benchmarks placed so that one service beats its benchmark, one is behind it by more than noise, and one's gap is
within noise; the scorecard then points at the office where effort pays most."""

from django.conf import settings

from touchstone.benchmarks import services
from touchstone.benchmarks.models import Benchmark, Origin
from touchstone.core.models import Agency, Office

CANADA_FILE = ("data", "canada-service-standards", "ss_2024.csv")

DEMO_SOURCE = {
    "organisation": "Demo peer network (fictional)",
    "publication": "Demo benchmarking exchange, for trying Touchstone",
    "source_year": 2026,
    "url": "",
    "licence": "Demo data: invented for the demo, not a real benchmark",
}


def load_benchmarks_demo(agency: Agency) -> None:
    from touchstone.standards import selectors as standards

    path = settings.SHARED_DIR.joinpath(*CANADA_FILE)
    if path.exists():
        services.load_canada_peer_set(path)
    summaries = [
        s
        for s in standards.summaries(list(standards.standards_of(agency).select_related("service")))
        if s.latest is not None and s.latest.performance is not None and s.latest.total and s.standard.service
    ]
    summaries.sort(key=lambda s: -(s.latest.total or 0))  # type: ignore[union-attr]
    offices = list(Office.objects.filter(agency=agency).order_by("name"))
    # (label, offset from the service's latest result, standard error): ahead, behind by far more than noise, level.
    placements = [
        ("beats", -0.08, 0.005),
        ("behind", 0.12, 0.005),
        ("within noise", 0.002, 0.02),
    ]
    for i, (summary, (story, offset, se)) in enumerate(zip(summaries, placements, strict=False)):
        latest, standard = summary.latest, summary.standard
        assert latest is not None and latest.performance is not None and standard.service is not None
        service = standard.service
        if service.owner_office_id is None and offices:
            service.owner_office = offices[i % len(offices)]
            service.save(update_fields=["owner_office"])
        benchmark = services.save_benchmark(
            actor=None,
            agency=agency,
            origin=Origin.OWN,
            data={
                **DEMO_SOURCE,
                "key": f"demo-{story.replace(' ', '-')}",
                "label": f"Demo peer: {standard.get_standard_type_display()} ({story})",
                "measure": "standard_met",
                "scale": "share",
                "value": round(min(max(latest.performance + offset, 0.0), 1.0), 4),
                "standard_error": se,
                "sample_size": 400,
                "population": "Fictional peer agencies' comparable standards (demo)",
                "sector": "peer_government",
                "service_kind": service.get_kind_display(),
                "standard_type": standard.standard_type,
                "channel": standard.channel,
                "year": 2026,
            },
        )
        services.choose(actor=None, agency=agency, benchmark=benchmark, service=service, show_publicly=True)
    # Satisfaction is compared with the published ACSI figures for every service.
    for key in ("acsi-federal-2021", "acsi-national-2020-q3"):
        fact = Benchmark.objects.filter(agency=None, key=key).first()
        if fact is not None:
            services.choose(actor=None, agency=agency, benchmark=fact)
