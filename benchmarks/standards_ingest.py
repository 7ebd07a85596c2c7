# ruff: noqa: S608  (the SQL is built from constants and a temporary path)
"""Ingesting and measuring a transaction file, against DuckDB's own scan-and-aggregate of the same file.

Generates a CSV of N transactions (10,000,000 by default; `--rows N` for fewer) over 8 services and one year,
then times, in the same run:
  - baseline: DuckDB reading the CSV and counting, per service and month, the transactions and those that met
    a 5-day standard;
  - Touchstone: `run_import("transactions", ...)`, which checks every row, writes them all-or-nothing to the
    transaction store (Parquet files listed in the database) and measures every standard for the months touched.
Then it loads one more month and shows that measuring it reads only that month's files.
Prints both times and their ratio (no assertions). The issue's target is a ratio of at most 3.

Runs in a child process with its own throwaway database: a temporary SQLite file by default, or with
`--backend postgres` a fresh `touchstone_standards_bench` database on postgres://postgres@127.0.0.1:5432.
Run from the project root: `.venv/bin/python benchmarks/standards_ingest.py [--rows N] [--backend ...]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVICES = 8
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "touchstone_standards_bench"
CHANNELS = ["website", "phone", "in_person", "postal_mail"]


def generate(path: Path, rows: int) -> None:
    import duckdb

    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    duckdb.sql(
        f"""
        COPY (
          SELECT 'tx-' || i AS external_id,
                 'service-' || (i % {SERVICES}) AS service,
                 ([{channels}])[1 + (hash(i) % {len(CHANNELS)})::INTEGER] AS channel,
                 strftime(TIMESTAMP '2024-01-01 08:00:00' + INTERVAL (hash(i * 7) % 31536000) SECOND,
                          '%Y-%m-%d %H:%M:%S') AS started_at,
                 strftime(TIMESTAMP '2024-01-01 08:00:00' + INTERVAL (hash(i * 7) % 31536000) SECOND
                          + INTERVAL (hash(i * 13) % 864000) SECOND, '%Y-%m-%d %H:%M:%S') AS ended_at
          FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )


def next_month(path: Path, rows: int) -> None:
    """January 2025, after the generated year: the next month's file an agency would load."""
    import duckdb

    duckdb.sql(
        f"""
        COPY (
          SELECT 'next-' || i AS external_id, 'service-' || (i % {SERVICES}) AS service, 'website' AS channel,
                 strftime(TIMESTAMP '2025-01-01 08:00:00' + INTERVAL (hash(i) % 2592000) SECOND,
                          '%Y-%m-%d %H:%M:%S') AS started_at,
                 strftime(TIMESTAMP '2025-01-01 08:00:00' + INTERVAL (hash(i) % 2592000) SECOND
                          + INTERVAL (hash(i * 3) % 864000) SECOND, '%Y-%m-%d %H:%M:%S') AS ended_at
          FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )


def baseline(path: Path) -> tuple[float, float]:
    """(seconds, CPU seconds of this process's threads) for DuckDB's own scan and aggregate."""
    import duckdb

    began, cpu = time.perf_counter(), time.process_time()
    duckdb.sql(
        f"""
        SELECT service, date_trunc('month', CAST(started_at AS TIMESTAMP)) AS month, count(*) AS total,
               count(*) FILTER (WHERE CAST(ended_at AS TIMESTAMP) - CAST(started_at AS TIMESTAMP)
                                <= INTERVAL 5 DAY) AS met
        FROM read_csv('{path}', all_varchar = true) GROUP BY ALL
        """
    ).fetchall()
    return time.perf_counter() - began, time.process_time() - cpu


def measure(rows: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from touchstone.catalog.models import Service
    from touchstone.core.importing import run_import
    from touchstone.core.models import Agency
    from touchstone.standards import services, store
    from touchstone.standards.models import PeriodResult

    agency = Agency.objects.create(name="Benchmark Agency", abbreviation="BENCH")
    for number in range(SERVICES):
        service = Service.objects.create(
            agency=agency, name=f"Service {number}", slug=f"service-{number}", description="x"
        )
        services.define_standard(
            actor=None,
            agency=agency,
            data={
                "service": service,
                "statement": "Within 5 days, 80% of the time.",
                "measure": "calendar_days",
                "threshold": 5.0,
                "target": 0.8,
                "period": "month",
                "valid_from": dt.date(2024, 1, 1),
            },
        )
    with tempfile.TemporaryDirectory(prefix="standards-bench-") as folder:
        path = Path(folder) / "transactions.csv"
        began = time.perf_counter()
        generate(path, rows)
        print(
            f"generated {rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - began:.1f} s"
        )
        duck, duck_cpu = baseline(path)
        began, cpu = time.perf_counter(), time.process_time()
        outcome = run_import("transactions", path, agency=agency)
        ours, ours_cpu = time.perf_counter() - began, time.process_time() - cpu
        # The next month arrives: measuring it must read only its own files, not the year already held.
        later = Path(folder) / "next-month.csv"
        next_month(later, rows // 12)
        files_before = len(store.live_files(agency))
        began = time.perf_counter()
        more = run_import("transactions", later, agency=agency)
        increment = time.perf_counter() - began
    print(f"rows held: {store.transaction_count(agency):,}; period results: {PeriodResult.objects.count()}")
    print(f"summary: {outcome.summary}")
    print(f"DuckDB scan and aggregate:      {duck:8.2f} s  ({duck_cpu:.2f} s of CPU)")
    print(f"Touchstone ingest and measure:  {ours:8.2f} s  ({ours_cpu:.2f} s of CPU)")
    print(
        f"ratio: {ours / duck:.1f} (target: at most 3); CPU-time ratio {ours_cpu / duck_cpu:.1f}, steadier on a busy machine"
    )
    print(
        f"one more month ({rows // 12:,} rows) ingested and measured in {increment:.2f} s, "
        f"{increment / ours:.2f} of the year's time; it read only its own file of the {files_before + 1} "
        f"month-file entries held ({more.summary['months']} service-months measured), no earlier period"
    )


def run(backend: str, rows: int) -> None:
    store_folder = tempfile.mkdtemp(prefix="standards-bench-store-")
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="touchstone.settings",
        TOUCHSTONE_TESTING="true",
        TRANSACTION_STORE=store_folder,
    )
    command = [sys.executable, __file__, "--child", "--rows", str(rows)]
    print(f"--- {backend}")
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            environment["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            subprocess.run(command, env=environment, check=True)  # noqa: S603
        shutil.rmtree(store_folder, ignore_errors=True)
        return
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}"')
        server.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
        try:
            environment["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
            subprocess.run(command, env=environment, check=True)  # noqa: S603
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}"')
            shutil.rmtree(store_folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options.rows)
    else:
        run(options.backend, options.rows)


if __name__ == "__main__":
    main()
