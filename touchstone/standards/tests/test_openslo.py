"""OpenSLO in and out: every shape a file takes, objectives kept in their meaning, and a round trip.

The files here are written for these tests, in the shapes the OpenSLO specification, oslo and go-sdk use.
"""

import datetime as dt
import json
from pathlib import Path

import pytest

from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, export_to_string, run_import
from touchstone.standards import services, store
from touchstone.standards.models import Measure, ServiceStandard, StandardType
from touchstone.standards.tests.helpers import make_service, make_standard, write_transactions

LATENCY_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-latency
  displayName: Searching time
spec:
  description: Searches answer in under 500 ms, 99% of the time.
  service: search
  indicator:
    metadata:
      name: search-latency-sli
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: search_duration_milliseconds
  timeWindow:
    - duration: 2w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good experience
      op: lt
      value: 500
      target: 0.99
"""

AVAILABILITY_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
spec:
  description: Searches succeed 99.5% of the time.
  service: search
  indicatorRef: search-success
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.995
"""

SUCCESS_SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: search-success
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(searches{code="2xx"})
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(searches)
"""


def _indent(document: str) -> str:
    """A YAML document as an item of a YAML list."""
    lines = document.splitlines()
    return "\n".join(["- " + lines[0], *("  " + line for line in lines[1:])]) + "\n"


def load(personas: Personas, tmp_path: Path, text: str, name: str = "slos.yaml") -> dict[str, int]:
    path = tmp_path / name
    path.write_text(text)
    return run_import("openslo", path, agency=personas.agency_a).summary


@pytest.fixture
def search(personas: Personas):  # type: ignore[no-untyped-def]
    return make_service(personas.agency_a, "search")


def test_a_latency_objective_is_kept_in_milliseconds_with_its_rolling_window(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    load(personas, tmp_path, LATENCY_SLO, "slo.yaml")
    standard = ServiceStandard.objects.get(agency=personas.agency_a)
    assert (standard.measure, standard.threshold, standard.threshold_op) == (
        Measure.MILLISECONDS,
        500.0,
        "lt",
    )
    assert (standard.window_duration, standard.window_is_rolling) == ("2w", True)
    assert standard.target == 0.99 and standard.standard_type == StandardType.TIMELINESS
    assert standard.has_own_window


def test_an_availability_objective_is_a_ratio_with_its_sli_found_by_reference(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    load(personas, tmp_path, f"{AVAILABILITY_SLO}---\n{SUCCESS_SLI}")
    standard = ServiceStandard.objects.get(agency=personas.agency_a)
    assert (standard.measure, standard.standard_type, standard.threshold) == (
        Measure.OUTCOME,
        StandardType.AVAILABILITY,
        None,
    )
    assert (standard.target, standard.window_duration, standard.window_is_rolling) == (0.995, "28d", True)


def test_a_yaml_list_a_json_list_and_several_documents_import_alike(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    yaml_list = _indent(LATENCY_SLO) + _indent(AVAILABILITY_SLO) + _indent(SUCCESS_SLI)
    assert load(personas, tmp_path, yaml_list)["standards_created"] == 2
    import yaml

    as_json = json.dumps([yaml.safe_load(d) for d in (LATENCY_SLO, AVAILABILITY_SLO, SUCCESS_SLI)])
    assert load(personas, tmp_path, as_json, "slos.json")["standards_unchanged"] == 2
    several = f"{LATENCY_SLO}---\n{AVAILABILITY_SLO}---\n{SUCCESS_SLI}"
    assert load(personas, tmp_path, several)["standards_unchanged"] == 2
    assert ServiceStandard.objects.filter(agency=personas.agency_a).count() == 2


def test_an_indicator_ref_to_a_missing_sli_is_refused_naming_the_document(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, AVAILABILITY_SLO)
    problem = failure.value.problems[0]
    assert problem.line == 1 and problem.column == "spec.indicatorRef"
    assert "search-success" in problem.message and "Document 1" in problem.message
    assert not ServiceStandard.objects.exists()


def test_a_threshold_that_must_stay_above_a_value_is_refused(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, LATENCY_SLO.replace("op: lt", "op: gt"))
    assert failure.value.problems[0].column == "spec.objectives[0].op"


def test_other_api_versions_are_refused_by_name(personas: Personas, tmp_path: Path, search: object) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, LATENCY_SLO.replace("openslo/v1", "openslo/v2alpha"))
    assert "openslo/v2alpha" in failure.value.problems[0].message


def test_time_sliced_objectives_are_kept_each_as_a_standard_but_not_counted_from_transactions(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    sliced = (
        AVAILABILITY_SLO.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")
        .replace(
            "isRolling: true", "isRolling: false\n      calendar:\n        startTime: 2025-01-01 00:00:00"
        )
        .replace("duration: 28d", "duration: 1M")
        .replace(
            "    - target: 0.995\n",
            "    - displayName: Internal\n      target: 0.995\n      timeSliceTarget: 0.95\n      timeSliceWindow: 1m\n"
            "    - displayName: Contract\n      target: 0.99\n      timeSliceTarget: 0.9\n      timeSliceWindow: 5m\n",
        )
    )
    load(personas, tmp_path, f"{sliced}---\n{SUCCESS_SLI}")
    standards = ServiceStandard.objects.filter(agency=personas.agency_a).order_by("external_id")
    assert [(s.external_id, s.target, s.timeslice_window) for s in standards] == [
        ("search-availability#1", 0.995, "1m"),
        ("search-availability#2", 0.99, "5m"),
    ]
    assert standards[0].valid_from == dt.date(2025, 1, 1) and standards[0].window_duration == ""
    assert not any(s.is_measured_from_transactions for s in standards)
    assert services.measure_standard(standards[0]) == []


def test_importing_the_same_file_again_updates_instead_of_duplicating(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    load(personas, tmp_path, LATENCY_SLO)
    summary = load(personas, tmp_path, LATENCY_SLO.replace("value: 500", "value: 400"))
    assert summary["standards_updated"] == 1
    current = ServiceStandard.objects.filter(agency=personas.agency_a, valid_until__isnull=True)
    assert [(s.external_id, s.threshold) for s in current] == [("search-latency", 400.0)]


def test_a_standard_measured_in_milliseconds_counts_less_than_strictly(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    standard = make_standard(
        personas.agency_a,
        search,  # type: ignore[arg-type]
        measure="milliseconds",
        threshold=500.0,
        threshold_op="lt",
        target=0.5,
        valid_from=dt.date(2024, 3, 1),
    )
    rows = [
        ["fast", "search", "website", "2024-03-05 10:00:00.000", "2024-03-05 10:00:00.499", "", "", ""],
        ["edge", "search", "website", "2024-03-05 10:00:00.000", "2024-03-05 10:00:00.500", "", "", ""],
        ["slow", "search", "website", "2024-03-05 10:00:00.000", "2024-03-05 10:00:01.200", "", "", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=personas.agency_a)
    result = standard.results.get()
    assert (result.volume_met, result.total) == (1, 3)
    assert store.transaction_count(personas.agency_a) == 3


def test_openslo_round_trip_returns_the_standards_that_went_in(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    load(personas, tmp_path, f"{LATENCY_SLO}---\n{AVAILABILITY_SLO}---\n{SUCCESS_SLI}")
    make_standard(personas.agency_a, search, valid_from=dt.date(2024, 10, 1), period="quarter")  # type: ignore[arg-type]
    fields = [
        "statement",
        "standard_type",
        "measure",
        "threshold",
        "threshold_op",
        "target",
        "period",
        "valid_from",
        "window_duration",
        "window_is_rolling",
        "budgeting_method",
        "timeslice_target",
        "timeslice_window",
    ]
    before = sorted(ServiceStandard.objects.filter(agency=personas.agency_a).values_list(*fields))
    exported = export_to_string("openslo", personas.agency_a)
    path = tmp_path / "export.json"
    path.write_text(exported)
    again = run_import("openslo", path, agency=personas.agency_a).summary
    assert again.get("standards_unchanged") == 3 and "standards_updated" not in again
    make_service(personas.agency_b, "search")
    assert run_import("openslo", path, agency=personas.agency_b).summary["standards_created"] == 3
    after = sorted(ServiceStandard.objects.filter(agency=personas.agency_b).values_list(*fields))
    assert after == before


def test_a_rolling_window_standard_shows_its_own_window_and_a_time_sliced_one_says_why_it_is_not_counted(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    from django.urls import reverse
    from django.utils import timezone

    load(
        personas,
        tmp_path,
        LATENCY_SLO.replace("value: 500", "value: 500\n      target: 0.5").replace(
            "      target: 0.99\n", ""
        ),
    )
    standard = ServiceStandard.objects.get()
    day = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%d")
    rows = [
        ["a", "search", "website", f"{day} 10:00:00.000", f"{day} 10:00:00.200", "", "", ""],
        ["b", "search", "website", f"{day} 11:00:00.000", f"{day} 11:00:02.000", "", "", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=personas.agency_a)
    client = personas.client(personas.viewer_a)
    body = client.get(reverse("manage:standards:detail", args=["aaa", standard.pk])).content.decode()
    assert "2w, rolling" in body and "(1 of 2)" in body and "less than 500" in body
    sliced = make_standard(
        personas.agency_a,
        search,  # type: ignore[arg-type]
        measure="outcome",
        threshold=None,
        budgeting_method="timeslices",
        timeslice_window="1m",
    )
    body = client.get(reverse("manage:standards:detail", args=["aaa", sliced.pk])).content.decode()
    assert "cannot count from single transactions" in body


def test_a_composite_slo_is_refused_and_an_objective_may_name_its_own_indicator(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    own = AVAILABILITY_SLO.replace("  indicatorRef: search-success\n", "").replace(
        "    - target: 0.995\n", "    - target: 0.995\n      indicatorRef: search-success\n"
    )
    assert load(personas, tmp_path, f"{own}---\n{SUCCESS_SLI}")["standards_created"] == 1
    composite = own.replace(
        "      indicatorRef: search-success\n",
        "      indicatorRef: search-success\n      compositeWeight: 2\n",
    )
    with pytest.raises(ImportFailed) as failure:
        load(personas, tmp_path, f"{composite}---\n{SUCCESS_SLI}")
    assert failure.value.problems[0].column == "spec.objectives[0].compositeWeight"


def test_the_api_gives_a_standards_comparison_and_window(
    personas: Personas, tmp_path: Path, search: object
) -> None:
    from django.test import Client

    from touchstone.core import services as core_services

    load(personas, tmp_path, LATENCY_SLO)
    _token, secret = core_services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="client", scopes=["read"]
    )
    item = Client().get("/api/v1/standards", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"][0]
    assert (item["measure"], item["threshold"], item["threshold_op"]) == ("milliseconds", 500.0, "lt")
    assert (item["window_duration"], item["window_is_rolling"], item["budgeting_method"]) == (
        "2w",
        True,
        "occurrences",
    )
