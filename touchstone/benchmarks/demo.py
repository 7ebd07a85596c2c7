"""The demo's benchmarks: Canada's peer set (when ../shared/data is here), and three of the demo agency's own
benchmarks placed so that one service beats its benchmark, one is behind it by more than noise, and one's gap is
within noise; the scorecard then points at the office where effort pays most. The analyst (Ana Lyst) owns two of
those standards, so her area has a scorecard of its own; two peer agencies get a service with a standard and a
customer survey, so the overseer's page compares three agencies side by side."""

import datetime as dt
import random

from django.conf import settings

from touchstone.benchmarks import services
from touchstone.benchmarks.models import Benchmark, Origin
from touchstone.core.models import Agency, Membership, Office, Role

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
        if story != "beats" and standard.owner_id is None:
            _owned_by_the_analyst(agency, standard)
    # Satisfaction is compared with the published ACSI figures for every service.
    for key in ("acsi-federal-2021", "acsi-national-2020-q3"):
        fact = Benchmark.objects.filter(agency=None, key=key).first()
        if fact is not None:
            services.choose(actor=None, agency=agency, benchmark=fact)

    for abbreviation, level in (("LPS", 0.84), ("FRPB", 0.93)):
        peer = Agency.objects.filter(abbreviation=abbreviation).first()
        if peer is not None:
            _peer_agency_figures(peer, level)
    for each in Agency.objects.all():
        services.refresh_agency_summary(each)


def _owned_by_the_analyst(agency: Agency, standard: object) -> None:
    analyst = Membership.objects.filter(agency=agency, role=Role.ANALYST).select_related("user").first()
    if analyst is not None:
        standard.owner = analyst.user  # type: ignore[attr-defined]
        standard.save(update_fields=["owner"])  # type: ignore[attr-defined]


def _peer_agency_figures(agency: Agency, level: float) -> None:
    """A service with a timeliness standard judged over twelve months and a customer survey of 300 answers."""
    from touchstone.analysis import services as analysis
    from touchstone.catalog.models import Service
    from touchstone.standards.models import PeriodResult, ServiceStandard
    from touchstone.surveys.demo import _published, _responses
    from touchstone.surveys.models import Response

    rng = random.Random(agency.abbreviation)
    service, _created = Service.objects.get_or_create(
        agency=agency,
        slug="main-service",
        defaults={
            "name": f"{agency.abbreviation} permit applications",
            "name_es": f"Solicitudes de permisos de {agency.abbreviation}",
            "description": "Applications (demo).",
            "status": "published",
            "estimated_annual_volume": 40_000,
        },
    )
    standard, created = ServiceStandard.objects.get_or_create(
        agency=agency,
        service=service,
        standard_type="timeliness",
        defaults={
            "statement": "We decide 9 in 10 applications within 20 working days.",
            "statement_es": "Decidimos 9 de cada 10 solicitudes en 20 días hábiles.",
            "measure": "calendar_days",
            "threshold": 20,
            "target": 0.9,
            "period": "month",
            "valid_from": dt.date(2025, 10, 1),
        },
    )
    if created:
        results = []
        for month in range(12):
            start = dt.date(2025 + (9 + month) // 12, (9 + month) % 12 + 1, 1)
            total = rng.randint(800, 1600)
            met = min(total, round(total * rng.gauss(level, 0.015)))
            results.append(
                PeriodResult(
                    standard=standard,
                    period_start=start,
                    period_end=start + dt.timedelta(days=27),
                    label=f"{start:%Y-%m}",
                    volume_met=met,
                    total=total,
                    performance=met / total,
                    verdict="met" if met / total >= 0.9 else "not_met",
                )
            )
        PeriodResult.objects.bulk_create(results)
    survey = _published(agency, f"How did we do? {service.name}", service, "a11-v1")
    if not survey.responses.exists():
        Response.objects.bulk_create(_responses(survey, service, [], rng, 300))
        analysis.refresh_analysis(survey)
