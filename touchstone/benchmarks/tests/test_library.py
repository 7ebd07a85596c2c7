"""The library: shipped public facts with citations, Canada's peer set, an agency's own benchmarks and licensed CSV."""

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from touchstone.benchmarks import selectors, services
from touchstone.benchmarks.models import Benchmark, Origin
from touchstone.conftest import Personas, shared_file
from touchstone.core.importing import ImportFailed, run_import
from touchstone.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CANADA = "the Government of Canada's service standards results (open.canada.ca, ss_2024.csv)"


def test_every_public_fact_of_the_domain_ships_with_its_source() -> None:
    facts = {b.key: b for b in Benchmark.objects.filter(origin=Origin.PUBLIC_FACT).select_related("source")}
    assert facts["acsi-federal-2010"].value == 65.4
    assert facts["acsi-federal-2021"].value == 63.4
    assert facts["acsi-national-2020-q3"].value == 74.4
    assert facts["acsi-information-2011"].value == 72.3
    assert len(facts) == 11
    for fact in facts.values():
        assert fact.source.organisation.startswith("American Customer Satisfaction Index")
        assert fact.population and fact.year and fact.scale == "index_100"
        assert str(fact.year) in fact.citation()


def test_canadas_standards_become_a_peer_set_by_type_and_channel() -> None:
    path = shared_file("canada-service-standards", "ss_2024.csv", source=CANADA)
    made = services.load_canada_peer_set(path)
    assert made >= 5
    peer = Benchmark.objects.get(key="canada-ss-2024-timeliness-email")
    assert peer.origin == Origin.PEER_SET and peer.scale == "share"
    assert 0 < peer.value <= 1 and peer.standard_error and peer.sample_size >= 100
    assert "open.canada.ca" in peer.source.url and "Open Government Licence" in peer.source.licence
    assert services.load_canada_peer_set(path) == made  # a reload updates the same benchmarks
    assert Benchmark.objects.filter(origin=Origin.PEER_SET).count() == made


def _csv(tmp_path: Path, *rows: str) -> Path:
    header = (
        "organisation,publication,source_year,url,licence,label,measure,scale,value,standard_error,"
        "sample_size,population,sector,service_kind,standard_type,channel,year"
    )
    path = tmp_path / "benchmarks.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


GOOD = (
    "Acme Research,Contact centre study,2025,https://acme.example/study,Licensed to the agency,"
    "Banks' contact centres,satisfaction_top2,share,0.81,0.012,1500,Bank customers who called,private,"
    "Contact centre,,phone,2025"
)


def test_licensed_benchmarks_import_from_csv_for_the_agency_alone(personas: Personas, tmp_path: Path) -> None:
    run_import("benchmarks", _csv(tmp_path, GOOD), agency=personas.agency_a, actor=personas.analyst_a)
    imported = Benchmark.objects.get(agency=personas.agency_a)
    assert imported.origin == Origin.LICENSED and imported.standard_error == 0.012
    assert imported.source.licence == "Licensed to the agency"
    assert imported in selectors.benchmarks_for(personas.agency_a)
    assert imported not in selectors.benchmarks_for(personas.agency_b)


def test_a_bad_row_loads_nothing_and_is_named_by_line_and_column(personas: Personas, tmp_path: Path) -> None:
    bad = GOOD.replace(",0.81,", ",81,").replace("satisfaction_top2", "happiness")
    with pytest.raises(ImportFailed) as failure:
        run_import(
            "benchmarks", _csv(tmp_path, GOOD, bad), agency=personas.agency_a, actor=personas.analyst_a
        )
    problems = {(p.line, p.column) for p in failure.value.problems}
    assert (3, "measure") in problems and (3, "value") in problems
    assert not Benchmark.objects.filter(agency=personas.agency_a).exists()


def test_an_analyst_adds_an_own_benchmark_and_chooses_it_for_a_service(personas: Personas) -> None:
    from touchstone.catalog.tests.factories import published_service

    service = published_service(personas.agency_a, "Passports")
    client = personas.client(personas.analyst_a)
    slug = personas.agency_a.slug
    response = client.post(
        reverse("manage:benchmarks:new", args=[slug]),
        {
            "label": "Last year's plan",
            "organisation": "Agency of Alpha",
            "publication": "Customer service plan 2025",
            "source_year": 2025,
            "licence": "Our own",
            "measure": "satisfaction_top2",
            "scale": "share",
            "value": 0.7,
            "population": "Our customers",
            "sector": "own",
            "year": 2025,
        },
    )
    assert response.status_code == 302
    own = Benchmark.objects.get(agency=personas.agency_a)
    client.post(reverse("manage:benchmarks:choose", args=[slug, own.pk]), {"service": service.pk})
    assert [c.service for c in selectors.choices_of(personas.agency_a)] == [service]
    assert AuditEntry.objects.filter(action="benchmark.chosen", agency=personas.agency_a).exists()
    page = client.get(reverse("manage:benchmarks:home", args=[slug])).content.decode()
    assert "Last year&#x27;s plan" in page and "American Customer Satisfaction Index" in page


def test_a_share_above_one_is_refused_on_the_form(personas: Personas) -> None:
    response = personas.client(personas.analyst_a).post(
        reverse("manage:benchmarks:new", args=[personas.agency_a.slug]),
        {
            "label": "x",
            "organisation": "o",
            "publication": "p",
            "source_year": 2025,
            "licence": "l",
            "measure": "trust",
            "scale": "share",
            "value": 82,
            "population": "p",
            "sector": "own",
            "year": 2025,
        },
    )
    assert response.status_code == 200 and "write 0.82, not 82" in response.content.decode()


def test_another_agency_cannot_choose_or_see_our_benchmark(personas: Personas, tmp_path: Path) -> None:
    run_import("benchmarks", _csv(tmp_path, GOOD), agency=personas.agency_a, actor=personas.analyst_a)
    ours = Benchmark.objects.get(agency=personas.agency_a)
    client: Any = personas.client(personas.analyst_b)
    response = client.post(reverse("manage:benchmarks:choose", args=[personas.agency_b.slug, ours.pk]))
    assert response.status_code == 404
    assert (
        "Banks"
        not in client.get(reverse("manage:benchmarks:home", args=[personas.agency_b.slug])).content.decode()
    )


def test_the_command_loads_the_peer_set_or_names_the_missing_source(tmp_path: Path) -> None:
    import io

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="open.canada.ca"):
        call_command("load_canada_benchmarks", str(tmp_path / "absent.csv"))
    path = shared_file("canada-service-standards", "ss_2024.csv", source=CANADA)
    out = io.StringIO()
    call_command("load_canada_benchmarks", str(path), stdout=out)
    assert "benchmarks by standard type and channel" in out.getvalue()
