"""A manager sees each figure beside the best comparable benchmark, how sure we are, and where effort pays most."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation

from touchstone.benchmarks import selectors, services
from touchstone.benchmarks.models import Benchmark
from touchstone.catalog.tests.factories import published_service
from touchstone.conftest import Personas
from touchstone.core.models import Agency, Office
from touchstone.standards.models import PeriodResult, ServiceStandard

pytestmark = pytest.mark.django_db


def standard_with_result(
    agency: Agency, name: str, met: int, total: int, office: Office, volume: int
) -> ServiceStandard:
    service = published_service(agency, name, owner_office=office, estimated_annual_volume=volume)
    standard = ServiceStandard.objects.create(
        agency=agency,
        service=service,
        statement=f"{name} decided within 30 days.",
        standard_type="timeliness",
        measure="calendar_days",
        threshold=30,
        target=0.9,
        period="month",
        valid_from=dt.date(2025, 10, 1),
        channel="website",
    )
    PeriodResult.objects.create(
        standard=standard,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
        label="2026-09",
        volume_met=met,
        total=total,
        performance=met / total,
        verdict="met",
    )
    return standard


def peer(agency: Agency, key: str, value: float, se: float | None) -> Benchmark:
    return services.save_benchmark(
        actor=None,
        agency=agency,
        data={
            "key": key,
            "organisation": "Peer exchange",
            "publication": "Peer results",
            "source_year": 2025,
            "licence": "Shared among peers",
            "label": f"Peer {key}",
            "measure": "standard_met",
            "scale": "share",
            "value": value,
            "standard_error": se,
            "population": "Peer agencies",
            "sector": "peer_government",
            "standard_type": "timeliness",
            "channel": "website",
            "year": 2025,
        },
    )


@pytest.fixture
def three_services(personas: Personas) -> dict[str, ServiceStandard]:
    a = personas.agency_a
    north = personas.office_a
    south = Office.objects.create(agency=a, name="South Office")
    stds = {
        "ahead": standard_with_result(a, "Licences", 950, 1000, north, 5_000),
        "behind": standard_with_result(a, "Permits", 700, 1000, south, 80_000),
        "level": standard_with_result(a, "Renewals", 800, 1000, north, 20_000),
    }
    for story, value in [("ahead", 0.85), ("behind", 0.90), ("level", 0.805)]:
        services.choose(
            actor=None, agency=a, benchmark=peer(a, story, value, 0.01), service=stds[story].service
        )
    return stds


def test_each_standard_is_ahead_behind_or_within_noise_of_its_chosen_benchmark(
    personas: Personas, three_services: dict[str, ServiceStandard]
) -> None:
    chosen, rows = selectors.comparisons_of(personas.agency_a)
    assert chosen
    verdicts = {row.figure.standard_id: row.verdict for row in rows}
    assert verdicts[three_services["ahead"].pk] == "ahead"
    assert verdicts[three_services["behind"].pk] == "behind"
    assert verdicts[three_services["level"].pk] == "within_noise"
    behind = next(r for r in rows if r.figure.standard_id == three_services["behind"].pk)
    assert behind.gap is not None and behind.gap.gap == pytest.approx(-0.20)
    assert behind.gap.benchmark_uncertainty_known and behind.best is not None
    assert behind.best.label == "Peer behind"


def test_the_best_in_business_is_the_best_comparable_benchmark_chosen(personas: Personas) -> None:
    standard = standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    for key, value in [("low", 0.70), ("high", 0.95)]:
        services.choose(
            actor=None, agency=personas.agency_a, benchmark=peer(personas.agency_a, key, value, None)
        )
    _chosen, rows = selectors.comparisons_of(personas.agency_a)
    row = next(r for r in rows if r.figure.standard_id == standard.pk)
    assert row.best is not None and row.best.label == "Peer high" and len(row.considered) == 2


def test_the_comparisons_page_names_each_source_and_draws_a_chart_with_a_table(
    personas: Personas, three_services: dict[str, ServiceStandard]
) -> None:
    page = personas.client(personas.viewer_a).get(
        reverse("manage:benchmarks:comparisons", args=[personas.agency_a.slug])
    )
    html = page.content.decode()
    assert "<svg" in html and "<table" in html
    assert "Source: Peer exchange, Peer results (2025)" in html
    assert "Behind the benchmark" in html and "Within noise" in html and "Ahead of the benchmark" in html


def test_the_scorecard_points_at_the_office_where_effort_pays_most(
    personas: Personas, three_services: dict[str, ServiceStandard]
) -> None:
    _chosen, rows = selectors.comparisons_of(personas.agency_a)
    cards = selectors.scorecard(rows)
    assert cards[0].office is not None and cards[0].office.name == "South Office"
    first = selectors.allocations(rows)[0]
    assert first.comparison.figure.standard_id == three_services["behind"].pk
    assert "20 points behind Peer behind × 80,000 customers a year" in first.reasoning
    with translation.override("es"):  # one number format per language, in sentences too
        assert "20 puntos" in first.reasoning and "80\xa0000 clientes" in first.reasoning
    html = (
        personas.client(personas.viewer_a)
        .get(reverse("manage:benchmarks:scorecard", args=[personas.agency_a.slug]))
        .content.decode()
    )
    assert html.index("South Office") < html.index("Alpha Field Office")


def test_the_scorecard_exports_as_csv_with_sources_gaps_and_reasoning(
    personas: Personas, three_services: dict[str, ServiceStandard]
) -> None:
    response = personas.client(personas.viewer_a).get(
        reverse("manage:benchmarks:scorecard-export", args=[personas.agency_a.slug])
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    permits = next(r for r in rows if r["figure"].startswith("Permits"))
    assert permits["verdict"] == "behind" and permits["allocation_rank"] == "1"
    assert permits["source"].startswith("Peer exchange") and float(permits["gap"]) == pytest.approx(-0.2)


def test_with_nothing_chosen_every_comparable_benchmark_in_the_library_is_considered(
    personas: Personas,
) -> None:
    standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    peer(personas.agency_a, "any", 0.80, 0.02)
    chosen, rows = selectors.comparisons_of(personas.agency_a)
    assert not chosen and rows[0].best is not None and rows[0].best.label == "Peer any"


def test_staff_of_another_agency_gets_404(personas: Personas) -> None:
    client = personas.client(personas.analyst_b)
    for name in ["home", "comparisons", "scorecard", "scorecard-export", "new"]:
        assert (
            client.get(reverse(f"manage:benchmarks:{name}", args=[personas.agency_a.slug])).status_code == 404
        )


def test_the_api_lists_the_library_with_sources_and_the_scorecard_with_gaps(
    personas: Personas, three_services: dict[str, ServiceStandard]
) -> None:
    from touchstone.core import services as core_services

    _token, secret = core_services.create_api_token(
        actor=None, agency=personas.agency_a, name="t", scopes=["read"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    from django.test import Client

    library = Client(**headers).get("/api/v1/benchmarks").json()
    acsi = next(b for b in library if b["label"] == "ACSI national (private sector) Q3 2020")
    assert acsi["value_as_share"] == pytest.approx(0.744) and acsi["source"]["url"] == "https://theacsi.org/"
    card = Client(**headers).get("/api/v1/benchmarks/scorecard").json()
    permits = next(row for row in card if row["figure"].startswith("Permits"))
    assert permits["verdict"] == "behind" and permits["allocation_rank"] == 1
    assert permits["benchmark"]["source"]["organisation"] == "Peer exchange"
    _other, other_secret = core_services.create_api_token(
        actor=None, agency=personas.agency_b, name="t", scopes=["read"]
    )
    other = Client(HTTP_AUTHORIZATION=f"Bearer {other_secret}")
    assert "Permits" not in other.get("/api/v1/benchmarks/scorecard").content.decode()
    assert "Peer behind" not in other.get("/api/v1/benchmarks").content.decode()


def test_the_overseer_ranks_agencies_and_marks_differences_within_noise(personas: Personas) -> None:
    third = Agency.objects.create(name="Commission of Gamma", abbreviation="CCC")
    standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    standard_with_result(personas.agency_b, "Boats", 895, 1000, personas.office_b, 100)
    standard_with_result(third, "Guns", 600, 1000, Office.objects.create(agency=third, name="G"), 100)
    standings = selectors.government_standing()
    ranks = {s.agency.abbreviation: (s.ranked.rank, s.ranked.tied_with_next) for s in standings if s.ranked}
    assert ranks == {"AAA": (1, True), "BBB": (1, False), "CCC": (3, False)}
    page = personas.client(personas.overseer).get(reverse("manage:oversight-benchmarks"))
    assert page.status_code == 200 and "within noise" in page.content.decode()
    assert personas.client(personas.admin_a).get(reverse("manage:oversight-benchmarks")).status_code == 403


def test_the_comparisons_page_reads_in_spanish(
    personas: Personas, three_services: dict[str, ServiceStandard]
) -> None:
    html = (
        personas.client(personas.viewer_a)
        .get("/es" + reverse("manage:benchmarks:comparisons", args=[personas.agency_a.slug]))
        .content.decode()
    )
    assert "Comparaciones con referentes" in html and "Por detrás del referente" in html
    assert "Intervalo del 95 % de la diferencia" in html


def test_the_overseers_counts_agree_with_the_standards_rollup(personas: Personas) -> None:
    from touchstone.standards import selectors as standards

    standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    standard_with_result(personas.agency_a, "Boats", 500, 1000, personas.office_a, 100)
    standard_with_result(personas.agency_b, "Guns", 600, 800, personas.office_b, 100)
    rollups = {agency.pk: r for agency, r in standards.government_wide()}
    for standing in selectors.government_standing():
        rollup = rollups[standing.agency.pk]
        assert (standing.standards, standing.measured, standing.met, standing.total) == (
            rollup.standards,
            rollup.measured,
            rollup.met,
            rollup.total,
        )
        assert standing.ranked is not None and standing.ranked.value == pytest.approx(rollup.pooled)


def test_a_public_standards_page_shows_the_benchmark_only_when_the_agency_opts_in(personas: Personas) -> None:
    standard = standard_with_result(personas.agency_a, "Cards", 900, 1000, personas.office_a, 100)
    benchmark = peer(personas.agency_a, "shown", 0.80, 0.01)
    url = reverse("portal_standards:agency", args=[personas.agency_a.slug])
    services.choose(actor=None, agency=personas.agency_a, benchmark=benchmark, service=standard.service)
    assert "Published benchmark" not in personas.client(None).get(url).content.decode()
    services.choose(
        actor=None,
        agency=personas.agency_a,
        benchmark=benchmark,
        service=standard.service,
        show_publicly=True,
    )
    html = personas.client(None).get(url).content.decode()
    assert "Published benchmark: 80.0%, Peer shown." in html
    assert "We are 10 points ahead of it" in html and "Source: Peer exchange, Peer results (2025)" in html
    spanish = personas.client(None).get("/es" + url).content.decode()
    assert "Referente publicado: 80,0" in spanish and "puntos por delante" in spanish
