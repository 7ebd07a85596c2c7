"""The demo shows a service ahead of its benchmark, one behind by more than noise, one within noise, and a
scorecard that points at the office where effort pays most."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from touchstone.benchmarks import selectors
from touchstone.benchmarks.models import Benchmark, Origin
from touchstone.core.models import Agency

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_kind_of_gap_and_where_effort_pays(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    agency = Agency.objects.get(abbreviation="BA")
    _chosen, rows = selectors.comparisons_of(agency)
    demo_rows = [r for r in rows if r.best is not None and r.best.key.startswith("demo-")]
    assert {r.verdict for r in demo_rows} == {"ahead", "behind", "within_noise"}
    behind = next(r for r in demo_rows if r.verdict == "behind")
    cards = selectors.scorecard(rows)
    assert cards[0].office == behind.figure.office
    assert selectors.allocations(rows)[0].priority.score > 0
    if (Path(settings.SHARED_DIR) / "data" / "canada-service-standards" / "ss_2024.csv").exists():
        assert Benchmark.objects.filter(origin=Origin.PEER_SET).exists()


def test_the_demo_compares_three_agencies_for_the_overseer_and_has_a_managers_area(
    tmp_path: Path, settings: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from touchstone.core.models import Membership, User

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    rows = {row.agency.abbreviation: row for row in selectors.oversight_comparison().rows}
    for abbreviation in ("BA", "LPS", "FRPB"):
        cells = rows[abbreviation].cells
        assert cells["standards"] is not None and cells["trust"] is not None and cells["ease"] is not None
    assert rows["BA"].summary is not None and rows["BA"].summary.gaps_behind >= 1
    overseer = User.objects.create_user("demo-overseer", password="x" * 20, is_overseer=True)
    client = Client()
    client.force_login(overseer)
    html = client.get(reverse("manage:oversight-benchmarks")).content.decode()
    assert "Employee helpfulness" in html and "Complaints closed on time" in html
    agency = Agency.objects.get(abbreviation="BA")
    analyst = Membership.objects.get(agency=agency, user__username="analyst")
    service_ids = selectors.area_service_ids(agency, analyst)
    assert len(service_ids) >= 2
    client.force_login(analyst.user)
    page = client.get(reverse("manage:benchmarks:scorecard-manager", args=[agency.slug, analyst.pk]))
    assert page.status_code == 200 and "Behind the benchmark" in page.content.decode()
