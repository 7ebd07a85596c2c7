"""Transaction files come in through the one import door: checked whole, written all-or-nothing, idempotent."""

from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command

from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, run_import
from touchstone.standards import store
from touchstone.standards.models import PeriodResult
from touchstone.standards.tests.helpers import held, make_service, make_standard, write_transactions


def test_a_file_of_transactions_loads_and_measures_its_months(personas: Personas, tmp_path: Path) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service)
    path = write_transactions(
        tmp_path / "t.csv",
        [
            ["a1", "refunds", "phone", "2024-03-04 09:00", "2024-03-06 10:00", "", "Alpha Field Office", ""],
            ["a2", "refunds", "website", "2024-03-05 09:00", "2024-03-20 10:00", "", "", "veterans"],
            ["a3", "refunds", "website", "2024-04-01 09:00", "2024-04-02 10:00", "", "", ""],
        ],
    )
    outcome = run_import("transactions", path, agency=personas.agency_a)
    assert outcome.summary["rows"] == 3
    assert store.transaction_count(personas.agency_a) == 3
    assert held(personas.agency_a, "a2")["segment"] == "veterans"
    march = PeriodResult.objects.get(standard=standard, label="2024-03")
    assert (march.volume_met, march.total, march.verdict) == (1, 2, "not_met")
    assert 0 < march.ci_low < 0.5 < march.ci_high < 1
    assert PeriodResult.objects.get(standard=standard, label="2024-04").verdict == "met"


def test_a_bad_file_reports_line_and_column_and_writes_nothing(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    path = write_transactions(
        tmp_path / "bad.csv",
        [
            ["b1", "refunds", "phone", "2024-03-04 09:00", "2024-03-06 10:00", "", "", ""],
            ["b2", "no-such-service", "phone", "2024-03-04 09:00", "", "", "", ""],
            ["b3", "refunds", "pigeon", "2024-03-04 09:00", "", "", "", ""],
            ["b4", "refunds", "phone", "yesterday", "", "", "", ""],
            ["b5", "refunds", "phone", "2024-03-04 09:00", "2024-03-01 09:00", "", "", ""],
            ["b1", "refunds", "phone", "2024-03-04 09:00", "", "", "", ""],
        ],
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("transactions", path, agency=personas.agency_a)
    found = {(p.line, p.column) for p in failure.value.problems}
    assert found == {(3, "service"), (4, "channel"), (5, "started_at"), (6, "ended_at"), (7, "external_id")}
    assert "no-such-service" in str(failure.value)
    assert store.transaction_count(personas.agency_a) == 0
    assert not list(store.root().glob("*/*.parquet"))  # the refused load left no file behind


def test_loading_the_same_file_twice_changes_nothing(personas: Personas, tmp_path: Path) -> None:
    service = make_service(personas.agency_a)
    standard = make_standard(personas.agency_a, service)
    rows = [["c1", "refunds", "phone", "2024-03-04 09:00", "2024-03-06 10:00", "", "", ""]]
    path = write_transactions(tmp_path / "t.csv", rows)
    call_command("import", "transactions", str(path), agency="AAA")
    call_command("import", "transactions", str(path), agency="AAA")
    assert store.transaction_count(personas.agency_a) == 1
    assert PeriodResult.objects.get(standard=standard).total == 1


def test_a_parquet_file_loads_like_a_csv(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    csv_path = write_transactions(
        tmp_path / "t.csv",
        [["p1", "refunds", "phone", "2024-03-04 09:00", "2024-03-06 10:00", "yes", "", ""]],
    )
    parquet = tmp_path / "t.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true)) TO '{parquet}' (FORMAT parquet)"
    )
    run_import("transactions", parquet, agency=personas.agency_a)
    row = held(personas.agency_a, "p1")
    assert row["outcome"] is True and row["elapsed_business_days"] == 2


def test_a_transaction_dated_in_the_future_is_refused_by_line_and_column(
    personas: Personas, tmp_path: Path
) -> None:
    import datetime as dt

    from django.utils import timezone

    make_service(personas.agency_a)
    next_week = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    path = write_transactions(
        tmp_path / "future.csv",
        [
            ["f1", "refunds", "phone", "2024-03-04 09:00", "2024-03-06 10:00", "", "", ""],
            ["f2", "refunds", "phone", next_week, "", "yes", "", ""],
            ["f3", "refunds", "phone", "2024-03-04 09:00", next_week, "", "", ""],
        ],
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("transactions", path, agency=personas.agency_a)
    found = {(p.line, p.column) for p in failure.value.problems}
    assert found == {(3, "started_at"), (4, "ended_at")}
    assert "is in the future" in str(failure.value)
    assert store.transaction_count(personas.agency_a) == 0
