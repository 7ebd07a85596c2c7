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
