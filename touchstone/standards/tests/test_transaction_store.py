"""The transaction store: Parquet files that count only once the manifest lists them, replaced by external id."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.core.importing import ImportFailed, run_import
from touchstone.standards import selectors, store
from touchstone.standards.models import PeriodResult, TransactionFile
from touchstone.standards.tests.helpers import held, make_service, make_standard, write_transactions


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.parquet"))


def test_a_later_file_replaces_a_transaction_and_both_months_are_measured_again(
    personas: Personas, tmp_path: Path
) -> None:
    agency = personas.agency_a
    standard = make_standard(agency, make_service(agency), measure="calendar_days", threshold=3.0)
    first = [
        ["r1", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""],
        ["r2", "refunds", "phone", "2024-03-11 09:00", "2024-03-12 09:00", "", "", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "a.csv", first), agency=agency)
    # r2 was recorded in the wrong month and took longer than first sent; r3 is new.
    second = [
        ["r2", "refunds", "phone", "2024-04-02 09:00", "2024-04-12 09:00", "", "", ""],
        ["r3", "refunds", "website", "2024-04-03 09:00", "2024-04-04 09:00", "", "", ""],
    ]
    outcome = run_import("transactions", write_transactions(tmp_path / "b.csv", second), agency=agency)
    assert (outcome.summary["created"], outcome.summary["updated"]) == (1, 1)
    assert store.transaction_count(agency) == 3
    assert held(agency, "r2")["started_at"] == "2024-04-02T09:00:00"
    results = {r.label: (r.volume_met, r.total) for r in PeriodResult.objects.filter(standard=standard)}
    assert results == {"2024-03": (1, 1), "2024-04": (1, 2)}
    retired = TransactionFile.objects.filter(agency=agency, retired_at__isnull=False)
    assert retired.exists()  # the first file, rewritten without r2


def test_months_of_one_file_and_of_another_are_counted_together(personas: Personas, tmp_path: Path) -> None:
    agency = personas.agency_a
    standard = make_standard(agency, make_service(agency), measure="calendar_days", threshold=3.0)
    for name, ident, ended in (("a", "m1", "2024-05-03 09:00"), ("b", "m2", "2024-05-20 09:00")):
        rows = [[ident, "refunds", "phone", "2024-05-02 09:00", ended, "", "", ""]]
        run_import("transactions", write_transactions(tmp_path / f"{name}.csv", rows), agency=agency)
    result = PeriodResult.objects.get(standard=standard, label="2024-05")
    assert (result.volume_met, result.total) == (1, 2)


def test_a_time_with_a_zone_is_held_in_local_time(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    rows = [
        ["z1", "refunds", "phone", "2024-03-04T14:00:00Z", "2024-03-04T20:00:00+00:00", "", "", ""],
        ["z2", "refunds", "phone", "2024-07-04 09:00:00-0700", "", "", "", ""],
        ["z3", "refunds", "phone", " 2024-07-04 09:00 ", "", "", "", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "z.csv", rows), agency=personas.agency_a)
    assert held(personas.agency_a, "z1")["started_at"] == "2024-03-04T09:00:00"  # EST is UTC-5
    assert held(personas.agency_a, "z1")["ended_at"] == "2024-03-04T15:00:00"
    assert held(personas.agency_a, "z2")["started_at"] == "2024-07-04T12:00:00"  # EDT is UTC-4
    assert held(personas.agency_a, "z3")["started_at"] == "2024-07-04T09:00:00"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["u1", "refunds", "phone", "2024-03-04 09:00", "soon", "", "", ""], "ended_at"),
        (["u2", "refunds", "phone", "2024-03-04 09:00", "", "maybe", "", ""], "outcome"),
        (["u3", "refunds", "phone", "2024-03-04 09:00", "", "", "Nowhere Office", ""], "office"),
        (["u4", "refunds", "phone", "1999-12-31 09:00", "", "", "", ""], "started_at"),
        (["", "refunds", "phone", "2024-03-04 09:00", "", "", "", ""], "external_id"),
        (["u6", "refunds", "", "2024-03-04 09:00", "", "", "", ""], "channel"),
    ],
)
def test_each_kind_of_bad_row_is_refused_with_its_line_and_column(
    personas: Personas, tmp_path: Path, row: list[str], column: str
) -> None:
    make_service(personas.agency_a)
    good = ["g1", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "yes", "", ""]
    path = write_transactions(tmp_path / "t.csv", [good, row])
    with pytest.raises(ImportFailed) as failure:
        run_import("transactions", path, agency=personas.agency_a)
    assert [(p.line, p.column) for p in failure.value.problems] == [(3, column)]
    assert store.transaction_count(personas.agency_a) == 0
    assert _files(store.root()) == []


def test_a_dry_run_checks_the_file_and_keeps_nothing(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    rows = [["d1", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""]]
    outcome = run_import(
        "transactions", write_transactions(tmp_path / "t.csv", rows), agency=personas.agency_a, dry_run=True
    )
    assert outcome.summary["rows"] == 1
    assert store.transaction_count(personas.agency_a) == 0
    assert _files(store.root()) == []


def test_progress_is_reported_while_a_file_loads(personas: Personas, tmp_path: Path) -> None:
    make_service(personas.agency_a)
    rows = [
        [f"p{i}", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""] for i in range(50)
    ]
    seen: list[tuple[int, int | None]] = []
    run_import(
        "transactions",
        write_transactions(tmp_path / "t.csv", rows),
        agency=personas.agency_a,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0][0] == 0 and seen[-1] == (50, 50)


def test_the_sweep_deletes_retired_files_after_their_grace_and_orphans_after_a_day(
    personas: Personas, tmp_path: Path
) -> None:
    agency = personas.agency_a
    make_service(agency)
    row = ["s1", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""]
    run_import("transactions", write_transactions(tmp_path / "a.csv", [row]), agency=agency)
    run_import("transactions", write_transactions(tmp_path / "b.csv", [row]), agency=agency)  # replaces s1
    orphan = store.root() / str(agency.pk) / "left-by-a-crash.parquet"
    orphan.write_bytes(b"PAR1")
    assert len(_files(store.root())) == 3  # first load (retired), second load, orphan
    assert store.sweep() == 0  # all within their grace
    call_command("sweep_transaction_store")  # the scheduled command, on the same terms
    assert len(_files(store.root())) == 3
    assert store.sweep(now=timezone.now() + dt.timedelta(hours=2)) == 1  # the retired file, past its hour
    assert orphan.exists()  # not a day old yet: it may belong to a load still running
    assert store.sweep(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert not TransactionFile.objects.filter(retired_at__isnull=False).exists()
    assert _files(store.root()) == [store.root() / f.path for f in store.live_files(agency)]
    assert store.transaction_count(agency) == 1


def test_a_breakdown_by_office_reads_the_period_from_the_store(personas: Personas, tmp_path: Path) -> None:
    agency = personas.agency_a
    standard = make_standard(agency, make_service(agency), measure="calendar_days", threshold=3.0)
    rows = [
        ["o1", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "Alpha Field Office", ""],
        ["o2", "refunds", "phone", "2024-03-04 09:00", "2024-03-15 09:00", "", "Alpha Field Office", ""],
        ["o3", "refunds", "phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""],
        ["o4", "refunds", "phone", "2024-04-04 09:00", "2024-04-05 09:00", "", "Alpha Field Office", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=agency)
    march = PeriodResult.objects.get(standard=standard, label="2024-03")
    groups = {
        row["group"]: (row["met"], row["total"])
        for row in selectors.breakdown(standard, march, "office__name")
    }
    assert groups == {"Alpha Field Office": (1, 2), None: (1, 1)}


def test_channels_spelled_another_way_are_held_in_the_products_words(
    personas: Personas, tmp_path: Path
) -> None:
    agency = personas.agency_a
    service = make_service(agency)
    standard = make_standard(agency, service, channel="phone", measure="calendar_days", threshold=3.0)
    rows = [
        ["c1", "refunds", "Phone", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""],
        ["c2", "refunds", " PHONE ", "2024-03-04 09:00", "2024-03-15 09:00", "", "", ""],
        ["c3", "refunds", "website", "2024-03-04 09:00", "2024-03-05 09:00", "", "", ""],
    ]
    run_import("transactions", write_transactions(tmp_path / "t.csv", rows), agency=agency)
    assert {held(agency, ident)["channel"] for ident in ("c1", "c2")} == {"phone"}
    result = PeriodResult.objects.get(standard=standard, label="2024-03")
    assert (result.volume_met, result.total) == (1, 2)
